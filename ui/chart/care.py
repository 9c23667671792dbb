"""Pure helpers that turn a ClientChart into what the overview and sessions tab show.

No widgets here: these are plain functions over DTOs, tested without painting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from models.clinical.doses import (
    course_integration_due,
    course_span_text,
    dose_numbers_label,
    dosing_kind_text,
    dosing_notes,
    integration_held,
    integration_plan_text,
    plan_of,
)
from models.clinical.doses import dose_labels as dose_labels_of
from models.clinical.sessions import addenda_mark, dosing_story, note_story
from models.clinical.targets import as_signed
from models.clinical.waiting import integration_words
from models.dto import ClientChart, CourseDTO, DosingSessionDTO, NoteDTO
from models.formatting import date_text
from models.templates.definitions import Template
from models.templates.loading import load_templates
from models.vocabulary import ADDENDUM_KINDS, COURSE_KINDS, NOTE_STATUSES
from ui.common.style import MODALITY_ORDER, modality


def dose_labels(chart: ClientChart) -> dict[int, str]:
    """'D3' for each dosing session; 'C2 D3' when the client has more than one course."""
    return dose_labels_of(chart.courses)


def integration_notes(chart: ClientChart) -> list[NoteDTO]:
    """Every note that is not the record of a dosing session itself."""
    return [n for n in chart.notes if n.template_id != "dosing"]


@dataclass(frozen=True)
class DoseMark:
    id: int
    day: dt.date
    number: int  # within the course
    status: str  # "signed", "draft" or "" (no note written yet)

    @property
    def label(self) -> str:
        return dose_numbers_label([self.number])


@dataclass(frozen=True)
class NoteMark:
    id: int
    day: dt.date
    modality: str
    signed: bool
    follows: str  # the dose label, or ""
    days_after: int | None


@dataclass(frozen=True)
class CourseLine:
    """One course of care, laid out for the timeline."""

    title: str
    subtitle: str
    start: dt.date
    end: dt.date
    doses: tuple[DoseMark, ...]
    notes: tuple[NoteMark, ...]
    lanes: tuple[str, ...] = field(default=())
    goals: str = ""  # what the client hopes the course changes
    course_id: int | None = None  # None: the sessions outside any course
    waiting: str = ""  # the integration its latest dose still awaits, in words
    plan: str = ""  # its integration plan, in words (doses.integration_plan_text)
    today: dt.date | None = None  # marked on the axis where it falls within the course


def _course_for(note: NoteDTO, courses: tuple[CourseDTO, ...],
                dose_course: dict[int, int], today: dt.date) -> int | None:
    if note.course_id is not None:
        return note.course_id
    if note.dosing_session_id in dose_course:
        return dose_course[note.dosing_session_id]
    for course in courses:
        if course.start_date <= note.session_date <= (course.end_date or today):
            return course.id
    return None


def course_lines(chart: ClientChart, today: dt.date) -> list[CourseLine]:
    """The courses, the latest first (what goes on now leads; each keeps its number from
    the oldest), each with its doses, the notes that belong to it and the integration its
    latest dose still awaits; then the sessions outside any course."""
    labels = dose_labels(chart)
    by_dose_note = dosing_notes(chart.notes)
    doses: dict[int, DosingSessionDTO] = {d.id: d for d in chart.dosing_sessions}
    dose_course = {d.id: d.course_id for d in doses.values()}
    grouped: dict[int | None, list[NoteDTO]] = {}
    for note in integration_notes(chart):
        grouped.setdefault(_course_for(note, chart.courses, dose_course, today), []).append(note)

    def marks(notes: list[NoteDTO]) -> tuple[NoteMark, ...]:
        result = []
        for n in notes:
            dose = doses.get(n.dosing_session_id) if n.dosing_session_id else None
            result.append(NoteMark(
                n.id, n.session_date, modality(n.template_id).key, n.signed,
                labels[dose.id] if dose else "",
                (n.session_date - dose.session_date).days if dose else None))
        return tuple(result)

    def lanes(notes: tuple[NoteMark, ...]) -> tuple[str, ...]:
        present = {n.modality for n in notes}
        return tuple(k for k in MODALITY_ORDER if k in present)

    held = integration_held(chart.notes)
    in_care = chart.client.status != "discharged"
    lines: list[CourseLine] = []
    for number, course in enumerate(chart.courses, start=1):
        due = course_integration_due(course, held, today, in_care=in_care)
        notes = marks(grouped.get(course.id, []))
        dose_marks = tuple(
            DoseMark(d.id, d.session_date, d.number,
                     by_dose_note[d.id].status if d.id in by_dose_note else "")
            for d in course.dosing_sessions)
        days = [course.start_date, *(d.day for d in dose_marks), *(n.day for n in notes)]
        end = course.end_date or max(days)
        end = max(end, *days)
        kind = COURSE_KINDS.label(course.kind)
        span = course_span_text(course.start_date, course.end_date, today)
        counts = (f"{len(dose_marks)} dosing session{'s' if len(dose_marks) != 1 else ''}, "
                  f"{len(notes)} other session{'s' if len(notes) != 1 else ''}")
        lines.append(CourseLine(
            title=f"Course {number} · {kind}", subtitle=f"{span} · {counts}",
            start=course.start_date, end=end, doses=dose_marks, notes=notes,
            lanes=lanes(notes), goals=course.goals.strip(), course_id=course.id,
            waiting="" if due is None or due.dose.session_date is None else
            f"{integration_words(f'D{due.dose.number}', due.held, due.planned)} · the dose "
            f"of {date_text(due.dose.session_date)}",
            plan=integration_plan_text(plan_of(course)), today=today))
    lines.reverse()
    loose = marks(grouped.get(None, []))
    if loose:
        days = [n.day for n in loose]
        lines.append(CourseLine(
            title="Sessions outside a course",
            subtitle=f"{len(loose)} session{'s' if len(loose) != 1 else ''} not linked to a "
            "course of care", start=min(days), end=max(days), doses=(), notes=loose,
            lanes=lanes(loose)))
    return lines


@dataclass(frozen=True)
class Figures:
    """The counts the overview shows at a glance."""

    dosing_sessions: int
    other_sessions: int
    signed_notes: int
    unsigned_notes: int
    open_targets: int
    last_dose: dt.date | None


def figures(chart: ClientChart) -> Figures:
    doses = chart.dosing_sessions
    return Figures(
        dosing_sessions=len(doses),
        other_sessions=len(integration_notes(chart)),
        signed_notes=chart.signed_notes,
        unsigned_notes=chart.unsigned_notes,
        open_targets=chart.open_targets,
        last_dose=max((d.session_date for d in doses), default=None),
    )


@dataclass(frozen=True)
class SessionRow:
    """One row of the sessions table: a dosing session or a note."""

    day: dt.date
    kind: str  # the modality key, "dosing" for a dosing session
    kind_label: str  # "EMDR", or "Dosing D3"
    story: str  # what was worked (models.clinical.sessions)
    status: str  # "Signed", "Draft", "No note yet"
    follows: str
    days_since: int | None
    order: int  # ties on one day: dosing first, then notes by id
    note_id: int | None = None  # the note to open: a dosing session's own dosing note
    addenda: str = ""  # "+1 correction": what was added to the signed note
    addenda_detail: str = ""  # each addition's kind and reason, for a tooltip
    signed: bool = False
    dosing_session_id: int | None = None  # a dosing session's row: its dose

    @property
    def note_to_write(self) -> bool:
        """A dose on record without its dosing note: Enter writes it."""
        return self.note_id is None and self.dosing_session_id is not None


NO_NOTE_YET = "No note yet"


def _template(note: NoteDTO | None) -> Template | None:
    return None if note is None else load_templates().find(note.template_id,
                                                             note.template_version)


def _addenda_detail(note: NoteDTO | None) -> str:
    if note is None or not note.addenda:
        return ""
    count = len(note.addenda)
    lines = [f"{count} {'addition' if count == 1 else 'additions'} after signing:"]
    lines += [f"{ADDENDUM_KINDS.label(a.kind)} ({date_text(a.created_at.date())}): {a.reason}"
              for a in note.addenda]
    return "\n".join(lines)


def session_rows(chart: ClientChart) -> list[SessionRow]:
    labels = dose_labels(chart)
    by_dose_note = dosing_notes(chart.notes)
    doses = {d.id: d for d in chart.dosing_sessions}
    targets = {t.id: t for t in chart.targets}
    parts = {p.id: p for p in chart.parts}
    rows = []
    for d in doses.values():
        note = by_dose_note.get(d.id)
        rows.append(SessionRow(
            d.session_date, "dosing", dosing_kind_text(labels[d.id]),
            dosing_story(d, note, _template(note)),
            NOTE_STATUSES.label(note.status) if note is not None else NO_NOTE_YET,
            "", None, 0, note.id if note is not None else None,
            addenda_mark(note), _addenda_detail(note), note is not None and note.signed, d.id))
    for note in integration_notes(chart):
        look = modality(note.template_id)
        dose = doses.get(note.dosing_session_id) if note.dosing_session_id else None
        rows.append(SessionRow(
            note.session_date, look.key, look.short,
            note_story(note, _template(note), as_signed(targets, note), parts),
            NOTE_STATUSES.label(note.status),
            labels.get(dose.id, "") if dose else "",
            (note.session_date - dose.session_date).days if dose else None,
            note.id, note.id, addenda_mark(note), _addenda_detail(note), note.signed))
    rows.sort(key=lambda r: (r.day, r.order))
    return rows
