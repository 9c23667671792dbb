"""Fixtures shared by every test layer: vault paths, passphrases and in-memory databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from models import migrations

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def passphrase() -> str:
    return PASSPHRASE


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "practice.iwvault"


@pytest.fixture
def session() -> Iterator[Session]:
    """A fast in-memory database with the vault's schema and triggers, for service tests."""
    engine = create_engine("sqlite://")

    @event.listens_for(engine, "connect")
    def _foreign_keys(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA foreign_keys = ON")

    with engine.begin() as conn:
        migrations.upgrade_to_head(conn)
    with Session(engine) as s:
        yield s
    engine.dispose()
