"""kill -9 in the middle of a schema change, and two processes appending to the audit log.

Each trial kills a worker between two write statements it announces, as a crash or a
power cut would, then opens the vault in this process and checks that nothing was lost.
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

import pytest

from models import audit, migrations
from models.services import clients
from models.vault import integrity_check, open_vault

from bad_day import Zygote, build_first_schema_vault, kill9, run_cli

pytestmark = pytest.mark.integration

PASSPHRASE = "crash test passphrase"


def _steps_of(zygote: Zygote, job: str, **kwargs: object) -> int:
    """Run a job to its end once and count the write statements it announced."""
    zygote.start(job, pause=0.0, **kwargs)
    steps = 0
    for line in zygote.lines_until(lambda line: "done" in line or "error" in line):
        assert "error" not in line, line
        steps = max(steps, line.get("step", 0))
    return steps


def _kill_at_step(zygote: Zygote, job: str, step: int, **kwargs: object) -> None:
    pid = zygote.start(job, **kwargs)
    for line in zygote.lines_until(lambda line: line.get("step") == step or "done" in line
                                   or "error" in line):
        assert "error" not in line and "done" not in line, line
    kill9(pid)


def test_a_migration_killed_at_any_statement_is_finished_by_the_next_open(
    tmp_path: Path, zygote: Zygote
) -> None:
    template = tmp_path / "first.iwvault"
    build_first_schema_vault(template, PASSPHRASE, clients=3)
    probe = tmp_path / "probe.iwvault"
    shutil.copy2(template, probe)
    total = _steps_of(zygote, "open_in_steps", path=str(probe), passphrase=PASSPHRASE)
    assert total >= 5  # two revisions: columns, a back-fill, triggers, the version row
    rng = random.Random(12)
    chosen = sorted({1, 2, total // 2, total - 1, total, *rng.sample(range(1, total + 1), 2)})
    for step in chosen:
        trial = tmp_path / f"trial{step}.iwvault"
        shutil.copy2(template, trial)
        _kill_at_step(zygote, "open_in_steps", step, path=str(trial), passphrase=PASSPHRASE)
        vault = open_vault(trial, PASSPHRASE)  # finishes the upgrade
        try:
            with vault.engine.connect() as conn:
                assert migrations.current_revision(conn) == migrations.HEAD, step
            with vault.session() as s:
                names = [c.name for c in clients.list_clients(s)]
                assert names == ["Old Fixture 1", "Old Fixture 2", "Old Fixture 3"], step
                assert audit.check_anchor(s).ok, step
            assert integrity_check(vault).ok, step
        finally:
            vault.close()


def test_creating_a_vault_killed_at_any_statement_leaves_no_half_made_vault(
    tmp_path: Path, zygote: Zygote
) -> None:
    total = _steps_of(zygote, "create_in_steps", path=str(tmp_path / "probe.iwvault"),
                      passphrase=PASSPHRASE)
    for step in sorted({1, total // 3, 2 * total // 3, total}):
        target = tmp_path / f"new{step}.iwvault"
        _kill_at_step(zygote, "create_in_steps", step, path=str(target),
                      passphrase=PASSPHRASE)
        # Nothing at the name the person chose: the vault can simply be created again.
        assert not target.exists()
        vault = open_vault(_create_again(target), PASSPHRASE)
        vault.close()


def _create_again(target: Path) -> Path:
    from models.vault import create_vault

    create_vault(target, PASSPHRASE).close()
    return target


def test_stopping_workstation_demo_early_leaves_nothing_that_will_not_open(
    tmp_path: Path
) -> None:
    import subprocess

    from bad_day import WORKSTATION, cli_env

    target = tmp_path / "demo.iwvault"
    for delay in (0.3, 1.5, 2.5):
        proc = subprocess.Popen([str(WORKSTATION), "demo", "--vault", str(target),
                                 "--clients", "3"], env=cli_env("demo passphrase"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.kill()
        proc.wait(timeout=20)
        if target.exists():  # it finished before the kill: a whole vault
            open_vault(target, "demo passphrase").close()
            target.unlink()
    again = run_cli("demo", "--vault", str(target), "--clients", "3",
                    passphrase="demo passphrase")
    assert again.returncode == 0, again.stderr
    assert "3 clients" in again.stdout


def test_two_processes_recording_locks_and_unlocks_keep_one_chain(
    tmp_path: Path, zygote: Zygote
) -> None:
    from models.vault import create_vault

    path = tmp_path / "busy.iwvault"
    create_vault(path, PASSPHRASE).close()
    rounds = 25
    for _ in range(2):
        zygote.start("lock_and_unlock", path=str(path), passphrase=PASSPHRASE, rounds=rounds)
    finished = 0
    while finished < 2:
        line = zygote.next_line(timeout=90)
        assert "error" not in line, line
        finished += "done" in line
    vault = open_vault(path, PASSPHRASE)
    try:
        with vault.session() as s:
            chain = audit.verify_chain(s)
            anchor = audit.check_anchor(s)
    finally:
        vault.close()
    assert chain.ok, chain.problem
    assert chain.events == 2 * 2 * rounds
    assert anchor.ok, anchor.problem
