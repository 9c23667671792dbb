"""Gather what a report needs in one unit of work, and record that one left the office."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from models import audit
from models.clinical.measures import build_measures_view
from models.clinical.period import chart_until, report_period
from models.dto import ClientChart, NoteDTO
from models.entities import Client, Note
from models.errors import NotFoundError, ValidationError
from models.inputs import AUDIT_TRAIL_MOST, ReportOptions, validate_report_options
from models.report_data import ReportData
from models.services import audit_trail, chart, clinicians, measures, parts
from models.templates.definitions import Template
from models.templates.loading import load_templates
from models.vocabulary import PRACTICE_DISCLOSURES, REPORT_KINDS


def gather_report(session: Session, client_id: int, options: ReportOptions, *,
                  today: dt.date) -> ReportData:
    """The client's whole record, the measures as they stood at the period's end, and the
    template of every note, for one report."""
    problems = validate_report_options(options, today=today)
    if problems:
        raise ValidationError(problems)
    record = chart.load_client_chart(session, client_id)
    if options.kind == "note":
        note = _signed_note(record, options.note_id)
        start = end = note.session_date
    else:
        start, end = report_period(record, today, options.start, options.end)
    registry = load_templates()
    templates: dict[tuple[str, int], Template] = {}
    for note in record.notes:
        key = (note.template_id, note.template_version)
        if key not in templates and (found := registry.find(*key)) is not None:
            # A missing template: the report says so and shows the note's values as stored.
            templates[key] = found
    view = build_measures_view(chart_until(record, end), measures.available_instruments(session))
    # A period that ends today shows the registry's map as it is; an earlier end, the map
    # kept on or before it (models.clinical.parts_map.map_on_day).
    snapshot = (parts.snapshot_on(session, client_id, end)
                if options.kind == "progress" and "ifs" in options.sections and end < today
                else None)
    trail = (audit_trail.trail(session, client_id=client_id, start=start, end=end,
                               limit=AUDIT_TRAIL_MOST, oldest_first=True,
                               with_practice=PRACTICE_DISCLOSURES)
             if options.kind == "audit" else None)
    return ReportData(options=options, start=start, end=end, made_on=today,
                      clinician=clinicians.primary_clinician(session), chart=record,
                      measures=view, templates=templates, parts_snapshot=snapshot,
                      audit=trail)


def _signed_note(record: ClientChart, note_id: int | None) -> NoteDTO:
    """The note a copy is made of: the client's, and signed."""
    note = next((n for n in record.notes if n.id == note_id), None)
    if note is None:
        raise NotFoundError("That note is not in this client's record; choose one of theirs.")
    if not note.signed:
        raise ValidationError({"note_id": "Only a signed note can be copied: sign the draft "
                                          "first, or choose a signed note."})
    return note


# What a person can do with a finished report; each is an audit action "report.<code>".
REPORT_ACTIONS = ("saved", "printed")
# Why none can be done in a vault open read-only (after the vault's name and the reason).
REPORT_NOT_RECORDABLE = (
    "A report that is saved or printed is recorded in the vault's audit trail, which cannot "
    "be written now, so no report can be saved or printed from it. Make the vault writable, "
    "or open a copy of it in a folder you may write to, and save or print the report there.")


def record_report(session: Session, client_id: int, options: ReportOptions, action: str, *,
                  protected: bool, actor_id: int | None) -> None:
    """Log that a report left the vault: which client, what kind, which sections, the period
    and whether it has a password. Never the file's name, which the person chose."""
    if action not in REPORT_ACTIONS:
        raise ValueError(f"unknown report action {action!r}")
    if options.kind not in REPORT_KINDS:
        raise ValidationError({"kind": "Unknown report kind."})
    if session.get(Client, client_id) is None:
        raise NotFoundError(f"Client #{client_id} does not exist in this vault.")
    sections = ",".join(options.sections) if options.kind == "progress" else ""
    start, end = options.start, options.end
    if options.kind == "note":  # the note's own day, whatever the tab's period shows
        note = session.get(Note, options.note_id) if options.note_id is not None else None
        if note is None or note.client_id != client_id:
            raise NotFoundError("That note is not in this client's record.")
        start = end = note.session_date
    period = (f"{start.isoformat() if start else ''}.."
              f"{end.isoformat() if end else ''}")
    copied = f"note={options.note_id};" if options.kind == "note" else ""
    detail = (f"kind={options.kind};{copied}sections={sections};detail={options.detail};"
              f"period={period};drafts={int(options.include_drafts)};"
              f"private={int(options.include_private)};protected={int(protected)}")
    audit.record(session, f"report.{action}", entity="client", entity_id=client_id,
                 client_id=client_id, actor_id=actor_id, detail=detail)
