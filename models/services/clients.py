"""Client registry: create, edit, discharge, list and search."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from models import audit
from models.clinical.doses import (
    CourseDose,
    IntegrationDue,
    IntegrationPlan,
    course_waits,
    dose_label_text,
    integration_due,
)
from models.dto import ClientDetail, ClientSummary, WaitingItem, Waits
from models.entities import (
    AuditEvent,
    Client,
    ClientStatusChange,
    Course,
    DosingSession,
    IfsPart,
    MeasureAdministration,
    Note,
    SelfEnergyRating,
    TargetMemory,
)
from models.errors import DomainError, NotFoundError, ValidationError
from models.formatting import counted
from models.inputs import (
    ClientInput,
    StatusChangeInput,
    validate_client,
    validate_status_change,
    words_match,
)
from models.services import convert, measures
from models.services.rows import write_changes, write_new
from models.values import has_visible_text, text_problem
from models.vocabulary import FOLLOWS_A_DOSE

RECORD_PREFIX = "C-"


# How the audit event of a client deleted names the record number.
_DELETED_NUMBER = "record="


def _deleted_numbers(session: Session) -> list[str]:
    """The record numbers of clients deleted: never given again."""
    return [detail[len(_DELETED_NUMBER):] for detail in session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "client.delete"))
        if detail.startswith(_DELETED_NUMBER)]


def _next_record_number(session: Session) -> str:
    """One more than the highest C-number ever given, a deleted client's included,
    compared as numbers (C-10000 follows C-9999)."""
    taken = [*session.scalars(
        select(Client.record_number).where(Client.record_number.like(f"{RECORD_PREFIX}%"))),
        *_deleted_numbers(session)]
    numbers = [int(digits) for r in taken
               if (digits := r[len(RECORD_PREFIX):]).isascii() and digits.isdigit()]
    return f"{RECORD_PREFIX}{max(numbers, default=0) + 1:04d}"


def _record_number_problem(session: Session, record_number: str) -> str | None:
    """A record number typed by a person: visible, short, and not taken in any case."""
    problem = text_problem(record_number)
    if problem is not None:
        return f"The record number {problem}"
    if not has_visible_text(record_number):
        return "Type a record number, or leave it out to have the next one chosen."
    if len(record_number) > 20:
        return "A record number has at most 20 characters."
    taken = session.scalar(select(Client.id).where(
        func.upper(Client.record_number) == func.upper(record_number)).limit(1))
    if taken is not None:
        return ("That record number is already used by another client (record numbers "
                "ignore upper and lower case); choose another.")
    if record_number.upper() in {n.upper() for n in _deleted_numbers(session)}:
        return ("That record number belonged to a client who was deleted, and a record "
                "number is never given twice; choose another.")
    return None


def _get(session: Session, client_id: int) -> Client:
    row = session.get(Client, client_id)
    if row is None:
        raise NotFoundError(f"Client #{client_id} does not exist in this vault.")
    return row


def create_client(
    session: Session, data: ClientInput, *, today: dt.date, actor_id: int | None = None,
    record_number: str | None = None,
) -> ClientDetail:
    problems = validate_client(data, today=today)
    if record_number is not None:
        record_number = record_number.strip()
        number_problem = _record_number_problem(session, record_number)
        if number_problem is not None:
            problems["record_number"] = number_problem
    if problems:
        raise ValidationError(problems)
    row = Client(
        record_number=record_number or _next_record_number(session),
        name=data.name.strip(),
        preferred_name=data.preferred_name.strip(),
        date_of_birth=data.date_of_birth,
        pronouns=data.pronouns.strip(),
        contact=data.contact.strip(),
        emergency_contact=data.emergency_contact.strip(),
        diagnoses=data.diagnoses.strip(),
        courses=[],
        status_history=[],
    )
    session.add(row)
    session.flush()
    audit.record(session, "client.create", entity="client", entity_id=row.id,
                 client_id=row.id, actor_id=actor_id)
    return convert.client_detail(row)


def update_client(
    session: Session, client_id: int, data: ClientInput, *, today: dt.date,
    actor_id: int | None = None,
) -> ClientDetail:
    problems = validate_client(data, today=today)
    if problems:
        raise ValidationError(problems)
    row = _get(session, client_id)
    changed = []
    for attr in ("name", "preferred_name", "date_of_birth", "pronouns", "contact",
                 "emergency_contact", "diagnoses"):
        value = getattr(data, attr)
        if isinstance(value, str):
            value = value.strip()
        if getattr(row, attr) != value:
            setattr(row, attr, value)
            changed.append(attr)
    session.flush()
    if changed:
        # Which fields changed, never their values.
        audit.record(session, "client.update", entity="client", entity_id=row.id,
                     client_id=row.id, actor_id=actor_id, detail="fields=" + ",".join(changed))
    return convert.client_detail(row)


def _change_status(session: Session, row: Client, status: str, data: StatusChangeInput, *,
                   today: dt.date, actor_id: int | None) -> ClientDetail:
    problems = validate_status_change(data, today=today)
    if problems:
        raise ValidationError(problems)
    # Written at once as plain statements (models.services.rows), the history read afresh
    # when next asked for: a flush of its own cost more than the change.
    write_changes(session, row, {
        "status": status, "discharged_on": data.on if status == "discharged" else None})
    change = ClientStatusChange(client_id=row.id, status=status, changed_on=data.on,
                                reason=data.reason.strip(), actor_id=actor_id)
    write_new(session, change)
    session.expire(row, ["status_history"])
    # Ids only: the reason is clinical text and stays in the client's record.
    audit.record(session, f"client.{'discharge' if status == 'discharged' else 'reactivate'}",
                 entity="client", entity_id=row.id, client_id=row.id, actor_id=actor_id,
                 detail=f"status_change={change.id}")
    return convert.client_detail(row)


def discharge_client(
    session: Session, client_id: int, data: StatusChangeInput, *, today: dt.date,
    actor_id: int | None = None,
) -> ClientDetail:
    """Discharge a client on a day, for a reason; kept in their status history."""
    row = _get(session, client_id)
    if row.status == "discharged":
        raise DomainError(f"{row.record_number} is already discharged.")
    return _change_status(session, row, "discharged", data, today=today, actor_id=actor_id)


def reactivate_client(
    session: Session, client_id: int, data: StatusChangeInput, *, today: dt.date,
    actor_id: int | None = None,
) -> ClientDetail:
    """Take a discharged client back into care (a new referral, a booster course)."""
    row = _get(session, client_id)
    if row.status != "discharged":
        raise DomainError(f"{row.record_number} is already active.")
    return _change_status(session, row, "active", data, today=today, actor_id=actor_id)


# What a client's record can hold, each kept for good once there is one: (entity, word).
_KEPT = ((Note, "note"), (Course, "course of care"), (MeasureAdministration, "measure"),
         (TargetMemory, "target"), (IfsPart, "IFS part"), (SelfEnergyRating, "Self rating"))


def deletion_problem(session: Session, client_id: int) -> str | None:
    """Why the client cannot be deleted (what their record holds), or None. Only a client
    added by mistake, with nothing recorded yet, can be: a record with anything clinical in
    it is kept, and its client discharged instead."""
    row = _get(session, client_id)
    held = {word: count for entity, word in _KEPT
            if (count := session.scalar(select(func.count()).select_from(entity)
                                        .where(entity.client_id == row.id)) or 0)}
    if not held:
        return None
    drafts = session.scalar(select(func.count()).select_from(Note).where(
        Note.client_id == row.id, Note.status != "signed")) or 0
    if held == {"note": drafts}:
        return (f"This record holds {counted(drafts, 'draft note')}. Discard "
                f"{'it' if drafts == 1 else 'them'} in the note window (Discard draft…), "
                "and the client can then be deleted.")
    said = [counted(count, word) for word, count in held.items()]
    listed = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
    return (f"This record holds {listed}, and a record with anything in it is kept: it "
            "cannot be deleted. If the client has left care, discharge them instead "
            "(Discharge…).")


def delete_client(session: Session, client_id: int, *, actor_id: int | None) -> str:
    """Delete a client added by mistake (nothing recorded yet: deletion_problem). The
    audit trail keeps that they were added and deleted, by record number, never by name;
    the number is never given again. Returns the record number."""
    row = _get(session, client_id)
    problem = deletion_problem(session, client_id)
    if problem is not None:
        raise DomainError(problem)
    number = row.record_number
    audit.record(session, "client.delete", entity="client", entity_id=row.id, client_id=row.id,
                 actor_id=actor_id, detail=_DELETED_NUMBER + number)
    session.delete(row)
    session.flush()
    return number


def get_client(session: Session, client_id: int) -> ClientDetail:
    return convert.client_detail(_get(session, client_id))


def find_client_by_record_number(session: Session, record_number: str) -> ClientDetail:
    if text_problem(record_number) is not None:
        raise NotFoundError("No client has that record number: it holds a character that "
                            "is not text (check the keyboard layout and type it again).")
    row = session.scalars(
        select(Client).where(func.upper(Client.record_number) == record_number.strip().upper())
    ).first()
    if row is None:
        # What was typed is not repeated: it may be a name typed in the wrong place.
        raise NotFoundError("No client has the record number given; check it (record "
                            "numbers look like C-0001).")
    return convert.client_detail(row)


def _summary_query() -> Select[tuple[Client, int, int, int, Any, Any, Any]]:
    dosing_counts = (
        select(Course.client_id, func.count(DosingSession.id).label("n"),
               func.max(DosingSession.session_date).label("last"))
        .join(DosingSession, DosingSession.course_id == Course.id)
        .group_by(Course.client_id)
        .subquery()
    )
    note_counts = (
        select(Note.client_id, func.count(Note.id).label("n"),
               func.count(Note.id).filter(Note.status != "signed").label("unsigned"),
               func.min(Note.session_date).filter(Note.status != "signed").label("oldest"),
               func.max(Note.session_date).label("last"))
        .group_by(Note.client_id)
        .subquery()
    )
    return (
        select(
            Client,
            func.coalesce(dosing_counts.c.n, 0),
            func.coalesce(note_counts.c.n, 0),
            func.coalesce(note_counts.c.unsigned, 0),
            note_counts.c.oldest,
            dosing_counts.c.last,
            note_counts.c.last,
        )
        .outerjoin(dosing_counts, dosing_counts.c.client_id == Client.id)
        .outerjoin(note_counts, note_counts.c.client_id == Client.id)
        .order_by(Client.name, Client.record_number)
    )


def list_clients(
    session: Session, *, today: dt.date, search: str = "", include_discharged: bool = True
) -> list[ClientSummary]:
    """Every client with the counts the list shows, what waits among them counted as
    `waiting` lists it; `search` keeps those matching every word (models.inputs.words_match,
    the rule the client list uses too)."""
    query = _summary_query()
    if not include_discharged:
        query = query.where(Client.status == "active")
    if text_problem(search) is not None:
        return []  # no stored name or number holds a character that cannot be stored
    followups = measures.open_followups_by_client(session)
    unwritten, due = _dose_gaps(session, today)
    to_write = Counter(client_id for client_id, _dose, _label in unwritten)
    awaiting = Counter(client_id for client_id, _gap, _label in due)
    result = []
    for client, dosing, notes, unsigned, oldest, last_dose, last_note in session.execute(query):
        if not words_match(search, client.name, client.preferred_name,
                              client.record_number):
            continue
        dates = [_as_date(d) for d in (last_dose, last_note) if d is not None]
        result.append(
            ClientSummary(
                id=client.id,
                record_number=client.record_number,
                name=client.name,
                preferred_name=client.preferred_name,
                status=client.status,
                dosing_sessions=dosing,
                notes=notes,
                last_seen=max(dates) if dates else None,
                unsigned_notes=unsigned,
                oldest_unsigned=_as_date(oldest) if oldest is not None else None,
                open_followups=len(followups.get(client.id, ())),
                notes_to_write=to_write[client.id],
                awaiting_integration=awaiting[client.id],
            )
        )
    return result


def waiting(session: Session, today: dt.date) -> list[WaitingItem]:
    """What waits for the therapist across the practice: every safety follow-up still open,
    oldest first; then every note to sign and every dose on record without its dosing
    note, oldest session first; then every ongoing course's latest dose that is followed by
    fewer integration sessions than the course's plan sets (models.clinical.doses); a
    course is ongoing until the end date it was given has passed.
    Discharged clients' follow-ups and notes are listed (a discharge closes neither); their
    courses no longer wait for integration. The client list's marks count the follow-ups
    and drafts the same way (list_clients)."""
    clients = {row.id: row for row in session.execute(
        select(Client.id, Client.record_number, Client.name, Client.status))}

    def item(client_id: int, day: dt.date, kind: Waits, **what: Any) -> WaitingItem:
        client = clients[client_id]
        return WaitingItem(client_id, client.record_number, client.name, client.status,
                           day, kind, **what)

    found = sorted(((client_id, f) for client_id, followups
                    in measures.open_followups_by_client(session).items() for f in followups),
                   key=lambda pair: (pair[1].given_on, pair[1].administration_id))
    notes = [item(client_id, day, Waits.TO_SIGN, note_id=note_id, template_id=template_id)
             for note_id, client_id, day, template_id in session.execute(
                 select(Note.id, Note.client_id, Note.session_date, Note.template_id)
                 .where(Note.status != "signed"))]
    doses, integration = _dose_gaps(session, today)
    notes += [item(client_id, dose.session_date, Waits.TO_WRITE, dosing_session_id=dose.id,
                   dose_label=label) for client_id, dose, label in doses if dose.session_date]
    due = [item(client_id, gap.dose.session_date, Waits.INTEGRATION,
                dosing_session_id=gap.dose.id, dose_label=label, held=gap.held,
                planned=gap.planned)
           for client_id, gap, label in integration if gap.dose.session_date]
    notes.sort(key=lambda w: (w.day, w.note_id is None, w.note_id or 0))
    due.sort(key=lambda w: (w.day, w.client_id))
    return [item(client_id, f.given_on, Waits.FOLLOW_UP, finding=f.what)
            for client_id, f in found] + notes + due


def _dose_gaps(session: Session, today: dt.date) -> tuple[list[tuple[int, CourseDose, str]],
                                          list[tuple[int, IntegrationDue, str]]]:
    """Each dose without its dosing note, and each ongoing course's integration still due
    (a discharged client's courses wait for none), with its client and its label ('D3',
    'C2 D3')."""
    courses: dict[int, list[tuple[int, bool]]] = {}  # client -> (course, waits), in order
    plans: dict[int, IntegrationPlan] = {}
    for course_id, client_id, end_date, status, first, each in session.execute(
            select(Course.id, Course.client_id, Course.end_date, Client.status,
                   Course.integration_after_first, Course.integration_after_each)
            .join(Client, Client.id == Course.client_id)
            .order_by(Course.start_date, Course.id)):
        courses.setdefault(client_id, []).append(
            (course_id, course_waits(end_date, today, in_care=status != "discharged")))
        plans[course_id] = IntegrationPlan(first, each)
    where = {course_id: (client_id, index, len(listed) > 1)
             for client_id, listed in courses.items()
             for index, (course_id, _ongoing) in enumerate(listed, start=1)}
    by_course: dict[int, list[CourseDose]] = {}
    for dose_id, course_id, number, day in session.execute(
            select(DosingSession.id, DosingSession.course_id, DosingSession.number,
                   DosingSession.session_date)):
        by_course.setdefault(course_id, []).append(CourseDose(dose_id, course_id, number, day))
    # Per dose, in one pass over the notes that name one: its own note, and the
    # integration notes that follow it.
    noted: set[int] = set()
    held: dict[int, int] = {}
    for named, own, following in session.execute(
            select(Note.dosing_session_id,
                   func.count(Note.id).filter(Note.template_id == "dosing"),
                   func.count(Note.id).filter(Note.template_id.in_(FOLLOWS_A_DOSE)))
            .where(Note.dosing_session_id.is_not(None))
            .group_by(Note.dosing_session_id)):
        if named is None:
            continue
        if own:
            noted.add(named)
        if following:
            held[named] = following

    def label(dose: CourseDose) -> str:
        _client, index, several = where[dose.course_id]
        return dose_label_text(index, dose.number, several)

    unwritten = [(where[d.course_id][0], d, label(d)) for listed in by_course.values()
                 for d in listed if d.id not in noted]
    due = []
    for client_id, listed in courses.items():
        for course_id, ongoing in listed:
            gap = (integration_due(by_course.get(course_id, []), held, plans[course_id])
                   if ongoing else None)
            if gap is not None:
                due.append((client_id, gap, label(gap.dose)))
    return unwritten, due


def _as_date(value: Any) -> dt.date:
    # Aggregates over a Date column come back from SQLite as ISO text.
    return dt.date.fromisoformat(value) if isinstance(value, str) else value
