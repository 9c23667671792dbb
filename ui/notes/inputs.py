"""Input controls of the note form that may be "not given": spin, date, time, combo, slider.

Every control follows one rule for the mouse wheel (`FocusedWheel`): it changes a
value only when the control has focus, so scrolling a long form never changes an answer.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final, cast

from PySide6.QtCore import (
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTime,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QSlider,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionSlider,
    QStyleOptionViewItem,
    QTimeEdit,
    QWidget,
)

from models.formatting import number_text
from models.templates.definitions import FieldDef, FieldKind
from models.values import stored_number
from reports.palette import MUTED
from ui.common.dates import (
    DATE_EDIT_FORMAT,
    TIME_EDIT_FORMAT,
    RetypeDateMixin,
    RetypeTimeMixin,
)

CHOOSE: Final = "— choose —"
NOT_GIVEN: Final = "not given"
NOT_RATED: Final = "Not rated"
UNANSWERED: Final = "—"

DATE_SENTINEL: Final = QDate(1900, 1, 1)
# A QTimeEdit cannot be empty. "Not given" is 00:00:00 exactly; a real time always carries
# one second, which the HH:mm format never shows, so midnight can still be entered.
_TIME_SENTINEL: Final = QTime(0, 0, 0)
_NO_LIMIT: Final = 1_000_000
_HHMM: Final = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


def parse_hhmm(value: object) -> tuple[int, int] | None:
    """A stored time "14:05" as (14, 5); None for anything that is not a 24-hour HH:MM."""
    match = _HHMM.fullmatch(value) if isinstance(value, str) else None
    return (int(match.group(1)), int(match.group(2))) if match is not None else None


class FocusedWheel:
    """Mixin for every input control: the mouse wheel changes it only when it has focus.

    Scrolling down a long form must never change a dose or a rating that happens to pass
    under the pointer; an unfocused control lets the wheel scroll the page instead.
    """

    def wheelEvent(self, event: QWheelEvent) -> None:
        control = cast(QWidget, self)
        if control.hasFocus():
            super().wheelEvent(event)  # type: ignore[misc]
        else:
            event.ignore()


class Combo(FocusedWheel, QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setMinimumContentsLength(16)


class OptionalSpin(FocusedWheel, QSpinBox):
    """A whole number that may be "not given": the value one below the minimum."""

    def __init__(self, f: FieldDef | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        low = int(f.minimum) if f is not None and f.minimum is not None else -_NO_LIMIT
        high = int(f.maximum) if f is not None and f.maximum is not None else _NO_LIMIT
        self.setRange(low - 1, high)
        self.setSpecialValueText(NOT_GIVEN if f is None or f.kind is not FieldKind.SCALE
                                 else UNANSWERED)
        if f is not None and f.unit:
            self.setSuffix(f" {f.unit}")
        self.setAccelerated(True)
        self.clear_value()

    def clear_value(self) -> None:
        self.setValue(self.minimum())

    def optional_value(self) -> int | None:
        return None if self.value() == self.minimum() else self.value()

    def stepBy(self, steps: int) -> None:
        # From "not given", the first step lands on the nearest real value, not one past it.
        if self.value() == self.minimum() and steps > 0:
            self.setValue(self.minimum() + 1)
            return
        super().stepBy(steps)


class OptionalDoubleSpin(FocusedWheel, QDoubleSpinBox):
    """A number with a unit that may be "not given": one step below the minimum."""

    def __init__(self, f: FieldDef | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setDecimals(3)
        low = float(f.minimum) if f is not None and f.minimum is not None else -_NO_LIMIT
        high = float(f.maximum) if f is not None and f.maximum is not None else _NO_LIMIT
        step = 0.1 if high - low <= 10 else 1.0
        self.setSingleStep(step)
        self._floor = low
        self.setRange(low - step, high)
        self.setSpecialValueText(NOT_GIVEN)
        if f is not None and f.unit:
            self.setSuffix(f" {f.unit}")
        self.setAccelerated(True)
        self.clear_value()

    def clear_value(self) -> None:
        self.setValue(self.minimum())

    def optional_value(self) -> int | float | None:
        if self.value() <= self.minimum():
            return None
        return stored_number(self.value())

    def textFromValue(self, value: float) -> str:
        return self.locale().toString(float(number_text(value)), "g", 12)

    def stepBy(self, steps: int) -> None:
        if self.value() <= self.minimum() and steps > 0:
            self.setValue(self._floor)
            return
        super().stepBy(steps)


class OptionalDateEdit(FocusedWheel, RetypeDateMixin, QDateEdit):
    """A date with a calendar popup that may be "not given" (shown while unset)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setDisplayFormat(DATE_EDIT_FORMAT)
        self.setCalendarPopup(True)
        self.setMinimumDate(DATE_SENTINEL)
        self.setSpecialValueText(NOT_GIVEN)
        self.setDate(DATE_SENTINEL)
        self.calendarWidget().installEventFilter(self)

    def is_set(self) -> bool:
        return self.date() != DATE_SENTINEL

    def clear_value(self) -> None:
        self.setDate(DATE_SENTINEL)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.calendarWidget() and event.type() == QEvent.Type.Show \
                and not self.is_set():
            today = QDate.currentDate()
            self.calendarWidget().setCurrentPage(today.year(), today.month())
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.is_set() and not self.typing:
            key = event.key()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
                self.setDate(QDate.currentDate())
                return
        super().keyPressEvent(event)  # typing over "not given" starts a date afresh

    def _retype_starts(self, event: QKeyEvent) -> bool:
        return not self.is_set() or super()._retype_starts(event)

    def _reference_day(self) -> dt.date:
        # A year left out is this year when the field was empty.
        if self._before is None or self._before == DATE_SENTINEL:
            return cast(dt.date, QDate.currentDate().toPython())
        return super()._reference_day()

    def focusNextPrevChild(self, next: bool) -> bool:
        # Unset, the edit shows words, not sections: Tab goes on to the next field.
        if not self.is_set() or self.typing:
            self.finish_typing()
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)


class OptionalTimeEdit(FocusedWheel, RetypeTimeMixin, QTimeEdit):
    """A 24-hour time that may be "not given"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setDisplayFormat(TIME_EDIT_FORMAT)
        self.setMinimumTime(_TIME_SENTINEL)
        self.setSpecialValueText(NOT_GIVEN)
        self.setTime(_TIME_SENTINEL)

    def is_set(self) -> bool:
        return self.time() != _TIME_SENTINEL

    def clear_value(self) -> None:
        self.setTime(_TIME_SENTINEL)

    def set_hhmm(self, hour: int, minute: int) -> None:
        self.setTime(QTime(hour, minute, 1))

    def hhmm(self) -> str | None:
        if not self.is_set():
            return None
        return f"{self.time().hour():02d}:{self.time().minute():02d}"

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.is_set():
            key = event.key()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
                now = QTime.currentTime()
                minute = now.minute() - now.minute() % 5
                self.set_hhmm(now.hour(), minute)
                return
            if event.text().isdigit():
                self.set_hhmm(0, 0)
                self.setSelectedSection(self.sectionAt(0))
        super().keyPressEvent(event)

    def stepBy(self, steps: int) -> None:
        super().stepBy(steps)
        if self.time() == _TIME_SENTINEL:  # stepped onto midnight: keep it a real time
            self.set_hhmm(0, 0)

    def focusNextPrevChild(self, next: bool) -> bool:
        # Unset, the edit shows words, not sections: Tab goes on to the next field.
        if not self.is_set():
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)


class ScaleSlider(FocusedWheel, QSlider):
    """A rating slider: a click sets the value under the pointer; digits type a rating."""

    rated = Signal()  # the person set a value (by mouse or keyboard)

    def __init__(self, low: int, high: int, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setRange(low, high)
        self.setPageStep(1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._typed = ""
        self._typed_timer = QTimer(self)
        self._typed_timer.setSingleShot(True)
        self._typed_timer.setInterval(900)
        self._typed_timer.timeout.connect(self._forget_typed)
        self.actionTriggered.connect(lambda _action: self.rated.emit())

    def _forget_typed(self) -> None:
        self._typed = ""

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            opt = QStyleOptionSlider()
            self.initStyleOption(opt)
            handle = self.style().subControlRect(
                QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle, self
            )
            span = max(1, self.width() - handle.width())
            x = int(event.position().x()) - handle.width() // 2
            self.setValue(QStyle.sliderValueFromPosition(self.minimum(), self.maximum(), x, span))
            self.rated.emit()
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if text.isdigit() and text.isascii():
            candidate = self._typed + text
            if not self.minimum() <= int(candidate) <= self.maximum():
                candidate = text
            if self.minimum() <= int(candidate) <= self.maximum():
                self._typed = candidate
                self._typed_timer.start()
                self.setValue(int(candidate))
                self.rated.emit()
            return
        super().keyPressEvent(event)


class TickLabels(QWidget):
    """The numbers under a scale slider, each centred under its tick."""

    def __init__(self, slider: ScaleSlider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._slider = slider
        font = self.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        self.setFont(font)
        self.setFixedHeight(self.fontMetrics().height() + 2)

    def paintEvent(self, event: QPaintEvent) -> None:
        slider = self._slider
        painter = QPainter(self)
        painter.setPen(QColor(MUTED))
        opt = QStyleOptionSlider()
        slider.initStyleOption(opt)
        height = self.height()
        for value in range(slider.minimum(), slider.maximum() + 1):
            opt.sliderPosition = value
            opt.sliderValue = value
            handle = slider.style().subControlRect(
                QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle, slider
            )
            x = self.mapFromGlobal(slider.mapToGlobal(handle.center())).x()
            painter.drawText(QRect(x - 15, 0, 30, height), Qt.AlignmentFlag.AlignCenter,
                             str(value))
        painter.end()


class RoomyDelegate(QStyledItemDelegate):
    """List rows with room to breathe (and a comfortable target for a click)."""

    def __init__(self, parent: QObject | None = None, extra: int = 10) -> None:
        super().__init__(parent)
        self._extra = extra

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        height = option.fontMetrics.height() + self._extra
        return QSize(hint.width(), max(hint.height(), height))
