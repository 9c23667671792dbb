"""Measures: baseline, latest, change and its label per instrument (the words the Measures
tab uses), every safety flag of the period, and the trend charts as the tab draws them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.platypus import Flowable

from models.clinical.measures import (
    BASELINE_RULE,
    InstrumentSeries,
    change_label_text,
    outcome_words,
    points_text,
)
from models.clinical.period import SafetyFlag
from models.clinical.safety import NO_RISK_CHECK
from models.formatting import EMPTY, date_text
from models.instruments.change import DatedTotal
from models.report_data import ReportData
from models.vocabulary import REPORT_SECTIONS
from reports.pdf.layout import (
    Cell,
    data_table,
    fitted_widths,
    gap,
    grown_figure,
    heading,
    heading_paragraph,
    keep,
    noted,
    text,
)
from reports.pdf.page import FRAME_WIDTH
from reports.pdf.styles import SAFETY_BG_C

if TYPE_CHECKING:  # matplotlib loads only when there is a chart to draw
    from matplotlib.figure import Figure

CHART_WIDTH_IN = FRAME_WIDTH / 72
CHART_HEIGHT_IN = 4.3


def _dated(total: DatedTotal | None) -> str:
    return f"{total.total}  ({date_text(total.when)})" if total is not None else EMPTY


def _outcome(series: InstrumentSeries) -> str:
    summary = series.summary
    if summary.baseline is None or summary.latest is None or summary.change is None:
        return change_label_text(summary)
    words = outcome_words(summary)
    first = words[0][0].upper() + words[0][1:]
    return "; ".join([first, *words[1:]])


def measures_table(data: ReportData) -> list[Flowable]:
    """One row per instrument: baseline, latest, change and the change label."""
    series = data.measures.series
    if not series:
        return [text("No measure was given up to the end of the period.", "muted")]
    rows = []
    for s in series:
        change = points_text(s.summary.change) if s.summary.change is not None else EMPTY
        rows.append([s.instrument.short_name, _dated(s.summary.baseline),
                     _dated(s.summary.latest), change, _outcome(s)])
    header = ["Measure", "Baseline", "Latest", "Change", "Change label"]
    # A custom measure's name may be long: its column widens to its longest word.
    widths = fitted_widths(header, rows, [0.12, 0.19, 0.19, 0.13, 0.37], first_bold=True)
    return [noted(
        data_table(header, rows, widths, first_bold=True),
        text(f"{BASELINE_RULE}. The latest is the newest complete administration up to the "
             "end of the period; the change is latest minus baseline, labelled by each "
             "measure's reliable-change rule (under its chart).", "small"),
        *_left_out(data))]


def _left_out(data: ReportData) -> list[Flowable]:
    """The period's administrations marked entered in error: named, so a reader knows the
    record holds them and why no figure counts them."""
    left = data.entered_in_error
    if not left:
        return []
    count = len(left)
    each = "; ".join(f"{x.instrument} of {date_text(x.when)}"
                     + (f" ({x.reason})" if x.reason.strip() else "") for x in left)
    return [text(f"Left out of every figure and chart: {count} administration"
                 f"{'s' if count != 1 else ''} of the period marked entered in error: "
                 f"{each}.", "small")]


def _follow_up_text(flag: SafetyFlag) -> str:
    """What answered a flag: its follow-up's status, or, for ideation in a risk check,
    that note itself."""
    if flag.follow_up:
        return flag.follow_up[:1].upper() + flag.follow_up[1:]
    return "Recorded in that note's risk check"


def safety_flowables(data: ReportData) -> list[Flowable]:
    """Every safety flag of the period, each on its own row, in words; then the latest
    risk check by the period's end, which a page never parts from the flags' last row."""
    *flags, last = _flag_flowables(data)
    return [*flags, noted(last, gap(8), _latest_risk_flowable(data))]


def _latest_risk_flowable(data: ReportData) -> Flowable:
    risk = data.latest_risk_check
    if risk is None:
        return text(NO_RISK_CHECK, "body")
    return text(risk.text, "safety" if risk.concern else "body")


def _flag_flowables(data: ReportData) -> list[Flowable]:
    flags = data.safety_flags
    if not flags:
        return [text("No safety flag in the period: no positive safety item in a measure and "
                     "no ideation recorded in a risk check.", "body")]
    count = len(flags)
    out: list[Flowable] = [text(f"{count} safety flag{'s' if count != 1 else ''} in the period. "
                                "Each is listed below as recorded.", "safety")]
    # The flag in the safety colour, on one line or wrapped; what answered it in ink.
    rows: list[list[Cell]] = [
        [*(text(value, "cell_safety") for value in (date_text(f.when), f.source, f.text)),
         _follow_up_text(f)] for f in flags]
    out.append(data_table(["Date", "Where", "Flag", "Follow-up"], rows,
                          [0.13, 0.2, 0.4, 0.27],
                          extra=[("BACKGROUND", (0, 1), (-1, -1), SAFETY_BG_C)]))
    return out


def chart_flowables(data: ReportData) -> list[Flowable]:
    view = data.measures
    if not view.dissociation and all(s.latest is None for s in view.series):
        return []
    from reports.charts import build_cadss_chart, build_trend_chart

    out: list[Flowable] = []
    # Each chart is drawn as its flowable is made (reports.pdf.layout.figure), so the next
    # one reuses its axes and ticks, as the Measures tab does from one client to the next.
    drawn: list[Figure] = []
    for series in view.series:
        if series.latest is None:
            continue  # nothing to plot: the table says so
        instrument, points, baseline = series.instrument, series.points, series.baseline

        def build(height: float, instrument=instrument, points=points,  # type: ignore[no-untyped-def]
                  baseline=baseline) -> Figure:
            fig = build_trend_chart(instrument, points, view.dosing, width=CHART_WIDTH_IN,
                                    height=height, baseline_index=baseline,
                                    into=drawn.pop() if drawn else None)
            drawn.append(fig)
            return fig

        out.append(grown_figure(build, CHART_HEIGHT_IN, f"{instrument.short_name} chart"))
    if view.dissociation:
        rows = tuple(sorted(view.dissociation, key=lambda d: (d.dose_number, d.label)))
        out.append(grown_figure(
            lambda height: build_cadss_chart(rows, width=CHART_WIDTH_IN, height=height),
            CHART_HEIGHT_IN, "dissociation chart"))
    return out


def measures_section(data: ReportData) -> list[Flowable]:
    charts = chart_flowables(data)
    intro = text("Each chart shows every complete administration up to the end of the period, "
                 "as the Measures tab draws it.", "small")
    # The heading of the charts goes to the page of the first chart.
    trends: list[Flowable] = ([keep([heading_paragraph("Trends", 1), intro, charts[0]]),
                               *charts[1:]] if charts else [])
    return [
        *heading(REPORT_SECTIONS.label("measures")),
        *heading("Change from baseline", 1), *measures_table(data),
        *heading("Safety flags in the period", 1), *safety_flowables(data),
        *trends,
    ]
