"""Target SUD/VoC figures, checked through their tagged artists (not pixels)."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text

from models.dto import TargetDTO, TargetRatingDTO
from models.instruments.series import DosingMarker
from reports.charts import ChartTooSmallError, dose_line_days, figure_to_svg_bytes, find_artists
from reports.targets import (
    build_target_chart,
    build_target_small_multiples,
    needed_height,
    target_span,
)

D = dt.date(2026, 6, 1)


def _target(target_id: int, label: str,
            sessions: list[tuple[int, int, int, int, int]]) -> TargetDTO:
    """sessions: (day, SUD start, SUD end, VoC start, VoC end), each its own note."""
    ratings = []
    for n, (day, s0, s1, v0, v1) in enumerate(sessions):
        when = D + dt.timedelta(days=day)
        ratings.append(TargetRatingDTO(2 * n + 1, target_id, 100 + n, when, "start", s0, v0))
        ratings.append(TargetRatingDTO(2 * n + 2, target_id, 100 + n, when, "end", s1, v1))
    return TargetDTO(target_id, 1, "emdr", label, "past", True, "direct", "", "", "", "", "",
                     8, 2, "in_processing", None, D, tuple(ratings))


DOSES = (DosingMarker(D - dt.timedelta(days=2), 1, "D1"),
         DosingMarker(D + dt.timedelta(days=12), 2, "D2"),
         DosingMarker(D + dt.timedelta(days=200), 3, "D3"))  # long after: not drawn


def test_each_session_shows_its_start_and_end_of_sud_and_voc() -> None:
    target = _target(1, "Hallway, age 9", [(0, 8, 5, 2, 3), (7, 6, 2, 3, 5), (14, 2, 0, 5, 7)])
    fig = build_target_chart(target, DOSES)
    for scale in ("sud", "voc"):
        starts, ends_ = (find_artists(fig, f"{scale}-{part}")[0] for part in ("start", "end"))
        assert isinstance(starts, PathCollection) and isinstance(ends_, PathCollection)
        assert len(starts.get_offsets()) == len(ends_.get_offsets()) == 3  # one per session
        segments = find_artists(fig, f"{scale}-session")[0]
        assert isinstance(segments, LineCollection) and len(segments.get_segments()) == 3
    sud_start = find_artists(fig, "sud-start")[0]
    assert isinstance(sud_start, PathCollection)
    assert [float(y) for _x, y in sud_start.get_offsets()] == [8, 6, 2]
    ends = find_artists(fig, "sud-ends")[0]
    assert isinstance(ends, Line2D) and list(ends.get_ydata()) == [5, 2, 0]
    assert dose_line_days(fig) == [D - dt.timedelta(days=2), D + dt.timedelta(days=12)]
    labels = {t.get_text() for t in find_artists(fig, "dose-label") if isinstance(t, Text)}
    assert labels == {"D1", "D2"}
    title = find_artists(fig, "panel-title")[0]
    assert isinstance(title, Text) and title.get_text() == "Hallway, age 9"
    subtitle = find_artists(fig, "panel-subtitle")[0]
    assert isinstance(subtitle, Text) and "SUD 8 → 0" in subtitle.get_text()
    assert b"<svg" in figure_to_svg_bytes(fig)


def _art(target_id: int, sessions: list[tuple[int, int, int]],
         baseline_voc: int | None = None) -> TargetDTO:
    """An ART scene: (day, SUD before, SUD after) a session, no VoC."""
    ratings = []
    for n, (day, s0, s1) in enumerate(sessions):
        when = D + dt.timedelta(days=day)
        ratings += [TargetRatingDTO(2 * n + 1, target_id, 200 + n, when, "start", s0, None),
                    TargetRatingDTO(2 * n + 2, target_id, 200 + n, when, "end", s1, None)]
    return TargetDTO(target_id, 1, "art", "Car on the bridge", "past", False, "", "", "", "",
                     "", "", 7, baseline_voc, "in_processing", None, D, tuple(ratings))


def _legend_labels(fig: Figure) -> list[str]:
    legend = find_artists(fig, "legend")[0]
    assert isinstance(legend, Legend)
    return [t.get_text() for t in legend.get_texts()]


def test_an_art_scene_is_charted_by_sud_alone() -> None:
    """ART rates a scene by SUD alone: its panel has no VoC axis, figure or legend entry
    (it showed an empty 1-7 axis and "VoC —")."""
    scene = _art(5, [(0, 7, 1)])
    fig = build_target_chart(scene, DOSES)
    assert find_artists(fig, "sud-start") and not find_artists(fig, "voc-start")
    right = [ax for ax in fig.axes if ax.get_ylabel() != "SUD"]
    assert len(right) == 1 and right[0].get_yticks().size == 0 and right[0].get_ylabel() == ""
    subtitle = find_artists(fig, "panel-subtitle")[0]
    assert isinstance(subtitle, Text)
    assert "SUD 7 → 1" in subtitle.get_text() and "VoC" not in subtitle.get_text()
    assert not any("VoC" in label for label in _legend_labels(fig))
    unrated = build_target_chart(_art(6, []), DOSES)
    words = find_artists(unrated, "no-ratings")[0]
    assert isinstance(words, Text) and words.get_text() == "No SUD recorded yet"
    # Beside an EMDR target the legend names VoC for that panel; a VoC given to a scene
    # in the registry is shown, never hidden.
    both = build_target_small_multiples([scene, _target(1, "Hallway", [(2, 8, 5, 2, 3)])],
                                        DOSES, width=10, height=4)
    assert any("VoC" in label for label in _legend_labels(both))
    kept = find_artists(build_target_chart(_art(7, [(0, 6, 2)], baseline_voc=3), DOSES),
                        "panel-subtitle")[0]
    assert isinstance(kept, Text) and kept.get_text().count("VoC") == 1


def test_small_multiples_share_one_time_axis_and_say_when_nothing_is_rated() -> None:
    worked = _target(1, "Hallway", [(0, 8, 5, 2, 3), (30, 4, 1, 5, 6)])
    later = _target(2, "Kitchen", [(20, 7, 6, 2, 2)])
    empty = _target(3, "School gate", [])
    fig = build_target_small_multiples([worked, later, empty], DOSES, width=10, height=6)
    titles = [t.get_text() for t in find_artists(fig, "panel-title") if isinstance(t, Text)]
    assert titles == ["Hallway", "Kitchen", "School gate"]
    panels = [ax for ax in fig.axes if ax.get_ylabel() == "SUD"]
    assert len(panels) == 3
    assert len({ax.get_xlim() for ax in panels}) == 1  # one shared time axis
    assert find_artists(fig, "no-ratings")
    assert target_span([worked, later], DOSES) == (D - dt.timedelta(days=2),
                                                  D + dt.timedelta(days=30))


def test_a_figure_too_small_for_its_panels_says_so() -> None:
    targets = [_target(i, f"T{i}", [(0, 5, 3, 3, 4)]) for i in range(1, 13)]
    with pytest.raises(ChartTooSmallError):
        build_target_small_multiples(targets, width=7, height=4)
    fig = build_target_small_multiples(targets, width=13, height=14)
    assert len([ax for ax in fig.axes if ax.get_ylabel() == "SUD"]) == 12
    # A screen that scrolls asks for the height the panels need, and it is enough.
    tall = needed_height(12, 5.0)
    fig = build_target_small_multiples(targets, width=5.0, height=tall)
    assert len([ax for ax in fig.axes if ax.get_ylabel() == "SUD"]) == 12


def test_date_ticks_of_a_narrow_chart_do_not_overlap() -> None:
    """Seventeen days on the Targets tab's narrow chart: matplotlib ticks every fourth day
    of the month, so "29 Sep" and "1 Oct" fall two days apart and the first label carries
    the year; the labels that would touch are left out, and the year stays on the first."""
    start = dt.date(2026, 9, 19)
    target = _target(1, "School gate", [(0, 8, 7, 2, 3), (3, 8, 6, 3, 4), (9, 6, 2, 4, 6),
                                        (12, 3, 2, 6, 7), (16, 2, 0, 7, 7)])
    shifted = TargetDTO(**{**target.__dict__, "ratings": tuple(
        TargetRatingDTO(r.id, r.target_id, r.note_id, start + (r.rated_on - D), r.point,
                        r.sud, r.voc) for r in target.ratings)})
    doses = [DosingMarker(start - dt.timedelta(days=1), 1, "D1"),
             DosingMarker(start + dt.timedelta(days=8), 2, "D2"),
             DosingMarker(start + dt.timedelta(days=15), 3, "D3")]
    for width in (3.4, 3.9, 7.0):
        fig = build_target_chart(shifted, doses, width=width, height=3.6, titles=False)
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        axes = next(ax for ax in fig.axes if ax.get_ylabel() == "SUD")
        labels = [t for t in axes.get_xticklabels() if t.get_text()]
        assert len(labels) >= 3, width
        assert "2026" in labels[0].get_text()
        boxes = [t.get_window_extent(renderer) for t in labels]
        for left, right in pairwise(boxes):
            assert left.x1 < right.x0, (width, [t.get_text() for t in labels])
