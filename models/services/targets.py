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
    IfsPart,
    TargetDefinitionChange,
    TargetMemory,
)
from models.errors import NotFoundError, ValidationError
from models.inputs import TargetInput, target_status_problem, validate_target
from models.services import convert, search
from models.services.rows import insert_rows, write_changes, write_new
from models.vocabulary import TARGET_FIELDS

# The parts of a target's definition whose every change is kept with its date: all of it.
DEFINITION_FIELDS = TARGET_FIELDS.codes


def _load(session: Session, target_id: int) -> TargetMemory:
    row = session.get(TargetMemory, target_id)
    if row is None:
        raise NotFoundError(f"Target #{target_id} does not exist in this vault.")
    return row


def _check_part(session: Session, client_id: int, part_id: int | None,
                current: int | None = None) -> None:
    """A target is carried by one of the same client's parts that is on the map."""
    if part_id is None or part_id == current:
        return
    part = session.get(IfsPart, part_id)
    if part is None or part.client_id != client_id:
        raise ValidationError({"part_id": "That part is not in this client's parts "
                                          "registry; choose another."})
    if part.removed_at is not None:
        raise ValidationError({"part_id": "That part has been taken off the parts map; "
                                          "put it back on the map first."})


def create_target(
    session: Session, client_id: int, data: TargetInput, *, today: dt.date,
    actor_id: int | None = None,
) -> TargetDTO:
    if session.get(Client, client_id) is None:
        raise NotFoundError(f"Client #{client_id} does not exist in this vault.")
    problems = validate_target(data)
    if problems:
        raise ValidationError(problems)
    _check_part(session, client_id, data.part_id)
    values = {f.name: getattr(data, f.name) for f in fields(TargetInput)}
    values["label"] = data.label.strip()
    values["identified_on"] = data.identified_on or today
    row = TargetMemory(client_id=client_id, ratings=[], definition_history=[], **values)
    write_new(session, row)
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
    """Apply changes to a target's definition and keep each one, dated, in its history.

    The target and its history are written as plain statements (models.services.rows),
    the history read afresh when next asked for: signing files a change for many notes.
    """
    changed: dict[str, object] = {}
    history = []
    for name, value in changes.items():
        if name not in DEFINITION_FIELDS:
            raise ValueError(f"{name} is not part of a target's definition")
        old = getattr(row, name)
        if old == value:
            continue
        changed[name] = value
        history.append({"target_id": row.id, "field": name,
                        "old_value": None if old is None else str(old),
                        "new_value": None if value is None else str(value),
                        "note_id": note_id})
    if changed:
        write_changes(session, row, changed)
        insert_rows(session, TargetDefinitionChange, history)
        session.expire(row, ["definition_history"])
        if not set(changed).isdisjoint(search.TARGET_FIELDS):
            search.index_target(session, row)
        audit.record(session, "target.update", entity="target_memory", entity_id=row.id,
                     client_id=row.client_id, actor_id=actor_id,
                     detail="fields=" + ",".join(changed))
    return list(changed)


def update_target(
    session: Session, target_id: int, data: TargetInput, *, actor_id: int | None = None
) -> TargetDTO:
    """Edit a target by hand: each changed field goes into its dated history."""
    row = _load(session, target_id)
    problems = validate_target(data)
    if problems:
        raise ValidationError(problems)
    _check_part(session, row.client_id, data.part_id, row.part_id)
    changes = {name: getattr(data, name) for name in DEFINITION_FIELDS}
    changes["label"] = data.label.strip()
    if data.identified_on is None:  # not given: the date stays
        del changes["identified_on"]
    change_definition(session, row, changes, actor_id=actor_id)
    session.flush()
    return convert.target(row)


def set_status(
    session: Session, target_id: int, status: str, *, actor_id: int | None = None
) -> TargetDTO:
    """The therapist moves a target to a status (kept in its history, by hand)."""
    row = _load(session, target_id)
    problem = target_status_problem(status)
    if problem:
        raise ValidationError({"status": problem})
    change_definition(session, row, {"status": status}, actor_id=actor_id)
    return convert.target(row)


def link_part(
    session: Session, target_id: int, part_id: int | None, *, actor_id: int | None = None
) -> TargetDTO:
    """Say which IFS part carries the target (None: no part)."""
    row = _load(session, target_id)
    _check_part(session, row.client_id, part_id, row.part_id)
    change_definition(session, row, {"part_id": part_id}, actor_id=actor_id)
    return convert.target(row)


def get_target(session: Session, target_id: int) -> TargetDTO:
    return convert.target(_load(session, target_id))


def list_targets(session: Session, client_id: int) -> list[TargetDTO]:
    rows = session.scalars(
        select(TargetMemory)
        .where(TargetMemory.client_id == client_id)
        .order_by(TargetMemory.identified_on, TargetMemory.id)
    )
    return [convert.target(r) for r in rows]
