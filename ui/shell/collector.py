"""Python's cycle collector, run on the GUI thread only while the database worker lives.

The collector runs in whichever thread happens to allocate when a threshold is crossed.
If that is the worker thread (a query building its rows), it can free a window's Qt
object there: Qt's destructor then waits for a lock the GUI thread holds while the GUI
thread waits for the interpreter lock the worker holds, and the application freezes (a
test run froze exactly so). So while a task runner is alive, automatic collection is
off and a timer on the GUI thread collects, by the same thresholds Python would use.
"""

from __future__ import annotations

import gc
from typing import ClassVar, Final

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS: Final = 200


class GuiThreadCollector(QObject):
    """Turns automatic collection off while any collector is running, and collects on the
    thread that owns it (create it on the GUI thread)."""

    _running: ClassVar[int] = 0
    _was_enabled: ClassVar[bool] = True

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if GuiThreadCollector._running == 0:
            GuiThreadCollector._was_enabled = gc.isenabled()
        GuiThreadCollector._running += 1
        gc.disable()
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> None:
        """Collect what Python would have collected by now, and no more."""
        threshold0, threshold1, threshold2 = gc.get_threshold()
        count0, count1, count2 = gc.get_count()
        if threshold0 <= 0 or count0 <= threshold0:
            return
        generation = 2 if count2 > threshold2 else 1 if count1 > threshold1 else 0
        gc.collect(generation)

    def stop(self) -> None:
        """Stop collecting here; the last collector to stop gives collection back to Python."""
        if self._stopped:
            return
        self._stopped = True
        self._timer.stop()
        GuiThreadCollector._running -= 1
        if GuiThreadCollector._running == 0 and GuiThreadCollector._was_enabled:
            gc.enable()
