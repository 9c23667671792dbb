"""Measure benchmarks: scoring many administrations, building and rendering a trend chart."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest

from models.instruments.definitions import Instrument
from models.instruments.loading import load_instruments
from models.instruments.scoring import Score, score
from models.instruments.series import DosingMarker, RelationToCare, TrendPoint
from reports.charts import build_trend_chart, figure_to_png_bytes

INSTRUMENTS = load_instruments()
START = date(2024, 1, 8)


def random_answers(instrument: Instrument, rng: random.Random, missing_rate: float = 0.02
                   ) -> dict[int, int | None]:
    return {
        item.number: None if rng.random() < missing_rate
        else rng.randint(item.min_value, item.max_value)
        for item in instrument.items
    }


@pytest.fixture(scope="module")
def administrations() -> list[tuple[Instrument, dict[int, int | None]]]:
    """10,000 administrations: 4,000 PHQ-9, 4,000 GAD-7, 2,000 PCL-5, a few incomplete."""
    rng = random.Random(20240108)
    plan = [("phq9", 4000), ("gad7", 4000), ("pcl5", 2000)]
    return [
        (INSTRUMENTS[key], random_answers(INSTRUMENTS[key], rng))
        for key, count in plan
        for _ in range(count)
    ]


@pytest.fixture(scope="module")
def hundred_points() -> tuple[list[TrendPoint], list[DosingMarker]]:
    phq9 = INSTRUMENTS["phq9"]
    rng = random.Random(7)
    points = []
    for week in range(100):
        answers = random_answers(phq9, rng, missing_rate=0.01)
        relation = RelationToCare.BASELINE if week == 0 else RelationToCare.INTEGRATION
        points.append(TrendPoint(START + timedelta(weeks=week), score(phq9, answers), relation))
    doses = [DosingMarker(START + timedelta(days=d), n) for n, d in
             enumerate((14, 16, 18, 21, 23, 60, 120, 240), start=1)]
    return points, doses


def test_score_10000_administrations(
    benchmark: Any, administrations: list[tuple[Instrument, dict[int, int | None]]]
) -> None:
    benchmark.extra_info["target_s"] = 0.2

    def score_all() -> list[Score]:
        return [score(instrument, answers) for instrument, answers in administrations]

    results = benchmark(score_all)
    assert len(results) == 10_000
    assert sum(result.total is not None for result in results) > 5_000


def test_build_trend_chart_100_points(
    benchmark: Any, hundred_points: tuple[list[TrendPoint], list[DosingMarker]]
) -> None:
    benchmark.extra_info["target_s"] = 0.15
    points, doses = hundred_points
    fig = benchmark(build_trend_chart, INSTRUMENTS["phq9"], points, doses)
    assert len(fig.axes) == 1


def test_render_trend_chart_100_points_png(
    benchmark: Any, hundred_points: tuple[list[TrendPoint], list[DosingMarker]]
) -> None:
    """Build and render at 150 dpi, as the PDF report will; no target, for the record."""
    points, doses = hundred_points

    def build_and_render() -> bytes:
        return figure_to_png_bytes(build_trend_chart(INSTRUMENTS["phq9"], points, doses), 150)

    png = benchmark.pedantic(build_and_render, rounds=5, iterations=1, warmup_rounds=1)
    assert png.startswith(b"\x89PNG")
