"""Measure administrations: record item answers, and read a client's measures.

Totals, bands and change labels are always derived from the stored item answers with the
instrument definitions (models.clinical.measures); they are never stored as the truth.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Connection, func, or_, select
from sqlalchemy.orm import Session

from models import audit
from models.clinical.measures import ScoredAdministration
from models.clinical.safety import (
    RISK_CHECK_FIELDS,
    SafetyFollowUp,
    followups_of,
    unanswered,
)
from models.dto import AdministrationDTO, NoteDTO
from models.entities import (
    Client,
    Course,
    CustomInstrument,
    DosingSession,
    ItemResponse,
    MeasureAdministration,
    Note,
)
from models.errors import NotFoundError, ValidationError
from models.inputs import (
    CustomMeasureInput,
    MeasureInput,
    repeat_warning,
    validate_custom_measure,
    validate_custom_measure_change,
    validate_measure,
)
from models.instruments.definitions import Charting, Instrument
from models.instruments.loading import custom_instrument, load_instruments
from models.instruments.scoring import score
from models.services import chart, convert
from models.values import has_visible_text


def custom_instruments(session: Session) -> dict[str, Instrument]:
    rows = session.scalars(select(CustomInstrument).order_by(CustomInstrument.id))
    result = {}
    for row in rows:
        result[row.key] = custom_instrument(
            row.key, row.name, int(row.min_value), int(row.max_value), row.higher_is_better,
            reliable_change=row.reliable_change,
        )
    return result


def available_instruments(session: Session) -> dict[str, Instrument]:
    return {**load_instruments(), **custom_instruments(session)}


# How many signed notes from a flag's day on are read first for it: the first answers it
# unless its risk check is blank or it was signed before the flag was entered.
_FIRST_NOTES = 1


def open_followups_by_client(session: Session) -> dict[int, tuple[SafetyFollowUp, ...]]:
    """The safety follow-ups each client has open (models.clinical.safety), oldest first,
    for the clients that have one: what the client list marks, read after every write.

    The database names the measures with a safety item answered at its flag's level, and
    for each the first signed notes of its client dated on or after it: most often the
    first of them answers it. Only a client with a flag that none of its first notes
    answers, and more notes after them, has the rest of their signed notes read."""
    known = available_instruments(session)
    levels = [(MeasureAdministration.instrument_id == key)
              & (ItemResponse.item_number == item.item) & (ItemResponse.value >= item.at_least)
              for key, instrument in known.items() for item in instrument.safety_items]
    if not levels:
        return {}
    connection = session.connection()
    flagged_ids = connection.execute(
        select(ItemResponse.administration_id)
        .join(MeasureAdministration, ItemResponse.administration_id == MeasureAdministration.id)
        .where(MeasureAdministration.entered_in_error_at.is_(None), or_(*levels))
    ).scalars().all()
    if not flagged_ids:
        return {}
    flag = select(MeasureAdministration.id, MeasureAdministration.client_id,
                  MeasureAdministration.administered_on) \
        .where(MeasureAdministration.id.in_(flagged_ids)).subquery()
    ranked = select(flag.c.id.label("flag"), Note.id.label("note"), func.row_number().over(
        partition_by=flag.c.id, order_by=(Note.session_date, Note.signed_at, Note.id),
    ).label("place")).join(flag, (flag.c.client_id == Note.client_id)
                           & (Note.session_date >= flag.c.administered_on)) \
        .where(Note.status == "signed").subquery()
    first: dict[int, list[int]] = defaultdict(list)
    for flag_id, note_id in connection.execute(
            select(ranked.c.flag, ranked.c.note).where(ranked.c.place <= _FIRST_NOTES)):
        first[flag_id].append(note_id)
    notes: dict[int, list[NoteDTO]] = defaultdict(list)
    wanted = sorted({note_id for ids in first.values() for note_id in ids})
    # Of each note's content only its risk check is read: one JSON array of its answers.
    columns = [c for c in Note.__table__.c if c.name != "content"]
    risk = func.json_extract(Note.content, *(f"$.{f}" for f in RISK_CHECK_FIELDS))
    for row in connection.execute(select(*columns, risk.label("risk"))
                                  .where(Note.id.in_(wanted))):
        notes[row.client_id].append(convert.from_row(
            NoteDTO, row, addenda=(),
            content=dict(zip(RISK_CHECK_FIELDS, json.loads(row.risk or "[]"), strict=False))))
    # First without their answers: most flags are answered, and need none.
    flags = _administrations(connection, flagged_ids, answers=False)
    left: dict[int, list[AdministrationDTO]] = {}
    for client_id, given in flags.items():
        waiting = unanswered(notes[client_id], given)
        if any(len(first[a.id]) == _FIRST_NOTES for a in waiting):
            # Later notes than the first read may answer it.
            notes[client_id] = chart.load_signed_notes(
                session, client_id, min(a.administered_on for a in waiting))
            waiting = unanswered(notes[client_id], given)
        if waiting:
            left[client_id] = waiting
    if not left:
        return {}
    scored = _administrations(connection, [a.id for w in left.values() for a in w])
    return {client_id: found for client_id in left
            if (found := followups_of(notes[client_id], scored[client_id], known,
                                      open_only=True))}


def _administrations(connection: Connection, ids: Sequence[int], *,
                     answers: bool = True) -> dict[int, list[AdministrationDTO]]:
    """The administrations `ids` names, with their answers (or none), by client."""
    given: dict[int, list[tuple[int, float | None]]] = defaultdict(list)
    if answers:
        for administration_id, item, value in connection.execute(
                select(ItemResponse.administration_id, ItemResponse.item_number,
                       ItemResponse.value).where(ItemResponse.administration_id.in_(ids))
                .order_by(ItemResponse.administration_id, ItemResponse.item_number)):
            given[administration_id].append((item, value))
    result: dict[int, list[AdministrationDTO]] = defaultdict(list)
    for row in connection.execute(select(*MeasureAdministration.__table__.c)
                                  .where(MeasureAdministration.id.in_(ids))
                                  .order_by(MeasureAdministration.administered_on,
                                            MeasureAdministration.id)):
        result[row.client_id].append(convert.from_row(
            AdministrationDTO, row, responses=tuple(given[row.id])))
    return result


def create_custom_instrument(
    session: Session, data: CustomMeasureInput, *, actor_id: int | None = None,
) -> Instrument:
    """A clinician-defined single-number measure (for example a daily craving rating)."""
    problems = validate_custom_measure(data)
    if problems:
        raise ValidationError(problems)
    count = len(session.scalars(select(CustomInstrument.id)).all())
    row = CustomInstrument(key=f"custom{count + 1}", name=data.name.strip(),
                           min_value=data.min_value, max_value=data.max_value,
                           higher_is_better=data.higher_is_better,
                           reliable_change=data.reliable_change)
    session.add(row)
    session.flush()
    audit.record(session, "instrument.create", entity="custom_instrument", entity_id=row.id,
                 actor_id=actor_id)
    return custom_instruments(session)[row.key]


def _recorded_range(session: Session, key: str) -> tuple[float, float] | None:
    """The lowest and highest value recorded with a measure; an entry marked in error too,
    which is kept and still shown in the record."""
    lowest, highest = session.execute(
        select(func.min(ItemResponse.value), func.max(ItemResponse.value))
        .join(MeasureAdministration, ItemResponse.administration_id == MeasureAdministration.id)
        .where(MeasureAdministration.instrument_id == key)).one()
    return None if lowest is None or highest is None else (lowest, highest)


def update_custom_instrument(
    session: Session, key: str, data: CustomMeasureInput, *, actor_id: int | None = None,
) -> Instrument:
    """Change a custom measure: its name, direction or reliable change, or its range as far
    as the values recorded with it allow. Totals and labels are derived, so every chart
    and report reads the measure as it now stands; the audit names the fields changed."""
    row = session.scalar(select(CustomInstrument).where(CustomInstrument.key == key))
    if row is None:
        raise NotFoundError("That custom measure does not exist in this vault.")
    problems = validate_custom_measure_change(data, _recorded_range(session, key))
    if problems:
        raise ValidationError(problems)
    wanted = {"name": data.name.strip(), "min_value": data.min_value,
              "max_value": data.max_value, "higher_is_better": data.higher_is_better,
              "reliable_change": data.reliable_change}
    changed = [field for field, value in wanted.items() if getattr(row, field) != value]
    for field in changed:
        setattr(row, field, wanted[field])
    session.flush()
    if changed:
        audit.record(session, "instrument.update", entity="custom_instrument",
                     entity_id=row.id, actor_id=actor_id, detail="fields=" + ",".join(changed))
    return custom_instruments(session)[row.key]


def record_administration(
    session: Session, client_id: int, data: MeasureInput, *, today: dt.date,
    actor_id: int | None = None,
) -> ScoredAdministration:
    if session.get(Client, client_id) is None:
        raise NotFoundError(f"Client #{client_id} does not exist in this vault.")
    known = available_instruments(session)
    instrument = known.get(data.instrument_id)
    if instrument is None:
        raise ValidationError({"instrument_id": "Choose an instrument from the list."})
    problems = validate_measure(data, instrument, today=today)
    if data.dosing_session_id is not None:
        dosing = session.get(DosingSession, data.dosing_session_id)
        if dosing is None or session.get_one(Course, dosing.course_id).client_id != client_id:
            problems["dosing_session_id"] = "That dosing session is not one of this client's."
        elif instrument.charting is Charting.PER_DOSE:
            taken = dose_record_problem(session, known, dosing.id)
            if taken:
                problems["dosing_session_id"] = taken
    if problems:
        raise ValidationError(problems)
    if not data.repeat_confirmed:
        earlier = session.scalars(select(MeasureAdministration).where(
            MeasureAdministration.client_id == client_id,
            MeasureAdministration.instrument_id == instrument.id))
        warning = repeat_warning(data, instrument, [convert.administration(a) for a in earlier])
        if warning:
            raise ValidationError({"repeat": warning})
    try:
        result = score(instrument, data.responses)
    except ValueError as exc:
        raise ValidationError({"responses": str(exc)}) from None
    row = MeasureAdministration(
        client_id=client_id,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        administered_on=data.administered_on,
        relation_to_care=data.relation_to_care,
        dosing_session_id=data.dosing_session_id,
        index_event=data.index_event.strip() or None,
    )
    row.responses = [ItemResponse(item_number=number, value=value)
                     for number, value in sorted(data.responses.items())]
    session.add(row)
    session.flush()
    audit_entered(session, row.id, client_id, instrument.id, actor_id=actor_id)
    return ScoredAdministration(convert.administration(row), instrument, result)


def audit_entered(session: Session, administration_id: int, client_id: int,
                  instrument_id: str, *, actor_id: int | None) -> None:
    """Record that an administration was entered (which instrument; never the answers)."""
    audit.record(session, "measure.record", entity="measure_administration",
                 entity_id=administration_id, client_id=client_id, actor_id=actor_id,
                 detail=f"instrument={instrument_id}")


def dose_record_problem(session: Session, known: dict[str, Instrument],
                        dosing_session_id: int) -> str:
    """Why a dose cannot take another CADSS / CADSS-6 ('' when it can): a dose has one
    dissociation record, entered once, in Measures or in its dosing note."""
    per_dose = [i.id for i in known.values() if i.charting is Charting.PER_DOSE]
    existing = session.scalars(select(MeasureAdministration).where(
        MeasureAdministration.dosing_session_id == dosing_session_id,
        MeasureAdministration.instrument_id.in_(per_dose),
        MeasureAdministration.entered_in_error_at.is_(None))).first()
    if existing is not None:
        name = known[existing.instrument_id].short_name
        where = " (from its dosing note)" if existing.note_id is not None else ""
        # No date here: the message travels in an exception, which never holds client data.
        return (f"This dose already has its {name}{where}: a dose has one dissociation "
                "record. If that one is wrong, mark it entered in error first.")
    draft = session.scalars(select(Note).where(
        Note.dosing_session_id == dosing_session_id, Note.template_id == "dosing",
        Note.status == "draft")).first()
    if draft is not None and isinstance(draft.content.get("dissociation"), dict) \
            and any(v is not None for v in
                    (draft.content["dissociation"].get("answers") or {}).values()):
        return ("The dosing note of this dose (a draft) already holds its CADSS: finish it "
                "there, or clear it there first.")
    return ""


def mark_entered_in_error(
    session: Session, administration_id: int, reason: str, *, actor_id: int | None = None
) -> AdministrationDTO:
    """Keep a wrong entry but leave it out of every score, chart and summary from now on."""
    row = session.get(MeasureAdministration, administration_id)
    if row is None:
        raise NotFoundError(f"Measure #{administration_id} does not exist in this vault.")
    if not has_visible_text(reason):
        raise ValidationError({"reason": "Say why this entry is wrong (for the record)."})
    if row.entered_in_error_at is not None:
        raise ValidationError({"reason": "This entry is already marked entered in error."})
    if row.note_id is not None:
        note = session.get(Note, row.note_id)
        if note is not None and note.status == "signed":
            raise ValidationError({"reason": (
                "This entry was recorded in a signed note (the dosing note of its dose) and is "
                "locked with it: add a correction to that note instead.")})
    row.entered_in_error_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    row.entered_in_error_reason = reason.strip()
    session.flush()
    audit.record(session, "measure.entered_in_error", entity="measure_administration",
                 entity_id=row.id, client_id=row.client_id, actor_id=actor_id)
    return convert.administration(row)
