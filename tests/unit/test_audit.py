"""The audit chain: events recorded one by one, or held in a batch and written together."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from models import audit
from models.entities import VaultInfo


@pytest.fixture
def headed(session: Session) -> Session:
    """A session on a store with the vault's header row, as every vault has."""
    session.add(VaultInfo(vault_uuid="test", created_by_app="test"))
    session.flush()
    return session


def _record_three(session: Session) -> None:
    audit.record(session, "client.create", entity="client", entity_id=1, client_id=1)
    audit.record(session, "note.create", entity="note", entity_id=7, client_id=1, actor_id=2,
                 detail="template=general@1")
    audit.record(session, "note.sign", entity="note", entity_id=7, client_id=1, actor_id=2)


def _shape(session: Session) -> list[tuple[object, ...]]:
    return [(e.action, e.entity, e.entity_id, e.client_id, e.actor_id, e.detail)
            for e in audit.events(session)]


def test_a_batch_writes_the_same_events_as_one_by_one(headed: Session) -> None:
    _record_three(headed)
    one_by_one = _shape(headed)
    with audit.batched(headed):
        _record_three(headed)
    assert _shape(headed) == one_by_one * 2
    assert audit.verify_chain(headed).ok
    anchor = audit.check_anchor(headed)
    assert anchor.ok and anchor.events == anchor.anchored_events == 6


def test_a_batch_keeps_each_events_own_time_in_order(headed: Session) -> None:
    with audit.batched(headed):
        _record_three(headed)
    times = [e.occurred_at for e in audit.events(headed)]
    assert times == sorted(times) and len(set(times)) == 3


def test_reading_the_log_inside_a_batch_sees_what_was_recorded(headed: Session) -> None:
    with audit.batched(headed):
        audit.record(headed, "client.create", entity="client", entity_id=1, client_id=1)
        assert [e.action for e in audit.events(headed)] == ["client.create"]
        audit.record(headed, "client.update", entity="client", entity_id=1, client_id=1)
    assert [e.action for e in audit.events(headed)] == ["client.create", "client.update"]
    assert audit.verify_chain(headed).ok and audit.check_anchor(headed).ok


def test_a_nested_batch_belongs_to_the_outer_one(headed: Session) -> None:
    with audit.batched(headed):
        with audit.batched(headed):
            _record_three(headed)
        audit.record(headed, "note.addendum", entity="addendum", entity_id=1, client_id=1)
    assert len(audit.events(headed)) == 4
    assert audit.check_anchor(headed).ok


def test_a_batch_that_fails_writes_nothing(headed: Session) -> None:
    with pytest.raises(RuntimeError), audit.batched(headed):
        _record_three(headed)
        raise RuntimeError("the unit of work failed")
    assert audit.events(headed) == []
    audit.record(headed, "client.create", entity="client", entity_id=1, client_id=1)
    assert audit.verify_chain(headed).ok and audit.check_anchor(headed).ok
