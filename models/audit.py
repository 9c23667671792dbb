"""The hash-chained, append-only audit log: who did what to which record, never clinical text."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from models.batching import SessionBatch
from models.dto import AuditEventDTO, ChainReport
from models.entities import GENESIS_HASH, AuditEvent, VaultInfo


def _event_hash(
    prev_hash: str,
    occurred_at: str,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    client_id: int | None,
    detail: str,
) -> str:
    fields = [prev_hash, occurred_at, actor_id, action, entity, entity_id, client_id, detail]
    material = "\x1f".join("" if f is None else str(f) for f in fields)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


# session.info key: the chain's last hash as this transaction left it. Within one write
# transaction no other connection can append (SQLite has one writer), so the head need
# not be read again for every event a unit of work records.
_HEAD = "audit_chain_head"
# One statement, compiled once: an event is a plain row, no ORM object is needed.
_INSERT = insert(AuditEvent.metadata.tables["audit_event"])
_HEADER = VaultInfo.metadata.tables["vault_info"]
_COUNT = update(_HEADER).values(audit_events=_HEADER.c.audit_events + bindparam("added"))
_ANCHOR = update(_HEADER).values(audit_head=bindparam("head"))


def _chain_head(session: Session) -> str:
    transaction = session.get_transaction()
    cached = session.info.get(_HEAD)
    if cached is not None and cached[0] is transaction:
        head: str = cached[1]
        return head
    last = session.execute(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    return last if last is not None else GENESIS_HASH


def record(
    session: Session,
    action: str,
    *,
    entity: str = "",
    entity_id: int | None = None,
    client_id: int | None = None,
    actor_id: int | None = None,
    detail: str = "",
) -> None:
    """Append one event to the chain inside the caller's transaction.

    `detail` is for ids, counts and codes only; callers never pass names or clinical text.
    Inside `batched`, the event is kept (with the time it happened) and written with the
    others of the block.
    """
    event = {
        "occurred_at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id, "action": action, "entity": entity, "entity_id": entity_id,
        "client_id": client_id, "detail": detail,
    }
    _BATCH.add(session, event)


def _append(session: Session, events: list[dict[str, Any]]) -> None:
    """Link the events to the chain's head and write them, with the header's anchor.

    The newest hash is read only once this transaction holds the write lock (taken by the
    header row's update): two processes appending at once would otherwise both link to
    the same event and fork the chain.
    """
    connection = session.connection()
    connection.execute(_COUNT, {"added": len(events)})
    head = _chain_head(session)
    for event in events:
        event["prev_hash"] = head
        head = event["hash"] = _event_hash(
            head, event["occurred_at"], event["actor_id"], event["action"], event["entity"],
            event["entity_id"], event["client_id"], event["detail"])
    connection.execute(_INSERT, events)
    # The anchor: the count and the newest hash in the header row, so cutting off the
    # newest events is seen (models.audit.check_anchor).
    connection.execute(_ANCHOR, {"head": head})
    session.info[_HEAD] = (session.get_transaction(), head)


# A large unit of work (a demo practice, an import) records its events together:
# `with audit.batched(session): ...`. Each event keeps its own time and its place in the
# chain; reading the log inside the block writes the pending ones first (write_pending).
_BATCH: SessionBatch[dict[str, Any]] = SessionBatch("audit_pending", _append)
batched = _BATCH.batched
write_pending = _BATCH.write_pending


# What `record` keeps of an event; the chain adds its links.
_RECORDED = ("occurred_at", "actor_id", "action", "entity", "entity_id", "client_id", "detail")


def carry_over(session: Session, events: Sequence[Mapping[str, Any]]) -> None:
    """Append events recorded in another vault (a shard of the demo practice, built in a
    second process: models.demo_shards), each with the time it happened, linked to this
    chain's head as if recorded here."""
    write_pending(session)
    if events:
        _append(session, [{name: event[name] for name in _RECORDED} for event in events])


def verify_chain(session: Session, since: ChainReport | None = None) -> ChainReport:
    """Walk the log in order; report the first event whose link or content does not hold.

    `since`: a report of this chain that held, made earlier in the same session with the
    vault: the walk goes on from the newest event it covered (the events after it), as a
    window that shows the trail again after each write does. A full walk needs no `since`
    (`workstation verify`, a report, the first read)."""
    write_pending(session)
    prev_hash, count, after = GENESIS_HASH, 0, 0
    if since is not None and since.ok and since.head_id is not None:
        prev_hash, count, after = since.head_hash, since.events, since.head_id
    head_id = since.head_id if since is not None and since.ok else None
    rows = session.execute(
        select(
            AuditEvent.id,
            AuditEvent.occurred_at,
            AuditEvent.actor_id,
            AuditEvent.action,
            AuditEvent.entity,
            AuditEvent.entity_id,
            AuditEvent.client_id,
            AuditEvent.detail,
            AuditEvent.prev_hash,
            AuditEvent.hash,
        ).where(AuditEvent.id > after).order_by(AuditEvent.id)
    )
    for (row_id, occurred_at, actor_id, action, entity, entity_id, client_id, detail,
         row_prev, row_hash) in rows:
        count += 1
        if row_prev != prev_hash:
            return ChainReport(
                count, row_id, f"event {row_id} does not link to the event before it"
            )
        expected = _event_hash(row_prev, occurred_at, actor_id, action, entity, entity_id,
                               client_id, detail)
        if expected != row_hash:
            return ChainReport(count, row_id, f"event {row_id} was altered after it was written")
        prev_hash, head_id = row_hash, row_id
    return ChainReport(count, None, head_id=head_id, head_hash=prev_hash)


def events(
    session: Session, *, client_id: int | None = None, action_prefix: str = ""
) -> list[AuditEventDTO]:
    """The audit trail, oldest first: every event, or one client's, or one kind's."""
    write_pending(session)
    query = select(AuditEvent).order_by(AuditEvent.id)
    if client_id is not None:
        query = query.where(AuditEvent.client_id == client_id)
    if action_prefix:
        query = query.where(AuditEvent.action.startswith(action_prefix, autoescape=True))
    return [AuditEventDTO(e.id, e.occurred_at, e.actor_id, e.action, e.entity, e.entity_id,
                          e.client_id, e.detail) for e in session.scalars(query)]


@dataclass(frozen=True)
class AnchorReport:
    """Whether the chain still reaches the count and newest hash kept in the header row."""

    events: int
    anchored_events: int | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def check_anchor(session: Session) -> AnchorReport:
    """Compare the log with its anchor in the header row (cheap: a count and one hash)."""
    write_pending(session)
    count = session.scalar(select(func.count(AuditEvent.id))) or 0
    head = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    anchor = session.execute(select(VaultInfo.audit_events, VaultInfo.audit_head)
                             .order_by(VaultInfo.id).limit(1)).first()
    if anchor is None:
        return AnchorReport(count, None, "the vault's header row is missing")
    expected_events, expected_head = anchor
    if count < expected_events:
        return AnchorReport(count, expected_events,
                            f"the audit log holds {count} events but {expected_events} "
                            "were recorded: its newest events were removed")
    if count > expected_events:
        return AnchorReport(count, expected_events,
                            f"the audit log holds {count} events but only {expected_events} "
                            "were recorded through the application")
    if (head or GENESIS_HASH) != expected_head:
        return AnchorReport(count, expected_events,
                            "the newest audit event is not the one the header row anchors")
    return AnchorReport(count, expected_events)
