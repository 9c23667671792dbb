"""The audit trail in words: every code the program records has its words, each event names
its record as it is now (or says it is gone), the choice of client, period and limit, and
a chain that no longer holds is said to."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from models.backend import Backend
from models.entities import VaultInfo
from models.errors import NotFoundError, ValidationError
from models.inputs import (
    AddendumInput,
    ClientInput,
    CustomMeasureInput,
    MeasureInput,
    PartInput,
    ReportOptions,
    TargetInput,
    validate_trail_choice,
)
from models.services.audit_trail import detail_words
from models.services.reports import REPORT_ACTIONS
from models.vocabulary import AUDIT_ACTIONS, CLIENT_STATUSES

DAY = dt.date(2026, 10, 6)
SIGNABLE = {
    "session_date": DAY.isoformat(), "start_time": "10:00", "duration_minutes": 50,
    "delivery": "in_office", "suicidal_ideation": "denied", "homicidal_ideation": "denied",
    "data": "Slept through the night.", "assessment": "Settling.", "plan": "Practise.",
}
MODELS = Path(__file__).resolve().parents[2] / "models"


def _recorded_codes() -> set[str]:
    """Every action code the models record, read from their source: literal codes, and
    the two that are formatted (a client's status change, a report leaving the vault)."""
    codes: set[str] = set()
    for path in MODELS.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for match in re.finditer(r'audit\.record\(\s*\w+,\s*(f?)"([^"]+)"', source):
            if match.group(1):
                codes.add(match.group(2))  # checked below, expanded
            else:
                codes.add(match.group(2))
    formatted = {c for c in codes if "{" in c}
    assert formatted == {"client.{'discharge' if status == 'discharged' else 'reactivate'}",
                         "report.{action}"}
    assert set(CLIENT_STATUSES.codes) == {"active", "discharged"}
    return (codes - formatted) | {"client.discharge", "client.reactivate"} | {
        f"report.{action}" for action in REPORT_ACTIONS}


def test_every_code_the_program_records_has_its_words() -> None:
    codes = _recorded_codes()
    assert len(codes) > 25
    missing = sorted(code for code in codes if code not in AUDIT_ACTIONS)
    assert not missing, f"audit codes without words in AUDIT_ACTIONS: {missing}"


@pytest.fixture
def world(backend: Backend, session: Session) -> dict[str, Any]:
    session.add(VaultInfo(vault_uuid="test", created_by_app="test"))
    session.commit()
    doc = backend.practice.create_clinician("Dr Trail", "PsyD").value
    ada = backend.clients.create(ClientInput(name="Ada Trail"), actor_id=doc.id).value
    ben = backend.clients.create(ClientInput(name="Ben Other"), actor_id=doc.id).value
    note = backend.notes.create(ada.id, "general", author_id=doc.id, session_date=DAY).value
    backend.notes.save_draft(note.id, SIGNABLE)
    backend.notes.sign(note.id, clinician_id=doc.id)
    backend.notes.add_addendum(note.id, AddendumInput("correction", "Wrong time", "At 11:00."),
                               author_id=doc.id)
    draft = backend.notes.create(ada.id, "emdr", author_id=doc.id, session_date=DAY).value
    backend.notes.discard_draft(draft.id, actor_id=doc.id)
    backend.targets.create(ada.id, TargetInput(label="Hallway, age 9"), actor_id=doc.id)
    one = backend.parts.create(ada.id, PartInput("The Planner", "manager"),
                               actor_id=doc.id).value
    two = backend.parts.create(ada.id, PartInput("Little One", "exile"), actor_id=doc.id).value
    backend.parts.relate(ada.id, "protects", one.id, two.id, actor_id=doc.id)
    backend.parts.relate(ada.id, "allied", one.id, two.id, actor_id=doc.id)
    backend.parts.unrelate(ada.id, "allied", one.id, two.id, actor_id=doc.id)
    custom = backend.measures.create_custom(CustomMeasureInput("Cravings", 0, 10, False),
                                            actor_id=doc.id).value
    backend.measures.record(ada.id, MeasureInput(custom.id, DAY, "integration", {1: 4}),
                            actor_id=doc.id)
    backend.reports.record(ada.id, ReportOptions(kind="prescriber", start=DAY, end=DAY),
                           "saved", protected=True, actor_id=doc.id)
    backend.targets.create(ben.id, TargetInput(label="Not Ada's"), actor_id=doc.id)
    return {"doc": doc, "ada": ada, "ben": ben}


def test_each_event_says_when_who_what_and_which_record(backend: Backend,
                                                        world: dict[str, Any]) -> None:
    trail = backend.audit.trail(client_id=world["ada"].id)
    assert trail.intact and not trail.more
    assert trail.events_in_vault == 18
    ids = [entry.id for entry in trail.entries]
    assert ids == sorted(ids, reverse=True)  # newest first
    rows = [(e.what, e.record, e.detail) for e in reversed(trail.entries)]
    assert rows == [
        ("Client added", "Client's record", ""),
        ("Note started (draft)", "General integration note of 6 Oct 2026",
         "Template version 2"),
        ("Note signed and locked", "General integration note of 6 Oct 2026",
         rows[2][2]),
        ("Addendum signed", "Correction to the General integration note of 6 Oct 2026", ""),
        ("Note started (draft)", "A draft note, since discarded", "Template version 2"),
        ("Draft discarded", "A draft note, since discarded", ""),
        ("Target added", "Target “Hallway, age 9”", ""),
        ("Part added", "Part “The Planner”", ""),
        ("Part added", "Part “Little One”", ""),
        ("Relation drawn", "The Planner · protects · Little One", ""),
        ("Relation drawn", "A relation between two parts, since removed", ""),
        ("Relation removed", "A relation between two parts, since removed", "Allied"),
        ("Measure entered", "Cravings of 6 Oct 2026", ""),
        ("Report saved to a file", "Client's record",
         "Prescriber's summary; period 6 Oct 2026 to 6 Oct 2026; password-protected"),
    ]
    assert re.fullmatch(r"Content hash [0-9a-f]{16}", rows[2][2])
    assert {e.who for e in trail.entries} == {"Dr Trail"}
    assert {(e.record_number, e.client_name) for e in trail.entries} == {
        (world["ada"].record_number, "Ada Trail")}
    now = dt.datetime.now(dt.UTC)
    assert all(abs((now - e.occurred_at).total_seconds()) < 60 for e in trail.entries)


def test_the_whole_practice_holds_the_vaults_own_events(backend: Backend,
                                                        world: dict[str, Any]) -> None:
    trail = backend.audit.trail()
    assert len(trail.entries) == trail.events_in_vault == 18
    oldest = trail.entries[-1]
    assert (oldest.what, oldest.record, oldest.record_number) == (
        "Clinician added", "Clinician: Dr Trail", "")
    assert "Custom measure defined" in [e.what for e in trail.entries]
    assert "Custom measure “Cravings”" in [e.record for e in trail.entries]
    assert [e.record for e in trail.entries if e.client_id == world["ben"].id] == [
        "Target “Not Ada's”", "Client's record"]


def test_a_period_and_a_limit_choose_the_events(backend: Backend,
                                                world: dict[str, Any]) -> None:
    today = dt.date.today()  # events carry the real time they happened, in local days
    assert len(backend.audit.trail(start=today, end=today).entries) == 18
    tomorrow = today + dt.timedelta(days=1)
    assert backend.audit.trail(start=tomorrow).entries == ()
    assert backend.audit.trail(end=today - dt.timedelta(days=1)).entries == ()
    newest = backend.audit.trail(limit=3)
    assert len(newest.entries) == 3 and newest.more
    assert [e.id for e in newest.entries] == [e.id for e in backend.audit.trail().entries[:3]]
    with pytest.raises(ValidationError) as wrong:
        backend.audit.trail(start=today, end=today - dt.timedelta(days=1))
    assert "ends before it starts" in wrong.value.problems["end"]
    with pytest.raises(ValidationError):
        backend.audit.trail(limit=0)
    with pytest.raises(NotFoundError):
        backend.audit.trail(client_id=999)
    assert validate_trail_choice(today, today) == {}


def test_a_chain_that_was_altered_is_said_to_be(backend: Backend, world: dict[str, Any],
                                                session: Session) -> None:
    session.execute(text("DROP TRIGGER trg_audit_event_no_update"))
    session.execute(text("UPDATE audit_event SET detail = 'kind=addendum' "
                         "WHERE action = 'note.addendum'"))
    session.commit()
    trail = backend.audit.trail(client_id=world["ada"].id)
    assert not trail.intact
    assert "was altered after it was written" in trail.problem
    assert len(trail.entries) == 14  # the events are still shown, as they now read
    assert trail.events_in_vault == 18  # all of them, not only those before the break


@pytest.mark.parametrize(("action", "detail", "words"), [
    ("client.update", "fields=name,date_of_birth", "Changed: Name, Date of birth"),
    ("target.update", "fields=negative_cognition,status",
     "Changed: Negative cognition, Status"),
    ("vault.lock", "reason=idle", "Locked after the idle time"),
    ("vault.unlock_failed", "attempts=1", "1 wrong passphrase before an unlock"),
    ("vault.unlock_failed", "attempts=3", "3 wrong passphrases before an unlock"),
    ("vault.export", "private_notes=left_out", "Private process notes left out"),
    ("vault.export", "private_notes=included", "Private process notes included"),
    ("part.move", "parts=4", "4 parts"),
    ("dosing.create", "number=3", "Dosing session D3"),
    ("report.printed", "kind=progress;sections=summary,measures;detail=summaries;"
     "period=..2026-10-31;drafts=1;private=0;protected=0",
     "Progress report; period from the start to 31 Oct 2026; sections: Summary, Measures; "
     "summaries only; drafts included; no password"),
    ("something.new", "code=7", "code=7"),  # a newer program's event: shown as recorded
])
def test_an_events_detail_in_words(action: str, detail: str, words: str) -> None:
    assert detail_words(action, detail) == words


def test_the_demo_records_each_measure_it_enters(store: Any) -> None:
    from models.clock import FixedClock
    from models.demo import DemoPlan, generate_demo
    from tests.conftest import TODAY

    with store.transaction() as session:
        result = generate_demo(session, DemoPlan(clients=2, seed=3, today=TODAY))
    trail = Backend(store, clock=FixedClock(TODAY)).audit.trail()
    entered = [e for e in trail.entries if e.action == "measure.record"]
    assert len(entered) == result.administrations > 0
    assert all(e.who and e.record_number and " of " in e.record for e in entered)


def test_a_later_read_walks_the_chain_on_from_the_last(backend: Backend, world: dict[str, Any],
                                                       session: Session) -> None:
    first = backend.audit.trail()
    assert first.chain is not None and first.chain.events == 18
    assert first.chain.head_id == first.entries[0].id
    backend.clients.create(ClientInput(name="Cara Later"), actor_id=None)
    second = backend.audit.trail()
    assert second.intact and second.events_in_vault == 19
    assert second.chain is not None and second.chain.events == 19
    assert second.chain.head_id == second.entries[0].id != first.chain.head_id
    # An event written after the last read is walked: a change to it is seen.
    backend.clients.create(ClientInput(name="Dan Later"), actor_id=None)
    session.execute(text("DROP TRIGGER trg_audit_event_no_update"))
    session.execute(text("UPDATE audit_event SET detail = 'x' WHERE id = "
                         "(SELECT max(id) FROM audit_event)"))
    session.commit()
    third = backend.audit.trail()
    assert not third.intact and "was altered after it was written" in third.problem
    assert not backend.audit.trail().intact  # walked from the first event again


def test_a_backup_an_export_and_a_new_passphrase_are_the_vault_owners(tmp_path: Any) -> None:
    from models.backend import create_backend, open_backend
    from models.safekeeping.rekey import change_passphrase

    path = tmp_path / "owned.iwvault"
    made = create_backend(path, "an owned vault passphrase")
    made.practice.create_clinician("Dr Owner")
    made.close()
    backend = open_backend(path, "an owned vault passphrase")
    backend.safekeeping.backup(tmp_path / "backups")
    backend.safekeeping.export(tmp_path / "export")
    backend.close()
    change_passphrase(path, "an owned vault passphrase", "a new owned passphrase")
    reopened = open_backend(path, "a new owned passphrase")
    try:
        whose = {e.action: e.who for e in reopened.audit.trail().entries
                 if e.action.startswith("vault.")}
    finally:
        reopened.close()
    assert whose == {"vault.backup": "Dr Owner", "vault.export": "Dr Owner",
                     "vault.rekey": "Dr Owner"}


def test_one_clients_trail_lists_each_export_of_the_practice_and_nothing_else_of_it(
    tmp_path: Any,
) -> None:
    """An export holds every client's record: a client's trail (the window's, the
    command's) shows it among their own events, as their document does; a backup (still
    encrypted) and another client's events do not."""
    from models.backend import create_backend, open_backend

    path = tmp_path / "exported.iwvault"
    create_backend(path, "an exported vault passphrase").close()
    backend = open_backend(path, "an exported vault passphrase")
    try:
        ada = backend.clients.create(ClientInput(name="Ada Trail"), actor_id=None).value
        basil = backend.clients.create(ClientInput(name="Basil Trail"), actor_id=None).value
        backend.safekeeping.backup(tmp_path / "backups")
        backend.safekeeping.export(tmp_path / "export")
        backend.clients.update(basil.id, ClientInput(name="Basil Trailed"), actor_id=None)
        mine = backend.audit.trail(client_id=ada.id)
        assert [e.action for e in mine.entries] == ["vault.export", "client.create"]
        assert [e.action for e in backend.audit.trail(client_id=basil.id).entries] == [
            "client.update", "vault.export", "client.create"]
        # A period that leaves the export out leaves it out of the client's trail too.
        tomorrow = backend.today + dt.timedelta(days=1)
        assert backend.audit.trail(client_id=ada.id, start=tomorrow, end=tomorrow).entries == ()
    finally:
        backend.close()
