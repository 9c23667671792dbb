"""What the windows need from the domain, handed in by the composition root.

ui/ may not import any module that reaches SQLAlchemy (import-linter forbids it, directly
or through models.vault and models.services), so `workstation` builds a `Services` from the
real functions and passes it down. A `session` here is opaque: ui only ever hands it from
the task runner's worker thread to one of these functions, on that same thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from models.dto import ClientChart, ClientDetail, ClientSummary, ClinicianDTO


class VaultHandle(Protocol):
    """An unlocked vault; used only on the task runner's worker thread."""

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> Path: ...

    def transaction(self) -> AbstractContextManager[Any]: ...

    def close(self) -> None: ...


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
    # Import the heavy modules ahead of need; run on the worker while the person types.
    prewarm: Callable[[], None] = lambda: None
