"""The demo practice written by two processes is the practice one process writes.

Each build runs in a fresh process (demo_shards_probe): a split build forks, which is safe
only from a process of one thread.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .test_cli import run

pytestmark = pytest.mark.integration

CLIENTS = 26  # above models.demo_shards.MIN_CLIENTS, small enough to be quick


def probe(mode: str, vault: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.demo_shards_probe", mode, str(CLIENTS),
         str(vault)], capture_output=True, text=True, timeout=100,
        cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    return out


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return probe("serial", tmp_path_factory.mktemp("serial") / "demo.iwvault")


def test_two_processes_write_the_same_practice(serial: dict[str, Any], tmp_path: Path) -> None:
    split = probe("split", tmp_path / "demo.iwvault")
    assert len(serial["clients"]) == CLIENTS
    assert split["result"] == serial["result"]
    for record_number, client in serial["clients"].items():
        assert split["clients"][record_number] == client, record_number
    assert (split["chain"], split["anchor"], split["foreign_keys"]) == ("ok", "ok", 0)
    # every client's notes, ratings and measures are there, and the index has them
    assert all(c["notes"] and c["measures"] and c["indexed"] and c["events"]
               for c in split["clients"].values())


def test_a_first_half_that_outgrows_its_ids_has_the_second_half_written_after_it(
        serial: dict[str, Any], tmp_path: Path) -> None:
    outgrown = probe("outgrown", tmp_path / "demo.iwvault")
    assert outgrown == serial


@pytest.mark.parametrize(("mode", "says"), [
    ("failing", "failed (ValueError: the second half went wrong); nothing was written."),
    ("killed", "stopped (exit code 3); nothing was written. Run the command again."),
])
def test_a_second_process_that_fails_leaves_no_vault(mode: str, says: str,
                                                      tmp_path: Path) -> None:
    outcome = probe(mode, tmp_path / "demo.iwvault")
    assert outcome == {"failed": "The second process building the demo practice " + says,
                       "vault_left": False}
    assert list(tmp_path.iterdir()) == []


def test_the_command_writes_a_large_practice_that_verifies(tmp_path: Path) -> None:
    vault = tmp_path / "demo.iwvault"
    built = run("demo", "--vault", str(vault), "--clients", str(CLIENTS), "--seed", "3")
    assert built.returncode == 0, built.stderr
    assert f"{CLIENTS} clients" in built.stdout
    listed = run("clients", "--vault", str(vault))
    assert [line.split()[0] for line in listed.stdout.splitlines()] == [
        f"C-{n:04d}" for n in range(1, CLIENTS + 1)]
    verified = run("verify", "--vault", str(vault))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "no problems found" in verified.stdout
