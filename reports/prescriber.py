"""The prescriber's summary: one or two pages with the dosing sessions of the period
(route, dose in mg and mg/kg, boosters, vitals out of range, CADSS, adverse events) and
the warnings their notes were signed past with the reasons, the change in the measures,
every safety flag, and the therapist's comment."""

from __future__ import annotations

from reportlab.platypus import Flowable

from models.clinical.doses import dosing_notes
from models.clinical.period import dissociation_text
from models.clinical.safety import signed_past
from models.clinical.vitals import (
    boosters_text,
    vital_limits_text,
    vitals_out_of_range,
)
from models.formatting import EMPTY, date_text, mg_per_kg_text, number_text
from models.report_data import ReportData
from models.vocabulary import ROUTES
from reports.pdf.front import title_block
from reports.pdf.layout import data_table, heading, noted, text
from reports.pdf.styles import SAFETY_BG_C, WARNING_BG_C
from reports.sections.measures import measures_table, safety_flowables
from reports.sections.signature import signature_block


def _dose_cell(mg: float | None, weight: float | None, boosters: str,
               cumulative: float | None) -> str:
    if mg is None:
        return "not recorded"
    per_kg = mg_per_kg_text(mg, weight)
    lines = [f"{number_text(mg)} mg" + (f" ({per_kg})" if per_kg else "")]
    if boosters:
        lines.append(f"Boosters: {boosters}")
        total = f"{number_text(cumulative)} mg" if cumulative is not None else EMPTY
        per_kg = mg_per_kg_text(cumulative, weight)
        lines.append(f"Cumulative: {total}" + (f" ({per_kg})" if per_kg else ""))
    return "\n".join(lines)


def dosing_table(data: ReportData) -> list[Flowable]:
    if not data.doses:
        return [text("No dosing session in the period.", "muted")]
    rows = []
    flagged = []
    for index, (ref, dose) in enumerate(data.doses, start=1):
        vitals = vitals_out_of_range(dose)
        if vitals:
            flagged.append(index)
        rows.append([
            f"{ref.label}\n{date_text(dose.session_date)}",
            ROUTES.short(dose.route) if dose.route else EMPTY,
            _dose_cell(dose.dose_mg, dose.weight_kg, boosters_text(dose),
                       dose.cumulative_mg),
            "\n".join(vitals) if vitals else "none",
            dissociation_text(dose, ref, data.measures.dissociation, between="\n")
            or "not recorded",
            dose.adverse_events.strip() or "none recorded",
        ])
    extra = [("BACKGROUND", (3, row), (3, row), SAFETY_BG_C) for row in flagged]
    return [noted(
        data_table(["Dose", "Route", "Dose (mg, mg/kg)", "Vitals out of range", "Dissociation",
                    "Adverse events"], rows, [0.15, 0.12, 0.21, 0.19, 0.15, 0.18],
                   extra=extra, first_bold=True),
        text(f"Vitals out of range, by the dosing template's warnings: {vital_limits_text()}.",
             "small"))]


def signed_past_table(data: ReportData) -> list[Flowable]:
    """Each warning a dose's signed note was signed past (vitals out of range, a dose above
    the usual mg/kg, discharge sooner than the minimum, a first dose without the clearance),
    with the reason signed with it: what the prescriber weighs before the next dose."""
    notes = dosing_notes(n for n in data.chart.notes if n.signed)
    rows = []
    for ref, dose in data.doses:
        note = notes.get(dose.id)
        template = data.template(note) if note is not None else None
        if note is None or template is None:
            continue
        rows += [[f"{ref.label}\n{date_text(dose.session_date)}", f"⚠ {caution.message}",
                  reason] for caution, reason in signed_past(template, note.content)]
    if not rows:
        return []
    return [data_table(["Dose", "Warning", "Reason given"], rows, [0.15, 0.45, 0.40],
                       caption="Warnings the dosing notes were signed past",
                       extra=[("BACKGROUND", (1, 2), (1, -1), WARNING_BG_C)], first_bold=True)]


def prescriber_story(data: ReportData) -> list[Flowable]:
    story: list[Flowable] = title_block(data)
    story += [*heading("Dosing sessions"), *dosing_table(data), *signed_past_table(data)]
    story += [*heading("Measures"), *measures_table(data)]
    story += [*heading("Safety flags in the period", 1), *safety_flowables(data)]
    comment = data.options.comment.strip()
    if comment:
        story += [*heading("Therapist's comment"), text(comment, "body")]
    story += signature_block(data)
    return story
