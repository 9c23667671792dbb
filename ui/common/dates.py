"""Date and time edits write dates as models.formatting does ("7 Oct 2026", "14:05"), and
take a date or time typed over them whole.

Qt's date edits are typed section by section; with the whole text selected, typing "12 Oct
2025" gave "1 Oct 2025", and a time edit ignored "14:30". Here, select-all (or a
double-click, or tabbing in) and typing replaces the whole value: a date is read the way
people type one (models.formatting.parse_date_text), a time section by section.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final, cast

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent, QValidator
from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QTimeEdit

from models.formatting import parse_date_text

# Qt's spelling of formatting.date_text and formatting.time_text, for setDisplayFormat.
DATE_EDIT_FORMAT: Final = "d MMM yyyy"
TIME_EDIT_FORMAT: Final = "HH:mm"


def to_qdate(day: dt.date) -> QDate:
    """A date as a QDate, for a date edit."""
    return QDate(day.year, day.month, day.day)


def _typed(event: QKeyEvent) -> str:
    """The character a key press types, or '' for a key that edits or moves."""
    text = event.text()
    mods = event.modifiers() & ~(Qt.KeyboardModifier.ShiftModifier
                                 | Qt.KeyboardModifier.KeypadModifier)
    return text if len(text) == 1 and text.isprintable() and not mods else ""


def _whole_selected(edit: QDateTimeEdit) -> bool:
    line = edit.lineEdit()
    return bool(line.text()) and line.selectedText() == line.text()


class RetypeDateMixin:
    """For a QDateEdit: with its whole text selected, typing starts the date afresh.

    While typing, the text is shown as typed and the value follows it whenever it reads as
    a whole date within the edit's range; Enter, Tab or leaving the field ends the typing
    (and a text that is no date gives the value back as it was). Escape gives it back too.
    """

    _retype: str | None = None
    _before: QDate | None = None

    def _retype_starts(self, event: QKeyEvent) -> bool:
        """Typing starts afresh: over a whole selection (overridable: an empty edit)."""
        return _whole_selected(cast(QDateTimeEdit, self))

    def _reference_day(self) -> dt.date:
        """The day a year left out is taken from: the date shown before typing began."""
        before = self._before if self._before is not None else cast(QDateEdit, self).date()
        return cast(dt.date, before.toPython())

    def validate(self, text: str, pos: int) -> Any:
        if self._retype is not None:
            return QValidator.State.Intermediate, text, pos
        return super().validate(text, pos)  # type: ignore[misc]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        edit = cast(QDateEdit, self)
        typed = _typed(event)
        if self._retype is None and typed and self._retype_starts(event):
            self._retype, self._before = "", edit.date()
        if self._retype is None:
            super().keyPressEvent(event)  # type: ignore[misc]
            return
        key = event.key()
        if key == Qt.Key.Key_Backspace:
            self._show_typed(self._retype[:-1])
        elif key == Qt.Key.Key_Escape:
            self.finish_typing(keep=False)
        elif typed:
            self._show_typed(self._retype + typed)
        else:
            self.finish_typing()
            super().keyPressEvent(event)  # type: ignore[misc]

    def _show_typed(self, text: str) -> None:
        edit = cast(QDateEdit, self)
        self._retype = text
        day = parse_date_text(text, today=self._reference_day())
        if day is not None:
            wanted = to_qdate(day)
            if edit.minimumDate() <= wanted <= edit.maximumDate() and wanted != edit.date():
                edit.setDate(wanted)  # the value follows what is typed
        edit.lineEdit().setText(text)

    @property
    def typing(self) -> bool:
        """A date is being typed over the old one."""
        return self._retype is not None

    def finish_typing(self, *, keep: bool = True) -> None:
        """End the typing: keep the date typed, or (when it reads as none, or `keep` is
        False) the date there was before."""
        if self._retype is None:
            return
        edit = cast(QDateEdit, self)
        text, before = self._retype, self._before
        day = parse_date_text(text, today=self._reference_day()) if keep else None
        self._retype = self._before = None
        wanted = to_qdate(day) if day is not None else before
        if wanted is not None and not edit.minimumDate() <= wanted <= edit.maximumDate():
            wanted = before
        if wanted is not None:
            edit.setDate(wanted)
        edit.lineEdit().setText(edit.textFromDateTime(edit.dateTime()))

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.finish_typing()
        super().focusOutEvent(event)  # type: ignore[misc]


class RetypeTimeMixin:
    """For a QTimeEdit: with its whole text selected, typing starts at the hours, so
    "14:30" or "1430" typed over 09:00 gives 14:30."""

    def _retype_starts(self, event: QKeyEvent) -> bool:
        return _whole_selected(cast(QDateTimeEdit, self))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        edit = cast(QTimeEdit, self)
        if _typed(event) and self._retype_starts(event):
            edit.setSelectedSection(edit.sectionAt(0))
        super().keyPressEvent(event)  # type: ignore[misc]


class RetypeDateEdit(RetypeDateMixin, QDateEdit):
    """A QDateEdit that takes a date typed over it whole."""


class RetypeTimeEdit(RetypeTimeMixin, QTimeEdit):
    """A QTimeEdit that takes a time typed over it whole."""
