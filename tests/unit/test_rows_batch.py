"""Rows held in a block (rows.batched) are the rows written one by one: the same ids and
values, seen by every ORM read and flush in the block, checked by the same constraints."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.backend import Backend
from models.entities import (
    Addendum,
    Client,
    DosingSession,
    MeasureAdministration,
    Note,
    TargetRating,
)
from models.inputs import AddendumInput, ClientInput, CourseInput
from models.services import care, notes, rows

from ..conftest import TODAY
from .test_notes_service import COMMON

DAY = dt.date(2026, 10, 20)


@pytest.fixture
def people(backend: Backend) -> dict[str, int]:
    doc = backend.practice.create_clinician("Dr Rows", "PsyD").value
    client = backend.clients.create(ClientInput(name="Rows Fixture"), actor_id=None).value
    return {"doc": doc.id, "client": client.id}


def _general(day: dt.date = DAY, **changes: Any) -> dict[str, Any]:
    return {**COMMON, "session_date": day.isoformat(), "data": "Walked by the lake.",
            "assessment": "Settling.", "plan": "Keep the morning walks.", **changes}


def _signed(session: Session, people: dict[str, int], day: dt.date = DAY) -> int:
    return notes.write_signed_note(session, people["client"], "general",
                                   clinician_id=people["doc"], content=_general(day),
                                   session_date=day, today=TODAY)


# Written when the row is written (or a hash over that time): differ between any two runs.
VOLATILE = {"created_at", "updated_at", "signed_at", "content_hash"}


def _stored(session: Session, table: str) -> list[Any]:
    """The table as the database holds it, read past the ORM (and so past the block)."""
    found = session.connection().execute(text(f"SELECT * FROM {table} ORDER BY 1"))
    return [tuple(v for k, v in r._mapping.items() if k not in VOLATILE) for r in found]


def _write_a_few(session: Session, people: dict[str, int]) -> None:
    first = _signed(session, people)
    notes.add_addendum(session, first, AddendumInput(
        kind="addendum", reason="Called back.", text="Slept badly after all."),
        author_id=people["doc"])
    notes.create_note(session, people["client"], "general", author_id=people["doc"],
                      today=TODAY, content=_general())  # a draft: the ORM's own flush
    _signed(session, people, DAY + dt.timedelta(days=1))


def test_a_block_writes_the_rows_written_one_by_one(
    session: Session, people: dict[str, int]
) -> None:
    _write_a_few(session, people)
    session.flush()
    one_by_one = {t: _stored(session, t) for t in ("note", "addendum")}
    session.rollback()
    with rows.batched(session):
        _write_a_few(session, people)
    session.flush()
    for table, expected in one_by_one.items():
        assert _stored(session, table) == expected, table
    assert [r[0] for r in one_by_one["note"]] == [1, 2, 3]  # the draft took id 2


def test_held_rows_wait_for_the_end_of_the_block_or_a_read(
    session: Session, people: dict[str, int]
) -> None:
    with rows.batched(session):
        note_id = _signed(session, people)
        assert _stored(session, "note") == []  # held
        assert [n.id for n in notes.list_notes(session, people["client"])] == [note_id]
        assert [r[0] for r in _stored(session, "note")] == [note_id]  # the read wrote it
        second = _signed(session, people)
        rows.write_pending(session)
        assert [r[0] for r in _stored(session, "note")] == [note_id, second]


def test_a_change_to_a_held_row_is_written_with_it(
    session: Session, people: dict[str, int]
) -> None:
    course = care.add_course(session, people["client"], CourseInput(
        "spaced", DAY, None, "Sleep through the night."), actor_id=None)
    with rows.batched(session):
        dosing = DosingSession(course_id=course.id, number=1, session_date=DAY, route="",
                               vitals=[], boosters=[])
        rows.write_new(session, dosing)
        rows.write_changes(session, dosing, {"route": "intramuscular"})
        assert _stored(session, "dosing_session") == []
    stored = session.scalars(select(DosingSession)).one()
    assert (stored.id, stored.route) == (dosing.id, "intramuscular")


def test_a_held_row_naming_nothing_fails_at_commit(
    session: Session, people: dict[str, int]
) -> None:
    """Foreign keys are checked when the transaction commits, not given up."""
    note_id = _signed(session, people)
    session.commit()
    with rows.batched(session):
        rows.insert_rows(session, TargetRating, [
            {"target_id": 999, "note_id": note_id, "rated_on": DAY, "point": "start",
             "sud": 5, "voc": 3}])
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        session.commit()
    session.rollback()


def test_a_held_row_is_written_after_the_held_rows_its_triggers_read(
    session: Session, people: dict[str, int]
) -> None:
    """An addendum's trigger reads its note (it must be signed): a read of the addenda
    alone writes the held note first."""
    kept: list[object] = []  # the note stays in the session: no read of it writes it
    event.listen(session, "detached_to_persistent", lambda _s, row: kept.append(row))
    with rows.batched(session):
        note_id = _signed(session, people)
        notes.add_addendum(session, note_id, AddendumInput(
            kind="addendum", reason="Called back.", text="More detail."),
            author_id=people["doc"])
        assert _stored(session, "note") == []
        assert [a.note_id for a in session.scalars(select(Addendum))] == [note_id]
        assert [r[0] for r in _stored(session, "note")] == [note_id]


def test_a_block_that_fails_writes_nothing(session: Session, people: dict[str, int]) -> None:
    with pytest.raises(RuntimeError), rows.batched(session):
        _signed(session, people)
        raise RuntimeError("stopped part-way")
    assert _stored(session, "note") == []


def test_a_held_row_is_stamped_when_it_is_held_not_when_written(
    session: Session, people: dict[str, int]
) -> None:
    """A measure entered before a note is signed stays entered before it (what answers a
    PHQ-9 item 9 depends on it), however late the block writes the measure."""
    with rows.batched(session):
        measure_id = rows.insert_row(session, MeasureAdministration, {
            "client_id": people["client"], "instrument_id": "phq9",
            "instrument_version": 1, "administered_on": DAY, "relation_to_care": "baseline"})
        note_id = _signed(session, people)
    entered = session.get_one(MeasureAdministration, measure_id).created_at
    assert entered <= session.get_one(Note, note_id).signed_at  # type: ignore[operator]


@pytest.mark.parametrize("held", [False, True], ids=["at once", "held"])
def test_a_change_written_past_the_flush_is_stamped_as_a_flush_stamps_it(
    session: Session, people: dict[str, int], held: bool
) -> None:
    """A column the flush stamps on every update (the client's updated_at) is stamped by
    a plain UPDATE too, and by a change to a held row."""
    long_ago = dt.datetime(2020, 1, 1)
    with rows.batched(session) if held else contextlib.nullcontext():
        if held:
            client = Client(record_number="C-HELD", name="Held Fixture")
            rows.write_new(session, client)
            rows.write_changes(session, client, {"updated_at": long_ago})
        else:
            client = session.get_one(Client, people["client"])
            rows.write_changes(session, client, {"updated_at": long_ago})
        rows.write_changes(session, client, {"diagnoses": "F43.1"})
        client_id = client.id
    stamped = session.connection().execute(
        text("SELECT updated_at, diagnoses FROM client WHERE id = :id"), {"id": client_id}).one()
    assert stamped.diagnoses == "F43.1"
    assert dt.datetime.fromisoformat(stamped.updated_at) > long_ago
    assert client.updated_at > long_ago
