"""Courses of care and their dosing sessions (with vitals and boosters)."""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import audit
from models.clinical.doses import next_dose_number
from models.dto import CourseDTO, DosingSessionDTO
from models.entities import (
    Client,
    Course,
    DosingBooster,
    DosingSession,
    DosingVital,
)
from models.errors import LockedError, NotFoundError, ValidationError
from models.inputs import (
    CourseInput,
    DosingInput,
    validate_course,
    validate_course_change,
    validate_dosing,
)
from models.services import convert
from models.services.rows import write_changes, write_new


def add_course(
    session: Session, client_id: int, data: CourseInput, *, actor_id: int | None = None
) -> CourseDTO:
    if session.get(Client, client_id) is None:
        raise NotFoundError(f"Client #{client_id} does not exist in this vault.")
    problems = validate_course(data)
    if problems:
        raise ValidationError(problems)
    row = Course(client_id=client_id, kind=data.kind, start_date=data.start_date,
                 end_date=data.end_date, goals=data.goals.strip(),
                 integration_after_first=data.integration_after_first,
                 integration_after_each=data.integration_after_each, dosing_sessions=[])
    write_new(session, row)
    audit.record(session, "course.create", entity="course", entity_id=row.id,
                 client_id=client_id, actor_id=actor_id)
    return convert.course(row)


def update_course(
    session: Session, course_id: int, data: CourseInput, *, actor_id: int | None = None
) -> CourseDTO:
    """Change a course's kind, dates, goals or integration plan (a course ends; its goals
    are revised). Its dates must still hold every dosing session recorded in it."""
    row = session.get(Course, course_id)
    if row is None:
        raise NotFoundError(f"Course #{course_id} does not exist in this vault.")
    doses = sorted(row.dosing_sessions, key=lambda d: (d.session_date, d.number))
    problems = validate_course_change(data, [(d.number, d.session_date) for d in doses])
    if problems:
        raise ValidationError(problems)
    wanted = {"kind": data.kind, "start_date": data.start_date, "end_date": data.end_date,
              "goals": data.goals.strip(),
              "integration_after_first": data.integration_after_first,
              "integration_after_each": data.integration_after_each}
    changed = {name: value for name, value in wanted.items() if getattr(row, name) != value}
    if changed:
        write_changes(session, row, changed)
        # Which fields changed, never their values.
        audit.record(session, "course.update", entity="course", entity_id=row.id,
                     client_id=row.client_id, actor_id=actor_id,
                     detail="fields=" + ",".join(changed))
    return convert.course(row)


def list_courses(session: Session, client_id: int) -> list[CourseDTO]:
    rows = session.scalars(
        select(Course)
        .where(Course.client_id == client_id)
        .order_by(Course.start_date)
        .options(selectinload(Course.dosing_sessions).selectinload(DosingSession.vitals),
                 selectinload(Course.dosing_sessions).selectinload(DosingSession.boosters))
    )
    return [convert.course(r) for r in rows]


def _apply_dosing(row: DosingSession, data: DosingInput) -> None:
    for f in fields(DosingInput):
        if f.name in ("vitals", "boosters"):
            continue
        value = getattr(data, f.name)
        setattr(row, f.name, value.strip() if isinstance(value, str) else value)
    row.vitals = [
        DosingVital(minutes_from_dose=v.minutes_from_dose, systolic=v.systolic,
                    diastolic=v.diastolic, heart_rate=v.heart_rate, spo2=v.spo2)
        for v in data.vitals
    ]
    row.boosters = [
        DosingBooster(minutes_from_dose=b.minutes_from_dose, dose_mg=b.dose_mg)
        for b in data.boosters
    ]


def add_dosing_session(
    session: Session, course_id: int, data: DosingInput, *, actor_id: int | None = None
) -> DosingSessionDTO:
    course = session.get(Course, course_id)
    if course is None:
        raise NotFoundError(f"Course #{course_id} does not exist in this vault.")
    problems = validate_dosing(data)
    if problems:
        raise ValidationError(problems)
    number = next_dose_number(session.scalars(
        select(DosingSession.number).where(DosingSession.course_id == course_id)))
    row = DosingSession(course_id=course_id, number=number)
    _apply_dosing(row, data)
    session.add(row)
    session.flush()
    audit.record(session, "dosing.create", entity="dosing_session", entity_id=row.id,
                 client_id=course.client_id, actor_id=actor_id, detail=f"number={number}")
    return convert.dosing_session(row)


def update_dosing_session(
    session: Session, dosing_session_id: int, data: DosingInput, *, actor_id: int | None = None
) -> DosingSessionDTO:
    row = session.get(DosingSession, dosing_session_id)
    if row is None:
        raise NotFoundError(f"Dosing session #{dosing_session_id} does not exist.")
    if row.locked_by_note_id is not None:
        raise LockedError(
            "This dosing session was recorded by a signed note; add an addendum to that note."
        )
    problems = validate_dosing(data)
    if problems:
        raise ValidationError(problems)
    _apply_dosing(row, data)
    session.flush()
    audit.record(session, "dosing.update", entity="dosing_session", entity_id=row.id,
                 client_id=row.course.client_id, actor_id=actor_id)
    return convert.dosing_session(row)
