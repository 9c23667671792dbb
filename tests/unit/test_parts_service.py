"""The parts registry and map: placing, editing, moving, taking off and putting back,
relations, and the map as signed IFS notes kept it."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from sqlalchemy.orm import Session

from models.api import Kind
from models.backend import Backend
from models.clinical.parts_map import (
    EXILE_RING,
    PROTECTOR_RING,
    chart_map,
    map_differences,
    snapshot_map,
)
from models.errors import DomainError, NotFoundError, ValidationError
from models.inputs import ClientInput, PartInput
from models.services import parts
from tests.conftest import TODAY

DAY = dt.date(2026, 9, 1)
COMMON = {
    "start_time": "10:00", "duration_minutes": 60, "delivery": "in_office",
    "suicidal_ideation": "denied", "homicidal_ideation": "denied",
}


@pytest.fixture
def world(backend: Backend) -> dict[str, Any]:
    doc = backend.practice.create_clinician("Dr Parts", "LMFT").value
    client = backend.clients.create(ClientInput(name="Parts Fixture"), actor_id=None).value
    other = backend.clients.create(ClientInput(name="Other Fixture"), actor_id=None).value
    planner = backend.parts.create(client.id, PartInput("Planner", "manager"),
                                   actor_id=None).value
    numb = backend.parts.create(client.id, PartInput("Numb One", "firefighter"),
                                actor_id=None).value
    little = backend.parts.create(client.id, PartInput("Little One", "exile"),
                                  actor_id=None).value
    stranger = backend.parts.create(other.id, PartInput("Not theirs", "manager"),
                                    actor_id=None).value
    return {"doc": doc, "client": client, "planner": planner, "numb": numb,
            "little": little, "stranger": stranger}


def _sign_ifs(backend: Backend, world: dict[str, Any], day: dt.date,
              changes: list[dict[str, Any]] | None = None, self_energy: int = 5) -> int:
    note = backend.notes.create(world["client"].id, "ifs", author_id=world["doc"].id,
                                session_date=day).value
    content = {**COMMON, "session_date": day.isoformat(), "trailhead": "Tight chest",
               "parts_worked": [world["little"].id], "self_energy": self_energy,
               "plan": "Return."}
    if changes:
        content["part_status_changes"] = changes
    backend.notes.save_draft(note.id, content)
    backend.notes.sign(note.id, clinician_id=world["doc"].id)
    return note.id


def test_a_new_part_is_placed_by_its_type_never_on_self(world: dict[str, Any]) -> None:
    for key, ring in (("planner", PROTECTOR_RING), ("numb", PROTECTOR_RING),
                      ("little", EXILE_RING)):
        part = world[key]
        assert math.hypot(part.map_x, part.map_y) == pytest.approx(ring, abs=1)
    assert world["planner"].map_y < 0 < world["numb"].map_y  # managers above, firefighters below


def test_an_edit_keeps_a_new_status_in_the_history_by_hand(
        backend: Backend, world: dict[str, Any]) -> None:
    little = world["little"]
    done = backend.parts.update(little.id, PartInput(
        "Little One", "exile", burdens_personal="Loneliness", trust_in_self=4,
        status="witnessed"), actor_id=None)
    assert done.changes.touches(Kind.PARTS)
    assert (done.value.burdens_personal, done.value.status) == ("Loneliness", "witnessed")
    assert (done.value.map_x, done.value.map_y) == (little.map_x, little.map_y)  # not moved
    history = backend.clients.chart(world["client"].id).part_history
    assert [(h.part_id, h.old_status, h.new_status, h.note_id, h.changed_on)
            for h in history] == [(little.id, "identified", "witnessed", None, TODAY)]
    with pytest.raises(ValidationError) as error:
        backend.parts.update(little.id, PartInput(" ", "exile"), actor_id=None)
    assert "Give the part a name" in error.value.problems["name"]


def test_moves_are_saved_and_only_for_the_clients_own_parts(
        backend: Backend, world: dict[str, Any]) -> None:
    client_id = world["client"].id
    backend.parts.move(client_id, {world["planner"].id: (12.5, -80.0)}, actor_id=None)
    planner = next(p for p in backend.parts.of_client(client_id) if p.name == "Planner")
    assert (planner.map_x, planner.map_y) == (12.5, -80.0)
    with pytest.raises(NotFoundError):
        backend.parts.move(client_id, {world["stranger"].id: (0.0, 0.0)}, actor_id=None)
    with pytest.raises(ValidationError):
        backend.parts.move(client_id, {world["planner"].id: (math.inf, 0.0)}, actor_id=None)


def test_a_part_taken_off_the_map_keeps_its_relations_for_when_it_comes_back(
        backend: Backend, session: Session, world: dict[str, Any]) -> None:
    client_id = world["client"].id
    planner, little = world["planner"], world["little"]
    backend.parts.relate(client_id, "protects", planner.id, little.id, actor_id=None)
    backend.parts.remove(little.id, actor_id=None)
    assert [p.name for p in backend.parts.of_client(client_id)] == ["Planner", "Numb One"]
    assert parts.list_relations(session, client_id) == []
    assert [p["name"] for p in parts.map_content(session, client_id)["parts"]] == [
        "Planner", "Numb One"]
    shown = chart_map(backend.clients.chart(client_id))
    assert little.id not in {p.id for p in shown.parts} and not shown.relations
    with pytest.raises(DomainError, match="removed from the map"):
        backend.parts.relate(client_id, "allied", planner.id, little.id, actor_id=None)
    backend.parts.restore(little.id, actor_id=None)
    back = chart_map(backend.clients.chart(client_id))
    assert [(r.kind, r.from_part_id, r.to_part_id) for r in back.relations] == [
        ("protects", planner.id, little.id)]


def test_relations_are_checked_kept_once_and_removed_either_way_round(
        backend: Backend, world: dict[str, Any]) -> None:
    client_id = world["client"].id
    planner, numb = world["planner"], world["numb"]
    done = backend.parts.relate(client_id, "polarized", numb.id, planner.id, actor_id=None)
    assert (done.value.from_part_id, done.value.to_part_id) == (planner.id, numb.id)
    with pytest.raises(DomainError, match="already have"):
        backend.parts.relate(client_id, "polarized", planner.id, numb.id, actor_id=None)
    with pytest.raises(ValidationError) as error:
        backend.parts.relate(client_id, "protects", planner.id, planner.id, actor_id=None)
    assert "cannot relate to itself" in error.value.problems["to_part_id"]
    with pytest.raises(NotFoundError):
        backend.parts.relate(client_id, "allied", planner.id, world["stranger"].id,
                             actor_id=None)
    backend.parts.unrelate(client_id, "polarized", numb.id, planner.id, actor_id=None)
    assert not backend.clients.chart(client_id).relations
    with pytest.raises(NotFoundError, match="no such relation"):
        backend.parts.unrelate(client_id, "polarized", numb.id, planner.id, actor_id=None)


def test_the_map_on_a_date_is_the_last_snapshot_and_differences_are_found(
        backend: Backend, world: dict[str, Any]) -> None:
    client_id = world["client"].id
    planner, numb, little = world["planner"], world["numb"], world["little"]
    backend.parts.relate(client_id, "protects", planner.id, little.id, actor_id=None)
    first = _sign_ifs(backend, world, DAY, self_energy=3)
    backend.parts.relate(client_id, "polarized", planner.id, numb.id, actor_id=None)
    backend.parts.unrelate(client_id, "protects", planner.id, little.id, actor_id=None)
    critic = backend.parts.create(client_id, PartInput("Critic", "manager"),
                                  actor_id=None).value
    _sign_ifs(backend, world, DAY + dt.timedelta(days=14),
              [{"part": [little.id], "new_status": "witnessed"}], self_energy=7)

    snapshots = backend.parts.snapshots(client_id)
    assert [s.taken_on for s in snapshots] == [DAY, DAY + dt.timedelta(days=14)]
    assert backend.parts.snapshot_on(client_id, DAY - dt.timedelta(days=1)) is None
    old = backend.parts.snapshot_on(client_id, DAY + dt.timedelta(days=13))
    assert old is not None and old.note_id == first
    chart = backend.clients.chart(client_id)
    then, now = snapshot_map(old, chart.self_energy), chart_map(chart)
    assert (then.self_energy, now.self_energy) == (3, 7)
    diff = map_differences(then, now)
    assert [p.name for p in diff.parts_added] == [critic.name]
    assert [(s.name, s.then, s.now) for s in diff.statuses_changed] == [
        ("Little One", "identified", "witnessed")]
    assert [r.kind for r in diff.relations_added] == ["polarized"]
    assert [r.kind for r in diff.relations_removed] == ["protects"]


def test_an_exile_protects_no_part_and_polarizes_with_none(
        backend: Backend, world: dict[str, Any]) -> None:
    """The relations' rule (vocabulary.RELATION_ENDS), where the map and the dialogs meet
    it: when a relation is made and when a part in one is given a new type."""
    client_id = world["client"].id
    planner, numb, little = world["planner"], world["numb"], world["little"]
    why = ("an exile is protected, not a protector: protects goes from a manager or a "
           "firefighter")
    with pytest.raises(ValidationError) as error:
        backend.parts.relate(client_id, "protects", little.id, planner.id, actor_id=None)
    assert error.value.problems == {"from_part_id": (
        f"Little One is an exile, and {why}. Choose another part or another kind of "
        "relation, or change Little One's type first.")}
    # A protector may guard another protector (IFS knows protectors of protectors).
    backend.parts.relate(client_id, "protects", planner.id, numb.id, actor_id=None)
    for first, second in ((little.id, numb.id), (numb.id, little.id)):
        with pytest.raises(ValidationError, match="between two protectors"):
            backend.parts.relate(client_id, "polarized", first, second, actor_id=None)
    backend.parts.relate(client_id, "allied", little.id, numb.id, actor_id=None)
    backend.parts.relate(client_id, "protects", planner.id, little.id, actor_id=None)
    # A part not typed yet takes either end; typed, it must fit.
    unsure = backend.parts.create(client_id, PartInput("Fog", "unknown"), actor_id=None).value
    backend.parts.relate(client_id, "protects", unsure.id, little.id, actor_id=None)
    as_exile = PartInput("Fog", "exile")
    with pytest.raises(ValidationError) as error:
        backend.parts.update(unsure.id, as_exile, actor_id=None)
    assert error.value.problems == {"part_type": (
        f"On the map, Fog protects Little One, and {why}. Take that relation off the map "
        "first (or change it), or keep the type.")}
    backend.parts.update(unsure.id, PartInput("Fog", "firefighter"), actor_id=None)
    backend.parts.update(planner.id, PartInput("Planner", "firefighter"), actor_id=None)
    backend.parts.unrelate(client_id, "protects", unsure.id, little.id, actor_id=None)
    assert backend.parts.update(unsure.id, as_exile, actor_id=None).value.part_type == "exile"
    # A relation with a part taken off the map counts too: putting it back brings it back.
    backend.parts.unrelate(client_id, "protects", planner.id, numb.id, actor_id=None)
    backend.parts.relate(client_id, "polarized", planner.id, numb.id, actor_id=None)
    backend.parts.remove(planner.id, actor_id=None)
    with pytest.raises(ValidationError) as error:
        backend.parts.update(numb.id, PartInput("Numb One", "exile"), actor_id=None)
    assert error.value.problems == {"part_type": (
        "Planner and Numb One: polarized, and a polarization is between two protectors "
        "(managers or firefighters); Planner is off the map, and putting it back brings the "
        "relation back. Put Planner back and take the relation off first, or keep the "
        "type.")}
    backend.parts.restore(planner.id, actor_id=None)
    backend.parts.unrelate(client_id, "polarized", planner.id, numb.id, actor_id=None)
    assert backend.parts.update(numb.id, PartInput("Numb One", "exile"),
                                actor_id=None).value.part_type == "exile"
