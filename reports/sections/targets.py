"""EMDR and ART targets: each target's status and its first and latest SUD and VoC as they
stood at the end of the period (the figures the Targets tab shows), then its chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.platypus import CondPageBreak, Flowable

from models.clinical.targets import FIRST_LATEST_RULE, SCALES_TEXT, change_text, summarise_target
from models.dto import TargetDTO
from models.formatting import EMPTY, date_text
from models.report_data import ReportData
from models.vocabulary import REPORT_SECTIONS, TARGET_KINDS, TARGET_PRONGS, TARGET_STATUSES
from reports.pdf.layout import (
    data_table,
    grown_figure,
    heading,
    heading_paragraph,
    keep,
    noted,
    text,
)
from reports.pdf.page import FRAME_WIDTH

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHART_WIDTH_IN = FRAME_WIDTH / 72
CHART_HEIGHT_IN = 3.2  # one panel, its two title lines and a legend of two rows


def _kind(target: TargetDTO) -> str:
    words = [TARGET_KINDS.short(target.kind), TARGET_PRONGS.short(target.prong)]
    if target.touchstone:
        words.append("touchstone")
    return " · ".join(words)


def targets_table(data: ReportData) -> list[Flowable]:
    """One row per target: its kind, status then, SUD and VoC first → latest, sessions."""
    rows = []
    for target in data.targets:
        summary = summarise_target(target)
        rows.append([target.label, _kind(target), TARGET_STATUSES.label(target.status),
                     change_text(summary.baseline_sud, summary.latest_sud),
                     change_text(summary.baseline_voc, summary.latest_voc),
                     str(summary.sessions_worked), date_text(summary.last_worked) or EMPTY])
    return [noted(
        data_table(["Target", "Kind", "Status", "SUD first → latest", "VoC first → latest",
                    "Sessions", "Last worked"], rows,
                   [0.23, 0.15, 0.145, 0.11, 0.11, 0.105, 0.15], first_bold=True),
        text(f"{FIRST_LATEST_RULE}; both up to the end of the period. {SCALES_TEXT}. An ART "
             "scene is rated by SUD alone. Sessions: the signed notes that rated the target.",
             "small"))]


def target_charts(data: ReportData) -> list[Flowable]:
    """A chart for each target rated by the end of the period, on its own time axis, with
    the doses near it."""
    from reports.targets import build_target_chart

    out: list[Flowable] = []
    for target in data.targets:
        if not target.ratings:
            continue

        def build(height: float, target: TargetDTO = target) -> Figure:
            return build_target_chart(target, data.measures.dosing, width=CHART_WIDTH_IN,
                                      height=height)

        out.append(grown_figure(build, CHART_HEIGHT_IN, "chart of this target"))
    return out


def targets_section(data: ReportData) -> list[Flowable]:
    title = REPORT_SECTIONS.label("targets")
    if not data.targets:
        return [*heading(title), text("No EMDR or ART target had been identified by the "
                                      "end of the period.", "muted")]
    # The heading, the table and its key on one page (a long table may still split).
    out: list[Flowable] = [CondPageBreak(140), keep([
        heading_paragraph(title),
        text("Every target identified by the end of the period, with its status on that "
             "day.", "muted"), *targets_table(data)])]
    charts = target_charts(data)
    if not charts:
        return [*out, text("No target had a SUD or VoC rating by the end of the period, so "
                           "there is no chart.", "muted")]
    intro = text("SUD (circles, left axis) and VoC (squares, right axis) at the start and end "
                 "of each session that worked the target, as the Targets tab draws them, with "
                 "the dosing sessions near it.", "small")
    # The charts' heading goes to the page of the first chart.
    return [*out, keep([heading_paragraph("SUD and VoC by session", 1), intro,
                                charts[0]]), *charts[1:]]
