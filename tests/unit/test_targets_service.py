"""The target registry: definition history, status moves, the part link, and the offers
a signed note makes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.api import Kind
from models.backend import Backend
from models.clinical.targets import status_offer, summarise_target
from models.errors import ValidationError
from models.inputs import ClientInput, CourseInput, PartInput, TargetInput
from tests.unit.templates.samples import emdr_process_fields

DAY = dt.date(2026, 9, 1)
COMMON = {
    "start_time": "10:00", "duration_minutes": 60, "delivery": "in_office",
    "suicidal_ideation": "denied", "homicidal_ideation": "denied",
}


@pytest.fixture
def world(backend: Backend) -> dict[str, Any]:
    doc = backend.practice.create_clinician("Dr Target", "LMFT").value
    client = backend.clients.create(ClientInput(name="Target Fixture"), actor_id=None).value
    other = backend.clients.create(ClientInput(name="Other Fixture"), actor_id=None).value
    backend.care.add_course(client.id, CourseInput("spaced", DAY), actor_id=None)
    target = backend.targets.create(client.id, TargetInput(
        label="Hallway, age 9", negative_cognition="I am powerless", baseline_sud=8,
        baseline_voc=2), actor_id=doc.id).value
    part = backend.parts.create(client.id, PartInput("Little One", "exile"),
                                actor_id=None).value
    stranger = backend.parts.create(other.id, PartInput("Not theirs", "manager"),
                                    actor_id=None).value
    return {"doc": doc, "client": client, "target": target, "part": part,
            "stranger": stranger}


def _sign_emdr(backend: Backend, world: dict[str, Any], day: dt.date, *, sud: tuple[int, int],
               voc: tuple[int, int]) -> int:
    note = backend.notes.create(world["client"].id, "emdr", author_id=world["doc"].id,
                                session_date=day).value
    backend.notes.save_draft(note.id, {
        **COMMON, **emdr_process_fields(), "session_date": day.isoformat(),
        "phases_covered": ["3", "4", "5"], "target": world["target"].id, "image": "The corridor",
        "negative_cognition": "I am powerless", "positive_cognition": "I can handle it",
        "sud_start": sud[0], "voc_start": voc[0], "sud_end": sud[1], "voc_end": voc[1],
        "bls_sets": [{"bls_type": "eye_movements", "speed_hz": 1.0, "passes": 24,
                      "sud": sud[1]}],
        "closure": "complete", "stability": "stable", "plan": "Reevaluate.",
    })
    backend.notes.sign(note.id, clinician_id=world["doc"].id)
    return note.id


def _input(target: Any, **changes: Any) -> TargetInput:
    fields = {name: getattr(target, name) for name in (
        "label", "kind", "prong", "touchstone", "found_by", "image", "negative_cognition",
        "positive_cognition", "emotions", "body_location", "baseline_sud", "baseline_voc",
        "status", "part_id", "identified_on")}
    return TargetInput(**{**fields, **changes})


def test_an_edit_by_hand_keeps_each_changed_field_with_old_and_new(
        backend: Backend, world: dict[str, Any]) -> None:
    target = world["target"]
    done = backend.targets.update(target.id, _input(
        target, negative_cognition="I am helpless", baseline_sud=9, found_by="float_back"),
        actor_id=world["doc"].id)
    assert done.changes.touches(Kind.TARGETS)
    changed = {h.field: (h.old_value, h.new_value, h.note_id) for h in done.value.history}
    assert changed == {
        "negative_cognition": ("I am powerless", "I am helpless", None),
        "baseline_sud": ("8", "9", None),
        "found_by": ("", "float_back", None),
    }
    again = backend.targets.update(target.id, _input(done.value), actor_id=None)
    assert len(again.value.history) == 3  # nothing changed, nothing kept


def test_a_note_changes_the_definition_in_its_own_name(
        backend: Backend, world: dict[str, Any]) -> None:
    note_id = _sign_emdr(backend, world, DAY + dt.timedelta(days=3), sud=(8, 3), voc=(2, 5))
    target = backend.targets.get(world["target"].id)
    by_note = {h.field for h in target.history if h.note_id == note_id}
    assert {"image", "positive_cognition", "status"} <= by_note
    assert target.status == "in_processing"


def test_the_therapist_moves_the_status_and_it_is_kept(
        backend: Backend, world: dict[str, Any]) -> None:
    done = backend.targets.set_status(world["target"].id, "deferred", actor_id=None)
    assert done.value.status == "deferred"
    assert [(h.field, h.old_value, h.new_value, h.note_id) for h in done.value.history] == [
        ("status", "identified", "deferred", None)]
    with pytest.raises(ValidationError) as error:
        backend.targets.set_status(world["target"].id, "done-ish", actor_id=None)
    assert "Choose identified" in error.value.problems["status"]


def test_the_database_accepts_deferred_and_refuses_an_unknown_status(
        backend: Backend, session: Session, world: dict[str, Any]) -> None:
    target_id = world["target"].id
    session.execute(text("UPDATE target_memory SET status = 'deferred' WHERE id = :i"),
                    {"i": target_id})
    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE target_memory SET status = 'parked' WHERE id = :i"),
                        {"i": target_id})
    session.rollback()


def test_a_target_is_linked_to_one_of_the_clients_parts_on_the_map(
        backend: Backend, world: dict[str, Any]) -> None:
    target, part = world["target"], world["part"]
    done = backend.targets.link_part(target.id, part.id, actor_id=None)
    assert done.value.part_id == part.id
    assert done.value.history[-1].field == "part_id"
    with pytest.raises(ValidationError) as error:
        backend.targets.link_part(target.id, world["stranger"].id, actor_id=None)
    assert "not in this client's" in error.value.problems["part_id"]
    backend.parts.remove(part.id, actor_id=None)
    unlinked = backend.targets.link_part(target.id, None, actor_id=None).value
    with pytest.raises(ValidationError) as error:
        backend.targets.link_part(unlinked.id, part.id, actor_id=None)
    assert "taken off the parts map" in error.value.problems["part_id"]


def test_a_session_ending_at_sud_0_and_voc_7_offers_completed(
        backend: Backend, world: dict[str, Any]) -> None:
    _sign_emdr(backend, world, DAY + dt.timedelta(days=3), sud=(8, 3), voc=(2, 5))
    assert status_offer(backend.targets.get(world["target"].id)) is None
    note_id = _sign_emdr(backend, world, DAY + dt.timedelta(days=10), sud=(3, 0), voc=(5, 7))
    target = backend.targets.get(world["target"].id)
    offer = status_offer(target)
    assert offer is not None and offer.status == "completed" and offer.note_id == note_id
    assert "SUD 0 and VoC 7" in offer.reason
    summary = summarise_target(target)
    assert (summary.baseline_sud, summary.latest_sud, summary.sessions_worked) == (8, 0, 2)
    assert summary.last_worked == DAY + dt.timedelta(days=10)
    completed = backend.targets.set_status(target.id, "completed", actor_id=None).value
    assert status_offer(completed) is None  # accepted: nothing more to offer
