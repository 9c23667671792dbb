"""The parts map as data: placement by type, Self's size, the map now and its differences."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from models.clinical.parts_map import (
    EXILE_RING,
    PART_SIZE,
    PROTECTOR_RING,
    LabelAsk,
    PartsMap,
    current_map,
    difference_lines,
    labels_collide,
    map_differences,
    map_on_day,
    place_labels,
    place_part,
    self_energy_on,
    self_radius,
)
from models.dto import (
    ClientChart,
    ClientDetail,
    MapPartDTO,
    MapRelationDTO,
    MapSnapshotDTO,
    PartDTO,
    PartRelationDTO,
    SelfEnergyPoint,
)

D = dt.date(2026, 5, 1)


def _part(pid: int, name: str, kind: str, x: float = 0.0, y: float = 0.0,
          removed: bool = False) -> PartDTO:
    return PartDTO(pid, 1, name, kind, "", "", "", "", "", "", None, "identified", D, x, y,
                   dt.datetime(2026, 5, 2) if removed else None)


def test_new_parts_spread_out_on_their_rings() -> None:
    taken: list[tuple[float, float]] = []
    for kind in ("manager", "manager", "firefighter", "exile", "exile", "manager"):
        x, y = place_part(kind, taken)
        ring = EXILE_RING if kind == "exile" else PROTECTOR_RING
        assert math.hypot(x, y) == pytest.approx(ring, abs=0.5)
        assert all(math.hypot(x - a, y - b) >= PART_SIZE for a, b in taken)
        taken.append((x, y))


def test_self_grows_with_the_self_energy_rating() -> None:
    assert self_radius(0) < self_radius(5) < self_radius(10)
    assert self_radius(12) == self_radius(10)
    points = (SelfEnergyPoint(D, 3, 1), SelfEnergyPoint(D + dt.timedelta(9), 7, 2))
    assert self_energy_on(points, D + dt.timedelta(3)) == 3
    assert self_energy_on(points, None) == 7
    assert self_energy_on(points, D - dt.timedelta(1)) is None


def test_the_map_now_leaves_out_removed_parts_and_places_unplaced_ones() -> None:
    parts = (_part(1, "Planner", "manager", 10, -190), _part(2, "Gone", "firefighter", 0, 190,
                                                             removed=True),
             _part(3, "New from a note", "exile"))
    relations = (PartRelationDTO(1, "protects", 1, 3), PartRelationDTO(2, "allied", 1, 2))
    shown = current_map(parts, relations, ())
    assert [p.name for p in shown.parts] == ["Planner", "New from a note"]
    new = shown.part(3)
    assert new is not None and (new.x, new.y) != (0, 0)
    assert [r.kind for r in shown.relations] == ["protects"]


def test_differences_read_as_sentences() -> None:
    a = MapPartDTO(1, "Planner", "manager", "identified", None, 0, -190)
    b = MapPartDTO(2, "Little One", "exile", "identified", None, 0, 330)
    then = PartsMap((a, b), (MapRelationDTO("protects", 1, 2),), 3, D)
    now = PartsMap((a, MapPartDTO(2, "Little One", "exile", "witnessed", None, 0, 330),
                    MapPartDTO(3, "Critic", "manager", "identified", None, 190, 0)),
                   (MapRelationDTO("polarized", 3, 1),), 6)
    diff = map_differences(then, now)
    assert not diff.empty and diff.changed_part_ids() == {2}
    assert difference_lines(diff, then, now) == [
        "Added since: Critic (manager)",
        "Little One: identified then, witnessed now",
        "Relation added since: Critic and Planner: polarized",
        "Relation gone since: Planner protects Little One",
    ]
    assert map_differences(now, now).empty


def test_a_relation_that_would_cross_self_bends_round_it() -> None:
    from models.clinical.parts_map import SELF_CLEARANCE, bend_around_self

    through = bend_around_self((0, -190), (0, 330), 6)
    assert through is not None
    # The curve's middle passes clear of Self, on one side.
    middle_x = 0.25 * 0 + 0.5 * through[0] + 0.25 * 0
    assert abs(middle_x) == pytest.approx(self_radius(6) + SELF_CLEARANCE)
    assert bend_around_self((-300, -190), (300, -190), 6) is None  # well clear: straight
    assert bend_around_self((50, 0), (200, 0), 6) is None  # ends beside Self, not across


def test_tidy_up_puts_managers_above_firefighters_below_and_exiles_behind_protectors() -> None:
    from models.clinical.parts_map import arrange

    parts = (MapPartDTO(1, "Planner", "manager", "identified", None, 5, 5),
             MapPartDTO(2, "Critic", "manager", "identified", None, 9, 9),
             MapPartDTO(3, "Numb One", "firefighter", "identified", None, 1, 1),
             MapPartDTO(4, "Little One", "exile", "identified", None, 0, 0),
             MapPartDTO(5, "Alone", "exile", "identified", None, 0, 0))
    relations = (MapRelationDTO("protects", 3, 4),)  # the firefighter guards Little One
    placed = arrange(parts, relations)
    assert placed[1][1] < 0 and placed[2][1] < 0 and placed[3][1] > 0
    assert placed[4][1] > 0  # behind its protector, below Self
    assert math.hypot(*placed[4]) == pytest.approx(EXILE_RING, abs=0.5)
    assert math.hypot(*placed[1]) == pytest.approx(PROTECTOR_RING, abs=0.5)
    positions = list(placed.values())
    assert all(math.dist(a, b) >= PART_SIZE for i, a in enumerate(positions)
               for b in positions[i + 1:])


def _chart(parts: tuple[PartDTO, ...], energy: tuple[SelfEnergyPoint, ...]) -> ClientChart:
    client = ClientDetail(1, "C-0001", "Ada Example", "", dt.date(1990, 1, 1), "", "", "", "",
                          "active", None)
    return ClientChart(client, (), (), (), parts, (), (), energy, ())


def test_a_report_s_map_is_today_s_registry_or_the_last_one_kept_by_its_end() -> None:
    today = D + dt.timedelta(days=60)
    chart = _chart((_part(1, "Planner", "manager", 10, -190),),
                   (SelfEnergyPoint(D, 3, None), SelfEnergyPoint(D + dt.timedelta(days=40), 8,
                                                                  None)))
    now = map_on_day(chart, None, today, today)
    assert now.parts_map is not None and not now.parts_map.is_history
    assert now.parts_map.self_energy == 8 and "registry today" in now.source

    kept = MapSnapshotDTO(1, 1, None, D + dt.timedelta(days=10),
                          (MapPartDTO(1, "Planner", "manager", "identified", None, 10, -190),),
                          ())
    then = map_on_day(chart, kept, D + dt.timedelta(days=20), today)
    assert then.parts_map is not None and then.parts_map.on == kept.taken_on
    assert then.parts_map.self_energy == 3  # rated on or before the day the map was kept
    assert "11 May 2026" in then.source and "21 May 2026" in then.source

    none = map_on_day(chart, None, D + dt.timedelta(days=20), today)
    assert none.parts_map is None and "No parts map had been kept by 21 May 2026" in none.source


def _ask(key: int, x: float, y: float, kind: str = "manager", width: float = 80.0) -> LabelAsk:
    return LabelAsk(key, x, y, width, 28.0, 40.0, kind)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def test_a_label_keeps_its_own_side_when_nothing_is_there() -> None:
    # A protector above Self has its name under it (toward Self); an exile below, under.
    asks = [_ask(1, 0, -190), _ask(2, 0, 330, "exile")]
    assert place_labels(asks, {}, []) == {1: "below", 2: "below"}
    assert place_labels([_ask(3, 0, 190, "firefighter")], {}, []) == {3: "above"}


def test_a_label_moves_beside_its_part_outward_first_when_its_side_is_taken() -> None:
    # Two firefighters side by side under Self: their labels over them would meet, and
    # the first (nearest Self) would cover Self's words.
    self_words = [(-60.0, 85.0, 60.0, 100.0)]
    asks = [_ask(1, -40, 150, "firefighter", width=120), _ask(2, 40, 150, "firefighter",
                                                                width=120)]
    assert _overlap(asks[0].box("above"), asks[1].box("above"))
    placed = place_labels(asks, {}, self_words)
    assert placed == {1: "left", 2: "right"}
    boxes = [a.box(placed[a.key]) for a in asks]
    assert not _overlap(*boxes)
    assert not any(_overlap(b, self_words[0]) for b in boxes)


def test_a_line_under_a_label_counts_for_less_than_another_part() -> None:
    # Another part lies where the label would go, and lines run everywhere else: the label
    # goes over a line (outward first) rather than over that part.
    ask = _ask(1, 0, -190)
    taken = {2: ask.box("below")}
    lines = [ask.box(spot) for spot in ("above", "right", "left")]
    assert place_labels([ask], taken, [], lines)[1] == "right"
    lines = [ask.box(spot) for spot in ("above", "left")]
    lines.append(ask.box("right"))
    lines.append(ask.box("right"))  # two lines there: more of the label over lines
    assert place_labels([ask], taken, [], lines)[1] == "left"
    # With nothing else in the way, a clear place wins over one with a line.
    assert place_labels([ask], {}, [], [ask.box("below")])[1] == "right"


def test_a_part_s_own_shape_is_no_obstacle_to_its_label() -> None:
    ask = _ask(1, 0, -190)
    own_shape = {1: (-40.0, -230.0, 40.0, -150.0 + 60)}  # reaches into its own label's place
    assert place_labels([ask], own_shape, []) == {1: "below"}


def test_labels_collide_over_labels_shapes_and_self_but_not_over_lines() -> None:
    asks = [_ask(1, -40, 150, "firefighter", width=120), _ask(2, 40, 150, "firefighter",
                                                                width=120)]
    both_above = {1: "above", 2: "above"}
    assert labels_collide(asks, both_above, {}, [])  # over each other
    apart = {1: "left", 2: "right"}
    assert not labels_collide(asks, apart, {}, [])
    assert labels_collide(asks, apart, {}, [asks[1].box("right")])  # over Self's words
    assert labels_collide(asks, apart, {3: asks[0].box("left")}, [])  # over another part
    assert not labels_collide(asks, apart, {1: asks[0].box("left")}, [])  # its own shape
