"""Matplotlib Figure builders for measure trends, dissociation per dose and sparklines."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

import matplotlib.dates as mdates
import numpy as np
from matplotlib import rc_context
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font, GlyphIndexType, Kerning, LoadFlags
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.textpath import TextToPath
from matplotlib.ticker import Formatter, MaxNLocator
from matplotlib.transforms import Bbox, Transform

from models.clinical.doses import DoseRef, dose_range_label
from models.clinical.measures import chart_subtitle, summarise_change
from models.formatting import date_text, date_tick_labels, day_month, touching_groups
from models.instruments.change import (
    ChangeLabel,
    change_summary,
    classify_change,
    response_threshold,
)
from models.instruments.definitions import Band, Instrument, Rule
from models.instruments.series import (
    DoseDissociation,
    DosingMarker,
    OverlaySeries,
    TrendPoint,
)
from reports.bidi import visual
from reports.palette import (
    BAND_EDGE,
    BAND_HATCH,
    BAND_KEY_EDGE,
    BAND_LABEL,
    CHART_GRID,
    CHART_MUTED,
    CHART_NOTE,
    CHART_TEXT,
    DETERIORATED,
    DOSE,
    IMPROVED,
    INK,
    NEUTRAL,
    OKABE_ITO,
    OVERLAY_COLOURS,
)

__all__ = [
    "ChartTooSmallError",
    "build_cadss_chart",
    "build_sparkline",
    "build_trend_chart",
    "dose_line_days",
    "draw_dose_lines",
    "figure_to_png_bytes",
    "figure_to_svg_bytes",
    "find_artists",
]

FONT = 9.0
TITLE_FONT = 11.0
_LINE_IN = 0.165  # height of a 9 pt text line with spacing, in inches
_TOP_LANE = 0.955  # axes fraction where flags of administrations without a total sit
_BAND_LABEL_X = 0.995  # axes fraction where band names end (right-aligned)

_POINT_STYLE = {
    ChangeLabel.RELIABLE_IMPROVEMENT: ("point-improved", IMPROVED, "Reliable improvement"),
    ChangeLabel.RELIABLE_DETERIORATION: ("point-deteriorated", DETERIORATED,
                                         "Reliable deterioration"),
    ChangeLabel.NO_RELIABLE_CHANGE: ("point-no-change", NEUTRAL, "No reliable change"),
    ChangeLabel.NO_RULE: ("point-no-rule", NEUTRAL, "Total"),
}


def find_artists(fig: Figure, gid: str) -> list[Artist]:
    """Every artist in the figure with this gid (charts tag their parts for tests and UI)."""
    return list(fig.findobj(lambda artist: artist.get_gid() == gid))


# --------------------------------------------------------------------------------------
# Layout helpers
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Margins:
    """Figure margins in inches around the main axes."""

    left: float
    right: float
    top: float
    bottom: float


_EM = 100.0  # the size (pixels at 72 dpi) glyph advances are read at


@lru_cache(maxsize=2)
def _layout_font(bold: bool) -> FT2Font:
    """The face matplotlib draws 9 pt text in, as its own object (matplotlib's shared ones
    change size under it)."""
    font = FT2Font(findfont(FontProperties(size=FONT, weight="bold" if bold else "normal")))
    font.set_size(_EM, 72)
    return font


_ADVANCES: dict[tuple[bool, str], tuple[GlyphIndexType, float]] = {}  # glyph, advance/em
_KERNS: dict[tuple[bool, GlyphIndexType, GlyphIndexType], float] = {}  # kerning per em
_TEXT_TO_PATH = TextToPath()


@lru_cache(maxsize=4096)
def _text_width_in(text: str, bold: bool = False) -> float:
    """Width of one line of 9 pt text in inches, from the font's metrics (no renderer): its
    glyphs' advances and kerning, each read once, rather than FreeType laying out every
    candidate line of a footnote (a millisecond each). Text with a character the face
    lacks (drawn from a fallback font) is laid out by FreeType after all."""
    font = _layout_font(bold)
    total = 0.0
    previous: GlyphIndexType | None = None
    for char in text:
        found = _ADVANCES.get((bold, char))
        if found is None:
            index = font.get_char_index(ord(char))
            if not index:
                prop = FontProperties(size=FONT, weight="bold" if bold else "normal")
                width, _, _ = _TEXT_TO_PATH.get_text_width_height_descent(text, prop, False)
                return float(width) / 72
            glyph = font.load_glyph(index, flags=LoadFlags.NO_HINTING)
            found = _ADVANCES[(bold, char)] = (index, glyph.linearHoriAdvance / 65536 / _EM)
        index, advance = found
        total += advance
        if previous is not None:
            kern = _KERNS.get((bold, previous, index))
            if kern is None:
                kern = _KERNS[(bold, previous, index)] = font.get_kerning(
                    previous, index, Kerning.UNFITTED) / 64 / _EM
            total += kern
        previous = index
    return total * FONT / 72


def _elide(text: str, width_in: float, *, bold: bool = False) -> str:
    """`text`, cut to `width_in` with "…" when it is longer."""
    if _text_width_in(text, bold) <= width_in:
        return text
    while text and _text_width_in(text + "…", bold) > width_in:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(text: str, width_in: float) -> list[str]:
    """Greedy word wrap measured with the font itself, so no line runs off the figure."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and _text_width_in(candidate) > width_in:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def _style_axes(ax: Axes, *, right_spine: bool = False) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(right_spine)
    for side in ("left", "bottom", "right"):
        ax.spines[side].set_color(CHART_MUTED)
    ax.tick_params(labelsize=FONT, colors=CHART_TEXT, length=3)


def _day(value: float) -> date:
    return mdates.num2date(value).date()  # type: ignore[no-untyped-call,no-any-return]


class _HouseDateFormatter(Formatter):
    """matplotlib's date ticks written as models.formatting writes dates."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return date_text(_day(x))  # one date on its own (a cursor readout)

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        return date_tick_labels([_day(v) for v in values])


_TICK_GAP_IN = 0.08  # the least room between two date labels, in inches


class _OncePerViewDateLocator(mdates.AutoDateLocator):
    """matplotlib's automatic date ticks, worked out once for a view and a width (a draw
    asks for them three times, and each time the automatic locator builds its calendar
    rule anew), with no two labels touching.

    matplotlib picks the ticks from the span alone, at most `maxticks` of them, and on
    days of the month: every fourth day gives "29 Sep" then "1 Oct", two days apart. A
    narrow chart cannot hold that, nor a first label that carries the year, so a tick
    whose label would touch its neighbour's is left out: the later one, unless only the
    later one starts a month."""

    _found: tuple[tuple[float, float, float], Any] | None = None

    def __call__(self) -> Any:
        axes = self.axis.axes  # type: ignore[union-attr]
        view = tuple(self.axis.get_view_interval())  # type: ignore[union-attr]
        key = (view[0], view[1], axes.bbox.width / axes.figure.dpi)
        if self._found is None or self._found[0] != key:
            ticks = super().__call__()  # type: ignore[no-untyped-call]
            self._found = (key, _apart(list(ticks), key, self._label_size()))
        return self._found[1].copy()

    def _label_size(self) -> float:
        size = self.axis.get_tick_params(which="major").get("labelsize")  # type: ignore[union-attr]
        return float(size) if isinstance(size, (int, float)) else FONT


def _apart(ticks: list[float], view: tuple[float, float, float], size: float) -> Any:
    """`ticks` less those whose labels (as _HouseDateFormatter writes them, `size` points)
    would touch, on an axis `view` = (first, last, width in inches)."""
    first, last, width_in = view
    if last <= first or len(ticks) < 2:
        return np.asarray(ticks)
    to_in = width_in / (last - first)
    while True:
        days = [_day(t) for t in ticks]
        halves = [_text_width_in(label) * size / FONT / 2 for label in date_tick_labels(days)]
        for i in range(len(ticks) - 1):
            room = (ticks[i + 1] - ticks[i]) * to_in
            if halves[i] + halves[i + 1] + _TICK_GAP_IN > room:
                keep_later = days[i + 1].day == 1 and days[i].day != 1 and i > 0
                del ticks[i if keep_later else i + 1]
                break
        else:
            return np.asarray(ticks)


def _date_axis(ax: Axes) -> None:
    locator = _OncePerViewDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(_HouseDateFormatter())


@lru_cache(maxsize=4096)
def _num(day: date) -> float:
    # date2num goes through numpy datetime64 for each date (tens of microseconds), and a
    # trend chart asks for the same few dozen dates again and again (dose labels).
    return float(mdates.date2num(day))  # type: ignore[no-untyped-call]


def _sources_footnote(rules: Sequence[Rule]) -> str:
    """Group rules by source: 'severity bands, item 9 safety flag: Kroenke et al. 2001; ...'."""
    groups: dict[str, list[str]] = {}
    for rule in rules:
        citation = rule.source.citation if rule.source else "no published source"
        brief = rule.brief or rule.name.lower()
        if rule.computed and rule.inputs:
            inputs = ", ".join(f"{name} {value:g}" for name, value in rule.inputs)
            brief += f" (computed, Jacobson & Truax 1991: {inputs})"
        groups.setdefault(citation, []).append(brief)
    parts = [f"{', '.join(briefs)}: {citation}" for citation, briefs in groups.items()]
    return "Rules and sources — " + "; ".join(parts) + "."


def _dose_label_text(doses: Sequence[DosingMarker]) -> str:
    """The label of doses drawn too close to label apart: 'D1–4', 'C1 D5, C2 D1'."""
    return dose_range_label(
        DoseRef(0, d.course_index, d.in_course or d.number, d.label or f"D{d.number}", d.when,
                d.number) for d in doses)


def draw_dose_lines(ax: Axes, days: Sequence[date], *, linewidth: float,
                    zorder: float) -> None:
    """The dosing sessions as dotted verticals the plot's height, all in one artist (gid
    "dose-marker"; one line per dose cost a line's whole machinery each)."""
    if days:
        ax.vlines([_num(day) for day in days], 0, 1, transform=ax.get_xaxis_transform(),
                  colors=DOSE, linestyles=(0, (2, 2)), linewidths=linewidth,
                  zorder=zorder, gid="dose-marker")


def dose_line_days(fig: Figure) -> list[date]:
    """The days of the dose lines drawn in a figure, in order (what draw_dose_lines drew)."""
    return sorted(_day(float(segment[0][0]))
                  for collection in find_artists(fig, "dose-marker")
                  for segment in collection.get_segments())  # type: ignore[attr-defined]


def _course_label_text(doses: Sequence[DosingMarker]) -> str:
    """The label of whole courses drawn too close to name their doses: 'C3', 'C1–4'."""
    first, last = min(d.course_index for d in doses), max(d.course_index for d in doses)
    return f"C{first}" if first == last else f"C{first}–{last}"


def _merged(clusters: list[list[DosingMarker]], x_to_inch: float,
            label: Callable[[Sequence[DosingMarker]], str]) -> list[list[DosingMarker]]:
    """Neighbouring clusters joined while their labels would touch."""
    def extent(group: Sequence[list[DosingMarker]]) -> tuple[float, float]:
        cluster = [dose for part in group for dose in part]
        centre = (_num(cluster[0].when) + _num(cluster[-1].when)) / 2 * x_to_inch
        half = _text_width_in(label(cluster), bold=True) / 2 + 0.04
        return centre - half, centre + half

    return [[dose for part in group for dose in part]
            for group in touching_groups(clusters, extent)]


def _dose_label_groups(
    doses: Sequence[DosingMarker], x_to_inch: float
) -> list[tuple[float, str]]:
    """Label each dose 'D1', 'D2' ...; doses too close to label apart share 'D1–4'. When
    that runs several courses together (a long record on one axis: 'C1 D1–6, C2 D1–6, …'
    wider than the plot), each course is named instead: 'C1', 'C2', or 'C1–3'."""
    ordered = sorted(doses, key=lambda d: (d.when, d.number))
    label: Callable[[Sequence[DosingMarker]], str] = _dose_label_text
    clusters = _merged([[dose] for dose in ordered], x_to_inch, label)
    if any(len({d.course_index for d in cluster}) > 1 for cluster in clusters):
        label = _course_label_text
        courses: list[list[DosingMarker]] = []
        for dose in ordered:
            if courses and courses[-1][-1].course_index == dose.course_index:
                courses[-1].append(dose)
            else:
                courses.append([dose])
        clusters = _merged(courses, x_to_inch, label)
    return [((_num(cluster[0].when) + _num(cluster[-1].when)) / 2, label(cluster))
            for cluster in clusters]


class _BandKey(Patch):
    """Stands in the legend for the severity bands: drawn as a small stack of graded (or
    hatched) swatches (`_legend_key`)."""

    def __init__(self, validated: bool, label: str) -> None:
        super().__init__(label=label)
        self.validated = validated


# The legend, as matplotlib's would be laid out with handlelength 2.2, handleheight 0.7,
# handletextpad 0.8 and columnspacing 1.0 (in ems of FONT), drawn as plain figure artists:
# matplotlib's Legend lays its boxes out again on every draw, a fifth of a chart's draw.
_EM_IN = FONT / 72
_KEY_IN = 2.2 * _EM_IN  # a key's length
_KEY_HEIGHT_IN = 0.7 * _EM_IN  # a swatch's height
_KEY_PAD_IN = 0.8 * _EM_IN  # from a key to its label
_COLUMN_GAP_IN = 1.0 * _EM_IN
_LEGEND_TEXT_IN = 1.12 * _EM_IN  # a label's height (the face's ascent and descent)
_LEGEND_ROW_IN = _LEGEND_TEXT_IN + 0.5 * _EM_IN  # with labelspacing 0.5
# A column's width past its widest label; the slack is for text drawn hinted on screen,
# a little wider than its outline measures.
_LEGEND_HANDLE_IN = _KEY_IN + _KEY_PAD_IN + _COLUMN_GAP_IN + 0.05
_NO_LINE = ("None", "none", "", " ")


def _legend_key(handle: Artist, x: float, y: float) -> list[Artist]:
    """The key of one legend entry, `handle` drawn in little: its left end at x, its
    middle at y (inches from the figure's lower left)."""
    keys: list[Artist] = []
    if isinstance(handle, Line2D):
        if handle.get_linestyle() not in _NO_LINE:
            line = Line2D([x, x + _KEY_IN], [y, y])
            line.update_from(handle)
            line.set_marker("None")
            keys.append(line)
        if handle.get_marker() not in _NO_LINE:
            mark = Line2D([x + _KEY_IN / 2], [y])
            mark.update_from(handle)
            mark.set_linestyle("None")
            keys.append(mark)
    elif isinstance(handle, _BandKey):
        for step in range(3):
            keys.append(Rectangle(
                (x + step * _KEY_IN / 3, y - _KEY_HEIGHT_IN / 2), _KEY_IN / 3, _KEY_HEIGHT_IN,
                facecolor="black" if handle.validated else "none",
                alpha=0.05 + 0.07 * step if handle.validated else 1.0,
                hatch=None if handle.validated else "/" * (1 + step),
                edgecolor=BAND_KEY_EDGE, linewidth=0))
    elif isinstance(handle, Patch):
        swatch = Rectangle((x, y - _KEY_HEIGHT_IN / 2), _KEY_IN, _KEY_HEIGHT_IN)
        swatch.update_from(handle)
        keys.append(swatch)
    return keys


def _draw_legend(fig: Figure, handles: Sequence[Artist], ncol: int, left_in: float,
                 top_in: float) -> None:
    """Each handle's key and label, in `ncol` columns filled top to bottom (the first ones
    a row longer when they do not come out even), from (left_in, top_in) down."""
    rows, large = divmod(len(handles), ncol)
    sizes = [rows + 1] * large + [rows] * (ncol - large)
    inches = fig.dpi_scale_trans
    x, start = left_in, 0
    for size in sizes:
        column = handles[start:start + size]
        labels = [str(handle.get_label()) for handle in column]
        for row, (handle, label) in enumerate(zip(column, labels, strict=True)):
            y = top_in - _LEGEND_TEXT_IN / 2 - row * _LEGEND_ROW_IN
            for key in _legend_key(handle, x, y):
                key.set_transform(inches)
                key.set_clip_on(False)
                key.set_gid("legend-key")
                fig.add_artist(key)
            fig.text(x + _KEY_IN + _KEY_PAD_IN, y, label, transform=inches, ha="left",
                     va="center", fontsize=FONT, gid="legend-label")
        x += _LEGEND_HANDLE_IN + max(map(_text_width_in, labels))  # as _legend_columns
        start += size


# --------------------------------------------------------------------------------------
# Trend chart
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LineLabel:
    """A direct label in the right margin for a horizontal reference line."""

    y: float
    text: str
    colour: str
    gid: str


def _spread(positions: list[float], gap: float, low: float, high: float) -> list[float]:
    """Move sorted label positions apart so neighbours are at least `gap` apart."""
    placed = sorted(positions)
    for index in range(1, len(placed)):
        placed[index] = max(placed[index], placed[index - 1] + gap)
    overflow = placed[-1] - high if placed else 0.0
    if overflow > 0:
        placed = [p - overflow for p in placed]
        for index in range(len(placed) - 2, -1, -1):
            placed[index] = min(placed[index], placed[index + 1] - gap)
    if placed and placed[0] < low:
        placed = [p + (low - placed[0]) for p in placed]
    return placed


def _legend_columns(labels: Sequence[str], available_in: float) -> int:
    """The most columns (filled as matplotlib fills them) whose widths fit."""
    widths = [_text_width_in(label) for label in labels]
    for ncol in range(min(len(labels), 4), 1, -1):
        rows, large = divmod(len(labels), ncol)
        sizes = [rows + 1] * large + [rows] * (ncol - large)
        needed, start = 0.0, 0
        for size in sizes:
            needed += _LEGEND_HANDLE_IN + max(widths[start:start + size], default=0.0)
            start += size
        if needed <= available_in:
            return ncol
    return 1


def _draw_bands(ax: Axes, instrument: Instrument) -> None:
    bands = instrument.bands
    if bands is None:
        return
    count = len(bands.levels)
    for index, band in enumerate(bands.levels):
        rank = index if instrument.lower_is_better else count - 1 - index
        low, high, gid = band.min_total - 0.5, band.max_total + 0.5, f"band:{band.key}"
        if bands.validated:
            ax.axhspan(low, high, facecolor="black", alpha=0.025 + 0.1 * rank / max(count - 1, 1),
                       linewidth=0, zorder=0, gid=gid)
        else:
            # Hatched, never solid: these bands are a convention, not a validated scale.
            ax.axhspan(low, high, facecolor="none", hatch="/" * (1 + min(rank, 3)),
                       edgecolor=BAND_HATCH, linewidth=0, zorder=0, gid=gid)
        if index and not bands.validated:
            ax.axhline(band.min_total - 0.5, color=BAND_EDGE, linewidth=0.8,
                       linestyle=(0, (4, 3)), zorder=0.5, gid="band-boundary")
        ax.text(_BAND_LABEL_X, (band.min_total + band.max_total) / 2,
                _band_label(band, bands.validated),
                transform=ax.get_yaxis_transform(), ha="right", va="center", fontsize=FONT,
                color=BAND_LABEL, style="italic", gid=f"band-label:{band.key}", zorder=2.5,
                bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none",
                      "alpha": 0.55})


@dataclass(frozen=True)
class _FlagLabel:
    x: float
    y: float | None  # None: no total, so the mark sits on the top edge
    text: str


def _marks(ax: Axes, xs: Sequence[float], ys: Sequence[float], *, marker: str, area: float,
           face: str, edge: str, width: float, zorder: float, gid: str,
           transform: Transform | None = None) -> Line2D:
    """Markers without a line (what scatter draws for one size and colour, at a fraction
    of its cost). `area` is in points squared, as scatter's `s`. The axes' limits are set
    from the data already, so the markers are not measured into them."""
    marks = Line2D(xs, ys, linestyle="none", marker=marker, markersize=math.sqrt(area),
                   markerfacecolor=face, markeredgecolor=edge, markeredgewidth=width,
                   zorder=zorder, gid=gid)
    if transform is not None:
        marks.set_transform(transform)
    ax.add_artist(marks)
    return marks


def _draw_safety_flags(ax: Axes, points: Sequence[TrendPoint], size: float) -> list[_FlagLabel]:
    """Ring flagged points; mark flagged administrations without a total on the top edge."""
    labels: list[_FlagLabel] = []
    top = ax.get_xaxis_transform()
    for point in points:
        if not point.score.has_safety_flag:
            continue
        text = ", ".join(f"item {flag.item} = {flag.value}" for flag in point.score.safety_flags)
        x = _num(point.when)
        if point.score.total is not None:
            y = float(point.score.total)
            _marks(ax, [x], [y], marker="o", area=size * 5.5, face="none",
                   edge=OKABE_ITO["black"], width=1.7, zorder=5, gid="safety-flag")
            labels.append(_FlagLabel(x, y, text))
        else:
            _marks(ax, [x], [_TOP_LANE], marker="v", area=80, face=OKABE_ITO["black"],
                   edge="white", width=1.5, zorder=5, gid="safety-flag", transform=top)
            labels.append(_FlagLabel(x, None, f"{text} (incomplete)"))
    return labels


_RING_IN = 0.1  # the radius of the ring round a flagged point, in inches
_POINT_IN = 0.04  # about the radius of a plotted total, in inches


@dataclass(frozen=True)
class _Spot:
    """Where a flag's label may sit beside its point: offset from it by (dx, dy) points,
    aligned there by (ha, va) as matplotlib aligns text."""
    dx: float
    dy: float
    ha: str
    va: str

    def extent(self, x_in: float, y_in: float, width: float,
               height: float = 0.2) -> tuple[float, float, float, float]:
        """(left, right, bottom, top) in inches, for a label `width` wide at (x_in, y_in)."""
        x, y = x_in + self.dx / 72, y_in + self.dy / 72
        left = {"left": x, "right": x - width}.get(self.ha, x - width / 2)
        bottom = {"bottom": y, "top": y - height}.get(self.va, y - height / 2)
        return left, left + width, bottom, bottom + height


# The places a label is tried, best first: beside its point, then above or below it to
# either side, then straight above or below (the eight places a map labels a point).
_SPOTS = (_Spot(9, 0, "left", "center"), _Spot(-9, 0, "right", "center"),
          _Spot(6, 8, "left", "bottom"), _Spot(-6, 8, "right", "bottom"),
          _Spot(6, -8, "left", "top"), _Spot(-6, -8, "right", "top"),
          _Spot(0, 10, "center", "bottom"), _Spot(0, -10, "center", "top"))


def _overlaps(box: tuple[float, float, float, float],
              others: Sequence[tuple[float, float, float, float]]) -> bool:
    """Whether `box` (left, right, bottom, top) overlaps any of `others`."""
    return any(box[0] < o[1] and o[0] < box[1] and box[2] < o[3] and o[2] < box[3]
               for o in others)


def _covered(box: tuple[float, float, float, float],
             others: Sequence[tuple[float, float, float, float]]) -> float:
    """How much of `others` `box` covers (square inches)."""
    return sum(max(0.0, min(box[1], o[1]) - max(box[0], o[0]))
               * max(0.0, min(box[3], o[3]) - max(box[2], o[2])) for o in others)


def _band_label(band: Band, validated: bool) -> str:
    return band.label.lower() + ("" if validated else " (not validated)")


def _band_label_boxes(instrument: Instrument, y_to_in: float, y_min: float,
                      plot_width: float) -> list[tuple[float, float, float, float]]:
    """Where _draw_bands writes the band names (right-aligned at the plot's right edge),
    in inches from the plot's lower left."""
    bands = instrument.bands
    if bands is None:
        return []
    boxes = []
    for band in bands.levels:
        y_in = ((band.min_total + band.max_total) / 2 - y_min) * y_to_in
        right = _BAND_LABEL_X * plot_width
        width = _text_width_in(_band_label(band, bands.validated)) + 0.04
        boxes.append((right - width, right, y_in - 0.09, y_in + 0.09))
    return boxes


def _place_flag_labels(
    ax: Axes, labels: Sequence[_FlagLabel], x_to_in: float, y_to_in: float, x_min: float,
    y_min: float, plot_height: float, plot_width: float,
    avoid: Sequence[tuple[float, float, float, float]] = (),
    totals: Sequence[tuple[float, float]] = (),
) -> None:
    """Write each flag's item and value beside it, leaving out any that would overlap.

    Each label takes the first of the places in _SPOTS that keeps it inside the plot and
    off another label, another flagged point's ring and every one of `totals` (the
    plotted scores, in data coordinates): a score hidden under a label could not be read
    at all. One with no such place is left out; the ring, the legend and the flags'
    table still say it. Past the plot's right edge (into the line labels there) a label
    goes only when no place inside is free. Of the free places, the one that covers
    least of `avoid` (the band names, in inches from the plot's lower left) is taken: a
    band name may be covered, a safety flag's words are not left out for it."""
    box = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
           "alpha": 0.85}
    # The rings are taken too: a label must not cover another flagged point.
    taken: list[tuple[float, float, float, float]] = [
        (x - _RING_IN, x + _RING_IN, y - _RING_IN, y + _RING_IN)
        for x, y in (((label.x - x_min) * x_to_in, (label.y - y_min) * y_to_in)
                     for label in labels if label.y is not None)]
    taken += [(x - _POINT_IN, x + _POINT_IN, y - _POINT_IN, y + _POINT_IN)
              for x, y in (((tx - x_min) * x_to_in, (ty - y_min) * y_to_in)
                           for tx, ty in totals)]
    for label in labels:
        width = _text_width_in(label.text, bold=True) + 0.06
        x_in = (label.x - x_min) * x_to_in
        y_in = (label.y - y_min) * y_to_in if label.y is not None else _TOP_LANE * plot_height
        extents = [(spot, spot.extent(x_in, y_in, width)) for spot in _SPOTS]
        # Inside the plot (one beside its point is as high as the point) and clear of
        # everything taken; past the right edge (into the line labels there) only when
        # nothing inside is free, never past the left axis.
        inside = [(spot, e) for spot, e in extents
                  if e[0] >= 0 and (spot.dy == 0 or (e[2] >= 0 and e[3] <= plot_height))]
        free = [(spot, e) for spot, e in inside if not _overlaps(e, taken)]
        free = [(spot, e) for spot, e in free if e[1] <= plot_width] or free
        if not free:
            continue
        spot, extent = min(free, key=lambda pair: _covered(pair[1], avoid))
        taken.append(extent)
        coords: str | Transform = "data"
        if label.y is not None:
            anchor = (label.x, label.y)
        else:
            anchor, coords = (label.x, _TOP_LANE), ax.get_xaxis_transform()
        ax.annotate(label.text, anchor, xycoords=coords, xytext=(spot.dx, spot.dy),
                    textcoords="offset points", ha=spot.ha, va=spot.va, fontsize=FONT,
                    fontweight="bold", bbox=box, zorder=6, gid="safety-flag-label")


def build_trend_chart(
    instrument: Instrument,
    points: Sequence[TrendPoint],
    dosing: Sequence[DosingMarker] = (),
    overlays: Sequence[OverlaySeries] = (),
    *,
    width: float = 7.0,
    height: float = 5.0,
    dpi: float = 100,
    title: str | None = None,
    baseline_index: int | None = None,
    header: bool = True,
    footnote: bool = True,
    into: Figure | None = None,
) -> Figure:
    """Raw totals over time with bands, the reliable-change corridor, doses and flags.

    `into`, a figure this function built before (a window's chart showing another
    client), is drawn again with these points: its axes and their ticks are kept, which
    is most of the cost of a new figure, and what it showed before is taken away first.
    A figure that cannot be reused so (a second axis for overlays) is replaced.

    `header=False` leaves out the title and the change line, for a screen that shows
    both already; the plot takes the room. `footnote=False` leaves out the rules and
    their sources (trend_footnote), for a screen that writes them under the chart as
    text that wraps with the window.

    The baseline is `points[baseline_index]`, else the one models.clinical.measures
    chooses (the first complete administration marked baseline, else the first complete
    one), as on every other screen. Administrations without a total are not
    plotted, but their safety flags are still marked along the top edge. Every part has
    a gid ("band:<key>", "rc-corridor", "baseline", "dose-marker", "point-improved",
    "safety-flag", "footnote", ...) so tests and the UI can find it.
    """
    for point in points:
        if point.score.instrument_id != instrument.id:
            raise ValueError(
                f"a {point.score.instrument_id} score on {point.when} was given for a "
                f"{instrument.short_name} chart"
            )
    order = sorted(range(len(points)), key=lambda i: points[i].when)
    ordered = [points[i] for i in order]
    if baseline_index is not None:
        if not -len(points) <= baseline_index < len(points):
            raise ValueError(f"baseline_index {baseline_index} is outside the {len(points)} points")
        chosen = order.index(baseline_index % len(points))
        summary = change_summary(instrument, [(p.when, p.score) for p in ordered], chosen)
    else:
        summary, _chosen = summarise_change(instrument, [
            (p.when, p.relation_to_care.value if p.relation_to_care else None, p.score)
            for p in ordered])
    base = summary.baseline.total if summary.baseline is not None else None
    base_when = summary.baseline.when if summary.baseline is not None else None
    rc = instrument.reliable_change
    plotted = [p for p in ordered if p.score.total is not None]

    # Reference lines, labelled directly in the right margin rather than in the legend.
    y_lo, y_hi = instrument.total_min - 0.5, instrument.total_max + 0.5
    line_labels: list[_LineLabel] = []
    for cutoff in instrument.cutoffs:
        line_labels.append(_LineLabel(cutoff.at_least - 0.5, f"{cutoff.label.split(' (')[0]}\n"
                                      f"cut-off ≥ {cutoff.at_least}", OKABE_ITO["black"],
                                      f"cutoff:{cutoff.key}"))
    if base is not None:
        line_labels.append(_LineLabel(base, f"Baseline {base}", OKABE_ITO["black"], "baseline"))
        # Totals are whole numbers, so each line sits between the last total that meets
        # its rule and the first that does not.
        threshold = response_threshold(instrument, base)
        if threshold is not None:
            limit = math.floor(threshold + 1e-9)
            line_labels.append(
                _LineLabel(limit + 0.5, f"Response ≤ {limit}", IMPROVED, "response-line")
            )
        meaningful = instrument.clinically_meaningful
        if meaningful is not None:
            step = math.ceil(meaningful.points - 1e-9)
            if instrument.lower_is_better:
                y, text = base - step + 0.5, f"Meaningful change ≤ {base - step}"
            else:
                y, text = base + step - 0.5, f"Meaningful change ≥ {base + step}"
            if y_lo <= y <= y_hi:
                line_labels.append(_LineLabel(y, text, IMPROVED, "meaningful-line"))
    if instrument.remission is not None:
        below = instrument.remission.below
        line_labels.append(_LineLabel(math.ceil(below) - 0.5, f"Remission < {below:g}",
                                      OKABE_ITO["bluish_green"], "remission-line"))
    label_in = max(
        (_text_width_in(row) for label in line_labels for row in label.text.split("\n")),
        default=0.0,
    )
    overlay_in = 0.4 if overlays else 0.0
    # The change line wraps rather than run off the page (a long record earns every label).
    subtitle = _wrap(chart_subtitle(summary), width - 0.24) if header else []
    margins = _Margins(left=0.72, right=max(0.25, overlay_in + label_in + 0.18),
                       top=0.82 + _LINE_IN * max(0, len(subtitle) - 1) if header else 0.3,
                       bottom=0.48)
    plot_width = width - margins.left - margins.right

    reused = _emptied_trend_axes(into, instrument, width, height, dpi) \
        if into is not None else None
    if reused is None:
        fig = Figure(figsize=(width, height), dpi=dpi)
        # Placed once the legend and footnote are sized.
        ax = fig.add_axes((0.1, 0.1, 0.8, 0.8), gid=_TREND_AXES)
        _style_axes(ax)
    else:
        fig, ax = reused

    # x range: every dated thing on the chart, padded; room on the right for band labels.
    days = [p.when for p in ordered] + [d.when for d in dosing]
    days += [when for series in overlays for when, _ in series.points]
    first = min(days) if days else date.today()
    last = max(days) if days else first
    span = max((last - first).days, 14)
    x_min = _num(first) - 0.04 * span
    x_max = _num(last) + (0.16 if instrument.bands else 0.05) * span
    ax.set_xlim(x_min, x_max)
    y_min, y_max = y_lo, y_hi
    ax.set_ylim(y_min, y_max)
    _date_axis(ax)
    # Along the axis, in about half the figure's height (the axes get what the heading, the
    # key and the notes leave): a custom measure's long name is whole in the heading.
    ax.set_ylabel(_elide(f"{visual(instrument.short_name)} total",
                         0.5 * height), fontsize=FONT)
    ax.yaxis.set_major_locator(_integer_locator(instrument.total_max - instrument.total_min))

    handles: list[Artist] = []
    if _BANDS_DRAWN.get(ax) != _bands_key(instrument):
        _draw_bands(ax, instrument)
        _BANDS_DRAWN[ax] = _bands_key(instrument)
    if instrument.bands is not None and not instrument.bands.validated:
        handles.append(_BandKey(validated=False, label="Severity bands (not validated)"))

    # Reliable-change corridor: the totals whose change from baseline is not reliable.
    if base is not None and rc is not None:
        half = math.ceil(rc.points - 1e-9) - 0.5
        handles.append(ax.axhspan(
            base - half, base + half, facecolor=OKABE_ITO["sky_blue"], alpha=0.22,
            edgecolor="none", zorder=1, gid="rc-corridor",
            label=f"Change < {rc.points:.3g}: not reliable",
        ))
    styles: dict[str, tuple[str | tuple[float, tuple[float, float]], float]] = {
        "baseline": ("-", 1.0),
        "response-line": ("-.", 1.3),
        "remission-line": ("--", 1.3),
        "meaningful-line": ((0, (1, 1.5)), 1.5),
    }
    for label in line_labels:
        linestyle, linewidth = styles.get(label.gid, ((0, (6, 3)), 1.1))
        ax.axhline(label.y, color=label.colour, linestyle=linestyle, linewidth=linewidth,
                   zorder=2, gid=label.gid)

    # Totals: one connecting line, then points coloured by their change from baseline.
    xs = [_num(p.when) for p in plotted]
    ys = [float(p.score.total) for p in plotted if p.score.total is not None]
    ax.plot(xs, ys, color=NEUTRAL, linewidth=1.3, zorder=3, gid="trend-line")
    point_size = 44.0 if len(plotted) <= 40 else 24.0
    categories: dict[str, list[tuple[TrendPoint, int]]] = {}
    for point in plotted:
        total = point.score.total
        assert total is not None
        if base is not None and point.when == base_when and total == base:
            key = "baseline"
        elif base is None:
            key = ChangeLabel.NO_RULE.value
        else:
            key = classify_change(instrument, base, total).value
        categories.setdefault(key, []).append((point, total))
    for key in ("baseline", *(label.value for label in _POINT_STYLE)):
        members = categories.get(key)
        if not members:
            continue
        if key == "baseline":
            gid, colour, label_text = "point-baseline", OKABE_ITO["black"], "Baseline"
        else:
            gid, colour, label_text = _POINT_STYLE[ChangeLabel(key)]
        for prorated in (False, True):  # a prorated total is drawn hollow
            drawn = [(p, total) for p, total in members if p.score.prorated == prorated]
            if drawn:
                _marks(ax, [_num(p.when) for p, _ in drawn], [total for _, total in drawn],
                       marker="o", area=point_size, face="white" if prorated else colour,
                       edge=colour, width=1.4, zorder=4, gid=gid)
        if key != "baseline":
            handles.append(Line2D([], [], linestyle="none", marker="o",
                                  markersize=math.sqrt(point_size), markerfacecolor=colour,
                                  markeredgecolor=colour, markeredgewidth=1.4,
                                  label=label_text))

    flag_labels = _draw_safety_flags(ax, ordered, point_size)
    if flag_labels:
        items = sorted({f.item for p in ordered for f in p.score.safety_flags if f.item})
        which = f" (item {', '.join(map(str, items))})" if items else ""
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=12,
                              markerfacecolor="none", markeredgecolor=OKABE_ITO["black"],
                              markeredgewidth=1.7, label=f"Safety item positive{which}"))

    # Dosing sessions: dotted verticals, labelled above the plot (clustered when close).
    if dosing:
        draw_dose_lines(ax, [dose.when for dose in dosing], linewidth=1.4, zorder=2)
        x_to_inch = plot_width / (x_max - x_min)
        for centre, text in _dose_label_groups(dosing, x_to_inch):
            ax.text(centre, 1.02, text, transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=FONT, color=DOSE, fontweight="bold", gid="dose-label")
        handles.append(Line2D([], [], color=DOSE, linestyle=(0, (2, 2)), linewidth=1.4,
                              label="Dosing session"))

    # Overlays on their own right-hand axis, named in the legend.
    if overlays:
        ax2 = ax.twinx()
        _style_axes(ax2, right_spine=True)
        ax2.spines["left"].set_visible(False)
        low = min(series.min_value for series in overlays)
        high = max(series.max_value for series in overlays)
        ax2.set_ylim(low - 0.5, high + 0.5)
        ax2.set_xlim(x_min, x_max)
        ax2.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10], integer=True))
        for index, series in enumerate(overlays):
            colour = OVERLAY_COLOURS[index % len(OVERLAY_COLOURS)]
            ordered_points = sorted(series.points)
            (line,) = ax2.plot(
                [_num(when) for when, _ in ordered_points], [value for _, value in ordered_points],
                color=colour, linestyle="--", linewidth=1.4, marker="D", markersize=4.5,
                zorder=3, gid=f"overlay:{series.label}",
                label=f"{visual(series.label)} ({series.min_value:g}–{series.max_value:g}, "
                      "right axis)",
            )
            handles.append(line)

    # Title, subtitle, legend and footnote; then the axes take what is left.
    if header:
        named = instrument.title if instrument.short_name == instrument.title else \
            f"{instrument.short_name} — {instrument.title}"  # a custom measure: its name
        # Within the figure (a custom measure's name may be long; _elide measures at FONT).
        heading = _elide(visual(title or named), (width - 0.24) * FONT / TITLE_FONT, bold=True)
        fig.text(0.12 / width, 1 - 0.1 / height, heading, ha="left", va="top",
                 fontsize=TITLE_FONT, fontweight="bold", gid="title")
        fig.text(0.12 / width, 1 - 0.34 / height, "\n".join(subtitle), ha="left", va="top",
                 fontsize=FONT, color=CHART_TEXT, linespacing=1.25, gid="subtitle")

    labels = [str(handle.get_label()) for handle in handles]
    ncol = _legend_columns(labels, width - 0.3)
    rows = math.ceil(len(handles) / ncol) if handles else 0
    legend_in = rows * 0.215 + (0.06 if rows else 0)

    note_lines = _wrap(_trend_notes(instrument, summary.incomplete_points, plotted),
                       width - 0.5) if footnote else []
    footnote_in = len(note_lines) * _LINE_IN + 0.1

    bottom = margins.bottom + legend_in + footnote_in
    plot_height = height - margins.top - bottom
    if plot_height < 1.0:
        raise ChartTooSmallError(
            f"a {width}x{height} in chart leaves no room for the plot; make it taller")
    position = (margins.left / width, bottom / height, plot_width / width, plot_height / height)
    for axes in fig.axes:
        axes.set_position(position)

    # Direct labels for the reference lines, nudged apart where they would collide.
    if line_labels:
        to_in = plot_height / (y_max - y_min)
        heights = [label.text.count("\n") + 1 for label in line_labels]
        gap = _LINE_IN * max(heights) * 0.9
        order_y = sorted(range(len(line_labels)), key=lambda i: line_labels[i].y)
        spread = _spread([(line_labels[i].y - y_min) * to_in for i in order_y], gap,
                         0.0, plot_height)
        x_text = 1 + (overlay_in + 0.08) / plot_width
        for index, y_in in zip(order_y, spread, strict=True):
            label = line_labels[index]
            ax.text(x_text, y_min + y_in / to_in, label.text, transform=ax.get_yaxis_transform(),
                    ha="left", va="center", fontsize=FONT, color=label.colour,
                    linespacing=1.1, gid=f"{label.gid}-label")

    y_to_in = plot_height / (y_max - y_min)
    _place_flag_labels(ax, flag_labels, plot_width / (x_max - x_min), y_to_in, x_min, y_min,
                       plot_height, plot_width,
                       _band_label_boxes(instrument, y_to_in, y_min, plot_width),
                       list(zip(xs, ys, strict=True)))
    if handles:
        _draw_legend(fig, handles, ncol, 0.06 + 0.2 * _EM_IN,
                     footnote_in + legend_in + 0.02 - 0.2 * _EM_IN)
    if note_lines:
        fig.text(0.12 / width, (footnote_in - 0.04) / height, "\n".join(note_lines),
                 ha="left", va="top", fontsize=FONT, color=CHART_NOTE, linespacing=1.25,
                 gid="footnote")
    return fig


_TREND_AXES = "trend-axes"
# A trend axes -> what its severity bands were drawn for. The bands, their boundaries and
# their labels depend on the instrument alone (drawn across the whole width, in axes
# coordinates): a figure that shows the same instrument again keeps them.
_BANDS_DRAWN: WeakKeyDictionary[Axes, object] = WeakKeyDictionary()
_BAND_GIDS = ("band:", "band-label:", "band-boundary")


def _bands_key(instrument: Instrument) -> object:
    return (instrument.bands, instrument.lower_is_better)


def _emptied_trend_axes(fig: Figure, instrument: Instrument, width: float, height: float,
                        dpi: float) -> tuple[Figure, Axes] | None:
    """The axes of a trend figure, emptied of everything drawn on them and around them
    (but the bands, when they are this instrument's), with the figure at the new size;
    None when the figure cannot be reused."""
    axes = fig.axes
    if len(axes) != 1 or axes[0].get_gid() != _TREND_AXES \
            or getattr(fig, "_original_dpi", fig.dpi) != dpi:
        return None
    ax = axes[0]
    keep_bands = _BANDS_DRAWN.get(ax) == _bands_key(instrument)
    if not keep_bands:
        _BANDS_DRAWN.pop(ax, None)
    for artist in (*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.artists,
                   *fig.artists, *fig.texts):
        if keep_bands and (artist.get_gid() or "").startswith(_BAND_GIDS):
            continue
        artist.remove()
    # The limits are set from the new points (set_xlim, set_ylim), so the data limits of
    # what stays (the bands) need not be measured again, which relim() does patch by patch.
    ax.dataLim.set_points(Bbox.null().get_points())
    ax.ignore_existing_data_limits = True
    if tuple(fig.get_size_inches()) != (width, height):
        fig.set_size_inches(width, height, forward=False)
    return fig, ax


def _trend_notes(instrument: Instrument, incomplete: int,
                 plotted: Sequence[TrendPoint]) -> str:
    rules = [r for r in instrument.rules() if r.source is not None or r.computed]
    notes = [_sources_footnote(rules)] if rules else []
    if incomplete:
        plural = "s" if incomplete != 1 else ""
        notes.append(f"{incomplete} incomplete administration{plural} not plotted.")
    if any(p.score.prorated for p in plotted):
        notes.append("Hollow points are prorated totals.")
    return " ".join(notes)


def trend_footnote(instrument: Instrument, points: Sequence[TrendPoint]) -> str:
    """The words under a trend chart: each rule and its source, what was not plotted and
    why. The chart draws them itself unless asked not to; a window writes them under it."""
    incomplete = sum(1 for p in points if p.score.total is None)
    plotted = [p for p in points if p.score.total is not None]
    return _trend_notes(instrument, incomplete, plotted)


class ChartTooSmallError(ValueError):
    """The size asked for leaves no room for the plot (a long legend or footnote): the
    caller may ask again, taller."""


def _integer_locator(span: int) -> MaxNLocator:
    return MaxNLocator(nbins=min(span, 8), steps=[1, 2, 5, 10], integer=True)


# --------------------------------------------------------------------------------------
# Dissociation per dosing session
# --------------------------------------------------------------------------------------


def build_cadss_chart(
    points_per_dose: Sequence[DoseDissociation],
    *,
    width: float = 7.0,
    height: float = 4.2,
    dpi: float = 100,
    sources: Sequence[Rule] = (),
) -> Figure:
    """Bars per dosing session: the CADSS total (0–92) and the CADSS-6 subtotal (0–24).

    x is the dose number, not time. A panel is drawn only for measures that have data;
    incomplete administrations show as 'incomplete' instead of a bar.
    """
    doses = sorted(points_per_dose, key=lambda p: p.dose_number)
    has_full = any(p.score.instrument_id == "cadss" for p in doses)
    panels: list[tuple[str, str, int, str, str]] = []
    if has_full:
        panels.append(("cadss-total-bar", "CADSS total", 92, OKABE_ITO["blue"], "total"))
    panels.append(("cadss6-bar", "CADSS-6", 24, OKABE_ITO["orange"], "six"))

    fig = Figure(figsize=(width, height), dpi=dpi)
    note = _cadss_footnote(sources)
    note_lines = _wrap(note, width - 0.5)
    footnote_in = len(note_lines) * _LINE_IN + 0.12
    top_in, bottom_in, gap_in = 0.45, 0.55 + footnote_in, 0.35
    panel_in = (height - top_in - bottom_in - gap_in * (len(panels) - 1)) / len(panels)
    numbers = [p.dose_number for p in doses]
    plot_width_in = width - 1.0
    # Inches from one dose to the next: a value over each bar, and a label under each dose,
    # only where they fit (sixty doses leave a tenth of an inch a bar).
    pitch_in = plot_width_in / (max(numbers) - min(numbers) + 1.2) if numbers else 1.0
    values_fit = pitch_in >= _text_width_in("88") + _LABEL_GAP_IN

    def tick_text(p: DoseDissociation) -> str:
        return (p.label or f"D{p.dose_number}") + (f"\n{day_month(p.when)}" if p.when else "")

    widest = max((_text_width_in(line) for p in doses for line in tick_text(p).split("\n")),
                 default=0.0)
    step = max(1, math.ceil(len(doses) * (widest + _LABEL_GAP_IN) / plot_width_in),
               math.ceil(len(doses) / _MAX_DOSE_TICKS))
    labelled = doses[::step]
    for index, (gid, label, ceiling, colour, which) in enumerate(panels):
        bottom = bottom_in + (len(panels) - 1 - index) * (panel_in + gap_in)
        ax = fig.add_axes((0.72 / width, bottom / height, plot_width_in / width,
                           panel_in / height))
        _style_axes(ax)
        ax.set_ylim(0, ceiling * 1.08)
        ax.set_ylabel(f"{label} (0–{ceiling})", fontsize=FONT)
        ax.yaxis.set_major_locator(_integer_locator(ceiling))
        bars: list[tuple[int, int]] = []
        for dose in doses:
            value = dose.cadss_total if which == "total" else dose.cadss6_total
            if value is None:
                measured = which == "six" or dose.score.instrument_id == "cadss"
                ax.text(dose.dose_number, ceiling * 0.04, "incomplete" if measured else "not given",
                        ha="center", va="bottom", fontsize=FONT, color=CHART_MUTED, rotation=90,
                        gid="cadss-incomplete" if measured else "cadss-not-given")
                continue
            bars.append((dose.dose_number, value))
            if values_fit:
                ax.text(dose.dose_number, value + ceiling * 0.02, str(value), ha="center",
                        va="bottom", fontsize=FONT, color=INK, gid=f"{gid}-value")
        if bars:  # one call for the panel's bars: a call per bar costs a millisecond each
            ax.bar([x for x, _ in bars], [v for _, v in bars], width=0.6, color=colour,
                   zorder=2, gid=gid)
        # Every `step`th dose labelled, so no two labels touch (and each tick costs
        # matplotlib several milliseconds to build).
        ax.set_xticks([p.dose_number for p in labelled])
        show_dates = index == len(panels) - 1
        ax.set_xticklabels([tick_text(p) for p in labelled] if show_dates else [])
        if numbers:
            ax.set_xlim(min(numbers) - 0.6, max(numbers) + 0.6)
        ax.grid(axis="y", color=CHART_GRID, linewidth=0.8, zorder=0)
        ax.set_axisbelow(True)
    fig.text(0.12 / width, 1 - 0.1 / height, "Dissociation at each dosing session",
             ha="left", va="top", fontsize=TITLE_FONT, fontweight="bold", gid="title")
    fig.text(0.12 / width, (footnote_in - 0.06) / height, "\n".join(note_lines), ha="left",
             va="top", fontsize=FONT, color=CHART_NOTE, linespacing=1.25, gid="footnote")
    return fig


_MAX_DOSE_TICKS = 20
_LABEL_GAP_IN = 0.06  # the least room between two labels side by side


def _cadss_footnote(sources: Sequence[Rule]) -> str:
    if sources:
        return _sources_footnote(sources)
    return (
        "CADSS: Bremner et al. 1998; CADSS-6 (items 1, 2, 6, 7, 15, 22): Rodrigues et al. "
        "2021. No severity bands or change rules: one value per dosing session, not a trend."
    )


# --------------------------------------------------------------------------------------
# Sparkline
# --------------------------------------------------------------------------------------


def build_sparkline(
    points: Sequence[TrendPoint],
    instrument: Instrument | None = None,
    *,
    width: float = 1.6,
    height: float = 0.42,
    dpi: float = 100,
) -> Figure:
    """A small line of the charted totals, last point marked; no axes."""
    fig = Figure(figsize=(width, height), dpi=dpi)
    ax = fig.add_axes((0.03, 0.12, 0.94, 0.76))
    ax.set_axis_off()
    plotted = sorted((p for p in points if p.score.total is not None), key=lambda p: p.when)
    xs = [_num(p.when) for p in plotted]
    ys = [float(p.score.total) for p in plotted if p.score.total is not None]
    if instrument is not None:
        ax.set_ylim(instrument.total_min - 0.5, instrument.total_max + 0.5)
    ax.plot(xs, ys, color=NEUTRAL, linewidth=1.2, gid="sparkline")
    if plotted:
        colour = NEUTRAL
        if instrument is not None and len(plotted) > 1:
            # The baseline the change summary uses (first marked baseline), not the first
            # point: the colour and the summary must never disagree.
            ordered = sorted(points, key=lambda p: p.when)
            summary, _base = summarise_change(instrument, [
                (p.when, p.relation_to_care.value if p.relation_to_care else None, p.score)
                for p in ordered])
            if summary.label in _POINT_STYLE:
                colour = _POINT_STYLE[summary.label][1]
        ax.scatter(xs[-1:], ys[-1:], s=16, color=colour, zorder=3, gid="sparkline-last")
        if len(xs) == 1:
            ax.set_xlim(xs[0] - 1, xs[0] + 1)
    return fig


def warm_up() -> None:
    """Draw one small chart off screen, so the fonts, the text layout and the Agg renderer
    the first real chart needs are loaded already (the window calls this on its worker
    after unlock; a chart is never drawn there)."""
    fig = Figure(figsize=(2.0, 1.0), dpi=50)
    ax = fig.add_subplot()
    ax.plot([_num(date(2026, 1, 1)), _num(date(2026, 2, 1))], [0, 1])
    _date_axis(ax)
    _style_axes(ax)
    ax.set_title("warm-up", fontsize=TITLE_FONT)
    _text_width_in("warm-up")
    FigureCanvasAgg(fig).draw()  # type: ignore[no-untyped-call]


# --------------------------------------------------------------------------------------
# Bytes for the PDF
# --------------------------------------------------------------------------------------


def figure_to_png_bytes(fig: Figure, dpi: float = 200) -> bytes:
    """Render to PNG in memory; the figure keeps whatever canvas it had (e.g. a Qt one)."""
    previous = fig.canvas
    buffer = io.BytesIO()
    try:
        FigureCanvasAgg(fig).print_figure(
            buffer, format="png", dpi=dpi, metadata={"Software": None}
        )
    finally:
        fig.set_canvas(previous)
    return buffer.getvalue()


def figure_to_svg_bytes(fig: Figure) -> bytes:
    """Render to SVG in memory, reproducibly (no date, fixed id salt)."""
    previous = fig.canvas
    buffer = io.BytesIO()
    try:
        with rc_context({"svg.hashsalt": "integration-workstation", "svg.fonttype": "path"}):
            FigureCanvasSVG(fig).print_figure(buffer, format="svg", metadata={"Date": None})
    finally:
        fig.set_canvas(previous)
    return buffer.getvalue()
