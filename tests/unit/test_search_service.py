"""Search across every note: what is indexed, keeping it current, and the query language."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from models.backend import Backend
from models.dto import SearchHit
from models.entities import TargetMemory
from models.errors import ValidationError
from models.inputs import (
    AddendumInput,
    ClientInput,
    PartInput,
    StatusChangeInput,
    TargetInput,
    search_terms,
    validate_search,
)
from models.search_text import bracketed_snippet, hit_kind, match_offsets, plain_snippet
from models.services import search, targets
from tests.conftest import MemoryStore

DAY = dt.date(2026, 10, 6)
SIGNABLE = {
    "session_date": DAY.isoformat(),
    "start_time": "10:00",
    "duration_minutes": 50,
    "delivery": "in_office",
    "suicidal_ideation": "denied",
    "homicidal_ideation": "denied",
    "data": "Dreamt of the lighthouse again; slept through the night.",
    "assessment": "Settling; the harbour image brings calm.",
    "plan": "Practise the calm-place resource each morning.",
    "private_notes": "My own urge to rescue came up when she cried.",
}


@pytest.fixture
def world(backend: Backend) -> dict[str, Any]:
    doc = backend.practice.create_clinician("Dr Search", "PsyD").value
    ada = backend.clients.create(ClientInput(name="Ada Lighthouse"), actor_id=None).value
    ben = backend.clients.create(ClientInput(name="Ben Harbour"), actor_id=None).value
    return {"doc": doc, "ada": ada, "ben": ben}


def _general(backend: Backend, client_id: int, content: dict[str, Any]) -> int:
    note = backend.notes.create(client_id, "general", author_id=None,
                                session_date=DAY).value
    backend.notes.save_draft(note.id, content)
    return note.id


def _find(backend: Backend, query: str, **kw: Any) -> list[SearchHit]:
    return list(backend.search.find(query, **kw).hits)


def test_a_saved_draft_is_found_with_its_client_date_kind_and_words_in_context(
        backend: Backend, world: dict[str, Any]) -> None:
    note_id = _general(backend, world["ada"].id, SIGNABLE)
    [hit] = _find(backend, "lighthouse")
    assert (hit.kind, hit.note_id, hit.client_id) == ("note", note_id, world["ada"].id)
    assert (hit.record_number, hit.client_name, hit.day) == ("C-0001", "Ada Lighthouse", DAY)
    assert hit.template_id == "general" and hit.note_status == "draft"
    assert hit_kind(hit) == "General integration note"
    assert "[lighthouse]" in bracketed_snippet(hit.snippet)
    words = plain_snippet(hit.snippet)
    start, end = match_offsets(hit.snippet)[0]
    assert words[start:end] == "lighthouse"


def test_the_index_follows_drafts_as_they_change_and_signing_keeps_them_found(
        backend: Backend, world: dict[str, Any]) -> None:
    note_id = _general(backend, world["ada"].id, SIGNABLE)
    backend.notes.save_draft(note_id, {**SIGNABLE, "data": "A quiet week by the sea."})
    assert _find(backend, "lighthouse") == []
    assert [h.note_id for h in _find(backend, "sea")] == [note_id]
    backend.notes.sign(note_id, clinician_id=world["doc"].id)
    [hit] = _find(backend, "sea")
    assert hit.note_status == "signed"


def test_a_discarded_draft_leaves_the_index(backend: Backend, world: dict[str, Any]) -> None:
    note_id = _general(backend, world["ada"].id, SIGNABLE)
    backend.notes.discard_draft(note_id, actor_id=None)
    assert _find(backend, "lighthouse") == []


def test_addenda_targets_and_parts_are_found_and_point_at_their_note_or_client(
        backend: Backend, world: dict[str, Any]) -> None:
    note_id = _general(backend, world["ben"].id, SIGNABLE)
    backend.notes.sign(note_id, clinician_id=world["doc"].id)
    backend.notes.add_addendum(note_id, AddendumInput(
        "correction", "Wrong dose recorded", "The ferry crossing was on Tuesday."),
        author_id=None)
    target = backend.targets.create(world["ben"].id, TargetInput(
        label="Ferry crossing, age 9", negative_cognition="I am trapped"), actor_id=None).value
    part = backend.parts.create(world["ben"].id, PartInput(
        "The Navigator", "manager", role="plots every crossing"), actor_id=None).value
    hits = {h.kind: h for h in _find(backend, "ferry")}
    assert set(hits) == {"addendum", "target"}
    assert hits["addendum"].note_id == note_id
    assert hit_kind(hits["addendum"]) == "Correction to General integration note"
    assert hits["target"].note_id is None and hits["target"].title == target.label
    [part_hit] = _find(backend, "crossing navigator")
    assert (part_hit.kind, part_hit.ref_id, hit_kind(part_hit)) == ("part", part.id, "IFS part")


def test_a_target_changed_by_a_signed_note_is_found_by_its_new_words(
        backend: Backend, world: dict[str, Any], session: Session) -> None:
    target = backend.targets.create(world["ada"].id, TargetInput(label="Old label"),
                                    actor_id=None).value
    row = session.get_one(TargetMemory, target.id)
    targets.change_definition(session, row, {"image": "The stairwell at dusk"})
    session.commit()
    assert [h.ref_id for h in _find(backend, "stairwell")] == [target.id]


def test_every_word_must_match_and_prefixes_and_phrases_work(
        backend: Backend, world: dict[str, Any]) -> None:
    _general(backend, world["ada"].id, SIGNABLE)
    _general(backend, world["ben"].id, {**SIGNABLE, "data": "Calmer mornings.",
                                        "assessment": "", "plan": "Place the calm first."})
    assert len(_find(backend, "calm")) == 2
    assert len(_find(backend, "calm lighthouse")) == 1  # every word
    assert len(_find(backend, "calm*")) == 2
    assert {h.client_name for h in _find(backend, "calmer")} == {"Ben Harbour"}
    assert {h.client_name for h in _find(backend, "lightho*")} == {"Ada Lighthouse"}
    # A phrase: the words together and in order ("calm-place" is tokenised as two words).
    assert {h.client_name for h in _find(backend, '"calm place"')} == {"Ada Lighthouse"}
    assert {h.client_name for h in _find(backend, '"place the cal*"')} == {"Ben Harbour"}
    # Case and accents do not matter.
    assert len(_find(backend, "LÍGHTHOUSE")) == 1
    # Nor a word's ending: a word finds its other forms, and is marked as found.
    assert len(_find(backend, "morning")) == 2  # "each morning", "Calmer mornings"
    assert {h.client_name for h in _find(backend, "nights")} == {"Ada Lighthouse"}
    [hit] = _find(backend, "lighthouses harbours")
    assert "[lighthouse]" in bracketed_snippet(hit.snippet)
    assert not _find(backend, "dreaming")  # "Dreamt" is another word, not a form of it


@pytest.mark.parametrize(("query", "says"), [
    ('"calm place', "closing quote"),
    ("ca*lm", "only at the end of a word"),
    ("*", "a few letters before *"),
    ("&& --", "Type a word"),
    ("x" * 201, "longer than 200"),
])
def test_a_query_that_cannot_be_read_gets_a_clear_message(
        backend: Backend, world: dict[str, Any], query: str, says: str) -> None:
    assert says in validate_search(query)["query"]
    with pytest.raises(ValidationError) as info:
        backend.search.find(query)
    assert says in info.value.problems["query"]


def test_what_a_person_types_never_reaches_fts5_as_syntax(
        backend: Backend, world: dict[str, Any]) -> None:
    _general(backend, world["ada"].id, {**SIGNABLE, "data": "NEAR the OR gate AND not"})
    for query in ("NEAR", "OR", "AND not", "body:lighthouse", "(calm", "a-b", "c++"):
        backend.search.find(query)  # no FTS5 syntax error, whatever the words
    assert [t.text for t in search_terms("body:lighthouse")] == ["body:lighthouse"]
    assert len(_find(backend, "OR gate")) == 1


def test_private_process_notes_are_found_marked_and_can_be_left_out(
        backend: Backend, world: dict[str, Any]) -> None:
    _general(backend, world["ada"].id, SIGNABLE)
    [hit] = _find(backend, "rescue")
    assert hit.in_private
    assert "[rescue]" in bracketed_snippet(hit.snippet)
    assert _find(backend, "rescue", include_private=False) == []
    [plain] = _find(backend, "lighthouse", include_private=False)
    assert not plain.in_private


def test_a_discharged_clients_notes_are_still_found_and_say_so(
        backend: Backend, world: dict[str, Any]) -> None:
    _general(backend, world["ada"].id, SIGNABLE)
    backend.clients.discharge(world["ada"].id, StatusChangeInput(DAY, "Course complete"),
                              actor_id=None)
    [hit] = _find(backend, "lighthouse")
    assert hit.client_status == "discharged"


def test_the_best_matches_come_first_and_more_is_said(
        backend: Backend, world: dict[str, Any]) -> None:
    for n in range(5):
        _general(backend, world["ada"].id, {**SIGNABLE, "data": "harbour " * (n + 1)})
    results = backend.search.find("harbour", limit=3)
    assert len(results.hits) == 3 and results.more
    assert plain_snippet(results.hits[0].snippet).count("harbour") >= 3


def test_rebuild_indexes_what_an_existing_vault_already_holds(
        store: MemoryStore, backend: Backend, world: dict[str, Any]) -> None:
    """The migration that adds the index fills it from the records already there."""
    note_id = _general(backend, world["ada"].id, SIGNABLE)
    with store.transaction() as session:
        conn = session.connection()
        conn.execute(text("DELETE FROM search_index"))
        # A note written before the index existed, straight into the table.
        conn.execute(text("UPDATE note SET content = :c WHERE id = :id"),
                     {"c": json.dumps({**SIGNABLE, "data": "An old word: albatross."}),
                      "id": note_id})
    assert _find(backend, "albatross") == []
    with store.transaction() as session:
        assert search.rebuild(session.connection()) >= 1
    assert [h.note_id for h in _find(backend, "albatross")] == [note_id]


def test_hebrew_and_arabic_are_found_with_or_without_their_vowel_marks(
        backend: Backend, world: dict[str, Any]) -> None:
    pointed, plain = "שָׁלוֹם", "שלום"
    voweled, bare = "مُحَمَّد", "محمد"
    _general(backend, world["ada"].id, {**SIGNABLE, "data": f"{pointed} and {voweled}"})
    _general(backend, world["ben"].id, {**SIGNABLE, "data": f"{plain} and {bare}"})
    for query in (pointed, plain, voweled, bare, f'"{plain} and {voweled}"'):
        assert {h.client_name for h in _find(backend, query)} == {
            "Ada Lighthouse", "Ben Harbour"}, query
    # The words in context read as written, without their marks.
    snippets = {plain_snippet(h.snippet) for h in _find(backend, plain)}
    assert all(plain in s and bare in s for s in snippets)
