"""A place for a chart that imports matplotlib only when the first chart is drawn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QVBoxLayout, QWidget

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

    def ensure_view(self) -> FigureView:
        if self.view is None:
            from ui.common.chart_canvas import FigureView

            self.view = FigureView(minimum=self.minimum)
            self._layout.addWidget(self.view)
            self.view.show()  # now, not on the layout's queued show: draws at once if visible
        return self.view
