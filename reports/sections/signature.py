"""The signature block that closes every report: the clinician, credentials, the date."""

from __future__ import annotations

from reportlab.platypus import CondPageBreak, Flowable, Table

from models.formatting import date_text
from models.report_data import ReportData
from reports.pdf.layout import gap, heading_paragraph, keep, pairs_table, text
from reports.pdf.page import FRAME_WIDTH
from reports.pdf.styles import INK_C, pairs

STATEMENT = ("Scores, bands and change labels are derived from the stored answers; notes are "
             "shown as signed, with their addenda.")


def signature_block(data: ReportData, statement: str = "") -> list[Flowable]:
    """Who made the report and when, with what it was made from (`statement`: a report's
    own words for that; the progress report's and the summary's by default)."""
    clinician = data.clinician
    items: list[tuple[str, str | Flowable]] = [
        ("Clinician", clinician.name if clinician else "No clinician is recorded in this vault"),
    ]
    if clinician and clinician.credentials:
        items.append(("Credentials", clinician.credentials))
    if clinician and clinician.licence:
        items.append(("Licence", clinician.licence))
    if data.options.practice.strip():  # the page header may have room for only part of it
        items.append(("Practice", data.options.practice.strip()))
    items.append(("Date", date_text(data.made_on)))
    line = Table([[text("Signature", "label"), ""]],
                 colWidths=[0.16 * FRAME_WIDTH, 0.5 * FRAME_WIDTH], rowHeights=[30],
                 hAlign="LEFT")
    style = pairs()
    style.add("LINEBELOW", (1, 0), (1, 0), 0.8, INK_C)
    style.add("VALIGN", (0, 0), (-1, -1), "BOTTOM")
    line.setStyle(style)
    return [CondPageBreak(60), keep([
        heading_paragraph("Signature"),
        text(statement or f"Made on {date_text(data.made_on)} from the record as it stands "
             f"in the practice's vault. {STATEMENT}", "muted"),
        gap(4),
        pairs_table(items, columns=1, label_share=0.16),
        line,
    ])]
