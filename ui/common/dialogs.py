"""What dialogs share: Ctrl+Enter submits from any field, as Enter does from a line; a
dialog with wrapped text is as tall as its text needs at its width; and what was typed is
not thrown away by Escape without asking.

Enter in a one-line field presses the dialog's default button (Qt's own rule); in a
field of several lines Enter starts a new line, so Ctrl+Enter (either Enter key) submits
from anywhere in the dialog. Each dialog calls `submit_keys` with what its button does.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

SUBMIT_KEYS = ("Ctrl+Return", "Ctrl+Enter")
SUBMIT_KEYS_TEXT = "Ctrl+Enter"  # as a hint says them


def submit_keys(dialog: QDialog | QWidget, submit: Callable[[], object]) -> list[QShortcut]:
    """Ctrl+Return and Ctrl+Enter (the keypad's) call `submit`."""
    shortcuts = []
    for keys in SUBMIT_KEYS:
        shortcut = QShortcut(QKeySequence(keys), dialog)
        shortcut.activated.connect(lambda: submit())
        shortcuts.append(shortcut)
    return shortcuts


class _FitToText(QObject):
    """Gives the watched dialog the height its layout needs at its width: when it is shown,
    and again whenever its content changes (a hint shown, hidden or reworded) while it
    still has the height given last. Once the person has resized it, it only grows, so
    that nothing is cut."""

    def __init__(self, dialog: QDialog) -> None:
        super().__init__(dialog)
        self._given: int | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if (kind in (QEvent.Type.Show, QEvent.Type.LayoutRequest)
                and isinstance(watched, QWidget) and watched.isVisible()):
            layout = watched.layout()
            if layout is not None and layout.hasHeightForWidth():
                needed = max(layout.totalHeightForWidth(watched.width()),
                             watched.minimumHeight())
                height = watched.height()
                ours = kind == QEvent.Type.Show or height == self._given
                if needed > height or (ours and needed < height):
                    watched.resize(watched.width(), needed)
                    self._given = needed
        return False


def fit_to_text(dialog: QDialog) -> None:
    """Show `dialog` as tall as its wrapped text needs at the width it opens with, and
    keep it so as its text changes. Qt sizes a new window for its text's preferred
    width, narrower than a dialog's least width: the text took fewer lines than that
    height was made for, and the spare height opened gaps between the rows; or, where
    Qt's guess was too short, the rows were squeezed onto each other."""
    dialog.installEventFilter(_FitToText(dialog))


class DiscardGuard:
    """Asks before what was typed in a dialog is thrown away by its Escape or Cancel.
    Keeping it is the default and Escape's answer. The dialog's reject() calls the guard's;
    `typed()` says what would be lost ("3 answers entered here will not be saved."), or
    None when nothing was typed and the dialog closes at once."""

    def __init__(self, dialog: QDialog, question: str, typed: Callable[[], str | None], *,
                 discard: str, keep: str) -> None:
        self._dialog, self._question, self._typed = dialog, question, typed
        self._discard, self._keep = discard, keep
        self.box: QMessageBox | None = None  # the question, while it is open

    def reject(self) -> None:
        if self.box is not None:
            return
        detail = self._typed()
        if detail is None:
            QDialog.reject(self._dialog)
            return
        box = QMessageBox(QMessageBox.Icon.Question, self._question, self._question,
                          QMessageBox.StandardButton.NoButton, self._dialog)
        box.setInformativeText(detail)
        discard = box.addButton(self._discard, QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(self._keep, QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        self.box = box

        def finished(_result: int) -> None:
            chosen = box.clickedButton()
            box.deleteLater()
            self.box = None
            if chosen is discard:
                QDialog.reject(self._dialog)

        box.finished.connect(finished)
        box.open()


def close_now(dialog: QDialog) -> None:
    """Close `dialog` at once, unsaved and unasked, and any question it has open with it:
    the lock hides every record, and nothing may stay up over it to ask."""
    for box in dialog.findChildren(QMessageBox):
        if box.isVisible():
            box.done(QDialog.DialogCode.Rejected)
    dialog.done(QDialog.DialogCode.Rejected)
