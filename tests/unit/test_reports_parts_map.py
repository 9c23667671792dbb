"""The parts map figure: shapes by type, Self by its rating, relations by kind, and the
differences an older map marks."""

from __future__ import annotations

import datetime as dt

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon
from matplotlib.text import Text

from models.clinical.parts_map import (
    NAME_LINE_CHARS,
    NAME_LINES,
    PartsMap,
    map_differences,
    name_lines,
    self_radius,
)
from models.dto import MapPartDTO, MapRelationDTO
from reports.charts import figure_to_png_bytes, find_artists
from reports.parts_map import build_parts_map

PLANNER = MapPartDTO(1, "Planner", "manager", "befriended", 4, 0, -190)
NUMB = MapPartDTO(2, "Numb One", "firefighter", "identified", None, 0, 190)
LITTLE = MapPartDTO(3, "Little One", "exile", "identified", 2, 0, -330)
NOW = PartsMap((PLANNER, NUMB, LITTLE), (MapRelationDTO("protects", 1, 3),
                                         MapRelationDTO("polarized", 1, 2)), 6)


def test_every_part_has_its_types_shape_and_self_its_rating() -> None:
    fig = build_parts_map(NOW)
    assert isinstance(find_artists(fig, "part:1")[0], FancyBboxPatch)  # manager
    assert isinstance(find_artists(fig, "part:2")[0], Polygon)  # firefighter: a diamond
    assert isinstance(find_artists(fig, "part:3")[0], Circle)  # exile
    self_mark = find_artists(fig, "self")[0]
    assert isinstance(self_mark, Circle) and self_mark.get_radius() == self_radius(6)
    energy = find_artists(fig, "self-energy")[0]
    assert isinstance(energy, Text) and energy.get_text() == "Self-energy 6/10"
    # y points down on the map and up in matplotlib: the manager above Self stays above.
    planner = find_artists(fig, "part:1")[0]
    assert isinstance(planner, FancyBboxPatch) and planner.get_y() > 0
    note = find_artists(fig, "footnote")[0]
    assert isinstance(note, Text) and "not a validated measure" in note.get_text()


def test_protects_is_an_arrow_and_the_undirected_kinds_are_plain_lines() -> None:
    fig = build_parts_map(NOW)
    protects = find_artists(fig, "relation:protects:1:3")[0]
    polarized = find_artists(fig, "relation:polarized:1:2")[0]
    assert isinstance(protects, FancyArrowPatch) and isinstance(polarized, FancyArrowPatch)
    assert type(protects.get_arrowstyle()).__name__ == "CurveFilledB"  # "-|>": an arrow head
    assert type(polarized.get_arrowstyle()).__name__ == "Curve"  # "-": none
    assert protects.get_linestyle() != polarized.get_linestyle()


def test_an_older_map_marks_what_differs_from_today() -> None:
    then = PartsMap((PLANNER, MapPartDTO(3, "Little One", "exile", "identified", 2, 0, -330)),
                    (MapRelationDTO("allied", 1, 3),), 3, dt.date(2026, 8, 1))
    now = PartsMap((PLANNER, NUMB, MapPartDTO(3, "Little One", "exile", "witnessed", 2, 0,
                                              -330)), NOW.relations, 6)
    fig = build_parts_map(then, differences=map_differences(then, now), title="As on 1 Aug")
    assert find_artists(fig, "changed:3") and not find_artists(fig, "changed:1")
    assert find_artists(fig, "gone:allied:1:3")
    assert find_artists(fig, "later-part:2")
    assert find_artists(fig, "later-relation:protects:1:3")
    assert find_artists(fig, "later-relation:polarized:1:2")
    assert figure_to_png_bytes(fig, dpi=50).startswith(b"\x89PNG")


def test_an_empty_map_says_so() -> None:
    fig = build_parts_map(PartsMap((), (), None))
    assert find_artists(fig, "empty")
    assert find_artists(fig, "self")


def test_a_label_moves_beside_its_part_off_the_lines_as_in_the_parts_tab() -> None:
    # The Planner's lines leave it upward (it protects Little One) and downward (polarized
    # with the Numb One, round Self): its name goes beside it, not over a line. The places
    # come from the function the Parts tab uses.
    fig = build_parts_map(NOW)
    renderer = FigureCanvasAgg(fig).get_renderer()
    shape = find_artists(fig, "part:1")[0].get_window_extent(renderer)
    name = find_artists(fig, "part-label:1")[0].get_window_extent(renderer)
    assert name.x0 > shape.x1  # right of it (outward: it is not left of Self)
    assert name.y0 < shape.y1 and name.y1 > shape.y0  # at its height
    # Little One's one line leaves it downward, toward Self: an exile's own place, away
    # from Self (over it, here), is clear, and it keeps it.
    little = find_artists(fig, "part:3")[0].get_window_extent(renderer)
    little_name = find_artists(fig, "part-label:3")[0].get_window_extent(renderer)
    assert little_name.y0 >= little.y1


def test_a_long_name_is_written_on_up_to_three_lines_by_its_shape() -> None:
    """A descriptive name (up to 120 characters) ran across the whole map on one line."""
    name = ("The Very Protective Older Sister Who Keeps Everyone Safe From Harm At All "
            "Costs And Never Rests")
    assert name_lines("Little One") == ("Little One",)
    lines = name_lines(name)
    assert len(lines) == NAME_LINES and lines[-1].endswith("…")
    assert all(len(line) <= NAME_LINE_CHARS for line in lines)
    assert name.startswith(" ".join(lines).removesuffix(" …"))  # whole words, in order
    sister = MapPartDTO(4, name, "manager", "identified", None, 300, -190)  # label below
    fig = build_parts_map(PartsMap((PLANNER, sister), (), None))
    label = find_artists(fig, "part-label:4")[0]
    assert isinstance(label, Text) and label.get_text() == "\n".join(lines)
    status = next(t for t in fig.axes[0].texts if t.get_text() == "identified")
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    name_box = label.get_window_extent(renderer)
    status_box = status.get_window_extent(renderer)
    assert status_box.y1 <= name_box.y0 + 1 or status_box.y0 >= name_box.y1 - 1  # apart
