"""The backend as the windows and the command line see it: typed, with no SQLAlchemy or Qt.

Unlocking a vault gives one backend (`models.backend.Backend`), as Anki's collection is:
methods grouped by subject, each running its own unit of work and returning DTOs. This
module holds only the shape of it (Protocols) and the small values that cross the line,
so `ui/` can import it without loading the database layer, and mypy checks every call.

Every write returns `Done`: its value and the `Changes` it made (which client, which kinds
of record), so each screen refreshes only what a write touched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from models.clinical.measures import MeasuresView, ScoredAdministration
from models.clinical.safety import SafetyFollowUp
from models.dto import (
    AddendumDTO,
    AdministrationDTO,
    AuditEventDTO,
    ChainReport,
    ClientChart,
    ClientDetail,
    ClientSummary,
    ClinicianDTO,
    CourseDTO,
    DosingSessionDTO,
    NoteDTO,
    PartDTO,
    TargetDTO,
)
from models.inputs import (
    AddendumInput,
    ClientInput,
    CourseInput,
    CustomMeasureInput,
    MeasureInput,
    PartInput,
    TargetInput,
)
from models.instruments.definitions import Instrument
from models.templates.validation import Problem, SigningCheck

T_co = TypeVar("T_co", covariant=True)


class Kind(StrEnum):
    """The kinds of record a write can touch; a screen shows some of them."""

    CLIENTS = "clients"  # the client list: names, statuses, counts, last seen
    DETAILS = "details"  # one client's own details
    CARE = "care"  # courses and dosing sessions
    NOTES = "notes"  # notes created, signed, discarded, given addenda, or re-dated
    DRAFT = "draft"  # only the text of a draft: nothing else on screen shows it
    MEASURES = "measures"
    TARGETS = "targets"
    PARTS = "parts"
    PRACTICE = "practice"  # the clinician, custom instruments: the vault as a whole


@dataclass(frozen=True)
class Changes:
    """What one write changed."""

    client_id: int | None
    kinds: frozenset[Kind]

    @classmethod
    def of(cls, client_id: int | None, *kinds: Kind) -> Changes:
        return cls(client_id, frozenset(kinds))

    def touches(self, *kinds: Kind) -> bool:
        return not self.kinds.isdisjoint(kinds)


@dataclass(frozen=True)
class Done(Generic[T_co]):
    """A write's result and what it changed."""

    value: T_co
    changes: Changes


@dataclass(frozen=True)
class NoteContext:
    """Everything the note window needs, read in one unit of work."""

    note: NoteDTO
    client: ClientDetail
    courses: tuple[CourseDTO, ...]
    targets: tuple[TargetDTO, ...]
    parts: tuple[PartDTO, ...]
    # The client's safety follow-ups (models.clinical.safety): a draft shows the open ones
    # at its top, a signed note those it answered.
    followups: tuple[SafetyFollowUp, ...] = ()
    # A dosing note's dose: the CADSS / CADSS-6 already in Measures for it (one record).
    dose_measures: tuple[AdministrationDTO, ...] = ()

    @property
    def dosing_sessions(self) -> tuple[DosingSessionDTO, ...]:
        return tuple(d for c in self.courses for d in c.dosing_sessions)

    @property
    def dosing(self) -> DosingSessionDTO | None:
        """The dosing session the note records or follows."""
        return next((d for d in self.dosing_sessions if d.id == self.note.dosing_session_id),
                    None)


class PracticeApi(Protocol):
    """The clinician who owns the vault, and the vault's own events."""

    def clinician(self) -> ClinicianDTO | None: ...

    def create_clinician(self, name: str, credentials: str = "") -> Done[ClinicianDTO]: ...

    def record_unlock(self, *, actor_id: int | None, failed_attempts: int = 0) -> None: ...

    def record_lock(self, *, actor_id: int | None, reason: str) -> None: ...


class ClientsApi(Protocol):
    def summaries(self, *, search: str = "",
                  include_discharged: bool = True) -> list[ClientSummary]: ...

    def get(self, client_id: int) -> ClientDetail: ...

    def find(self, record_number: str) -> ClientDetail: ...

    def chart(self, client_id: int) -> ClientChart: ...

    def create(self, data: ClientInput, *, actor_id: int | None) -> Done[ClientDetail]: ...

    def update(self, client_id: int, data: ClientInput, *,
               actor_id: int | None) -> Done[ClientDetail]: ...

    def discharge(self, client_id: int, on: dt.date | None = None, *,
                  actor_id: int | None) -> Done[ClientDetail]: ...

    def reactivate(self, client_id: int, *, actor_id: int | None) -> Done[ClientDetail]: ...


class CareApi(Protocol):
    def courses(self, client_id: int) -> list[CourseDTO]: ...

    def add_course(self, client_id: int, data: CourseInput, *,
                   actor_id: int | None) -> Done[CourseDTO]: ...


class NotesApi(Protocol):
    def get(self, note_id: int) -> NoteDTO: ...

    def of_client(self, client_id: int) -> list[NoteDTO]: ...

    def context(self, note_id: int) -> NoteContext: ...

    def create(self, client_id: int, template_id: str, *, author_id: int | None,
               dosing_session_id: int | None = None,
               session_date: dt.date | None = None) -> Done[NoteDTO]: ...

    def save_draft(self, note_id: int, content: Mapping[str, Any]) -> Done[NoteDTO]: ...

    def follow_dose(self, note_id: int, dosing_session_id: int | None,
                    content: Mapping[str, Any]) -> Done[NoteDTO]: ...

    def problems(self, note_id: int, content: Mapping[str, Any] | None = None) -> list[Problem]:
        """What stands in the way of signing (after saving `content`, when given)."""
        ...

    def check(self, note_id: int, content: Mapping[str, Any] | None = None) -> SigningCheck:
        """The problems and the warnings (with or without their reasons) that signing
        would meet, after saving `content` when given."""
        ...

    def sign(self, note_id: int, *, clinician_id: int) -> Done[NoteDTO]: ...

    def add_addendum(self, note_id: int, data: AddendumInput, *,
                     author_id: int | None) -> Done[AddendumDTO]: ...

    def discard_draft(self, note_id: int, *, actor_id: int | None) -> Done[None]: ...


class MeasuresApi(Protocol):
    def instruments(self) -> dict[str, Instrument]: ...

    def view(self, client_id: int) -> MeasuresView: ...

    def record(self, client_id: int, data: MeasureInput, *,
               actor_id: int | None) -> Done[ScoredAdministration]: ...

    def create_custom(self, data: CustomMeasureInput, *,
                      actor_id: int | None) -> Done[Instrument]: ...

    def mark_entered_in_error(self, administration_id: int, reason: str, *,
                              actor_id: int | None) -> Done[AdministrationDTO]: ...


class TargetsApi(Protocol):
    def of_client(self, client_id: int) -> list[TargetDTO]: ...

    def create(self, client_id: int, data: TargetInput, *,
               actor_id: int | None) -> Done[TargetDTO]: ...


class PartsApi(Protocol):
    def of_client(self, client_id: int) -> list[PartDTO]: ...

    def create(self, client_id: int, data: PartInput, *,
               actor_id: int | None) -> Done[PartDTO]: ...


class AuditApi(Protocol):
    def verify_chain(self) -> ChainReport: ...

    def events(self, *, client_id: int | None = None,
               action_prefix: str = "") -> list[AuditEventDTO]:
        """The audit trail, oldest first."""
        ...


class Backend(Protocol):
    """One unlocked vault. Use it from one thread (the task runner's worker)."""

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> Path: ...

    @property
    def today(self) -> dt.date: ...

    @property
    def practice(self) -> PracticeApi: ...

    @property
    def clients(self) -> ClientsApi: ...

    @property
    def care(self) -> CareApi: ...

    @property
    def notes(self) -> NotesApi: ...

    @property
    def measures(self) -> MeasuresApi: ...

    @property
    def targets(self) -> TargetsApi: ...

    @property
    def parts(self) -> PartsApi: ...

    @property
    def audit(self) -> AuditApi: ...

    def close(self) -> None: ...


class BackendOpener(Protocol):
    """How the composition root hands the windows a way to unlock or create a vault.

    `prewarm` imports the database layer ahead of need (the task runner calls it on the
    worker while the therapist types the passphrase)."""

    def open(self, path: Path, passphrase: str) -> Backend: ...

    def create(self, path: Path, passphrase: str) -> Backend: ...

    def prewarm(self) -> None: ...

    def today(self) -> dt.date:
        """The date the windows take as today: the same clock the backend uses."""
        ...


