"""kill -9 in the middle of a schema change, and two processes appending to the audit log.

Each trial kills a worker between two write statements it announces, as a crash or a
power cut would, then opens the vault in this process and checks that nothing was lost.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import time
from pathlib import Path

import pytest

from models import audit, migrations
from models.inputs import ClientInput
from models.services import clients
from models.vault import integrity_check, open_vault
from tests.conftest import TODAY
from tests.integration.bad_day import Zygote, build_first_schema_vault, kill9, run_cli

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
                names = [c.name for c in clients.list_clients(s, today=dt.date.today())]
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

    from tests.integration.bad_day import WORKSTATION, cli_env

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
    """Also the proof that opening never deletes a -wal another process is writing to: the
    unlock check once removed an empty -wal it thought it had made, and the other
    process's commits went into the deleted file."""
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


@pytest.fixture(scope="module")
def busy_practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A practice big enough that a backup or a passphrase change takes a while."""
    import datetime as dt

    from models.demo import DemoPlan, generate_demo
    from models.vault import create_vault

    path = tmp_path_factory.mktemp("busy") / "practice.iwvault"
    create_vault(path, PASSPHRASE, populate=lambda s: generate_demo(
        s, DemoPlan(clients=10, seed=2, today=dt.date(2026, 11, 1)))).close()
    return path


def _census(path: Path, passphrase: str) -> tuple[int, int, int]:
    from sqlalchemy import func, select

    from models.entities import AuditEvent, Client, Note

    vault = open_vault(path, passphrase)
    try:
        assert not vault.read_only, vault.read_only_reason
        with vault.snapshot() as s:
            return (s.scalar(select(func.count(Client.id))) or 0,
                    s.scalar(select(func.count(Note.id))) or 0,
                    s.scalar(select(func.count(AuditEvent.id))) or 0)
    finally:
        vault.close()


def _timed_run(zygote: Zygote, job: str, **kwargs: object) -> float:
    """How long the job runs from its "started" line to its "done" line."""
    zygote.start(job, **kwargs)
    assert zygote.next_line(timeout=30) == {"started": True}
    started = time.monotonic()
    for line in zygote.lines_until(lambda line: "done" in line or "error" in line, timeout=60):
        assert "error" not in line, line
    return time.monotonic() - started


def _kill_during(zygote: Zygote, job: str, seconds: float, **kwargs: object) -> None:
    pid = zygote.start(job, **kwargs)
    assert zygote.next_line(timeout=30) == {"started": True}
    time.sleep(seconds)
    kill9(pid)


def test_a_backup_killed_at_any_moment_leaves_the_vault_whole_and_no_backup_named(
    tmp_path: Path, zygote: Zygote, busy_practice: Path
) -> None:
    from models.safekeeping.verify import verify_vault

    vault_path = tmp_path / "practice.iwvault"
    shutil.copy2(busy_practice, vault_path)
    census = _census(vault_path, PASSPHRASE)
    took = _timed_run(zygote, "backup", path=str(vault_path), passphrase=PASSPHRASE,
                      out=str(tmp_path / "probe.iwbackup"))
    rng = random.Random(3)
    for trial in range(6):
        out = tmp_path / f"trial{trial}.iwbackup"
        _kill_during(zygote, "backup", rng.uniform(0.0, took), path=str(vault_path),
                     passphrase=PASSPHRASE, out=str(out))
        # Either the whole checked backup took its name, or nothing did.
        if out.exists():
            assert _census(out, PASSPHRASE)[:2] == census[:2]
        for leftover in tmp_path.glob(".*partial*"):
            assert not leftover.read_bytes().startswith(b"SQLite format 3")
    after = _census(vault_path, PASSPHRASE)
    assert after[:2] == census[:2]
    vault = open_vault(vault_path, PASSPHRASE)
    try:
        assert verify_vault(vault).ok
    finally:
        vault.close()


def test_a_passphrase_change_killed_at_any_moment_leaves_exactly_one_passphrase(
    tmp_path: Path, zygote: Zygote, busy_practice: Path
) -> None:
    from models.safekeeping.verify import verify_vault
    from models.vault import WrongPassphraseError

    new = "the new passphrase of the practice"
    probe = tmp_path / "probe.iwvault"
    shutil.copy2(busy_practice, probe)
    census = _census(probe, PASSPHRASE)
    took = _timed_run(zygote, "rekey", path=str(probe), old=PASSPHRASE, new=new)
    rng = random.Random(8)
    outcomes = []
    for trial in range(6):
        path = tmp_path / f"trial{trial}" / "practice.iwvault"
        path.parent.mkdir()
        shutil.copy2(busy_practice, path)
        _kill_during(zygote, "rekey", rng.uniform(0.0, took), path=str(path), old=PASSPHRASE,
                     new=new)
        opens = []
        for passphrase in (PASSPHRASE, new):
            try:
                open_vault(path, passphrase).close()
                opens.append(passphrase)
            except WrongPassphraseError:
                pass
        assert len(opens) == 1, (trial, opens)
        outcomes.append(opens[0] == new)
        clients_now, notes_now, _events = _census(path, opens[0])
        assert (clients_now, notes_now) == census[:2]
        vault = open_vault(path, opens[0])
        try:
            assert verify_vault(vault).ok
        finally:
            vault.close()
    assert outcomes  # which passphrase won depends on the moment; each is whole


def test_notes_saved_when_killed_at_random_lose_nothing_acknowledged(
    tmp_path: Path, zygote: Zygote
) -> None:
    """20 trials: a worker writes drafts, signs, adds addenda and clients, acknowledging
    each commit as it returns; it is killed at a random moment; everything acknowledged
    is there afterwards, and the vault checks out without a false alarm."""
    from models.safekeeping.verify import verify_vault
    from models.services import clinicians, notes
    from models.vault import create_vault

    path = tmp_path / "notes.iwvault"
    vault = create_vault(path, PASSPHRASE)
    with vault.transaction() as s:
        doc = clinicians.create_clinician(s, "Dr Crash")
        for name in ("Ada Example", "Basil Sample", "Cora Specimen"):
            clients.create_client(s, ClientInput(name=name), today=TODAY)
    vault.close()
    rng = random.Random(20)
    acknowledged: list[dict[str, object]] = []
    for trial in range(20):
        pid = zygote.start("save_notes", path=str(path), passphrase=PASSPHRASE, seed=trial,
                           clinician_id=doc.id)
        assert zygote.next_line(timeout=30) == {"started": True}
        time.sleep(rng.uniform(0.0, 0.6))
        kill9(pid)
        while not zygote.lines.empty():
            line = zygote.lines.get_nowait()
            assert "error" not in line, line
            acknowledged.append(line)
    assert sum(1 for a in acknowledged if a.get("kind") == "signed") >= 5
    vault = open_vault(path, PASSPHRASE)
    try:
        assert not vault.read_only, vault.problems
        with vault.session() as s:
            names = {c.name for c in clients.list_clients(s, today=dt.date.today())}
            for ack in acknowledged:
                if ack.get("kind") == "client":
                    assert clients.get_client(s, int(ack["client"])).name in names
                    continue
                note = notes.get_note(s, int(ack["note"]))  # type: ignore[arg-type]
                if ack["kind"] == "signed":
                    assert note.status == "signed" and note.content_hash == ack["hash"]
                elif ack["kind"] == "addendum":
                    assert any(a.id == ack["addendum"] for a in note.addenda)
                elif ack["content"] is not None and note.status == "draft":
                    assert note.content["data"] >= ack["content"]["data"]  # type: ignore[index]
        report = verify_vault(vault)
        assert report.ok, report.problems
    finally:
        vault.close()
