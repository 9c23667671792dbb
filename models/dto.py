"""Frozen data transfer objects: what services return and what ui/ and reports/ may hold."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from models.vocabulary import (
    CLOSED_TARGET_STATUSES,
    INTEGRATION_AFTER_A_DOSE,
    INTEGRATION_AFTER_FIRST_DOSE,
)


@dataclass(frozen=True)
class ClinicianDTO:
    id: int
    name: str
    credentials: str
    licence: str

    @property
    def display(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


@dataclass(frozen=True)
class ClientSummary:
    """One row of the client list."""

    id: int
    record_number: str
    name: str
    preferred_name: str
    status: str
    dosing_sessions: int
    notes: int
    last_seen: dt.date | None
    unsigned_notes: int  # drafts: what waits for the therapist's signature
    open_followups: int  # safety follow-ups no signed note has answered yet
    oldest_unsigned: dt.date | None = None  # the session date of the oldest draft
    notes_to_write: int = 0  # doses on record without their dosing note
    awaiting_integration: int = 0  # ongoing courses whose latest dose awaits integration


class Waits(StrEnum):
    """The kinds of thing that wait for the therapist, in the order they are listed (the
    values are what `workstation waiting --json` calls them)."""

    FOLLOW_UP = "safety_follow_up"  # a positive safety item no signed note has answered
    TO_SIGN = "note_to_sign"  # a draft
    TO_WRITE = "dosing_note_to_write"  # a dose on record without its dosing note
    INTEGRATION = "integration_due"  # a dose followed by fewer sessions than planned

    @property
    def rank(self) -> int:
        """Where the kind comes in the list: follow-ups, then notes, then integration."""
        return {Waits.FOLLOW_UP: 0, Waits.INTEGRATION: 2}.get(self, 1)


@dataclass(frozen=True)
class WaitingItem:
    """One thing in the practice that waits for the therapist: a safety follow-up still
    open (`finding` says what opened it), a note to sign (`note_id`, `template_id`), a dose
    without its dosing note, or a dose whose integration sessions are not all held yet
    (`dosing_session_id`, `dose_label`, `held` of `planned`)."""

    client_id: int
    record_number: str
    client_name: str
    client_status: str
    day: dt.date  # the flagged measure's date, the draft's session date, or the dose's
    kind: Waits
    finding: str = ""  # "PHQ-9 item 9 = 2 (Thoughts of death or self-harm)"
    note_id: int | None = None
    template_id: str = ""
    dosing_session_id: int | None = None
    dose_label: str = ""  # "D3", "C2 D3"
    held: int = 0  # integration sessions that follow the dose
    planned: int = 0  # the ones the course's plan sets after it

    @property
    def is_followup(self) -> bool:
        return self.kind is Waits.FOLLOW_UP


@dataclass(frozen=True)
class ClientStatusChangeDTO:
    """A discharge or a reactivation."""

    status: str  # the status the client moved to
    changed_on: dt.date
    reason: str


@dataclass(frozen=True)
class ClientDetail:
    id: int
    record_number: str
    name: str
    preferred_name: str
    date_of_birth: dt.date | None
    pronouns: str
    contact: str
    emergency_contact: str
    diagnoses: str
    status: str
    discharged_on: dt.date | None
    status_history: tuple[ClientStatusChangeDTO, ...] = ()

    @property
    def last_status_change(self) -> ClientStatusChangeDTO | None:
        """The change that put the client in their present status, when it was recorded."""
        last = self.status_history[-1] if self.status_history else None
        return last if last is not None and last.status == self.status else None


@dataclass(frozen=True)
class VitalDTO:
    minutes_from_dose: int
    systolic: int | None
    diastolic: int | None
    heart_rate: int | None
    spo2: int | None
    respiratory_rate: int | None = None
    moaas: int | None = None


@dataclass(frozen=True)
class BoosterDTO:
    minutes_from_dose: int
    dose_mg: float


@dataclass(frozen=True)
class DosingSessionDTO:
    id: int
    course_id: int
    number: int
    session_date: dt.date
    start_time: dt.time | None
    setting: str
    medication: str
    route: str
    dose_mg: float | None
    weight_kg: float | None
    infusion_minutes: int | None
    lot_number: str
    prescriber: str
    monitoring_clinician: str
    intention: str
    set_and_setting: str
    cadss_total: int | None
    cadss6_total: int | None
    moaas: int | None
    adverse_events: str
    ready_for_discharge: dt.time | None
    ride_home_confirmed: bool | None
    observations: str
    client_account: str
    locked: bool
    vitals: tuple[VitalDTO, ...] = ()
    boosters: tuple[BoosterDTO, ...] = ()
    dose_time: dt.time | None = None

    @property
    def mg_per_kg(self) -> float | None:
        if self.dose_mg is None or not self.weight_kg:
            return None
        return self.dose_mg / self.weight_kg

    @property
    def cumulative_mg(self) -> float | None:
        """The first dose plus every booster."""
        if self.dose_mg is None:
            return None
        return self.dose_mg + sum(b.dose_mg for b in self.boosters)


@dataclass(frozen=True)
class CourseDTO:
    id: int
    client_id: int
    kind: str
    start_date: dt.date
    end_date: dt.date | None
    goals: str
    dosing_sessions: tuple[DosingSessionDTO, ...] = ()
    # The integration sessions the course plans after its first dose, and after each later.
    integration_after_first: int = INTEGRATION_AFTER_FIRST_DOSE
    integration_after_each: int = INTEGRATION_AFTER_A_DOSE


@dataclass(frozen=True)
class AddendumDTO:
    id: int
    note_id: int
    kind: str
    reason: str
    text: str
    author_id: int | None
    status: str
    signed_at: dt.datetime | None
    content_hash: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class NoteDTO:
    id: int
    client_id: int
    course_id: int | None
    dosing_session_id: int | None
    template_id: str
    template_version: int
    session_date: dt.date
    status: str
    author_id: int | None
    signed_at: dt.datetime | None
    signed_by_id: int | None
    content_hash: str | None
    updated_at: dt.datetime
    content: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    addenda: tuple[AddendumDTO, ...] = ()

    @property
    def signed(self) -> bool:
        return self.status == "signed"


@dataclass(frozen=True)
class TargetRatingDTO:
    id: int
    target_id: int
    note_id: int | None
    rated_on: dt.date
    point: str
    sud: int | None
    voc: int | None


@dataclass(frozen=True)
class TargetDefinitionChangeDTO:
    changed_at: dt.datetime
    field: str
    old_value: str | None
    new_value: str | None
    note_id: int | None


@dataclass(frozen=True)
class TargetDTO:
    id: int
    client_id: int
    kind: str
    label: str
    prong: str
    touchstone: bool
    found_by: str
    image: str
    negative_cognition: str
    positive_cognition: str
    emotions: str
    body_location: str
    baseline_sud: int | None
    baseline_voc: int | None
    status: str
    part_id: int | None
    identified_on: dt.date
    ratings: tuple[TargetRatingDTO, ...] = ()
    history: tuple[TargetDefinitionChangeDTO, ...] = ()

    @property
    def is_open(self) -> bool:
        """Still to be worked (or set aside): not completed and not reevaluated clear."""
        return self.status not in CLOSED_TARGET_STATUSES


@dataclass(frozen=True)
class PartDTO:
    id: int
    client_id: int
    name: str
    part_type: str
    age_appearance: str
    body_location: str
    role: str
    fears: str
    burdens_personal: str
    burdens_legacy: str
    trust_in_self: int | None
    status: str
    first_seen: dt.date
    map_x: float
    map_y: float
    removed_at: dt.datetime | None = None

    @property
    def on_map(self) -> bool:
        """False once the therapist has removed the part (it stays in the record)."""
        return self.removed_at is None


@dataclass(frozen=True)
class PartRelationDTO:
    id: int
    kind: str
    from_part_id: int
    to_part_id: int


@dataclass(frozen=True)
class MapPartDTO:
    """A part as a parts-map snapshot kept it: what the map showed of it that day."""

    id: int
    name: str
    part_type: str
    status: str
    trust_in_self: int | None
    x: float
    y: float


@dataclass(frozen=True)
class MapRelationDTO:
    """A relation as a snapshot kept it (undirected kinds: lower id first)."""

    kind: str
    from_part_id: int
    to_part_id: int


@dataclass(frozen=True)
class MapSnapshotDTO:
    """The parts map as it stood when a signed IFS note took this snapshot."""

    id: int
    client_id: int
    note_id: int | None
    taken_on: dt.date
    parts: tuple[MapPartDTO, ...]
    relations: tuple[MapRelationDTO, ...]


@dataclass(frozen=True)
class PartStatusChangeDTO:
    part_id: int
    note_id: int | None
    changed_on: dt.date
    old_status: str | None
    new_status: str


@dataclass(frozen=True)
class SelfEnergyPoint:
    rated_on: dt.date
    rating: int
    note_id: int | None


@dataclass(frozen=True)
class AdministrationDTO:
    id: int
    client_id: int
    instrument_id: str
    instrument_version: int
    administered_on: dt.date
    relation_to_care: str
    dosing_session_id: int | None
    note_id: int | None
    responses: tuple[tuple[int, float | None], ...]
    entered_in_error_at: dt.datetime | None = None
    entered_in_error_reason: str | None = None
    index_event: str | None = None
    created_at: dt.datetime | None = None  # when it was entered (not when it was given)

    @property
    def entered_in_error(self) -> bool:
        return self.entered_in_error_at is not None

    def response_map(self) -> dict[int, float | None]:
        return dict(self.responses)


@dataclass(frozen=True)
class ClientChart:
    """A client's whole record, loaded at once for the chart view and reports."""

    client: ClientDetail
    courses: tuple[CourseDTO, ...]
    notes: tuple[NoteDTO, ...]
    targets: tuple[TargetDTO, ...]
    parts: tuple[PartDTO, ...]  # every part, those taken off the map too (see on_map)
    relations: tuple[PartRelationDTO, ...]
    part_history: tuple[PartStatusChangeDTO, ...]
    self_energy: tuple[SelfEnergyPoint, ...]
    administrations: tuple[AdministrationDTO, ...]

    @property
    def dosing_sessions(self) -> tuple[DosingSessionDTO, ...]:
        return tuple(d for c in self.courses for d in c.dosing_sessions)

    @property
    def signed_notes(self) -> int:
        return sum(1 for n in self.notes if n.signed)

    @property
    def unsigned_notes(self) -> int:
        return sum(1 for n in self.notes if not n.signed)

    @property
    def open_targets(self) -> int:
        return sum(1 for t in self.targets if t.is_open)

    def dosing_session(self, dosing_session_id: int | None) -> DosingSessionDTO | None:
        for d in self.dosing_sessions:
            if d.id == dosing_session_id:
                return d
        return None


@dataclass(frozen=True)
class ChainReport:
    """What walking the audit log found: how many events, and the first broken link."""

    events: int
    first_broken_id: int | None
    problem: str = ""
    # The newest event walked and its hash, when the chain held: a later walk in the same
    # session may go on from there (models.audit.verify_chain's `since`).
    head_id: int | None = None
    head_hash: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


@dataclass(frozen=True)
class AuditEventDTO:
    """One entry of the audit trail: who did what to which record, never clinical text."""

    id: int
    occurred_at: str  # ISO 8601, UTC
    actor_id: int | None
    action: str
    entity: str
    entity_id: int | None
    client_id: int | None
    detail: str


@dataclass(frozen=True)
class AuditEntry:
    """One event of the audit trail in words, as the audit trail window and `workstation
    audit` show it: when, who, what was done and to which record."""

    id: int
    occurred_at: dt.datetime  # UTC
    who: str  # the clinician's name; "" when the event names none
    action: str  # the code (models.vocabulary.AUDIT_ACTIONS)
    what: str  # the action in words
    record: str  # which record, in words ("EMDR note of 6 Nov 2026"); "" for the vault
    client_id: int | None
    record_number: str  # the client's; "" when the event is not about one client
    client_name: str
    detail: str  # what else the event recorded, in words (never clinical text)


@dataclass(frozen=True)
class AuditTrail:
    """The events (the newest first unless asked otherwise), at most the limit asked for,
    and whether the whole chain still holds (each event linked to the one before and
    anchored in the vault's header)."""

    entries: tuple[AuditEntry, ...]
    more: bool  # older events of the same choice were left out
    events_in_vault: int
    problem: str  # "" when the chain holds; else what is wrong with it
    chain: ChainReport | None = None  # the walk of the chain (a later read goes on from it)

    @property
    def intact(self) -> bool:
        return not self.problem


# --------------------------------------------------------------------------- safekeeping

EXPORT_FORMAT_NAME = "export-format.md"  # the format's description, written with the data
EXPORT_WARNING = (
    "This export is NOT encrypted. Anyone who can read these files can read every client's "
    "record. Keep it on an encrypted disk, move it where it must go, and delete it (and "
    "empty the trash) when it is no longer needed.")


@dataclass(frozen=True)
class BackupReport:
    path: Path
    taken_at: dt.datetime  # UTC
    size_bytes: int
    tables: int
    rows: int
    # Whether the vault now remembers this backup as its last one (not when it is
    # read-only or was busy; `note` says why).
    recorded: bool
    pruned: tuple[Path, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class RestoreReport:
    path: Path
    backup: Path
    # Where the vault as it was before the restore now is (with its "-wal" beside it, if
    # it had one); None when there was no vault at the path.
    safety_copy: Path | None
    backup_taken_at: dt.datetime | None
    audit_events: int


@dataclass(frozen=True)
class RekeyReport:
    path: Path
    tables: int
    rows: int


@dataclass(frozen=True)
class ExportReport:
    folder: Path
    files: tuple[Path, ...]
    tables: int
    rows: int
    private_notes_included: bool
    # Notes whose template this version does not know: their content was left out, since
    # which of its fields are private cannot be told (only when private notes were not
    # asked for).
    withheld_note_ids: tuple[int, ...]
    warning: str = EXPORT_WARNING
    # Why the export is not in the vault's audit log, when it is not.
    note: str = ""


@dataclass(frozen=True)
class VerifyReport:
    """What was checked and every problem found; `problems` is empty when all is well."""

    checks: tuple[str, ...]
    problems: tuple[str, ...]
    audit_events: int
    last_backup_at: dt.datetime | None

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class VaultState:
    """What the window tells the therapist about the open vault itself."""

    read_only: bool
    read_only_reason: str
    problems: tuple[str, ...]  # what the checks made on opening found; empty when well
    sync_warning: str | None  # the folder is managed by a cloud sync client
    last_backup_at: dt.datetime | None  # UTC
    backup_due: bool  # never backed up, or not for a week


@dataclass(frozen=True)
class SearchHit:
    """One record found by a search across every note: where it is, and the words in context.

    `snippet` marks each matched word with models.search_text.HIT_START / HIT_END.
    """

    kind: str  # "note", "addendum", "target" or "part"
    ref_id: int  # the id of that record
    client_id: int
    record_number: str
    client_name: str
    client_status: str
    note_id: int | None  # the note to open (an addendum's own note); None for a target/part
    template_id: str | None  # the note's kind (its template), for notes and addenda
    day: dt.date | None  # the note's session date (an addendum's note's); when a target
    # was identified or a part first seen
    note_status: str | None
    title: str  # an addendum's kind, a target's label, a part's name; '' for a note
    snippet: str
    in_private: bool  # found only in the therapist's private process notes


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: tuple[SearchHit, ...]
    more: bool  # there were more matches than the hits shown
