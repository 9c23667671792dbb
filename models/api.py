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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from models.clinical.measures import MeasuresView, ScoredAdministration
from models.clinical.safety import RiskCheck, SafetyFollowUp
from models.dto import (
    AddendumDTO,
    AdministrationDTO,
    AuditEventDTO,
    AuditTrail,
    BackupReport,
    ChainReport,
    ClientChart,
    ClientDetail,
    ClientSummary,
    ClinicianDTO,
    CourseDTO,
    DosingSessionDTO,
    ExportReport,
    MapSnapshotDTO,
    NoteDTO,
    PartDTO,
    PartRelationDTO,
    RekeyReport,
    RestoreReport,
    SearchResults,
    TargetDTO,
    VaultState,
    VerifyReport,
    WaitingItem,
)
from models.inputs import (
    AUDIT_TRAIL_LIMIT,
    AddendumInput,
    ClientInput,
    ClinicianInput,
    CourseInput,
    CustomMeasureInput,
    MeasureInput,
    PartInput,
    ReportOptions,
    StatusChangeInput,
    TargetInput,
)
from models.instruments.definitions import Instrument
from models.report_data import ReportData
from models.templates.validation import Problem, SigningCheck

T_co = TypeVar("T_co", covariant=True)


class Kind(StrEnum):
    """The kinds of record a write can touch; a screen shows some of them."""

    CLIENTS = "clients"  # the client list: names, statuses, counts, last seen, what is open
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
    # The latest signed risk check of another note dated on or before this one: a draft
    # shows it when it found ideation, to be asked about again.
    previous_risk: RiskCheck | None = None
    # A dosing note's dose: the CADSS / CADSS-6 already in Measures for it (one record).
    dose_measures: tuple[AdministrationDTO, ...] = ()
    # A dosing draft: the client's dose before this one, in words (models.clinical.vitals.
    # last_dose_text), and whether it had a vital out of range or an adverse event.
    last_dose: str = ""
    last_dose_concern: bool = False

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

    def update_clinician(self, clinician_id: int, data: ClinicianInput) -> Done[ClinicianDTO]:
        """Change the clinician's name, credentials or licence (ValidationError by
        models.inputs.validate_clinician)."""
        ...

    # Neither records anything in a vault open read-only.
    def record_unlock(self, *, actor_id: int | None, failed_attempts: int = 0) -> None: ...

    def record_lock(self, *, actor_id: int | None, reason: str) -> None: ...


class ClientsApi(Protocol):
    def summaries(self, *, search: str = "",
                  include_discharged: bool = True) -> list[ClientSummary]: ...

    def waiting(self) -> list[WaitingItem]:
        """Across the practice, discharged clients included: each safety follow-up still
        open, oldest first, then each note to sign, oldest session first."""
        ...

    def get(self, client_id: int) -> ClientDetail: ...

    def find(self, record_number: str) -> ClientDetail: ...

    def chart(self, client_id: int) -> ClientChart: ...

    def create(self, data: ClientInput, *, actor_id: int | None) -> Done[ClientDetail]: ...

    def update(self, client_id: int, data: ClientInput, *,
               actor_id: int | None) -> Done[ClientDetail]: ...

    def discharge(self, client_id: int, data: StatusChangeInput, *,
                  actor_id: int | None) -> Done[ClientDetail]:
        """Discharge on a day, for a reason (models.inputs.validate_status_change)."""
        ...

    def reactivate(self, client_id: int, data: StatusChangeInput, *,
                   actor_id: int | None) -> Done[ClientDetail]: ...

    def deletion_problem(self, client_id: int) -> str | None: ...

    def delete(self, client_id: int, *, actor_id: int | None) -> Done[str]: ...


class CareApi(Protocol):
    def courses(self, client_id: int) -> list[CourseDTO]: ...

    def add_course(self, client_id: int, data: CourseInput, *,
                   actor_id: int | None) -> Done[CourseDTO]: ...

    def update_course(self, course_id: int, data: CourseInput, *,
                      actor_id: int | None) -> Done[CourseDTO]:
        """Change a course's kind, dates or goals; its dates must hold its dosing sessions
        (models.inputs.validate_course_change)."""
        ...


class NotesApi(Protocol):
    def get(self, note_id: int) -> NoteDTO: ...

    def of_client(self, client_id: int) -> list[NoteDTO]: ...

    def context(self, note_id: int) -> NoteContext: ...

    def create(self, client_id: int, template_id: str, *, author_id: int | None,
               dosing_session_id: int | None = None,
               session_date: dt.date | None = None,
               carry_forward: bool = False) -> Done[NoteDTO]:
        """A new draft; `carry_forward` starts it from the client's last signed note of
        the same kind (models.clinical.carry)."""
        ...

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

    def update_custom(self, key: str, data: CustomMeasureInput, *,
                      actor_id: int | None) -> Done[Instrument]: ...

    def mark_entered_in_error(self, administration_id: int, reason: str, *,
                              actor_id: int | None) -> Done[AdministrationDTO]: ...


class TargetsApi(Protocol):
    """The EMDR/ART target registry. Every change to a target's definition is kept in
    its dated history, with the note that made it or none (by hand)."""

    def of_client(self, client_id: int) -> list[TargetDTO]: ...

    def get(self, target_id: int) -> TargetDTO: ...

    def create(self, client_id: int, data: TargetInput, *,
               actor_id: int | None) -> Done[TargetDTO]: ...

    def update(self, target_id: int, data: TargetInput, *,
               actor_id: int | None) -> Done[TargetDTO]: ...

    def set_status(self, target_id: int, status: str, *,
                   actor_id: int | None) -> Done[TargetDTO]: ...

    def link_part(self, target_id: int, part_id: int | None, *,
                  actor_id: int | None) -> Done[TargetDTO]:
        """Say which IFS part carries the target (None: none)."""
        ...


class PartsApi(Protocol):
    """The IFS parts registry and map. A part taken off the map is kept, and put back by
    `restore`; relations are identified by their kind and their two parts."""

    def of_client(self, client_id: int) -> list[PartDTO]: ...

    def create(self, client_id: int, data: PartInput, *,
               actor_id: int | None) -> Done[PartDTO]: ...

    def update(self, part_id: int, data: PartInput, *,
               actor_id: int | None) -> Done[PartDTO]: ...

    def move(self, client_id: int, positions: Mapping[int, tuple[float, float]], *,
             actor_id: int | None) -> Done[list[PartDTO]]: ...

    def remove(self, part_id: int, *, actor_id: int | None) -> Done[PartDTO]: ...

    def restore(self, part_id: int, *, actor_id: int | None) -> Done[PartDTO]: ...

    def relate(self, client_id: int, kind: str, from_part_id: int, to_part_id: int, *,
               actor_id: int | None) -> Done[PartRelationDTO]: ...

    def unrelate(self, client_id: int, kind: str, from_part_id: int, to_part_id: int, *,
                 actor_id: int | None) -> Done[PartRelationDTO]: ...

    def snapshots(self, client_id: int) -> list[MapSnapshotDTO]:
        """Every map snapshot signed IFS notes kept, oldest first."""
        ...

    def snapshot_on(self, client_id: int, on: dt.date) -> MapSnapshotDTO | None:
        """The map as it stood on a date: the last snapshot on or before it."""
        ...


class ReportsApi(Protocol):
    def data(self, client_id: int, options: ReportOptions) -> ReportData:
        """Everything the report needs, read in one unit of work (checks the options)."""
        ...

    def check_recordable(self) -> None:
        """Refuse (VaultReadOnlyError) when a report saved or printed now could not be
        recorded in the audit trail: ask before the report leaves the vault."""
        ...

    def record(self, client_id: int, options: ReportOptions, action: str, *,
               protected: bool, actor_id: int | None) -> None:
        """Audit that a report was saved or printed (`action`: "saved", "printed")."""
        ...


Progress = Callable[[float], None]  # 0.0 .. 1.0, called on the worker thread


class SafekeepingApi(Protocol):
    """Backup, export and verify of the open vault, and what to say about it."""

    def state(self) -> VaultState: ...

    def backup(self, out: Path, *, keep: int | None = None,
               progress: Progress | None = None) -> BackupReport: ...

    def export(self, out: Path, *, include_private: bool = False,
               progress: Progress | None = None) -> ExportReport: ...

    def verify(self, *, progress: Progress | None = None) -> VerifyReport: ...


class SearchApi(Protocol):
    def find(self, query: str, *, include_private: bool = True,
             limit: int = 200) -> SearchResults:
        """Every note, addendum, target and part holding all the words, best first.

        Raises ValidationError (models.inputs.validate_search's message) for a query that
        cannot be read."""
        ...


class AuditApi(Protocol):
    def verify_chain(self) -> ChainReport: ...

    def trail(self, *, client_id: int | None = None, start: dt.date | None = None,
              end: dt.date | None = None, limit: int = AUDIT_TRAIL_LIMIT) -> AuditTrail:
        """The events of the vault or of one client in words, newest first, from `start`
        to `end` (local days, both included), at most `limit`; and whether the chain holds.
        Raises ValidationError (models.inputs.validate_trail_choice) for a bad choice and
        NotFoundError for a client not in the vault."""
        ...

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
    def read_only(self) -> bool:
        """Opened read-only (a read-only file or folder, or damage found on opening)."""
        ...

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
    def reports(self) -> ReportsApi: ...

    @property
    def audit(self) -> AuditApi: ...

    @property
    def safekeeping(self) -> SafekeepingApi: ...

    @property
    def search(self) -> SearchApi: ...

    def close(self) -> None: ...


class BackendOpener(Protocol):
    """How the composition root hands the windows a way to unlock or create a vault.

    `prewarm` imports the database layer ahead of need (the task runner calls it on the
    worker while the therapist types the passphrase)."""

    def open(self, path: Path, passphrase: str) -> Backend: ...

    def create(self, path: Path, passphrase: str) -> Backend: ...

    def prewarm(self) -> None: ...

    def restore(self, backup: Path, vault: Path, passphrase: str, *,
                progress: Progress | None = None) -> RestoreReport:
        """Put a backup in the vault's place (the vault as it was is kept aside). The vault
        must not be open in this process."""
        ...

    def change_passphrase(self, vault: Path, old: str, new: str, *,
                          progress: Progress | None = None) -> RekeyReport:
        """Re-encrypt the vault with a new passphrase. The vault must not be open here."""
        ...

    def prewarm_charts(self) -> None:
        """Import the chart libraries ahead of need (after unlock, on the worker, while the
        therapist reads the first screens)."""
        ...

    def today(self) -> dt.date:
        """The date the windows take as today: the same clock the backend uses."""
        ...


