"""One function from a report's data to the bytes of its PDF: the Reports tab and the
`workstation report` command both call `render_report`."""

from __future__ import annotations

import importlib

from models.report_data import ReportData
from models.vocabulary import REPORT_KINDS
from reports.pdf.front import masthead
from reports.pdf.page import build_pdf
from reports.prescriber import prescriber_story
from reports.progress import Progress, _no_progress, progress_story


def load_drawing(data: ReportData) -> None:
    """Import what this report's charts and parts map need (matplotlib; a prescriber's
    summary has none), which the sections otherwise load when they first draw: a command
    loads it with the rest of its modules, before rendering starts."""
    if data.options.kind == "prescriber":
        return
    for module in ("reports.charts", "reports.targets", "reports.parts_map",
                   "reports.pdf.vector"):
        importlib.import_module(module)


def render_report(data: ReportData, *, password: str | None = None,
                  progress: Progress = _no_progress) -> bytes:
    """The report the options ask for, as PDF bytes (never a file); encrypted with
    AES-256 when a password is given."""
    kind = data.options.kind
    if kind == "prescriber":
        progress(10, "Writing the summary…")
        story = prescriber_story(data)
    else:
        story = progress_story(data, progress, 5, 70)
    progress(75, "Laying out the pages…")
    # The file's own title names the record number, never the client.
    title = f"{REPORT_KINDS.label(kind)} {data.client.record_number}"
    author = data.clinician.display if data.clinician else ""
    pdf = build_pdf(story, masthead(data), title=title, author=author)
    if password:
        progress(95, "Protecting it with the password…")
        from reports.pdf.protect import protect  # pikepdf (qpdf) loads only when needed

        pdf = protect(pdf, password)
    progress(100, "Done")
    return pdf
