"""Fixtures shared by every test layer: vault paths, passphrases, a fixed clock, and a
backend over an in-memory database with the vault's schema."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from models import migrations
from models.backend import Backend
from models.clock import FixedClock

PASSPHRASE = "correct horse battery staple"
# Every test runs on this day unless it says otherwise: results never depend on the date
# the suite happens to run.
TODAY = dt.date(2026, 11, 1)


@pytest.fixture
def passphrase() -> str:
    return PASSPHRASE


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "practice.iwvault"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TODAY)


class MemoryStore:
    """A database in memory with the vault's schema and triggers: what the backend needs
    from a vault, for fast tests of the domain."""

    name = "memory"
    path = Path(":memory:")

    def __init__(self) -> None:
        self.engine: Engine = create_engine("sqlite://", poolclass=StaticPool)

        @event.listens_for(self.engine, "connect")
        def _foreign_keys(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.execute("PRAGMA foreign_keys = ON")

        with self.engine.begin() as conn:
            migrations.upgrade_to_head(conn)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def check_writable(self, then: str = "") -> None:
        """Memory is always written."""

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        with self._sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    def session(self) -> Session:
        return self._sessions()

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture
def store() -> Iterator[MemoryStore]:
    memory = MemoryStore()
    yield memory
    memory.close()


@pytest.fixture
def backend(store: MemoryStore, clock: FixedClock) -> Backend:
    """The real backend over the in-memory store, on TODAY."""
    return Backend(store, clock=clock)


@pytest.fixture
def session(store: MemoryStore) -> Iterator[Session]:
    """A session on the same in-memory database, for service-level tests and for looking
    at what the backend wrote."""
    with store.session() as s:
        yield s
