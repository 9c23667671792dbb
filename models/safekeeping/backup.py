"""Backup: an encrypted copy made from the live vault, checked before it takes its name.

The copy is written under a hidden temporary name beside its destination, opened and
checked (every page's HMAC, SQLite's integrity check, the row count of every table, the
locks and the signed record), and only then renamed into place, 0600. A backup made into
a folder gets a dated name, and the oldest such backups beyond `keep` are removed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import select, update

from models import audit
from models.dto import BackupReport
from models.entities import VaultInfo
from models.safekeeping import files, seal
from models.safekeeping.progress import Progress
from models.services import clinicians
from models.vault import (
    Vault,
    VaultBusyError,
    VaultDamagedError,
    VaultError,
    VaultExistsError,
    VaultNotFoundError,
    VaultStorageError,
    as_vault_error,
    copy_into,
    integrity_check,
    open_with_key_of,
    table_counts,
)

BACKUP_SUFFIX = ".iwbackup"
# The reminder appears when the last backup is older than this.
REMINDER_AFTER = dt.timedelta(days=7)
# How many dated backups a folder keeps when no other number is set.
DEFAULT_KEEP = 10
_STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"^(?P<stem>.+)-backup-(?P<stamp>\d{8}T\d{12}Z)" + re.escape(BACKUP_SUFFIX)
                   + "$")


class BackupError(VaultError):
    """A backup was refused or its copy did not check out; nothing took the backup's name."""

    exit_code = 4


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def backup_name(vault_name: str, taken_at: dt.datetime) -> str:
    """`practice-backup-20261130T021500123456Z.iwbackup` for practice.iwvault."""
    return f"{Path(vault_name).stem}-backup-{taken_at.strftime(_STAMP)}{BACKUP_SUFFIX}"


def backup_time(name: str, vault_name: str) -> dt.datetime | None:
    """When a dated backup of this vault was taken, from its name; None for any other."""
    match = _NAME.match(name)
    if match is None or match["stem"] != Path(vault_name).stem:
        return None
    try:
        return dt.datetime.strptime(match["stamp"], _STAMP)
    except ValueError:
        return None


def backups_to_prune(names: Iterable[str], vault_name: str, keep: int) -> list[str]:
    """The dated backups of this vault beyond the newest `keep` (at least one is kept);
    files of any other name are never chosen."""
    dated = sorted(((when, name) for name in names
                    if (when := backup_time(name, vault_name)) is not None), reverse=True)
    return [name for _when, name in dated[max(1, keep):]]


def prune_backups(folder: Path, vault_name: str, keep: int) -> tuple[Path, ...]:
    """Remove the oldest dated backups of this vault in `folder` beyond `keep`."""
    removed = []
    for name in backups_to_prune((p.name for p in folder.iterdir()), vault_name, keep):
        path = folder / name
        try:
            files.remove_with_sidecars(path)
        except OSError:
            continue
        removed.append(path)
    return tuple(removed)


def backup_due(last_backup_at: dt.datetime | None, now: dt.datetime, *,
               after: dt.timedelta = REMINDER_AFTER) -> bool:
    """Whether to remind: never backed up, or the last backup is older than `after`."""
    return last_backup_at is None or now - last_backup_at > after


def last_backup_at(vault: Vault) -> dt.datetime | None:
    """When the last backup of this vault was made (UTC), from its header row."""
    with vault.session() as session:
        return session.scalar(select(VaultInfo.last_backup_at).order_by(VaultInfo.id).limit(1))


def _destination(vault: Vault, out: Path, taken_at: dt.datetime) -> tuple[Path, Path, bool]:
    """(final path, the name its temporary file is made from, whether out is a folder)."""
    if out.is_dir():
        return (out / backup_name(vault.name, taken_at),
                out / f"{Path(vault.name).stem}-backup", True)
    if out.exists() or out.is_symlink():
        raise VaultExistsError(
            f"{out.name} already exists. Choose a new file name, or give a folder to have "
            "a dated name chosen (and older backups there pruned)."
        )
    if not out.parent.is_dir():
        raise VaultNotFoundError(
            f"The folder for {out.name} does not exist. Choose an existing folder."
        )
    return out, out, False


def backup_vault(vault: Vault, out: Path, *, keep: int | None = None,
                 progress: Callable[[float], None] | None = None,
                 now: dt.datetime | None = None) -> BackupReport:
    """Back the vault up into `out`: a new file, or a folder (dated name, then the oldest
    dated backups beyond `keep` are removed; `keep` None means DEFAULT_KEEP).

    Refused for a vault whose opening checks found damage or tampering: a copy of it
    would be no backup, and pruning could push the good ones out.
    """
    if vault.problems:
        raise BackupError(
            f"{vault.name} has problems (run 'workstation verify'), so no backup was made: "
            "it would copy them, and could push good backups out. Your earlier backups "
            "are untouched."
        )
    step = Progress(progress)
    taken_at = now or utcnow()
    out = Path(out)
    final, anchor, into_folder = _destination(vault, out, taken_at)
    if final.resolve() == vault.path.resolve():
        raise VaultExistsError("The backup cannot take the vault's own place; choose another.")
    if not files.can_write(final.parent):
        raise VaultStorageError(
            f"Cannot write the backup: the folder {final.parent} cannot be written. Choose "
            "another place."
        )
    with files.private_umask():
        files.remove_abandoned(anchor, "partial")
        try:
            temp = files.new_private_file(anchor, "partial")
        except OSError as exc:
            raise _storage(final, exc) from None
    try:
        counts = copy_into(vault, temp, stamp_backup_at=taken_at, progress=step.part(0, 0.7))
        _check_copy(vault, temp, counts, progress=step.part(0.7, 0.95))
        files.fsync_file(temp)
        try:
            files.place_new(temp, final)
        except FileExistsError:
            raise VaultExistsError(
                f"{final.name} appeared while the backup was made; nothing was replaced. "
                "Run the backup again."
            ) from None
    except BaseException as exc:
        files.remove_with_sidecars(temp)
        if isinstance(exc, OSError):
            raise _storage(final, exc) from None
        translated = as_vault_error(exc, vault.path) if isinstance(exc, Exception) else None
        if translated is not None and translated is not exc:
            raise translated from None
        raise
    recorded, note = _record(vault, taken_at)
    pruned: tuple[Path, ...] = ()
    if into_folder:
        pruned = prune_backups(final.parent, vault.name, DEFAULT_KEEP if keep is None else keep)
    step.to(1.0)
    return BackupReport(path=final, taken_at=taken_at, size_bytes=final.stat().st_size,
                        tables=len(counts), rows=sum(counts.values()), recorded=recorded,
                        pruned=pruned, note=note)


def _storage(path: Path, exc: OSError) -> VaultStorageError:
    reason = exc.strerror or type(exc).__name__
    return VaultStorageError(
        f"The backup {path.name} could not be written ({reason}). Nothing took its name; "
        "check the disk and the folder, and try again."
    )


def _check_copy(vault: Vault, copy_path: Path, counts: dict[str, int],
                progress: Callable[[float], None]) -> None:
    """Open the copy as a vault and check it as `verify` would, and its row counts."""
    copy = open_with_key_of(vault, copy_path)
    try:
        problems = seal.page_problems(copy)
        progress(0.3)
        problems += list(integrity_check(copy, pages=False).problems)
        progress(0.8)
        with copy.snapshot() as session:
            problems += seal.tamper_problems(session, figures=False)
        copied = table_counts(copy)
    finally:
        copy.close()
    if copied != counts:
        differ = sorted(t for t in set(copied) | set(counts) if copied.get(t) != counts.get(t))
        problems.append(f"the copy's row counts differ from the vault's in {', '.join(differ)}")
    if problems:
        raise VaultDamagedError(
            "The backup copy did not check out, so it was removed and nothing took the "
            f"backup's name: {problems[0]}. Run 'workstation verify' on the vault."
        )
    progress(1.0)


def _record(vault: Vault, taken_at: dt.datetime) -> tuple[bool, str]:
    """Remember the backup in the vault's header row, and in the audit log."""
    if vault.read_only:
        return False, (f"the vault is open read-only ({vault.read_only_because}), "
                       "so this backup could not be recorded as its last one (the backup "
                       "itself is complete)")
    try:
        with vault.transaction() as session:
            session.execute(update(VaultInfo).values(last_backup_at=taken_at)
                            .execution_options(synchronize_session=False))
            audit.record(session, "vault.backup", actor_id=clinicians.owner_id(session))
    except Exception as exc:
        translated = as_vault_error(exc, vault.path)
        if translated is None:
            raise
        if isinstance(translated, VaultBusyError):
            return False, ("the vault was busy, so this backup could not be recorded as its "
                           "last one (the backup itself is complete)")
        return False, f"this backup could not be recorded as the last one: {translated}"
    return True, ""
