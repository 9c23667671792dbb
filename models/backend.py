"""The backend of one unlocked vault: typed methods by subject, each its own unit of work.

This is the real implementation of `models.api.Backend`. Each method opens a short
transaction, calls the services (which take a Session) and returns DTOs; a write also
returns the `Changes` it made. Nothing outside models/ ever sees a Session.

Use one backend from one thread: the GUI's task runner keeps it on its worker thread,
the command line on its only thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from models import audit
from models.api import Changes, Done, Kind, NoteContext
from models.clinical.doses import dose_before, dosing_notes
from models.clinical.measures import (
    DISSOCIATION_INSTRUMENTS,
    MeasuresView,
    ScoredAdministration,
    build_measures_view,
    dose_dissociations,
    score_administration,
)
from models.clinical.period import dissociation_text
from models.clinical.safety import followups_of, latest_risk_check, signed_past
from models.clinical.vitals import dose_of_concern, last_dose_text
from models.clock import SYSTEM_CLOCK, Clock
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
    ExportReport,
    MapSnapshotDTO,
    NoteDTO,
    PartDTO,
    PartRelationDTO,
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
from models.instruments.loading import load_instruments
from models.report_data import ReportData
from models.services import (
    audit_trail,
    care,
    chart,
    clients,
    clinicians,
    measures,
    notes,
    parts,
    reports,
    search,
    security,
    targets,
)
from models.templates.loading import load_templates
from models.templates.validation import Problem, SigningCheck
from models.vault import Vault, create_vault, open_vault
from models.vocabulary import PRACTICE_DISCLOSURES

T = TypeVar("T")


class Store(Protocol):
    """Where the backend's units of work run: an unlocked vault (or, in tests, a database
    in memory with the vault's schema)."""

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> Path: ...

    def check_writable(self, then: str = ...) -> None: ...

    def transaction(self) -> AbstractContextManager[Session]: ...

    def snapshot(self) -> AbstractContextManager[Session]: ...

    def close(self) -> None: ...

# What a note's life touches beyond the note itself: the list shows note counts and the
# last session, the chart shows the note. Signing also files figures in other records.
_NOTE_CHANGES = (Kind.NOTES, Kind.CLIENTS)
# A measure can open a safety follow-up, and one marked in error can close it: the client
# list shows which clients have one open.
_MEASURE_CHANGES = (Kind.MEASURES, Kind.CLIENTS)
# A course's end and its integration plan say whether its latest dose still awaits
# integration, which the client list counts.
_COURSE_CHANGES = (Kind.CARE, Kind.CLIENTS)
_SIGN_CHANGES = (Kind.NOTES, Kind.CLIENTS, Kind.CARE, Kind.TARGETS, Kind.PARTS, Kind.MEASURES)


class _Subject:
    """One group of the backend's methods, sharing the vault's unit of work."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    @property
    def _today(self) -> dt.date:
        return self._backend.today

    @contextmanager
    def _work(self) -> Iterator[Session]:
        with self._backend.vault.transaction() as session:
            yield session

    def _run(self, fn: Callable[[Session], T]) -> T:
        """A write: one transaction, committed when fn returns."""
        with self._work() as session:
            return fn(session)

    def _read(self, fn: Callable[[Session], T]) -> T:
        """A read: one consistent snapshot, nothing written (so a vault open read-only
        still shows everything)."""
        with self._backend.vault.snapshot() as session:
            return fn(session)


class Practice(_Subject):
    def clinician(self) -> ClinicianDTO | None:
        return self._read(clinicians.primary_clinician)

    def create_clinician(self, name: str, credentials: str = "") -> Done[ClinicianDTO]:
        value = self._run(lambda s: clinicians.create_clinician(s, name, credentials))
        return Done(value, Changes.of(None, Kind.PRACTICE))

    def update_clinician(self, clinician_id: int, data: ClinicianInput) -> Done[ClinicianDTO]:
        value = self._run(lambda s: clinicians.update_clinician(s, clinician_id, data))
        return Done(value, Changes.of(None, Kind.PRACTICE))

    # A vault open read-only is read, never written: it records no unlock or lock (which
    # would be refused, and on quit or lock reported as a failure).

    def record_unlock(self, *, actor_id: int | None, failed_attempts: int = 0) -> None:
        if not self._backend.read_only:
            self._run(lambda s: security.record_unlock(s, actor_id=actor_id,
                                                       failed_attempts=failed_attempts))

    def record_lock(self, *, actor_id: int | None, reason: str) -> None:
        if not self._backend.read_only:
            self._run(lambda s: security.record_lock(s, actor_id=actor_id, reason=reason))


class Clients(_Subject):
    def summaries(self, *, search: str = "",
                  include_discharged: bool = True) -> list[ClientSummary]:
        return self._read(lambda s: clients.list_clients(
            s, today=self._today, search=search, include_discharged=include_discharged))

    def waiting(self) -> list[WaitingItem]:
        return self._read(lambda s: clients.waiting(s, self._today))

    def get(self, client_id: int) -> ClientDetail:
        return self._read(lambda s: clients.get_client(s, client_id))

    def find(self, record_number: str) -> ClientDetail:
        return self._read(lambda s: clients.find_client_by_record_number(s, record_number))

    def chart(self, client_id: int) -> ClientChart:
        return self._read(lambda s: chart.load_client_chart(s, client_id))

    def create(self, data: ClientInput, *, actor_id: int | None) -> Done[ClientDetail]:
        value = self._run(lambda s: clients.create_client(s, data, today=self._today,
                                                          actor_id=actor_id))
        return Done(value, Changes.of(value.id, Kind.CLIENTS, Kind.DETAILS))

    def update(self, client_id: int, data: ClientInput, *,
               actor_id: int | None) -> Done[ClientDetail]:
        value = self._run(lambda s: clients.update_client(s, client_id, data, today=self._today,
                                                          actor_id=actor_id))
        return Done(value, Changes.of(client_id, Kind.CLIENTS, Kind.DETAILS))

    def discharge(self, client_id: int, data: StatusChangeInput, *,
                  actor_id: int | None) -> Done[ClientDetail]:
        value = self._run(lambda s: clients.discharge_client(s, client_id, data,
                                                             today=self._today,
                                                             actor_id=actor_id))
        return Done(value, Changes.of(client_id, Kind.CLIENTS, Kind.DETAILS))

    def reactivate(self, client_id: int, data: StatusChangeInput, *,
                   actor_id: int | None) -> Done[ClientDetail]:
        value = self._run(lambda s: clients.reactivate_client(s, client_id, data,
                                                              today=self._today,
                                                              actor_id=actor_id))
        return Done(value, Changes.of(client_id, Kind.CLIENTS, Kind.DETAILS))

    def deletion_problem(self, client_id: int) -> str | None:
        return self._read(lambda s: clients.deletion_problem(s, client_id))

    def delete(self, client_id: int, *, actor_id: int | None) -> Done[str]:
        """A client added by mistake, with nothing recorded; the record number back."""
        value = self._run(lambda s: clients.delete_client(s, client_id, actor_id=actor_id))
        return Done(value, Changes.of(client_id, Kind.CLIENTS))  # no chart left to read


class Care(_Subject):
    def courses(self, client_id: int) -> list[CourseDTO]:
        return self._read(lambda s: care.list_courses(s, client_id))

    def add_course(self, client_id: int, data: CourseInput, *,
                   actor_id: int | None) -> Done[CourseDTO]:
        value = self._run(lambda s: care.add_course(s, client_id, data, actor_id=actor_id))
        return Done(value, Changes.of(client_id, *_COURSE_CHANGES))

    def update_course(self, course_id: int, data: CourseInput, *,
                      actor_id: int | None) -> Done[CourseDTO]:
        value = self._run(lambda s: care.update_course(s, course_id, data, actor_id=actor_id))
        return Done(value, Changes.of(value.client_id, *_COURSE_CHANGES))


def _last_dose(note: NoteDTO, courses: Sequence[CourseDTO],
               administrations: Sequence[AdministrationDTO],
               client_notes: Iterable[NoteDTO]) -> tuple[str, bool]:
    """What a dosing draft recalls of the client's dose before it (with the warnings its
    signed note was signed past, and why), and whether that dose had a vital out of range
    or an adverse event ("", False: not a dosing draft, or no dose before it)."""
    if note.template_id != "dosing" or note.signed:
        return "", False
    before = dose_before(courses, note.dosing_session_id)
    if before is None:
        return "", False
    ref, dose = before
    known = load_instruments()
    scored = [one for a in administrations if a.dosing_session_id == dose.id
              if (one := score_administration(a, known)) is not None]
    dissociation = dissociation_text(dose, ref, dose_dissociations(scored, {dose.id: ref}))
    filed = dosing_notes(n for n in client_notes if n.signed).get(dose.id)
    template = (load_templates().find(filed.template_id, filed.template_version)
                if filed is not None else None)
    reasons = ([(c.message, why) for c, why in signed_past(template, filed.content)]
               if filed is not None and template is not None else [])
    return (last_dose_text(ref.label, dose, dissociation, signed_past=reasons),
            dose_of_concern(dose))


class Notes(_Subject):
    def get(self, note_id: int) -> NoteDTO:
        return self._read(lambda s: notes.get_note(s, note_id))

    def of_client(self, client_id: int) -> list[NoteDTO]:
        return self._read(lambda s: notes.list_notes(s, client_id))

    def context(self, note_id: int) -> NoteContext:
        def load(s: Session) -> NoteContext:
            note = notes.get_note(s, note_id)
            administrations = chart.load_administrations(s, note.client_id)
            client_notes = chart.load_notes(s, note.client_id)
            followups = followups_of(client_notes, administrations,
                                     measures.available_instruments(s))
            previous_risk = latest_risk_check(
                n for n in client_notes
                if n.id != note.id and n.session_date <= note.session_date)
            dose_measures = tuple(
                a for a in administrations
                if note.template_id == "dosing" and a.dosing_session_id is not None
                and a.dosing_session_id == note.dosing_session_id
                and a.instrument_id in DISSOCIATION_INSTRUMENTS and not a.entered_in_error)
            courses = tuple(care.list_courses(s, note.client_id))
            last_dose, concern = _last_dose(note, courses, administrations, client_notes)
            return NoteContext(
                note=note,
                client=clients.get_client(s, note.client_id),
                courses=courses,
                targets=tuple(targets.list_targets(s, note.client_id)),
                # Removed parts too: an older note may name one.
                parts=tuple(parts.list_parts(s, note.client_id, include_removed=True)),
                followups=followups,
                previous_risk=previous_risk,
                dose_measures=dose_measures,
                last_dose=last_dose,
                last_dose_concern=concern,
            )
        return self._read(load)

    def create(self, client_id: int, template_id: str, *, author_id: int | None,
               dosing_session_id: int | None = None,
               session_date: dt.date | None = None,
               carry_forward: bool = False) -> Done[NoteDTO]:
        value = self._run(lambda s: notes.create_note(
            s, client_id, template_id, author_id=author_id, dosing_session_id=dosing_session_id,
            session_date=session_date, today=self._today, carry_forward=carry_forward))
        kinds = (*_NOTE_CHANGES, Kind.CARE) if template_id == "dosing" else _NOTE_CHANGES
        return Done(value, Changes.of(client_id, *kinds))

    def _draft_changes(self, before: NoteDTO, after: NoteDTO) -> Changes:
        # Only the text changed: nothing outside the note shows it. A new date or dose
        # moves the note on the timeline and in the list.
        moved = (before.session_date != after.session_date
                 or before.dosing_session_id != after.dosing_session_id)
        kinds = (*_NOTE_CHANGES, Kind.CARE) if moved else (Kind.DRAFT,)
        return Changes.of(after.client_id, *kinds)

    def save_draft(self, note_id: int, content: Mapping[str, Any]) -> Done[NoteDTO]:
        def save(s: Session) -> tuple[NoteDTO, NoteDTO]:
            before = notes.get_note(s, note_id)
            return before, notes.save_draft(s, note_id, content)
        before, after = self._run(save)
        return Done(after, self._draft_changes(before, after))

    def follow_dose(self, note_id: int, dosing_session_id: int | None,
                    content: Mapping[str, Any]) -> Done[NoteDTO]:
        def save(s: Session) -> tuple[NoteDTO, NoteDTO]:
            before = notes.get_note(s, note_id)
            return before, notes.save_draft(s, note_id, content,
                                            dosing_session_id=dosing_session_id)
        before, after = self._run(save)
        return Done(after, self._draft_changes(before, after))

    def problems(self, note_id: int, content: Mapping[str, Any] | None = None) -> list[Problem]:
        def check(s: Session) -> list[Problem]:
            if content is not None:
                notes.save_draft(s, note_id, content)
            return notes.check_for_signing(s, note_id)
        return self._run(check)

    def check(self, note_id: int, content: Mapping[str, Any] | None = None) -> SigningCheck:
        def check(s: Session) -> SigningCheck:
            if content is not None:
                notes.save_draft(s, note_id, content)
            return notes.signing_check(s, note_id)
        return self._run(check)

    def sign(self, note_id: int, *, clinician_id: int) -> Done[NoteDTO]:
        value = self._run(lambda s: notes.sign_note(s, note_id, clinician_id=clinician_id))
        return Done(value, Changes.of(value.client_id, *_SIGN_CHANGES))

    def add_addendum(self, note_id: int, data: AddendumInput, *,
                     author_id: int | None) -> Done[AddendumDTO]:
        def add(s: Session) -> tuple[AddendumDTO, int]:
            addendum = notes.add_addendum(s, note_id, data, author_id=author_id)
            return addendum, notes.get_note(s, note_id).client_id
        value, client_id = self._run(add)
        return Done(value, Changes.of(client_id, Kind.NOTES))

    def discard_draft(self, note_id: int, *, actor_id: int | None) -> Done[None]:
        def discard(s: Session) -> int:
            client_id = notes.get_note(s, note_id).client_id
            notes.discard_draft(s, note_id, actor_id=actor_id)
            return client_id
        client_id = self._run(discard)
        return Done(None, Changes.of(client_id, *_NOTE_CHANGES, Kind.CARE))


class Measures(_Subject):
    def instruments(self) -> dict[str, Instrument]:
        return self._read(measures.available_instruments)

    def view(self, client_id: int) -> MeasuresView:
        def load(s: Session) -> MeasuresView:
            return build_measures_view(chart.load_client_chart(s, client_id),
                                       measures.available_instruments(s))
        return self._read(load)

    def record(self, client_id: int, data: MeasureInput, *,
               actor_id: int | None) -> Done[ScoredAdministration]:
        value = self._run(lambda s: measures.record_administration(
            s, client_id, data, today=self._today, actor_id=actor_id))
        return Done(value, Changes.of(client_id, *_MEASURE_CHANGES))

    def create_custom(self, data: CustomMeasureInput, *,
                      actor_id: int | None) -> Done[Instrument]:
        value = self._run(lambda s: measures.create_custom_instrument(s, data,
                                                                      actor_id=actor_id))
        return Done(value, Changes.of(None, Kind.PRACTICE))

    def update_custom(self, key: str, data: CustomMeasureInput, *,
                      actor_id: int | None) -> Done[Instrument]:
        value = self._run(lambda s: measures.update_custom_instrument(s, key, data,
                                                                      actor_id=actor_id))
        return Done(value, Changes.of(None, Kind.PRACTICE))

    def mark_entered_in_error(self, administration_id: int, reason: str, *,
                              actor_id: int | None) -> Done[AdministrationDTO]:
        value = self._run(lambda s: measures.mark_entered_in_error(
            s, administration_id, reason, actor_id=actor_id))
        return Done(value, Changes.of(value.client_id, *_MEASURE_CHANGES))


class Targets(_Subject):
    def of_client(self, client_id: int) -> list[TargetDTO]:
        return self._read(lambda s: targets.list_targets(s, client_id))

    def get(self, target_id: int) -> TargetDTO:
        return self._read(lambda s: targets.get_target(s, target_id))

    def create(self, client_id: int, data: TargetInput, *,
               actor_id: int | None) -> Done[TargetDTO]:
        value = self._run(lambda s: targets.create_target(s, client_id, data, today=self._today,
                                                          actor_id=actor_id))
        return Done(value, Changes.of(client_id, Kind.TARGETS))

    def update(self, target_id: int, data: TargetInput, *,
               actor_id: int | None) -> Done[TargetDTO]:
        value = self._run(lambda s: targets.update_target(s, target_id, data,
                                                          actor_id=actor_id))
        return Done(value, Changes.of(value.client_id, Kind.TARGETS))

    def set_status(self, target_id: int, status: str, *,
                   actor_id: int | None) -> Done[TargetDTO]:
        value = self._run(lambda s: targets.set_status(s, target_id, status,
                                                       actor_id=actor_id))
        return Done(value, Changes.of(value.client_id, Kind.TARGETS))

    def link_part(self, target_id: int, part_id: int | None, *,
                  actor_id: int | None) -> Done[TargetDTO]:
        value = self._run(lambda s: targets.link_part(s, target_id, part_id,
                                                      actor_id=actor_id))
        return Done(value, Changes.of(value.client_id, Kind.TARGETS))


class Parts(_Subject):
    def of_client(self, client_id: int) -> list[PartDTO]:
        return self._read(lambda s: parts.list_parts(s, client_id))

    def create(self, client_id: int, data: PartInput, *,
               actor_id: int | None) -> Done[PartDTO]:
        value = self._run(lambda s: parts.create_part(s, client_id, data, today=self._today,
                                                      actor_id=actor_id))
        return Done(value, Changes.of(client_id, Kind.PARTS))

    def update(self, part_id: int, data: PartInput, *,
               actor_id: int | None) -> Done[PartDTO]:
        value = self._run(lambda s: parts.update_part(s, part_id, data, today=self._today,
                                                      actor_id=actor_id))
        return Done(value, Changes.of(value.client_id, Kind.PARTS))

    def move(self, client_id: int, positions: Mapping[int, tuple[float, float]], *,
             actor_id: int | None) -> Done[list[PartDTO]]:
        value = self._run(lambda s: parts.move_parts(s, client_id, positions,
                                                     actor_id=actor_id))
        return Done(value, Changes.of(client_id, Kind.PARTS))

    def remove(self, part_id: int, *, actor_id: int | None) -> Done[PartDTO]:
        value = self._run(lambda s: parts.remove_part(s, part_id, actor_id=actor_id))
        return Done(value, Changes.of(value.client_id, Kind.PARTS))

    def restore(self, part_id: int, *, actor_id: int | None) -> Done[PartDTO]:
        value = self._run(lambda s: parts.restore_part(s, part_id, actor_id=actor_id))
        return Done(value, Changes.of(value.client_id, Kind.PARTS))

    def relate(self, client_id: int, kind: str, from_part_id: int, to_part_id: int, *,
               actor_id: int | None) -> Done[PartRelationDTO]:
        value = self._run(lambda s: parts.add_relation(s, client_id, kind, from_part_id,
                                                       to_part_id, actor_id=actor_id))
        return Done(value, Changes.of(client_id, Kind.PARTS))

    def unrelate(self, client_id: int, kind: str, from_part_id: int, to_part_id: int, *,
                 actor_id: int | None) -> Done[PartRelationDTO]:
        value = self._run(lambda s: parts.remove_relation(s, client_id, kind, from_part_id,
                                                          to_part_id, actor_id=actor_id))
        return Done(value, Changes.of(client_id, Kind.PARTS))

    def snapshots(self, client_id: int) -> list[MapSnapshotDTO]:
        return self._read(lambda s: parts.list_snapshots(s, client_id))

    def snapshot_on(self, client_id: int, on: dt.date) -> MapSnapshotDTO | None:
        return self._read(lambda s: parts.snapshot_on(s, client_id, on))


class Reports(_Subject):
    def data(self, client_id: int, options: ReportOptions) -> ReportData:
        return self._read(lambda s: reports.gather_report(s, client_id, options,
                                                         today=self._today))

    def check_recordable(self) -> None:
        # A report that leaves the vault is audited; one that could not be is not made.
        self._backend.vault.check_writable(reports.REPORT_NOT_RECORDABLE)

    def record(self, client_id: int, options: ReportOptions, action: str, *,
               protected: bool, actor_id: int | None) -> None:
        # Only the audit log changes, and no screen shows it: nothing to announce.
        self._run(lambda s: reports.record_report(s, client_id, options, action,
                                                  protected=protected, actor_id=actor_id))


class Audit(_Subject):
    def verify_chain(self) -> ChainReport:
        return self._read(audit.verify_chain)

    # The chain as the last trail read walked it: the next read walks on from there. This
    # backend is the vault's for one unlock; a restore or a new passphrase opens another.
    _walked: ChainReport | None = None

    def trail(self, *, client_id: int | None = None, start: dt.date | None = None,
              end: dt.date | None = None, limit: int = AUDIT_TRAIL_LIMIT) -> AuditTrail:
        # One client's trail lists the practice's exports too: each holds their record.
        found = self._read(lambda s: audit_trail.trail(
            s, client_id=client_id, start=start, end=end, limit=limit, since=self._walked,
            with_practice=PRACTICE_DISCLOSURES))
        self._walked = found.chain if found.intact else None
        return found

    def events(self, *, client_id: int | None = None,
               action_prefix: str = "") -> list[AuditEventDTO]:
        return self._read(lambda s: audit.events(s, client_id=client_id,
                                                action_prefix=action_prefix))


class Safekeeping(_Subject):
    def _vault(self) -> Vault:
        vault = self._backend.vault
        if not isinstance(vault, Vault):
            raise TypeError("backup, export and verify need a vault file")
        return vault

    def state(self) -> VaultState:
        from models.safekeeping.backup import backup_due, last_backup_at
        from models.safekeeping.sync_folders import sync_warning

        vault = self._vault()
        last = last_backup_at(vault)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return VaultState(vault.read_only, vault.read_only_reason, vault.problems,
                          sync_warning(vault.path), last, backup_due(last, now))

    def backup(self, out: Path, *, keep: int | None = None,
               progress: Callable[[float], None] | None = None) -> BackupReport:
        from models.safekeeping.backup import backup_vault

        return backup_vault(self._vault(), out, keep=keep, progress=progress)

    def export(self, out: Path, *, include_private: bool = False,
               progress: Callable[[float], None] | None = None) -> ExportReport:
        from models.safekeeping.export import export_practice

        return export_practice(self._vault(), out, include_private=include_private,
                               progress=progress)

    def verify(self, *, progress: Callable[[float], None] | None = None) -> VerifyReport:
        from models.safekeeping.verify import verify_vault

        return verify_vault(self._vault(), progress=progress)


class Search(_Subject):
    def find(self, query: str, *, include_private: bool = True,
             limit: int = search.DEFAULT_LIMIT) -> SearchResults:
        return self._read(lambda s: search.search(s, query, include_private=include_private,
                                                 limit=limit))


class Backend:
    """One unlocked vault, its subjects, and the clock that says what "today" is."""

    def __init__(self, vault: Store, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self.vault = vault
        self.clock = clock
        self._practice = Practice(self)
        self._clients = Clients(self)
        self._care = Care(self)
        self._notes = Notes(self)
        self._measures = Measures(self)
        self._targets = Targets(self)
        self._parts = Parts(self)
        self._reports = Reports(self)
        self._audit = Audit(self)
        self._safekeeping = Safekeeping(self)
        self._search = Search(self)

    @property
    def name(self) -> str:
        return self.vault.name

    @property
    def path(self) -> Path:
        return self.vault.path

    @property
    def today(self) -> dt.date:
        return self.clock.today()

    @property
    def read_only(self) -> bool:
        return bool(getattr(self.vault, "read_only", False))

    @property
    def practice(self) -> Practice:
        return self._practice

    @property
    def clients(self) -> Clients:
        return self._clients

    @property
    def care(self) -> Care:
        return self._care

    @property
    def notes(self) -> Notes:
        return self._notes

    @property
    def measures(self) -> Measures:
        return self._measures

    @property
    def targets(self) -> Targets:
        return self._targets

    @property
    def parts(self) -> Parts:
        return self._parts

    @property
    def reports(self) -> Reports:
        return self._reports

    @property
    def audit(self) -> Audit:
        return self._audit

    @property
    def safekeeping(self) -> Safekeeping:
        return self._safekeeping

    @property
    def search(self) -> Search:
        return self._search

    def close(self) -> None:
        self.vault.close()

    def __repr__(self) -> str:  # never a key or a client
        return f"<Backend {self.vault.name}>"


def open_backend(path: Path | str, passphrase: str, *, clock: Clock = SYSTEM_CLOCK,
                 alone: bool = False) -> Backend:
    """Unlock an existing vault (see models.vault.open_vault for `alone` and the errors it
    raises)."""
    return Backend(open_vault(path, passphrase, alone=alone), clock=clock)


def create_backend(path: Path | str, passphrase: str, *, app_version: str = "",
                   clock: Clock = SYSTEM_CLOCK) -> Backend:
    """Create a new vault and return its backend."""
    return Backend(create_vault(path, passphrase, app_version=app_version), clock=clock)
