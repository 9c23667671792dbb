"""Notes: drafts, signing with figure extraction, hashes, addenda and database-level locks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import audit
from models.api import Kind
from models.backend import Backend
from models.clinical.doses import dose_label, follows_text
from models.dto import MapRelationDTO
from models.entities import AuditEvent, DosingSession, PartsMapSnapshot
from models.errors import LockedError, SigningError, ValidationError
from models.inputs import (
    AddendumInput,
    ClientInput,
    CourseInput,
    DosingInput,
    PartInput,
    TargetInput,
)
from models.services import care, notes, parts

DAY = dt.date(2026, 3, 10)
COMMON = {
    "start_time": "10:00",
    "duration_minutes": 60,
    "delivery": "in_office",
    "suicidal_ideation": "denied",
    "homicidal_ideation": "denied",
}


@pytest.fixture
def world(backend: Backend, session: Session) -> dict[str, Any]:
    doc = backend.practice.create_clinician("Dr Sign", "PsyD").value
    client = backend.clients.create(ClientInput(name="Note Fixture"), actor_id=None).value
    course = backend.care.add_course(client.id, CourseInput("intensive", DAY),
                                     actor_id=None).value
    dose = care.add_dosing_session(session, course.id, DosingInput(
        session_date=DAY, route="sublingual", dose_mg=300))
    session.commit()
    target = backend.targets.create(client.id, TargetInput(
        label="Hallway, age 9", negative_cognition="I am powerless"), actor_id=None).value
    planner = backend.parts.create(client.id, PartInput("Planner", "manager"),
                                   actor_id=None).value
    little = backend.parts.create(client.id, PartInput("Little One", "exile"),
                                  actor_id=None).value
    parts.add_relation(session, client.id, "protects", planner.id, little.id)
    session.commit()
    return {"doc": doc, "client": client, "course": course, "dose": dose, "target": target,
            "planner": planner, "little": little}


def emdr_content(target_id: int, day: dt.date = DAY + dt.timedelta(days=2)) -> dict[str, Any]:
    return {
        **COMMON,
        "session_date": day.isoformat(),
        "phases_covered": ["3", "4", "5"],
        "readiness_checked": True,
        "dissociation_screen": "no_concerns",
        "interweaves_used": False,
        "processing_flow": "flowing",
        "in_session_reaction": "none",
        "between_session_instructions": "Log what comes up; use the container.",
        "target": target_id,
        "image": "The long corridor",
        "negative_cognition": "I am powerless",
        "positive_cognition": "I can handle it",
        "voc_start": 2,
        "sud_start": 8,
        "bls_sets": [
            {"bls_type": "eye_movements", "speed_hz": 1.0, "passes": 24, "sud": 6},
            {"bls_type": "taps", "speed_hz": 1.0, "passes": 24, "sud": 3},
        ],
        "sud_end": 2,
        "voc_end": 5,
        "closure": "complete",
        "stability": "stable",
        "plan": "Continue with the same target.",
    }


def _emdr_note(backend: Backend, w: dict[str, Any]) -> int:
    note = backend.notes.create(w["client"].id, "emdr", author_id=w["doc"].id,
                                session_date=DAY + dt.timedelta(days=2)).value
    backend.notes.save_draft(note.id, emdr_content(w["target"].id))
    return note.id


def test_a_new_integration_note_follows_the_latest_dose(backend: Backend, world: dict) -> None:
    note = backend.notes.create(world["client"].id, "emdr", author_id=world["doc"].id,
                                session_date=DAY + dt.timedelta(days=2)).value
    assert note.dosing_session_id == world["dose"].id
    assert note.status == "draft" and note.template_version == 2
    context = backend.notes.context(note.id)
    assert context.dosing == world["dose"] and context.client.name == "Note Fixture"
    label = dose_label(context.courses, note.dosing_session_id)
    line = follows_text(label, world["dose"], DAY + dt.timedelta(days=2))
    assert line == "Follows D1 (Sublingual / buccal lozenge, 300 mg) on 10 Mar 2026: 2 days after"


def test_a_note_starts_on_the_backends_today(backend: Backend, world: dict) -> None:
    note = backend.notes.create(world["client"].id, "general", author_id=None).value
    assert note.session_date == backend.today


def test_a_draft_keeps_whatever_was_typed(backend: Backend, world: dict) -> None:
    note = backend.notes.create(world["client"].id, "emdr", author_id=None).value
    saved = backend.notes.save_draft(note.id, {"sud_start": 42, "plan": "half a thought"})
    assert saved.value.content == {"sud_start": 42, "plan": "half a thought"}
    assert backend.notes.get(note.id).content["sud_start"] == 42


def test_an_autosave_changes_only_the_draft_unless_it_moves_the_note(
    backend: Backend, world: dict
) -> None:
    note = backend.notes.create(world["client"].id, "general", author_id=None,
                                session_date=DAY + dt.timedelta(days=1)).value
    typed = backend.notes.save_draft(note.id, {"session_date": note.session_date.isoformat(),
                                               "data": "words"})
    assert typed.changes.kinds == frozenset({Kind.DRAFT})
    moved = backend.notes.save_draft(note.id, {"session_date": "2026-03-14"})
    assert moved.changes.touches(Kind.NOTES, Kind.CLIENTS)


def test_signing_lists_every_problem_by_field(backend: Backend, world: dict) -> None:
    note = backend.notes.create(world["client"].id, "emdr", author_id=None).value
    problems = backend.notes.problems(note.id, {"session_date": "2026-03-12", "sud_start": 12})
    with pytest.raises(SigningError) as info:
        backend.notes.sign(note.id, clinician_id=world["doc"].id)
    paths = {p.field_path for p in info.value.problems}
    assert {"start_time", "phases_covered", "plan", "sud_start", "closure"} <= paths
    assert paths == {p.field_path for p in problems}
    assert backend.notes.get(note.id).status == "draft"


def test_signing_files_sud_voc_and_definition_history(
    backend: Backend, session: Session, world: dict
) -> None:
    note_id = _emdr_note(backend, world)
    signed = backend.notes.sign(note_id, clinician_id=world["doc"].id).value
    assert signed.status == "signed" and signed.signed_by_id == world["doc"].id
    assert len(signed.content_hash or "") == 64 and notes.verify_note_hash(signed)
    target = backend.targets.of_client(world["client"].id)[0]
    assert [(r.point, r.sud, r.voc) for r in target.ratings] == [("start", 8, 2), ("end", 2, 5)]
    assert all(r.note_id == note_id for r in target.ratings)
    assert target.status == "in_processing"
    changed = {h.field: h.new_value for h in target.history}
    assert changed["image"] == "The long corridor"
    assert changed["positive_cognition"] == "I can handle it"
    assert "negative_cognition" not in changed  # it was already so


def test_the_hash_is_stable_and_detects_change(
    backend: Backend, session: Session, world: dict
) -> None:
    note_id = _emdr_note(backend, world)
    signed = backend.notes.sign(note_id, clinician_id=world["doc"].id).value
    again = backend.notes.get(note_id)
    assert notes.note_hash(again) == signed.content_hash
    tampered = again.__class__(**{**again.__dict__, "content": {**again.content, "sud_end": 0}})
    assert not notes.verify_note_hash(tampered)


def test_signed_notes_open_read_only(backend: Backend, session: Session, world: dict) -> None:
    note_id = _emdr_note(backend, world)
    backend.notes.sign(note_id, clinician_id=world["doc"].id)
    with pytest.raises(LockedError):
        backend.notes.save_draft(note_id, {"plan": "changed"})
    with pytest.raises(LockedError):
        backend.notes.sign(note_id, clinician_id=world["doc"].id)


def test_addenda_are_signed_with_their_own_author_and_reason(
    backend: Backend, session: Session, world: dict
) -> None:
    note_id = _emdr_note(backend, world)
    with pytest.raises(Exception, match="signed note"):
        backend.notes.add_addendum(note_id, AddendumInput("addendum", "r", "t"),
                           author_id=None)
    signed = backend.notes.sign(note_id, clinician_id=world["doc"].id).value
    with pytest.raises(ValidationError) as info:
        backend.notes.add_addendum(note_id, AddendumInput("correction", " ", ""),
                           author_id=world["doc"].id)
    assert set(info.value.problems) == {"reason", "text"}
    a = backend.notes.add_addendum(note_id, AddendumInput(
        "correction", "Wrong SUD typed", "End SUD was 3, not 2."),
        author_id=world["doc"].id).value
    assert a.status == "signed" and a.content_hash and a.kind == "correction"
    after = backend.notes.get(note_id)
    assert after.content == signed.content and after.content_hash == signed.content_hash
    assert [x.reason for x in after.addenda] == ["Wrong SUD typed"]


def test_ifs_signing_files_self_energy_status_and_a_map_snapshot(
    backend: Backend, session: Session, world: dict
) -> None:
    note = backend.notes.create(world["client"].id, "ifs", author_id=None,
                             session_date=DAY + dt.timedelta(days=1)).value
    backend.notes.save_draft(note.id, {
        **COMMON, "session_date": (DAY + dt.timedelta(days=1)).isoformat(),
        "trailhead": "Tight chest before work", "parts_worked": [world["little"].id],
        "self_energy": 6, "plan": "Return to Little One.",
        "part_status_changes": [{"part": [world["little"].id], "new_status": "witnessed"}],
    })
    backend.notes.sign(note.id, clinician_id=world["doc"].id)
    loaded = backend.clients.chart(world["client"].id)
    assert [(p.rating, p.note_id) for p in loaded.self_energy] == [(6, note.id)]
    assert [(h.old_status, h.new_status) for h in loaded.part_history] == [
        ("identified", "witnessed")]
    snap = parts.snapshot_on(session, world["client"].id, DAY + dt.timedelta(days=1))
    assert snap is not None
    assert {p.name: p.status for p in snap.parts}["Little One"] == "witnessed"
    assert snap.relations == (MapRelationDTO("protects", world["planner"].id,
                                             world["little"].id),)
    assert snap.note_id == note.id
    assert parts.snapshot_on(session, world["client"].id, DAY) is None


def dosing_content(day: dt.date, number: int = 2, **changes: Any) -> dict[str, Any]:
    """A signable dosing note (template version 2)."""
    return {
        **COMMON, "session_date": day.isoformat(), "session_number": number,
        "dosing_setting": "in_office", "prescriber": "Dr P", "monitoring_clinician": "RN M",
        "medication": "racemic_ketamine", "route": "intramuscular", "dose_time": "10:10",
        "dose_mg": 56.0, "weight_kg": 70.0,
        "boosters": [{"minutes_from_dose": 25, "dose_mg": 14}],
        "intention": "Rest", "adverse_events_occurred": False,
        "vitals": [
            {"minutes_from_dose": -5, "systolic": 122, "diastolic": 78, "heart_rate": 70,
             "respiratory_rate": 14, "spo2": 98, "moaas": 5},
            {"minutes_from_dose": 40, "systolic": 141, "diastolic": 88, "heart_rate": 84,
             "respiratory_rate": 12, "spo2": 97, "moaas": 3},
        ],
        "dissociation": {"instrument": "cadss6", "minutes_from_dose": 40,
                         "answers": {"1": 2, "2": 1, "6": 1, "7": 1, "15": 1, "22": 1}},
        "discharge_ready_time": "12:30",
        "discharge_criteria": ["vitals_near_baseline", "alert_oriented", "steady_gait",
                               "nausea_controlled", "dissociation_resolved",
                               "no_suicidal_ideation"],
        "discharged_by": "RN M", "escort": "escorted", "escort_name": "Sam",
        "escort_relationship": "Partner", "told_not_to_drive": True,
        **changes,
    }


def test_dosing_note_opens_a_session_and_signing_fills_and_locks_it(
    backend: Backend, session: Session, world: dict
) -> None:
    day = DAY + dt.timedelta(days=3)
    note = backend.notes.create(world["client"].id, "dosing", author_id=None,
                                session_date=day).value
    dosing = session.get_one(DosingSession, note.dosing_session_id)
    assert dosing.number == 2 and note.content["session_number"] == 2
    backend.notes.save_draft(note.id, dosing_content(day))
    signed = backend.notes.sign(note.id, clinician_id=world["doc"].id).value
    assert signed.content["mg_per_kg"] == pytest.approx(0.8)
    assert (signed.content["cumulative_mg"], signed.content["cumulative_mg_per_kg"]) == (
        70, 1.0)
    session.refresh(dosing)
    assert (dosing.route, dosing.dose_mg, dosing.moaas) == ("intramuscular", 56.0, 3)
    assert dosing.dose_time == dt.time(10, 10)
    assert [(b.minutes_from_dose, b.dose_mg) for b in dosing.boosters] == [(25, 14.0)]
    assert [(v.systolic, v.respiratory_rate, v.moaas) for v in dosing.vitals] == [
        (122, 14, 5), (141, 12, 3)]
    assert dosing.ride_home_confirmed is True
    assert dosing.locked_by_note_id == note.id
    with pytest.raises(LockedError):
        care.update_dosing_session(session, dosing.id, care.DosingInput(
            session_date=day, route="oral"))


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE note SET content = '{}' WHERE id = :note",
        "DELETE FROM note WHERE id = :note",
        "UPDATE addendum SET text = 'x' WHERE note_id = :note",
        "DELETE FROM addendum WHERE note_id = :note",
        "UPDATE target_rating SET sud = 0 WHERE note_id = :note",
        "DELETE FROM target_rating WHERE note_id = :note",
        "UPDATE target_definition_change SET new_value = 'x' WHERE note_id = :note",
    ],
)
def test_the_database_refuses_to_change_a_signed_record(
    backend: Backend, session: Session, world: dict, sql: str
) -> None:
    note_id = _emdr_note(backend, world)
    backend.notes.sign(note_id, clinician_id=world["doc"].id)
    backend.notes.add_addendum(note_id, AddendumInput("addendum", "r", "t"), author_id=None)
    session.commit()
    with pytest.raises(IntegrityError, match="locked"):
        session.execute(text(sql), {"note": note_id})
    session.rollback()


def test_the_database_refuses_to_change_ifs_and_dosing_figures(
    backend: Backend, session: Session, world: dict
) -> None:
    note = backend.notes.create(world["client"].id, "ifs", author_id=None).value
    backend.notes.save_draft(note.id, {
        **COMMON, "session_date": DAY.isoformat(), "trailhead": "t", "self_energy": 5,
        "plan": "p", "part_status_changes": [{"part": [world["planner"].id],
                                              "new_status": "befriended"}]})
    backend.notes.sign(note.id, clinician_id=world["doc"].id)
    session.commit()
    for sql in ("UPDATE self_energy_rating SET rating = 9",
                "DELETE FROM part_status_change",
                "UPDATE parts_map_snapshot SET content = '{}'"):
        with pytest.raises(IntegrityError, match="locked"):
            session.execute(text(sql))
        session.rollback()
    assert session.scalars(select(PartsMapSnapshot)).one().note_id == note.id


def test_an_addendum_cannot_be_smuggled_onto_a_draft(
    backend: Backend, session: Session, world: dict
) -> None:
    note = backend.notes.create(world["client"].id, "general", author_id=None).value
    session.commit()
    with pytest.raises(IntegrityError, match="signed note"):
        session.execute(text(
            "INSERT INTO addendum (note_id, kind, reason, text, status, created_at) "
            "VALUES (:n, 'addendum', 'r', 't', 'draft', '2026-01-01')"), {"n": note.id})
    session.rollback()


def test_create_sign_and_addendum_are_audited(
    backend: Backend, session: Session, world: dict
) -> None:
    note_id = _emdr_note(backend, world)
    backend.notes.sign(note_id, clinician_id=world["doc"].id)
    backend.notes.add_addendum(note_id, AddendumInput("late_entry", "r", "t"),
                       author_id=world["doc"].id)
    events = list(session.scalars(
        select(AuditEvent).where(AuditEvent.client_id == world["client"].id)))
    actions = [e.action for e in events]
    assert actions[-4:] == ["note.create", "target.update", "note.sign", "note.addendum"]
    # Signing moved the target into processing: that change is the signer's too.
    assert {e.actor_id for e in events[-4:]} == {world["doc"].id}
    assert audit.verify_chain(session).ok
    details = " ".join(e.detail for e in session.scalars(select(AuditEvent)))
    assert "corridor" not in details and "powerless" not in details


def test_a_reference_to_another_clients_target_is_refused(
    backend: Backend, session: Session, world: dict
) -> None:
    other = backend.clients.create(ClientInput(name="Other Fixture"), actor_id=None).value
    foreign = backend.targets.create(other.id, TargetInput(label="Not yours"),
                                     actor_id=None).value
    note = backend.notes.create(world["client"].id, "emdr", author_id=None,
                             session_date=DAY + dt.timedelta(days=2)).value
    backend.notes.save_draft(note.id, emdr_content(foreign.id))
    problems = backend.notes.problems(note.id)
    assert [p.field_path for p in problems] == ["target"]


def test_a_target_of_the_other_kind_is_refused_with_what_the_field_takes(
    backend: Backend, world: dict
) -> None:
    """The note window offers an EMDR note only EMDR targets; signing checks it too."""
    scene = backend.targets.create(world["client"].id, TargetInput(label="The scene",
                                                                   kind="art"),
                                   actor_id=None).value
    note = backend.notes.create(world["client"].id, "emdr", author_id=None,
                                session_date=DAY + dt.timedelta(days=2)).value
    backend.notes.save_draft(note.id, emdr_content(scene.id))
    [problem] = backend.notes.problems(note.id)
    assert (problem.field_path, problem.message) == ("target", (
        "The target chosen here is an ART scene; Target memory takes an EMDR target. "
        "Choose an EMDR target, or add one."))
    with pytest.raises(SigningError):
        backend.notes.sign(note.id, clinician_id=world["doc"].id)
    backend.notes.save_draft(note.id, emdr_content(world["target"].id))
    assert backend.notes.problems(note.id) == []


def test_the_main_protector_is_never_an_exile(backend: Backend, world: dict) -> None:
    """IFS version 3: a manager, a firefighter or a part not typed yet; an exile is
    refused with what the field takes."""
    unknown = backend.parts.create(world["client"].id, PartInput("Fog", "unknown"),
                                   actor_id=None).value
    note = backend.notes.create(world["client"].id, "ifs", author_id=None,
                                session_date=DAY + dt.timedelta(days=2)).value
    assert note.template_version == 3
    content = {**COMMON, "session_date": (DAY + dt.timedelta(days=2)).isoformat(),
               "trailhead": "Tight chest", "parts_worked": [world["little"].id],
               "self_energy": 5, "plan": "Return."}
    for protector, refused in ((world["little"], True), (world["planner"], False),
                               (unknown, False)):
        backend.notes.save_draft(note.id, content | {"main_protector": [protector.id]})
        problems = [(p.field_path, p.message) for p in backend.notes.problems(note.id)]
        assert problems == ([("main_protector", (
            "A part chosen here is of the type Exile; Main protector takes a part of the "
            "type Manager, Firefighter or Not known yet. Choose another part, or change the "
            "part's type in the registry."))] if refused else []), protector.name
    assert backend.notes.sign(note.id, clinician_id=world["doc"].id).value.signed


def test_a_draft_started_by_mistake_can_be_discarded(
    backend: Backend, session: Session, world: dict
) -> None:
    note = backend.notes.create(world["client"].id, "dosing", author_id=None,
                             session_date=DAY + dt.timedelta(days=5)).value
    dosing_id = note.dosing_session_id
    backend.notes.discard_draft(note.id, actor_id=world["doc"].id)
    assert session.get(DosingSession, dosing_id) is None  # the dose it opened goes too
    with pytest.raises(Exception, match="does not exist"):
        backend.notes.get(note.id)
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None and last.action == "note.discard"


def test_a_discarded_dosing_draft_keeps_a_dose_that_others_follow(
    backend: Backend, session: Session, world: dict
) -> None:
    dosing_note = backend.notes.create(world["client"].id, "dosing", author_id=None,
                                    session_date=DAY + dt.timedelta(days=5)).value
    follower = backend.notes.create(world["client"].id, "general", author_id=None,
                                 session_date=DAY + dt.timedelta(days=6)).value
    assert follower.dosing_session_id == dosing_note.dosing_session_id
    backend.notes.discard_draft(dosing_note.id, actor_id=None)
    assert session.get(DosingSession, dosing_note.dosing_session_id) is not None


def test_a_signed_note_cannot_be_discarded(backend: Backend, session: Session, world: dict) -> None:
    note_id = _emdr_note(backend, world)
    backend.notes.sign(note_id, clinician_id=world["doc"].id)
    with pytest.raises(LockedError, match="cannot be discarded"):
        backend.notes.discard_draft(note_id, actor_id=None)
