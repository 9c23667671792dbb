"""Notice when no one has touched keyboard or mouse for a while, and say so once."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TabletPress,
})


class IdleWatcher(QObject):
    """An application-wide event filter that restarts a timer on every input event.

    `idle` is emitted when the timer runs out; the watcher then pauses until `resume()`
    (the window calls it after the therapist unlocks again).
    """

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self._on_timeout)
        self._active = False
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def timeout_ms(self) -> int:
        return self._timer.interval()

    def set_timeout_ms(self, timeout_ms: int) -> None:
        self._timer.setInterval(timeout_ms)
        if self._active:
            self._timer.start()

    def resume(self) -> None:
        self._active = True
        self._timer.start()

    def pause(self) -> None:
        self._active = False
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._active

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._active and event.type() in _INPUT_EVENTS:
            self._timer.start()
        return False

    def _on_timeout(self) -> None:
        if self._active:
            self._active = False
            self.idle.emit()

    def detach(self) -> None:
        self.pause()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
