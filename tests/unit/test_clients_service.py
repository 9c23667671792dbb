"""Client, clinician and care services on an in-memory database with the vault's schema."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import audit
from models.entities import AuditEvent
from models.errors import DomainError, ValidationError
from models.services import care, chart, clients, clinicians


def _add(session: Session, name: str, **kw: object) -> clients.ClientDetail:
    return clients.create_client(session, clients.ClientInput(name=name, **kw))  # type: ignore[arg-type]


def test_record_numbers_count_up(session: Session) -> None:
    assert [_add(session, n).record_number for n in ("A One", "B Two", "C Three")] == [
        "C-0001", "C-0002", "C-0003"]


def test_name_is_required_and_dates_must_be_sensible(session: Session) -> None:
    with pytest.raises(ValidationError) as info:
        clients.create_client(session, clients.ClientInput(
            name="  ", date_of_birth=dt.date.today() + dt.timedelta(days=3)))
    assert set(info.value.problems) == {"name", "date_of_birth"}
    assert "required" in info.value.problems["name"]
    assert "future" in info.value.problems["date_of_birth"]
    with pytest.raises(ValidationError, match="120 years"):
        clients.create_client(session, clients.ClientInput(
            name="Old Fixture", date_of_birth=dt.date(1850, 1, 1)))


def test_edit_changes_only_what_changed_and_audits_field_names(session: Session) -> None:
    c = _add(session, "Edit Fixture", pronouns="they/them")
    updated = clients.update_client(session, c.id, clients.ClientInput(
        name="Edit Fixture", pronouns="she/her", contact="555-0101"))
    assert updated.pronouns == "she/her" and updated.contact == "555-0101"
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None
    assert last.action == "client.update" and last.detail == "fields=pronouns,contact"


def test_discharge_and_list_active_only(session: Session) -> None:
    a, b = _add(session, "Active Fixture"), _add(session, "Leaving Fixture")
    clients.discharge_client(session, b.id, dt.date(2026, 1, 5))
    with pytest.raises(DomainError, match="already discharged"):
        clients.discharge_client(session, b.id)
    active = clients.list_clients(session, include_discharged=False)
    assert [c.id for c in active] == [a.id]
    everyone = clients.list_clients(session)
    assert {c.status for c in everyone} == {"active", "discharged"}
    assert clients.reactivate_client(session, b.id).status == "active"


def test_search_by_name_or_record_number(session: Session) -> None:
    _add(session, "Ada Example")
    _add(session, "Basil Sample", preferred_name="Baz")
    _add(session, "Clementine Example")
    assert [c.name for c in clients.list_clients(session, search="example")] == [
        "Ada Example", "Clementine Example"]
    assert [c.name for c in clients.list_clients(session, search="c-0002")] == ["Basil Sample"]
    assert [c.name for c in clients.list_clients(session, search="baz")] == ["Basil Sample"]
    assert clients.list_clients(session, search="%") == clients.list_clients(session)
    assert clients.find_client_by_record_number(session, "c-0003").name == "Clementine Example"


def test_courses_and_dosing_sessions_number_themselves(session: Session) -> None:
    c = _add(session, "Dosing Fixture")
    course = care.add_course(session, c.id, care.CourseInput("intensive", dt.date(2026, 3, 1)))
    first = care.add_dosing_session(session, course.id, care.DosingInput(
        session_date=dt.date(2026, 3, 2), route="intravenous", dose_mg=35, weight_kg=70,
        infusion_minutes=40,
        vitals=[care.VitalInput(-10, 120, 80, 70, 98), care.VitalInput(40, 138, 86, 82, 97)]))
    second = care.add_dosing_session(session, course.id, care.DosingInput(
        session_date=dt.date(2026, 3, 4), route="sublingual", dose_mg=300))
    assert (first.number, second.number) == (1, 2)
    assert first.mg_per_kg == pytest.approx(0.5)
    assert [v.minutes_from_dose for v in first.vitals] == [-10, 40]
    summary = clients.list_clients(session)[0]
    assert summary.dosing_sessions == 2 and summary.last_seen == dt.date(2026, 3, 4)
    loaded = chart.load_client_chart(session, c.id)
    assert [d.number for d in loaded.dosing_sessions] == [1, 2]
    assert loaded.dosing_sessions[0].vitals[1].systolic == 138


def test_dosing_values_out_of_range_are_named(session: Session) -> None:
    c = _add(session, "Range Fixture")
    course = care.add_course(session, c.id, care.CourseInput("spaced", dt.date(2026, 3, 1)))
    with pytest.raises(ValidationError) as info:
        care.add_dosing_session(session, course.id, care.DosingInput(
            session_date=dt.date(2026, 3, 2), route="smoked", dose_mg=5000, moaas=9,
            vitals=[care.VitalInput(40, systolic=400)]))
    assert set(info.value.problems) == {"route", "dose_mg", "moaas", "vitals[1].systolic"}
    assert "between 0.1 and 1000 mg" in info.value.problems["dose_mg"]
    with pytest.raises(ValidationError, match="ends before it starts"):
        care.add_course(session, c.id, care.CourseInput(
            "spaced", dt.date(2026, 3, 1), dt.date(2026, 2, 1)))


def test_every_write_is_audited_with_ids_only(session: Session) -> None:
    doc = clinicians.create_clinician(session, "Dr Audit", "PhD")
    c = clients.create_client(session, clients.ClientInput(name="Audit Fixture"),
                              actor_id=doc.id)
    care.add_course(session, c.id, care.CourseInput("spaced", dt.date(2026, 1, 1)),
                    actor_id=doc.id)
    actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["clinician.create", "client.create", "course.create"]
    assert audit.verify_chain(session).ok
