"""The IFS parts registry, relations between parts, status history and map snapshots."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import audit
from models.dto import PartDTO, PartRelationDTO
from models.entities import (
    Client,
    IfsPart,
    PartRelation,
    PartsMapSnapshot,
    PartStatusChange,
)
from models.errors import DomainError, NotFoundError, ValidationError
from models.inputs import PartInput, validate_part
from models.services import convert, search
from models.vocabulary import PART_RELATIONS


def create_part(
    session: Session, client_id: int, data: PartInput, *, today: dt.date,
    actor_id: int | None = None,
) -> PartDTO:
    if session.get(Client, client_id) is None:
        raise NotFoundError(f"Client #{client_id} does not exist in this vault.")
    problems = validate_part(data)
    if problems:
        raise ValidationError(problems)
    values = {f.name: getattr(data, f.name) for f in fields(PartInput)}
    values["name"] = data.name.strip()
    values["first_seen"] = data.first_seen or today
    row = IfsPart(client_id=client_id, **values)
    session.add(row)
    session.flush()
    search.index_part(session, row)
    audit.record(session, "part.create", entity="ifs_part", entity_id=row.id,
                 client_id=client_id, actor_id=actor_id)
    return convert.part(row)


def list_parts(session: Session, client_id: int) -> list[PartDTO]:
    rows = session.scalars(select(IfsPart).where(IfsPart.client_id == client_id)
                           .order_by(IfsPart.id))
    return [convert.part(r) for r in rows]


def add_relation(
    session: Session, client_id: int, kind: str, from_part_id: int, to_part_id: int,
    *, actor_id: int | None = None,
) -> PartRelationDTO:
    if kind not in PART_RELATIONS:
        raise ValidationError({"kind": "Choose protects, polarized or allied."})
    if from_part_id == to_part_id:
        raise ValidationError({"to_part_id": "A part cannot relate to itself."})
    for part_id in (from_part_id, to_part_id):
        part = session.get(IfsPart, part_id)
        if part is None or part.client_id != client_id:
            raise NotFoundError(f"Part #{part_id} is not one of this client's parts.")
    if kind != "protects":  # undirected: stored once, lower id first
        from_part_id, to_part_id = sorted((from_part_id, to_part_id))
    exists = session.scalars(select(PartRelation).where(
        PartRelation.kind == kind, PartRelation.from_part_id == from_part_id,
        PartRelation.to_part_id == to_part_id)).first()
    if exists is not None:
        raise DomainError("These two parts already have that relation.")
    row = PartRelation(client_id=client_id, kind=kind, from_part_id=from_part_id,
                       to_part_id=to_part_id)
    session.add(row)
    session.flush()
    audit.record(session, "part.relate", entity="part_relation", entity_id=row.id,
                 client_id=client_id, actor_id=actor_id, detail=f"kind={kind}")
    return convert.relation(row)


def change_status(
    session: Session, part: IfsPart, new_status: str, on: dt.date, *, note_id: int | None
) -> PartStatusChange:
    change = PartStatusChange(part_id=part.id, note_id=note_id, changed_on=on,
                              old_status=part.status, new_status=new_status)
    part.status = new_status
    session.add(change)
    return change


def map_content(session: Session, client_id: int) -> dict[str, Any]:
    """The parts map as plain data: parts with positions and status, and the relations."""
    parts = list_parts(session, client_id)
    relations = session.scalars(select(PartRelation).where(PartRelation.client_id == client_id)
                                .order_by(PartRelation.id))
    return {
        "parts": [
            {"id": p.id, "name": p.name, "type": p.part_type, "status": p.status,
             "trust_in_self": p.trust_in_self, "x": p.map_x, "y": p.map_y}
            for p in parts
        ],
        "relations": [
            {"kind": r.kind, "from": r.from_part_id, "to": r.to_part_id} for r in relations
        ],
    }


def take_snapshot(
    session: Session, client_id: int, on: dt.date, *, note_id: int | None
) -> PartsMapSnapshot:
    snapshot = PartsMapSnapshot(client_id=client_id, note_id=note_id, taken_on=on,
                                content=map_content(session, client_id))
    session.add(snapshot)
    return snapshot


def snapshot_on(session: Session, client_id: int, on: dt.date) -> dict[str, Any] | None:
    """The map as it stood on a date: the last snapshot taken on or before it."""
    row = session.scalars(
        select(PartsMapSnapshot)
        .where(PartsMapSnapshot.client_id == client_id, PartsMapSnapshot.taken_on <= on)
        .order_by(PartsMapSnapshot.taken_on.desc(), PartsMapSnapshot.id.desc())
    ).first()
    return dict(row.content) if row is not None else None
