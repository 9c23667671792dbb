"""A place for a chart that imports matplotlib only when the first chart is drawn, with the
chart's rules and sources as text under it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ui.common.chart_canvas import FigureView


class ChartHost(QWidget):
    """Holds a FigureView, created (and matplotlib imported) only when first needed."""

    def __init__(self, minimum: QSize, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.minimum = minimum
        self.view: FigureView | None = None  # it carries the minimum size, and may grow it
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        # The rules and their sources, under the chart as text that wraps with the window
        # (drawn in the chart they were cut on a low window, and drawing that much text was
        # a third of the chart's time).
        self.footnote = QLabel()
        self.footnote.setObjectName("chartFootnote")
        self.footnote.setProperty("role", "subtle")
        self.footnote.setWordWrap(True)
        self.footnote.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.footnote.setContentsMargins(12, 0, 12, 0)
        self.footnote.hide()
        self._layout.addWidget(self.footnote)

    def set_footnote(self, text: str) -> None:
        self.footnote.setText(text)
        self.footnote.setVisible(bool(text))
        self._fit_footnote()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_footnote()

    def _fit_footnote(self) -> None:
        # Wrapped text asks for its height only as a hint, and a splitter or a low window
        # squeezed it, cutting the first lines of the rules: hold every line's room.
        width = self.footnote.width() if self.footnote.width() > 0 else self.width()
        height = self.footnote.heightForWidth(width) if self.footnote.text() else 0
        if height != self.footnote.minimumHeight():
            self.footnote.setMinimumHeight(max(height, 0))

    def ensure_view(self) -> FigureView:
        if self.view is None:
            from ui.common.chart_canvas import FigureView

            self.view = FigureView(minimum=self.minimum)
            self._layout.insertWidget(0, self.view, 1)
            self.view.show()  # now, not on the layout's queued show: draws at once if visible
        return self.view
