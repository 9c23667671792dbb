"""Change the passphrase: a re-encrypted copy takes the vault's place in one rename.

The vault is copied page by page under a key derived from the new passphrase and a fresh
salt, with every other writer held off; the copy is opened with the new passphrase,
records the change in its audit log and is checked; then, with no other program holding
the vault open, it replaces the vault atomically. Whenever it is interrupted, the vault
opens with exactly one of the two passphrases, and holds everything.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from models import audit
from models.dto import RekeyReport
from models.inputs import passphrase_problem
from models.safekeeping import files, seal
from models.safekeeping.progress import Progress
from models.services import clinicians
from models.vault import (
    PassphraseError,
    Vault,
    VaultBusyError,
    VaultDamagedError,
    VaultReadOnlyError,
    copy_into,
    open_vault,
    table_counts,
)


def change_passphrase(path: Path, old: str, new: str, *, current: Vault | None = None,
                      progress: Callable[[float], None] | None = None) -> RekeyReport:
    """Re-encrypt the vault at `path` from `old` to `new` (which must meet the same rule
    as at creation). `current` is the vault as this process has it open, if it does: it
    is closed before the file is replaced. Raises WrongPassphraseError for a wrong `old`,
    PassphraseError for an unsuitable `new`, VaultReadOnlyError and VaultBusyError when
    the vault cannot be replaced now; in every case the vault is unchanged."""
    path = Path(path)
    problem = passphrase_problem(new)
    if problem is not None:
        raise PassphraseError(problem)
    if new == old:
        raise PassphraseError("The new passphrase is the same as the old one; choose another.")
    step = Progress(progress)
    vault = open_vault(path, old)
    try:
        if vault.read_only:
            raise VaultReadOnlyError(
                f"The passphrase of {vault.name} cannot be changed now: it is open read-only "
                f"({vault.read_only_because}). Nothing was changed."
            )
        step.to(0.05)
        with files.private_umask():
            files.remove_abandoned(path.resolve(), "rekey")
            temp = files.new_private_file(path.resolve(), "rekey")
        try:
            # No other program may write from the copy until the lock is let go just
            # before the rename: a write made meanwhile would be lost with the old file.
            with vault.holding_writers():
                counts = copy_into(vault, temp, new_passphrase=new,
                                   progress=step.part(0.05, 0.6))
                _seal_copy(temp, new, counts, progress=step.part(0.6, 0.9))
                files.fsync_file(temp)
            vault.close()
            if current is not None:
                current.close()
            if files.in_use(path.resolve()):
                raise VaultBusyError(
                    f"{path.name} is open in another program (a workstation window?). Close "
                    "it and change the passphrase again; nothing was changed."
                )
            files.replace(temp, path.resolve())
        except BaseException:
            files.remove_with_sidecars(temp)
            raise
    finally:
        vault.close()
    step.to(1.0)
    return RekeyReport(path=path, tables=len(counts), rows=sum(counts.values()))


def _seal_copy(temp: Path, new: str, counts: dict[str, int],
               progress: Callable[[float], None]) -> None:
    """Open the copy with the new passphrase, record the change, check it."""
    copy = open_vault(temp, new)
    try:
        if copy.problems:
            raise VaultDamagedError(
                f"The re-encrypted copy did not check out ({copy.problems[0]}); the vault "
                "was not changed."
            )
        progress(0.4)
        with copy.transaction() as session:
            audit.record(session, "vault.rekey", actor_id=clinicians.owner_id(session))
        copied = table_counts(copy)
        expected = {**counts, "audit_event": counts.get("audit_event", 0) + 1}
        if copied != expected:
            raise VaultDamagedError(
                "The re-encrypted copy's row counts differ from the vault's; the vault was "
                "not changed."
            )
        with copy.snapshot() as session:
            problems = seal.tamper_problems(session, figures=False)
        if problems:
            raise VaultDamagedError(
                f"The re-encrypted copy did not check out ({problems[0]}); the vault was "
                "not changed."
            )
    finally:
        copy.close()
    progress(1.0)
