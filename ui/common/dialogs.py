"""Keys every dialog shares: Ctrl+Enter submits from any field, as Enter does from a line.

Enter in a one-line field presses the dialog's default button (Qt's own rule); in a
field of several lines Enter starts a new line, so Ctrl+Enter (either Enter key) submits
from anywhere in the dialog. Each dialog calls `submit_keys` with what its button does.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QWidget

SUBMIT_KEYS = ("Ctrl+Return", "Ctrl+Enter")


def submit_keys(dialog: QDialog | QWidget, submit: Callable[[], object]) -> list[QShortcut]:
    """Ctrl+Return and Ctrl+Enter (the keypad's) call `submit`."""
    shortcuts = []
    for keys in SUBMIT_KEYS:
        shortcut = QShortcut(QKeySequence(keys), dialog)
        shortcut.activated.connect(lambda: submit())
        shortcuts.append(shortcut)
    return shortcuts
