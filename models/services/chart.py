"""Load one client's whole record as a ClientChart DTO.

Column queries build the DTOs directly: a long record is thousands of rows (every item
answer of every measure), and going through ORM objects would cost ten times as much.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import dto
from models.entities import (
    Addendum,
    Client,
    Course,
    DosingBooster,
    DosingSession,
    DosingVital,
    IfsPart,
    ItemResponse,
    MeasureAdministration,
    Note,
    PartRelation,
    PartStatusChange,
    SelfEnergyRating,
    TargetDefinitionChange,
    TargetMemory,
    TargetRating,
)
from models.errors import NotFoundError
from models.services import convert
from models.services.convert import from_row


def _rows(session: Session, *columns: Any, where: Any, order: tuple[Any, ...]) -> list[Any]:
    return list(session.execute(select(*columns).where(where).order_by(*order)))


def _columns(entity: Any) -> list[Any]:
    return [c for c in entity.__table__.columns]


def load_dosing_sessions(session: Session, client_id: int) -> list[dto.CourseDTO]:
    course_rows = _rows(session, *_columns(Course), where=Course.client_id == client_id,
                        order=(Course.start_date, Course.id))
    course_ids = [c.id for c in course_rows]
    dosing_rows = _rows(session, *_columns(DosingSession),
                        where=DosingSession.course_id.in_(course_ids),
                        order=(DosingSession.course_id, DosingSession.number))
    dosing_ids = [d.id for d in dosing_rows]
    vitals: dict[int, list[dto.VitalDTO]] = defaultdict(list)
    for v in _rows(session, *_columns(DosingVital),
                   where=DosingVital.dosing_session_id.in_(dosing_ids),
                   order=(DosingVital.dosing_session_id, DosingVital.minutes_from_dose)):
        vitals[v.dosing_session_id].append(from_row(dto.VitalDTO, v))
    boosters: dict[int, list[dto.BoosterDTO]] = defaultdict(list)
    for b in _rows(session, *_columns(DosingBooster),
                   where=DosingBooster.dosing_session_id.in_(dosing_ids),
                   order=(DosingBooster.dosing_session_id, DosingBooster.minutes_from_dose)):
        boosters[b.dosing_session_id].append(from_row(dto.BoosterDTO, b))
    by_course: dict[int, list[dto.DosingSessionDTO]] = defaultdict(list)
    for d in dosing_rows:
        by_course[d.course_id].append(from_row(
            dto.DosingSessionDTO, d, locked=d.locked_by_note_id is not None,
            vitals=tuple(vitals[d.id]), boosters=tuple(boosters[d.id])))
    return [from_row(dto.CourseDTO, c, dosing_sessions=tuple(by_course[c.id]))
            for c in course_rows]


def load_notes(session: Session, client_id: int) -> list[dto.NoteDTO]:
    note_rows = _rows(session, *_columns(Note), where=Note.client_id == client_id,
                      order=(Note.session_date, Note.id))
    addenda: dict[int, list[dto.AddendumDTO]] = defaultdict(list)
    for a in _rows(session, *_columns(Addendum),
                   where=Addendum.note_id.in_([n.id for n in note_rows]),
                   order=(Addendum.created_at, Addendum.id)):
        addenda[a.note_id].append(from_row(dto.AddendumDTO, a))
    return [from_row(dto.NoteDTO, n, addenda=tuple(addenda[n.id])) for n in note_rows]


def load_targets(session: Session, client_id: int) -> list[dto.TargetDTO]:
    target_rows = _rows(session, *_columns(TargetMemory),
                        where=TargetMemory.client_id == client_id,
                        order=(TargetMemory.identified_on, TargetMemory.id))
    ids = [t.id for t in target_rows]
    ratings: dict[int, list[dto.TargetRatingDTO]] = defaultdict(list)
    for r in _rows(session, *_columns(TargetRating), where=TargetRating.target_id.in_(ids),
                   order=(TargetRating.rated_on, TargetRating.id)):
        ratings[r.target_id].append(from_row(dto.TargetRatingDTO, r))
    history: dict[int, list[dto.TargetDefinitionChangeDTO]] = defaultdict(list)
    for h in _rows(session, *_columns(TargetDefinitionChange),
                   where=TargetDefinitionChange.target_id.in_(ids),
                   order=(TargetDefinitionChange.changed_at, TargetDefinitionChange.id)):
        history[h.target_id].append(from_row(dto.TargetDefinitionChangeDTO, h))
    return [from_row(dto.TargetDTO, t, ratings=tuple(ratings[t.id]),
                     history=tuple(history[t.id])) for t in target_rows]


def load_administrations(
    session: Session, client_id: int, since: dt.date | None = None
) -> list[dto.AdministrationDTO]:
    where = MeasureAdministration.client_id == client_id
    if since is not None:
        where = where & (MeasureAdministration.administered_on >= since)
    admin_rows = _rows(session, *_columns(MeasureAdministration), where=where,
                       order=(MeasureAdministration.administered_on, MeasureAdministration.id))
    responses: dict[int, list[tuple[int, float | None]]] = defaultdict(list)
    response_query = (
        select(ItemResponse.administration_id, ItemResponse.item_number, ItemResponse.value)
        .join(MeasureAdministration)
        .where(where)
        .order_by(ItemResponse.administration_id, ItemResponse.item_number)
    )
    for admin_id, item, value in session.execute(response_query):
        responses[admin_id].append((item, value))
    return [from_row(dto.AdministrationDTO, a, responses=tuple(responses[a.id]))
            for a in admin_rows]


def load_parts(
    session: Session, client_id: int
) -> tuple[list[dto.PartDTO], list[dto.PartRelationDTO], list[dto.PartStatusChangeDTO]]:
    parts = [
        from_row(dto.PartDTO, p)
        for p in _rows(session, *_columns(IfsPart), where=IfsPart.client_id == client_id,
                       order=(IfsPart.id,))
    ]
    relations = [
        from_row(dto.PartRelationDTO, r)
        for r in _rows(session, *_columns(PartRelation),
                       where=PartRelation.client_id == client_id, order=(PartRelation.id,))
    ]
    history = [
        from_row(dto.PartStatusChangeDTO, h)
        for h in _rows(session, *_columns(PartStatusChange),
                       where=PartStatusChange.part_id.in_([p.id for p in parts]),
                       order=(PartStatusChange.changed_on, PartStatusChange.id))
    ]
    return parts, relations, history


def load_client_chart(session: Session, client_id: int) -> dto.ClientChart:
    client = session.get(Client, client_id)
    if client is None:
        raise NotFoundError(f"Client #{client_id} does not exist in this vault.")
    parts, relations, history = load_parts(session, client_id)
    self_energy = [
        from_row(dto.SelfEnergyPoint, s)
        for s in _rows(session, *_columns(SelfEnergyRating),
                       where=SelfEnergyRating.client_id == client_id,
                       order=(SelfEnergyRating.rated_on, SelfEnergyRating.id))
    ]
    return dto.ClientChart(
        client=convert.client_detail(client),
        courses=tuple(load_dosing_sessions(session, client_id)),
        notes=tuple(load_notes(session, client_id)),
        targets=tuple(load_targets(session, client_id)),
        parts=tuple(parts),
        relations=tuple(relations),
        part_history=tuple(history),
        self_energy=tuple(self_energy),
        administrations=tuple(load_administrations(session, client_id)),
    )
