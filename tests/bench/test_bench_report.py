"""The whole `workstation report` command, from start to the PDF on disk: a client with 20
sessions (target < 1 s) and one with 300 (target < 2 s), every session in the period, each
note in full, every section; and the 300 with one line per session (`--summaries`). Beside
them, the same command for a period with nothing in it: the part every report pays.

The command runs as an installed copy does: with its packages' bytecode. This machine's
environment sets PYTHONDONTWRITEBYTECODE, so the bytecode is compiled here first; without
it each run would compile from source the hundred modules it loads (about half a second),
which no installed copy does (pip compiles them when it installs, Python when it first
runs them)."""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from models.demo import generate_heavy_client
from models.vault import create_vault

from .conftest import BENCH_PASSPHRASE, TODAY


def _vault(folder: Path, sessions: int) -> Path:
    path = folder / f"report-{sessions}.iwvault"
    vault = create_vault(path, BENCH_PASSPHRASE)
    try:
        with vault.transaction() as session:
            generate_heavy_client(session, sessions=sessions, today=TODAY)
    finally:
        vault.close()
    return path


@pytest.fixture(scope="module", autouse=True)
def bytecode() -> None:
    root = Path(__file__).resolve().parents[2]
    for package in ("models", "reports", "workstation"):
        compileall.compile_dir(root / package, quiet=1)


@pytest.fixture(scope="module")
def vaults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Path]]:
    folder = tmp_path_factory.mktemp("bench-report")
    yield {n: _vault(folder, n) for n in (20, 300)}


def _command(vault: Path, out: Path, *extra: str, start: str = "2000-01-01",
             end: str = TODAY.isoformat()) -> None:
    env = {**os.environ, "WORKSTATION_PASSPHRASE": BENCH_PASSPHRASE}
    result = subprocess.run(
        [sys.executable, "-m", "workstation", "report", "--vault", str(vault), "--client",
         "C-0001", "--from", start, "--to", end, "--out", str(out), *extra],
        env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("sessions", "detail"), [(20, "full"), (300, "full"),
                                                  (300, "summaries")])
def test_report_command(benchmark: Any, vaults: dict[int, Path], tmp_path: Path,
                        sessions: int, detail: str) -> None:
    out = tmp_path / "report.pdf"
    extra = ("--summaries",) if detail == "summaries" else ()
    benchmark.pedantic(_command, args=(vaults[sessions], out, *extra), rounds=5,
                       iterations=1, warmup_rounds=1)
    assert out.stat().st_size > 10_000



def test_report_command_empty_period(benchmark: Any, vaults: dict[int, Path],
                                     tmp_path: Path) -> None:
    """The same command for a period with nothing in it (no session, measure, target or
    map): its fixed part. Python starts, SQLAlchemy and the models load, the key is
    derived and the vault opened, while the second process loads reportlab, matplotlib and
    the fonts; then a two-page report with no chart is laid out. A report of any length
    costs this much and more on the machine that runs it."""
    out = tmp_path / "empty.pdf"
    benchmark.pedantic(_command, args=(vaults[20], out), kwargs={"start": "2000-01-01",
                                                                 "end": "2000-01-31"},
                       rounds=5, iterations=1, warmup_rounds=1)
    assert out.stat().st_size > 1_000
