"""Trend, dissociation and sparkline figures, checked through their artists (not pixels)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from datetime import date, timedelta
from itertools import pairwise

import matplotlib.dates as mdates
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from models.instruments.definitions import Instrument
from models.instruments.loading import load_instruments, parse_instrument
from models.instruments.scoring import score
from models.instruments.series import (
    DoseDissociation,
    DosingMarker,
    OverlaySeries,
    RelationToCare,
    TrendPoint,
)
from reports.charts import (
    DETERIORATED,
    IMPROVED,
    build_cadss_chart,
    build_sparkline,
    build_trend_chart,
    dose_line_days,
    figure_to_png_bytes,
    figure_to_svg_bytes,
    find_artists,
)

INSTRUMENTS = load_instruments()
PHQ9 = INSTRUMENTS["phq9"]
PCL5 = INSTRUMENTS["pcl5"]
CADSS = INSTRUMENTS["cadss"]
CADSS6 = INSTRUMENTS["cadss6"]
DAY0 = date(2025, 1, 6)


def phq9(total: int | None, item9: int = 0) -> dict[int, int | None]:
    """PHQ-9 answers with the given total (item 1 left out when total is None)."""
    answers: dict[int, int | None] = {9: item9}
    remaining = (total or 0) - item9
    for number in range(1, 9):
        answers[number] = min(3, remaining)
        remaining -= answers[number] or 0
    if total is None:
        answers[1] = None
    return answers


def on(week: int) -> date:
    return DAY0 + timedelta(weeks=week)


def x(day: date) -> float:
    return float(mdates.date2num(day))


@pytest.fixture
def phq9_points() -> list[TrendPoint]:
    # baseline 18; RC 6 -> 12 is improvement, 14 no change, 25 deterioration (item 9 = 2);
    # week 4 is incomplete but its item 9 = 1 still counts; 8 ends it.
    plan: list[tuple[int, int | None, int]] = [
        (0, 18, 0), (1, 14, 0), (2, 12, 0), (3, 25, 2), (4, None, 1), (5, 8, 0),
    ]
    return [
        TrendPoint(on(week), score(PHQ9, phq9(total, item9)),
                   RelationToCare.BASELINE if week == 0 else RelationToCare.INTEGRATION)
        for week, total, item9 in plan
    ]


@pytest.fixture
def doses() -> list[DosingMarker]:
    return [DosingMarker(on(1) + timedelta(days=2), 1), DosingMarker(on(2) + timedelta(days=2), 2),
            DosingMarker(on(4) + timedelta(days=2), 3)]


@pytest.fixture
def phq9_chart(phq9_points: list[TrendPoint], doses: list[DosingMarker]) -> Figure:
    return build_trend_chart(PHQ9, phq9_points, doses)


def offsets(fig: Figure, gid: str) -> list[tuple[float, float]]:
    found = find_artists(fig, gid)
    result: list[tuple[float, float]] = []
    for artist in found:
        assert isinstance(artist, Line2D) and artist.get_linestyle() == "None"
        result += [(float(a), float(b)) for a, b in artist.get_xydata()]  # type: ignore[union-attr]
    return sorted(result)


def only_text(fig: Figure, gid: str) -> str:
    (artist,) = find_artists(fig, gid)
    assert isinstance(artist, Text)
    return artist.get_text()


def test_validated_bands_are_shaded_solid(phq9_chart: Figure) -> None:
    spans = {}
    for key in ("minimal", "mild", "moderate", "moderately_severe", "severe"):
        (band,) = find_artists(phq9_chart, f"band:{key}")
        assert isinstance(band, Rectangle)
        assert not band.get_hatch()
        spans[key] = (band.get_y(), band.get_y() + band.get_height())
    assert spans["minimal"] == (-0.5, 4.5)
    assert spans["moderately_severe"] == (14.5, 19.5)
    assert spans["severe"] == (19.5, 27.5)
    # Darker as severity rises.
    alphas = [find_artists(phq9_chart, f"band:{k}")[0].get_alpha() for k in ("minimal", "severe")]
    assert alphas[0] < alphas[1]
    assert "(not validated)" not in " ".join(t.get_text() for t in phq9_chart.findobj(Text))


def test_unvalidated_bands_are_hatched_and_say_so() -> None:
    instrument = parse_instrument(tomllib.loads("""
        schema_version = 1
        id = "demo"
        version = 1
        title = "Demo"
        short_name = "DEMO"
        timeframe = "Past week"
        instructions = "Rate."
        direction = "lower_is_better"
        items = [{ number = 1 }, { number = 2 }]
        [answers]
        min = 0
        max = 5
        [scoring]
        method = "sum"
        [bands]
        validated = false
        levels = [{ key = "low", label = "Low", min = 0, max = 4 },
                  { key = "high", label = "High", min = 5, max = 10 }]
    """), "demo.toml")
    points = [TrendPoint(on(0), score(instrument, {1: 4, 2: 4})),
              TrendPoint(on(1), score(instrument, {1: 1, 2: 2}))]
    fig = build_trend_chart(instrument, points)
    for key in ("low", "high"):
        (band,) = find_artists(fig, f"band:{key}")
        assert isinstance(band, Rectangle) and band.get_hatch()
        assert "(not validated)" in only_text(fig, f"band-label:{key}")
    labels = [t.get_text() for t in find_artists(fig, "legend-label")]  # type: ignore[attr-defined]
    assert "Severity bands (not validated)" in labels


def test_pcl5_has_a_cutoff_line_and_no_bands() -> None:
    points = [TrendPoint(on(w), score(PCL5, {n: t for n in range(1, 21)}))
              for w, t in enumerate((3, 2, 1))]
    fig = build_trend_chart(PCL5, points)
    assert not [a for a in fig.findobj() if str(a.get_gid()).startswith("band:")]
    (cutoff,) = find_artists(fig, "cutoff:provisional_ptsd")
    assert isinstance(cutoff, Line2D)
    assert list(cutoff.get_ydata()) == [32.5, 32.5]
    assert "cut-off ≥ 33" in only_text(fig, "cutoff:provisional_ptsd-label")
    # baseline 60 -> 20: a 40-point drop, so the meaningful-change line is drawn at 50.5.
    (meaningful,) = find_artists(fig, "meaningful-line")
    assert isinstance(meaningful, Line2D) and list(meaningful.get_ydata()) == [50.5, 50.5]


def test_dose_markers_sit_on_the_dosing_dates(phq9_chart: Figure,
                                              doses: list[DosingMarker]) -> None:
    assert dose_line_days(phq9_chart) == [d.when for d in doses]
    labels = sorted(t.get_text() for t in find_artists(phq9_chart, "dose-label"))  # type: ignore[attr-defined]
    assert labels == ["D1", "D2", "D3"]


def test_doses_too_close_to_label_apart_share_a_label() -> None:
    retreat = [DosingMarker(DAY0 + timedelta(days=d), n) for n, d in enumerate((60, 61, 62, 64), 1)]
    spaced = [DosingMarker(DAY0 + timedelta(days=200), 5)]
    points = [TrendPoint(on(0), score(PHQ9, phq9(20))),
              TrendPoint(DAY0 + timedelta(days=210), score(PHQ9, phq9(10)))]
    fig = build_trend_chart(PHQ9, points, retreat + spaced)
    assert len(dose_line_days(fig)) == 5
    labels = sorted(t.get_text() for t in find_artists(fig, "dose-label"))  # type: ignore[attr-defined]
    assert labels == ["D1–4", "D5"]


def test_reliable_change_corridor_and_baseline(phq9_chart: Figure) -> None:
    (corridor,) = find_artists(phq9_chart, "rc-corridor")
    assert isinstance(corridor, Rectangle)
    # RC 6 around 18: changes of 5 or less (13..23) are inside.
    assert (corridor.get_y(), corridor.get_y() + corridor.get_height()) == (12.5, 23.5)
    (baseline,) = find_artists(phq9_chart, "baseline")
    assert isinstance(baseline, Line2D) and list(baseline.get_ydata()) == [18, 18]
    assert only_text(phq9_chart, "baseline-label") == "Baseline 18"


def test_points_outside_the_corridor_are_coloured_by_direction(phq9_chart: Figure) -> None:
    assert offsets(phq9_chart, "point-baseline") == [(x(on(0)), 18)]
    assert offsets(phq9_chart, "point-improved") == [(x(on(2)), 12), (x(on(5)), 8)]
    assert offsets(phq9_chart, "point-deteriorated") == [(x(on(3)), 25)]
    assert offsets(phq9_chart, "point-no-change") == [(x(on(1)), 14)]
    improved = find_artists(phq9_chart, "point-improved")[0]
    worse = find_artists(phq9_chart, "point-deteriorated")[0]
    assert isinstance(improved, Line2D) and isinstance(worse, Line2D)
    assert to_hex(improved.get_markerfacecolor()) == IMPROVED.lower()
    assert to_hex(worse.get_markerfacecolor()) == DETERIORATED.lower()


def test_higher_is_better_flips_the_colours() -> None:
    from models.instruments.loading import custom_instrument

    voc = custom_instrument("voc_demo", "VoC", 1, 7, higher_is_better=True, reliable_change=2)
    points = [TrendPoint(on(w), score(voc, {1: v})) for w, v in enumerate((3, 6, 1))]
    fig = build_trend_chart(voc, points)
    assert offsets(fig, "point-improved") == [(x(on(1)), 6)]
    assert offsets(fig, "point-deteriorated") == [(x(on(2)), 1)]


def test_safety_flags_are_marked_even_without_a_total(phq9_chart: Figure) -> None:
    flags = find_artists(phq9_chart, "safety-flag")
    assert len(flags) == 2
    ring, top = flags
    assert isinstance(ring, Line2D) and isinstance(top, Line2D)
    assert [tuple(map(float, o)) for o in ring.get_xydata()] == [(x(on(3)), 25.0)]  # type: ignore[union-attr]
    assert float(top.get_xdata()[0]) == x(on(4))  # type: ignore[index]
    labels = sorted(t.get_text() for t in find_artists(phq9_chart, "safety-flag-label"))  # type: ignore[attr-defined]
    assert labels == ["item 9 = 1 (incomplete)", "item 9 = 2"]


def test_incomplete_administrations_are_not_plotted(phq9_chart: Figure) -> None:
    (line,) = find_artists(phq9_chart, "trend-line")
    assert isinstance(line, Line2D)
    assert x(on(4)) not in list(line.get_xdata())
    assert list(line.get_ydata()) == [18, 14, 12, 25, 8]
    plotted = [point for gid in ("point-baseline", "point-improved", "point-deteriorated",
                                 "point-no-change") for point in offsets(phq9_chart, gid)]
    assert all(px != x(on(4)) for px, _ in plotted)
    footnote = only_text(phq9_chart, "footnote").replace("\n", " ")
    assert "1 incomplete administration not plotted" in footnote


def test_response_and_remission_lines(phq9_chart: Figure) -> None:
    (response,) = find_artists(phq9_chart, "response-line")
    (remission,) = find_artists(phq9_chart, "remission-line")
    assert isinstance(response, Line2D) and isinstance(remission, Line2D)
    assert list(response.get_ydata()) == [9.5, 9.5]  # 50% of 18: totals of 9 or less
    assert list(remission.get_ydata()) == [4.5, 4.5]  # below 5
    assert only_text(phq9_chart, "response-line-label") == "Response ≤ 9"
    assert only_text(phq9_chart, "remission-line-label") == "Remission < 5"


def test_footnote_names_each_rule_and_source(phq9_chart: Figure) -> None:
    footnote = only_text(phq9_chart, "footnote").replace("\n", " ")
    for expected in ("severity bands", "item 9 safety flag", "Kroenke et al. 2001",
                     "reliable change 6 points", "IAPT Data Handbook 2011",
                     "response ≥ 50% drop", "remission < 5", "Kroenke & Spitzer 2002"):
        assert expected in footnote


def test_subtitle_states_the_change_label(phq9_chart: Figure) -> None:
    subtitle = only_text(phq9_chart, "subtitle")
    assert subtitle.startswith("Latest 8 (10 Feb 2025) · −10 since baseline 18")
    assert "reliable improvement" in subtitle and "response" in subtitle


def test_explicit_baseline_moves_the_corridor(phq9_points: list[TrendPoint]) -> None:
    fig = build_trend_chart(PHQ9, phq9_points, baseline_index=3)
    (corridor,) = find_artists(fig, "rc-corridor")
    assert isinstance(corridor, Rectangle) and corridor.get_y() == 25 - 5.5


def test_readable_and_uncluttered(phq9_chart: Figure) -> None:
    figure_to_png_bytes(phq9_chart, dpi=50)  # lay out tick labels
    sizes = [t.get_fontsize() for t in phq9_chart.findobj(Text) if t.get_text()]
    assert sizes and min(sizes) >= 9
    ax = phq9_chart.axes[0]
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()


def test_overlays_use_a_secondary_axis(phq9_points: list[TrendPoint]) -> None:
    overlay = OverlaySeries("Self-energy", ((on(1), 3.0), (on(3), 6.0), (on(5), 8.0)))
    fig = build_trend_chart(PHQ9, phq9_points, overlays=[overlay])
    assert len(fig.axes) == 2
    (line,) = find_artists(fig, "overlay:Self-energy")
    assert isinstance(line, Line2D) and list(line.get_ydata()) == [3.0, 6.0, 8.0]
    assert line.axes is fig.axes[1]
    assert fig.axes[1].get_ylim() == (-0.5, 10.5)


def _pixels(fig: Figure) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_a_reused_figure_draws_exactly_as_a_new_one(
    phq9_points: list[TrendPoint], doses: list[DosingMarker]
) -> None:
    """The Measures tab draws the next client into the figure on screen: the same pixels
    as a figure built afresh, whatever the figure showed before (another instrument,
    another size, other flags and doses)."""
    pcl5 = [TrendPoint(on(week), score(PCL5, {n: (week + n) % 5 for n in range(1, 21)}))
            for week in (0, 4, 9, 30)]
    window = {"header": False, "footnote": False}
    before = build_trend_chart(PCL5, pcl5, doses[:1], width=9.0, height=5.0, **window)
    _pixels(before)
    reused = build_trend_chart(PHQ9, phq9_points, doses, width=7.0, height=4.2,
                               baseline_index=0, into=before, **window)
    assert reused is before
    fresh = build_trend_chart(PHQ9, phq9_points, doses, width=7.0, height=4.2,
                              baseline_index=0, **window)
    assert np.array_equal(_pixels(reused), _pixels(fresh))
    # The same instrument again: its bands stay, the rest is drawn afresh.
    fewer = phq9_points[2:]
    again = build_trend_chart(PHQ9, fewer, doses[1:], width=7.0, height=4.2, into=reused,
                              **window)
    def bands(fig: Figure) -> int:
        return len(fig.findobj(lambda a: str(a.get_gid()).startswith("band")))

    assert again is before and bands(again) == bands(fresh) > 0
    assert np.array_equal(_pixels(again), _pixels(build_trend_chart(
        PHQ9, fewer, doses[1:], width=7.0, height=4.2, **window)))
    back = build_trend_chart(PCL5, pcl5, (), width=7.0, height=4.2, into=again, **window)
    assert np.array_equal(_pixels(back), _pixels(build_trend_chart(
        PCL5, pcl5, (), width=7.0, height=4.2, **window)))


def test_a_figure_with_an_overlay_axis_is_not_reused(phq9_points: list[TrendPoint]) -> None:
    overlay = OverlaySeries("Self-energy", ((on(1), 3.0), (on(3), 6.0)))
    with_overlay = build_trend_chart(PHQ9, phq9_points, overlays=[overlay])
    again = build_trend_chart(PHQ9, phq9_points, into=with_overlay)
    assert again is not with_overlay and len(again.axes) == 1


def test_chart_with_no_complete_points_still_builds() -> None:
    fig = build_trend_chart(PHQ9, [TrendPoint(on(0), score(PHQ9, phq9(None, item9=1)))])
    assert only_text(fig, "subtitle") == "No complete administrations yet"
    assert not find_artists(fig, "rc-corridor")
    assert len(find_artists(fig, "safety-flag")) == 1


def test_scores_of_another_instrument_are_rejected(phq9_points: list[TrendPoint]) -> None:
    with pytest.raises(ValueError, match="a phq9 score"):
        build_trend_chart(PCL5, phq9_points)


def test_cadss_chart_plots_one_bar_per_dose() -> None:
    full = {n: 1 for n in range(1, 24)}
    incomplete = dict(full) | {5: None}
    six = {n: 2 for n in (1, 2, 6, 7, 15, 22)}
    doses = [
        DoseDissociation(1, score(CADSS, full), on(1)),
        DoseDissociation(2, score(CADSS, incomplete), on(2)),
        DoseDissociation(3, score(CADSS6, six), on(3)),
    ]
    fig = build_cadss_chart(doses)
    totals = find_artists(fig, "cadss-total-bar")
    sixes = find_artists(fig, "cadss6-bar")
    assert [(r.get_x() + r.get_width() / 2, r.get_height()) for r in totals] == [(1, 23)]  # type: ignore[attr-defined]
    assert [(r.get_x() + r.get_width() / 2, r.get_height()) for r in sixes] == [  # type: ignore[attr-defined]
        (1, 6), (2, 6), (3, 12),
    ]
    assert len(find_artists(fig, "cadss-incomplete")) == 1
    assert len(find_artists(fig, "cadss-not-given")) == 1
    assert "Bremner et al. 1998" in only_text(fig, "footnote")


def test_a_long_course_of_doses_labels_only_what_fits() -> None:
    # Sixty doses over ten courses, at the report's width: every value over its bar and
    # every "C10 D4" under its dose would print on top of each other. Only what has room is
    # labelled; four doses keep every value and every dose named.
    six = {n: 1 for n in (1, 2, 6, 7, 15, 22)}

    def doses(count: int) -> list[DoseDissociation]:
        return [DoseDissociation(n, score(CADSS6, six), on(n), f"C{(n - 1) // 6 + 1} D{n % 6 + 1}")
                for n in range(1, count + 1)]

    for count, values in ((60, 0), (4, 4)):
        fig = build_cadss_chart(doses(count), width=6.9, height=4.3)
        renderer = FigureCanvasAgg(fig).get_renderer()
        assert len(find_artists(fig, "cadss6-bar-value")) == values
        labels = [t for t in fig.axes[-1].get_xticklabels() if t.get_text()]
        boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda b: b.x0)
        assert len(boxes) >= min(count, 4)
        assert all(a.x1 < b.x0 for a, b in pairwise(boxes)), count


def test_cadss6_only_chart_has_one_panel() -> None:
    six = {n: 1 for n in (1, 2, 6, 7, 15, 22)}
    fig = build_cadss_chart([DoseDissociation(n, score(CADSS6, six)) for n in (1, 2)])
    assert len(fig.axes) == 1
    assert not find_artists(fig, "cadss-total-bar")


def test_sparkline_draws_complete_totals(phq9_points: list[TrendPoint]) -> None:
    fig = build_sparkline(phq9_points, PHQ9)
    (line,) = find_artists(fig, "sparkline")
    assert isinstance(line, Line2D) and list(line.get_ydata()) == [18, 14, 12, 25, 8]
    (last,) = find_artists(fig, "sparkline-last")
    assert isinstance(last, PathCollection)
    assert to_hex(last.get_facecolor()[0]) == IMPROVED.lower()
    assert not fig.axes[0].axison


def test_the_sparkline_colours_change_from_the_summarys_baseline_not_its_first_point() -> None:
    # An integration PHQ-9 of 8 came before the one marked baseline (20). From the baseline
    # 20 -> 13 is 7 points: a reliable improvement (the summary's word). From the first
    # point, 8 -> 13 would have read as no reliable change.
    points = [
        TrendPoint(on(0), score(PHQ9, phq9(8)), RelationToCare.INTEGRATION),
        TrendPoint(on(1), score(PHQ9, phq9(20)), RelationToCare.BASELINE),
        TrendPoint(on(2), score(PHQ9, phq9(13)), RelationToCare.INTEGRATION),
    ]
    (last,) = find_artists(build_sparkline(points, PHQ9), "sparkline-last")
    assert isinstance(last, PathCollection)
    assert to_hex(last.get_facecolor()[0]) == IMPROVED.lower()


def test_png_and_svg_bytes(phq9_chart: Figure) -> None:
    canvas = phq9_chart.canvas
    png = figure_to_png_bytes(phq9_chart, dpi=72)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert phq9_chart.canvas is canvas
    svg = figure_to_svg_bytes(phq9_chart)
    assert b"<svg" in svg
    assert svg == figure_to_svg_bytes(phq9_chart)  # reproducible


def test_layers_stay_clean() -> None:
    code = (
        "import sys, models.instruments, reports.charts\n"
        "bad = [m for m in ('matplotlib.pyplot', 'PySide6', 'sqlalchemy') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def instrument_ids() -> list[str]:
    return sorted(INSTRUMENTS)


@pytest.mark.parametrize("instrument_id", instrument_ids())
def test_every_bundled_instrument_charts_without_error(instrument_id: str) -> None:
    instrument: Instrument = INSTRUMENTS[instrument_id]
    points = [
        TrendPoint(on(w), score(instrument, {i.number: v for i in instrument.items}))
        for w, v in enumerate((2, 1, 0))
    ]
    fig = build_trend_chart(instrument, points)
    assert len(find_artists(fig, "trend-line")) == 1


def test_empty_inputs_build_and_render() -> None:
    for fig in (build_trend_chart(PHQ9, []), build_cadss_chart([]), build_sparkline([]),
                build_sparkline([], PHQ9)):
        assert figure_to_png_bytes(fig, dpi=40).startswith(b"\x89PNG")


def test_date_ticks_are_written_in_the_house_style() -> None:
    from models.formatting import date_tick_labels

    assert date_tick_labels([date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]) == [
        "Sep 2026", "Oct", "Nov"]
    assert date_tick_labels([date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]) == [
        "Nov 2025", "Dec", "Jan 2026"]
    assert date_tick_labels([date(2026, 11, 5), date(2026, 11, 9), date(2026, 11, 13)]) == [
        "5 Nov 2026", "9 Nov", "13 Nov"]
    assert date_tick_labels([date(2025, 12, 15), date(2026, 1, 15)]) == [
        "15 Dec 2025", "15 Jan 2026"]


def test_a_chart_axis_never_reads_zero_padded_days_over_a_year_caption(
        phq9_chart: Figure) -> None:
    phq9_chart.canvas.draw()
    ax = phq9_chart.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(not label.startswith("0") for label in labels)
    assert ax.xaxis.get_offset_text().get_text() == ""


def test_the_footnote_can_be_left_to_the_window(
        phq9_points: list[TrendPoint], doses: list[DosingMarker]) -> None:
    from reports.charts import trend_footnote

    instrument = INSTRUMENTS["phq9"]
    with_note = build_trend_chart(instrument, phq9_points, doses)
    without = build_trend_chart(instrument, phq9_points, doses, footnote=False)
    assert find_artists(without, "footnote") == []
    drawn = only_text(with_note, "footnote").replace("\n", " ")
    assert drawn == trend_footnote(instrument, phq9_points)


def _long_record() -> tuple[list[TrendPoint], list[DosingMarker]]:
    """Two and a half years: ten courses of six weekly doses, a PHQ-9 every fortnight with
    item 9 positive every ninth time."""
    doses = [DosingMarker(DAY0 + timedelta(days=91 * course + 7 * n), 6 * course + n + 1,
                          f"C{course + 1} D{n + 1}", course + 1, n + 1)
             for course in range(10) for n in range(6)]
    points = [TrendPoint(DAY0 + timedelta(days=14 * k),
                         score(PHQ9, phq9(20 - k % 12, 1 if k % 9 == 0 else 0)))
              for k in range(65)]
    return points, doses


def test_a_long_record_names_its_courses_not_sixty_doses_in_one_run() -> None:
    points, doses = _long_record()
    fig = build_trend_chart(PHQ9, points, doses, width=6.9, height=4.3)
    labels = [t.get_text() for t in find_artists(fig, "dose-label")]  # type: ignore[attr-defined]
    assert labels == [f"C{n}" for n in range(1, 11)]
    # Three doses a fortnight apart in one course still get their own numbers.
    few = [DosingMarker(DAY0 + timedelta(days=30 * n), n, f"D{n}") for n in (1, 2, 3)]
    fig = build_trend_chart(PHQ9, points[:8], few, width=6.9, height=4.3)
    assert [t.get_text() for t in find_artists(fig, "dose-label")] == ["D1", "D2", "D3"]  # type: ignore[attr-defined]


def test_the_change_line_wraps_inside_the_figure_and_flag_labels_cover_no_ring() -> None:
    points, doses = _long_record()
    fig = build_trend_chart(PHQ9, points, doses, width=4.2, height=6.5)
    renderer = FigureCanvasAgg(fig).get_renderer()
    subtitle = find_artists(fig, "subtitle")[0]
    assert isinstance(subtitle, Text) and "\n" in subtitle.get_text()
    assert subtitle.get_window_extent(renderer).x1 <= fig.bbox.x1
    axes = fig.axes[0]
    rings = [ring for ring in find_artists(fig, "safety-flag")
             if isinstance(ring, Line2D) and ring.get_marker() == "o"]
    assert rings
    ring_px = axes.transData.transform([xy for ring in rings for xy in ring.get_xydata()])  # type: ignore[union-attr]
    left_edge = axes.get_window_extent(renderer).x0
    for label in find_artists(fig, "safety-flag-label"):
        box = label.get_window_extent(renderer)
        assert box.x0 >= left_edge - 1
        assert not any(box.x0 < x < box.x1 and box.y0 < y < box.y1 for x, y in ring_px)


def test_month_ticks_of_a_narrow_chart_with_a_right_axis_do_not_overlap() -> None:
    """Eight months on a chart with an overlay's axis on the right: each month ticked,
    the year written once, no two labels touching."""
    points = [TrendPoint(on(week), score(PCL5, {n: (week + n) % 5 for n in range(1, 21)}))
              for week in (0, 4, 9, 30)]
    overlay = OverlaySeries("Self-energy", ((on(1), 3.0), (on(9), 6.0)))
    fig = build_trend_chart(PCL5, points, overlays=[overlay], header=False)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    labels = [t for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert len(labels) >= 6
    assert sum(any(ch.isdigit() for ch in t.get_text()) for t in labels) == 1  # the year
    boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda b: b.x0)
    for left, right in pairwise(boxes):
        assert left.x1 < right.x0


def test_a_flag_label_is_written_on_the_side_clear_of_the_band_names() -> None:
    """A flagged total beside a band's name (right of it, "moderately severe") gets its
    label on the other side, where there is room, rather than over the name."""
    points, doses = _long_record()
    fig = build_trend_chart(PHQ9, points[:30], doses[:6], width=7.5, height=4.6)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    flags = [label.get_window_extent(renderer)
             for label in find_artists(fig, "safety-flag-label")]
    bands = [label.get_window_extent(renderer) for label in fig.findobj(
        lambda a: str(a.get_gid()).startswith("band-label:"))]
    assert len(flags) == 4 and bands
    for flag in flags:  # at most their padding touches (at 100 dpi, a few pixels)
        for band in bands:
            across = min(flag.x1, band.x1) - max(flag.x0, band.x0)
            assert not flag.overlaps(band) or across < 8


def test_a_flag_label_covers_no_score_and_moves_above_or_below_to_keep_clear() -> None:
    """Fortnightly totals falling a point at a time: beside a flagged point its label
    would hide the next scores, so it goes above or below them; no label covers a score."""
    points, doses = _long_record()
    fig = build_trend_chart(PHQ9, points[:30], doses[:6], width=7.5, height=4.6)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    axes = fig.axes[0]
    totals = axes.transData.transform(
        [xy for artist in fig.findobj(lambda a: str(a.get_gid()).startswith("point-"))
         for xy in artist.get_xydata()])  # type: ignore[attr-defined]
    assert len(totals) == 30
    labels = find_artists(fig, "safety-flag-label")
    assert len(labels) == 4
    for label in labels:
        box = label.get_window_extent(renderer)
        assert not any(box.x0 < x < box.x1 and box.y0 < y < box.y1 for x, y in totals)
    assert {label.get_va() for label in labels} - {"center"}  # type: ignore[attr-defined]
