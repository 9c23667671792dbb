"""A visible "loading" state for work that takes longer than a moment.

Anything quicker than SHOW_AFTER_MS shows nothing (a flash of "Loading…" on every click
is noise); anything slower shows its indicator until the work is done.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

SHOW_AFTER_MS: Final = 150


class DelayedBusy(QObject):
    """Shows `indicator` (a "Loading…" label, say) once `start()` has gone unanswered by
    `stop()` for SHOW_AFTER_MS; hides it again on `stop()`."""

    def __init__(self, indicator: QWidget, delay_ms: int = SHOW_AFTER_MS) -> None:
        super().__init__(indicator)
        self.indicator = indicator
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._show)
        self._running = False
        indicator.hide()

    @property
    def running(self) -> bool:
        """Work has started and not finished (whether or not the indicator shows yet)."""
        return self._running

    def start(self) -> None:
        if not self._running:
            self._running = True
            self._timer.start()

    def stop(self) -> None:
        self._running = False
        self._timer.stop()
        self.indicator.hide()

    def _show(self) -> None:
        self.indicator.show()
        self.indicator.raise_()
