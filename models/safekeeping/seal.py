"""Tamper checks: the signed record against its own hashes, the locks the database keeps,
and the anchor of the audit chain.

The triggers make signed notes immutable for anyone who uses the application; someone with
the passphrase and an SQLite tool can drop them and change the record. These checks see
that: every signed note and addendum is hashed again, every figure a signed note filed is
derived again from its content, every signing the audit log recorded must still be there,
and the triggers themselves must be the ones the migrations created.

Problems are said with record numbers (#id) and field names only, never the values.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError
from sqlalchemy.orm import Session

from models import audit
from models.entities import (
    Addendum,
    AuditEvent,
    DosingBooster,
    DosingSession,
    DosingVital,
    Note,
    PartStatusChange,
    SelfEnergyRating,
    TargetDefinitionChange,
    TargetRating,
)
from models.safekeeping import files
from models.services import notes, signed_record
from models.templates.definitions import UnknownTemplateError
from models.vault import Vault, is_damage

# The immutability triggers as the migrations create them (0001, and the boosters in 0003).
# A test keeps this equal to what a new vault holds.
_SIGNED_NOTE = "(SELECT status FROM note WHERE id = OLD.note_id) = 'signed'"
_GUARDS: dict[str, tuple[str, str]] = {
    "audit_event": ("1", "the audit log is append-only"),
    "note": ("OLD.status = 'signed'", "a signed note is locked; add an addendum instead"),
    "addendum": ("OLD.status = 'signed'", "a signed addendum is locked"),
    "target_rating": (f"OLD.note_id IS NOT NULL AND {_SIGNED_NOTE}",
                      "ratings from a signed note are locked"),
    "target_definition_change": (f"OLD.note_id IS NOT NULL AND {_SIGNED_NOTE}",
                                 "target history from a signed note is locked"),
    "part_status_change": (f"OLD.note_id IS NOT NULL AND {_SIGNED_NOTE}",
                           "part history from a signed note is locked"),
    "self_energy_rating": (f"OLD.note_id IS NOT NULL AND {_SIGNED_NOTE}",
                           "ratings from a signed note are locked"),
    "parts_map_snapshot": (f"OLD.note_id IS NOT NULL AND {_SIGNED_NOTE}",
                           "a parts-map snapshot of a signed note is locked"),
    "dosing_vital": (f"OLD.note_id IS NOT NULL AND {_SIGNED_NOTE}",
                     "vitals from a signed note are locked"),
    "dosing_session": ("OLD.locked_by_note_id IS NOT NULL",
                       "a dosing session recorded by a signed note is locked"),
    "measure_administration": (f"OLD.note_id IS NOT NULL AND {_SIGNED_NOTE}",
                               "a measure from a signed note is locked"),
    "item_response": (
        "(SELECT n.status FROM measure_administration a JOIN note n ON n.id = a.note_id"
        " WHERE a.id = OLD.administration_id) = 'signed'",
        "a measure from a signed note is locked",
    ),
    "dosing_booster": (
        "(SELECT locked_by_note_id FROM dosing_session WHERE id = OLD.dosing_session_id)"
        " IS NOT NULL",
        "boosters recorded by a signed note are locked",
    ),
}


def _expected_triggers() -> dict[str, str]:
    expected = {}
    for table, (condition, message) in _GUARDS.items():
        for verb in ("update", "delete"):
            expected[f"trg_{table}_no_{verb}"] = (
                f"CREATE TRIGGER trg_{table}_no_{verb} BEFORE {verb.upper()} ON {table} "
                f"FOR EACH ROW WHEN {condition} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
    expected["trg_addendum_needs_signed_note"] = (
        "CREATE TRIGGER trg_addendum_needs_signed_note BEFORE INSERT ON addendum "
        "FOR EACH ROW WHEN (SELECT status FROM note WHERE id = NEW.note_id) IS NOT 'signed' "
        "BEGIN SELECT RAISE(ABORT, 'an addendum needs a signed note'); END"
    )
    return {name: _normalise(sql) for name, sql in expected.items()}


def _normalise(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


EXPECTED_TRIGGERS = _expected_triggers()


def trigger_problems(session: Session) -> list[str]:
    """Every immutability trigger present and worded exactly as created; no stranger."""
    found = {name: _normalise(sql or "") for name, sql in session.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))}
    problems = []
    for name, sql in EXPECTED_TRIGGERS.items():
        if name not in found:
            problems.append(f"the lock {name} is missing: the database no longer refuses "
                            "changes it should refuse")
        elif found[name] != sql:
            problems.append(f"the lock {name} was changed")
    problems.extend(f"an unknown trigger {name} was added" for name in sorted(
        set(found) - set(EXPECTED_TRIGGERS)))
    return problems


@dataclass(frozen=True)
class _SignedNote:
    id: int
    client_id: int
    dosing_session_id: int | None
    template_id: str
    template_version: int
    content: Mapping[str, Any]
    status: str
    content_hash: str | None
    session_date: Any


def _by_note(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.note_id].append(row)
    return grouped


def signed_record_problems(session: Session, *, figures: bool = True) -> list[str]:
    """Hashes of signed notes and addenda, signings the audit log recorded, and (unless
    `figures` is False, for the cheap check on opening) every figure a signed note filed:
    dosing record, vitals, boosters, ratings, histories."""
    problems: list[str] = []
    notes_by_id = {
        row.id: _SignedNote(row.id, row.client_id, row.dosing_session_id, row.template_id,
                            row.template_version, row.content, row.status, row.content_hash,
                            row.session_date)
        for row in session.execute(select(
            Note.id, Note.client_id, Note.dosing_session_id, Note.template_id,
            Note.template_version, Note.content, Note.status, Note.content_hash,
            Note.session_date))
    }
    signed = {i: n for i, n in notes_by_id.items() if n.status == "signed"}
    for note in signed.values():
        hashed = notes.signed_content_hash(note.template_id, note.template_version,
                                           note.client_id, note.dosing_session_id,
                                           note.content)
        if hashed != note.content_hash:
            problems.append(f"note #{note.id}: its content no longer matches the hash taken "
                            "when it was signed")
        day = signed_record.parse_date(note.content.get("session_date"))
        if day is not None and day != note.session_date:
            problems.append(f"note #{note.id}: its date no longer matches its signed content")
    problems.extend(_addendum_problems(session, notes_by_id))
    problems.extend(_audit_problems(session, notes_by_id))
    if figures:
        problems.extend(_figure_problems(session, signed))
    return problems


def _addendum_problems(session: Session, notes_by_id: Mapping[int, _SignedNote]) -> list[str]:
    problems = []
    for a in session.execute(select(
            Addendum.id, Addendum.note_id, Addendum.kind, Addendum.reason, Addendum.text,
            Addendum.author_id, Addendum.created_at, Addendum.status, Addendum.content_hash)):
        note = notes_by_id.get(a.note_id)
        if a.status != "signed":
            problems.append(f"addendum #{a.id}: it is no longer marked signed")
            continue
        expected = notes.addendum_hash(a.note_id, note.content_hash if note else None, a.kind,
                                       a.reason, a.text, a.author_id, a.created_at)
        if expected != a.content_hash:
            problems.append(f"addendum #{a.id} to note #{a.note_id}: it no longer matches "
                            "the hash taken when it was signed")
    return problems


def _audit_problems(session: Session, notes_by_id: Mapping[int, _SignedNote]) -> list[str]:
    """Every signing and addendum the audit log recorded must still be in the vault."""
    problems = []
    recorded_signings = set()
    for event in session.execute(select(AuditEvent.action, AuditEvent.entity_id,
                                        AuditEvent.detail)
                                 .where(AuditEvent.action == "note.sign")):
        note_id = event.entity_id
        recorded_signings.add(note_id)
        note = notes_by_id.get(note_id)
        if note is None:
            problems.append(f"note #{note_id} was signed (the audit log says so) but is no "
                            "longer in the vault: a signed note was deleted")
        elif note.status != "signed":
            problems.append(f"note #{note_id} was signed but is now marked as a draft")
        else:
            prefix = event.detail.removeprefix("sha256=")
            if not (note.content_hash or "").startswith(prefix):
                problems.append(f"note #{note_id}: its stored hash is not the one recorded "
                                "in the audit log when it was signed")
    for note in notes_by_id.values():
        if note.status == "signed" and note.id not in recorded_signings:
            problems.append(f"note #{note.id} is marked signed but its signing is not in the "
                            "audit log")
    addenda = set(session.scalars(select(Addendum.id)))
    for addendum_id in session.scalars(select(AuditEvent.entity_id)
                                       .where(AuditEvent.action == "note.addendum")):
        if addendum_id not in addenda:
            problems.append(f"addendum #{addendum_id} was added (the audit log says so) but "
                            "is no longer in the vault")
    return problems


def _figure_problems(session: Session, signed: Mapping[int, _SignedNote]) -> list[str]:
    problems: list[str] = []
    ratings = _by_note(session.execute(select(
        TargetRating.note_id, TargetRating.target_id, TargetRating.point, TargetRating.sud,
        TargetRating.voc, TargetRating.rated_on).where(TargetRating.note_id.is_not(None))))
    self_energy = _by_note(session.execute(select(
        SelfEnergyRating.note_id, SelfEnergyRating.client_id, SelfEnergyRating.rating,
        SelfEnergyRating.rated_on).where(SelfEnergyRating.note_id.is_not(None))))
    part_changes = _by_note(session.execute(select(
        PartStatusChange.note_id, PartStatusChange.part_id, PartStatusChange.new_status,
        PartStatusChange.changed_on).where(PartStatusChange.note_id.is_not(None))))
    definitions = _by_note(session.execute(select(
        TargetDefinitionChange.note_id, TargetDefinitionChange.field,
        TargetDefinitionChange.new_value).where(TargetDefinitionChange.note_id.is_not(None))))
    vitals = _by_note(session.execute(select(
        DosingVital.note_id, DosingVital.minutes_from_dose, DosingVital.systolic,
        DosingVital.diastolic, DosingVital.heart_rate, DosingVital.spo2,
        DosingVital.respiratory_rate, DosingVital.moaas)
        .where(DosingVital.note_id.is_not(None))))
    dosing_rows = {row.id: row for row in session.execute(
        select(DosingSession).where(DosingSession.locked_by_note_id.is_not(None)))
        .scalars()}
    boosters: dict[int, list[Any]] = defaultdict(list)
    for b in session.execute(select(DosingBooster.dosing_session_id,
                                    DosingBooster.minutes_from_dose, DosingBooster.dose_mg)):
        boosters[b.dosing_session_id].append(b)

    for note in signed.values():
        try:
            figures = signed_record.figures_of(note.template_id, note.template_version,
                                               note.content)
        except UnknownTemplateError:
            problems.append(f"note #{note.id}: its template is unknown to this version, so "
                            "its figures were not checked")
            continue
        day = note.session_date
        expected_ratings = Counter(
            (r.target_id, r.point, r.sud, r.voc, day)
            for r in signed_record.target_ratings(figures))
        actual_ratings = Counter((r.target_id, r.point, r.sud, r.voc, r.rated_on)
                                 for r in ratings.get(note.id, ()))
        if expected_ratings != actual_ratings:
            problems.append(f"note #{note.id}: the SUD/VoC ratings it filed were changed, "
                            "added or removed")
        expected_self = Counter([(note.client_id, figures.self_energy, day)]
                                if figures.self_energy is not None else [])
        actual_self = Counter((r.client_id, r.rating, r.rated_on)
                              for r in self_energy.get(note.id, ()))
        if expected_self != actual_self:
            problems.append(f"note #{note.id}: the Self-energy rating it filed was changed")
        allowed = {(c.part_id, c.new_status, day) for c in figures.part_status_changes}
        filed = [(c.part_id, c.new_status, c.changed_on) for c in part_changes.get(note.id, ())]
        if any(c not in allowed for c in filed) or len(filed) > len(allowed):
            problems.append(f"note #{note.id}: the part status changes it filed were changed")
        definition = signed_record.target_definition(note.content)
        for change in definitions.get(note.id, ()):
            expected_value = "in_processing" if change.field == "status" else definition.get(
                change.field)
            if change.new_value != expected_value:
                problems.append(f"note #{note.id}: the target history it filed was changed "
                                f"({change.field})")
                break
        if note.template_id == "dosing" and note.dosing_session_id is not None:
            problems.extend(_dosing_problems(
                note, figures, dosing_rows.get(note.dosing_session_id),
                vitals.get(note.id, []), boosters.get(note.dosing_session_id, [])))
    for dosing in dosing_rows.values():
        locker = signed.get(dosing.locked_by_note_id or 0)
        if locker is None or locker.template_id != "dosing" or \
                locker.dosing_session_id != dosing.id:
            problems.append(f"dosing session #{dosing.id} is marked as recorded by note "
                            f"#{dosing.locked_by_note_id}, which is not its signed dosing note")
    return problems


def _dosing_problems(note: _SignedNote, figures: Any, dosing: DosingSession | None,
                     vitals: list[Any], boosters: list[Any]) -> list[str]:
    if dosing is None or dosing.locked_by_note_id != note.id:
        return [f"note #{note.id}: the dosing session it recorded (#{note.dosing_session_id}) "
                "was removed or unlocked"]
    template = signed_record.template_for(note.template_id, note.template_version)
    record = signed_record.dosing_record(template, note.content, figures, note.session_date)
    changed = [column for column in record.COLUMNS
               if getattr(dosing, column) != getattr(record, column)]
    changed += [column for column in ("number", "setting", "medication", "route")
                if getattr(record, column) is not None
                and getattr(dosing, column) != getattr(record, column)]
    problems = []
    if changed:
        problems.append(f"dosing session #{dosing.id}: {', '.join(changed)} no longer match "
                        f"what signed note #{note.id} recorded")
    expected_vitals = Counter((v.minutes_from_dose, v.systolic, v.diastolic, v.heart_rate,
                               v.spo2, v.respiratory_rate, v.moaas) for v in record.vitals)
    actual_vitals = Counter((v.minutes_from_dose, v.systolic, v.diastolic, v.heart_rate,
                             v.spo2, v.respiratory_rate, v.moaas) for v in vitals)
    if expected_vitals != actual_vitals:
        problems.append(f"dosing session #{dosing.id}: the vitals no longer match what "
                        f"signed note #{note.id} recorded")
    expected_boosters = Counter((b.minutes_from_dose, b.dose_mg) for b in record.boosters)
    actual_boosters = Counter((b.minutes_from_dose, b.dose_mg) for b in boosters)
    if expected_boosters != actual_boosters:
        problems.append(f"dosing session #{dosing.id}: the boosters no longer match what "
                        f"signed note #{note.id} recorded")
    return problems


def anchor_problems(session: Session) -> list[str]:
    report = audit.check_anchor(session)
    return [] if report.ok else [f"audit log: {report.problem}"]


def tamper_problems(session: Session, *, figures: bool = True) -> list[str]:
    """Everything above: the locks, the anchor, the signed record. Reading a damaged page
    is reported as a problem rather than raised."""
    try:
        return [*trigger_problems(session), *anchor_problems(session),
                *signed_record_problems(session, figures=figures)]
    except SQLAlchemyDatabaseError as exc:
        if not is_damage(exc):
            raise
        return ["part of the vault could not be read to check the signed record: damaged"]


def page_problems(vault: Vault) -> list[str]:
    """SQLCipher's HMAC of every page of the main file.

    Pages still waiting in the -wal are newer than the main file; the check is made after
    they are merged (a checkpoint), and skipped when another connection keeps them from
    being merged, since a page half-written by a crash and not yet rewritten from the -wal
    would otherwise be reported as damage.
    """
    if not vault.encrypted:
        return []
    try:
        with vault.engine.connect() as conn:
            if not vault.read_only:
                row = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").first()
                if row is not None and row[1] > 0 and row[1] != row[2]:
                    return []
            elif files.unmerged_wal(vault.path.resolve()):
                return []
            rows = conn.exec_driver_sql("PRAGMA cipher_integrity_check").fetchall()
    except SQLAlchemyDatabaseError as exc:
        if not is_damage(exc):
            raise
        return ["the vault's pages could not be read: the file is damaged"]
    return [f"page check: {row[0]}" for row in rows[:20]]


def opening_problems(vault: Vault) -> tuple[str, ...]:
    """The checks made every time the vault opens: every page's HMAC, the locks, the audit
    anchor, and every signed note's and addendum's hash and signing (not the figures,
    which `verify` derives again: that takes a second on a large practice)."""
    problems = page_problems(vault)
    with vault.snapshot() as session:
        problems.extend(tamper_problems(session, figures=False))
    return tuple(problems)
