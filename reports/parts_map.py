"""The IFS parts map as a matplotlib Figure: the same map the Parts tab draws, for the PDF.

Pure: a `models.clinical.parts_map.PartsMap` in (`chart_map(chart)` for today,
`snapshot_map(snapshot, chart.self_energy)` for a past date), a `Figure` out; no Qt, no
database. Shapes and colours per part type and line styles per relation come from
`reports.palette` (PART_LOOKS, RELATION_LOOKS), as in the Qt map; positions, sizes and
Self's radius from models.clinical.parts_map, and where each part's label goes
(`place_labels`, as in the Parts tab: its own side unless that covers a line or another
label). Map y points down (as on screen), so it is flipped here.

`build_parts_map(parts_map, differences=...)` marks, on an older map, what differs from
today: statuses changed since (an outer ring and the status now), relations gone since
(a cross on the line), and, faint and dashed, parts and relations added later.

Every part has a gid for tests: "self", "part:<id>", "part-label:<id>",
"relation:<kind>:<from>:<to>", "changed:<id>", "gone:<kind>:<from>:<to>",
"later-part:<id>", "later-relation:<kind>:<from>:<to>", "legend", "footnote", "title",
"empty".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon, RegularPolygon
from matplotlib.path import Path

from models.clinical.parts_map import (
    CHANGED_RING,
    PART_SIZE,
    SELF_ENERGY_NOTE,
    Box,
    LabelAsk,
    MapDifferences,
    PartsMap,
    Point,
    RelationEnd,
    line_boxes,
    map_status_text,
    name_lines,
    place_labels,
    relation_course,
    relation_key,
    relation_lanes,
    self_energy_text,
    self_radius,
)
from models.dto import MapPartDTO, MapRelationDTO
from models.vocabulary import DIRECTED_RELATIONS, PART_RELATIONS, PART_TYPES
from reports.bidi import visual
from reports.charts import FONT, TITLE_FONT, _text_width_in, _wrap
from reports.palette import (
    CHART_MUTED,
    CHART_NOTE,
    CHART_TEXT,
    MAP_BACKGROUND,
    MAP_CHANGED,
    MAP_EDGE,
    MAP_LATER,
    SELF_EDGE,
    SELF_FILL,
    PartLook,
    label_reach,
    node_radius,
    part_look,
    relation_look,
)

__all__ = ["build_parts_map", "fitted_height"]

_LINESTYLES: dict[str, Any] = {"solid": "-", "dashed": (0, (5, 3)), "dotted": (0, (1.2, 1.8))}
_LEGEND_MARKERS = {"rounded_square": "s", "diamond": "D", "circle": "o", "hexagon": "h"}


def _shape(look: PartLook, x: float, y: float, *, edge: str | None = None,
           fill: str | None = None, dashed: bool = False, width: float = 1.6,
           gid: str = "") -> FancyBboxPatch | Polygon | Circle | RegularPolygon:
    """A part's shape centred on (x, y) in matplotlib coordinates (y up)."""
    half = PART_SIZE / 2
    style: dict[str, Any] = {
        "facecolor": fill or look.fill, "edgecolor": edge or look.edge, "linewidth": width,
        "linestyle": "--" if dashed or look.dashed else "-", "zorder": 4, "gid": gid,
    }
    if look.shape == "rounded_square":
        inset = half * 0.82
        return FancyBboxPatch((x - inset, y - inset), 2 * inset, 2 * inset,
                              boxstyle=f"round,pad=0,rounding_size={half * 0.3}", **style)
    if look.shape == "diamond":
        r = half * 1.12
        return Polygon([(x, y + r), (x + r, y), (x, y - r), (x - r, y)], closed=True, **style)
    if look.shape == "hexagon":
        return RegularPolygon((x, y), 6, radius=half * 0.98, **style)
    return Circle((x, y), half * 0.92, **style)


def _course(a: MapPartDTO, b: MapPartDTO, lane: float,
            self_energy: int | None) -> tuple[Point, Point | None, Point] | None:
    """The relation's course from a to b (models.clinical.parts_map.relation_course), in
    map coordinates (y down)."""
    return relation_course(RelationEnd(a.id, a.x, a.y, node_radius(a.part_type)),
                           RelationEnd(b.id, b.x, b.y, node_radius(b.part_type)), lane,
                           self_energy)


def _draw_relation(ax: Axes, relation: MapRelationDTO, parts: dict[int, MapPartDTO], *,
                   lane: float = 0.0, self_energy: int | None = None,
                   colour: str | None = None, style: str | None = None,
                   gid: str) -> Point | None:
    a, b = parts.get(relation.from_part_id), parts.get(relation.to_part_id)
    if a is None or b is None:
        return None
    course = _course(a, b, lane, self_energy)
    if course is None:
        return None
    (x1, y1), bend, (x2, y2) = course
    look = relation_look(relation.kind)
    arrow = "-|>" if relation.kind in DIRECTED_RELATIONS else "-"
    style_args: dict[str, Any] = {
        "arrowstyle": arrow, "mutation_scale": 14, "color": colour or look.colour,
        "linewidth": look.width, "linestyle": _LINESTYLES[style or look.style], "zorder": 2,
        "gid": gid,
    }
    if bend is None:
        patch = FancyArrowPatch((x1, -y1), (x2, -y2), shrinkA=0, shrinkB=0, **style_args)
        middle = ((x1 + x2) / 2, -(y1 + y2) / 2)
    else:
        qx, qy = bend
        curve = Path([(x1, -y1), (qx, -qy), (x2, -y2)],
                     [Path.MOVETO, Path.CURVE3, Path.CURVE3])
        patch = FancyArrowPatch(path=curve, **style_args)
        middle = (0.25 * x1 + 0.5 * qx + 0.25 * x2, -(0.25 * y1 + 0.5 * qy + 0.25 * y2))
    ax.add_patch(patch)
    return middle


_STATUS_FONT = FONT - 1.5
_LABEL_PAD_PT = 2.0  # round a label's words: its backing
_LABEL_HEIGHT_PT = FONT + 3 + _STATUS_FONT * 1.3 + 2 * _LABEL_PAD_PT  # a name over a status
_NAME_LINE_PT = FONT * 1.2  # a name's next line (matplotlib's line spacing)


def _label_height_pt(name: tuple[str, ...]) -> float:
    return _LABEL_HEIGHT_PT + (len(name) - 1) * _NAME_LINE_PT


def _label_ask(part: MapPartDTO, status: str, now_status: str | None,
               units_per_pt: float) -> LabelAsk:
    """The part's label as models.clinical.parts_map.place_labels places it: its words'
    size in map units at the figure's scale (the words keep their size in points)."""
    name = name_lines(part.name)
    width_pt = max(*(_text_width_in(line, bold=True) for line in name),
                   _text_width_in(status) * _STATUS_FONT / FONT) * 72 + 2 * _LABEL_PAD_PT
    return LabelAsk(part.id, part.x, part.y, width_pt * units_per_pt,
                    _label_height_pt(name) * units_per_pt,
                    label_reach(part.part_type, now_status is not None), part.part_type)


def _draw_part(ax: Axes, part: MapPartDTO, spot: str, units_per_pt: float, *,
               later: bool = False, now_status: str | None = None) -> None:
    """The part's shape, and its name over its status at `spot` (LABEL_SPOTS)."""
    look = part_look(part.part_type)
    x, y = part.x, -part.y
    if later:
        ax.add_patch(_shape(look, x, y, edge=MAP_LATER, fill="white", dashed=True, width=1.2,
                            gid=f"later-part:{part.id}"))
    else:
        ax.add_patch(_shape(look, x, y, gid=f"part:{part.id}"))
    if now_status is not None:
        ax.add_patch(Circle((x, y), CHANGED_RING, facecolor="none", edgecolor=MAP_CHANGED,
                            linewidth=1.8, linestyle=(0, (3, 2)), zorder=3,
                            gid=f"changed:{part.id}"))
    status = map_status_text(part.status, later=later, now=now_status)
    status_colour = MAP_CHANGED if now_status is not None else (
        MAP_LATER if later else CHART_MUTED)
    box = {"boxstyle": "round,pad=0.12", "facecolor": MAP_BACKGROUND, "edgecolor": "none",
           "alpha": 0.8}
    name_look: dict[str, Any] = {"fontsize": FONT, "fontweight": "bold", "zorder": 6,
                                 "color": MAP_LATER if later else CHART_TEXT,
                                 "gid": f"part-label:{part.id}", "bbox": box}
    status_look: dict[str, Any] = {"fontsize": _STATUS_FONT, "zorder": 6,
                                   "color": status_colour, "bbox": box}
    reach = label_reach(part.part_type, now_status is not None)
    name = name_lines(part.name)
    written = "\n".join(visual(line) for line in name)
    if spot == "above":  # the status nearest the shape, the name over it
        ax.text(x, y + reach, status, ha="center", va="bottom", **status_look)
        ax.annotate(written, (x, y + reach), xytext=(0, FONT - 1),
                    textcoords="offset points", ha="center", va="bottom", **name_look)
        return
    # Under the shape, or beside it (the name's top half a label's height over its centre,
    # the words aligned on the side toward the shape): the name, then the status under it.
    if spot == "below":
        anchor, align = (x, y - reach), "center"
    else:
        top = y + (_label_height_pt(name) / 2 - _LABEL_PAD_PT) * units_per_pt
        anchor, align = ((x + reach, top), "left") if spot == "right" else \
            ((x - reach, top), "right")
    ax.text(*anchor, written, ha=align, va="top", **name_look)
    ax.annotate(status, anchor, xytext=(0, -FONT - 3 - (len(name) - 1) * _NAME_LINE_PT),
                textcoords="offset points", ha=align, va="top", **status_look)


def _self_words_box(parts_map: PartsMap, units_per_pt: float) -> Box:
    """Where the Self-energy line lies under Self, in map units (y down)."""
    radius = self_radius(parts_map.self_energy)
    half = (_text_width_in(self_energy_text(parts_map.self_energy)) * _STATUS_FONT / FONT * 72
            / 2 + _LABEL_PAD_PT) * units_per_pt
    top = radius + 3 * units_per_pt
    return (-half, top, half, top + (_STATUS_FONT * 1.3 + _LABEL_PAD_PT) * units_per_pt)


def _label_spots(parts_map: PartsMap, drawn: Sequence[tuple[MapPartDTO, bool, str | None]],
                 courses: Sequence[tuple[Point, Point | None, Point]],
                 units_per_pt: float) -> dict[int, str]:
    """Where each drawn part's label goes, as the Parts tab places them: `drawn` is
    (part, later, now status); `courses` the relations' lines."""
    radius = self_radius(parts_map.self_energy)
    half = CHANGED_RING
    return place_labels(
        [_label_ask(part, map_status_text(part.status, later=later, now=now), now,
                    units_per_pt)
         for part, later, now in drawn],
        {part.id: (part.x - half, part.y - half, part.x + half, part.y + half)
         for part, _, _ in drawn},
        [(-radius, -radius, radius, radius), _self_words_box(parts_map, units_per_pt)],
        [box for course in courses for box in line_boxes(*course)])


def _legend_handles(parts_map: PartsMap, differences: MapDifferences | None) -> list[Line2D]:
    handles = [Line2D([], [], linestyle="none", marker="o", markersize=12,
                      markerfacecolor=SELF_FILL, markeredgecolor=SELF_EDGE,
                      label="Self (size: Self-energy)")]
    for term in PART_TYPES:
        look = part_look(term.code)
        handles.append(Line2D([], [], linestyle="none", marker=_LEGEND_MARKERS[look.shape],
                              markersize=9, markerfacecolor=look.fill,
                              markeredgecolor=look.edge, label=term.label))
    for term in PART_RELATIONS:
        line = relation_look(term.code)
        arrow = " (arrow: protector to protected)" if term.code in DIRECTED_RELATIONS else ""
        handles.append(Line2D([], [], color=line.colour, linewidth=line.width,
                              linestyle=_LINESTYLES[line.style], label=term.label + arrow))
    if differences is not None and not differences.empty:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=12,
                              markerfacecolor="none", markeredgecolor=MAP_CHANGED,
                              label="Status changed since"))
        handles.append(Line2D([], [], linestyle="none", marker="x", markersize=8,
                              markeredgecolor=MAP_CHANGED, markeredgewidth=2,
                              label="Relation gone since"))
        handles.append(Line2D([], [], color=MAP_LATER, linestyle=(0, (4, 3)), linewidth=1.2,
                              label="Added later"))
    return handles


_LABEL_ROOM_IN = (0.62, 0.42)  # room for a name and its status beside and above/below


def _reach(parts_map: PartsMap, later: Sequence[MapPartDTO] = ()) -> list[
        tuple[float, float, float]]:
    """Every mark on the map as (x, y, reach) in matplotlib's coordinates (y up)."""
    reach = [(0.0, 0.0, self_radius(parts_map.self_energy) + 6)]
    return reach + [(p.x, -p.y, PART_SIZE * 0.7) for p in (*parts_map.parts, *later)]


def _extent(points: Sequence[tuple[float, float, float]]) -> tuple[float, float, float,
                                                                   float]:
    xs = [x - r for x, _, r in points] + [x + r for x, _, r in points]
    ys = [y - r for _, y, r in points] + [y + r for _, y, r in points]
    return min(xs), max(xs), min(ys), max(ys)


def _fit(ax: Axes, points: Sequence[tuple[float, float, float]], width_in: float,
         height_in: float) -> float:
    """Show every (x, y, reach) with equal scales on both axes, centred, with room for
    the labels (sized in inches, whatever the scale); the scale, in map units per inch."""
    x0, x1, y0, y1 = _extent(points)
    span_x, span_y = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    room_w = max(width_in - 2 * _LABEL_ROOM_IN[0], 0.5)
    room_h = max(height_in - 2 * _LABEL_ROOM_IN[1], 0.5)
    scale = max(span_x / room_w, span_y / room_h)  # map units per inch
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ax.set_xlim(cx - scale * width_in / 2, cx + scale * width_in / 2)
    ax.set_ylim(cy - scale * height_in / 2, cy + scale * height_in / 2)
    return scale


@dataclass(frozen=True)
class _Frame:
    """What surrounds the map in a figure `width` wide: the legend, the note, the title."""

    handles: list[Line2D]
    labels: list[str]
    ncol: int
    legend_in: float
    note_lines: list[str]
    note_in: float
    title_in: float

    @property
    def around_in(self) -> float:
        return self.title_in + self.legend_in + self.note_in + 0.1

    @classmethod
    def of(cls, parts_map: PartsMap, width: float, differences: MapDifferences | None,
           title: str | None, legend: bool) -> _Frame:
        handles = _legend_handles(parts_map, differences) if legend else []
        labels = [str(h.get_label()) for h in handles]
        column_in = max((_text_width_in(label) for label in labels), default=0.0) + 0.55
        ncol = max(1, min(len(handles), int((width - 0.3) // column_in))) if handles else 1
        legend_in = math.ceil(len(handles) / ncol) * 0.215 + 0.1 if handles else 0.0
        note_lines = _wrap(SELF_ENERGY_NOTE, width - 0.4)
        return cls(handles, labels, ncol, legend_in, note_lines,
                   len(note_lines) * 0.165 + 0.08, 0.4 if title else 0.05)


def fitted_height(parts_map: PartsMap, width: float, *, tallest: float,
                  differences: MapDifferences | None = None, title: str | None = None,
                  legend: bool = True) -> float:
    """The height (inches) at which the map fills a figure `width` wide: as tall as its
    parts stand at the scale their width allows, so none of the page is left empty beside
    or above them, and no taller than `tallest`."""
    frame = _Frame.of(parts_map, width, differences, title, legend)
    later = differences.parts_added if differences is not None else ()
    x0, x1, y0, y1 = _extent(_reach(parts_map, later))
    room_w = max(width - 0.2 - 2 * _LABEL_ROOM_IN[0], 0.5)
    scale = max(x1 - x0, 1.0) / room_w  # map units per inch, when the width decides
    map_h = max(y1 - y0, 1.0) / scale + 2 * _LABEL_ROOM_IN[1]
    return min(tallest, max(map_h, 1.5) + frame.around_in)


def build_parts_map(
    parts_map: PartsMap,
    *,
    width: float = 7.0,
    height: float = 6.0,
    dpi: float = 100,
    differences: MapDifferences | None = None,
    title: str | None = None,
    legend: bool = True,
) -> Figure:
    """The map: Self at the centre sized by its rating, each part by its type, relations
    by their kind, a legend and the note that Self-energy is a clinician's rating.

    `differences` (from `map_differences(parts_map, today)`) marks what changed since
    this map, for a map of a past date; `title` heads the figure."""
    fig = Figure(figsize=(width, height), dpi=dpi, facecolor="white")
    frame = _Frame.of(parts_map, width, differences, title, legend)
    handles, labels, ncol = frame.handles, frame.labels, frame.ncol
    legend_in, note_in, note_lines = frame.legend_in, frame.note_in, frame.note_lines
    map_h = height - frame.around_in
    if map_h < 1.5:
        from reports.charts import ChartTooSmallError

        raise ChartTooSmallError(f"a {width}x{height} in map leaves no room; make it taller")
    ax = fig.add_axes((0.1 / width, (legend_in + note_in + 0.05) / height,
                       (width - 0.2) / width, map_h / height))
    ax.set_axis_off()
    ax.set_facecolor(MAP_BACKGROUND)
    ax.add_patch(FancyBboxPatch((0, 0), 1, 1, boxstyle="round,pad=0,rounding_size=0.01",
                                transform=ax.transAxes, facecolor=MAP_BACKGROUND,
                                edgecolor=MAP_EDGE, linewidth=0.8, zorder=0))
    if title:
        fig.text(0.12 / width, 1 - 0.1 / height, title, ha="left", va="top",
                 fontsize=TITLE_FONT, fontweight="bold", color=CHART_TEXT, gid="title")

    parts = {p.id: p for p in parts_map.parts}
    later = {p.id: p for p in differences.parts_added} if differences else {}
    changed = ({s.part_id: s.now for s in differences.statuses_changed}
               if differences else {})
    gone = differences.removed_relation_keys() if differences else set()

    radius = self_radius(parts_map.self_energy)
    ax.add_patch(Circle((0, 0), radius, facecolor=SELF_FILL, edgecolor=SELF_EDGE,
                        linewidth=2.0, linestyle="-" if parts_map.self_energy is not None
                        else "--", zorder=3, gid="self"))
    ax.text(0, 0, "Self", ha="center", va="center", fontsize=FONT + 1, fontweight="bold",
            color=CHART_TEXT, zorder=6)
    ax.annotate(self_energy_text(parts_map.self_energy), (0, -radius), xytext=(0, -3),
                textcoords="offset points", ha="center", va="top", fontsize=FONT - 1.5,
                color=CHART_NOTE, zorder=6, gid="self-energy",
                bbox={"boxstyle": "round,pad=0.1", "facecolor": MAP_BACKGROUND,
                      "edgecolor": "none", "alpha": 0.8})

    lanes = relation_lanes((*parts_map.relations,
                            *(differences.relations_added if differences else ())))
    units_per_pt = _fit(ax, _reach(parts_map, tuple(later.values())), width - 0.2,
                        map_h) / 72
    everyone = {**parts, **later}
    courses = []
    for relation in (*parts_map.relations,
                     *(differences.relations_added if differences else ())):
        a, b = everyone.get(relation.from_part_id), everyone.get(relation.to_part_id)
        key = relation_key(relation.kind, relation.from_part_id, relation.to_part_id)
        course = _course(a, b, lanes.get(key, 0.0), parts_map.self_energy) \
            if a is not None and b is not None else None
        if course is not None:
            courses.append(course)
    drawn = [(part, False, changed.get(part.id)) for part in parts_map.parts]
    drawn += [(part, True, None) for part in later.values()]
    spots = _label_spots(parts_map, drawn, courses, units_per_pt)
    for relation in parts_map.relations:
        key = relation_key(relation.kind, relation.from_part_id, relation.to_part_id)
        gid = "relation:{}:{}:{}".format(*key)
        middle = _draw_relation(ax, relation, parts, lane=lanes.get(key, 0.0),
                                self_energy=parts_map.self_energy, gid=gid)
        if key in gone and middle is not None:
            ax.plot([middle[0]], [middle[1]], marker="x", markersize=9, markeredgewidth=2.2,
                    color=MAP_CHANGED, zorder=5, gid="gone:{}:{}:{}".format(*key))
    if differences is not None:
        for relation in differences.relations_added:
            key = relation_key(relation.kind, relation.from_part_id, relation.to_part_id)
            _draw_relation(ax, relation, everyone, lane=lanes.get(key, 0.0),
                           self_energy=parts_map.self_energy, colour=MAP_LATER, style="dashed",
                           gid="later-relation:{}:{}:{}".format(*key))
    for part, is_later, now in drawn:
        _draw_part(ax, part, spots[part.id], units_per_pt, later=is_later, now_status=now)
    if not parts_map.parts:
        ax.text(0.5, 0.12, "No parts on the map yet", transform=ax.transAxes, ha="center",
                va="center", fontsize=FONT, color=CHART_MUTED, gid="empty")

    if handles:
        fig.legend(handles=handles, labels=labels, loc="lower left", ncol=ncol,
                   bbox_to_anchor=(0.06 / width, (note_in + 0.02) / height), fontsize=FONT,
                   frameon=False, handlelength=2.2, columnspacing=1.0, borderaxespad=0.0,
                   borderpad=0.1).set_gid("legend")
    fig.text(0.12 / width, (note_in - 0.04) / height, "\n".join(note_lines), ha="left",
             va="top", fontsize=FONT - 0.5, color=CHART_NOTE, style="italic", gid="footnote")
    return fig
