"""What the windows need from the domain, handed in by the composition root.

ui/ may not import any module that reaches SQLAlchemy (import-linter forbids it, directly
or through models.vault and models.services), so `workstation` builds a `Services` from the
real functions and passes it down. A `session` here is opaque: ui only ever hands it from
the task runner's worker thread to one of these functions, on that same thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from models.dto import (
    AddendumDTO,
    ClientChart,
    ClientDetail,
    ClientSummary,
    ClinicianDTO,
    DosingSessionDTO,
    NoteDTO,
    PartDTO,
    TargetDTO,
)
from models.errors import SigningError
from models.templates import Problem


class VaultHandle(Protocol):
    """An unlocked vault; used only on the task runner's worker thread."""

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> Path: ...

    def transaction(self) -> AbstractContextManager[Any]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class NoteServices:
    """The domain functions the note editor calls, always through `run` on the worker."""

    get_note: Callable[[Any, int], NoteDTO]
    # (session, note_id, content, *, dosing_session_id=...) -> NoteDTO
    save_draft: Callable[..., NoteDTO]
    check_for_signing: Callable[[Any, int], list[Problem]]
    sign_note: Callable[..., NoteDTO]  # (session, note_id, *, clinician_id)
    add_addendum: Callable[..., AddendumDTO]  # (session, note_id, *, kind, reason, text,
    #                                              author_id)
    dosing_context: Callable[[DosingSessionDTO, dt.date], str]  # pure: runs on the GUI thread
    list_dosing_sessions: Callable[[Any, int], list[DosingSessionDTO]]  # (session, client_id)
    list_targets: Callable[[Any, int], list[TargetDTO]]
    list_parts: Callable[[Any, int], list[PartDTO]]
    create_target: Callable[..., TargetDTO]  # (session, client_id, *, label, kind, prong)
    create_part: Callable[..., PartDTO]  # (session, client_id, *, name, part_type)
    # (session, note_id, *, actor_id): delete a draft started by mistake
    discard_draft: Callable[..., None] | None = None
    # Raised by sign_note when the note does not meet its template; carries `.problems`.
    signing_error: type[Exception] = SigningError


@dataclass(frozen=True)
class Services:
    """The domain functions the windows call, always through the task runner."""

    open_vault: Callable[[Path, str], VaultHandle]
    create_vault: Callable[[Path, str], VaultHandle]
    # Errors a person can act on (wrong passphrase, not a vault, damaged, too new): the
    # message says what happened and what to do.
    is_vault_error: Callable[[BaseException], bool]
    is_wrong_passphrase: Callable[[BaseException], bool]
    create_clinician: Callable[[Any, str, str], ClinicianDTO]
    primary_clinician: Callable[[Any], ClinicianDTO | None]
    record_unlock: Callable[..., None]  # (session, *, actor_id, failed_attempts)
    record_lock: Callable[..., None]  # (session, *, actor_id, reason)
    list_clients: Callable[..., list[ClientSummary]]  # (session, *, include_discharged)
    get_client: Callable[[Any, int], ClientDetail]
    load_client_chart: Callable[[Any, int], ClientChart]
    client_input: Callable[..., Any]  # ClientInput(name=..., date_of_birth=..., ...)
    validate_client_input: Callable[[Any], Mapping[str, str]]
    create_client: Callable[..., ClientDetail]  # (session, data, *, actor_id)
    update_client: Callable[..., ClientDetail]  # (session, client_id, data, *, actor_id)
    # Notes: the editor's port, and starting a note (session, client_id, template_id, *,
    # author_id, dosing_session_id, session_date) -> NoteDTO
    notes: NoteServices | None = None
    create_note: Callable[..., NoteDTO] | None = None
    # (session, client_id, kind, start_date, goals, *, actor_id) -> CourseDTO
    add_course: Callable[..., Any] | None = None
    # Builds the measures screens' port (ui.measure_entry.MeasuresServices) on first use.
    measures: Callable[[], Any] | None = None
    # Import the heavy modules ahead of need; run on the worker while the person types.
    prewarm: Callable[[], None] = lambda: None
