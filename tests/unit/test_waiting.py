"""What waits beyond the safety follow-ups and the drafts, through the backend: a dose on
record without its dosing note (written again from there), and a dose whose integration
sessions are not all held yet."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from models.backend import Backend
from models.clinical.waiting import (
    NOTHING_WAITS,
    totals,
    totals_text,
    what_waits,
    why_it_waits,
)
from models.dto import WaitingItem, Waits
from models.errors import DomainError
from models.inputs import CourseInput, StatusChangeInput

from .test_notes_service import dosing_content
from .test_signing_safety import DAY, PREPARATION, people, write  # noqa: F401 (a fixture)


def _note(backend: Backend, who: dict[str, Any], template_id: str, day: dt.date) -> int:
    return backend.notes.create(who["client"].id, template_id, author_id=who["doc"].id,
                                session_date=day).value.id


def _beyond_drafts(backend: Backend) -> list[tuple[Waits, str, dt.date, str]]:
    return [(w.kind, w.dose_label, w.day, what_waits(w)) for w in backend.clients.waiting()
            if w.kind in (Waits.TO_WRITE, Waits.INTEGRATION)]


def test_a_dose_waits_for_its_integration_sessions_until_they_are_held(
    backend: Backend, people: dict[str, Any]  # noqa: F811
) -> None:
    """Two sessions after the first dose, one after each later one; a draft counts (the
    session was held; signing it waits under its own line); a later dose closes the
    window, and so do the course's end and a discharge."""
    assert backend.clients.waiting() == []
    _note(backend, people, "dosing", DAY)
    assert _beyond_drafts(backend) == [
        (Waits.INTEGRATION, "D1", DAY, "Integration after D1: none yet (2 sessions planned)")]
    _note(backend, people, "general", DAY + dt.timedelta(days=1))
    assert _beyond_drafts(backend) == [
        (Waits.INTEGRATION, "D1", DAY, "Integration after D1: 1 of the 2 sessions planned")]
    # A preparation note is no integration session.
    _note(backend, people, "preparation", DAY + dt.timedelta(days=2))
    assert len(_beyond_drafts(backend)) == 1
    _note(backend, people, "emdr", DAY + dt.timedelta(days=3))
    assert _beyond_drafts(backend) == []
    second = DAY + dt.timedelta(days=7)
    _note(backend, people, "dosing", second)
    waiting = backend.clients.waiting()
    assert [w.kind for w in waiting] == [Waits.TO_SIGN] * 5 + [Waits.INTEGRATION]
    assert (waiting[-1].day, what_waits(waiting[-1])) == (
        second, "Integration after D2: none yet (1 session planned)")
    # A course given an end date still to come goes on until then.
    course = people["course"]
    backend.care.update_course(course.id, CourseInput(
        course.kind, course.start_date, backend.today + dt.timedelta(days=7)), actor_id=None)
    assert len(_beyond_drafts(backend)) == 1
    # The course ends: nothing more is planned after its last dose.
    backend.care.update_course(course.id, CourseInput(course.kind, course.start_date, second),
                               actor_id=None)
    assert _beyond_drafts(backend) == []
    backend.care.update_course(course.id, CourseInput(course.kind, course.start_date),
                               actor_id=None)
    assert len(_beyond_drafts(backend)) == 1
    backend.clients.discharge(people["client"].id,
                              StatusChangeInput(second, "Moved away"), actor_id=None)
    assert _beyond_drafts(backend) == []


def test_a_dose_waits_for_the_integration_its_own_course_plans(
    backend: Backend, people: dict[str, Any]  # noqa: F811
) -> None:
    """An intensive retreat may plan more sessions after its first dose, or none after the
    later ones: What waits counts by the course's plan, and says it."""
    course = people["course"]
    backend.care.update_course(course.id, CourseInput(
        course.kind, course.start_date, integration_after_first=3, integration_after_each=0),
        actor_id=None)
    _note(backend, people, "dosing", DAY)
    _note(backend, people, "ifs", DAY + dt.timedelta(days=1))
    assert _beyond_drafts(backend) == [
        (Waits.INTEGRATION, "D1", DAY, "Integration after D1: 1 of the 3 sessions planned")]
    item = backend.clients.waiting()[-1]
    assert why_it_waits(item).startswith("The course plans 3 integration sessions after D1.")
    _note(backend, people, "dosing", DAY + dt.timedelta(days=2))
    assert _beyond_drafts(backend) == []  # none planned after a later dose
    assert backend.clients.summaries()[0].awaiting_integration == 0


def test_a_dose_left_without_its_note_waits_and_can_be_written_again(
    backend: Backend, people: dict[str, Any]  # noqa: F811
) -> None:
    """Discarding a dosing draft keeps its dose while a note follows it; the dose then
    waits for its note, which is written on the dose (its day and number), once."""
    dosing = _note(backend, people, "dosing", DAY)
    dose_id = backend.notes.get(dosing).dosing_session_id
    _note(backend, people, "general", DAY + dt.timedelta(days=1))
    backend.notes.discard_draft(dosing, actor_id=None)
    waiting = backend.clients.waiting()
    unwritten = [w for w in waiting if w.kind is Waits.TO_WRITE]
    assert [(w.dosing_session_id, w.day, what_waits(w)) for w in unwritten] == [
        (dose_id, DAY, "Dosing note to write: D1")]
    # Listed among the notes, by date: before the general draft of the next day.
    assert [w.kind for w in waiting] == [Waits.TO_WRITE, Waits.TO_SIGN, Waits.INTEGRATION]
    written = backend.notes.create(people["client"].id, "dosing", author_id=people["doc"].id,
                                   dosing_session_id=dose_id,
                                   session_date=DAY + dt.timedelta(days=30)).value
    assert (written.dosing_session_id, written.session_date) == (dose_id, DAY)
    assert written.content["session_number"] == 1
    assert written.content["session_date"] == DAY.isoformat()
    assert [w.kind for w in backend.clients.waiting()] == [
        Waits.TO_SIGN, Waits.TO_SIGN, Waits.INTEGRATION]
    assert len(backend.care.courses(people["client"].id)[0].dosing_sessions) == 1
    with pytest.raises(DomainError, match="already has its dosing note"):
        backend.notes.create(people["client"].id, "dosing", author_id=None,
                             dosing_session_id=dose_id)


def test_the_note_written_on_a_dose_starts_from_the_last_signed_dosing_note(
    backend: Backend, people: dict[str, Any]  # noqa: F811
) -> None:
    """As a new dosing note does: the team and the route carry, from the last signed dosing
    note before the dose's day."""
    write(backend, people, "preparation", DAY - dt.timedelta(days=3), PREPARATION)
    write(backend, people, "dosing", DAY, dosing_content(DAY, 1))
    second = DAY + dt.timedelta(days=7)
    dosing = _note(backend, people, "dosing", second)
    dose_id = backend.notes.get(dosing).dosing_session_id
    _note(backend, people, "general", second + dt.timedelta(days=1))
    backend.notes.discard_draft(dosing, actor_id=None)
    written = backend.notes.create(people["client"].id, "dosing", author_id=people["doc"].id,
                                   dosing_session_id=dose_id, carry_forward=True).value
    assert (written.session_date, written.content["session_number"]) == (second, 2)
    assert (written.content["prescriber"], written.content["route"]) == (
        "Dr P", "intramuscular")
    assert "dose_mg" not in written.content  # this dose's figures are this session's


def test_doses_are_named_with_their_course_when_a_client_has_several(
    backend: Backend, people: dict[str, Any]  # noqa: F811
) -> None:
    course = people["course"]
    backend.care.update_course(course.id, CourseInput(course.kind, course.start_date, DAY),
                               actor_id=None)
    _note(backend, people, "dosing", DAY)
    later = DAY + dt.timedelta(days=60)
    backend.care.add_course(people["client"].id, CourseInput("intensive", later),
                            actor_id=None)
    _note(backend, people, "dosing", later)
    # The first course ended: only the second's dose waits.
    assert [label for _kind, label, _day, _said in _beyond_drafts(backend)] == ["C2 D1"]


def test_the_totals_count_each_kind_in_its_words() -> None:
    def item(kind: Waits) -> WaitingItem:
        return WaitingItem(1, "C-0001", "A", "active", DAY, kind)

    items = [item(Waits.TO_SIGN), item(Waits.INTEGRATION), item(Waits.TO_SIGN)]
    counts = totals(items)
    assert list(counts) == list(Waits)
    assert [totals_text(n, kind) for kind, n in counts.items() if n] == [
        "2 notes to sign", "1 dose awaiting integration"]
    assert totals_text(2, Waits.TO_WRITE) == "2 dosing notes to write"
    assert totals_text(1, Waits.FOLLOW_UP) == "1 safety follow-up open"
    assert "every dose has its integration sessions" in NOTHING_WAITS
