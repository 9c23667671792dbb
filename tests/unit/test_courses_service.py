"""A course of care is changed after it starts: its goals revised, its end set (or cleared),
its kind or start put right; its dates always hold the doses given in it, and a dose after
a course has ended asks for a new course."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from models.api import Kind
from models.backend import Backend
from models.errors import DomainError, ValidationError
from models.inputs import ClientInput, CourseInput

START = dt.date(2026, 9, 1)


@pytest.fixture
def course(backend: Backend) -> dict[str, Any]:
    client = backend.clients.create(ClientInput(name="Course Fixture"), actor_id=None).value
    course = backend.care.add_course(client.id, CourseInput("spaced", START, None,
                                                            "Sleep through the night"),
                                     actor_id=None).value
    for day in (dt.date(2026, 9, 10), dt.date(2026, 9, 24)):
        backend.notes.create(client.id, "dosing", author_id=None, session_date=day)
    return {"client": client, "course": course}


def test_goals_end_and_kind_are_changed_and_audited(backend: Backend,
                                                    course: dict[str, Any]) -> None:
    done = backend.care.update_course(
        course["course"].id, CourseInput("intensive", START, dt.date(2026, 10, 1),
                                         "  Sleep; return to work  "), actor_id=None)
    assert done.changes.client_id == course["client"].id and done.changes.touches(Kind.CARE)
    changed = backend.care.courses(course["client"].id)[0]
    assert (changed.kind, changed.end_date, changed.goals) == (
        "intensive", dt.date(2026, 10, 1), "Sleep; return to work")
    assert len(changed.dosing_sessions) == 2
    event = backend.audit.trail(client_id=course["client"].id, limit=1).entries[0]
    assert (event.what, event.detail) == ("Course of care changed",
                                          "Changed: Kind, End date, Goals")
    # Nothing changed: nothing recorded.
    backend.care.update_course(course["course"].id, CourseInput(
        "intensive", START, dt.date(2026, 10, 1), "Sleep; return to work"), actor_id=None)
    assert backend.audit.trail(client_id=course["client"].id, limit=1).entries[0].id \
        == event.id


def test_the_dates_hold_every_dose_given_in_the_course(backend: Backend,
                                                      course: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as late_start:
        backend.care.update_course(course["course"].id, CourseInput(
            "spaced", dt.date(2026, 9, 15)), actor_id=None)
    assert late_start.value.problems == {"start_date": (
        "Dose D1 of this course was given on 10 Sep 2026; start the course on that day or "
        "earlier.")}
    with pytest.raises(ValidationError) as early_end:
        backend.care.update_course(course["course"].id, CourseInput(
            "spaced", START, dt.date(2026, 9, 20)), actor_id=None)
    assert early_end.value.problems == {"end_date": (
        "Dose D2 of this course was given on 24 Sep 2026; end the course on that day or "
        "later.")}
    with pytest.raises(ValidationError) as backwards:
        backend.care.update_course(course["course"].id, CourseInput(
            "spaced", START, dt.date(2026, 8, 1)), actor_id=None)
    assert "ends before it starts" in backwards.value.problems["end_date"]
    assert backend.care.courses(course["client"].id)[0].end_date is None  # nothing kept


def test_a_dose_after_the_course_ended_asks_for_a_new_course(backend: Backend,
                                                            course: dict[str, Any]) -> None:
    client_id = course["client"].id
    backend.care.update_course(course["course"].id, CourseInput(
        "spaced", START, dt.date(2026, 9, 30)), actor_id=None)
    with pytest.raises(DomainError) as refused:
        backend.notes.create(client_id, "dosing", author_id=None,
                             session_date=dt.date(2026, 10, 8))
    assert "latest course of care ended on 30 Sep 2026" in str(refused.value)
    assert "Start a new course of care" in str(refused.value)
    # On its last day a dose still belongs to it; a new course takes the later one.
    backend.notes.create(client_id, "dosing", author_id=None, session_date=dt.date(2026, 9, 30))
    backend.care.add_course(client_id, CourseInput("spaced", dt.date(2026, 10, 5)),
                            actor_id=None)
    backend.notes.create(client_id, "dosing", author_id=None, session_date=dt.date(2026, 10, 8))
    first, second = backend.care.courses(client_id)
    assert [d.number for d in first.dosing_sessions] == [1, 2, 3]
    assert [d.number for d in second.dosing_sessions] == [1]


def test_a_dose_re_dated_outside_its_course_is_not_signed(backend: Backend,
                                                         course: dict[str, Any]) -> None:
    client_id = course["client"].id
    backend.care.update_course(course["course"].id, CourseInput(
        "spaced", START, dt.date(2026, 9, 30)), actor_id=None)
    note = backend.notes.create(client_id, "dosing", author_id=None,
                                session_date=dt.date(2026, 9, 28)).value
    backend.notes.save_draft(note.id, {**note.content, "session_date": "2026-10-03"})
    problems = [p for p in backend.notes.check(note.id).problems
                if p.field_path == "session_date"]
    assert [p.message for p in problems] == [
        "This dose's course of care runs from 1 Sep 2026 to 30 Sep 2026; date the dose "
        "within it, or change the course's dates (Edit… on its card in the Overview)."]
    backend.notes.save_draft(note.id, {**note.content, "session_date": "2026-09-29"})
    assert not [p for p in backend.notes.check(note.id).problems
                if p.field_path == "session_date"]


def test_a_course_keeps_its_own_integration_plan_in_range(backend: Backend,
                                                         course: dict[str, Any]) -> None:
    fresh = backend.care.courses(course["client"].id)[0]
    assert (fresh.integration_after_first, fresh.integration_after_each) == (2, 1)
    for first, each in ((11, 1), (2, -1)):
        with pytest.raises(ValidationError) as error:
            backend.care.update_course(course["course"].id, CourseInput(
                "spaced", START, None, "Sleep through the night", first, each), actor_id=None)
        assert list(error.value.problems.values()) == [
            f"The integration sessions planned {after} run from 0 to 10; give a number in "
            "that range." for after in (["after the first dose"] if first > 10
                                        else ["after each later dose"])]
    backend.care.update_course(course["course"].id, CourseInput(
        "spaced", START, None, "Sleep through the night", 3, 0), actor_id=None)
    changed = backend.care.courses(course["client"].id)[0]
    assert (changed.integration_after_first, changed.integration_after_each) == (3, 0)
    event = backend.audit.trail(client_id=course["client"].id, limit=1).entries[0]
    assert event.detail == ("Changed: Integration sessions after the first dose, Integration "
                            "sessions after each later dose")
