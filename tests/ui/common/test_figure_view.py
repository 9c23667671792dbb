"""The view a chart is drawn in: it grows for a figure that needs more height than it is
given (and the page scrolls), and settles there."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea
from pytestqt.qtbot import QtBot

from ui.common.chart_canvas import DEBOUNCE_MS, DPI, FigureView

NEEDS_PX = 620  # the figure's least height, as the targets' small multiples have one


def test_a_figure_taller_than_its_room_grows_the_view_once_and_it_stays(
        qtbot: QtBot) -> None:
    built: list[tuple[int, int]] = []

    def build(width: float, height: float, dpi: float) -> Any:
        built.append((round(width * DPI), round(height * DPI)))
        return Figure(figsize=(width, max(height, NEEDS_PX / DPI)), dpi=dpi)

    view = FigureView(minimum=QSize(300, 200))
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(view)
    qtbot.addWidget(scroll)
    scroll.resize(700, 500)  # room for 500 px: the figure needs 620, so the page scrolls
    scroll.show()
    view.set_builder(build)
    qtbot.waitUntil(lambda: view.height() >= NEEDS_PX, timeout=5_000)
    qtbot.wait(DEBOUNCE_MS * 6)
    settled = len(built)
    qtbot.wait(DEBOUNCE_MS * 8)
    # Drawn again for as long as it is left alone, it flickered: given its least height,
    # it let go of it, shrank to the room it had, needed the height again, and so on.
    assert len(built) == settled, built[-6:]
    assert view.height() >= NEEDS_PX and scroll.verticalScrollBar().maximum() > 0
    # More room than it needs: it takes the room, and no longer holds the height.
    scroll.resize(700, 900)
    qtbot.waitUntil(lambda: built[-1][1] >= 890, timeout=5_000)
    assert view.minimumHeight() < NEEDS_PX
    assert scroll.verticalScrollBar().maximum() == 0
