"""Clients, clinicians and care through the backend, on an in-memory database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import audit
from models.api import Kind
from models.backend import Backend
from models.dto import ClientDetail
from models.entities import AuditEvent
from models.errors import DomainError, ValidationError
from models.inputs import (
    ClientInput,
    CourseInput,
    DosingInput,
    StatusChangeInput,
    VitalInput,
)
from models.services import care, clients


def _add(backend: Backend, name: str, **kw: object) -> ClientDetail:
    return backend.clients.create(ClientInput(name=name, **kw),  # type: ignore[arg-type]
                                  actor_id=None).value


def _add_numbered(backend: Backend, name: str, record_number: str) -> ClientDetail:
    """A client with a record number typed by a person (the service's own path)."""
    with backend.vault.transaction() as session:
        return clients.create_client(session, ClientInput(name=name), today=backend.today,
                                     record_number=record_number)


def test_record_numbers_count_up(backend: Backend) -> None:
    assert [_add(backend, n).record_number for n in ("A One", "B Two", "C Three")] == [
        "C-0001", "C-0002", "C-0003"]


def test_name_is_required_and_dates_must_be_sensible(backend: Backend) -> None:
    with pytest.raises(ValidationError) as info:
        backend.clients.create(ClientInput(
            name="  ", date_of_birth=backend.today + dt.timedelta(days=3)), actor_id=None)
    assert set(info.value.problems) == {"name", "date_of_birth"}
    assert "required" in info.value.problems["name"]
    assert "future" in info.value.problems["date_of_birth"]
    with pytest.raises(ValidationError, match="120 years"):
        backend.clients.create(ClientInput(name="Old Fixture", date_of_birth=dt.date(1850, 1, 1)),
                               actor_id=None)


def test_a_write_says_what_it_changed(backend: Backend) -> None:
    done = backend.clients.create(ClientInput(name="Change Fixture"), actor_id=None)
    assert done.changes.client_id == done.value.id
    assert done.changes.touches(Kind.CLIENTS) and not done.changes.touches(Kind.NOTES)
    course = backend.care.add_course(done.value.id, CourseInput("spaced", backend.today),
                                     actor_id=None)
    # The list counts what a course still awaits (its end and plan decide it).
    assert course.changes.kinds == frozenset({Kind.CARE, Kind.CLIENTS})


def test_edit_changes_only_what_changed_and_audits_field_names(
    backend: Backend, session: Session
) -> None:
    c = _add(backend, "Edit Fixture", pronouns="they/them")
    updated = backend.clients.update(c.id, ClientInput(
        name="Edit Fixture", pronouns="she/her", contact="555-0101"), actor_id=None).value
    assert updated.pronouns == "she/her" and updated.contact == "555-0101"
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None
    assert last.action == "client.update" and last.detail == "fields=pronouns,contact"


def test_discharge_and_list_active_only(backend: Backend) -> None:
    a, b = _add(backend, "Active Fixture"), _add(backend, "Leaving Fixture")
    left = backend.clients.discharge(b.id, StatusChangeInput(backend.today, "Course complete"),
                                     actor_id=None).value
    assert left.discharged_on == backend.today
    with pytest.raises(DomainError, match="already discharged"):
        backend.clients.discharge(b.id, StatusChangeInput(backend.today, "again"), actor_id=None)
    active = backend.clients.summaries(include_discharged=False)
    assert [c.id for c in active] == [a.id]
    everyone = backend.clients.summaries()
    assert {c.status for c in everyone} == {"active", "discharged"}
    back = backend.clients.reactivate(b.id, StatusChangeInput(backend.today, "Booster course"),
                                      actor_id=None).value
    assert back.status == "active" and back.discharged_on is None
    with pytest.raises(DomainError, match="already active"):
        backend.clients.reactivate(b.id, StatusChangeInput(backend.today, "x"), actor_id=None)


def test_discharge_keeps_its_date_and_reason_in_the_history_and_the_audit_names_no_reason(
    backend: Backend, session: Session
) -> None:
    client = _add(backend, "History Fixture")
    on = backend.today - dt.timedelta(days=10)
    backend.clients.discharge(client.id, StatusChangeInput(on, "Moved away; referred on"),
                              actor_id=None)
    later = backend.today - dt.timedelta(days=2)
    detail = backend.clients.reactivate(
        client.id, StatusChangeInput(later, "Returned for a booster course"), actor_id=None).value
    assert [(c.status, c.changed_on, c.reason) for c in detail.status_history] == [
        ("discharged", on, "Moved away; referred on"),
        ("active", later, "Returned for a booster course")]
    assert detail.last_status_change is not None
    assert detail.last_status_change.reason == "Returned for a booster course"
    events = backend.audit.events(client_id=client.id, action_prefix="client.")
    assert [e.action for e in events] == ["client.create", "client.discharge",
                                          "client.reactivate"]
    assert all("Moved" not in e.detail and "booster" not in e.detail for e in events)


def test_a_discharge_needs_a_reason_and_a_day_that_has_come(backend: Backend) -> None:
    client = _add(backend, "Rules Fixture")
    with pytest.raises(ValidationError) as info:
        backend.clients.discharge(client.id, StatusChangeInput(
            backend.today + dt.timedelta(days=1), "  "), actor_id=None)
    assert set(info.value.problems) == {"on", "reason"}
    assert backend.clients.get(client.id).status == "active"


def test_search_matches_every_word_as_the_client_list_does(backend: Backend) -> None:
    _add(backend, "Ada Example")
    _add(backend, "Basil Sample", preferred_name="Baz")
    _add(backend, "Clementine Example")

    def names(search: str) -> list[str]:
        return [c.name for c in backend.clients.summaries(search=search)]

    assert names("example") == ["Ada Example", "Clementine Example"]
    assert names("c-0002") == ["Basil Sample"]
    assert names("baz") == ["Basil Sample"]
    # Every word must match, in any order: the window's rule, now the backend's too.
    assert names("example ada") == ["Ada Example"]
    assert names("ada sample") == []
    assert names("%") == []
    assert names("  ") == names("")
    assert backend.clients.find("c-0003").name == "Clementine Example"


def test_courses_and_dosing_sessions_number_themselves(
    backend: Backend, session: Session
) -> None:
    c = _add(backend, "Dosing Fixture")
    course = backend.care.add_course(c.id, CourseInput("intensive", dt.date(2026, 3, 1)),
                                     actor_id=None).value
    first = care.add_dosing_session(session, course.id, DosingInput(
        session_date=dt.date(2026, 3, 2), route="intravenous", dose_mg=35, weight_kg=70,
        infusion_minutes=40,
        vitals=[VitalInput(-10, 120, 80, 70, 98), VitalInput(40, 138, 86, 82, 97)]))
    second = care.add_dosing_session(session, course.id, DosingInput(
        session_date=dt.date(2026, 3, 4), route="sublingual", dose_mg=300))
    session.commit()
    assert (first.number, second.number) == (1, 2)
    assert first.mg_per_kg == pytest.approx(0.5)
    assert [v.minutes_from_dose for v in first.vitals] == [-10, 40]
    summary = backend.clients.summaries()[0]
    assert summary.dosing_sessions == 2 and summary.last_seen == dt.date(2026, 3, 4)
    loaded = backend.clients.chart(c.id)
    assert [d.number for d in loaded.dosing_sessions] == [1, 2]
    assert loaded.dosing_sessions[0].vitals[1].systolic == 138


def test_dosing_values_out_of_range_are_named(backend: Backend, session: Session) -> None:
    c = _add(backend, "Range Fixture")
    course = backend.care.add_course(c.id, CourseInput("spaced", dt.date(2026, 3, 1)),
                                     actor_id=None).value
    with pytest.raises(ValidationError) as info:
        care.add_dosing_session(session, course.id, DosingInput(
            session_date=dt.date(2026, 3, 2), route="smoked", dose_mg=5000, moaas=9,
            vitals=[VitalInput(40, systolic=400)]))
    assert set(info.value.problems) == {"route", "dose_mg", "moaas", "vitals[1].systolic"}
    assert "between 0.1 and 1000 mg" in info.value.problems["dose_mg"]
    with pytest.raises(ValidationError, match="ends before it starts"):
        backend.care.add_course(c.id, CourseInput(
            "spaced", dt.date(2026, 3, 1), dt.date(2026, 2, 1)), actor_id=None)


def test_every_write_is_audited_with_ids_only(backend: Backend, session: Session) -> None:
    doc = backend.practice.create_clinician("Dr Audit", "PhD").value
    c = backend.clients.create(ClientInput(name="Audit Fixture"), actor_id=doc.id).value
    backend.care.add_course(c.id, CourseInput("spaced", dt.date(2026, 1, 1)), actor_id=doc.id)
    actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["clinician.create", "client.create", "course.create"]
    assert audit.verify_chain(session).ok
    assert backend.audit.verify_chain().ok


def test_a_client_added_by_mistake_can_be_deleted_and_the_number_is_never_given_again(
    backend: Backend,
) -> None:
    kept = _add(backend, "Kept Client")
    twice = _add(backend, "Added Twice")
    # Discharged first (the history goes with it): still nothing clinical recorded.
    backend.clients.discharge(twice.id, StatusChangeInput(backend.today, "Duplicate"),
                              actor_id=None)
    assert backend.clients.deletion_problem(twice.id) is None
    done = backend.clients.delete(twice.id, actor_id=None)
    assert done.value == "C-0002" and Kind.CLIENTS in done.changes.kinds
    assert [c.record_number for c in backend.clients.summaries()] == [kept.record_number]
    # The trail keeps it by record number, never the name.
    [event] = backend.audit.events(action_prefix="client.delete")
    assert event.detail == "record=C-0002" and event.client_id == twice.id
    trail = backend.audit.trail()
    [entry] = [e for e in trail.entries if e.action == "client.delete"]
    assert (entry.what, entry.record, entry.detail) == (
        "Client deleted (added by mistake)", "A client's record, since deleted",
        "Record C-0002, with nothing recorded in it")
    assert all("Added Twice" not in f"{e.record} {e.detail} {e.client_name}"
               for e in trail.entries)
    # Neither the next client nor a number typed by hand takes the number again.
    assert _add(backend, "Next Client").record_number == "C-0003"
    with pytest.raises(ValidationError) as info:
        _add_numbered(backend, "Typed Number", "c-0002")
    assert "never given twice" in info.value.problems["record_number"]


def test_a_client_with_anything_recorded_is_kept(backend: Backend) -> None:
    client = _add(backend, "Has A Course")
    backend.care.add_course(client.id, CourseInput("spaced", backend.today), actor_id=None)
    problem = backend.clients.deletion_problem(client.id)
    assert problem is not None
    assert problem.startswith("This record holds 1 course of care, and a record with "
                              "anything in it is kept")
    with pytest.raises(DomainError, match="1 course of care"):
        backend.clients.delete(client.id, actor_id=None)
    assert [c.id for c in backend.clients.summaries()] == [client.id]
    assert backend.audit.events(action_prefix="client.delete") == []


def test_a_client_with_only_a_draft_is_told_to_discard_it_first(backend: Backend) -> None:
    client = _add(backend, "Draft Only")
    note = backend.notes.create(client.id, "general", author_id=None).value
    assert backend.clients.deletion_problem(client.id) == (
        "This record holds 1 draft note. Discard it in the note window (Discard draft…), "
        "and the client can then be deleted.")
    backend.notes.discard_draft(note.id, actor_id=None)
    assert backend.clients.deletion_problem(client.id) is None
