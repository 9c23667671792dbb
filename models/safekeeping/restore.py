"""Restore: put a checked backup in the vault's place, keeping the current vault aside.

The backup is checked first (as `verify` would); a copy of it is made beside the vault and
checked again; every connection to the vault is closed and no other program may have it
open; the current vault and its -wal and -shm are renamed to a dated safety copy (nothing
is deleted, a stale -wal included); the copy takes the vault's name; and the restored
vault is opened and checked. Should a rename fail part way (a file held open, a full or
removed drive), what was renamed is put back: the vault is never left half moved.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from models.dto import RestoreReport
from models.entities import VaultInfo
from models.safekeeping import files, seal
from models.safekeeping.backup import BackupError, utcnow
from models.safekeeping.progress import Progress
from models.safekeeping.verify import verify_vault
from models.vault import (
    Vault,
    VaultBusyError,
    VaultDamagedError,
    VaultStorageError,
    copy_into,
    open_vault,
    open_with_key_of,
    table_counts,
)


def safety_copy_name(vault_path: Path, when: dt.datetime) -> Path:
    return vault_path.with_name(f"{vault_path.name}.before-restore-{when:%Y%m%dT%H%M%S%fZ}")


def restore_vault(backup: Path, vault_path: Path, passphrase: str, *,
                  current: Vault | None = None,
                  progress: Callable[[float], None] | None = None,
                  now: dt.datetime | None = None) -> RestoreReport:
    """Restore `backup` (opened with `passphrase`) to `vault_path`.

    `current` is the vault as this process has it open, if it does: it is closed first.
    Raises BackupError for a backup that does not check out, VaultBusyError when another
    program has the vault open; in both cases nothing was changed.
    """
    backup, vault_path = Path(backup), Path(vault_path)
    step = Progress(progress)
    when = now or utcnow()
    source = open_vault(backup, passphrase, read_only=True)
    try:
        if source.problems:
            raise BackupError(
                f"{backup.name} has problems ({source.problems[0]}); it was not restored and "
                "nothing was changed. Try an older backup."
            )
        report = verify_vault(source, progress=step.part(0.0, 0.3))
        if not report.ok:
            raise BackupError(
                f"{backup.name} did not pass its checks ({report.problems[0]}); it was not "
                "restored and nothing was changed. Try an older backup."
            )
        with source.snapshot() as session:
            taken_at = session.scalar(select(VaultInfo.last_backup_at).limit(1))
        if not vault_path.parent.is_dir() or not files.can_write(vault_path.parent):
            raise VaultStorageError(
                f"The folder for {vault_path.name} does not exist or cannot be written; "
                "nothing was changed."
            )
        with files.private_umask():
            files.remove_abandoned(vault_path, "restoring")
            temp = files.new_private_file(vault_path, "restoring")
        try:
            counts = copy_into(source, temp, progress=step.part(0.3, 0.7))
            _check(source, temp, counts)
            files.fsync_file(temp)
        except BaseException:
            files.remove_with_sidecars(temp)
            raise
    finally:
        source.close()
    step.to(0.8)
    try:
        if current is not None:
            current.close()
        if files.in_use(vault_path.resolve()):
            raise VaultBusyError(
                f"{vault_path.name} is open in another program (a workstation window?). "
                "Close it and run the restore again; nothing was changed."
            )
        safety, moved = _move_aside(vault_path.resolve(), when)
        try:
            files.place_new(temp, vault_path.resolve())
        except BaseException:
            _put_back(moved)
            raise
    except BaseException:
        files.remove_with_sidecars(temp)
        raise
    step.to(0.9)
    restored = open_vault(vault_path, passphrase)
    try:
        if restored.problems or restored.read_only:
            raise VaultDamagedError(
                f"The restored vault did not open cleanly ({restored.read_only_because}). The "
                f"vault as it was is kept as {safety.name if safety else 'nothing'}."
            )
        events = restored_events(restored)
    finally:
        restored.close()
    step.to(1.0)
    return RestoreReport(path=vault_path, backup=backup, safety_copy=safety,
                         backup_taken_at=taken_at, audit_events=events)


def restored_events(vault: Vault) -> int:
    with vault.snapshot() as session:
        return int(session.scalar(select(VaultInfo.audit_events).limit(1)) or 0)


def _check(source: Vault, copy_path: Path, counts: dict[str, int]) -> None:
    copy = open_with_key_of(source, copy_path)
    try:
        problems = seal.page_problems(copy)
        if table_counts(copy) != counts:
            problems.append("the copy's row counts differ from the backup's")
    finally:
        copy.close()
    if problems:
        raise BackupError(
            f"The copy of the backup did not check out ({problems[0]}); nothing was changed."
        )


Moves = list[tuple[Path, Path]]  # (where a file was, where it went)


def _move_aside(vault_path: Path, when: dt.datetime) -> tuple[Path | None, Moves]:
    """Rename the vault, its -wal and its -shm to a dated safety copy; a stale -wal or -shm
    with no vault goes along too. Returns the safety copy's path (None if nothing was
    there) and the renames made. When one fails, those made are undone."""
    present = [f for f in (vault_path, *files.sidecars(vault_path)) if f.exists()]
    if not present:
        return None, []
    safety = safety_copy_name(vault_path, when)
    moved: Moves = []
    try:
        for f in present:
            aside = safety.with_name(safety.name + f.name[len(vault_path.name):])
            os.rename(f, aside)
            moved.append((f, aside))
    except OSError as exc:
        _put_back(moved)
        raise VaultStorageError(
            f"{vault_path.name} could not be moved aside ({exc.strerror}); check the folder's "
            "permissions. Nothing was changed."
        ) from None
    files.fsync_folder(vault_path.parent)
    return safety, moved


def _put_back(moved: Moves) -> None:
    """Undo renames, the last first, so the vault and its -wal are together again."""
    for original, aside in reversed(moved):
        os.rename(aside, original)
    if moved:
        files.fsync_folder(moved[0][0].parent)
