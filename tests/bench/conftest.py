"""Benchmark fixtures, and derived figures (ratios, overheads) printed after the table."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from models.demo import DemoPlan, generate_heavy_client
from models.demo_shards import build_demo
from models.vault import Vault, create_plain_database, create_vault, open_vault

# numpy's OpenBLAS starts a thread when it is imported (the chart benchmarks import it). The
# command that builds the demo practice has one thread and builds it on two cores, which
# it does only from a process of one thread (models.demo_shards.can_split): so does this.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

BENCH_PASSPHRASE = "bench passphrase"
TODAY = dt.date(2026, 11, 1)
# Building the 200-client practice alone takes minutes on a slow machine: benchmarks get a
# longer deadline than the suite's 120 s (the fixture's setup counts towards it).
BENCH_TIMEOUT_SECONDS = 900


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:  # the hook sees every collected test, not only these
        if item.path.is_relative_to(here) and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(BENCH_TIMEOUT_SECONDS))


@pytest.fixture(scope="session")
def heavy_vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Vault, int]]:
    """An encrypted vault holding one client with 300 sessions."""
    path = tmp_path_factory.mktemp("bench") / "heavy.iwvault"
    vault = create_vault(path, BENCH_PASSPHRASE)
    with vault.transaction() as session:
        client_id = generate_heavy_client(session, sessions=300, today=TODAY)
    yield vault, client_id
    vault.close()


@pytest.fixture(scope="session")
def demo_200(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vault]:
    """The 200-client demo practice (about three years), built once for the session."""
    path = tmp_path_factory.mktemp("bench") / "demo200.iwvault"
    create_vault(path, BENCH_PASSPHRASE, populate=lambda session: build_demo(
        session, DemoPlan(clients=200, seed=1, today=TODAY))).close()
    vault = open_vault(path, BENCH_PASSPHRASE)
    yield vault
    vault.close()


@pytest.fixture(scope="session")
def heavy_plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, int]]:
    """The same client in an unencrypted SQLite file with the same schema and settings."""
    engine = create_plain_database(tmp_path_factory.mktemp("bench") / "heavy-plain.db")
    with Session(engine) as session, session.begin():
        client_id = generate_heavy_client(session, sessions=300, today=TODAY)
    yield engine, client_id
    engine.dispose()


def _median(benchmarks: list[Any], name: str) -> float | None:
    for bench in benchmarks:
        if bench.name == name and bench.stats is not None:
            return float(bench.stats.median)
    return None


def pytest_terminal_summary(terminalreporter: Any, config: Any) -> None:
    session = getattr(config, "_benchmarksession", None)
    if session is None or not session.benchmarks:
        return
    benchmarks = session.benchmarks
    lines = []
    unlock = _median(benchmarks, "test_unlock_vault")
    kdf = _median(benchmarks, "test_key_derivation")
    if unlock is not None and kdf is not None:
        lines.append(f"unlock beyond key derivation: {1000 * (unlock - kdf):.1f} ms "
                     "(target < 300 ms)")
    enc = _median(benchmarks, "test_load_client_record_encrypted")
    plain = _median(benchmarks, "test_load_client_record_plain")
    if enc is not None:
        lines.append(f"one client's record (300 sessions), encrypted: {1000 * enc:.1f} ms "
                     "(target < 50 ms)")
    if enc is not None and plain is not None:
        lines.append(f"encrypted / plain ratio: {enc / plain:.2f} (target < 1.5)")
    sign = _median(benchmarks, "test_sign_emdr_note")
    if sign is not None:
        lines.append(f"sign an EMDR note (validate, file figures, hash, audit, commit): "
                     f"{1000 * sign:.1f} ms (target < 50 ms)")
    empty = _median(benchmarks, "test_report_command_empty_period")
    for case, target in (("20-full", 1.0), ("300-full", 2.0), ("300-summaries", 2.0)):
        report = _median(benchmarks, f"test_report_command[{case}]")
        if report is not None:
            beyond = ("" if empty is None
                      else f"; {report - empty:.2f} s more than an empty period")
            lines.append(f"workstation report, {case.replace('-', ' sessions, ')}: "
                         f"{report:.2f} s (target < {target:g} s{beyond})")
    if empty is not None:
        lines.append(f"workstation report, a period with nothing in it (the command's fixed "
                     f"part): {empty:.2f} s")
    for case, target in (("20-full", 1.0), ("300-full", 2.0), ("300-summaries", 2.0)):
        window = _median(benchmarks, f"test_report_in_the_window[{case}]")
        if window is not None:  # the same report where everything is loaded and open
            lines.append(f"the same report in the Reports tab, {case.replace('-', ' sessions, ')}"
                         f": {window:.2f} s (the command's target: < {target:g} s)")
    for name, what in (("test_backup_200_client_vault", "backup"),
                       ("test_verify_200_client_vault", "verify")):
        median = _median(benchmarks, name)
        if median is not None:
            lines.append(f"{what} of the 200-client demo vault: {median:.2f} s (target < 5 s)")
    drawn = _median(benchmarks, "test_draw_parts_map_40_parts_60_relations")
    if drawn is not None:
        lines.append(f"parts map, 40 parts and 60 relations, drawn: {1000 * drawn:.1f} ms "
                     "(target < 100 ms)")
    opened = _median(benchmarks, "test_open_targets_tab_12_targets_30_sessions")
    if opened is not None:
        lines.append(f"Targets tab, 12 targets of 30 sessions, opened: {1000 * opened:.1f} ms "
                     "(target < 100 ms; its chart follows)")
    for bench in benchmarks:
        target = bench.extra_info.get("target_s") if bench.extra_info else None
        if target is None or bench.stats is None:
            continue
        # A first view measured inside a fresh process reports its own time.
        median = bench.extra_info.get("first_view_median_s", bench.stats.median)
        verdict = "met" if median < target else "NOT met"
        split = bench.extra_info.get("two_processes")
        how = "" if split is None else " on two cores" if split else " on one core"
        lines.append(f"{bench.name}: median {1000 * median:.0f} ms{how} "
                     f"(target < {1000 * target:.0f} ms: {verdict})")
    if lines:
        terminalreporter.section("derived figures")
        for line in lines:
            terminalreporter.write_line(line)
