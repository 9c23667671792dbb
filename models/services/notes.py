"""Session notes: drafts that autosave, signing (validate, extract, hash, lock) and addenda."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from models import audit, text_guard
from models.batching import SessionMemo
from models.clinical.carry import carried_content, carry_source
from models.clinical.doses import (
    CourseDose,
    first_of_course,
    follows_a_dose,
    latest_dose_on,
    next_dose_number,
)
from models.clinical.measures import DISSOCIATION_INSTRUMENTS
from models.clinical.safety import clearance_caution, cleared_for_first_dose
from models.dto import AddendumDTO, NoteDTO
from models.entities import (
    Addendum,
    Client,
    Course,
    DosingBooster,
    DosingSession,
    DosingVital,
    IfsPart,
    ItemResponse,
    MeasureAdministration,
    Note,
    SelfEnergyRating,
    TargetMemory,
    TargetRating,
)
from models.errors import (
    DomainError,
    LockedError,
    NotFoundError,
    SigningError,
    ValidationError,
)
from models.formatting import date_text
from models.inputs import AddendumInput, validate_addendum
from models.instruments.loading import load_instruments
from models.services import convert, parts, search, signed_record, targets
from models.services.rows import insert_row, insert_rows, write_changes, write_new
from models.templates.checks import Caution, cautions, unacknowledged, with_reasons
from models.templates.definitions import CheckLevel, FieldDef, FieldKind, Template
from models.templates.extraction import ExtractedFigures, extract_figures
from models.templates.hashing import content_hash
from models.templates.loading import load_templates
from models.templates.validation import Problem, SigningCheck, derive_values, validate_note
from models.vocabulary import PART_TYPES, TARGET_KINDS


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _load(session: Session, note_id: int) -> Note:
    row = session.get(Note, note_id)
    if row is None:
        raise NotFoundError(f"Note #{note_id} does not exist in this vault.")
    return row


def template_of(note: Note | NoteDTO) -> Template:
    """The template version the note was written in, never a newer one."""
    return load_templates().get(note.template_id, note.template_version)


def _plain(content: Mapping[str, Any]) -> dict[str, Any]:
    """A fresh JSON-shaped copy (the column must see a new object to store a change)."""
    copy: dict[str, Any] = json.loads(json.dumps(dict(content), ensure_ascii=False))
    return copy


_parse_date = signed_record.parse_date
_parse_time = signed_record.parse_time


def latest_dosing_before(
    session: Session, client_id: int, on: dt.date
) -> DosingSession | None:
    latest = latest_dose_on(_client_doses(session, client_id), on)
    return session.get(DosingSession, latest.id) if latest is not None else None


def create_note(
    session: Session,
    client_id: int,
    template_id: str,
    *,
    author_id: int | None,
    dosing_session_id: int | None = None,
    session_date: dt.date | None = None,
    course_id: int | None = None,
    today: dt.date,
    carry_forward: bool = False,
    content: Mapping[str, Any] | None = None,
) -> NoteDTO:
    """Start a draft in the newest version of a template (see _new_draft)."""
    row, written = _new_draft(
        session, client_id, template_id, author_id=author_id,
        dosing_session_id=dosing_session_id, session_date=session_date, course_id=course_id,
        today=today, carry_forward=carry_forward, content=content)
    _keep_draft(session, row, index=written)
    return convert.note(row)


def _new_draft(
    session: Session,
    client_id: int,
    template_id: str,
    *,
    author_id: int | None,
    dosing_session_id: int | None,
    session_date: dt.date | None,
    course_id: int | None,
    today: dt.date,
    carry_forward: bool = False,
    content: Mapping[str, Any] | None,
) -> tuple[Note, bool]:
    """A new draft, not yet in the session, in the newest version of a template, and
    whether it holds words to index (typed elsewhere or carried forward).

    A dosing note opens its dosing session at once (so integration notes can follow it);
    the session's figures are filled in from the note when it is signed. Given a
    `dosing_session_id`, a dosing note is the note of that dose, on record without one. With
    `carry_forward`, the draft starts from the client's last signed note of the same kind
    (models.clinical.carry: the template's carried fields, each marked until edited).
    `content`, when given, is what is already written: kept as typed, as a saved draft is.
    """
    client = session.get(Client, client_id)
    if client is None:
        raise NotFoundError(f"Client #{client_id} does not exist in this vault.")
    template = load_templates().latest(template_id)
    unwritten = _dose_without_note(session, client_id, dosing_session_id) \
        if template_id == "dosing" and dosing_session_id is not None else None
    day = unwritten.session_date if unwritten is not None else session_date or today
    written = _plain(content or {})
    if carry_forward:
        source = carry_source(list_notes(session, client_id), template.id, day)
        if source is not None:
            written = {**carried_content(template, source), **written}
    content = {"session_date": day.isoformat(), **written}

    def latest_course() -> Course | None:
        return session.get(Course, course_id) if course_id is not None else session.scalars(
            select(Course).where(Course.client_id == client_id)
            .order_by(Course.start_date.desc(), Course.id.desc())).first()

    course = None
    if unwritten is not None:
        content["session_number"] = unwritten.number
    elif template_id == "dosing":
        course = latest_course()
        if course is None:
            raise DomainError("Add a course of care for this client before a dosing session.")
        if course.end_date is not None and day > course.end_date:
            raise DomainError(
                f"The client's latest course of care ended on {date_text(course.end_date)}. "
                "Start a new course of care for this dose, or, if the course goes on, "
                "clear its end date (Edit… on its card in the Overview).")
        number = next_dose_number(d.number for d in _course_doses(session, client_id, course.id))
        # New rows start with their collections empty: nothing to load when they are read.
        dosing = DosingSession(course_id=course.id, number=number, session_date=day, route="",
                               vitals=[], boosters=[])
        write_new(session, dosing)
        _kept_dose(session, client_id, dosing)
        dosing_session_id = dosing.id
        content["session_number"] = number
    elif dosing_session_id is None and follows_a_dose(template_id):
        latest = latest_dosing_before(session, client_id, day)
        dosing_session_id = latest.id if latest is not None else None
    if dosing_session_id is not None:
        dosing_row = session.get(DosingSession, dosing_session_id)
        if dosing_row is None or dosing_row.course.client_id != client_id:
            raise NotFoundError("That dosing session is not one of this client's.")
        course = dosing_row.course
    elif course is None:
        course = latest_course()
    now = _utcnow()
    row = Note(
        client_id=client_id,
        course_id=course.id if course is not None else None,
        dosing_session_id=dosing_session_id,
        template_id=template.id,
        template_version=template.version,
        session_date=day,
        content=content,
        status="draft",
        author_id=author_id,
        created_at=now,
        updated_at=now,
        addenda=[],
    )
    return row, bool(written)


def _dose_without_note(session: Session, client_id: int, dosing_session_id: int) -> DosingSession:
    """A dose on record without its dosing note (its draft was discarded while other
    records refer to the dose), whose note is about to be written: it takes the dose's day
    and number."""
    dosing = session.get(DosingSession, dosing_session_id)
    if dosing is None or dosing.course.client_id != client_id:
        raise NotFoundError("That dosing session is not one of this client's.")
    if session.scalar(select(Note.id).where(Note.template_id == "dosing",
                                            Note.dosing_session_id == dosing.id)):
        raise DomainError(f"Dose {dosing.number} of this course already has its dosing note: "
                          "open it from the Sessions tab.")
    return dosing


def _keep_draft(session: Session, row: Note, *, index: bool) -> None:
    """Write a new draft, its index entry (when it holds words) and its audit event."""
    session.add(row)
    session.flush()
    _created(session, row, index=index)


def _created(session: Session, row: Note, *, index: bool) -> None:
    if index:  # typed elsewhere or carried forward: words to find already
        search.index_note(session, row)
    audit.record(session, "note.create", entity="note", entity_id=row.id,
                 client_id=row.client_id, actor_id=row.author_id,
                 detail=f"template={row.template_id}@{row.template_version}")


_UNSET: Any = object()


def save_draft(
    session: Session,
    note_id: int,
    content: Mapping[str, Any],
    *,
    dosing_session_id: int | None = _UNSET,
) -> NoteDTO:
    """Store the draft as typed, whatever its state: nothing a therapist wrote is lost.

    Problems are for signing; a draft keeps even a value that is out of range.
    """
    row = _load(session, note_id)
    if row.status == "signed":
        raise LockedError("This note is signed and locked; add an addendum instead.")
    row.content = _plain(content)
    day = _parse_date(content.get("session_date"))
    if day is not None:
        row.session_date = day
        if row.template_id == "dosing" and row.dosing_session_id is not None:
            dosing = session.get(DosingSession, row.dosing_session_id)
            if dosing is not None and dosing.locked_by_note_id is None:
                dosing.session_date = day
    if dosing_session_id is not _UNSET and row.template_id != "dosing":
        if dosing_session_id is not None:
            dosing = session.get(DosingSession, dosing_session_id)
            if dosing is None or dosing.course.client_id != row.client_id:
                raise NotFoundError("That dosing session is not one of this client's.")
            row.course_id = dosing.course_id
        row.dosing_session_id = dosing_session_id
    row.updated_at = _utcnow()
    session.flush()
    search.index_note(session, row)
    return convert.note(row)


def discard_draft(session: Session, note_id: int, *, actor_id: int | None) -> None:
    """Delete a draft started by mistake; a signed note can never be discarded.

    A dosing note's own dosing session goes with it while nothing else refers to it (no
    integration note follows it and no measure is linked to it).
    """
    row = _load(session, note_id)
    if row.status == "signed":
        raise LockedError("A signed note cannot be discarded; add a correction instead.")
    dosing = (session.get(DosingSession, row.dosing_session_id)
              if row.template_id == "dosing" and row.dosing_session_id is not None else None)
    client_id = row.client_id
    session.delete(row)
    session.flush()
    search.forget_note(session, note_id)
    if dosing is not None and dosing.locked_by_note_id is None:
        followed = session.scalar(select(func.count(Note.id)).where(
            Note.dosing_session_id == dosing.id))
        measured = session.scalar(select(func.count(MeasureAdministration.id)).where(
            MeasureAdministration.dosing_session_id == dosing.id))
        if not followed and not measured:
            session.delete(dosing)
            session.flush()
    audit.record(session, "note.discard", entity="note", entity_id=note_id,
                 client_id=client_id, actor_id=actor_id)


def get_note(session: Session, note_id: int) -> NoteDTO:
    return convert.note(_load(session, note_id))


def list_notes(session: Session, client_id: int) -> list[NoteDTO]:
    rows = session.scalars(select(Note).where(Note.client_id == client_id)
                           .order_by(Note.session_date, Note.id))
    return [convert.note(r) for r in rows]


def _wrong_kind(f: FieldDef, kind: str) -> str:
    """'The target chosen here is an ART scene; Target memory takes an EMDR target. ...'"""
    wanted = TARGET_KINDS.label(f.target_kind)
    return (f"The target chosen here is an {TARGET_KINDS.label(kind)}; {f.label} takes an "
            f"{wanted}. Choose an {wanted}, or add one.")


def _wrong_type(f: FieldDef, part_type: str) -> str:
    """'A part chosen here is of the type Exile; Main protector takes a part of the type
    Manager, Firefighter or Not known yet. ...'"""
    taken = [PART_TYPES.label(t) for t in f.part_types]
    named = ", ".join(taken[:-1]) + f" or {taken[-1]}" if len(taken) > 1 else taken[0]
    return (f"A part chosen here is of the type {PART_TYPES.label(part_type)}; {f.label} "
            f"takes a part of the type {named}. Choose another part, or change the part's "
            "type in the registry.")


def _reference_problems(session: Session, row: Note, template: Template,
                        figures: ExtractedFigures) -> list[Problem]:
    """Targets and parts a note names must be this client's own, and of the kind or type
    its field takes (FieldDef.takes_target, takes_part: the note window offers only those)."""
    problems = []
    for f in template.fields:
        value = row.content.get(f.id)
        if f.kind == FieldKind.TARGET_REF and isinstance(value, int):
            target = session.get(TargetMemory, value)
            if target is None or target.client_id != row.client_id:
                problems.append(Problem(f.id, f.label,
                                        "The target chosen here is not in this client's "
                                        "registry; choose it again."))
            elif not f.takes_target(target.kind):
                problems.append(Problem(f.id, f.label, _wrong_kind(f, target.kind)))
        elif f.kind == FieldKind.PARTS_REF and isinstance(value, list):
            for part_id in value:
                part = session.get(IfsPart, part_id) if isinstance(part_id, int) else None
                if part is None or part.client_id != row.client_id:
                    problems.append(Problem(f.id, f.label,
                                            "A part chosen here is not in this client's "
                                            "registry; choose the parts again."))
                    break
                if not f.takes_part(part.part_type):
                    problems.append(Problem(f.id, f.label, _wrong_type(f, part.part_type)))
                    break
    for change in figures.part_status_changes:
        part = session.get(IfsPart, change.part_id)
        if part is None or part.client_id != row.client_id:
            problems.append(Problem("part_status_changes", "Part status changes",
                                    "A part named here is not in this client's registry."))
    if row.template_id == "dosing" and row.dosing_session_id is not None:
        number = row.content.get("session_number")
        dosing = session.get(DosingSession, row.dosing_session_id)
        if isinstance(number, int) and dosing is not None and number != dosing.number:
            taken = session.scalars(select(DosingSession).where(
                DosingSession.course_id == dosing.course_id,
                DosingSession.number == number)).first()
            if taken is not None:
                problems.append(Problem("session_number", "Dose number",
                                        f"Dose {number} already exists in this course; "
                                        "check the number."))
    return problems


# The record around a dosing note, read each time one is signed: built once.
_CLIENT_DOSES = select(DosingSession.id, DosingSession.course_id, DosingSession.number,
                       DosingSession.session_date) \
    .join(Course).where(Course.client_id == bindparam("client_id"))
_SIGNED_PREPARATIONS = select(Note).where(
    Note.client_id == bindparam("client_id"), Note.template_id == "preparation",
    Note.status == "signed")
_DOSE_MEASURE = select(MeasureAdministration).where(
    MeasureAdministration.dosing_session_id == bindparam("dosing_id"),
    MeasureAdministration.instrument_id.in_(DISSOCIATION_INSTRUMENTS),
    MeasureAdministration.entered_in_error_at.is_(None),
    MeasureAdministration.note_id.is_(None)
    | (MeasureAdministration.note_id != bindparam("note_id"))).limit(1)


# --------------------------------------------------------------------------- the record read


@dataclass
class _Record:
    """Each client's doses and signed preparation notes: read from the vault the first
    time a batch's check asks, then kept as the batch writes them."""

    doses: dict[int, dict[int, CourseDose]] = field(default_factory=dict)  # client -> id ->
    preparations: dict[int, list[NoteDTO]] = field(default_factory=dict)  # client ->


def _client_doses(session: Session, client_id: int) -> list[CourseDose]:
    """The client's doses as the record holds them (courses, numbers and days)."""
    record = _MEMO.of(session)
    if record is not None and client_id in record.doses:
        return list(record.doses[client_id].values())
    found = {r.id: CourseDose(r.id, r.course_id, r.number, r.session_date)
             for r in session.execute(_CLIENT_DOSES, {"client_id": client_id})}
    if record is not None:
        record.doses[client_id] = found
    return list(found.values())


def _course_doses(session: Session, client_id: int, course_id: int) -> list[CourseDose]:
    return [d for d in _client_doses(session, client_id) if d.course_id == course_id]


def _kept_dose(session: Session, client_id: int, dosing: DosingSession) -> None:
    """A dose written or changed by this service, as a batch's record now holds it."""
    record = _MEMO.of(session)
    if record is not None and client_id in record.doses:
        record.doses[client_id][dosing.id] = CourseDose(
            dosing.id, dosing.course_id, dosing.number, dosing.session_date)


def _signed_preparations(session: Session, client_id: int) -> list[NoteDTO]:
    record = _MEMO.of(session)
    if record is not None and client_id in record.preparations:
        return list(record.preparations[client_id])
    found = [convert.note(n) for n in session.scalars(_SIGNED_PREPARATIONS,
                                                        {"client_id": client_id})]
    if record is not None:
        record.preparations[client_id] = found
    return found


def _kept_signed(session: Session, row: Note) -> None:
    """A note this service signed, as a batch's record now holds it."""
    record = _MEMO.of(session)
    if record is not None and row.template_id == "preparation" \
            and row.client_id in record.preparations:
        record.preparations[row.client_id].append(convert.note(row))


def _forget_changed(session: Session, _context: Any, _instances: Any) -> None:
    """A dose or a note written past this service's own steps (a dose entered in
    Measures, a draft's new date, a discarded draft): the record is read afresh."""
    record = _MEMO.of(session)
    if record is None:
        return
    changed = [*session.new, *session.dirty, *session.deleted]
    if any(isinstance(o, DosingSession) for o in changed):
        record.doses.clear()
    if any(isinstance(o, Note) for o in (*session.dirty, *session.deleted)):
        record.preparations.clear()


# What a `batched` block has read of the record (session.info["notes_batch_record"]).
_MEMO = SessionMemo("notes_batch_record", _Record, _forget_changed)


def batched(session: Session) -> AbstractContextManager[None]:
    """Notes written together (the demo practice, an import): the checks of each note
    read the record around it (the client's doses and signed preparations) once per
    client, then as this service keeps it; the rules are the same ones
    (models.clinical), only where their facts come from changes. Nested blocks belong to
    the outermost one."""
    return _MEMO.batched(session)


def _record_cautions(session: Session, row: Note) -> list[Caution]:
    """Warnings that come from the rest of the record, not from the note's own values: the
    first dose of a course without a signed preparation note that records a clearance."""
    if row.template_id != "dosing" or row.dosing_session_id is None:
        return []
    dosing = session.get(DosingSession, row.dosing_session_id)
    if dosing is None:
        return []
    dose = CourseDose(dosing.id, dosing.course_id, dosing.number, dosing.session_date)
    if not first_of_course(dose, _course_doses(session, row.client_id, dosing.course_id)):
        return []
    if cleared_for_first_dose(_signed_preparations(session, row.client_id), row.session_date,
                              dosing.course_id):
        return []
    return [clearance_caution()]


def _dose_measure_problems(session: Session, row: Note, template: Template,
                           figures: ExtractedFigures) -> list[Problem]:
    """A CADSS given in the dosing note is the CADSS of that dose in Measures: one record.
    A note cannot bring a second one."""
    if row.id is None and row.template_id == "dosing":
        # A dosing note signed as it is written (write_signed_note) opened its dosing
        # session a moment ago: nothing in Measures can name that session yet.
        return []
    f = template.field_for_tag("dosing.dissociation")
    if f is None or row.dosing_session_id is None \
            or figures.dissociation is None:
        return []
    existing = session.scalars(_DOSE_MEASURE, {"dosing_id": row.dosing_session_id,
                                               "note_id": row.id}).first()
    if existing is None:
        return []
    name = load_instruments()[existing.instrument_id].short_name
    return [Problem(f.id, f.label,
                    f"Measures already holds the {name} of this dose, entered for "
                    f"{date_text(existing.administered_on)}: it is the one record of this "
                    "dose. Clear the reading here, or mark that entry as entered in error "
                    "in Measures.")]


def _dose_course_problems(session: Session, row: Note, template: Template) -> list[Problem]:
    """A dose belongs to its course: a dosing note dated (or re-dated) outside its course's
    dates is not signed until the date or the course is put right."""
    if row.template_id != "dosing" or row.dosing_session_id is None:
        return []
    dosing = session.get(DosingSession, row.dosing_session_id)
    if dosing is None:
        return []
    course, day = dosing.course, row.session_date
    if course.start_date <= day and (course.end_date is None or day <= course.end_date):
        return []
    span = (f"from {date_text(course.start_date)} to {date_text(course.end_date)}"
            if course.end_date else f"from {date_text(course.start_date)}")
    label = template.field("session_date").label
    return [Problem("session_date", label,
                    f"This dose's course of care runs {span}; date the dose within it, or "
                    "change the course's dates (Edit… on its card in the Overview).")]


def signing_check(session: Session, note_id: int) -> SigningCheck:
    """The problems that keep a note from being signed and the warnings it raises, on its
    content with the calculated fields worked out afresh (as signing will)."""
    row = _load(session, note_id)
    if row.status == "signed":
        return SigningCheck()
    return _signing_check(session, row)[0]


def _signing_check(session: Session, row: Note) -> tuple[SigningCheck, ExtractedFigures]:
    """The check, and the figures the note would file: taken from the content as checked,
    they are those of the content signed (the reasons for warnings hold no figure)."""
    template = template_of(row)
    content = derive_values(template, row.content)
    fired = cautions(template, content)
    figures = extract_figures(template, content)
    problems = [*validate_note(template, content, for_signing=True, fired=fired),
                *_reference_problems(session, row, template, figures),
                *_dose_measure_problems(session, row, template, figures),
                *_dose_course_problems(session, row, template)]
    found = [c for c in fired if c.level is CheckLevel.WARNING]
    found += _record_cautions(session, row)
    check = SigningCheck(tuple(problems), tuple(found), tuple(unacknowledged(found, content)))
    return check, figures


def check_for_signing(session: Session, note_id: int) -> list[Problem]:
    """The problems (refusals) that keep a note from being signed."""
    return list(signing_check(session, note_id).problems)


def note_hash(row: Note | NoteDTO) -> str:
    """What the signature covers: the content and the facts of the record around it."""
    return signed_content_hash(row.template_id, row.template_version, row.client_id,
                               row.dosing_session_id, row.content)


def signed_content_hash(template_id: str, template_version: int, client_id: int,
                        dosing_session_id: int | None, content: Mapping[str, Any]) -> str:
    material = {
        "client_id": client_id,
        "follows_dosing_session_id": dosing_session_id,
        "content": content,
    }
    return content_hash(template_id, template_version, material)


def verify_note_hash(note: NoteDTO) -> bool:
    """True when a signed note's content still matches the hash taken when it was signed."""
    return note.content_hash is not None and note_hash(note) == note.content_hash


def sign_note(session: Session, note_id: int, *, clinician_id: int) -> NoteDTO:
    """Validate against the template, file the typed figures, hash, lock and audit."""
    row = _load(session, note_id)
    if row.status == "signed":
        raise LockedError("This note is already signed.")
    _sign(session, row, clinician_id)
    session.flush()
    _kept_signed(session, row)
    _audit_signing(session, row)
    return convert.note(row)


def write_signed_note(
    session: Session,
    client_id: int,
    template_id: str,
    *,
    clinician_id: int,
    content: Mapping[str, Any],
    today: dt.date,
    dosing_session_id: int | None = None,
    session_date: dt.date | None = None,
    course_id: int | None = None,
) -> int:
    """A note written elsewhere in one go and signed at once, one of a batch (the demo
    practice, an import): create_note then sign_note, through the same steps, checks,
    figures, index entry and audit events, with less around them. The note is checked
    before it is written, then written once, signed, as a plain row (no draft written and
    then updated, no flush of its own, no DTOs). The clinician writes and signs it.
    Returns the note's id; a note that cannot be signed raises SigningError as sign_note
    does, and is kept as a draft.
    """
    session.flush()  # the check reads the record as the previous note left it
    row, written = _new_draft(session, client_id, template_id, author_id=clinician_id,
                              dosing_session_id=dosing_session_id, session_date=session_date,
                              course_id=course_id, today=today, content=content)
    text_guard.check(row)  # as the draft's own flush would, before anything reads it
    try:
        template, figures = _ready_to_sign(session, row)
    except SigningError:
        _keep_draft(session, row, index=written)
        raise
    _seal(row, clinician_id)
    # Signed as it is written: no draft row to update. Signing added no words to check
    # again: numbers worked out, the reasons already written, the seal's hash.
    write_new(session, row, text_checked=True)
    _created(session, row, index=written)
    _file_figures(session, row, template, figures, row.session_date, signer_id=clinician_id)
    _kept_signed(session, row)
    _audit_signing(session, row)
    return row.id


def _sign(session: Session, row: Note, clinician_id: int) -> None:
    """Sign a draft: its content as signed, its figures filed, its hash (not yet flushed)."""
    template, figures = _ready_to_sign(session, row)
    _file_figures(session, row, template, figures, row.session_date, signer_id=clinician_id)
    _seal(row, clinician_id)


def _ready_to_sign(session: Session, row: Note) -> tuple[Template, ExtractedFigures]:
    """The draft's content as it will be signed, once the signing check passes (else
    SigningError): calculated fields worked out, the reasons of the warnings that fire.
    Returns its template and the figures it files."""
    template = template_of(row)
    # Each step makes a new mapping (the column sees the change) of JSON-shaped content:
    # calculated numbers, then the reasons' entries (plain text and numbers).
    row.content = derive_values(template, row.content)
    # The check reads the record around the note, never the note's new content from the
    # database: the content is written once, signed, by the next flush.
    with session.no_autoflush:
        check, figures = _signing_check(session, row)
    if not check.ready:
        raise SigningError(check.problems, check.unanswered)
    # The reasons signed are those of the warnings that fire now; an old one goes.
    row.content = with_reasons(row.content, check.cautions)
    row.session_date = _parse_date(row.content.get("session_date")) or row.session_date
    return template, figures


def _seal(row: Note, clinician_id: int) -> None:
    row.status = "signed"
    row.signed_at = _utcnow()
    row.signed_by_id = clinician_id
    row.content_hash = note_hash(row)


def _audit_signing(session: Session, row: Note) -> None:
    # The index needs nothing here: signing changes no words (derived figures are
    # numbers), and the draft's last save indexed them.
    audit.record(session, "note.sign", entity="note", entity_id=row.id, client_id=row.client_id,
                 actor_id=row.signed_by_id, detail=f"sha256={(row.content_hash or '')[:16]}")


def _file_figures(
    session: Session,
    row: Note,
    template: Template,
    figures: ExtractedFigures,
    day: dt.date,
    *,
    signer_id: int,
) -> None:
    """Put the typed figures where they belong; a change they make is the signer's. Each
    row carries the note's id (and so is locked by the database once the note is signed).
    Ratings go in as plain rows (see rows.insert_rows): nothing in this unit of work reads them
    back."""
    insert_rows(session, TargetRating, [
        {"target_id": rating.target_id, "note_id": row.id, "rated_on": day,
         "point": rating.point, "sud": rating.sud, "voc": rating.voc}
        for rating in signed_record.target_ratings(figures)])
    if figures.target is not None:
        target = session.get_one(TargetMemory, figures.target.target_id)
        definition: dict[str, object] = dict(signed_record.target_definition(row.content))
        if target.status in ("identified", "reopened"):
            definition["status"] = "in_processing"
        targets.change_definition(session, target, definition, note_id=row.id,
                                  actor_id=signer_id)
    if figures.self_energy is not None:
        insert_rows(session, SelfEnergyRating, [
            {"client_id": row.client_id, "note_id": row.id, "rated_on": day,
             "rating": figures.self_energy}])
    for change in figures.part_status_changes:
        part = session.get_one(IfsPart, change.part_id)
        if part.status != change.new_status:
            parts.change_status(session, part, change.new_status, day, note_id=row.id)
    if template.id == "ifs":
        session.flush()
        parts.take_snapshot(session, row.client_id, day, note_id=row.id)
    if template.id == "dosing" and row.dosing_session_id is not None:
        _file_dosing(session, row, figures, day)


def _file_dosing(
    session: Session, row: Note, figures: ExtractedFigures, day: dt.date
) -> None:
    dosing = session.get_one(DosingSession, row.dosing_session_id)
    record = signed_record.dosing_record(template_of(row), row.content, figures, day)
    filed: dict[str, Any] = {
        "setting": record.setting or dosing.setting,
        "medication": record.medication or dosing.medication,
        "route": record.route or dosing.route,
        **{column: getattr(record, column) for column in record.COLUMNS},
    }
    if record.number is not None:
        filed["number"] = record.number
    # The figures go in as plain rows, a statement per table (23 round trips for a CADSS
    # alone as ORM rows); the dosing session's lists are read afresh when next asked for.
    for stale in (*dosing.vitals, *dosing.boosters):  # signing writes them: none are there
        session.delete(stale)
    insert_rows(session, DosingVital, [
        {"dosing_session_id": dosing.id, "minutes_from_dose": v.minutes_from_dose,
         "systolic": v.systolic, "diastolic": v.diastolic, "heart_rate": v.heart_rate,
         "spo2": v.spo2, "respiratory_rate": v.respiratory_rate, "moaas": v.moaas,
         "note_id": row.id}
        for v in record.vitals])
    insert_rows(session, DosingBooster, [
        {"dosing_session_id": dosing.id, "minutes_from_dose": b.minutes_from_dose,
         "dose_mg": b.dose_mg}
        for b in record.boosters])
    session.expire(dosing, ["vitals", "boosters"])
    if figures.dissociation is not None:
        # The CADSS given in the dosing note is that dose's one CADSS in Measures.
        reading = figures.dissociation
        instrument = load_instruments()[reading.instrument_id]
        administration_id = insert_row(session, MeasureAdministration, {
            "client_id": row.client_id, "instrument_id": instrument.id,
            "instrument_version": instrument.version, "administered_on": day,
            "relation_to_care": "after_dose", "dosing_session_id": dosing.id,
            "note_id": row.id})
        insert_rows(session, ItemResponse, [
            {"administration_id": administration_id, "item_number": n, "value": v}
            for n, v in reading.responses])
    # Written at once (models.services.rows): the next note's check reads this session.
    write_changes(session, dosing, {**filed, "locked_by_note_id": row.id})
    _kept_dose(session, row.client_id, dosing)


def addendum_hash(note_id: int, note_content_hash: str | None, kind: str, reason: str,
                  text: str, author_id: int | None, created_at: dt.datetime) -> str:
    """What an addendum's signature covers, bound to the note's own hash."""
    material = "\x1f".join([
        str(note_id), note_content_hash or "", kind, reason, text,
        str(author_id), created_at.isoformat(),
    ])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _addendum_hash(note: Note, a: Addendum) -> str:
    return addendum_hash(note.id, note.content_hash, a.kind, a.reason, a.text, a.author_id,
                         a.created_at)


def add_addendum(
    session: Session,
    note_id: int,
    data: AddendumInput,
    *,
    author_id: int | None,
) -> AddendumDTO:
    """An addendum, correction or late entry to a signed note, signed as it is added."""
    note = _load(session, note_id)
    if note.status != "signed":
        raise DomainError("Only a signed note takes addenda; edit the draft instead.")
    problems = validate_addendum(data)
    if problems:
        raise ValidationError(problems)
    now = _utcnow()
    row = Addendum(note_id=note.id, kind=data.kind, reason=data.reason.strip(),
                   text=data.text.strip(),
                   author_id=author_id, status="signed", signed_at=now, created_at=now)
    row.content_hash = _addendum_hash(note, row)
    write_new(session, row)
    search.index_addendum(session, row, note.client_id)
    audit.record(session, "note.addendum", entity="addendum", entity_id=row.id,
                 client_id=note.client_id, actor_id=author_id, detail=f"kind={data.kind}")
    return convert.addendum(row)
