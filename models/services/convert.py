"""Rows -> DTOs, in one place: the same function reads an ORM object or a Core result row."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from models import dto
from models.entities import (
    Addendum,
    Client,
    Clinician,
    Course,
    DosingSession,
    IfsPart,
    MeasureAdministration,
    Note,
    PartRelation,
    TargetMemory,
)

T = TypeVar("T")


def from_row(cls: type[T], row: Any, **given: Any) -> T:
    """Build a DTO from the attributes of a row whose names match its fields.

    Fields passed in `given` (child collections, derived flags) are taken as they are.
    """
    values = {name: getattr(row, name) for name in _field_names(cls) if name not in given}
    return cls(**values, **given)


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _field_names(cls: type[Any]) -> tuple[str, ...]:
    # dataclasses.fields() builds its tuple on every call; a chart reads hundreds of rows.
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def clinician(row: Clinician) -> dto.ClinicianDTO:
    return from_row(dto.ClinicianDTO, row)


def client_detail(row: Client) -> dto.ClientDetail:
    return from_row(dto.ClientDetail, row, status_history=tuple(
        from_row(dto.ClientStatusChangeDTO, c) for c in row.status_history))


def dosing_session(row: DosingSession) -> dto.DosingSessionDTO:
    return from_row(
        dto.DosingSessionDTO, row,
        locked=row.locked_by_note_id is not None,
        vitals=tuple(from_row(dto.VitalDTO, v) for v in row.vitals),
        boosters=tuple(from_row(dto.BoosterDTO, b) for b in row.boosters),
    )


def course(row: Course) -> dto.CourseDTO:
    return from_row(dto.CourseDTO, row,
                    dosing_sessions=tuple(dosing_session(d) for d in row.dosing_sessions))


def addendum(row: Addendum) -> dto.AddendumDTO:
    return from_row(dto.AddendumDTO, row)


def note(row: Note) -> dto.NoteDTO:
    return from_row(dto.NoteDTO, row, content=dict(row.content),
                    addenda=tuple(addendum(a) for a in row.addenda))


def target(row: TargetMemory) -> dto.TargetDTO:
    return from_row(
        dto.TargetDTO, row,
        ratings=tuple(from_row(dto.TargetRatingDTO, r) for r in row.ratings),
        history=tuple(from_row(dto.TargetDefinitionChangeDTO, h)
                      for h in row.definition_history),
    )


def part(row: IfsPart) -> dto.PartDTO:
    return from_row(dto.PartDTO, row)


def relation(row: PartRelation) -> dto.PartRelationDTO:
    return from_row(dto.PartRelationDTO, row)


def administration(row: MeasureAdministration) -> dto.AdministrationDTO:
    return from_row(dto.AdministrationDTO, row,
                    responses=tuple((r.item_number, r.value) for r in row.responses))
