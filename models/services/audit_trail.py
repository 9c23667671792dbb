"""The audit trail as a person reads it: each event with when, who, what was done and to
which record, in words, newest first; and whether the chain still holds.

models/audit.py records events with codes and ids only (never a name or clinical text, so
the log itself gives nothing away). Reading it here, inside the unlocked vault, puts the
names back: the record an event is about is looked up as it is now (a note by its kind and
date, a target by its label, a part by its name). A record that no longer exists (a
discarded draft, a removed relation) is named by its kind and said to be gone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

from sqlalchemy import desc, select, union_all
from sqlalchemy.orm import Session

from models import audit
from models.dto import AuditEntry, AuditTrail, ChainReport
from models.entities import (
    Addendum,
    AuditEvent,
    Client,
    Clinician,
    Course,
    CustomInstrument,
    DosingSession,
    IfsPart,
    MeasureAdministration,
    Note,
    PartRelation,
    TargetMemory,
)
from models.errors import NotFoundError, ValidationError
from models.formatting import date_text
from models.inputs import AUDIT_TRAIL_LIMIT, validate_trail_choice
from models.services.measures import available_instruments
from models.vocabulary import (
    ADDENDUM_KINDS,
    AUDIT_ACTIONS,
    COURSE_FIELDS,
    COURSE_KINDS,
    LOCK_REASONS,
    MODALITIES,
    PART_RELATIONS,
    REPORT_DETAIL,
    REPORT_KINDS,
    REPORT_SECTIONS,
    TARGET_FIELDS,
    Vocabulary,
)

_CHUNK: Final = 500  # ids per IN (...) when the records are looked up


def trail(session: Session, *, client_id: int | None = None, start: dt.date | None = None,
          end: dt.date | None = None, limit: int = AUDIT_TRAIL_LIMIT,
          oldest_first: bool = False, since: ChainReport | None = None,
          with_practice: tuple[str, ...] = ()) -> AuditTrail:
    """The events of the vault (or of one client), newest first (or, for a document read
    from the top, oldest first), from `start` to `end` (local calendar days, both
    included): at most `limit` of them, the newest. The whole chain is walked, or, given
    `since` (the `chain` of a trail read earlier in this session), the events after it.
    `with_practice`: actions of the practice as a whole to list with one client's own (an
    export, which holds their record too)."""
    problems = validate_trail_choice(start, end, limit)
    if problems:
        raise ValidationError(problems)
    if client_id is not None and session.get(Client, client_id) is None:
        raise NotFoundError(f"Client #{client_id} does not exist in this vault.")
    audit.write_pending(session)
    columns = (AuditEvent.id, AuditEvent.occurred_at, AuditEvent.actor_id, AuditEvent.action,
               AuditEvent.entity, AuditEvent.entity_id, AuditEvent.client_id,
               AuditEvent.detail)
    period = []
    if start is not None:
        period.append(AuditEvent.occurred_at >= _utc_text(start))
    if end is not None:
        period.append(AuditEvent.occurred_at < _utc_text(end + dt.timedelta(days=1)))
    if client_id is None:
        query: Any = select(*columns).where(*period)
    else:
        query = select(*columns).where(AuditEvent.client_id == client_id, *period)
        if with_practice:
            # The client's own events (on the client index) and the practice's (events of
            # no client): as one OR, SQLite read every event of the vault for them.
            query = union_all(query, select(*columns).where(
                AuditEvent.client_id.is_(None), AuditEvent.action.in_(with_practice),
                *period)).subquery()
            query = select(*query.c)
    rows = list(session.execute(query.order_by(desc("id")).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    chain = audit.verify_chain(session, since)
    anchor = audit.check_anchor(session)
    problem = chain.problem or anchor.problem
    if oldest_first:
        rows.reverse()
    return AuditTrail(entries=tuple(_entries(session, rows)), more=more,
                      events_in_vault=anchor.events, problem=problem, chain=chain)


def _utc_text(day: dt.date) -> str:
    """The stored form (ISO 8601 in UTC) of the local midnight that starts `day`."""
    local = dt.datetime.combine(day, dt.time()).astimezone()
    return local.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _entries(session: Session, rows: Sequence[Any]) -> list[AuditEntry]:
    clinicians = {cid: name for cid, name in session.execute(
        select(Clinician.id, Clinician.name))}
    client_ids = {row.client_id for row in rows if row.client_id is not None}
    clients: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(client_ids):
        for cid, number, name in session.execute(
                select(Client.id, Client.record_number, Client.name)
                .where(Client.id.in_(chunk))):
            clients[cid] = (number, name)
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        if row.entity and row.entity_id is not None:
            wanted[row.entity].add(row.entity_id)
    names = _record_names(session, wanted)
    entries = []
    for row in rows:
        number, name = clients.get(row.client_id, ("", "")) if row.client_id else ("", "")
        entries.append(AuditEntry(
            id=row.id, occurred_at=_moment(row.occurred_at),
            who=clinicians.get(row.actor_id, "") if row.actor_id is not None else "",
            action=row.action, what=AUDIT_ACTIONS.label(row.action),
            record=_record(row.entity, row.entity_id, names),
            client_id=row.client_id, record_number=number, client_name=name,
            detail=detail_words(row.action, row.detail)))
    return entries


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(ids)
    for index in range(0, len(ordered), _CHUNK):
        yield ordered[index:index + _CHUNK]


# What a record is called when it no longer exists.
_GONE: Final = {
    "client": "A client's record, since deleted",
    "note": "A draft note, since discarded",
    "part_relation": "A relation between two parts, since removed",
}
_KIND_NAMES: Final = {
    "client": "Client's record",
    "clinician": "Clinician",
    "course": "Course of care",
    "dosing_session": "Dosing record",
    "note": "Note",
    "addendum": "Addendum",
    "target_memory": "Target",
    "ifs_part": "IFS part",
    "part_relation": "Relation between parts",
    "measure_administration": "Measure",
    "custom_instrument": "Custom measure",
}


def _record(entity: str, entity_id: int | None, names: dict[tuple[str, int], str]) -> str:
    if not entity:
        return ""
    if entity_id is not None and (entity, entity_id) in names:
        return names[(entity, entity_id)]
    if entity in _GONE:
        return _GONE[entity]
    kind = _KIND_NAMES.get(entity, entity.replace("_", " ").capitalize())
    return f"{kind} (no longer in the vault)" if entity_id is not None else kind


def _note_name(template_id: str, day: dt.date) -> str:
    return f"{MODALITIES.label(template_id)} note of {date_text(day)}"


def _record_names(session: Session, wanted: dict[str, set[int]]) -> dict[tuple[str, int], str]:
    """(entity, id) -> the record's name as it is now, for every record that still exists."""
    names: dict[tuple[str, int], str] = {}

    def each(entity: str, query: Callable[[list[int]], Any],
             name: Callable[[Any], str]) -> None:
        for chunk in _chunks(wanted.get(entity, ())):
            for row in session.execute(query(chunk)):
                names[(entity, row[0])] = name(row)

    each("client", lambda ids: select(Client.id).where(Client.id.in_(ids)),
         lambda row: "Client's record")
    each("clinician", lambda ids: select(Clinician.id, Clinician.name)
         .where(Clinician.id.in_(ids)), lambda row: f"Clinician: {row[1]}")
    each("course", lambda ids: select(Course.id, Course.kind, Course.start_date)
         .where(Course.id.in_(ids)),
         lambda row: f"{COURSE_KINDS.short(row[1])} course from {date_text(row[2])}")
    each("dosing_session", lambda ids: select(
        DosingSession.id, DosingSession.number, DosingSession.session_date)
        .where(DosingSession.id.in_(ids)),
        lambda row: f"Dosing session D{row[1]} of {date_text(row[2])}")
    each("note", lambda ids: select(Note.id, Note.template_id, Note.session_date)
         .where(Note.id.in_(ids)), lambda row: _note_name(row[1], row[2]))
    each("addendum", lambda ids: select(Addendum.id, Addendum.kind, Note.template_id,
                                        Note.session_date)
         .join(Note, Note.id == Addendum.note_id).where(Addendum.id.in_(ids)),
         lambda row: f"{ADDENDUM_KINDS.label(row[1])} to the {_note_name(row[2], row[3])}")
    each("target_memory", lambda ids: select(TargetMemory.id, TargetMemory.label)
         .where(TargetMemory.id.in_(ids)), lambda row: f"Target “{row[1]}”")
    each("ifs_part", lambda ids: select(IfsPart.id, IfsPart.name)
         .where(IfsPart.id.in_(ids)), lambda row: f"Part “{row[1]}”")
    parts: dict[int, str] = {}
    relations: list[tuple[int, str, int, int]] = []
    for chunk in _chunks(wanted.get("part_relation", ())):
        relations.extend(session.execute(
            select(PartRelation.id, PartRelation.kind, PartRelation.from_part_id,
                   PartRelation.to_part_id).where(PartRelation.id.in_(chunk))))
    part_ids = {part for _, _, a, b in relations for part in (a, b)}
    for chunk in _chunks(part_ids):
        parts.update((pid, name) for pid, name in session.execute(
            select(IfsPart.id, IfsPart.name).where(IfsPart.id.in_(chunk))))
    for rid, kind, a, b in relations:
        names[("part_relation", rid)] = (
            f"{parts.get(a, 'a part')} · {PART_RELATIONS.label(kind).lower()} · "
            f"{parts.get(b, 'a part')}")
    known = available_instruments(session) if wanted.get("measure_administration") else {}
    each("measure_administration", lambda ids: select(
        MeasureAdministration.id, MeasureAdministration.instrument_id,
        MeasureAdministration.administered_on).where(MeasureAdministration.id.in_(ids)),
        lambda row: f"{known[row[1]].short_name if row[1] in known else row[1]} of "
                    f"{date_text(row[2])}")
    each("custom_instrument", lambda ids: select(CustomInstrument.id, CustomInstrument.name)
         .where(CustomInstrument.id.in_(ids)), lambda row: f"Custom measure “{row[1]}”")
    return names


def _pairs(detail: str) -> dict[str, str]:
    pairs = {}
    for item in detail.split(";"):
        key, sep, value = item.partition("=")
        if sep:
            pairs[key.strip()] = value.strip()
    return pairs


def _field_names(codes: str, vocabulary: Vocabulary | None) -> str:
    labels = [(vocabulary.label(code) if vocabulary is not None
               else code.replace("_", " ").capitalize()) for code in codes.split(",") if code]
    return ", ".join(labels)


def detail_words(action: str, detail: str) -> str:
    """What an event's detail says, in words: which fields changed (never their values), a
    note's template version and the start of its content hash, what a report held."""
    if not detail:
        return ""
    pairs = _pairs(detail)
    if "fields" in pairs:
        vocabulary = (TARGET_FIELDS if action.startswith("target.") else
                      COURSE_FIELDS if action.startswith("course.") else None)
        return "Changed: " + _field_names(pairs["fields"], vocabulary)
    if action == "note.create" and "template" in pairs:
        _, _, version = pairs["template"].partition("@")
        return f"Template version {version}" if version else ""
    if action == "note.sign" and "sha256" in pairs:
        return f"Content hash {pairs['sha256']}"  # its first 16 characters
    if action == "note.addendum" and "kind" in pairs:
        return ""  # the record's name gives the kind
    if action == "vault.lock" and "reason" in pairs:
        return LOCK_REASONS.label(pairs["reason"])
    if action == "vault.unlock_failed" and "attempts" in pairs:
        count = pairs["attempts"]
        return f"{count} wrong passphrase{'' if count == '1' else 's'} before an unlock"
    if action == "vault.export" and "private_notes" in pairs:
        return ("Private process notes included" if pairs["private_notes"] == "included"
                else "Private process notes left out")
    if action == "part.move" and "parts" in pairs:
        count = pairs["parts"]
        return f"{count} part{'' if count == '1' else 's'}"
    if action == "dosing.create" and "number" in pairs:
        return f"Dosing session D{pairs['number']}"
    if action.startswith("report.") and "kind" in pairs:
        return _report_words(pairs)
    if action == "measure.record" and "instrument" in pairs:
        return ""  # the record's name gives the instrument
    if action == "part.relate" and "kind" in pairs:
        return ""  # the record's name gives the kind
    if action == "part.unrelate" and "kind" in pairs:
        return PART_RELATIONS.label(pairs["kind"])  # the relation is gone
    if action == "client.delete" and "record" in pairs:
        return f"Record {pairs['record']}, with nothing recorded in it"
    if action == "client.discharge" or action == "client.reactivate":
        return ""  # the status change's date and reason are in the client's record
    return detail


def _report_words(pairs: dict[str, str]) -> str:
    words = [REPORT_KINDS.label(pairs["kind"])]
    start, _, end = pairs.get("period", "").partition("..")
    if pairs["kind"] == "note" and start:
        words[0] += f" of {_day(start)}"
    elif start or end:
        words.append(f"period {_day(start) or 'from the start'} to {_day(end) or 'today'}")
    if pairs["kind"] == "progress":
        sections = [REPORT_SECTIONS.short(code) for code in pairs.get("sections", "").split(",")
                    if code]
        if sections:
            words.append("sections: " + ", ".join(sections))
        if pairs.get("detail"):
            words.append(REPORT_DETAIL.label(pairs["detail"]).lower())
    if pairs.get("drafts") == "1":
        words.append("drafts included")
    if pairs.get("private") == "1":
        words.append("private process notes included")
    words.append("password-protected" if pairs.get("protected") == "1" else "no password")
    return "; ".join(words)


def _day(text: str) -> str:
    try:
        return date_text(dt.date.fromisoformat(text)) if text else ""
    except ValueError:
        return text
