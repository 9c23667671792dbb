"""A small demo practice in memory, read once per module, and reportlab's invariant mode
(reproducible bytes) for every report test."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pypdf
import pytest
from reportlab import rl_config

from models.backend import Backend
from models.clock import FixedClock
from models.demo import DemoPlan, generate_demo
from tests.conftest import TODAY, MemoryStore


@pytest.fixture(autouse=True)
def invariant() -> Iterator[None]:
    previous = rl_config.invariant
    rl_config.invariant = 1
    yield
    rl_config.invariant = previous


@pytest.fixture(scope="module")
def practice() -> Iterator[Backend]:
    """A backend over 3 synthetic clients with whole courses of care (shared: read only)."""
    store = MemoryStore()
    with store.transaction() as session:
        generate_demo(session, DemoPlan(clients=3, seed=3, today=TODAY))
    yield Backend(store, clock=FixedClock(TODAY))
    store.close()


def pages_text(pdf: bytes, password: str | None = None) -> list[str]:
    """The text of each page, as a PDF reader extracts it."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    if password is not None:
        reader.decrypt(password)
    return [page.extract_text() for page in reader.pages]
