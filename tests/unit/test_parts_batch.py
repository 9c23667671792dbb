"""Parts written in a block (parts.batched) read as parts written one by one: the map, its
snapshots and the relation rules see every part and relation, as the vault would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import pytest
from sqlalchemy.orm import Session

from models.backend import Backend
from models.entities import IfsPart
from models.errors import DomainError
from models.inputs import ClientInput, PartInput
from models.services import parts, rows

from ..conftest import TODAY

DAY = dt.date(2026, 10, 1)
Block = Callable[[Session], AbstractContextManager[Any]]


@pytest.fixture
def client_id(backend: Backend) -> int:
    return backend.clients.create(ClientInput(name="Parts Fixture"), actor_id=None).value.id


def _story(session: Session, client_id: int) -> list[Any]:
    """A map built, changed and snapshotted as a therapist would: what each step saw."""
    seen: list[Any] = []

    def part(name: str, part_type: str) -> int:
        return parts.create_part(session, client_id, PartInput(
            name=name, part_type=part_type, first_seen=DAY), today=TODAY).id

    planner, critic, exile = part("Planner", "manager"), part("Critic", "manager"), \
        part("Little One", "exile")
    parts.add_relation(session, client_id, "protects", planner, exile)
    parts.add_relation(session, client_id, "allied", critic, planner)
    with pytest.raises(DomainError, match="already have that relation"):
        parts.add_relation(session, client_id, "allied", planner, critic)  # either way round
    seen.append(parts.map_content(session, client_id))
    parts.remove_part(session, critic)
    seen.append(parts.map_content(session, client_id))
    late = part("Scroller", "firefighter")  # placed by type, around the parts on the map
    parts.add_relation(session, client_id, "polarized", planner, late)
    parts.change_status(session, session.get_one(IfsPart, exile), "witnessed", DAY,
                        note_id=None)
    session.flush()
    seen.append(parts.take_snapshot(session, client_id, DAY, note_id=None).content)
    parts.remove_relation(session, client_id, "protects", planner, exile)
    parts.restore_part(session, critic)
    seen.append(parts.map_content(session, client_id))
    seen.append(parts.list_parts(session, client_id, include_removed=True))
    return seen


@pytest.mark.parametrize("blocks", [
    (parts.batched,), (parts.batched, rows.batched)], ids=["parts", "parts+rows"])
def test_a_block_sees_the_map_that_one_by_one_sees(
    session: Session, client_id: int, blocks: tuple[Block, ...]
) -> None:
    one_by_one = _story(session, client_id)
    session.rollback()
    with blocks[0](session), (blocks[1](session) if len(blocks) > 1 else nullcontext()):
        in_a_block = _story(session, client_id)
    assert in_a_block == one_by_one
    assert [p["name"] for p in one_by_one[2]["parts"]] == [
        "Planner", "Little One", "Scroller"]
    assert one_by_one[2]["relations"] == [
        {"kind": "protects", "from": 1, "to": 3}, {"kind": "polarized", "from": 1, "to": 4}]
