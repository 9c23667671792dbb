"""Controls that keep their answer readable but take no input: a signed note's answers,
a target in a vault open read-only."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget

from ui.common.style import repolish


class _Inert(QObject):
    """Swallows every input event of the controls it watches (read-only mode), except
    that the mouse wheel goes on to the page: the control does not take it, and it is
    left unaccepted, so Qt passes it to the parents and the form scrolls. (Swallowed, it
    stopped there: a signed note scrolled only with the pointer in its margins.)"""

    BLOCKED: Final = frozenset({
        QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove, QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease, QEvent.Type.Wheel, QEvent.Type.Shortcut,
    })

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel:
            event.ignore()
        return event.type() in self.BLOCKED


_inert: _Inert | None = None


def make_read_only(widget: QWidget, read_only: bool) -> None:
    """Keep a control readable but inert: no input, no keyboard focus, normal colours."""
    global _inert
    if _inert is None:
        _inert = _Inert(QApplication.instance())
    if read_only:
        widget.installEventFilter(_inert)
    else:
        widget.removeEventFilter(_inert)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus if read_only else Qt.FocusPolicy.StrongFocus)
    # A stylesheet may select on it: the note form's drops the frame and the arrow of an
    # inert control, so a signed answer reads as written, not as a control waiting for input.
    widget.setProperty("inert", "true" if read_only else "false")
    repolish(widget)
