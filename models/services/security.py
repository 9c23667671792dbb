"""Audit events for unlocking and locking the vault (counts and times only)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import audit


def record_unlock(session: Session, *, actor_id: int | None, failed_attempts: int = 0) -> None:
    """Log an unlock; failed attempts before it are logged now, since a wrong passphrase
    cannot write to the vault it failed to open."""
    if failed_attempts:
        audit.record(session, "vault.unlock_failed", actor_id=actor_id,
                     detail=f"attempts={failed_attempts}")
    audit.record(session, "vault.unlock", actor_id=actor_id)


def record_lock(session: Session, *, actor_id: int | None, reason: str) -> None:
    """reason is a code: 'idle', 'manual' or 'quit'."""
    audit.record(session, "vault.lock", actor_id=actor_id, detail=f"reason={reason}")
