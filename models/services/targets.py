"""The EMDR/ART target registry: targets, their definition history and SUD/VoC ratings."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import audit
from models.dto import TargetDTO
from models.entities import (
    Client,
    TargetDefinitionChange,
    TargetMemory,
)
from models.errors import NotFoundError, ValidationError
from models.inputs import TargetInput, validate_target
from models.services import convert, search

# The parts of a target's definition whose every change is kept with its date.
DEFINITION_FIELDS = (
    "label", "prong", "touchstone", "found_by", "image", "negative_cognition",
    "positive_cognition", "emotions", "body_location", "status", "part_id",
)


def _load(session: Session, target_id: int) -> TargetMemory:
    row = session.get(TargetMemory, target_id)
    if row is None:
        raise NotFoundError(f"Target #{target_id} does not exist in this vault.")
    return row


def create_target(
    session: Session, client_id: int, data: TargetInput, *, today: dt.date,
    actor_id: int | None = None,
) -> TargetDTO:
    if session.get(Client, client_id) is None:
        raise NotFoundError(f"Client #{client_id} does not exist in this vault.")
    problems = validate_target(data)
    if problems:
        raise ValidationError(problems)
    values = {f.name: getattr(data, f.name) for f in fields(TargetInput)}
    values["identified_on"] = data.identified_on or today
    row = TargetMemory(client_id=client_id, ratings=[], definition_history=[], **values)
    session.add(row)
    session.flush()
    search.index_target(session, row)
    audit.record(session, "target.create", entity="target_memory", entity_id=row.id,
                 client_id=client_id, actor_id=actor_id)
    return convert.target(row)


def change_definition(
    session: Session,
    row: TargetMemory,
    changes: dict[str, object],
    *,
    note_id: int | None = None,
    actor_id: int | None = None,
) -> list[str]:
    """Apply changes to a target's definition and keep each one, dated, in its history."""
    changed = []
    for name, value in changes.items():
        if name not in DEFINITION_FIELDS:
            raise ValueError(f"{name} is not part of a target's definition")
        old = getattr(row, name)
        if old == value:
            continue
        setattr(row, name, value)
        row.definition_history.append(TargetDefinitionChange(
            field=name,
            old_value=None if old is None else str(old),
            new_value=None if value is None else str(value),
            note_id=note_id,
        ))
        changed.append(name)
    if changed:
        session.flush()
        if not set(changed).isdisjoint(search.TARGET_FIELDS):
            search.index_target(session, row)
        audit.record(session, "target.update", entity="target_memory", entity_id=row.id,
                     client_id=row.client_id, actor_id=actor_id,
                     detail="fields=" + ",".join(changed))
    return changed


def update_target(
    session: Session, target_id: int, data: TargetInput, *, actor_id: int | None = None
) -> TargetDTO:
    row = _load(session, target_id)
    problems = validate_target(data)
    if problems:
        raise ValidationError(problems)
    change_definition(session, row, {name: getattr(data, name) for name in DEFINITION_FIELDS},
                      actor_id=actor_id)
    row.baseline_sud, row.baseline_voc = data.baseline_sud, data.baseline_voc
    session.flush()
    return convert.target(row)


def list_targets(session: Session, client_id: int) -> list[TargetDTO]:
    rows = session.scalars(
        select(TargetMemory)
        .where(TargetMemory.client_id == client_id)
        .order_by(TargetMemory.identified_on, TargetMemory.id)
    )
    return [convert.target(r) for r in rows]
