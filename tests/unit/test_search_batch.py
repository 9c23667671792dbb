"""Index entries held in a batch (search.batched) are those written one by one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from models import search_index
from models.backend import Backend
from models.inputs import ClientInput, TargetInput
from models.services import notes, search, targets

from ..conftest import TODAY


def _rows(session: Session) -> list[Any]:
    return [tuple(r) for r in session.execute(text(
        "SELECT rowid, body, private, client_id FROM search_index ORDER BY rowid"))]


def _write(session: Session, client_id: int) -> None:
    for label in ("Hallway at school", "The calm lake", "Kitchen argument"):
        targets.create_target(session, client_id, TargetInput(label=label), today=TODAY)
    note = notes.create_note(session, client_id, "general", author_id=None, today=TODAY,
                             content={"data": "Walked by the lake", "private_notes": "tired"})
    notes.save_draft(session, note.id, {"data": "Walked by the calm lake again"})


def test_a_batch_writes_the_entries_written_one_by_one(backend: Backend,
                                                       session: Session) -> None:
    client = backend.clients.create(ClientInput(name="Index Fixture"), actor_id=None).value
    _write(session, client.id)
    one_by_one = _rows(session)
    session.rollback()
    with search.batched(session):
        _write(session, client.id)
    assert _rows(session) == one_by_one and len(one_by_one) == 4


def test_a_search_inside_a_batch_finds_what_was_written(backend: Backend,
                                                        session: Session) -> None:
    client = backend.clients.create(ClientInput(name="Index Fixture"), actor_id=None).value
    with search.batched(session):
        _write(session, client.id)
        assert len(search.search(session, "lake").hits) == 2
        note_id = next(h.ref_id for h in search.search(session, "lake").hits
                       if h.kind == "note")
        notes.discard_draft(session, note_id, actor_id=None)
        targets.create_target(session, client.id, TargetInput(label="Lake house"),
                              today=TODAY)
    assert [h.kind for h in search.search(session, "lake").hits] == ["target", "target"]


def test_an_entry_without_words_removes_the_record_in_its_turn(session: Session) -> None:
    search_index.put_many(session.connection(), [
        ("target", 1, 1, "first words", ""),
        ("target", 1, 1, "", ""),  # its words cleared: out of the index
        ("target", 2, 1, "other words", ""),
        ("target", 3, 1, "", ""),
        ("target", 3, 1, "back again", ""),
    ])
    assert [row[0] for row in _rows(session)] == [
        search_index.rowid("target", 2), search_index.rowid("target", 3)]
