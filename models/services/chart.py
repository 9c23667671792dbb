"""Load one client's whole record as a ClientChart DTO.

Column queries build the DTOs directly: a long record is thousands of rows (every item
answer of every measure), and going through ORM objects would cost ten times as much.
Each query is a Core statement built once (`_Query`) and run on the session's connection.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import BindParameter

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

_CLIENT: BindParameter[int] = bindparam("client_id")
_SINCE: BindParameter[dt.date] = bindparam("since")


def _table(entity: Any) -> Table:
    table: Table = entity.__table__
    return table


def _owned(parent_entity: Any) -> Any:
    """The ids of the client's rows of `parent_entity` (a subquery)."""
    parent = _table(parent_entity)
    return select(parent.c.id).where(parent.c.client_id == _CLIENT).scalar_subquery()


class _Query:
    """One read of a client's record, as a Core statement built once and run with the
    client's id: building and caching the statement anew on every read, and running it
    through the ORM session, cost more than the database did (a client switch reads
    fourteen of them)."""

    def __init__(self, build: Callable[[], Executable]) -> None:
        self._build = build
        self._statement: Executable | None = None

    def rows(self, session: Session, client_id: int, **params: Any) -> Sequence[Any]:
        if self._statement is None:
            self._statement = self._build()
        return session.connection().execute(
            self._statement, {"client_id": client_id, **params}).all()


def _of_client(entity: Any, *order: str, where: Any = None) -> _Query:
    def build() -> Executable:
        table = _table(entity)
        condition = table.c.client_id == _CLIENT if where is None else where(table)
        return select(*table.c).where(condition).order_by(*(table.c[o] for o in order))
    return _Query(build)


def _children(entity: Any, key: str, parent: Any, *order: str) -> _Query:
    return _of_client(entity, key, *order,
                      where=lambda table: table.c[key].in_(_owned(parent)))


_COURSES = _of_client(Course, "start_date", "id")
_DOSING = _children(DosingSession, "course_id", Course, "number")
_VITALS = _Query(lambda: _in_dosing(DosingVital))
_BOOSTERS = _Query(lambda: _in_dosing(DosingBooster))
_NOTES = _of_client(Note, "session_date", "id")
_SIGNED_NOTES_SINCE = _of_client(
    Note, "session_date", "id",
    where=lambda table: (table.c.client_id == _CLIENT) & (table.c.status == "signed")
    & (table.c.session_date >= _SINCE))
_ADDENDA = _children(Addendum, "note_id", Note, "created_at", "id")
_TARGETS = _of_client(TargetMemory, "identified_on", "id")
_RATINGS = _children(TargetRating, "target_id", TargetMemory, "rated_on", "id")
_TARGET_HISTORY = _children(TargetDefinitionChange, "target_id", TargetMemory, "changed_at",
                            "id")
_PARTS = _of_client(IfsPart, "id")
_RELATIONS = _of_client(PartRelation, "id")
_PART_HISTORY = _children(PartStatusChange, "part_id", IfsPart, "changed_on", "id")
_SELF_ENERGY = _of_client(SelfEnergyRating, "rated_on", "id")


def _in_dosing(entity: Any) -> Executable:
    """A dosing session's vitals or boosters, for every dosing session of the client."""
    table, dosing, course = _table(entity), _table(DosingSession), _table(Course)
    sessions = select(dosing.c.id).join(course, dosing.c.course_id == course.c.id) \
        .where(course.c.client_id == _CLIENT).scalar_subquery()
    return select(*table.c).where(table.c.dosing_session_id.in_(sessions)) \
        .order_by(table.c.dosing_session_id, table.c.minutes_from_dose)


def _administrations(since: bool) -> _Query:
    def build() -> Executable:
        table = _table(MeasureAdministration)
        condition = table.c.client_id == _CLIENT
        if since:
            condition = condition & (table.c.administered_on >= _SINCE)
        return select(*table.c).where(condition).order_by(table.c.administered_on,
                                                          table.c.id)
    return _Query(build)


def _responses(since: bool) -> _Query:
    def build() -> Executable:
        table, admin = _table(ItemResponse), _table(MeasureAdministration)
        condition = admin.c.client_id == _CLIENT
        if since:
            condition = condition & (admin.c.administered_on >= _SINCE)
        return select(table.c.administration_id, table.c.item_number, table.c.value) \
            .join(admin, table.c.administration_id == admin.c.id).where(condition) \
            .order_by(table.c.administration_id, table.c.item_number)
    return _Query(build)


_ADMINISTRATIONS = {False: _administrations(False), True: _administrations(True)}
_RESPONSES = {False: _responses(False), True: _responses(True)}


def load_dosing_sessions(session: Session, client_id: int) -> list[dto.CourseDTO]:
    vitals: dict[int, list[dto.VitalDTO]] = defaultdict(list)
    for v in _VITALS.rows(session, client_id):
        vitals[v.dosing_session_id].append(from_row(dto.VitalDTO, v))
    boosters: dict[int, list[dto.BoosterDTO]] = defaultdict(list)
    for b in _BOOSTERS.rows(session, client_id):
        boosters[b.dosing_session_id].append(from_row(dto.BoosterDTO, b))
    by_course: dict[int, list[dto.DosingSessionDTO]] = defaultdict(list)
    for d in _DOSING.rows(session, client_id):
        by_course[d.course_id].append(from_row(
            dto.DosingSessionDTO, d, locked=d.locked_by_note_id is not None,
            vitals=tuple(vitals[d.id]), boosters=tuple(boosters[d.id])))
    return [from_row(dto.CourseDTO, c, dosing_sessions=tuple(by_course[c.id]))
            for c in _COURSES.rows(session, client_id)]


def load_notes(session: Session, client_id: int) -> list[dto.NoteDTO]:
    addenda: dict[int, list[dto.AddendumDTO]] = defaultdict(list)
    for a in _ADDENDA.rows(session, client_id):
        addenda[a.note_id].append(from_row(dto.AddendumDTO, a))
    return [from_row(dto.NoteDTO, n, addenda=tuple(addenda[n.id]))
            for n in _NOTES.rows(session, client_id)]


def load_signed_notes(session: Session, client_id: int,
                      since: dt.date) -> list[dto.NoteDTO]:
    """The client's signed notes dated on or after `since`, without their addenda: what
    can answer a safety follow-up (models.clinical.safety)."""
    return [from_row(dto.NoteDTO, n, addenda=())
            for n in _SIGNED_NOTES_SINCE.rows(session, client_id, since=since)]


def load_targets(session: Session, client_id: int) -> list[dto.TargetDTO]:
    ratings: dict[int, list[dto.TargetRatingDTO]] = defaultdict(list)
    for r in _RATINGS.rows(session, client_id):
        ratings[r.target_id].append(from_row(dto.TargetRatingDTO, r))
    history: dict[int, list[dto.TargetDefinitionChangeDTO]] = defaultdict(list)
    for h in _TARGET_HISTORY.rows(session, client_id):
        history[h.target_id].append(from_row(dto.TargetDefinitionChangeDTO, h))
    return [from_row(dto.TargetDTO, t, ratings=tuple(ratings[t.id]),
                     history=tuple(history[t.id]))
            for t in _TARGETS.rows(session, client_id)]


def load_administrations(
    session: Session, client_id: int, since: dt.date | None = None
) -> list[dto.AdministrationDTO]:
    dated = since is not None
    params = {"since": since} if dated else {}
    responses: dict[int, list[tuple[int, float | None]]] = defaultdict(list)
    for admin_id, item, value in _RESPONSES[dated].rows(session, client_id, **params):
        responses[admin_id].append((item, value))
    return [from_row(dto.AdministrationDTO, a, responses=tuple(responses[a.id]))
            for a in _ADMINISTRATIONS[dated].rows(session, client_id, **params)]


def load_parts(
    session: Session, client_id: int
) -> tuple[list[dto.PartDTO], list[dto.PartRelationDTO], list[dto.PartStatusChangeDTO]]:
    parts = [from_row(dto.PartDTO, p) for p in _PARTS.rows(session, client_id)]
    relations = [from_row(dto.PartRelationDTO, r)
                 for r in _RELATIONS.rows(session, client_id)]
    history = [from_row(dto.PartStatusChangeDTO, h)
               for h in _PART_HISTORY.rows(session, client_id)]
    return parts, relations, history


def load_client_chart(session: Session, client_id: int) -> dto.ClientChart:
    session.flush()  # the reads below go to the connection, past the session's autoflush
    client = session.get(Client, client_id)
    if client is None:
        raise NotFoundError(f"Client #{client_id} does not exist in this vault.")
    parts, relations, history = load_parts(session, client_id)
    self_energy = [from_row(dto.SelfEnergyPoint, s)
                   for s in _SELF_ENERGY.rows(session, client_id)]
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
