"""Courses of care and their dosing sessions (with vitals and boosters)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models import audit
from models.dto import CourseDTO, DosingSessionDTO
from models.entities import (
    COURSE_KINDS,
    Client,
    Course,
    DosingBooster,
    DosingSession,
    DosingVital,
)
from models.errors import LockedError, NotFoundError, ValidationError
from models.services import convert

ROUTES = ("sublingual", "oral", "intramuscular", "intravenous", "intranasal")
MEDICATIONS = ("racemic_ketamine", "esketamine")
SETTINGS = ("in_office", "supervised_home")


@dataclass(frozen=True)
class CourseInput:
    kind: str
    start_date: dt.date
    end_date: dt.date | None = None
    goals: str = ""


@dataclass(frozen=True)
class VitalInput:
    minutes_from_dose: int
    systolic: int | None = None
    diastolic: int | None = None
    heart_rate: int | None = None
    spo2: int | None = None


@dataclass(frozen=True)
class BoosterInput:
    minutes_from_dose: int
    dose_mg: float


@dataclass(frozen=True)
class DosingInput:
    session_date: dt.date
    route: str
    dose_mg: float | None = None
    weight_kg: float | None = None
    start_time: dt.time | None = None
    setting: str = "in_office"
    medication: str = "racemic_ketamine"
    infusion_minutes: int | None = None
    lot_number: str = ""
    prescriber: str = ""
    monitoring_clinician: str = ""
    intention: str = ""
    set_and_setting: str = ""
    cadss_total: int | None = None
    cadss6_total: int | None = None
    moaas: int | None = None
    adverse_events: str = ""
    ready_for_discharge: dt.time | None = None
    ride_home_confirmed: bool | None = None
    observations: str = ""
    client_account: str = ""
    vitals: Sequence[VitalInput] = field(default_factory=tuple)
    boosters: Sequence[BoosterInput] = field(default_factory=tuple)


_RANGES: dict[str, tuple[float, float, str]] = {
    "dose_mg": (0.1, 1000, "mg"),
    "weight_kg": (1, 400, "kg"),
    "infusion_minutes": (1, 600, "minutes"),
    "cadss_total": (0, 92, "points"),
    "cadss6_total": (0, 24, "points"),
    "moaas": (0, 5, "points"),
}
_VITAL_RANGES: dict[str, tuple[int, int]] = {
    "systolic": (40, 300),
    "diastolic": (20, 200),
    "heart_rate": (20, 250),
    "spo2": (50, 100),
}


def validate_course(data: CourseInput) -> dict[str, str]:
    problems: dict[str, str] = {}
    if data.kind not in COURSE_KINDS:
        problems["kind"] = "Choose intensive or spaced."
    if data.end_date is not None and data.end_date < data.start_date:
        problems["end_date"] = "The course ends before it starts; check the dates."
    return problems


def validate_dosing(data: DosingInput) -> dict[str, str]:
    problems: dict[str, str] = {}
    if data.route not in ROUTES:
        problems["route"] = "Choose a route: " + ", ".join(ROUTES) + "."
    if data.medication not in MEDICATIONS:
        problems["medication"] = "Choose racemic ketamine or esketamine."
    if data.setting not in SETTINGS:
        problems["setting"] = "Choose in office or supervised at home."
    for name, (low, high, unit) in _RANGES.items():
        value = getattr(data, name)
        if value is not None and not low <= value <= high:
            problems[name] = f"must be between {low:g} and {high:g} {unit}."
    for i, vital in enumerate(data.vitals, start=1):
        for name, (low, high) in _VITAL_RANGES.items():
            value = getattr(vital, name)
            if value is not None and not low <= value <= high:
                problems[f"vitals[{i}].{name}"] = f"must be between {low} and {high}."
    for i, booster in enumerate(data.boosters, start=1):
        if not 0 < booster.dose_mg <= 1000:
            problems[f"boosters[{i}].dose_mg"] = "must be between 0 and 1000 mg."
    return problems


def add_course(
    session: Session, client_id: int, data: CourseInput, *, actor_id: int | None = None
) -> CourseDTO:
    if session.get(Client, client_id) is None:
        raise NotFoundError(f"Client #{client_id} does not exist in this vault.")
    problems = validate_course(data)
    if problems:
        raise ValidationError(problems)
    row = Course(client_id=client_id, kind=data.kind, start_date=data.start_date,
                 end_date=data.end_date, goals=data.goals.strip())
    session.add(row)
    session.flush()
    audit.record(session, "course.create", entity="course", entity_id=row.id,
                 client_id=client_id, actor_id=actor_id)
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
    number = (
        session.scalar(
            select(func.max(DosingSession.number)).where(DosingSession.course_id == course_id)
        )
        or 0
    ) + 1
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
