"""Notes written and signed in a batch (notes.write_signed_note, new rows held by
rows.batched) are the notes that create_note then sign_note make, each row written as it
comes: the same rows, figures, hashes, index entries and audit events, under the same
signing rules."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from typing import Any

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import audit, demo
from models.backend import Backend
from models.clinical.safety import CLEARANCE_CHECK
from models.entities import Base, DosingSession, Note
from models.errors import SigningError, ValidationError
from models.inputs import ClientInput, CourseInput, DosingInput
from models.services import care, notes, parts, rows, search

from ..conftest import TODAY, MemoryStore
from .test_notes_service import COMMON, dosing_content
from .test_signing_safety import PREPARATION

DAY = dt.date(2026, 10, 20)

# Written when the row is written, not by what the note says: they differ between any
# two runs, whichever path wrote them.
VOLATILE = {"created_at", "updated_at", "signed_at", "occurred_at", "changed_at",
            "prev_hash", "hash"}


def _one_by_one(session: Session, client_id: int, template_id: str, *, clinician_id: int,
                content: Any, today: dt.date, dosing_session_id: int | None = None,
                session_date: dt.date | None = None, course_id: int | None = None) -> int:
    """The interactive path: a draft created, then signed, each a step of its own."""
    note = notes.create_note(session, client_id, template_id, author_id=clinician_id,
                             dosing_session_id=dosing_session_id, session_date=session_date,
                             course_id=course_id, today=today, content=content)
    return notes.sign_note(session, note.id, clinician_id=clinician_id).id


def _practice(monkeypatch: pytest.MonkeyPatch, *, batched: bool) -> dict[str, list[Any]]:
    """A small demo practice, every table's rows (volatile columns left out)."""
    store = MemoryStore()
    with monkeypatch.context() as patch:
        if not batched:
            patch.setattr(notes, "write_signed_note", _one_by_one)
            patch.setattr(rows, "batched", lambda _session: nullcontext())
            patch.setattr(notes, "batched", lambda _session: nullcontext())
            patch.setattr(parts, "batched", lambda _session: nullcontext())
        with store.transaction() as session:
            demo.generate_demo(session, demo.DemoPlan(clients=3, seed=4, today=TODAY))
    with store.snapshot() as session:
        assert audit.verify_chain(session).ok
        tables: dict[str, list[Any]] = {}
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in VOLATILE]
            # An addendum's hash covers the time it was added.
            columns = [c for c in columns if (table.name, c.name) != ("addendum", "content_hash")]
            tables[table.name] = [tuple(r) for r in session.execute(
                select(*columns).order_by(*table.primary_key.columns))]
        tables["search_index"] = [tuple(r) for r in session.execute(text(
            "SELECT rowid, body, private, client_id FROM search_index ORDER BY rowid"))]
    store.close()
    return tables


def test_a_batch_writes_the_practice_that_note_by_note_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    by_one = _practice(monkeypatch, batched=False)
    batched = _practice(monkeypatch, batched=True)
    assert by_one["note"] and by_one["dosing_vital"] and by_one["target_rating"]
    assert any("note.sign" in row for row in by_one["audit_event"])
    for table, written in by_one.items():
        assert batched[table] == written, table


@pytest.fixture
def people(backend: Backend) -> dict[str, int]:
    doc = backend.practice.create_clinician("Dr Batch", "PsyD").value
    client = backend.clients.create(ClientInput(name="Batch Fixture"), actor_id=None).value
    return {"doc": doc.id, "client": client.id}


def _general(**changes: Any) -> dict[str, Any]:
    return {**COMMON, "session_date": "2026-10-20",
            "data": "Talked about the calm place by the lake.",
            "assessment": "Settling.", "plan": "Keep the morning walks.", **changes}


def test_a_batch_signed_note_is_signed_locked_audited_and_found(
    session: Session, people: dict[str, int]
) -> None:
    with audit.batched(session):
        note_id = notes.write_signed_note(
            session, people["client"], "general", clinician_id=people["doc"],
            content=_general(), today=TODAY, session_date=dt.date(2026, 10, 20))
    session.commit()
    note = notes.get_note(session, note_id)
    assert note.status == "signed" and note.signed_by_id == people["doc"]
    assert notes.verify_note_hash(note)
    actions = [e.action for e in audit.events(session, client_id=people["client"])]
    assert actions[-2:] == ["note.create", "note.sign"]
    assert [(h.kind, h.ref_id) for h in search.search(session, "lake").hits] == [("note", note_id)]
    with pytest.raises(IntegrityError, match="signed note is locked"):
        session.execute(text("UPDATE note SET content = '{}' WHERE id = :id"), {"id": note_id})
    session.rollback()


def test_a_batch_refuses_what_signing_refuses(session: Session, people: dict[str, int]) -> None:
    content = _general()
    del content["plan"]
    with pytest.raises(SigningError):
        notes.write_signed_note(session, people["client"], "general",
                                clinician_id=people["doc"], content=content, today=TODAY)
    session.flush()
    drafts = session.scalars(select(Note).where(Note.client_id == people["client"])).all()
    assert [n.status for n in drafts] == ["draft"]
    assert inspect(drafts[0]).persistent


def test_a_batch_refuses_broken_text_as_a_flush_does(
    session: Session, people: dict[str, int]
) -> None:
    """The signed note is written without a flush: the flush's text check still runs."""
    with pytest.raises(ValidationError) as raised:
        notes.write_signed_note(session, people["client"], "general",
                                clinician_id=people["doc"], today=TODAY,
                                content=_general(data="Calm place\ud800 by the lake."))
    assert "note.content" in raised.value.problems
    session.flush()
    assert session.scalars(select(Note).where(Note.client_id == people["client"])).all() == []


# --------------------------------------------------------------------------- the record kept


def _dose(session: Session, people: dict[str, int], day: dt.date, course_id: int,
          **content: Any) -> int:
    return notes.write_signed_note(
        session, people["client"], "dosing", clinician_id=people["doc"], today=TODAY,
        content={k: v for k, v in dosing_content(day, 1, **content).items()
                 if k != "session_number"},
        session_date=day, course_id=course_id)


def _numbers(session: Session, course_id: int) -> list[tuple[int, dt.date | None]]:
    return [(d.number, d.session_date) for d in session.scalars(
        select(DosingSession).where(DosingSession.course_id == course_id)
        .order_by(DosingSession.id))]


def test_a_batch_asks_for_the_clearance_of_each_course_first_dose_only(
    session: Session, people: dict[str, int]
) -> None:
    """The batch keeps the course's doses and the client's signed preparations as it
    writes them: the first dose needs the clearance, signed in the same batch or not."""
    course = care.add_course(session, people["client"], CourseInput(
        "spaced", DAY - dt.timedelta(days=10)), actor_id=None)
    with notes.batched(session), rows.batched(session):
        with pytest.raises(SigningError) as refused:
            _dose(session, people, DAY, course.id)
        assert [c.check_id for c in refused.value.cautions] == [CLEARANCE_CHECK]
        notes.discard_draft(session, session.scalars(select(Note.id)).one(), actor_id=None)
        notes.write_signed_note(session, people["client"], "preparation",
                                clinician_id=people["doc"], today=TODAY,
                                content={**PREPARATION, "session_date": "2026-10-17"},
                                session_date=DAY - dt.timedelta(days=3), course_id=course.id)
        _dose(session, people, DAY, course.id)
        later = DAY + dt.timedelta(days=7)
        _dose(session, people, later, course.id)  # not the first: no clearance asked
        # A dose entered in Measures, past the notes service, is counted too.
        care.add_dosing_session(session, course.id, DosingInput(
            session_date=later + dt.timedelta(days=7), route="intramuscular", dose_mg=50.0),
            actor_id=None)
        _dose(session, people, later + dt.timedelta(days=14), course.id)
    assert _numbers(session, course.id) == [
        (1, DAY), (2, later), (3, later + dt.timedelta(days=7)),
        (4, later + dt.timedelta(days=14))]


def test_a_batch_sees_a_dose_moved_by_its_draft(
    session: Session, people: dict[str, int]
) -> None:
    """A dosing draft moved past another dose makes that one the course's first."""
    course = care.add_course(session, people["client"], CourseInput(
        "spaced", DAY - dt.timedelta(days=10)), actor_id=None)

    def draft(day: dt.date) -> int:
        return notes.create_note(session, people["client"], "dosing", author_id=people["doc"],
                                 today=TODAY, session_date=day, course_id=course.id,
                                 content=dosing_content(day, 1)).id

    def asks_for_clearance(note_id: int) -> bool:
        return CLEARANCE_CHECK in [c.check_id for c in
                                   notes.signing_check(session, note_id).cautions]

    with notes.batched(session), rows.batched(session):
        first, second = draft(DAY), draft(DAY + dt.timedelta(days=7))
        assert asks_for_clearance(first) and not asks_for_clearance(second)
        moved = DAY + dt.timedelta(days=14)
        notes.save_draft(session, first, {**dosing_content(moved, 1), "session_number": 1})
        assert asks_for_clearance(second) and not asks_for_clearance(first)
