"""The summary of care: courses with their goals, sessions by modality, the dosing
sessions of the period."""

from __future__ import annotations

from reportlab.platypus import Flowable

from models.clinical.doses import (
    course_span_text,
    cumulative_text,
    integration_count_text,
    integration_plan_text,
    plan_of,
)
from models.clinical.period import dissociation_text
from models.formatting import EMPTY, date_text
from models.report_data import ReportData
from models.vocabulary import (
    COURSE_KINDS,
    FOLLOWS_A_DOSE,
    MODALITIES,
    REPORT_SECTIONS,
    ROUTES,
)
from reports.pdf.fonts import markup
from reports.pdf.layout import data_table, heading, lead_in, noted, rich, text


def courses_flowables(data: ReportData) -> list[Flowable]:
    """Each course of care that overlaps the period, with its goals."""
    courses = [c for c in data.chart.courses if c.start_date <= data.end
               and (c.end_date is None or c.end_date >= data.start)]
    if not courses:
        return [text("No course of care overlaps the period.", "muted")]
    out: list[Flowable] = []
    for course in courses:
        span = course_span_text(course.start_date, course.end_date, data.made_on)
        out.append(rich(f"<b>{markup(COURSE_KINDS.label(course.kind))}</b>&nbsp;&nbsp;·&nbsp;&nbsp;"
                        f"{markup(span)}", "body"))
        goals = course.goals.strip()
        out.append(lead_in("Goals", goals) if goals else
                   rich("<b>Goals:</b> none recorded", "body"))
        out.append(text(integration_plan_text(plan_of(course)), "small"))
    return out


def counts_flowables(data: ReportData) -> list[Flowable]:
    counts = data.session_counts
    if not counts:
        return [text("No session in the period.", "muted")]
    rows: list[list[str | Flowable]] = [[MODALITIES.label(c.modality), str(c.count)]
                                        for c in counts]
    rows.append([text("All sessions", "cell_bold"),
                 text(str(sum(c.count for c in counts)), "cell_bold")])
    notes = [text("Dosing sessions are counted from the dosing record; every other kind "
                  "from its signed notes.", "small")]
    unsigned = data.unsigned_notes
    if unsigned:
        plural = "notes are drafts" if unsigned != 1 else "note is a draft"
        notes.append(text(f"{unsigned} {plural} of the period, not signed and not counted.",
                          "small"))
    return [noted(data_table(["Kind of session", "Sessions"], rows, [0.34, 0.12]), *notes)]


def dosing_flowables(data: ReportData) -> list[Flowable]:
    """Each dosing session of the period: the dose in all, with its boosters, in the words
    of a note's header line (models.clinical.doses.cumulative_text)."""
    if not data.doses:
        return [text("No dosing session in the period.", "muted")]
    rows = []
    for ref, dose in data.doses:
        given = ("not recorded" if dose.dose_mg is None else
                 cumulative_text(dose.dose_mg, [b.dose_mg for b in dose.boosters],
                                 dose.weight_kg))
        held, planned = data.integration.get(dose.id, (0, 0))
        rows.append([ref.label, date_text(dose.session_date),
                     ROUTES.short(dose.route) if dose.route else EMPTY, given,
                     dissociation_text(dose, ref, data.measures.dissociation) or "not recorded",
                     integration_count_text(held, planned)])
    return [noted(data_table(["Dose", "Date", "Route", "Dose given (mg/kg)", "Dissociation",
                              "Integration after"], rows,
                             [0.08, 0.13, 0.11, 0.3, 0.22, 0.16], first_bold=True),
                  text("Integration after: the signed integration sessions ("
                       + ", ".join(t.brief for t in MODALITIES if t.code in FOLLOWS_A_DOSE)
                       + ") that follow the dose, by the period's end, and the number its "
                       "course plans.", "small"))]


def summary_section(data: ReportData) -> list[Flowable]:
    return [
        *heading(REPORT_SECTIONS.label("summary")),
        *heading("Courses of care", 1), *courses_flowables(data),
        *heading("Sessions in the period", 1), *counts_flowables(data),
        *heading("Dosing sessions", 1), *dosing_flowables(data),
    ]
