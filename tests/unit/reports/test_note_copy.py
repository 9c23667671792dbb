"""A copy of one signed note: the note laid out from its template with its seal and signed
addenda, the header on every page, its private process notes left out unless asked, and
nothing of another note; a draft or another client's note is refused, and saving it is
audited with the note's day."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from models.backend import Backend
from models.clinical.signing import seal_text
from models.errors import NotFoundError, ValidationError
from models.formatting import date_text
from models.inputs import ClientInput, ReportOptions, validate_report_options
from reports.render import render_report
from tests.conftest import TODAY
from tests.unit.reports.conftest import pages_text


def _client_notes(backend: Backend, record_number: str) -> tuple[int, list[Any]]:
    client_id = backend.clients.find(record_number).id
    return client_id, list(backend.clients.chart(client_id).notes)


@pytest.fixture(scope="module")
def copied(practice: Backend) -> tuple[Any, list[str], list[Any]]:
    """A demo client's signed note that was given an addendum, copied."""
    client_id, notes = _client_notes(practice, "C-0002")
    note = [n for n in notes if n.signed and n.addenda][-1]
    data = practice.reports.data(client_id, ReportOptions(
        kind="note", note_id=note.id, practice="Harbour Light Practice"))
    return note, pages_text(render_report(data)), notes


def test_the_copy_holds_the_note_its_seal_and_nothing_of_another_note(
        copied: tuple[Any, list[str], list[Any]]) -> None:
    note, pages, notes = copied
    text = "\n".join(pages)
    day = date_text(note.session_date)
    assert "Copy of a signed note" in pages[0]
    assert f"The note of {day}, as signed" in pages[0]
    for number, page in enumerate(pages, start=1):
        for expected in ("CONFIDENTIAL", "Harbour Light Practice", f"session of {day}",
                         f"Page {number} of {len(pages)}"):
            assert expected in page, f"page {number} lacks {expected!r}"
    seal = seal_text(note.content_hash)
    assert seal and seal[:20] in text.replace("\n", " ")
    assert "Risk check" in text and "Suicidal ideation" in text
    [addendum] = note.addenda
    assert "Addenda" in text and addendum.reason[:30] in text.replace("\n", " ")
    assert "Signature" in pages[-1] and "signed and locked" in text
    others = [n for n in notes if n.signed and n.id != note.id
              and n.session_date != note.session_date]
    assert all(f"{n.session_date:%A} {n.session_date.day} " not in text for n in others[:5])


def test_only_a_signed_note_of_this_client_is_copied(practice: Backend) -> None:
    assert validate_report_options(ReportOptions(kind="note"), today=TODAY) == {
        "note_id": "Choose the signed note to copy."}
    client_id, _notes = _client_notes(practice, "C-0001")
    other_id, other_notes = _client_notes(practice, "C-0002")
    theirs = next(n for n in other_notes if n.signed)
    with pytest.raises(NotFoundError, match="not in this client's record"):
        practice.reports.data(client_id, ReportOptions(kind="note", note_id=theirs.id))
    assert other_id != client_id


def test_a_draft_is_not_copied(backend: Backend) -> None:
    client = backend.clients.create(ClientInput(name="Draft Holder"), actor_id=None).value
    draft = backend.notes.create(client.id, "general", author_id=None).value
    with pytest.raises(ValidationError) as refused:
        backend.reports.data(client.id, ReportOptions(kind="note", note_id=draft.id))
    assert "Only a signed note can be copied" in refused.value.problems["note_id"]


def test_private_process_notes_only_when_asked(practice: Backend) -> None:
    client_id, notes = _client_notes(practice, "C-0001")
    private = [n for n in notes if n.signed and n.content.get("private_notes")]
    if not private:
        pytest.skip("the demo client has no note with private process notes")
    note = private[-1]
    words = str(note.content["private_notes"]).split()[:4]
    options = ReportOptions(kind="note", note_id=note.id)
    left_out = "\n".join(pages_text(render_report(practice.reports.data(client_id, options))))
    shown = "\n".join(pages_text(render_report(practice.reports.data(
        client_id, dataclasses.replace(options, include_private=True)))))
    phrase = " ".join(words)
    assert phrase not in left_out.replace("\n", " ")
    assert phrase in shown.replace("\n", " ")


def test_saving_a_copy_is_audited_with_the_note_s_day(practice: Backend) -> None:
    client_id, notes = _client_notes(practice, "C-0001")
    note = next(n for n in notes if n.signed)
    practice.reports.record(client_id, ReportOptions(kind="note", note_id=note.id), "saved",
                            protected=False, actor_id=None)
    [entry] = [e for e in practice.audit.trail(client_id=client_id).entries
               if e.action == "report.saved"]
    assert entry.detail == (f"Copy of a signed note of {date_text(note.session_date)}; "
                            "no password")
