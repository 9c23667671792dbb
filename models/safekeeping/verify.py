"""Verify: every check there is on a vault, in one report a person can read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError

from models import audit
from models.dto import VerifyReport
from models.entities import GENESIS_HASH, AuditEvent, VaultInfo
from models.safekeeping import seal
from models.safekeeping.progress import Progress
from models.vault import Vault, VaultError, integrity_check, is_damage, open_with_key_of

PAGE_CHECK = "SQLCipher cipher_integrity_check (HMAC of every page)"


def verify_vault(vault: Vault, *, backup: Path | None = None,
                 progress: Callable[[float], None] | None = None) -> VerifyReport:
    """Pages, SQLite's own checks, the locks, the audit chain and its anchor, and the whole
    signed record; with `backup`, also that the audit log continues the one in that
    backup (which sees newest events cut off even when the header row was edited too)."""
    step = Progress(progress)
    checks: list[str] = []
    problems: list[str] = []
    page_problems = seal.page_problems(vault)
    checks.append(PAGE_CHECK)
    problems.extend(page_problems)
    step.to(0.15)
    sqlite = integrity_check(vault, pages=False)
    checks.extend(sqlite.checks)
    problems.extend(sqlite.problems)
    step.to(0.45)
    events = 0
    last_backup_at = None
    try:
        with vault.snapshot() as session:
            checks.append("immutability triggers (all present, none changed or added)")
            problems.extend(seal.trigger_problems(session))
            chain = audit.verify_chain(session)
            events = chain.events
            checks.append(f"audit chain ({chain.events} events) and its anchor in the header")
            if not chain.ok:
                problems.append(f"audit chain: {chain.problem}")
            problems.extend(seal.anchor_problems(session))
            step.to(0.55)
            checks.append("every signed note's and addendum's hash, and every signing the "
                          "audit log recorded")
            checks.append("dosing records, vitals, boosters, ratings and histories that "
                          "signed notes filed")
            problems.extend(seal.signed_record_problems(session))
            last_backup_at = session.scalar(select(VaultInfo.last_backup_at).limit(1))
    except SQLAlchemyDatabaseError as exc:
        if not is_damage(exc):
            raise
        problems.append("part of the vault could not be read for the record checks: damaged")
    step.to(0.9)
    if backup is not None:
        checks.append(f"the audit log continues the one in {backup.name}")
        problems.extend(chain_against_backup(vault, backup))
    step.to(1.0)
    return VerifyReport(tuple(checks), tuple(problems), events, last_backup_at)


def chain_against_backup(vault: Vault, backup: Path) -> list[str]:
    """The backup keeps the chain's count and newest hash as they were; the vault's chain
    must hold that very event at that place (and be at least as long)."""
    try:
        copy = open_with_key_of(vault, backup)
    except VaultError as exc:
        return [f"the backup could not be compared: {exc}"]
    try:
        with copy.snapshot() as session:
            header = session.execute(select(VaultInfo.vault_uuid, VaultInfo.audit_events,
                                            VaultInfo.audit_head).limit(1)).first()
    finally:
        copy.close()
    if header is None:
        return [f"{backup.name} has no header row to compare with"]
    with vault.snapshot() as session:
        uuid = session.scalar(select(VaultInfo.vault_uuid).limit(1))
        if uuid != header.vault_uuid:
            return [f"{backup.name} is a backup of another vault; nothing was compared"]
        count = session.scalar(select(func.count(AuditEvent.id))) or 0
        at_backup = GENESIS_HASH if header.audit_events == 0 else session.scalar(
            select(AuditEvent.hash).order_by(AuditEvent.id)
            .offset(header.audit_events - 1).limit(1))
    if count < header.audit_events:
        return [f"audit log: it holds {count} events but its backup {backup.name} already "
                f"held {header.audit_events}: events were removed"]
    if at_backup != header.audit_head:
        return [f"audit log: it does not continue the log in {backup.name}; events the "
                "backup holds were changed or removed"]
    return []
