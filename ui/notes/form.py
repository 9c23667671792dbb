"""The note form: renders any note template from its definition and edits its content.

One `NoteForm` per note. It knows nothing of the database: `set_content` puts a note's
content in, `content()` takes it out in the stored shape (text and choices as str,
multi-choices as lists, ratings and counts as int, numbers as int or float, dates
"YYYY-MM-DD", times "HH:MM", yes/no as bool, a target as its id, parts as a list of ids,
groups as lists of row dicts). A field that is not filled is left out. A value the form
cannot show (a stored answer that is no longer an option, say) is kept as it was, with a
notice, until the therapist changes that field: the form never drops what was written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, cast

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
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
from PySide6.QtGui import (
    QBrush,
    QColor,
    QEnterEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QShortcut,
    QStandardItem,
    QStandardItemModel,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionSlider,
    QStyleOptionViewItem,
    QTableView,
    QTimeEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.dto import PartDTO, TargetDTO
from models.formatting import date_text, number_text
from models.templates import FieldDef, FieldKind, Problem, Section, Template, derive_values
from models.values import is_blank, is_id, is_int, is_number, stored_number
from ui.common.style import ACCENT, ERROR, INK, LINE, MUTED, SURFACE

__all__ = ["CHOOSE", "NOT_GIVEN", "NOT_RATED", "NoteForm", "display_value", "parse_path"]

CHOOSE: Final = "— choose —"
NOT_GIVEN: Final = "not given"
NOT_RATED: Final = "Not rated"
UNANSWERED: Final = "—"
RADIO_LIMIT: Final = 4  # a choice with this many options or fewer shows as radio buttons
LABEL_WIDTH: Final = 210
FORM_MAX_WIDTH: Final = 1000
CLEAR_KEYS: Final = "Ctrl+Delete"

_DATE_FORMAT: Final = "d MMM yyyy"
_DATE_SENTINEL: Final = QDate(1900, 1, 1)
# A QTimeEdit cannot be empty. "Not given" is 00:00:00 exactly; a real time always carries
# one second, which the HH:mm format never shows, so midnight can still be entered.
_TIME_SENTINEL: Final = QTime(0, 0, 0)
_NO_LIMIT: Final = 1_000_000
_NO_PARENT: Final = QModelIndex()

_PATH_RE: Final = re.compile(r"([a-z][a-z0-9_]*)(?:\[(\d+)\](?:\.([a-z][a-z0-9_]*))?)?")

FORM_STYLESHEET: Final = f"""
NoteForm QScrollArea, NoteForm QScrollArea > QWidget > QWidget#formContent {{
    background: transparent;
}}
QFrame[role="section"] {{
    background: {SURFACE};
    border: 1px solid {LINE};
    border-radius: 6px;
}}
QFrame[role="section-private"] {{
    background: #fbfaf6;
    border: 1px dashed #c9bfa5;
    border-radius: 6px;
}}
QLabel[role="section-title"] {{
    font-size: 12.5pt;
    font-weight: 600;
    color: {INK};
}}
QLabel[role="field-label"] {{
    color: {INK};
    padding-top: 5px;
}}
QLabel[role="help"] {{
    color: {MUTED};
    font-size: 8.5pt;
}}
QLabel[role="field-error"] {{
    color: {ERROR};
    font-size: 9pt;
}}
QLabel[role="kept-value"] {{
    color: #8a5a00;
    font-size: 9pt;
}}
QLabel[role="anchor"] {{
    color: {MUTED};
    font-size: 8.5pt;
}}
QLabel[role="scale-value"] {{
    font-size: 13pt;
    font-weight: 600;
    color: {INK};
}}
QLabel[role="scale-value"][rated="false"] {{
    font-size: 9.5pt;
    font-weight: 400;
    font-style: italic;
    color: {MUTED};
}}
QToolButton[role="clear"] {{
    border: none;
    color: {ACCENT};
    padding: 2px 4px;
}}
QToolButton[role="clear"]:hover {{
    text-decoration: underline;
}}
QFrame[role="problems"] {{
    background: #fdf1f1;
    border: 1px solid #e8b4b4;
    border-radius: 6px;
}}
QLabel[role="problems-title"] {{
    color: {ERROR};
    font-weight: 600;
}}
QListView[role="problems"] {{
    background: transparent;
    border: none;
    color: {INK};
}}
QListView[role="problems"]::item:selected {{
    background: #f4d3d3;
    color: {INK};
}}
QListView[role="problems"]::item:hover {{
    background: #f8e1e1;
}}
QLineEdit[readOnly="true"], QPlainTextEdit[readOnly="true"] {{
    background: #f7f8fa;
}}
QTableView QHeaderView::section:vertical {{
    padding: 0 6px;
    color: {MUTED};
}}
QSlider {{
    min-height: 22px;
    border-radius: 4px;
}}
QSlider:focus {{
    background: #e3edf9;
}}
QSlider::groove:horizontal {{
    height: 6px;
    background: {LINE};
    border-radius: 3px;
}}
QSlider::sub-page:horizontal {{
    background: #9cc0e6;
    border-radius: 3px;
}}
QSlider::handle:horizontal {{
    width: 16px;
    height: 16px;
    margin: -6px 0;
    border-radius: 9px;
    background: {ACCENT};
    border: 1px solid white;
}}
QSlider[rated="false"]::sub-page:horizontal {{
    background: {LINE};
}}
QSlider[rated="false"]::handle:horizontal {{
    background: transparent;
    border: 1px solid transparent;
}}
"""


# --------------------------------------------------------------------------- helpers


def parse_path(path: str) -> tuple[str, int | None, str | None]:
    """Split a problem's field path: "sets[1].sud" -> ("sets", 1, "sud"); "plan" -> ("plan",
    None, None). A path the form does not understand gives its text back as the field."""
    match = _PATH_RE.fullmatch(path)
    if match is None:
        return path, None, None
    row = match.group(2)
    return match.group(1), int(row) if row is not None else None, match.group(3)


def _in_range(f: FieldDef, value: float) -> bool:
    return (f.minimum is None or value >= f.minimum) and (f.maximum is None or value <= f.maximum)


def _words(value: str) -> str:
    return value.replace("_", " ")


def target_text(t: TargetDTO) -> str:
    """How a target reads in a list: its label, prong and status."""
    return f"{t.label}  ·  {_words(t.prong)}, {_words(t.status)}"


def part_text(p: PartDTO) -> str:
    return f"{p.name}  ·  {p.part_type}"


def display_value(
    f: FieldDef,
    value: Any,
    targets: Mapping[int, TargetDTO] | None = None,
    parts: Mapping[int, PartDTO] | None = None,
) -> str:
    """A stored value as a person reads it: option labels, Yes/No, names for ids."""
    if is_blank(value):
        return ""
    kind = f.kind
    if kind is FieldKind.CHOICE and isinstance(value, str):
        return f.option_label(value)
    if kind is FieldKind.MULTI_CHOICE and isinstance(value, list):
        return ", ".join(f.option_label(v) if isinstance(v, str) else str(v) for v in value)
    if kind is FieldKind.YES_NO and isinstance(value, bool):
        return "Yes" if value else "No"
    if kind is FieldKind.NUMBER and is_number(value):
        return number_text(value)
    if kind is FieldKind.DATE and isinstance(value, str):
        try:
            return date_text(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if kind is FieldKind.TARGET_REF and is_int(value):
        found = (targets or {}).get(value)
        return found.label if found is not None else f"Target #{value}"
    if kind is FieldKind.PARTS_REF and isinstance(value, list):
        names = []
        for v in value:
            part = (parts or {}).get(v) if is_int(v) else None
            names.append(part.name if part is not None else f"Part #{v}")
        return ", ".join(names)
    return str(value)


def _set_role(widget: QWidget, role: str) -> None:
    widget.setProperty("role", role)


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class _Inert(QObject):
    """Swallows every input event of the controls it watches (read-only mode)."""

    BLOCKED: Final = frozenset({
        QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove, QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease, QEvent.Type.Wheel, QEvent.Type.Shortcut,
    })

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        return event.type() in self.BLOCKED


_inert: _Inert | None = None


def _make_read_only(widget: QWidget, read_only: bool) -> None:
    """Keep a control readable but inert: no input, no keyboard focus, normal colours."""
    global _inert
    if _inert is None:
        _inert = _Inert(QApplication.instance())
    if read_only:
        widget.installEventFilter(_inert)
    else:
        widget.removeEventFilter(_inert)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus if read_only else Qt.FocusPolicy.StrongFocus)


# --------------------------------------------------------------------------- input widgets


class _FocusedWheel:
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


class _Combo(_FocusedWheel, QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setMinimumContentsLength(16)


class _OptionalSpin(_FocusedWheel, QSpinBox):
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


class _OptionalDoubleSpin(_FocusedWheel, QDoubleSpinBox):
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


class _OptionalDateEdit(_FocusedWheel, QDateEdit):
    """A date with a calendar popup that may be "not given" (shown while unset)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setDisplayFormat(_DATE_FORMAT)
        self.setCalendarPopup(True)
        self.setMinimumDate(_DATE_SENTINEL)
        self.setSpecialValueText(NOT_GIVEN)
        self.setDate(_DATE_SENTINEL)
        self.calendarWidget().installEventFilter(self)

    def is_set(self) -> bool:
        return self.date() != _DATE_SENTINEL

    def clear_value(self) -> None:
        self.setDate(_DATE_SENTINEL)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.calendarWidget() and event.type() == QEvent.Type.Show \
                and not self.is_set():
            today = QDate.currentDate()
            self.calendarWidget().setCurrentPage(today.year(), today.month())
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.is_set():
            key = event.key()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
                self.setDate(QDate.currentDate())
                return
            if event.text().isalnum():
                self.setDate(QDate.currentDate())
                self.setSelectedSection(self.sectionAt(0))
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        # Unset, the edit shows words, not sections: Tab goes on to the next field.
        if not self.is_set():
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)


class _OptionalTimeEdit(_FocusedWheel, QTimeEdit):
    """A 24-hour time that may be "not given"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setDisplayFormat("HH:mm")
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


class _ScaleSlider(_FocusedWheel, QSlider):
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


class _TickLabels(QWidget):
    """The numbers under a scale slider, each centred under its tick."""

    def __init__(self, slider: _ScaleSlider, parent: QWidget | None = None) -> None:
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


# --------------------------------------------------------------------------- field editors


class _Field(QWidget):
    """One field's editor. `edited` fires on a person's change, never on set_value."""

    edited = Signal()

    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.f = f
        self._quiet = False
        self._read_only = False
        self._clear_button: QToolButton | None = None
        self._hovered = False
        self._focused = False

    # -- to implement ------------------------------------------------------------------

    def value(self) -> Any:
        raise NotImplementedError

    def _show(self, value: Any) -> bool:
        """Put a non-blank value on screen; False when this editor cannot show it."""
        raise NotImplementedError

    def _clear(self) -> None:
        raise NotImplementedError

    def _apply_read_only(self, read_only: bool) -> None:
        raise NotImplementedError

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        raise NotImplementedError

    # -- shared ---------------------------------------------------------------------------

    def set_value(self, value: Any) -> bool:
        self._quiet = True
        try:
            if is_blank(value):
                self._clear()
                shown = True
            else:
                shown = self._show(value)
                if not shown:
                    self._clear()
        finally:
            self._quiet = False
        self._update_clear()
        return shown

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._apply_read_only(read_only)
        self._update_clear()

    def set_choices(
        self, targets: Mapping[int, TargetDTO], parts: Mapping[int, PartDTO]
    ) -> None:
        """Fields that name targets or parts list the client's; others ignore this."""

    def _user_edit(self) -> None:
        if not self._quiet:
            self._update_clear()
            self.edited.emit()

    def _make_clear_button(self) -> QToolButton:
        button = QToolButton(self)
        button.setText("Clear")
        _set_role(button, "clear")
        button.setToolTip(f"Clear this answer ({CLEAR_KEYS})")
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard has Ctrl+Delete
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(self.clear_by_user)
        button.hide()
        self._clear_button = button
        return button

    def clear_by_user(self) -> None:
        if self._read_only:
            return
        self._quiet = True
        try:
            self._clear()
        finally:
            self._quiet = False
        self._update_clear()
        self.edited.emit()

    def _update_clear(self) -> None:
        # Shown only where the person is working (pointer over, or focus in, the field), so
        # a filled form is not a column of "Clear" links.
        if self._clear_button is not None:
            self._clear_button.setVisible(
                not self._read_only and (self._hovered or self._focused)
                and self.value() is not None
            )

    def enterEvent(self, event: QEnterEvent) -> None:
        self._hovered = True
        self._update_clear()
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._hovered = False
        self._update_clear()
        super().leaveEvent(event)

    def _watch(self, *widgets: QWidget) -> None:
        """Ctrl+Delete on any of these clears the field."""
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self._focused = event.type() == QEvent.Type.FocusIn
            self._update_clear()
        elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Delete \
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.clear_by_user()
            return True
        return super().eventFilter(watched, event)


def _row_layout(parent: QWidget) -> QHBoxLayout:
    layout = QHBoxLayout(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(10)
    return layout


class _TextField(_Field):
    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        layout = _row_layout(self)
        self.edit = QLineEdit(self)
        self.edit.setMaximumWidth(640)
        if f.max_length:
            self.edit.setMaxLength(f.max_length)
        self.edit.textEdited.connect(self._user_edit)
        layout.addWidget(self.edit, 1)
        layout.addStretch(0)

    def value(self) -> Any:
        text = self.edit.text()
        return text if text.strip() else None

    def _show(self, value: Any) -> bool:
        if not isinstance(value, str) or (self.f.max_length and len(value) > self.f.max_length):
            return False
        self.edit.setText(value)
        self.edit.setCursorPosition(0)
        return True

    def _clear(self) -> None:
        self.edit.clear()

    def _apply_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)


class _LongTextField(_Field):
    """Several lines; grows with what is written, up to about fifteen lines."""

    MIN_LINES: Final = 3
    MAX_LINES: Final = 15

    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        layout = _row_layout(self)
        self.edit = QPlainTextEdit(self)
        self.edit.setTabChangesFocus(True)
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.edit.textChanged.connect(self._user_edit)
        self.edit.document().documentLayout().documentSizeChanged.connect(self._fit)
        layout.addWidget(self.edit)
        self._fit()

    def _fit(self, *_args: Any) -> None:
        lines = int(self.edit.document().documentLayout().documentSize().height())
        lines = min(self.MAX_LINES, max(self.MIN_LINES, lines))
        margins = self.edit.contentsMargins()
        doc_margin = 2 * self.edit.document().documentMargin()
        height = (lines * self.edit.fontMetrics().lineSpacing() + margins.top()
                  + margins.bottom() + int(doc_margin) + 2)
        if self.edit.height() != height:
            self.edit.setFixedHeight(height)

    def value(self) -> Any:
        text = self.edit.toPlainText()
        return text if text.strip() else None

    def _show(self, value: Any) -> bool:
        if not isinstance(value, str) or (self.f.max_length and len(value) > self.f.max_length):
            return False
        self.edit.setPlainText(value)
        return True

    def _clear(self) -> None:
        self.edit.clear()

    def _apply_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)


class _RadioRow(_Field):
    """A short choice or a yes/no as radio buttons; none checked means unanswered."""

    def __init__(
        self, f: FieldDef, answers: Sequence[tuple[Any, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(f, parent)
        layout = _row_layout(self)
        layout.setSpacing(18)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self._values: list[Any] = []
        self.buttons: list[QRadioButton] = []
        for index, (value, label) in enumerate(answers):
            button = QRadioButton(label, self)
            self.group.addButton(button, index)
            self._values.append(value)
            self.buttons.append(button)
            layout.addWidget(button)
            self._watch(button)
        self.group.idClicked.connect(lambda _id: self._user_edit())
        layout.addWidget(self._make_clear_button())
        layout.addStretch(1)

    def value(self) -> Any:
        checked = self.group.checkedId()
        return None if checked < 0 else self._values[checked]

    def _show(self, value: Any) -> bool:
        for index, candidate in enumerate(self._values):
            if type(candidate) is type(value) and candidate == value:
                self.buttons[index].setChecked(True)
                return True
        return False

    def _clear(self) -> None:
        self.group.setExclusive(False)
        for button in self.buttons:
            button.setChecked(False)
        self.group.setExclusive(True)

    def _apply_read_only(self, read_only: bool) -> None:
        for button in self.buttons:
            _make_read_only(button, read_only)

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        checked = self.group.checkedButton()
        (checked or self.buttons[0]).setFocus(Qt.FocusReason.OtherFocusReason)


class _ComboChoice(_Field):
    """A longer choice as a drop-down that starts on "— choose —"."""

    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        layout = _row_layout(self)
        self.combo = _Combo(self)
        self.combo.addItem(CHOOSE, None)
        for option in f.options:
            self.combo.addItem(option.label, option.value)
        self.combo.activated.connect(lambda _i: self._user_edit())
        self._watch(self.combo)
        layout.addWidget(self.combo)
        layout.addWidget(self._make_clear_button())
        layout.addStretch(1)

    def value(self) -> Any:
        return self.combo.currentData()

    def _show(self, value: Any) -> bool:
        index = self.combo.findData(value) if isinstance(value, str) else -1
        if index < 1:
            return False
        self.combo.setCurrentIndex(index)
        return True

    def _clear(self) -> None:
        self.combo.setCurrentIndex(0)

    def _apply_read_only(self, read_only: bool) -> None:
        _make_read_only(self.combo, read_only)
        self.combo.setItemText(0, UNANSWERED if read_only else CHOOSE)

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        self.combo.setFocus(Qt.FocusReason.OtherFocusReason)


class _MultiChoiceField(_Field):
    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(4)
        n = len(f.options)
        longest = max((len(o.label) for o in f.options), default=0)
        if n <= 4 and longest <= 18:
            columns = n
        elif longest > 26:
            columns = 2
        else:
            columns = 4 if n % 4 == 0 and longest <= 14 else 3 if n > 4 else 2
        rows = -(-n // max(columns, 1))
        self.boxes: list[QCheckBox] = []
        for index, option in enumerate(f.options):
            box = QCheckBox(option.label, self)
            box.toggled.connect(lambda _on: self._user_edit())
            # Fill down the columns, so numbered options (EMDR phases) read top to bottom.
            grid.addWidget(box, index % rows, index // rows)
            self.boxes.append(box)
        grid.setColumnStretch(columns, 1)

    def value(self) -> Any:
        chosen = [o.value for o, box in zip(self.f.options, self.boxes, strict=True)
                  if box.isChecked()]
        return chosen or None

    def _show(self, value: Any) -> bool:
        known = {o.value for o in self.f.options}
        if not isinstance(value, list) or not all(isinstance(v, str) and v in known
                                                  for v in value):
            return False
        if len(set(value)) != len(value):
            return False
        # Shown in option order; keep the stored order when nothing changes (see NoteForm).
        for option, box in zip(self.f.options, self.boxes, strict=True):
            box.setChecked(option.value in value)
        return True

    def _clear(self) -> None:
        for box in self.boxes:
            box.setChecked(False)

    def _apply_read_only(self, read_only: bool) -> None:
        for box in self.boxes:
            _make_read_only(box, read_only)

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        if self.boxes:
            self.boxes[0].setFocus(Qt.FocusReason.OtherFocusReason)


class _ScaleField(_Field):
    """A rating on a slider with its anchors; "Not rated" until the person sets it."""

    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        low, high = int(f.minimum or 0), int(f.maximum or 10)
        self._rated = False
        top = _row_layout(self)
        top.setSpacing(14)
        holder = QWidget(self)
        holder.setMinimumWidth(240)
        holder.setMaximumWidth(440)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.slider = _ScaleSlider(low, high, holder)
        self.slider.setProperty("rated", "false")
        self.slider.rated.connect(self._on_rated)
        self.slider.valueChanged.connect(self._on_value_changed)
        self.ticks = _TickLabels(self.slider, holder)
        column.addWidget(self.slider)
        column.addWidget(self.ticks)
        anchors = dict(f.anchors)
        if anchors:
            row = QHBoxLayout()
            row.setSpacing(12)
            left = QLabel(self._anchor_text(low, anchors.get(low)), holder)
            right = QLabel(self._anchor_text(high, anchors.get(high)), holder)
            for label in (left, right):
                _set_role(label, "anchor")
                label.setWordWrap(True)
            left.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            right.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            row.addWidget(left, 1)
            row.addWidget(right, 1)
            column.addLayout(row)
            middle = [f"{v} = {t}" for v, t in f.anchors if v not in (low, high)]
            if middle:
                extra = QLabel("; ".join(middle), holder)
                _set_role(extra, "anchor")
                extra.setWordWrap(True)
                column.addWidget(extra)
        top.addWidget(holder, 6, Qt.AlignmentFlag.AlignTop)
        self.value_label = QLabel(NOT_RATED, self)
        _set_role(self.value_label, "scale-value")
        self.value_label.setProperty("rated", "false")
        self.value_label.setFixedWidth(74)
        top.addWidget(self.value_label, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self._make_clear_button(), 0, Qt.AlignmentFlag.AlignTop)
        top.addStretch(1)
        self._watch(self.slider)

    @staticmethod
    def _anchor_text(value: int, text: str | None) -> str:
        return f"{value} = {text}" if text else ""

    def _on_rated(self) -> None:
        if not self._rated:
            self._set_rated(True)
        self._user_edit()

    def _on_value_changed(self, value: int) -> None:
        if self._rated:
            self.value_label.setText(str(value))
            if not self._quiet:
                self._user_edit()

    def _set_rated(self, rated: bool) -> None:
        self._rated = rated
        flag = "true" if rated else "false"
        self.slider.setProperty("rated", flag)
        self.value_label.setProperty("rated", flag)
        self.value_label.setText(str(self.slider.value()) if rated else NOT_RATED)
        _repolish(self.slider)
        _repolish(self.value_label)

    def value(self) -> Any:
        return self.slider.value() if self._rated else None

    def _show(self, value: Any) -> bool:
        if not is_int(value) or not self.slider.minimum() <= value <= self.slider.maximum():
            return False
        self.slider.setValue(value)
        self._set_rated(True)
        return True

    def _clear(self) -> None:
        self.slider.setValue(self.slider.minimum())
        self._set_rated(False)

    def _apply_read_only(self, read_only: bool) -> None:
        _make_read_only(self.slider, read_only)

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        self.slider.setFocus(Qt.FocusReason.OtherFocusReason)


class _BoxField(_Field):
    """A field typed into one spin-box-like control (integer, number, date, time) that can
    also be "not given", with its Clear button."""

    box: Any  # one of the _Optional* controls: a QAbstractSpinBox with clear_value()

    def _build(self, box: Any, min_width: int, changed: Any) -> None:
        layout = _row_layout(self)
        self.box = box
        box.setMinimumWidth(min_width)
        changed.connect(lambda *_args: self._user_edit())
        self._watch(box)
        layout.addWidget(box)
        layout.addWidget(self._make_clear_button())
        layout.addStretch(1)

    def _clear(self) -> None:
        self.box.clear_value()

    def _apply_read_only(self, read_only: bool) -> None:
        self.box.setReadOnly(read_only)
        self.box.setButtonSymbols(
            QAbstractSpinBox.ButtonSymbols.NoButtons if read_only
            else QAbstractSpinBox.ButtonSymbols.UpDownArrows
        )

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        self.box.setFocus(Qt.FocusReason.OtherFocusReason)
        self.box.selectAll()


class _IntegerField(_BoxField):
    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        self.spin = _OptionalSpin(f, self)
        self._build(self.spin, 130, self.spin.valueChanged)

    def value(self) -> Any:
        return self.spin.optional_value()

    def _show(self, value: Any) -> bool:
        if not is_int(value) or not _in_range(self.f, value):
            return False
        self.spin.setValue(value)
        return True


class _NumberField(_BoxField):
    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        self.spin = _OptionalDoubleSpin(f, self)
        self._build(self.spin, 130, self.spin.valueChanged)

    def value(self) -> Any:
        return self.spin.optional_value()

    def _show(self, value: Any) -> bool:
        if not is_number(value) or not _in_range(self.f, float(value)):
            return False
        if round(float(value), 3) != float(value):
            return False  # more decimals than the control keeps; keep it as stored
        self.spin.setValue(float(value))
        return True


class _DerivedField(_Field):
    """A calculated number (mg/kg): shown, never typed; NoteForm works it out live."""

    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        layout = _row_layout(self)
        self.shown = QLineEdit(self)
        self.shown.setReadOnly(True)
        self.shown.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.shown.setMaximumWidth(160)
        self.shown.setPlaceholderText("calculated")
        self.shown.setStyleSheet(f"background: #eef1f4; color: {INK}; border: 1px solid {LINE};")
        layout.addWidget(self.shown)
        layout.addStretch(1)
        self._value: int | float | None = None

    def show_computed(self, value: int | float | None) -> None:
        self._value = value
        unit = f" {self.f.unit}" if self.f.unit else ""
        self.shown.setText("" if value is None else f"{number_text(value)}{unit}")

    def value(self) -> Any:
        return self._value

    def _show(self, value: Any) -> bool:
        return True  # recalculated from its inputs by NoteForm

    def _clear(self) -> None:
        self.show_computed(None)

    def _apply_read_only(self, read_only: bool) -> None:
        pass

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        self.shown.setFocus(Qt.FocusReason.OtherFocusReason)


class _DateField(_BoxField):
    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        self.edit = _OptionalDateEdit(self)
        self._build(self.edit, 150, self.edit.dateChanged)

    def value(self) -> Any:
        return self.edit.date().toString("yyyy-MM-dd") if self.edit.is_set() else None

    def _show(self, value: Any) -> bool:
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            return False
        date = QDate.fromString(value, "yyyy-MM-dd")
        if not date.isValid() or date <= _DATE_SENTINEL:
            return False
        self.edit.setDate(date)
        return True

    def _apply_read_only(self, read_only: bool) -> None:
        super()._apply_read_only(read_only)
        self.edit.setCalendarPopup(not read_only)


class _TimeField(_BoxField):
    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        self.edit = _OptionalTimeEdit(self)
        self._build(self.edit, 110, self.edit.timeChanged)

    def value(self) -> Any:
        return self.edit.hhmm()

    def _show(self, value: Any) -> bool:
        match = re.fullmatch(r"([01][0-9]|2[0-3]):([0-5][0-9])", value) \
            if isinstance(value, str) else None
        if match is None:
            return False
        self.edit.set_hhmm(int(match.group(1)), int(match.group(2)))
        return True


class _TargetRefField(_Field):
    """A target memory from the client's registry (of the template's kind), or a new one."""

    new_requested = Signal(str)

    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        layout = _row_layout(self)
        self.combo = _Combo(self)
        self.combo.setMinimumContentsLength(34)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMaximumWidth(520)
        self.combo.addItem(CHOOSE, None)
        self.combo.activated.connect(lambda _i: self._user_edit())
        self._watch(self.combo)
        self.new_button = QPushButton("New target…", self)
        self.new_button.setToolTip("Add a target to this client's registry and choose it here")
        self.new_button.clicked.connect(lambda: self.new_requested.emit(f.target_kind or "emdr"))
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.new_button)
        layout.addWidget(self._make_clear_button())
        layout.addStretch(0)
        self._targets: Mapping[int, TargetDTO] = {}

    def set_choices(
        self, targets: Mapping[int, TargetDTO], parts: Mapping[int, PartDTO]
    ) -> None:
        current = self.value()
        self._targets = targets
        self._quiet = True
        try:
            self.combo.clear()
            self.combo.addItem(UNANSWERED if self._read_only else CHOOSE, None)
            kind = self.f.target_kind
            for target in targets.values():
                if kind is None or target.kind == kind or target.id == current:
                    self.combo.addItem(target_text(target), target.id)
            self._select(current)
        finally:
            self._quiet = False

    def _select(self, value: int | None) -> None:
        if value is None:
            self.combo.setCurrentIndex(0)
            return
        index = self.combo.findData(value)
        if index < 0:  # not (yet) in the list: keep it, say what it is
            self.combo.addItem(f"Target #{value} (not in this client's list)", value)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)

    def value(self) -> Any:
        return self.combo.currentData()

    def _show(self, value: Any) -> bool:
        if not is_id(value):
            return False
        self._select(value)
        return True

    def _clear(self) -> None:
        self.combo.setCurrentIndex(0)

    def choose(self, target_id: int) -> None:
        """Select a target just added to the registry, as the person's own choice."""
        self._select(target_id)
        self._user_edit()

    def _apply_read_only(self, read_only: bool) -> None:
        _make_read_only(self.combo, read_only)
        self.combo.setItemText(0, UNANSWERED if read_only else CHOOSE)
        self.new_button.setVisible(not read_only)

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        self.combo.setFocus(Qt.FocusReason.OtherFocusReason)


class _RoomyDelegate(QStyledItemDelegate):
    """List rows with room to breathe (and a comfortable target for a click)."""

    def __init__(self, parent: QObject | None = None, extra: int = 10) -> None:
        super().__init__(parent)
        self._extra = extra

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        height = option.fontMetrics.height() + self._extra
        return QSize(hint.width(), max(hint.height(), height))


class _PartsRefField(_Field):
    """Parts from the client's registry: a checkable list, or one part from a drop-down."""

    new_requested = Signal()

    VISIBLE_ROWS: Final = 6

    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        layout = _row_layout(self)
        self._ids: list[int] = []  # chosen ids the registry does not list (kept)
        self._parts: Mapping[int, PartDTO] = {}
        self.list: QListView | None = None
        self.combo: _Combo | None = None
        self.model = QStandardItemModel(self)
        if f.multiple:
            self.list = QListView(self)
            self.list.setModel(self.model)
            self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            self.list.setMaximumWidth(420)
            self.list.setUniformItemSizes(True)
            self.list.setItemDelegate(_RoomyDelegate(self.list))
            self.list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.model.itemChanged.connect(lambda _item: self._user_edit())
            self._watch(self.list)
            layout.addWidget(self.list, 1, Qt.AlignmentFlag.AlignTop)
            self._placeholder = QLabel("No parts in this client's registry yet.", self)
            _set_role(self._placeholder, "help")
            layout.addWidget(self._placeholder, 0, Qt.AlignmentFlag.AlignTop)
        else:
            self.combo = _Combo(self)
            self.combo.setMinimumContentsLength(24)
            self.combo.addItem(CHOOSE, None)
            self.combo.activated.connect(lambda _i: self._user_edit())
            self._watch(self.combo)
            layout.addWidget(self.combo)
        self.new_button = QPushButton("New part…", self)
        self.new_button.setToolTip("Add a part to this client's registry and choose it here")
        self.new_button.clicked.connect(self.new_requested.emit)
        layout.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignTop)
        if self.combo is not None:
            layout.addWidget(self._make_clear_button())
        layout.addStretch(1)
        self._rebuild([])

    def set_choices(
        self, targets: Mapping[int, TargetDTO], parts: Mapping[int, PartDTO]
    ) -> None:
        current = self.value() or []
        self._parts = parts
        self._quiet = True
        try:
            self._rebuild(current)
        finally:
            self._quiet = False

    def _rebuild(self, chosen: Sequence[int]) -> None:
        unknown = [i for i in chosen if i not in self._parts]
        if self.list is not None:
            self.model.clear()
            for part in self._parts.values():
                item = QStandardItem(part_text(part))
                item.setData(part.id, Qt.ItemDataRole.UserRole)
                item.setCheckable(True)
                item.setEditable(False)
                item.setCheckState(Qt.CheckState.Checked if part.id in chosen
                                   else Qt.CheckState.Unchecked)
                self.model.appendRow(item)
            for part_id in unknown:
                item = QStandardItem(f"Part #{part_id} (not in this client's list)")
                item.setData(part_id, Qt.ItemDataRole.UserRole)
                item.setCheckable(True)
                item.setEditable(False)
                item.setCheckState(Qt.CheckState.Checked)
                self.model.appendRow(item)
            self._apply_item_flags()
            rows = self.model.rowCount()
            self._placeholder.setVisible(rows == 0)
            self.list.setVisible(rows > 0)
            row_height = self.fontMetrics().height() + 10
            frame = 2 * self.list.frameWidth()
            self.list.setFixedHeight(min(rows, self.VISIBLE_ROWS) * row_height + frame + 2)
        elif self.combo is not None:
            self.combo.clear()
            self.combo.addItem(UNANSWERED if self._read_only else CHOOSE, None)
            for part in self._parts.values():
                self.combo.addItem(part_text(part), part.id)
            for part_id in unknown:
                self.combo.addItem(f"Part #{part_id} (not in this client's list)", part_id)
            index = self.combo.findData(chosen[0]) if chosen else 0
            self.combo.setCurrentIndex(max(index, 0))

    def _apply_item_flags(self) -> None:
        for row in range(self.model.rowCount()):
            item = self.model.item(row)
            item.setCheckable(not self._read_only)
            item.setEnabled(True)

    def value(self) -> Any:
        if self.list is not None:
            chosen = [
                self.model.item(row).data(Qt.ItemDataRole.UserRole)
                for row in range(self.model.rowCount())
                if self.model.item(row).checkState() == Qt.CheckState.Checked
            ]
            return chosen or None
        assert self.combo is not None
        data = self.combo.currentData()
        return None if data is None else [data]

    def _show(self, value: Any) -> bool:
        if not isinstance(value, list) or not all(is_id(v) for v in value):
            return False
        if len(set(value)) != len(value) or (not self.f.multiple and len(value) != 1):
            return False
        self._rebuild(value)
        return True

    def _clear(self) -> None:
        self._rebuild([])

    def choose(self, part_id: int) -> None:
        """Tick (or select) a part just added to the registry."""
        current = self.value() or []
        self._rebuild([*current, part_id] if self.f.multiple else [part_id])
        self._user_edit()

    def _apply_read_only(self, read_only: bool) -> None:
        self.new_button.setVisible(not read_only)
        if self.combo is not None:
            _make_read_only(self.combo, read_only)
            self.combo.setItemText(0, UNANSWERED if read_only else CHOOSE)
        else:
            self._quiet = True
            try:
                self._apply_item_flags()
            finally:
                self._quiet = False

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        widget: QWidget | None = self.list if self.list is not None else self.combo
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)


# --------------------------------------------------------------------------- groups


class GroupRowsModel(QAbstractTableModel):
    """The rows of a repeating group: one dict per row, one column per column field."""

    ProblemRole: Final = Qt.ItemDataRole.UserRole + 1
    cell_edited = Signal(int, str)  # row, column id: a person changed a cell

    def __init__(
        self,
        group: FieldDef,
        names: Callable[[], tuple[Mapping[int, TargetDTO], Mapping[int, PartDTO]]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.group = group
        self.columns = group.columns
        self._names = names
        self._rows: list[dict[str, Any]] = []
        self._problems: dict[tuple[int, str], str] = {}
        self.read_only = False

    # -- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(section + 1)
            return None
        if not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            text = column.label + (" *" if column.required else "")
            return f"{text}\n{column.unit}" if column.unit else text
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [column.label]
            if column.required:
                parts.append("Required in every row to sign.")
            if column.help:
                parts.append(column.help)
            return "\n".join(parts)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self.read_only:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(self.columns):
            return None
        column = self.columns[index.column()]
        value = self._rows[index.row()].get(column.id)
        if role == Qt.ItemDataRole.DisplayRole:
            targets, parts = self._names()
            return display_value(column, value, targets, parts)
        if role == Qt.ItemDataRole.EditRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.kind in (FieldKind.INTEGER, FieldKind.NUMBER, FieldKind.SCALE,
                               FieldKind.TIME):
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._problems.get((index.row(), column.id)) or column.help or None
        if role == Qt.ItemDataRole.BackgroundRole:
            if (index.row(), column.id) in self._problems:
                return QBrush(QColor("#fbe3e3"))
            return None
        if role == self.ProblemRole:
            return self._problems.get((index.row(), column.id))
        return None

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.read_only:
            return False
        column = self.columns[index.column()]
        row = self._rows[index.row()]
        if is_blank(value):
            if column.id not in row:
                return False
            del row[column.id]
        else:
            if row.get(column.id) == value and type(row.get(column.id)) is type(value):
                return False
            row[column.id] = value
        self._problems.pop((index.row(), column.id), None)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole,
                                             Qt.ItemDataRole.EditRole])
        self.cell_edited.emit(index.row(), column.id)
        return True

    # -- rows ------------------------------------------------------------------------------

    def rows(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self._rows]

    def set_rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = [dict(row) for row in rows]
        self._problems.clear()
        self.endResetModel()

    def add_row(self) -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append({})
        self.endInsertRows()
        return row

    def remove_row(self, row: int) -> None:
        if not 0 <= row < len(self._rows):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()
        # Problems name rows by position; once the rows move they no longer line up.
        self._problems.clear()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.columns) - 1))

    def set_problems(self, problems: Mapping[tuple[int, str], str]) -> None:
        self._problems = dict(problems)
        if self._rows and self.columns:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.columns) - 1),
                                  [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole])

    def column_index(self, column_id: str) -> int:
        for index, column in enumerate(self.columns):
            if column.id == column_id:
                return index
        return -1

    def refresh_names(self) -> None:
        if self._rows and self.columns:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.columns) - 1),
                                  [Qt.ItemDataRole.DisplayRole])


class _CellDelegate(QStyledItemDelegate):
    """Typed editors for group cells, built from the column's FieldDef."""

    def __init__(
        self,
        model: GroupRowsModel,
        names: Callable[[], tuple[Mapping[int, TargetDTO], Mapping[int, PartDTO]]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._names = names

    def _column(self, index: QModelIndex | QPersistentModelIndex) -> FieldDef:
        return self._model.columns[index.column()]

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        column = self._column(index)
        kind = column.kind
        if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.MULTI_CHOICE):
            edit = QLineEdit(parent)
            if column.max_length:
                edit.setMaxLength(column.max_length)
            if kind is FieldKind.MULTI_CHOICE:
                edit.setPlaceholderText(", ".join(o.label for o in column.options))
            return edit
        if kind in (FieldKind.CHOICE, FieldKind.YES_NO, FieldKind.TARGET_REF,
                    FieldKind.PARTS_REF):
            combo = _Combo(parent)
            combo.setMinimumContentsLength(8)
            combo.addItem(UNANSWERED, None)
            targets, parts = self._names()
            if kind is FieldKind.CHOICE:
                for o in column.options:
                    combo.addItem(o.label, o.value)
            elif kind is FieldKind.YES_NO:
                combo.addItem("Yes", True)
                combo.addItem("No", False)
            elif kind is FieldKind.TARGET_REF:
                for t in targets.values():
                    if column.target_kind is None or t.kind == column.target_kind:
                        combo.addItem(t.label, t.id)
            else:
                for p in parts.values():
                    combo.addItem(part_text(p), p.id)
            # A choice is made the moment it is picked, without a second Enter.
            combo.activated.connect(lambda _i, c=combo: self._commit(c))
            return combo
        if kind in (FieldKind.INTEGER, FieldKind.SCALE):
            return _OptionalSpin(column, parent)
        if kind is FieldKind.NUMBER:
            return _OptionalDoubleSpin(column, parent)
        if kind is FieldKind.DATE:
            return _OptionalDateEdit(parent)
        if kind is FieldKind.TIME:
            return _OptionalTimeEdit(parent)
        return super().createEditor(parent, option, index)

    def _commit(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        column = self._column(index)
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QLineEdit):
            if column.kind is FieldKind.MULTI_CHOICE and isinstance(value, list):
                editor.setText(display_value(column, value))
            else:
                editor.setText(value if isinstance(value, str) else "")
        elif isinstance(editor, QComboBox):
            wanted = value[0] if column.kind is FieldKind.PARTS_REF and isinstance(value, list) \
                and value else value
            found = 0
            for i in range(1, editor.count()):
                data = editor.itemData(i)
                if type(data) is type(wanted) and data == wanted:
                    found = i
                    break
            editor.setCurrentIndex(found)
        elif isinstance(editor, _OptionalSpin):
            if is_int(value) and editor.minimum() < value <= editor.maximum():
                editor.setValue(value)
            else:
                editor.clear_value()
        elif isinstance(editor, _OptionalDoubleSpin):
            if is_number(value) and editor.minimum() < value <= editor.maximum():
                editor.setValue(float(value))
            else:
                editor.clear_value()
        elif isinstance(editor, _OptionalDateEdit):
            date = QDate.fromString(value, "yyyy-MM-dd") if isinstance(value, str) else QDate()
            if date.isValid():
                editor.setDate(date)
            else:
                editor.clear_value()
        elif isinstance(editor, _OptionalTimeEdit):
            match = re.fullmatch(r"([01][0-9]|2[0-3]):([0-5][0-9])", value) \
                if isinstance(value, str) else None
            if match:
                editor.set_hhmm(int(match.group(1)), int(match.group(2)))
            else:
                editor.clear_value()
        else:
            super().setEditorData(editor, index)

    def setModelData(
        self,
        editor: QWidget,
        model: Any,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        column = self._column(index)
        value: Any
        if isinstance(editor, QLineEdit):
            text = editor.text()
            if column.kind is FieldKind.MULTI_CHOICE:
                by_label = {o.label.casefold(): o.value for o in column.options}
                picked = [by_label.get(t.strip().casefold(), t.strip())
                          for t in text.split(",") if t.strip()]
                value = [o.value for o in column.options if o.value in picked] + \
                    [p for p in picked if p not in {o.value for o in column.options}]
            else:
                value = text if text.strip() else None
        elif isinstance(editor, QComboBox):
            value = editor.currentData()
            if column.kind is FieldKind.PARTS_REF and value is not None:
                value = [value]
        elif isinstance(editor, _OptionalSpin | _OptionalDoubleSpin):
            editor.interpretText()
            value = editor.optional_value()
        elif isinstance(editor, _OptionalDateEdit):
            value = editor.date().toString("yyyy-MM-dd") if editor.is_set() else None
        elif isinstance(editor, _OptionalTimeEdit):
            value = editor.hhmm()
        else:
            super().setModelData(editor, model, index)
            return
        model.setData(index, value, Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self,
        editor: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        rect = option.rect
        hint = editor.sizeHint()
        editor.setGeometry(QRect(rect.topLeft(), QSize(max(rect.width(), min(hint.width(), 260)),
                                                       rect.height())))


class _GroupTable(QTableView):
    """The group's table: Insert adds a row, Delete clears a cell, Tab leaves at the end."""

    add_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Insert and self.editTriggers() != \
                QAbstractItemView.EditTrigger.NoEditTriggers:
            self.add_requested.emit()
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) \
                and not event.modifiers() & Qt.KeyboardModifier.ControlModifier \
                and self.state() != QAbstractItemView.State.EditingState:
            index = self.currentIndex()
            if index.isValid() and index.flags() & Qt.ItemFlag.ItemIsEditable:
                self.model().setData(index, None, Qt.ItemDataRole.EditRole)
                return
        super().keyPressEvent(event)

    def commit_open_editor(self) -> None:
        """Store what is typed in a cell that is still being edited."""
        if self.state() != QAbstractItemView.State.EditingState:
            return
        editor = QApplication.focusWidget()
        while editor is not None and editor.parentWidget() is not self.viewport():
            editor = editor.parentWidget()
        if editor is not None:
            self.commitData(editor)

    def focusNextPrevChild(self, next: bool) -> bool:
        # Tab moves from cell to cell; from the last cell (Shift+Tab: the first) it leaves
        # the table for the next field instead of wrapping round.
        index = self.currentIndex()
        model = self.model()
        at_end = not index.isValid() or (
            index.row() == model.rowCount() - 1 and index.column() == model.columnCount() - 1
            if next else index.row() == 0 and index.column() == 0)
        if at_end:
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)


class _GroupField(_Field):
    """A repeating group as an editable table with Add row / Remove row."""

    VISIBLE_ROWS: Final = 8

    def __init__(
        self,
        f: FieldDef,
        names: Callable[[], tuple[Mapping[int, TargetDTO], Mapping[int, PartDTO]]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(f, parent)
        self.model = GroupRowsModel(f, names, self)
        self.view = _GroupTable(self)
        self.view.setModel(self.model)
        self.view.setItemDelegate(_CellDelegate(self.model, names, self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(True)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        header = self.view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setMinimumSectionSize(64)
        wide = (FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.MULTI_CHOICE)
        has_text = any(c.kind in wide for c in f.columns)
        for index, column in enumerate(f.columns):
            if column.kind in wide or not has_text:
                header.setSectionResizeMode(index, QHeaderView.ResizeMode.Stretch)
            else:
                header.setSectionResizeMode(index, QHeaderView.ResizeMode.ResizeToContents)
        vertical = self.view.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 14)
        vertical.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        vertical.setMinimumWidth(28)
        if not has_text:
            # Only numbers and short answers: a table as wide as the page would scatter
            # them; give each column a comfortable width instead.
            self.view.setMaximumWidth(28 + 150 * len(f.columns) + 2 * self.view.frameWidth())
        self.view.add_requested.connect(self.add_row)

        self.add_button = QPushButton("Add row", self)
        self.add_button.setToolTip("Add a row (Insert in the table)")
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = QPushButton("Remove row", self)
        self.remove_button.setToolTip("Remove the selected row")
        self.remove_button.clicked.connect(self.remove_current_row)
        self.count_label = QLabel(self)
        _set_role(self.count_label, "help")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.view)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addSpacing(8)
        buttons.addWidget(self.count_label)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.model.cell_edited.connect(lambda *_a: self._user_edit())
        self.model.rowsInserted.connect(lambda *_a: self._rows_changed())
        self.model.rowsRemoved.connect(lambda *_a: self._rows_changed())
        self.model.modelReset.connect(self._rows_changed)
        self.view.selectionModel().currentChanged.connect(lambda *_a: self._update_buttons())
        self._pad()
        self._rows_changed()

    def _pad(self) -> None:
        """A group that needs rows to sign starts with that many empty rows."""
        while self.model.rowCount() < self.f.min_rows:
            self.model.add_row()

    def _rows_changed(self) -> None:
        self._fit_height()
        self._update_buttons()
        count = self.model.rowCount()
        limits = []
        if self.f.min_rows:
            limits.append(f"at least {self.f.min_rows}")
        if self.f.max_rows is not None:
            limits.append(f"at most {self.f.max_rows}")
        text = f"{count} row{'s' if count != 1 else ''}"
        self.count_label.setText(f"{text} ({', '.join(limits)})" if limits else text)

    def _fit_height(self) -> None:
        rows = min(max(self.model.rowCount(), 1), self.VISIBLE_ROWS)
        header = self.view.horizontalHeader().sizeHint().height()
        row_height = self.view.verticalHeader().defaultSectionSize()
        scroll = self.view.horizontalScrollBar().sizeHint().height() \
            if self.view.horizontalScrollBar().isVisible() else 0
        self.view.setFixedHeight(header + rows * row_height + 2 * self.view.frameWidth()
                                 + scroll + 2)

    def _update_buttons(self) -> None:
        count = self.model.rowCount()
        can_add = self.f.max_rows is None or count < self.f.max_rows
        current = self.view.currentIndex()
        can_remove = current.isValid() and count > self.f.min_rows
        self.add_button.setEnabled(can_add and not self._read_only)
        self.remove_button.setEnabled(can_remove and not self._read_only)
        self.add_button.setVisible(not self._read_only)
        self.remove_button.setVisible(not self._read_only)
        self.add_button.setToolTip(
            "Add a row (Insert in the table)" if can_add
            else f"{self.f.label} takes at most {self.f.max_rows} rows"
        )
        self.remove_button.setToolTip(
            "Remove the selected row" if count > self.f.min_rows
            else f"{self.f.label} needs at least {self.f.min_rows} rows to sign"
        )

    def add_row(self) -> None:
        if self._read_only or (self.f.max_rows is not None
                               and self.model.rowCount() >= self.f.max_rows):
            return
        row = self.model.add_row()
        self.view.setCurrentIndex(self.model.index(row, 0))
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self._user_edit()

    def remove_current_row(self) -> None:
        index = self.view.currentIndex()
        if self._read_only or not index.isValid() or self.model.rowCount() <= self.f.min_rows:
            return
        self.model.remove_row(index.row())
        self._user_edit()

    def value(self) -> Any:
        rows = [{k: v for k, v in row.items() if not is_blank(v)} for row in self.model.rows()]
        return rows if any(rows) else None

    def _show(self, value: Any) -> bool:
        if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
            return False
        self.model.set_rows(value)
        self._pad()
        return True

    def _clear(self) -> None:
        self.model.set_rows([])
        self._pad()

    def set_choices(
        self, targets: Mapping[int, TargetDTO], parts: Mapping[int, PartDTO]
    ) -> None:
        self.model.refresh_names()

    def set_cell_problems(self, problems: Mapping[tuple[int, str], str]) -> None:
        self.model.set_problems(problems)

    def commit_pending_edit(self) -> None:
        self.view.commit_open_editor()

    def _apply_read_only(self, read_only: bool) -> None:
        self.model.read_only = read_only
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.NoEditTriggers if read_only
            else QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self._update_buttons()

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        col = self.model.column_index(column) if column else 0
        if row is not None and 0 <= row < self.model.rowCount():
            index = self.model.index(row, max(col, 0))
        elif self.model.rowCount():
            index = self.model.index(0, 0)
        else:
            self.add_button.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)


# --------------------------------------------------------------------------- problems list


class ProblemListModel(QAbstractListModel):
    """The problems that keep a note from signing, one line each: "Label: message"."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._problems: list[Problem] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._problems)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._problems):
            return None
        problem = self._problems[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"•  {problem.message}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{problem.label}: click to go to the field"
        if role == Qt.ItemDataRole.UserRole:
            return problem.field_path
        return None

    def problems(self) -> list[Problem]:
        return list(self._problems)

    def set_problems(self, problems: Iterable[Problem]) -> None:
        self.beginResetModel()
        self._problems = list(problems)
        self.endResetModel()

    def drop_field(self, field_id: str) -> None:
        """Forget the problems of one field (the person is fixing it)."""
        keep = [p for p in self._problems if parse_path(p.field_path)[0] != field_id]
        if len(keep) != len(self._problems):
            self.set_problems(keep)


class _ProblemPanel(QFrame):
    """A list of problems above the form; activating one jumps to its field."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _set_role(self, "problems")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(4)
        top = QHBoxLayout()
        self.title = QLabel(self)
        _set_role(self.title, "problems-title")
        self.hint = QLabel("Click a line, or press Enter on it, to go to the field "
                           "(Ctrl+Shift+E: the first one).", self)
        _set_role(self.hint, "help")
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.hint)
        layout.addLayout(top)
        self.model = ProblemListModel(self)
        self.view = QListView(self)
        _set_role(self.view, "problems")
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(True)
        self.view.setUniformItemSizes(True)
        self.view.setItemDelegate(_RoomyDelegate(self.view, extra=6))
        self.view.setCursor(Qt.CursorShape.PointingHandCursor)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.view)
        self.model.modelReset.connect(self._fit)

    def _fit(self) -> None:
        rows = self.model.rowCount()
        line = self.fontMetrics().height() + 6
        self.view.setFixedHeight(min(rows, 7) * line + 4)


# --------------------------------------------------------------------------- the form


class _FieldCell(QWidget):
    """The right-hand cell of one field: the editor, its help line, its error line."""

    def __init__(self, editor: _Field, help_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(editor)
        self._layout = layout
        if help_text:
            help_label = QLabel(help_text, self)
            _set_role(help_label, "help")
            help_label.setWordWrap(True)
            layout.addWidget(help_label)
        self._error: QLabel | None = None
        self._kept: QLabel | None = None

    def set_error(self, text: str) -> None:
        if not text:
            if self._error is not None:
                self._error.hide()
            return
        if self._error is None:
            self._error = QLabel(self)
            _set_role(self._error, "field-error")
            self._error.setWordWrap(True)
            self._layout.addWidget(self._error)
        self._error.setText(text)
        self._error.show()

    def error_text(self) -> str:
        return self._error.text() if self._error is not None and not self._error.isHidden() \
            else ""

    def set_kept(self, text: str) -> None:
        if not text:
            if self._kept is not None:
                self._kept.hide()
            return
        if self._kept is None:
            self._kept = QLabel(self)
            _set_role(self._kept, "kept-value")
            self._kept.setWordWrap(True)
            self._layout.insertWidget(1, self._kept)
        self._kept.setText(text)
        self._kept.show()


def _label_html(f: FieldDef, required: bool) -> str:
    text = f.label.replace("&", "&amp;").replace("<", "&lt;")
    if required:
        text += f' <span style="color:{ERROR}">*</span>'
    if f.private:
        text += f' <span style="color:{MUTED}; font-size:8.5pt">(private)</span>'
    return text


class NoteForm(QWidget):
    """Renders a note template as a form and reads and writes its content."""

    changed = Signal()
    new_target_requested = Signal(str)  # the target kind: "emdr" or "art"
    new_part_requested = Signal()

    def __init__(self, template: Template, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noteForm")
        self._template = template
        self._fields: dict[str, _Field] = {}
        self._cells: dict[str, _FieldCell] = {}
        self._labels: dict[str, QLabel] = {}
        self._opaque: dict[str, Any] = {}  # stored values the form cannot show: kept as is
        self._extra: dict[str, Any] = {}  # keys that are no field of this template: kept
        self._stored: dict[str, Any] = {}  # as set, to keep a list's stored order
        self._targets: dict[int, TargetDTO] = {}
        self._parts: dict[int, PartDTO] = {}
        self._read_only = False
        self._derived = [f for f in template.fields if f.derived is not None]
        self._conditional = [f for f in template.fields if f.required_if is not None]
        self._last_new_ref: str | None = None
        self.last_edited: str | None = None  # the field the latest `changed` came from
        self.setStyleSheet(FORM_STYLESHEET)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        # Above the scroll area, so the list stays in view while the form scrolls; lined
        # up with the form's column.
        panel_row = QHBoxLayout()
        panel_row.setContentsMargins(16, 0, 16 + self.style().pixelMetric(
            QStyle.PixelMetric.PM_ScrollBarExtent), 0)
        self.problem_panel = _ProblemPanel(self)
        self.problem_panel.setMaximumWidth(FORM_MAX_WIDTH)
        self.problem_panel.hide()
        self.problem_panel.view.clicked.connect(self._problem_activated)
        self.problem_panel.view.activated.connect(self._problem_activated)
        panel_row.addWidget(self.problem_panel)
        outer.addLayout(panel_row)

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        content.setObjectName("formContent")
        row = QHBoxLayout(content)
        row.setContentsMargins(16, 8, 16, 16)
        self._column = QWidget(content)
        self._column.setMaximumWidth(FORM_MAX_WIDTH)
        row.addStretch(0)
        row.addWidget(self._column, 1)
        row.addStretch(0)
        self._column_layout = QVBoxLayout(self._column)
        self._column_layout.setContentsMargins(0, 0, 0, 0)
        self._column_layout.setSpacing(14)
        self._legend = QLabel(f'<span style="color:{ERROR}">*</span> required to sign',
                              self._column)
        _set_role(self._legend, "help")
        self._column_layout.addWidget(self._legend)
        for section in template.sections:
            self._column_layout.addWidget(self._build_section(section))
        self._footer_slot = QVBoxLayout()
        self._footer_slot.setContentsMargins(0, 0, 0, 0)
        self._column_layout.addLayout(self._footer_slot)
        self._column_layout.addStretch(1)
        self.scroll_area.setWidget(content)
        outer.addWidget(self.scroll_area, 1)

        self._shortcut = QShortcut(QKeySequence("Ctrl+Shift+E"), self)
        self._shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._shortcut.activated.connect(self._focus_first_problem)
        self._refresh_derived()
        self._refresh_conditions()

    # -- building ------------------------------------------------------------------------

    def _build_section(self, section: Section) -> QFrame:
        private = any(f.private for f in section.fields)
        frame = QFrame(self._column)
        _set_role(frame, "section-private" if private else "section")
        frame.setObjectName(f"section_{section.id}")
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(18, 12, 18, 16)
        layout.setSpacing(8)
        title = QLabel(section.title, frame)
        _set_role(title, "section-title")
        layout.addWidget(title)
        if section.help:
            help_label = QLabel(section.help, frame)
            _set_role(help_label, "help")
            help_label.setWordWrap(True)
            layout.addWidget(help_label)
        grid = QGridLayout()
        grid.setContentsMargins(0, 4, 0, 0)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(12)
        grid.setColumnMinimumWidth(0, LABEL_WIDTH)
        grid.setColumnStretch(1, 1)
        for row, f in enumerate(section.fields):
            editor = self._make_editor(f, frame)
            label = QLabel(_label_html(f, f.required), frame)
            _set_role(label, "field-label")
            label.setWordWrap(True)
            label.setFixedWidth(LABEL_WIDTH)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            cell = _FieldCell(editor, f.help, frame)
            if f.help:
                label.setToolTip(f.help)
                editor.setToolTip(f.help)
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(cell, row, 1)
            self._fields[f.id] = editor
            self._cells[f.id] = cell
            self._labels[f.id] = label
        layout.addLayout(grid)
        return frame

    def _names(self) -> tuple[Mapping[int, TargetDTO], Mapping[int, PartDTO]]:
        return self._targets, self._parts

    def _make_editor(self, f: FieldDef, parent: QWidget) -> _Field:
        editor: _Field
        kind = f.kind
        if kind is FieldKind.TEXT:
            editor = _TextField(f, parent)
        elif kind is FieldKind.LONG_TEXT:
            editor = _LongTextField(f, parent)
        elif kind is FieldKind.CHOICE:
            if len(f.options) <= RADIO_LIMIT:
                editor = _RadioRow(f, [(o.value, o.label) for o in f.options], parent)
            else:
                editor = _ComboChoice(f, parent)
        elif kind is FieldKind.MULTI_CHOICE:
            editor = _MultiChoiceField(f, parent)
        elif kind is FieldKind.SCALE:
            editor = _ScaleField(f, parent)
        elif kind is FieldKind.INTEGER:
            editor = _IntegerField(f, parent)
        elif kind is FieldKind.NUMBER:
            editor = _DerivedField(f, parent) if f.derived is not None else _NumberField(f, parent)
        elif kind is FieldKind.DATE:
            editor = _DateField(f, parent)
        elif kind is FieldKind.TIME:
            editor = _TimeField(f, parent)
        elif kind is FieldKind.YES_NO:
            editor = _RadioRow(f, [(True, "Yes"), (False, "No")], parent)
        elif kind is FieldKind.TARGET_REF:
            target_editor = _TargetRefField(f, parent)
            target_editor.new_requested.connect(
                lambda target_kind, fid=f.id: self._new_ref(fid, self.new_target_requested,
                                                            target_kind))
            editor = target_editor
        elif kind is FieldKind.PARTS_REF:
            parts_editor = _PartsRefField(f, parent)
            parts_editor.new_requested.connect(
                lambda fid=f.id: self._new_ref(fid, self.new_part_requested))
            editor = parts_editor
        else:
            editor = _GroupField(f, self._names, parent)
        editor.setObjectName(f"field_{f.id}")
        editor.edited.connect(lambda fid=f.id: self._on_edited(fid))
        return editor

    def _new_ref(self, field_id: str, signal: Any, *args: Any) -> None:
        self._last_new_ref = field_id
        signal.emit(*args)

    # -- content --------------------------------------------------------------------------

    @property
    def template(self) -> Template:
        return self._template

    def set_content(self, content: Mapping[str, Any]) -> None:
        """Show a note's content; anything the form cannot show is kept unchanged."""
        self._opaque.clear()
        self._stored = dict(content)
        known = {f.id for f in self._template.fields}
        self._extra = {k: v for k, v in content.items() if k not in known}
        for f in self._template.fields:
            editor = self._fields[f.id]
            value = content.get(f.id)
            shown = editor.set_value(value)
            if not shown:
                self._opaque[f.id] = value
                self._cells[f.id].set_kept(
                    f"The saved answer ({display_value(f, value, self._targets, self._parts)})"
                    " cannot be shown here. It is kept as it is unless you change this field."
                )
            else:
                self._cells[f.id].set_kept("")
        self._refresh_derived()
        self._refresh_conditions()

    def commit_pending_edits(self) -> None:
        """Take in a value still being typed in a table cell (before a save or a sign)."""
        for editor in self._fields.values():
            if isinstance(editor, _GroupField):
                editor.commit_pending_edit()

    def content(self) -> dict[str, Any]:
        """The note's content in the stored shape; unfilled fields are left out."""
        result: dict[str, Any] = {}
        for f in self._template.fields:
            if f.id in self._opaque:
                result[f.id] = self._opaque[f.id]
                continue
            if f.derived is not None:
                continue
            value = self._fields[f.id].value()
            if value is None:
                continue
            stored = self._stored.get(f.id)
            if isinstance(value, list) and isinstance(stored, list) \
                    and f.kind is not FieldKind.GROUP and sorted(map(str, stored)) == \
                    sorted(map(str, value)):
                value = list(stored)  # same choices: keep the order they were stored in
            result[f.id] = value
        result.update({k: v for k, v in self._extra.items() if k not in result})
        if self._derived:
            result = derive_values(self._template, result)
        return result

    def value(self, field_id: str) -> Any:
        """One field's current value, as content() would give it (None when not filled)."""
        return self._value_of(field_id)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._legend.setVisible(not read_only)
        for editor in self._fields.values():
            editor.set_read_only(read_only)

    def is_read_only(self) -> bool:
        return self._read_only

    def set_choices(self, targets: Sequence[TargetDTO], parts: Sequence[PartDTO]) -> None:
        """The client's targets and parts, for the fields that refer to them."""
        self._targets = {t.id: t for t in targets}
        self._parts = {p.id: p for p in parts}
        for editor in self._fields.values():
            editor.set_choices(self._targets, self._parts)

    def choose_new_target(self, target: TargetDTO, field_id: str | None = None) -> None:
        """Add a just-created target to the lists and select it where it was asked for."""
        self.set_choices([*self._targets.values(), target], list(self._parts.values()))
        fid = field_id or self._last_new_ref
        editor = self._fields.get(fid or "")
        if isinstance(editor, _TargetRefField):
            editor.choose(target.id)

    def choose_new_part(self, part: PartDTO, field_id: str | None = None) -> None:
        """Add a just-created part to the lists and tick it where it was asked for."""
        self.set_choices(list(self._targets.values()), [*self._parts.values(), part])
        fid = field_id or self._last_new_ref
        editor = self._fields.get(fid or "")
        if isinstance(editor, _PartsRefField):
            editor.choose(part.id)

    def set_footer(self, widget: QWidget | None) -> None:
        """A widget shown after the last section, inside the scroll area (addenda)."""
        while self._footer_slot.count():
            item = self._footer_slot.takeAt(0)
            old = item.widget() if item is not None else None
            if old is not None:
                old.setParent(None)
        if widget is not None:
            self._footer_slot.addWidget(widget)
            widget.show()

    # -- reacting ------------------------------------------------------------------------

    def _on_edited(self, field_id: str) -> None:
        self.last_edited = field_id
        if field_id in self._opaque:  # the person replaced a value the form could not show
            del self._opaque[field_id]
            self._cells[field_id].set_kept("")
        self._stored.pop(field_id, None)
        self._clear_field_problems(field_id)
        if self._derived and any(field_id in (f.derived.left, f.derived.right)
                                 for f in self._derived if f.derived is not None):
            self._refresh_derived()
        if self._conditional and any(f.required_if is not None
                                     and f.required_if.field == field_id
                                     for f in self._conditional):
            self._refresh_conditions()
        self.changed.emit()

    def _refresh_derived(self) -> None:
        if not self._derived:
            return
        values = {}
        for f in self._derived:
            assert f.derived is not None
            for source in (f.derived.left, f.derived.right):
                editor = self._fields.get(source)
                values[source] = self._opaque.get(source) if source in self._opaque \
                    else editor.value() if editor is not None else None
        computed = derive_values(self._template, {k: v for k, v in values.items()
                                                  if v is not None})
        for f in self._derived:
            editor = self._fields[f.id]
            if isinstance(editor, _DerivedField):
                editor.show_computed(computed.get(f.id))

    def _refresh_conditions(self) -> None:
        if not self._conditional:
            return
        current = {f.required_if.field: self._value_of(f.required_if.field)
                   for f in self._conditional if f.required_if is not None}
        for f in self._conditional:
            assert f.required_if is not None
            required = f.required_if.holds(current)
            self._labels[f.id].setText(_label_html(f, required))

    def _value_of(self, field_id: str) -> Any:
        if field_id in self._opaque:
            return self._opaque[field_id]
        editor = self._fields.get(field_id)
        return editor.value() if editor is not None else None

    # -- focus and problems ---------------------------------------------------------------

    def focus_field(self, field_path: str) -> bool:
        """Scroll to a field and put the keyboard there; "sets[1].sud" focuses that cell.

        Returns False when the path names no field of this form.
        """
        field_id, row, column = parse_path(field_path)
        editor = self._fields.get(field_id)
        if editor is None:
            return False
        cell = self._cells[field_id]
        label = self._labels[field_id]
        if self.isVisible():
            self.scroll_area.ensureWidgetVisible(label, 0, 24)
            self.scroll_area.ensureWidgetVisible(cell, 0, 24)
        editor.focus_editor(row, column)
        return True

    def show_problems(self, problems: Sequence[Problem], heading: str | None = None) -> None:
        """Each problem in red under its field, and all of them listed above the form."""
        self.clear_problems()
        by_field: dict[str, list[str]] = {}
        cells: dict[str, dict[tuple[int, str], str]] = {}
        for problem in problems:
            field_id, row, column = parse_path(problem.field_path)
            by_field.setdefault(field_id, []).append(problem.message)
            if row is not None and column is not None:
                cells.setdefault(field_id, {})[(row, column)] = problem.message
        for field_id, messages in by_field.items():
            cell = self._cells.get(field_id)
            if cell is not None:
                cell.set_error("\n".join(messages))
        for field_id, cell_problems in cells.items():
            editor = self._fields.get(field_id)
            if isinstance(editor, _GroupField):
                editor.set_cell_problems(cell_problems)
        if not problems:
            return
        count = len(problems)
        self.problem_panel.title.setText(
            heading or f"{count} {'thing' if count == 1 else 'things'} to fix"
        )
        self.problem_panel.model.set_problems(problems)
        self.problem_panel.show()

    def clear_problems(self) -> None:
        for cell in self._cells.values():
            cell.set_error("")
        for editor in self._fields.values():
            if isinstance(editor, _GroupField):
                editor.set_cell_problems({})
        self.problem_panel.model.set_problems([])
        self.problem_panel.hide()

    def problems(self) -> list[Problem]:
        """The problems still listed (fixed fields drop out as they are edited)."""
        return self.problem_panel.model.problems()

    def field_error(self, field_id: str) -> str:
        """The red message shown under a field, if any (for tests and accessibility)."""
        cell = self._cells.get(field_id)
        return cell.error_text() if cell is not None else ""

    def editor(self, field_id: str) -> QWidget:
        """The editor widget of a field (tests drive it like a person would)."""
        return self._fields[field_id]

    def _clear_field_problems(self, field_id: str) -> None:
        cell = self._cells.get(field_id)
        if cell is not None and cell.error_text():
            cell.set_error("")
        editor = self._fields.get(field_id)
        if isinstance(editor, _GroupField):
            editor.set_cell_problems({})
        if self.problem_panel.isVisible() or self.problem_panel.model.rowCount():
            self.problem_panel.model.drop_field(field_id)
            if not self.problem_panel.model.rowCount():
                self.problem_panel.hide()
            else:
                count = self.problem_panel.model.rowCount()
                self.problem_panel.title.setText(
                    f"{count} {'thing' if count == 1 else 'things'} left to fix"
                )

    def _problem_activated(self, index: QModelIndex) -> None:
        path = index.data(Qt.ItemDataRole.UserRole)
        if isinstance(path, str):
            self.focus_field(path)

    def _focus_first_problem(self) -> None:
        problems = self.problems()
        if problems:
            self.focus_field(problems[0].field_path)

