"""Session notes: each note of the period laid out from its template's definition (its
sections, fields and groups, in order), with its addenda; or one line per session.

Nothing here names a template or a field: a new template, or a new version of one, prints
without a change to this file.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from reportlab.platypus import CondPageBreak, Flowable

from models.clinical.doses import (
    days_after_text,
    dose_labels,
    dosing_kind_text,
    dosing_note_line,
    follows_a_dose,
    follows_text,
)
from models.clinical.safety import signed_past
from models.clinical.sessions import STORY_HEADING, note_story
from models.clinical.signing import seal_text
from models.clinical.targets import as_signed
from models.dto import AddendumDTO, NoteDTO, PartDTO, TargetDTO
from models.formatting import date_text, date_time_text, long_date, number_text
from models.report_data import ReportData
from models.templates.checks import answered_heading
from models.templates.definitions import FieldDef, FieldKind, Template
from models.templates.display import display_value, measure_text
from models.templates.validation import strip_private
from models.values import is_blank
from models.vocabulary import ADDENDUM_KINDS, MODALITIES, REPORT_SECTIONS
from reports.pdf.fonts import markup
from reports.pdf.layout import (
    Cell,
    data_table,
    fitted_widths,
    heading,
    heading_paragraph,
    keep,
    labelled_text,
    lead_in,
    pairs_table,
    rich,
    rule,
    text,
)
from reports.pdf.styles import WARNING_BG_C

_WIDE = (FieldKind.TEXT, FieldKind.LONG_TEXT)


class NoteNames:
    """Ids in a note as a reader knows them: targets, parts, doses and the clinician."""

    def __init__(self, data: ReportData) -> None:
        self.targets: Mapping[int, TargetDTO] = {t.id: t for t in data.chart.targets}
        self.parts: Mapping[int, PartDTO] = {p.id: p for p in data.chart.parts}
        # Numbered once for the report: numbering the doses again for each of 300 notes
        # cost a quarter of a second.
        self.doses = {d.id: d for d in data.chart.dosing_sessions}
        self.dose_labels = dose_labels(data.chart.courses)
        self.clinician = data.clinician

    def for_note(self, note: NoteDTO) -> NoteNames:
        """These names as `note` gives them: a signed note's targets by their labels when
        it was signed (models.clinical.targets.as_signed)."""
        targets = as_signed(self.targets, note)
        if targets is self.targets:
            return self
        named = copy.copy(self)
        named.targets = targets
        return named

    def person(self, clinician_id: int | None) -> str:
        if clinician_id is None:
            return "an unknown clinician"
        if self.clinician is not None and self.clinician.id == clinician_id:
            return self.clinician.display
        return f"clinician #{clinician_id}"


def value_text(f: FieldDef, value: Any, names: NoteNames, *, brief: bool = False) -> str:
    """A stored answer as the form shows it, with its unit or its scale's range; `brief`:
    as a summary line gives it, without a scale's range or a measure's answers by item."""
    if f.kind is FieldKind.MEASURE:
        return measure_text(value, answers=not brief)
    shown = display_value(f, value, names.targets, names.parts)
    if not shown:
        return ""
    if (f.kind is FieldKind.SCALE and f.minimum is not None and f.maximum is not None
            and not brief):
        return f"{shown}  ({number_text(f.minimum)}–{number_text(f.maximum)})"
    if f.unit and f.kind in (FieldKind.INTEGER, FieldKind.NUMBER):
        return f"{shown} {f.unit}"
    return shown


def _column_label(column: FieldDef) -> str:
    return f"{column.label} ({column.unit})" if column.unit else column.label


def _group(f: FieldDef, rows: Sequence[Any], names: NoteNames, caption: str) -> list[Flowable]:
    body = []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        body.append([display_value(c, row.get(c.id), names.targets, names.parts)
                     for c in f.columns])
    if not body:
        return []
    header = [_column_label(c) for c in f.columns]
    widths = fitted_widths(header, body, [3.0 if c.kind in _WIDE else 1.0 for c in f.columns])
    return [data_table(header, body, widths, caption=caption)]


def _section(title: str, section_fields: Sequence[FieldDef], content: Mapping[str, Any],
             names: NoteNames) -> list[Flowable]:
    """A template section's answered fields in order: short answers two to a row, long
    text across the page, groups as tables. A field labelled as its section is not
    labelled twice."""
    out: list[Flowable] = []
    short: list[tuple[str, Cell]] = []

    def flush() -> None:
        if short:
            out.append(pairs_table(list(short)))
            short.clear()

    for f in section_fields:
        value = content.get(f.id)
        if is_blank(value):
            continue
        label = "" if f.label.casefold() == title.casefold() else f.label
        if f.kind is FieldKind.GROUP:
            flush()
            out += _group(f, value if isinstance(value, list) else [], names, label)
        elif f.kind is FieldKind.LONG_TEXT:
            flush()
            out.append(labelled_text(label, value_text(f, value, names)))
        else:
            short.append((f.label, value_text(f, value, names)))
    flush()
    return out


def _addenda(note: NoteDTO, data: ReportData, names: NoteNames) -> list[list[Flowable]]:
    """Each addendum as a group to keep on one page: its kind and status, reason, text."""
    shown = [a for a in note.addenda if a.status == "signed" or data.options.include_drafts]
    return [[
        rich(f"<b>{markup(ADDENDUM_KINDS.label(addendum.kind))}</b>&nbsp;&nbsp;·&nbsp;&nbsp;"
             f"{markup(_addendum_status(addendum, names))}", "body"),
        lead_in("Reason", addendum.reason),
        text(addendum.text, "body"),
    ] for addendum in shown]


def _signed_past(note: NoteDTO, template: Template) -> list[Flowable]:
    """The warnings the note was signed past, each with the reason signed with it, as the
    note window shows them after its last section."""
    reasons = signed_past(template, note.content)
    if not reasons:
        return []
    rows = [[f"⚠ {caution.message}", reason] for caution, reason in reasons]
    return [data_table(["Warning", "Reason given"], rows, [0.5, 0.5],
                       caption=answered_heading(len(reasons), signed=note.signed),
                       extra=[("BACKGROUND", (0, 2), (-1, -1), WARNING_BG_C)])]


def _addendum_status(addendum: AddendumDTO, names: NoteNames) -> str:
    if addendum.status == "signed" and addendum.signed_at is not None:
        seal = seal_text(addendum.content_hash)
        return (f"signed {date_time_text(addendum.signed_at)} by "
                f"{names.person(addendum.author_id)}{', ' + seal if seal else ''}")
    return "DRAFT, not signed"


def _title(note: NoteDTO, template: Template | None) -> str:
    kind = template.title if template is not None else f"{MODALITIES.label(note.template_id)} note"
    return f"{long_date(note.session_date)}  ·  {kind}"


def _facts(note: NoteDTO, data: ReportData, names: NoteNames) -> list[Flowable]:
    lines = []
    dose = names.doses.get(note.dosing_session_id or 0)
    if dose is not None and follows_a_dose(note.template_id):
        label = names.dose_labels.get(dose.id, "")
        lines.append(follows_text(label, dose, note.session_date))
    elif dose is not None and (own := dosing_note_line(note.content)):
        # A dosing note's own dose in all, as the note window's header gives it, named as
        # the dosing table and the integration notes that follow it name it.
        label = names.dose_labels.get(dose.id, "")
        lines.append(f"{label}  ·  {own}" if label else own)
    if note.signed and note.signed_at is not None:
        signed = (f"Signed {date_time_text(note.signed_at)} by "
                  f"{names.person(note.signed_by_id)}; template {note.template_id} "
                  f"version {note.template_version}")
        seal = seal_text(note.content_hash)  # on a line of its own: it never breaks
        lines.append(f"{signed}\n{seal}" if seal else signed)
    out: list[Flowable] = [text(line, "muted") for line in lines]
    if not note.signed:
        out.append(text("DRAFT: not signed, and may still change. Shown because the report "
                        "was asked to include drafts.", "draft"))
    return out


def note_flowables(note: NoteDTO, data: ReportData, names: NoteNames) -> list[Flowable]:
    """One note in full: its heading, then each section of its template that holds an
    answer, then its addenda."""
    names = names.for_note(note)
    template = data.template(note)
    head: list[Flowable] = [heading_paragraph(_title(note, template), 1),
                             *_facts(note, data, names)]
    body: list[list[Flowable]] = []
    if template is None:
        body.append([text(f"This installation does not have the template this note was "
                          f"written in ({note.template_id} version {note.template_version}); "
                          "its answers are shown as stored.", "muted"),
                     pairs_table([(key, str(value)) for key, value in note.content.items()
                                  if not is_blank(value)])])
    else:
        include_private = data.options.include_private
        content = note.content if include_private else strip_private(template, note.content)
        for section in template.sections:
            fields = [f for f in section.fields if include_private or not f.private]
            flowables = _section(section.title, fields, content, names)
            if flowables:
                # A section's title stays with its first answers.
                body.append([text(section.title, "h3"), *flowables[:1]])
                body += [[f] for f in flowables[1:]]
    if template is not None:
        body += [[f] for f in _signed_past(note, template)]
    addenda = _addenda(note, data, names)
    if addenda:
        body.append([text("Addenda", "h3"), *addenda[0]])
        body += addenda[1:]
    # The heading stays with the first part of the note. (reportlab breaks the page before
    # a group kept together nested in another, so each group is kept together on its own.)
    groups = [[*head, *(body[0] if body else [])], *body[1:]]
    return [CondPageBreak(90), *(keep(g) if len(g) > 1 else g[0] for g in groups),
            rule()]


_IN_DOSE_LINE = frozenset({"dosing.dose_mg", "dosing.mg_per_kg", "dosing.dose_time"})


def _ratings(note: NoteDTO, template: Template | None, names: NoteNames) -> str:
    """The figures a note files (its fields with an extract tag), label and value, or its
    story when it files none; then the warnings it was signed past, each with its
    reason."""
    if template is None:
        return ""
    names = names.for_note(note)
    # A dosing note's dose is given in all, its boosters named, as its header line gives
    # it: the fields of the first dose alone would understate what was given.
    dose_line = (dosing_note_line(note.content)
                 if template.field_for_tag("dosing.dose_mg") is not None else "")
    in_line = _IN_DOSE_LINE if dose_line else frozenset()
    parts = [dose_line] if dose_line else []
    for f in template.fields:
        if f.extract is None or f.extract in in_line or f.kind is FieldKind.GROUP or f.private:
            continue
        value = note.content.get(f.id)
        if not is_blank(value):
            parts.append(f"{f.label}: {value_text(f, value, names, brief=True)}")
    # A note that files no figure (a general note) says what it worked on, as the Sessions
    # tab's story does: the start of its first long text, never a private one.
    figures = "; ".join(parts) or note_story(note, template, names.targets, names.parts)
    reasons = signed_past(template, note.content)
    if not reasons:
        return figures
    answered = "\n".join([f"{answered_heading(len(reasons), signed=note.signed)}:",
                          *(f"⚠ {caution.message} Reason: {reason}"
                            for caution, reason in reasons)])
    return f"{figures}\n{answered}" if figures else answered


def summaries_table(data: ReportData, names: NoteNames) -> list[Flowable]:
    rows = []
    for note in data.notes:
        template = data.template(note)
        dose = names.doses.get(note.dosing_session_id or 0)
        kind, follows = MODALITIES.label(note.template_id), ""
        if dose is not None and follows_a_dose(note.template_id):
            follows = (f"{names.dose_labels.get(dose.id, '')}\n"
                       f"{days_after_text(dose.session_date, note.session_date)}")
        elif dose is not None:  # a dosing note: its own dose, named as the summary names it
            kind = dosing_kind_text(names.dose_labels.get(dose.id, ""))
        status = "signed" if note.signed else "DRAFT"
        rows.append([date_text(note.session_date), kind, follows,
                     _ratings(note, template, names), status])
    return [data_table(["Date", "Session", "Follows", STORY_HEADING, "Note"], rows,
                       [0.13, 0.14, 0.14, 0.51, 0.08])]


def sessions_section(data: ReportData) -> list[Flowable]:
    names = NoteNames(data)
    options = data.options
    kept = "included at the therapist's request" if options.include_private else "left out"
    drafts = ("drafts are included and marked" if options.include_drafts
              else "drafts are left out")
    out: list[Flowable] = [
        *heading(REPORT_SECTIONS.label("sessions")),
        text(f"The notes of the period, laid out as their templates define them; {drafts}. "
             f"Private process notes are {kept}.", "muted"),
    ]
    if not data.notes:
        return [*out, text("No signed note in the period.", "muted")]
    if options.detail == "summaries":
        return [*out, *summaries_table(data, names)]
    for note in data.notes:
        out += note_flowables(note, data, names)
    return out
