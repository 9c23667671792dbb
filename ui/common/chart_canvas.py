"""A Qt view of a matplotlib Figure, rebuilt for the view's size shortly after a resize.

The chart builders in reports.charts lay out margins, legend and footnote for the exact
size they are given, so a resized figure is rebuilt rather than stretched. Importing this
module imports matplotlib (about a third of a second): import it when a chart is first
needed, not at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStyle, QVBoxLayout, QWidget

from reports.charts import ChartTooSmallError
from ui.common.agg_text import TEXT_CACHE_WORKS, CachingRendererAgg, TextCache

# (width in inches, height in inches, dpi) -> a Figure of exactly that size
FigureBuilder = Callable[[float, float, float], Figure]

DPI = 100.0  # logical pixels per inch; the canvas scales for high-density screens
DRAWING = "Drawing the chart…"
DEBOUNCE_MS = 150
_GROW_STEP_IN = 0.4  # a builder that finds the view too short is asked again, taller
_MAX_GROW_STEPS = 12


class _Canvas(FigureCanvasQTAgg):
    """The Qt canvas, drawing with a renderer that lays out and rasterises each distinct
    text once (ui.common.agg_text): a chart drawn again for the next client repeats most
    of its words."""

    def __init__(self, figure: Figure) -> None:
        super().__init__(figure)  # type: ignore[no-untyped-call]
        self.text_cache = TextCache()

    def get_renderer(self) -> Any:
        if not TEXT_CACHE_WORKS:
            return super().get_renderer()  # type: ignore[no-untyped-call]
        # As FigureCanvasAgg.get_renderer, with the caching renderer.
        width, height = self.get_width_height(physical=True)
        key = width, height, self.figure.dpi
        if self._lastKey != key:
            self.renderer = CachingRendererAgg(width, height, self.figure.dpi,
                                               self.text_cache)
            self._lastKey = key
        return self.renderer


class FigureView(QWidget):
    """Shows the Figure its builder makes for the current size; rebuilds after resizes."""

    figure_changed = Signal()  # a new or redrawn Figure is on screen (see `figure`)

    def __init__(
        self,
        builder: FigureBuilder | None = None,
        *,
        minimum: QSize | None = None,
        debounce_ms: int = DEBOUNCE_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._builder = builder
        self._figure: Figure | None = None
        self._canvas: FigureCanvasQTAgg | None = None
        self._built_for = QSize()
        # The height this view took, beyond the room it was given, for a figure that
        # needed it (0: none), and the width it was measured at.
        self._grown, self._grown_width = 0, 0
        self._base_minimum = minimum or QSize(420, 300)
        self.setMinimumSize(self._base_minimum)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._rebuild_if_resized)
        self._empty = QLabel()
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setProperty("role", "placeholder")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self._empty)

    @property
    def figure(self) -> Figure | None:
        """The Figure on screen, or None."""
        return self._figure

    @property
    def canvas(self) -> FigureCanvasQTAgg | None:
        return self._canvas

    def set_builder(self, builder: FigureBuilder | None, empty_text: str = "") -> None:
        """Show what `builder` draws (at once if the view is visible); None shows the text."""
        self._builder = builder
        self._empty.setText(empty_text)
        self._grown = 0  # new content: what it needs is measured again
        if builder is None:
            self._drop_canvas()
            self._empty.show()
            return
        if self.isVisible():
            self.rebuild()
        else:
            self._built_for = QSize()  # built on the next show

    def rebuild(self) -> None:
        """Build the figure now for the view's current size."""
        self._timer.stop()
        if self._builder is None:
            return
        if self._canvas is None and self.isVisible():
            # Nothing drawn here yet and a chart takes a moment: say so while it is drawn
            # (a chart on screen stays until the next one replaces it).
            self._empty.setText(DRAWING)
            self._empty.show()
            self._empty.repaint()
        size = self.size().expandedTo(self._base_minimum)
        width_in, height_in = size.width() / DPI, size.height() / DPI
        figure: Figure | None = None
        for step in range(_MAX_GROW_STEPS + 1):
            try:
                figure = self._builder(width_in, height_in + step * _GROW_STEP_IN, DPI)
                break
            except ChartTooSmallError:
                # The builder needs more height (a long legend or footnote): grow the view,
                # and let the scroll area around it (if any) scroll.
                if step == _MAX_GROW_STEPS:
                    raise
        assert figure is not None
        needed = round(figure.get_figheight() * DPI)
        if needed > size.height():
            self._grown, self._grown_width = needed, size.width()
        elif not (self._grown and size.height() <= self._grown
                  and abs(size.width() - self._grown_width) <= self._scroll_bar_room()):
            # Given more room than it took, or a width the need was not measured at: the
            # figure fits where it is. (At the height it took, and about the width it was
            # measured at, it still needs that height: the figure there is exactly as tall
            # as the view, and letting go would shrink the view, need the height again and
            # grow it, for ever; a scroll bar that comes and goes changes the width too.)
            self._grown = 0
        self.setMinimumHeight(max(self._base_minimum.height(), self._grown))
        self._show_figure(figure)
        self._built_for = self.size()

    def clear(self) -> None:
        """Drop the figure and the builder (and what it holds)."""
        self._timer.stop()
        self._builder = None
        self._drop_canvas()
        self._empty.setText("")
        self._empty.show()
        self._grown = 0
        self.setMinimumSize(self._base_minimum)

    # -- internals ------------------------------------------------------------------------

    def _show_figure(self, figure: Figure) -> None:
        if figure is self._figure and self._canvas is not None:
            # The builder drew into the figure on screen (reports.charts reuses a trend
            # figure's axes): the canvas stays, and draws it again.
            self._name_canvas(self._canvas, figure)
            self._canvas.draw_idle()  # type: ignore[no-untyped-call]
            self.figure_changed.emit()
            return
        canvas = _Canvas(figure)
        canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        canvas.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        canvas.setMinimumSize(1, 1)
        self._name_canvas(canvas, figure)
        old = self._canvas
        self._empty.hide()
        if old is not None:
            self._layout.replaceWidget(old, canvas)
            old.hide()
            old.deleteLater()
        else:
            self._layout.addWidget(canvas)
        self._canvas = canvas
        self._figure = figure
        self.figure_changed.emit()

    @staticmethod
    def _name_canvas(canvas: FigureCanvasQTAgg, figure: Figure) -> None:
        title = next((t.get_text() for t in figure.texts if t.get_gid() == "title"), "Chart")
        subtitle = next((t.get_text() for t in figure.texts if t.get_gid() == "subtitle"), "")
        canvas.setAccessibleName(title)
        canvas.setAccessibleDescription(subtitle)

    def _drop_canvas(self) -> None:
        if self._canvas is not None:
            self._layout.removeWidget(self._canvas)
            self._canvas.hide()
            self._canvas.deleteLater()
        self._canvas = None
        self._figure = None
        self._built_for = QSize()

    def _scroll_bar_room(self) -> int:
        """How much a scroll bar that appears beside the view takes from its width."""
        return self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent) + 4

    def _rebuild_if_resized(self) -> None:
        if not self.isVisible() or self._builder is None:
            return
        built = self._built_for
        if built.isValid() and abs(built.width() - self.width()) <= 2 \
                and abs(built.height() - self.height()) <= 2:
            return
        self.rebuild()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._builder is not None and not self._built_for.isValid():
            self.rebuild()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._builder is not None and self.isVisible():
            self._timer.start()
