"""The caching Agg renderer draws exactly the pixels matplotlib's own renderer draws, for
charts drawn again and again with the same cache (other sizes, instruments and angles)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure

from models.instruments.scoring import score
from models.instruments.series import DosingMarker, OverlaySeries, TrendPoint
from reports.charts import build_cadss_chart, build_trend_chart
from tests.unit.test_charts import PCL5, PHQ9, on, phq9
from ui.common.agg_text import TEXT_CACHE_WORKS, CachingRendererAgg, TextCache

pytestmark = pytest.mark.skipif(not TEXT_CACHE_WORKS,
                                reason="this matplotlib has not the text path it caches")


def _plain(fig: Figure) -> np.ndarray:
    renderer = RendererAgg(*fig.bbox.size, fig.dpi)  # type: ignore[no-untyped-call]
    fig.draw(renderer)
    return np.asarray(renderer.buffer_rgba()).copy()


def _cached(fig: Figure, cache: TextCache) -> np.ndarray:
    renderer = CachingRendererAgg(*fig.bbox.size, fig.dpi, cache)
    fig.draw(renderer)
    return np.asarray(renderer.buffer_rgba()).copy()


def _figures() -> list[Figure]:
    doses = [DosingMarker(on(week) + timedelta(days=2), n) for n, week in enumerate((1, 2, 4))]
    figures = []
    for shift in range(4):  # the same words at other sub-pixel places, and new ones
        points = [TrendPoint(on(week + shift), score(PHQ9, phq9(total)))
                  for week, total in ((0, 18 + shift), (1, 14), (2, 12), (3, 25), (5, 8))]
        figures.append(build_trend_chart(PHQ9, points, doses[: 1 + shift % 3],
                                         width=7.0 + shift * 0.37, height=4.2 + shift * 0.13,
                                         dpi=100 + shift * 25))
    pcl5 = [TrendPoint(on(week), score(PCL5, {n: (week + n) % 5 for n in range(1, 21)}))
            for week in (0, 4, 9, 30)]
    overlay = OverlaySeries("Self-energy", ((on(1), 3.0), (on(9), 6.0)))
    figures.append(build_trend_chart(PCL5, pcl5, doses, overlays=[overlay], header=False))
    figures.append(build_cadss_chart((), width=6.0, height=3.0))
    return figures


def test_the_pixels_are_matplotlibs_own_drawn_afresh_and_from_the_cache() -> None:
    cache = TextCache()
    for fig in _figures():
        expected = _plain(fig)
        first = _cached(fig, cache)  # laid out and rendered now
        again = _cached(fig, cache)  # every string and glyph from the cache
        assert np.array_equal(first, expected)
        assert np.array_equal(again, expected)
    assert cache.layouts and cache.glyphs and cache.metrics
    cache.clear()
    assert not (cache.layouts or cache.glyphs or cache.metrics)


def test_a_rotated_label_is_drawn_as_matplotlib_draws_it() -> None:
    fig = Figure(figsize=(3, 2), dpi=110)
    ax = fig.add_subplot()
    ax.set_ylabel("PHQ-9 total")
    ax.set_xlabel("Week of care")
    fig.text(0.5, 0.5, "Slanted, 30°", rotation=30)
    cache = TextCache()
    assert np.array_equal(_cached(fig, cache), _plain(fig))
    assert np.array_equal(_cached(fig, cache), _plain(fig))
