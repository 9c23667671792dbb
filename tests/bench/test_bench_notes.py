"""Signing speed: validate, extract the figures, hash, lock and audit one EMDR note."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models.backend import Backend
from models.clock import FixedClock
from models.services import notes
from models.vault import Vault

from .conftest import TODAY


def test_sign_emdr_note(benchmark: Any, heavy_vault: tuple[Vault, int]) -> None:
    vault, client_id = heavy_vault
    with vault.session() as session:
        template = next(n for n in notes.list_notes(session, client_id)
                        if n.template_id == "emdr" and n.signed)
    content = dict(template.content)

    backend = Backend(vault, clock=FixedClock(TODAY))

    def new_draft() -> tuple[tuple[int], dict[str, Any]]:
        note = backend.notes.create(client_id, "emdr", author_id=1,
                                    session_date=TODAY - dt.timedelta(days=1)).value
        backend.notes.save_draft(note.id, content)
        return (note.id,), {}

    def sign(note_id: int) -> str:
        return backend.notes.sign(note_id, clinician_id=1).value.status

    result = benchmark.pedantic(sign, setup=new_draft, rounds=30, iterations=1)
    assert result == "signed"
