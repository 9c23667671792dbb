"""Every place text comes in, fed any text at all (NUL, lone surrogates, zero-width
characters, any script): it is stored exactly as the service keeps it, or refused with a
ValidationError that names the field and never quotes the text. Nothing else escapes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from models import migrations
from models.errors import DomainError, ValidationError
from models.inputs import (
    AddendumInput,
    ClientInput,
    CourseInput,
    CustomMeasureInput,
    MeasureInput,
    PartInput,
    TargetInput,
    words_match,
)
from models.services import care, clients, clinicians, measures, notes, parts, targets
from models.values import has_visible_text, text_problem

MARKER = "Qz7Marker"
DAY = dt.date(2026, 3, 10)
GENERAL = {"session_date": DAY.isoformat(), "start_time": "10:00", "duration_minutes": 50,
           "delivery": "in_office", "suicidal_ideation": "denied",
           "homicidal_ideation": "denied", "data": "d", "assessment": "a", "plan": "p"}

# Any character, surrogates and controls included; half the texts carry a marker so that a
# refusal can be checked for not quoting what was typed.
ANY_CHAR = st.characters(codec=None, categories=None)
RAW = st.text(ANY_CHAR, max_size=40) | st.sampled_from(
    ["", "   ", "\x00", "\u200b\u200c\u200d", "\ufeff", "\ud800", "a\udfffb", "C-0001",
     "c-0001", "\u00a0\u2028"])
TEXT = RAW | RAW.map(lambda t: f"{MARKER}{t}")

EXAMPLES = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    engine = create_engine("sqlite://")

    @event.listens_for(engine, "connect")
    def _fk(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA foreign_keys = ON")

    with engine.begin() as conn:
        migrations.upgrade_to_head(conn)
    yield engine
    engine.dispose()


def _attempt(engine: Engine, text: str, work: Callable[[Session], object]) -> None:
    """Run work; on refusal, check the message; always leave the database as it was."""
    with Session(engine) as session:
        try:
            work(session)
        except ValidationError as exc:
            assert exc.problems, "a refusal names its fields"
            assert MARKER not in str(exc)
            for message in exc.problems.values():
                assert MARKER not in message
        except DomainError as exc:
            assert MARKER not in str(exc)
        finally:
            session.rollback()


def _storable(text: str) -> bool:
    return text_problem(text) is None


def _kept(stored: str, typed: str) -> bool:
    """As typed, or without the surrounding spaces (each service decides which)."""
    return stored in (typed, typed.strip())


@EXAMPLES
@given(name=TEXT, other=TEXT)
def test_a_client_of_any_text(engine: Engine, name: str, other: str) -> None:
    def work(s: Session) -> None:
        data = ClientInput(name=name, preferred_name=other, pronouns=other[:40],
                                   contact=other, emergency_contact=other, diagnoses=other)
        created = clients.create_client(s, today=DAY, data=data)
        s.flush()
        s.expire_all()
        again = clients.get_client(s, created.id)
        assert _kept(again.name, name) and _kept(again.diagnoses, other)
        assert has_visible_text(name) and _storable(name) and _storable(other)
        updated = clients.update_client(s, created.id, today=DAY, data=ClientInput(name=other))
        assert _kept(updated.name, other)

    _attempt(engine, name, work)


@EXAMPLES
@given(record_number=TEXT)
def test_a_record_number_of_any_text(engine: Engine, record_number: str) -> None:
    def work(s: Session) -> None:
        clients.create_client(s, today=DAY, data=ClientInput(name="Ada Example"),
                              record_number="C-0001")
        created = clients.create_client(s, today=DAY, data=ClientInput(name="Basil Sample"),
                                        record_number=record_number)
        assert _kept(created.record_number, record_number)
        assert created.record_number.upper() != "C-0001"

    _attempt(engine, record_number, work)


@EXAMPLES
@given(name=TEXT, credentials=TEXT, goals=TEXT)
def test_a_clinician_and_a_course_of_any_text(engine: Engine, name: str, credentials: str,
                                              goals: str) -> None:
    def work(s: Session) -> None:
        doc = clinicians.create_clinician(s, name, credentials, credentials)
        assert _kept(doc.name, name) and _kept(doc.credentials, credentials)
        client = clients.create_client(s, today=DAY, data=ClientInput(name="Course Fixture"))
        course = care.add_course(s, client.id, CourseInput("spaced", DAY, None, goals))
        assert _kept(course.goals, goals)

    _attempt(engine, name + goals, work)


@EXAMPLES
@given(label=TEXT, words=TEXT)
def test_targets_and_parts_of_any_text(engine: Engine, label: str, words: str) -> None:
    def work(s: Session) -> None:
        client = clients.create_client(s, today=DAY, data=ClientInput(name="Registry Fixture"))
        target = targets.create_target(s, client.id, today=DAY, data=TargetInput(
            label=label, image=words, negative_cognition=words, emotions=words))
        assert _kept(target.label, label)
        part = parts.create_part(s, client.id, today=DAY, data=PartInput(
            name=label, role=words, fears=words))
        assert _kept(part.name, label)

    _attempt(engine, label + words, work)


@EXAMPLES
@given(value=TEXT, key=TEXT)
def test_a_draft_note_of_any_text(engine: Engine, value: str, key: str) -> None:
    def work(s: Session) -> None:
        client = clients.create_client(s, today=DAY, data=ClientInput(name="Note Fixture"))
        note = notes.create_note(s, client.id, "general", author_id=None, session_date=DAY,
                                 today=DAY)
        content = {**GENERAL, "data": value, "private_notes": [value, {key: value}]}
        notes.save_draft(s, note.id, content)
        s.flush()
        s.expire_all()
        assert notes.get_note(s, note.id).content == content

    _attempt(engine, value + key, work)


@EXAMPLES
@given(reason=TEXT, text=TEXT)
def test_an_addendum_and_an_entered_in_error_reason_of_any_text(
    engine: Engine, reason: str, text: str
) -> None:
    def work(s: Session) -> None:
        doc = clinicians.create_clinician(s, "Dr Text")
        client = clients.create_client(s, today=DAY, data=ClientInput(name="Addendum Fixture"))
        note = notes.create_note(s, client.id, "general", author_id=doc.id, session_date=DAY,
                                 today=DAY)
        notes.save_draft(s, note.id, GENERAL)
        notes.sign_note(s, note.id, clinician_id=doc.id)
        added = notes.add_addendum(s, note.id, AddendumInput("addendum", reason, text),
                                   author_id=doc.id)
        assert _kept(added.reason, reason) and _kept(added.text, text)
        scored = measures.record_administration(s, client.id, MeasureInput(
            "gad7", DAY, "integration", dict.fromkeys(range(1, 8), 1)), today=DAY)
        marked = measures.mark_entered_in_error(s, scored.administration.id, reason)
        assert _kept(marked.entered_in_error_reason or "", reason)
        measures.create_custom_instrument(s, CustomMeasureInput(text, 0, 10, True))

    _attempt(engine, reason + text, work)


@EXAMPLES
@given(term=TEXT)
def test_finding_a_client_by_any_text(engine: Engine, term: str) -> None:
    def work(s: Session) -> None:
        clients.create_client(s, today=DAY, data=ClientInput(name="Ada Example"),
                              record_number="C-0001")
        found = clients.list_clients(s, today=DAY, search=term)
        assert all(words_match(term, c.name, c.preferred_name, c.record_number)
                   for c in found)
        detail = clients.find_client_by_record_number(s, term)
        assert detail.record_number.upper() == term.strip().upper()

    _attempt(engine, term, work)


@settings(max_examples=200, deadline=None)
@given(text=st.text(ANY_CHAR))
def test_text_problem_is_exactly_what_cannot_be_stored(text: str) -> None:
    problem = text_problem(text)
    try:
        text.encode("utf-8")
        encodable = True
    except UnicodeEncodeError:
        encodable = False
    assert (problem is None) == (encodable and "\x00" not in text)
    if problem is not None and len(text) > 3:
        assert text not in problem


def test_names_of_only_invisible_characters_are_refused_with_a_clear_message(
    engine: Engine
) -> None:
    for name in ("\x00", "\u200b\u200c", "\ufeff \u2060", "\ud800"):
        with Session(engine) as s, pytest.raises(ValidationError) as info:
            clients.create_client(s, today=DAY, data=ClientInput(name=name))
        assert set(info.value.problems) == {"name"}
        assert "IntegrityError" not in str(info.value)


def test_a_record_number_taken_in_another_case_is_a_validation_error(engine: Engine) -> None:
    with Session(engine) as s:
        clients.create_client(s, today=DAY, data=ClientInput(name="Ada Example"),
                              record_number="C-0042")
        for duplicate in ("C-0042", "c-0042", " C-0042 "):
            with pytest.raises(ValidationError) as info:
                clients.create_client(s, today=DAY, data=ClientInput(name="Basil Sample"),
                                      record_number=duplicate)
            assert set(info.value.problems) == {"record_number"}
            assert "0042" not in str(info.value)
        s.rollback()


def test_record_numbers_past_c9999_are_counted_as_numbers(engine: Engine) -> None:
    with Session(engine) as s:
        for number in ("C-9998", "C-9999", "C-10000", "C-x7", "C-²"):
            clients.create_client(s, today=DAY, data=ClientInput(name="Many Clients"),
                                  record_number=number)
        for name, expected in (("Next One", "C-10001"), ("And Next", "C-10002")):
            created = clients.create_client(s, today=DAY, data=ClientInput(name=name))
            assert created.record_number == expected
        s.rollback()
