"""The audit trail report: one client's events of the period in the order they happened, the
reports that left the vault, whether the chain holds, the header on every page, and only
this client's events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from models import audit
from models.backend import Backend
from models.clock import FixedClock
from models.entities import VaultInfo
from models.inputs import ClientInput, ReportOptions, TargetInput
from reports.render import render_report
from tests.conftest import MemoryStore
from tests.unit.reports.conftest import pages_text

GENERAL = {
    "start_time": "10:00", "duration_minutes": 50, "delivery": "in_office",
    "suicidal_ideation": "denied", "homicidal_ideation": "denied",
    "data": "Slept through the night.", "assessment": "Settling.", "plan": "Practise.",
}


@pytest.fixture
def trail_world(store: MemoryStore, session: Session) -> dict[str, Any]:
    """Events happen in real time: the backend's today is the real one."""
    session.add(VaultInfo(vault_uuid="test", created_by_app="test"))
    session.commit()
    today = dt.date.today()
    backend = Backend(store, clock=FixedClock(today))
    doc = backend.practice.create_clinician("Dr Audit", "PsyD").value
    ada = backend.clients.create(ClientInput(name="Ada Audited"), actor_id=doc.id).value
    ben = backend.clients.create(ClientInput(name="Ben Elsewhere"), actor_id=doc.id).value
    for number in range(30):  # enough events for a second page
        backend.targets.create(ada.id, TargetInput(label=f"Memory {number:02d}"),
                               actor_id=doc.id)
    note = backend.notes.create(ada.id, "general", author_id=doc.id, session_date=today).value
    backend.notes.save_draft(note.id, {**GENERAL, "session_date": today.isoformat()})
    backend.notes.sign(note.id, clinician_id=doc.id)
    backend.reports.record(ada.id, ReportOptions(kind="prescriber", start=today, end=today),
                           "printed", protected=False, actor_id=doc.id)
    backend.targets.create(ben.id, TargetInput(label="Ben's own memory"), actor_id=doc.id)
    with store.transaction() as writing:  # as File › Export records it
        audit.record(writing, "vault.export", detail="private_notes=left_out")
        audit.record(writing, "vault.backup")  # encrypted, kept by the practice: not listed
    return {"backend": backend, "ada": ada, "today": today}


def _report(world: dict[str, Any], **options: Any) -> list[str]:
    today = world["today"]
    data = world["backend"].reports.data(world["ada"].id, ReportOptions(
        kind="audit", start=options.pop("start", today), end=today, **options))
    return pages_text(render_report(data))


def test_the_clients_events_in_order_with_the_reports_that_left(
        trail_world: dict[str, Any]) -> None:
    pages = _report(trail_world)
    assert len(pages) >= 2
    for page in pages:  # the header on every page
        assert "CONFIDENTIAL" in page and "Audit trail" in page
        assert "Ada Audited" in page and trail_world["ada"].record_number in page
        assert f"of {len(pages)}" in page
    whole = "\n".join(pages)
    assert "holds: checked when this document was made" in whole
    whole = " ".join(whole.split())  # words wrapped in a cell, joined again
    left = whole[whole.index("What left the vault"):whole.index("Every event in the period")]
    assert "Report printed" in left and "Prescriber's summary" in left
    assert "Practice exported (not encrypted)" in left
    assert "Private process notes left out" in left
    assert "Backup written" not in whole  # the practice's other events are not this record's
    assert "35 events, in the order they happened" in whole
    first, memory, signed = (whole.index("Client added"), whole.index("Memory 00"),
                             whole.index("Note signed and locked"))
    assert first < memory < whole.index("Memory 29") < signed
    assert "Dr Audit" in whole
    assert "Ben" not in whole  # another client's events are not this record's
    assert "Signature" in whole and "audit trail kept in the practice's vault" in whole


def test_a_period_before_the_events_lists_none(trail_world: dict[str, Any]) -> None:
    day = trail_world["today"] - dt.timedelta(days=10)
    data = trail_world["backend"].reports.data(trail_world["ada"].id, ReportOptions(
        kind="audit", start=day - dt.timedelta(days=5), end=day))
    whole = " ".join(" ".join(pages_text(render_report(data))).split())
    assert "No event was recorded from" in whole
    assert "No report was saved or printed and the practice was not exported" in whole


def test_a_chain_that_does_not_hold_is_stated_first(trail_world: dict[str, Any],
                                                   session: Session) -> None:
    session.execute(text("DROP TRIGGER trg_audit_event_no_update"))
    session.execute(text("UPDATE audit_event SET detail = 'x' WHERE action = 'note.sign'"))
    session.commit()
    whole = " ".join(" ".join(_report(trail_world)).split())
    assert "does not hold" in whole and "was altered after it was written" in whole
