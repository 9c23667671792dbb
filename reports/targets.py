"""Figure builders for target memories: SUD and VoC across the sessions that worked them.

Pure functions, DTOs in and a matplotlib `Figure` out, with no Qt and no database: the
Targets tab shows the figure in a canvas and the progress report embeds the same figure
(`reports.charts.figure_to_png_bytes` / `figure_to_svg_bytes`).

- `build_target_chart(target, dosing)`: one target.
- `build_target_small_multiples(targets, dosing)`: several targets side by side on one
  shared time axis, so sessions and doses line up from panel to panel.

`target` is a `models.dto.TargetDTO` with its ratings; `dosing` is the client's dosing
sessions as `models.clinical.doses.dosing_markers(chart.courses)`, drawn as dotted
verticals labelled D1, D2 ... (or C2 D1 when there are several courses), as on every
chart. For each session (its signed note's start and end ratings,
`models.clinical.targets.target_sessions`) SUD (0–10, left axis) is a circle and VoC
(1–7, right axis) a square: hollow at the start, filled at the end, joined by a line, so
the change within the session reads at a glance; a thin line joins the session ends.
Reevaluations are diamonds. An ART scene, rated by SUD alone, keeps its right axis bare
(`models.clinical.targets.rated_by_voc`). A builder raises
`reports.charts.ChartTooSmallError` when the size leaves no room for the panels (a caller
may ask again, taller).

Every part has a gid for tests and the UI: "sud-start", "sud-end" (the points),
"sud-session" (the start-to-end lines), "sud-ends" (the line through the session ends),
the same for "voc-...", "reevaluation", "dose-marker", "dose-label", "panel-title",
"panel-subtitle", "no-ratings", "legend", "title".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import ScaledTranslation

from models.clinical.targets import (
    SUD_RANGE,
    VOC_RANGE,
    change_text,
    rated_by_voc,
    reevaluations,
    summarise_target,
    target_sessions,
)
from models.dto import TargetDTO
from models.instruments.series import DosingMarker
from models.vocabulary import TARGET_KINDS, TARGET_PRONGS, TARGET_STATUSES
from reports.bidi import visual
from reports.charts import (
    FONT,
    TITLE_FONT,
    ChartTooSmallError,
    _date_axis,
    _dose_label_groups,
    _elide,
    _num,
    _style_axes,
    _text_width_in,
    draw_dose_lines,
)
from reports.palette import CHART_GRID, CHART_MUTED, CHART_TEXT, DOSE, TARGET_SUD, TARGET_VOC

__all__ = ["build_target_chart", "build_target_small_multiples", "needed_height",
           "target_span"]

_PANEL_MIN_WIDTH_IN = 3.3
_PANEL_MIN_HEIGHT_IN = 1.55
_DOSE_REACH = dt.timedelta(days=14)  # doses this close before a target's first session show
_OFFSET_PT = 3.2  # SUD a little left of the session's day, VoC a little right
# Above each panel, from the top: its label, a line of its figures, the dose labels.
_TITLE_IN, _SUBTITLE_IN, _DOSE_LABEL_IN = 0.2, 0.19, 0.21


def target_span(targets: Sequence[TargetDTO],
                dosing: Sequence[DosingMarker] = ()) -> tuple[dt.date, dt.date] | None:
    """The days a chart of these targets spans: from the first rating to the last, taking
    in the doses just before the first session and any during the span."""
    days = [r.rated_on for t in targets for r in t.ratings]
    if not days:
        return None
    first, last = min(days), max(days)
    nearby = [d.when for d in dosing if first - _DOSE_REACH <= d.when <= last]
    return min([first, *nearby]), max([last, *nearby])


def _x_limits(span: tuple[dt.date, dt.date]) -> tuple[float, float]:
    first, last = span
    pad = max((last - first).days, 10) * 0.05
    return _num(first) - pad, _num(last) + pad


def _subtitle(target: TargetDTO) -> str:
    """Status and figures first (what a reader compares), then kind and prong."""
    summary = summarise_target(target)
    sessions = summary.sessions_worked
    parts = [TARGET_STATUSES.label(target.status),
             f"SUD {change_text(summary.baseline_sud, summary.latest_sud)}"]
    if rated_by_voc(target):
        parts.append(f"VoC {change_text(summary.baseline_voc, summary.latest_voc)}")
    parts += [f"{sessions} session{'s' if sessions != 1 else ''}",
              TARGET_KINDS.short(target.kind), TARGET_PRONGS.short(target.prong)]
    return " · ".join(parts)


def _draw_panel(fig: Figure, rect: tuple[float, float, float, float], target: TargetDTO,
                dosing: Sequence[DosingMarker], span: tuple[dt.date, dt.date] | None, *,
                compact: bool, titles: bool = True) -> Axes:
    """One target's SUD/VoC axes in `rect` (figure fractions), with its title above. A
    target not rated by VoC (an ART scene) keeps the right axis bare."""
    left, bottom, w, h = rect
    with_voc = rated_by_voc(target)
    ax = fig.add_axes(rect)
    _style_axes(ax, right_spine=True)
    ax.set_ylim(SUD_RANGE[0] - 0.5, SUD_RANGE[1] + 0.5)
    ax.set_yticks(range(SUD_RANGE[0], SUD_RANGE[1] + 1, 2))
    ax.set_ylabel("SUD", fontsize=FONT, color=TARGET_SUD, labelpad=2)
    ax.grid(axis="y", color=CHART_GRID, linewidth=0.7, zorder=0)
    ax.set_axisbelow(True)
    voc = ax.twinx()
    _style_axes(voc, right_spine=True)
    voc.spines["left"].set_visible(False)
    voc.set_ylim(VOC_RANGE[0] - 0.35, VOC_RANGE[1] + 0.35)
    voc.set_yticks(range(VOC_RANGE[0], VOC_RANGE[1] + 1) if with_voc else [])
    if with_voc:
        voc.set_ylabel("VoC", fontsize=FONT, color=TARGET_VOC, labelpad=2)
    panel_in = w * fig.get_figwidth()
    subtitle_y = bottom + h + _DOSE_LABEL_IN / fig.get_figheight()
    if titles:
        fig.text(left, subtitle_y + _SUBTITLE_IN / fig.get_figheight(),
                 visual(_elide(target.label, panel_in, bold=True)), ha="left", va="bottom",
                 fontsize=FONT + 0.5, fontweight="bold", color=CHART_TEXT, gid="panel-title")
        fig.text(left, subtitle_y, _elide(_subtitle(target), panel_in), ha="left",
                 va="bottom", fontsize=FONT - 0.5, color=CHART_MUTED, gid="panel-subtitle")

    if not target.ratings:
        ax.text(0.5, 0.5, "No SUD or VoC recorded yet" if with_voc else "No SUD recorded yet",
                transform=ax.transAxes,
                ha="center", va="center", fontsize=FONT, color=CHART_MUTED, gid="no-ratings")
    if span is None:
        ax.set_xticks([])
        return ax
    x_min, x_max = _x_limits(span)
    for axes in (ax, voc):
        axes.set_xlim(x_min, x_max)
    _date_axis(ax)
    if compact:
        ax.tick_params(axis="x", labelsize=FONT - 1)

    # Dosing sessions in the span: dotted verticals, labelled above (clustered when close).
    shown = [d for d in dosing if x_min <= _num(d.when) <= x_max]
    draw_dose_lines(ax, [dose.when for dose in shown], linewidth=1.2, zorder=1)
    if shown:
        x_to_inch = panel_in / (x_max - x_min)
        for centre, text in _dose_label_groups(shown, x_to_inch):
            ax.text(centre, 1.015, text, transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=FONT - (1 if compact else 0), color=DOSE,
                    fontweight="bold", gid="dose-label")

    left_shift = ScaledTranslation(-_OFFSET_PT / 72, 0, fig.dpi_scale_trans)
    right_shift = ScaledTranslation(_OFFSET_PT / 72, 0, fig.dpi_scale_trans)
    sessions = target_sessions(target)
    size = 22 if compact else 30
    # One artist per kind of mark (not one per session): a long record draws fast.
    scales = [(ax, TARGET_SUD, "o", "sud", left_shift)]
    if with_voc:
        scales.append((voc, TARGET_VOC, "s", "voc", right_shift))
    for axes, colour, marker, scale, shift in scales:
        moved = axes.transData + shift
        pairs: list[tuple[float, int | None, int | None]] = [
            (_num(s.day), getattr(s, f"{scale}_start"), getattr(s, f"{scale}_end"))
            for s in sessions]
        ends = [(x, end) for x, _start, end in pairs if end is not None]
        if len(ends) > 1:
            axes.plot([x for x, _ in ends], [y for _, y in ends], color=colour, linewidth=0.9,
                      alpha=0.45, zorder=2, transform=moved, gid=f"{scale}-ends")
        segments = [((x, start), (x, end)) for x, start, end in pairs
                    if start is not None and end is not None]
        if segments:
            axes.add_collection(LineCollection(
                segments, colors=colour, linewidths=1.6, zorder=3, transform=moved,
                gid=f"{scale}-session"), autolim=False)
        starts = [(x, start) for x, start, _end in pairs if start is not None]
        for points, face, part in ((starts, "white", "start"), (ends, colour, "end")):
            if points:
                axes.scatter([x for x, _ in points], [y for _, y in points], s=size,
                             marker=marker, facecolors=face, edgecolors=colour,
                             linewidths=1.3, zorder=4, transform=moved, gid=f"{scale}-{part}")
    readings = reevaluations(target)
    for axes, value, colour, shift in ((ax, "sud", TARGET_SUD, left_shift),
                                       (voc, "voc", TARGET_VOC, right_shift)):
        marks = [(_num(r.rated_on), getattr(r, value)) for r in readings
                 if getattr(r, value) is not None]
        if marks:
            axes.scatter([x for x, _ in marks], [y for _, y in marks], s=size + 6, marker="D",
                         facecolors="white", edgecolors=colour, linewidths=1.2, zorder=4,
                         transform=axes.transData + shift, gid="reevaluation")
    return ax


def _legend_handles(with_doses: bool, with_reevaluations: bool,
                    with_voc: bool = True) -> list[Line2D]:
    handles = [
        Line2D([], [], color=TARGET_SUD, marker="o", markerfacecolor="white", linewidth=1.6,
               markersize=5.5, label="SUD (0–10, left): start ○ to end ●"),
    ]
    if with_voc:
        handles.append(Line2D([], [], color=TARGET_VOC, marker="s", markerfacecolor="white",
                              linewidth=1.6, markersize=5,
                              label="VoC (1–7, right): start □ to end ■"))
    if with_reevaluations:
        handles.append(Line2D([], [], color=CHART_MUTED, marker="D", markerfacecolor="white",
                              linestyle="none", markersize=5, label="Reevaluation"))
    if with_doses:
        handles.append(Line2D([], [], color=DOSE, linestyle=(0, (2, 2)), linewidth=1.2,
                              label="Dosing session"))
    return handles


def _legend_columns(labels: Sequence[str], width: float) -> int:
    """The most columns whose widest entries fit across the figure."""
    for ncol in range(len(labels), 0, -1):
        rows = math.ceil(len(labels) / ncol)
        columns = [labels[c * rows:(c + 1) * rows] for c in range(ncol)]  # as matplotlib
        needed = sum(max(_text_width_in(label) for label in column) + 0.62
                     for column in columns if column)
        if needed <= width - 0.2:
            return ncol
    return 1


def _legend(fig: Figure, handles: list[Line2D], y_in: float, width: float,
            ncol: int) -> None:
    labels = [str(h.get_label()) for h in handles]
    legend = fig.legend(handles=handles, labels=labels, loc="lower left",
                        bbox_to_anchor=(0.06 / width, y_in / fig.get_figheight()), ncol=ncol,
                        fontsize=FONT, frameon=False, handlelength=2.0, columnspacing=1.2,
                        borderaxespad=0.0, borderpad=0.1)
    legend.set_gid("legend")


def _columns(count: int, width: float, columns: int | None) -> int:
    if columns is None:
        columns = max(1, min(count, int(width // _PANEL_MIN_WIDTH_IN)))
    return max(1, min(columns, count))


def needed_height(count: int, width: float, *, columns: int | None = None,
                  titles: bool = True) -> float:
    """The least height (inches) at which `count` panels fit a figure `width` wide: a
    screen that scrolls asks for at least this much."""
    rows = math.ceil(count / _columns(count, width, columns))
    head_in = (_TITLE_IN + _SUBTITLE_IN if titles else 0.0) + _DOSE_LABEL_IN + 0.04
    legend_in = 0.215 * 4 + 0.1  # at most four rows of legend
    return rows * (head_in + _PANEL_MIN_HEIGHT_IN + 0.42) + legend_in + 0.05


def build_target_chart(
    target: TargetDTO,
    dosing: Sequence[DosingMarker] = (),
    *,
    width: float = 7.0,
    height: float = 3.6,
    dpi: float = 100,
    span: tuple[dt.date, dt.date] | None = None,
    titles: bool = True,
) -> Figure:
    """One target's SUD and VoC at the start and end of every session that worked it.

    `span` fixes the time axis (first day, last day); by default it is the target's own
    (`target_span`). The target's label and a line of its figures head the panel, unless
    `titles` is False (a screen that shows them already)."""
    return build_target_small_multiples([target], dosing, width=width, height=height,
                                        dpi=dpi, columns=1, span=span, titles=titles)


def build_target_small_multiples(
    targets: Sequence[TargetDTO],
    dosing: Sequence[DosingMarker] = (),
    *,
    width: float = 10.0,
    height: float = 7.0,
    dpi: float = 100,
    columns: int | None = None,
    span: tuple[dt.date, dt.date] | None = None,
    title: str | None = None,
    titles: bool = True,
) -> Figure:
    """Several targets side by side, one panel each, on one shared time axis.

    Panels fill rows of `columns` (by default as many as fit at about 3.3 in each), in
    the order given. `title` heads the figure (none by default: a screen has its own);
    `titles=False` leaves out each panel's label and figures."""
    if not targets:
        raise ValueError("no targets to chart")
    count = len(targets)
    columns = _columns(count, width, columns)
    rows = math.ceil(count / columns)
    shared = span if span is not None else target_span(targets, dosing)
    compact = count > 1

    title_in = 0.42 if title else 0.0
    shown = shared is not None and any(shared[0] <= d.when <= shared[1] for d in dosing)
    reevaluated = any(r.point == "reevaluation" for t in targets for r in t.ratings)
    handles = _legend_handles(shown, reevaluated, any(rated_by_voc(t) for t in targets))
    ncol = _legend_columns([str(h.get_label()) for h in handles], width)
    legend_in = 0.215 * math.ceil(len(handles) / ncol) + 0.1
    head_in = (_TITLE_IN + _SUBTITLE_IN if titles else 0.0) + _DOSE_LABEL_IN + 0.04
    bottom_in = 0.42  # date ticks
    gap_w = 0.85  # the VoC axis of one panel and the SUD axis of the next
    left_in, right_in = 0.5, 0.5
    panel_w = (width - left_in - right_in - gap_w * (columns - 1)) / columns
    panel_h = (height - title_in - legend_in - rows * (head_in + bottom_in)) / rows
    if panel_h < _PANEL_MIN_HEIGHT_IN or panel_w < 1.6:
        raise ChartTooSmallError(
            f"a {width:.1f}x{height:.1f} in figure leaves no room for {count} target "
            "panel(s); make it taller")

    fig = Figure(figsize=(width, height), dpi=dpi)
    if title:
        fig.text(0.12 / width, 1 - 0.1 / height, title, ha="left", va="top",
                 fontsize=TITLE_FONT, fontweight="bold", gid="title")
    for index, target in enumerate(targets):
        row, column = divmod(index, columns)
        x_in = left_in + column * (panel_w + gap_w)
        top_in = title_in + row * (head_in + panel_h + bottom_in) + head_in
        y_in = height - top_in - panel_h
        rect = (x_in / width, y_in / height, panel_w / width, panel_h / height)
        _draw_panel(fig, rect, target, dosing, shared, compact=compact, titles=titles)
    _legend(fig, handles, 0.06, width, ncol)
    return fig
