"""Backup, restore, passphrase change and export, through the installed command and the
functions the windows will call."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from models.demo import DemoPlan, generate_demo
from models.entities import AuditEvent, Note
from models.inputs import ClientInput
from models.safekeeping import restore
from models.safekeeping.backup import backup_vault, last_backup_at
from models.safekeeping.export import export_practice
from models.safekeeping.verify import verify_vault
from models.services import clients
from models.vault import VaultStorageError, WrongPassphraseError, create_vault, open_vault
from tests.integration.bad_day import digests, run_cli

pytestmark = pytest.mark.integration

PASSPHRASE = "cli passphrase"
NEW = "a new passphrase, long enough"
TODAY = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("safe") / "practice.iwvault"
    create_vault(path, PASSPHRASE, populate=lambda s: generate_demo(
        s, DemoPlan(clients=3, seed=9, today=TODAY))).close()
    return path


@pytest.fixture
def vault_path(practice: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "records"
    folder.mkdir()
    path = folder / "practice.iwvault"
    shutil.copy2(practice, path)
    return path


def _names(path: Path, passphrase: str = PASSPHRASE) -> list[str]:
    vault = open_vault(path, passphrase)
    try:
        with vault.session() as s:
            return [c.name for c in clients.list_clients(s, today=dt.date.today())]
    finally:
        vault.close()


def _add_client(path: Path, name: str) -> None:
    vault = open_vault(path, PASSPHRASE)
    with vault.transaction() as s:
        clients.create_client(s, ClientInput(name=name), today=TODAY)
    vault.close()


def test_a_backup_is_a_checked_private_copy_that_opens_with_the_passphrase(
    vault_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "elsewhere" / "monday.iwbackup"
    out.parent.mkdir()
    result = run_cli("backup", "--vault", str(vault_path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Backup written" in result.stdout and "checked" in result.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.parent.iterdir()) == ["monday.iwbackup"]
    assert _names(out) == _names(vault_path)
    assert run_cli("verify", "--vault", str(out)).returncode == 0
    vault = open_vault(vault_path, PASSPHRASE)
    try:
        recorded = last_backup_at(vault)
        with vault.session() as s:
            actions = list(s.scalars(select(AuditEvent.action)))
    finally:
        vault.close()
    assert recorded is not None and recorded.date() == dt.datetime.now(dt.UTC).date()
    assert actions[-1] == "vault.backup"
    shown = run_cli("verify", "--vault", str(vault_path))
    assert "last backup: " in shown.stdout and "(0 days ago)" in shown.stdout
    again = run_cli("backup", "--vault", str(vault_path), "--out", str(out))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_backups_into_a_folder_keep_the_newest_n_and_nothing_else_is_touched(
    vault_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    bystanders = ["notes.txt", "other-backup-20200101T000000000000Z.iwbackup"]
    for name in bystanders:
        (folder / name).write_text("keep me")
    vault = open_vault(vault_path, PASSPHRASE)
    made = []
    try:
        for day in range(1, 6):
            report = backup_vault(vault, folder, keep=3, now=dt.datetime(2026, 11, day, 9))
            made.append(report.path.name)
    finally:
        vault.close()
    assert sorted(p.name for p in folder.iterdir()) == sorted(bystanders + made[-3:])
    assert report.pruned == (folder / made[1],)


def test_a_read_only_vault_is_backed_up_and_exported_and_says_neither_was_recorded(
    vault_path: Path, tmp_path: Path
) -> None:
    vault_path.chmod(0o400)
    result = run_cli("backup", "--vault", str(vault_path), "--out", str(tmp_path / "b.iwbackup"))
    assert result.returncode == 0, result.stderr
    assert "is open read-only (the vault file is marked read-only), so this backup could " \
        "not be recorded as its last one (the backup itself is complete)" in result.stderr
    assert _names(tmp_path / "b.iwbackup") == _names(vault_path)
    result = run_cli("export", "--vault", str(vault_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "is open read-only (the vault file is marked read-only), so the export is not in " \
        "its audit log (the export itself is complete)" in result.stderr


def test_restore_puts_the_backup_back_and_keeps_the_newer_vault_aside(
    vault_path: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "b.iwbackup"
    assert run_cli("backup", "--vault", str(vault_path), "--out", str(backup)).returncode == 0
    before = _names(vault_path)
    _add_client(vault_path, "Written After The Backup")
    result = run_cli("restore", "--from", str(backup), "--vault", str(vault_path))
    assert result.returncode == 0, result.stderr
    assert _names(vault_path) == before
    safety = [p for p in vault_path.parent.iterdir() if ".before-restore-" in p.name]
    assert len(safety) == 1 and safety[0].name in result.stdout
    assert "Written After The Backup" in _names(safety[0])  # nothing is lost
    assert run_cli("verify", "--vault", str(vault_path)).returncode == 0


def test_restore_over_a_lost_vault_with_a_stale_wal_beside_it(
    vault_path: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "b.iwbackup"
    assert run_cli("backup", "--vault", str(vault_path), "--out", str(backup)).returncode == 0
    wal = vault_path.with_name(vault_path.name + "-wal")
    wal.write_bytes(b"\x37\x7f\x06\x82" + bytes(4092))  # a stale -wal of another file
    vault_path.unlink()
    result = run_cli("restore", "--from", str(backup), "--vault", str(vault_path))
    assert result.returncode == 0, result.stderr
    assert not wal.exists()
    assert any(p.name.endswith("-wal") and ".before-restore-" in p.name
               for p in vault_path.parent.iterdir())
    assert run_cli("verify", "--vault", str(vault_path)).returncode == 0


# A program killed while the vault is open: its last change is still in the -wal.
_KILLED_AFTER_A_CHANGE = textwrap.dedent("""
    import os, sys
    from models.vault import open_vault
    vault = open_vault(sys.argv[1], sys.argv[2])
    with vault.transaction() as s:
        s.connection().exec_driver_sql("UPDATE client SET pronouns = 'they/them'")
    os.kill(os.getpid(), 9)
""")


def test_a_new_vault_is_not_made_where_a_deleted_one_left_its_changes(
    vault_path: Path
) -> None:
    """SQLite would read the -wal a killed program left as the new vault's own: the new
    vault would be created and then not open ("damaged at its start")."""
    killed = subprocess.run([sys.executable, "-c", _KILLED_AFTER_A_CHANGE, str(vault_path),
                             PASSPHRASE], capture_output=True, timeout=60, check=False)
    assert killed.returncode == -9, killed.stderr
    wal = vault_path.with_name(vault_path.name + "-wal")
    left = wal.read_bytes()
    assert left
    vault_path.unlink()  # the therapist deletes the vault, and makes a new one of that name
    result = run_cli("demo", "--vault", str(vault_path), "--clients", "1")
    assert result.returncode == 1, result.stderr
    assert "was not closed properly and left its last changes here" in result.stderr
    assert f"delete {wal.name} too" in result.stderr
    assert not vault_path.exists() and wal.read_bytes() == left  # nothing taken or lost
    wal.unlink()
    assert run_cli("demo", "--vault", str(vault_path), "--clients", "1").returncode == 0
    assert run_cli("verify", "--vault", str(vault_path)).returncode == 0


def test_a_new_vault_is_not_made_where_a_program_still_has_a_deleted_one_open(
    vault_path: Path
) -> None:
    holder = _held_open(vault_path)
    try:
        vault_path.unlink()
        result = run_cli("demo", "--vault", str(vault_path), "--clients", "1")
    finally:
        _release(holder)
    assert result.returncode == 1, result.stderr
    assert "still open in another program, although its file is gone" in result.stderr
    assert not vault_path.exists()


@pytest.mark.parametrize("fails", ["moving the -wal aside", "placing the backup"])
def test_a_restore_that_fails_part_way_puts_the_vault_back_as_it_was(
    vault_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: str
) -> None:
    backup = tmp_path / "b.iwbackup"
    assert run_cli("backup", "--vault", str(vault_path), "--out", str(backup)).returncode == 0
    wal = vault_path.with_name(vault_path.name + "-wal")
    wal.write_bytes(b"\x37\x7f\x06\x82" + bytes(4092))  # a -wal beside it, to move with it
    before = digests(vault_path)
    assert set(before) == {"main", "-wal"}
    real_rename = os.rename

    def rename(source: Any, target: Any) -> None:
        if fails == "moving the -wal aside" and str(source).endswith("-wal") \
                and ".before-restore-" in str(target):
            raise OSError(errno.EACCES, "Permission denied")
        real_rename(source, target)

    def place_new(temp: Path, final: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(restore.os, "rename", rename)
    if fails == "placing the backup":
        monkeypatch.setattr(restore.files, "place_new", place_new)
    with pytest.raises((VaultStorageError, OSError)):
        restore.restore_vault(backup, vault_path, PASSPHRASE)
    # The vault and its -wal are where they were, unchanged; nothing half moved is left.
    assert digests(vault_path) == before
    assert sorted(p.name for p in vault_path.parent.iterdir()) == sorted(
        [vault_path.name, wal.name])


def test_restore_refuses_a_damaged_backup_and_changes_nothing(
    vault_path: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "b.iwbackup"
    assert run_cli("backup", "--vault", str(vault_path), "--out", str(backup)).returncode == 0
    data = bytearray(backup.read_bytes())
    data[(len(data) // 4096 - 2) * 4096 + 500] ^= 0x10
    backup.write_bytes(bytes(data))
    before = digests(vault_path)
    result = run_cli("restore", "--from", str(backup), "--vault", str(vault_path))
    assert result.returncode == 4, result.stdout + result.stderr
    assert "not restored and nothing was changed" in result.stderr
    assert digests(vault_path) == before
    assert sorted(p.name for p in vault_path.parent.iterdir()) == [vault_path.name]


_KEEP_OPEN = textwrap.dedent("""
    import sys, time
    from models.vault import open_vault
    vault = open_vault(sys.argv[1], sys.argv[2])
    with vault.session() as s:
        s.connection().exec_driver_sql("SELECT count(*) FROM client").fetchall()
    print("open", flush=True)
    time.sleep(120)  # killed as soon as the commands under test have run
""")


def _held_open(path: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", _KEEP_OPEN, str(path), PASSPHRASE],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
    return holder


def _release(holder: subprocess.Popen[str]) -> None:
    holder.kill()
    holder.wait(timeout=20)
    if holder.stdout is not None:
        holder.stdout.close()


def test_restore_and_rekey_wait_for_every_other_program_to_close_the_vault(
    vault_path: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "b.iwbackup"
    assert run_cli("backup", "--vault", str(vault_path), "--out", str(backup)).returncode == 0
    holder = _held_open(vault_path)
    try:
        restore = run_cli("restore", "--from", str(backup), "--vault", str(vault_path))
        rekey = run_cli("rekey", "--vault", str(vault_path),
                        env_extra={"WORKSTATION_NEW_PASSPHRASE": NEW})
    finally:
        _release(holder)
    for result in (restore, rekey):
        assert result.returncode == 1, result.stderr
        assert "open in another program" in result.stderr
    assert _names(vault_path)  # still the old passphrase, still whole
    assert not [p for p in vault_path.parent.iterdir() if p.name.startswith(".")]


def test_rekey_changes_the_passphrase_and_nothing_else(vault_path: Path) -> None:
    before = _names(vault_path)
    result = run_cli("rekey", "--vault", str(vault_path),
                     env_extra={"WORKSTATION_NEW_PASSPHRASE": NEW})
    assert result.returncode == 0, result.stderr
    assert "opens only with the new passphrase" in result.stdout
    assert _names(vault_path, NEW) == before
    with pytest.raises(WrongPassphraseError):
        open_vault(vault_path, PASSPHRASE)
    assert run_cli("clients", "--vault", str(vault_path)).returncode == 3
    assert run_cli("verify", "--vault", str(vault_path), passphrase=NEW).returncode == 0
    vault = open_vault(vault_path, NEW)
    with vault.session() as s:
        assert s.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc())).first() \
            == "vault.rekey"
    vault.close()
    assert sorted(p.name for p in vault_path.parent.iterdir()) == [vault_path.name]


def test_rekey_takes_the_new_passphrase_from_a_file_and_keeps_the_creation_rule(
    vault_path: Path, tmp_path: Path
) -> None:
    before = digests(vault_path)
    short = run_cli("rekey", "--vault", str(vault_path),
                    env_extra={"WORKSTATION_NEW_PASSPHRASE": "short"})
    same = run_cli("rekey", "--vault", str(vault_path),
                   env_extra={"WORKSTATION_NEW_PASSPHRASE": PASSPHRASE})
    wrong = run_cli("rekey", "--vault", str(vault_path), passphrase="not the passphrase",
                    env_extra={"WORKSTATION_NEW_PASSPHRASE": NEW})
    missing = run_cli("rekey", "--vault", str(vault_path))
    assert (short.returncode, same.returncode, wrong.returncode, missing.returncode) == \
        (2, 2, 3, 2)
    assert "too short" in short.stderr and "same as the old" in same.stderr
    assert "WORKSTATION_NEW_PASSPHRASE" in missing.stderr
    assert digests(vault_path) == before
    secret = tmp_path / "new.txt"
    secret.write_text(f"{NEW}\nnot part of it\n")
    result = run_cli("rekey", "--vault", str(vault_path), "--new-passphrase-file", str(secret))
    assert result.returncode == 0, result.stderr
    assert _names(vault_path, NEW)


def test_export_writes_every_table_into_a_private_folder_with_a_warning(
    vault_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    result = run_cli("export", "--vault", str(vault_path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "NOT encrypted" in result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o600}
    document = json.loads((out / "practice.json").read_text("utf-8"))
    assert document["format"] == "integration-workstation-export"
    assert document["format_version"] == 1 and document["private_notes"] == "left out"
    # The format is described inside the folder (the file a source tree keeps in resources/;
    # an installed copy has no docs/ to send the reader to).
    described = (out / "export-format.md").read_text("utf-8")
    assert described == (Path(__file__).parents[2] / "resources" / "export-format.md"
                         ).read_text("utf-8")
    assert "practice.json" in described
    assert "export-format.md, beside this file" in (out / "README-NOT-ENCRYPTED.txt").read_text()
    vault = open_vault(vault_path, PASSPHRASE)
    with vault.session() as s:
        note_count = s.scalar(select(func.count(Note.id)))
    vault.close()
    assert len(document["tables"]["note"]) == note_count
    for table, rows in document["tables"].items():
        lines = (out / f"{table}.csv").read_text("utf-8").splitlines()
        assert document["files"][f"{table}.csv"]["rows"] == len(rows)
        assert lines[0].split(",")[0] in ("id", "version_num")
    contents = [n["content"] for n in document["tables"]["note"]]
    assert not any("private_notes" in c for c in contents)
    assert "Countertransference" not in (out / "note.csv").read_text("utf-8")


def test_private_process_notes_are_exported_only_when_asked(vault_path: Path,
                                                             tmp_path: Path) -> None:
    vault = open_vault(vault_path, PASSPHRASE)
    try:
        report = export_practice(vault, tmp_path / "full", include_private=True)
    finally:
        vault.close()
    assert report.private_notes_included
    document = json.loads((tmp_path / "full" / "practice.json").read_text("utf-8"))
    assert "Countertransference" in json.dumps(document["tables"]["note"])
    # The hash recipe in export-format.md, followed with nothing but the export.
    for note in document["tables"]["note"]:
        if note["status"] != "signed":
            continue
        material = {"template_id": note["template_id"],
                    "template_version": note["template_version"],
                    "content": {"client_id": note["client_id"],
                                "follows_dosing_session_id": note["dosing_session_id"],
                                "content": note["content"]}}
        canonical = json.dumps(material, sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False)
        assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == note["content_hash"]


def test_export_refuses_a_folder_that_is_not_empty(vault_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    result = run_cli("export", "--vault", str(vault_path), "--out", str(out))
    assert result.returncode == 1 and "not empty" in result.stderr
    assert [p.name for p in out.iterdir()] == ["mine.txt"]


def test_the_vault_in_a_synced_folder_is_warned_about(vault_path: Path) -> None:
    (vault_path.parent / ".stfolder").mkdir()
    result = run_cli("clients", "--vault", str(vault_path))
    assert result.returncode == 0
    assert "Syncthing keeps in sync" in result.stderr


def test_verify_of_the_functions_the_windows_call_reports_progress(vault_path: Path) -> None:
    seen: list[float] = []
    vault = open_vault(vault_path, PASSPHRASE)
    try:
        report = verify_vault(vault, progress=seen.append)
        backup_vault(vault, vault_path.parent / "b.iwbackup", progress=seen.append)
    finally:
        vault.close()
    assert report.ok
    assert seen[0] >= 0.0 and 1.0 in seen
    assert all(0.0 <= f <= 1.0 for f in seen)


def test_a_backup_clears_the_temporary_files_a_killed_backup_left(
    vault_path: Path, tmp_path: Path
) -> None:
    import os
    import time

    folder = tmp_path / "backups"
    folder.mkdir()
    abandoned = folder / ".practice-backup.partial-0badf00d"
    abandoned.write_bytes(b"\x00" * 4096)
    (folder / ".practice-backup.partial-0badf00d-journal").write_bytes(b"\x00" * 512)
    old = time.time() - 3600
    os.utime(abandoned, (old, old))
    recent = folder / ".practice-backup.partial-5eed5eed"  # perhaps a backup starting now
    recent.write_bytes(b"\x00" * 4096)
    vault = open_vault(vault_path, PASSPHRASE)
    try:
        report = backup_vault(vault, folder)
    finally:
        vault.close()
    assert sorted(p.name for p in folder.iterdir()) == sorted([recent.name, report.path.name])
