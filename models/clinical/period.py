"""A report's period and what falls in it: the default dates, the sessions by modality,
the doses, and every safety flag, as pure functions over the client's record."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from models.clinical.doses import DoseRef, dose_refs
from models.clinical.measures import MeasuresView, flags_text
from models.clinical.safety import NO_IDEATION, RISK_CHECK_FIELDS, SafetyFollowUp
from models.dto import ClientChart, DosingSessionDTO, NoteDTO
from models.instruments.series import DoseDissociation
from models.templates.definitions import Template, UnknownTemplateError
from models.vocabulary import MODALITIES


def report_period(chart: ClientChart, today: dt.date, start: dt.date | None = None,
                  end: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The period a report covers: the dates asked for, else from the start of the latest
    course of care (or the first thing on record) to today."""
    end = end or today
    if start is None:
        courses = sorted(c.start_date for c in chart.courses if c.start_date <= end)
        firsts = [*(n.session_date for n in chart.notes),
                  *(a.administered_on for a in chart.administrations)]
        start = courses[-1] if courses else min(firsts, default=end)
    return min(start, end), end


def within(day: dt.date, start: dt.date, end: dt.date) -> bool:
    return start <= day <= end


def chart_until(chart: ClientChart, end: dt.date) -> ClientChart:
    """The record as it stood at the end of a period, for the measures: no administration
    or dose after `end` (later doses keep their numbers: they count within the course)."""
    courses = tuple(
        dataclasses.replace(c, dosing_sessions=tuple(d for d in c.dosing_sessions
                                                     if d.session_date <= end))
        for c in chart.courses if c.start_date <= end)
    return dataclasses.replace(
        chart, courses=courses,
        administrations=tuple(a for a in chart.administrations if a.administered_on <= end))


def doses_in_period(chart: ClientChart, start: dt.date,
                    end: dt.date) -> list[tuple[DoseRef, DosingSessionDTO]]:
    """The dosing sessions of the period with their place in care, in date order."""
    refs = dose_refs(chart.courses)
    found = [(refs[d.id], d) for d in chart.dosing_sessions if within(d.session_date, start, end)]
    return sorted(found, key=lambda pair: pair[0].ordinal)


def notes_in_period(chart: ClientChart, start: dt.date, end: dt.date, *,
                    include_drafts: bool = False) -> list[NoteDTO]:
    """The notes of the period in date order: the signed ones, and drafts when asked."""
    return sorted((n for n in chart.notes if within(n.session_date, start, end)
                   and (n.signed or include_drafts)), key=lambda n: (n.session_date, n.id))


@dataclass(frozen=True)
class SessionCount:
    modality: str  # a MODALITIES code
    count: int


def session_counts(chart: ClientChart, start: dt.date, end: dt.date) -> list[SessionCount]:
    """Sessions of the period by modality, in the order care unfolds: dosing sessions from
    the dosing record, every other kind from its signed notes. Kinds with none are left
    out."""
    counts = {code: 0 for code in MODALITIES.codes}
    counts["dosing"] = sum(1 for d in chart.dosing_sessions if within(d.session_date, start, end))
    for note in notes_in_period(chart, start, end):
        if note.template_id != "dosing":
            counts[note.template_id] = counts.get(note.template_id, 0) + 1
    ordered = sorted(counts, key=MODALITIES.rank)
    return [SessionCount(code, counts[code]) for code in ordered if counts[code]]


def unsigned_in_period(chart: ClientChart, start: dt.date, end: dt.date) -> int:
    return sum(1 for n in chart.notes if within(n.session_date, start, end) and not n.signed)


@dataclass(frozen=True)
class SafetyFlag:
    """One safety flag of the period, said in words."""

    when: dt.date
    source: str  # "PHQ-9", "Risk check (EMDR note)"
    text: str
    # What answered it: a measure's safety item, the follow-up's status ("addressed in the
    # note of 5 Oct 2026"); a risk check's ideation is its own note's answer ("").
    follow_up: str = ""


def measure_safety_flags(view: MeasuresView, start: dt.date, end: dt.date,
                         followups: Sequence[SafetyFollowUp] = ()) -> list[SafetyFlag]:
    """Every positive safety item of the period's administrations (entered-in-error ones
    excepted), with its wording, whether or not the total is complete, and the status of
    its follow-up among `followups`."""
    status = {f.administration_id: f.status for f in followups}
    flags = []
    for series in view.series:
        for scored in series.charted:
            when = scored.administration.administered_on
            if within(when, start, end) and scored.score.has_safety_flag:
                safety_only = "; ".join(part for part in flags_text(scored.score).split("; ")
                                        if part.startswith("⚠"))
                flags.append(SafetyFlag(when, series.instrument.short_name, safety_only,
                                        status.get(scored.administration.id, "")))
    return sorted(flags, key=lambda f: (f.when, f.source))


@dataclass(frozen=True)
class LeftOut:
    """An administration of the period marked entered in error: in the record, in no figure."""

    when: dt.date
    instrument: str  # the short name: "PHQ-9"
    reason: str


def entered_in_error(view: MeasuresView, start: dt.date, end: dt.date) -> list[LeftOut]:
    """The period's administrations marked entered in error, in date order: the figures and
    charts leave them out, and a report says so."""
    left = [LeftOut(a.administration.administered_on, series.instrument.short_name,
                    a.administration.entered_in_error_reason or "")
            for series in view.series for a in series.administrations
            if a.administration.entered_in_error
            and within(a.administration.administered_on, start, end)]
    return sorted(left, key=lambda x: (x.when, x.instrument))


def risk_flags(notes: Sequence[NoteDTO],
               template_of: Mapping[tuple[str, int], Template]) -> list[SafetyFlag]:
    """Ideation recorded in a note's risk check: every answer other than "denied"."""
    flags = []
    for note in notes:
        template = template_of.get((note.template_id, note.template_version))
        for field_id in RISK_CHECK_FIELDS:
            value = note.content.get(field_id)
            if not isinstance(value, str) or value == NO_IDEATION or template is None:
                continue
            try:
                field = template.field(field_id)
            except (KeyError, UnknownTemplateError):
                continue
            status = "" if note.signed else " (draft)"
            flags.append(SafetyFlag(
                note.session_date, f"Risk check, {MODALITIES.label(note.template_id)} note"
                f"{status}", f"{field.label}: {field.option_label(value)}"))
    return flags


def dissociation_text(dosing: DosingSessionDTO, ref: DoseRef,
                      entries: Iterable[DoseDissociation], *, between: str = " · ") -> str:
    """The dissociation of one dose: 'CADSS 23 · CADSS-6 8', from the dosing record, else
    from a CADSS entered in Measures for that dose (`entries`: the client's, as
    models.clinical.measures.dose_dissociations finds them); '' when neither has it.
    `between` joins the two ("\n" in a narrow column: a figure is never parted from its
    name)."""
    total, six = dosing.cadss_total, dosing.cadss6_total
    for entry in entries:
        if entry.dose_number != ref.ordinal:
            continue
        total = total if total is not None else entry.cadss_total
        six = six if six is not None else entry.cadss6_total
    parts = []
    if total is not None:
        parts.append(f"CADSS {total}")
    if six is not None:
        parts.append(f"CADSS-6 {six}")
    return between.join(parts)
