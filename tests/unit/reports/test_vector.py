"""A chart drawn into the PDF through its record is the chart drawn on the page: the
record replays the very calls, and a figure reused for the next chart draws that chart
exactly as a new figure would."""

from __future__ import annotations

import io

from matplotlib.figure import Figure
from reportlab.pdfgen.canvas import Canvas

from models.backend import Backend
from models.clinical.measures import MeasuresView
from reports.charts import build_trend_chart
from reports.pdf.fonts import register_fonts
from reports.pdf.vector import FigureFlowable, _CanvasRenderer
from reports.sections.measures import CHART_HEIGHT_IN, CHART_WIDTH_IN

WIDTH = CHART_WIDTH_IN * 72


def _page(draw: object) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    draw(canvas)  # type: ignore[operator]
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _drawn_directly(fig: Figure) -> bytes:
    def draw(canvas: Canvas) -> None:
        register_fonts()
        width, height = (float(v) * 72 for v in fig.get_size_inches())
        canvas.saveState()
        canvas.scale(WIDTH / width, WIDTH / width)
        fig.set_dpi(72)
        fig.draw(_CanvasRenderer(canvas, width, height))
        canvas.restoreState()
    return _page(draw)


def _drawn_from_record(flowable: FigureFlowable) -> bytes:
    def draw(canvas: Canvas) -> None:
        flowable.canv = canvas
        flowable.draw()
    return _page(draw)


def _view(practice: Backend) -> MeasuresView:
    client = practice.clients.find("C-0001").id
    return practice.measures.view(client)


def _chart_pages(view: MeasuresView, *, reuse: bool) -> list[bytes]:
    """Each trend chart of the view on a page of its own: each in a new figure, or each
    drawn into its record and its figure then reused for the next, as the report does."""
    pages: list[bytes] = []
    previous: Figure | None = None
    for series in view.series:
        if series.latest is None:
            continue
        fig = build_trend_chart(series.instrument, series.points, view.dosing,
                                width=CHART_WIDTH_IN, height=CHART_HEIGHT_IN,
                                baseline_index=series.baseline, into=previous)
        pages.append(_drawn_from_record(FigureFlowable(fig, WIDTH)))
        previous = fig if reuse else None
    return pages


def _first_chart(view: MeasuresView) -> Figure:
    series = next(s for s in view.series if s.latest is not None)
    return build_trend_chart(series.instrument, series.points, view.dosing,
                             width=CHART_WIDTH_IN, height=CHART_HEIGHT_IN,
                             baseline_index=series.baseline)


def test_the_record_replays_the_drawing(practice: Backend) -> None:
    view = _view(practice)
    direct = _drawn_directly(_first_chart(view))
    recorded = _drawn_from_record(FigureFlowable(_first_chart(view), WIDTH))
    assert recorded == direct
    assert len(recorded) > 5_000  # a whole chart, not an empty page


def test_a_reused_figure_draws_the_next_chart_as_a_new_one_would(practice: Backend) -> None:
    view = _view(practice)
    fresh = _chart_pages(view, reuse=False)
    assert len(fresh) >= 2 and len(set(fresh)) == len(fresh)  # each chart its own
    assert _chart_pages(view, reuse=True) == fresh
