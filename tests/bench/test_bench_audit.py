"""The audit trail's speed on a practice of 300 clients and 100,000 events: the first read
of an unlock (the whole chain walked), a later one (walked on from the last), and one
client's events. No issue sets a target; the window reads the trail again after each write,
on the one worker thread every screen waits on, so a later read should stay well under the
0.25 s a screen may take."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from models import audit
from models.backend import Backend
from models.inputs import ClientInput
from models.vault import Vault, create_vault, open_vault

from .conftest import BENCH_PASSPHRASE

EVENTS = 100_000
CLIENTS = 300


@pytest.fixture(scope="module")
def big_trail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    """A vault of 300 clients and 100,000 events (each client's record changed in turn)."""
    path = tmp_path_factory.mktemp("bench-audit") / "audit.iwvault"
    vault = create_vault(path, BENCH_PASSPHRASE)
    try:
        backend = Backend(vault)
        doc = backend.practice.create_clinician("Dr Bench").value
        ids = [backend.clients.create(ClientInput(name=f"Client {n}"), actor_id=doc.id).value.id
               for n in range(CLIENTS)]
        with vault.transaction() as session, audit.batched(session):
            for n in range(EVENTS):
                client_id = ids[n % CLIENTS]
                audit.record(session, "client.update", entity="client", entity_id=client_id,
                             client_id=client_id, actor_id=doc.id, detail="fields=name")
    finally:
        vault.close()
    yield path, ids[CLIENTS // 2]


@pytest.fixture
def opened(big_trail: tuple[Path, int]) -> Iterator[Vault]:
    vault = open_vault(big_trail[0], BENCH_PASSPHRASE)
    yield vault
    vault.close()


def test_first_read_of_an_unlock_walks_the_whole_chain(benchmark: Any, opened: Vault) -> None:
    def read() -> int:
        return len(Backend(opened).audit.trail().entries)  # a new unlock: nothing walked yet

    assert benchmark.pedantic(read, rounds=5, iterations=1, warmup_rounds=1) == 5000


def test_a_later_read_walks_on_from_the_last(benchmark: Any, opened: Vault) -> None:
    backend = Backend(opened)
    first = backend.audit.trail()
    assert first.intact and first.events_in_vault > EVENTS
    result = benchmark.pedantic(backend.audit.trail, rounds=10, iterations=1, warmup_rounds=1)
    assert result.intact and len(result.entries) == 5000


def test_one_clients_events(benchmark: Any, opened: Vault,
                            big_trail: tuple[Path, int]) -> None:
    backend = Backend(opened)
    backend.audit.trail()
    client_id = big_trail[1]
    result = benchmark.pedantic(lambda: backend.audit.trail(client_id=client_id), rounds=10,
                                iterations=1, warmup_rounds=1)
    assert len(result.entries) == EVENTS // CLIENTS + 1
