"""The field editors of the note form, one per field kind, on a shared base.

Each editor shows a stored value or says it cannot (`set_value` returns False), gives
its value back in the stored shape, and fires `edited` only on a person's change.
Fields that refer to the registry are in reference_fields; groups in group_table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QEnterEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.dto import PartDTO, TargetDTO
from models.formatting import number_text
from models.templates.definitions import FieldDef
from models.values import is_blank, is_int, is_number
from reports import palette
from reports.palette import INK, LINE
from ui.common.inert import make_read_only
from ui.common.style import repolish, set_role
from ui.notes.inputs import (
    CHOOSE,
    DATE_SENTINEL,
    NOT_RATED,
    UNANSWERED,
    Combo,
    OptionalDateEdit,
    OptionalDoubleSpin,
    OptionalSpin,
    OptionalTimeEdit,
    ScaleSlider,
    TickLabels,
    parse_hhmm,
)

CLEAR_KEYS: Final = "Ctrl+Delete"
# A control's focus policy without Tab: a click still gives it the keyboard.
_WITHOUT_TAB: Final = {
    Qt.FocusPolicy.StrongFocus: Qt.FocusPolicy.ClickFocus,
    Qt.FocusPolicy.WheelFocus: Qt.FocusPolicy.ClickFocus,
    Qt.FocusPolicy.TabFocus: Qt.FocusPolicy.NoFocus,
}


def _in_range(f: FieldDef, value: float) -> bool:
    return (f.minimum is None or value >= f.minimum) and (f.maximum is None or value <= f.maximum)


class Field(QWidget):
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
        # Out of the Tab order (an earlier answer made this field not applicable): the
        # controls that lost their Tab focus, with the policy to give back.
        self._tab_skipped = False
        self._tab_policies: dict[QWidget, Qt.FocusPolicy] = {}

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
        self._tab_policies.clear()  # the controls have their policies afresh
        self._apply_tab_skip()
        self._update_clear()

    def set_tab_skipped(self, skipped: bool) -> None:
        """Take the field out of the Tab order (a click still reaches it), or put it back."""
        if skipped != self._tab_skipped:
            self._tab_skipped = skipped
            self._apply_tab_skip()

    def is_tab_skipped(self) -> bool:
        return self._tab_skipped

    def _apply_tab_skip(self) -> None:
        if self._tab_skipped:
            for widget in self.findChildren(QWidget):
                policy = widget.focusPolicy()
                if policy in _WITHOUT_TAB:
                    self._tab_policies[widget] = policy
                    widget.setFocusPolicy(_WITHOUT_TAB[policy])
        else:
            for widget, policy in self._tab_policies.items():
                if widget.focusPolicy() == _WITHOUT_TAB[policy]:
                    widget.setFocusPolicy(policy)
            self._tab_policies.clear()

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
        set_role(button, "clear")
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


def row_layout(parent: QWidget) -> QHBoxLayout:
    layout = QHBoxLayout(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(10)
    return layout


class TextField(Field):
    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        layout = row_layout(self)
        self.edit = QLineEdit(self)
        self.edit.setProperty("answer", "true")  # styled as a written answer when signed
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


class LongTextField(Field):
    """Several lines; grows with what is written, up to about fifteen lines."""

    MIN_LINES: Final = 3
    MAX_LINES: Final = 15

    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        layout = row_layout(self)
        self.edit = QPlainTextEdit(self)
        self.edit.setProperty("answer", "true")  # styled as a written answer when signed
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


class RadioRow(Field):
    """A short choice or a yes/no as radio buttons; none checked means unanswered."""

    def __init__(
        self, f: FieldDef, answers: Sequence[tuple[Any, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(f, parent)
        layout = row_layout(self)
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
            make_read_only(button, read_only)

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        checked = self.group.checkedButton()
        (checked or self.buttons[0]).setFocus(Qt.FocusReason.OtherFocusReason)


class ComboChoice(Field):
    """A longer choice as a drop-down that starts on "— choose —"."""

    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        layout = row_layout(self)
        self.combo = Combo(self)
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
        make_read_only(self.combo, read_only)
        self.combo.setItemText(0, UNANSWERED if read_only else CHOOSE)

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        self.combo.setFocus(Qt.FocusReason.OtherFocusReason)


class MultiChoiceField(Field):
    """Tick boxes, one Tab stop for the lot: the arrow keys move between the boxes and Space
    ticks, so a list of eight phases costs one Tab, not eight."""

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
        self._stop = 0  # the box Tab lands on: the last one the keyboard was in
        for index, option in enumerate(f.options):
            box = QCheckBox(option.label, self)
            box.toggled.connect(lambda _on: self._user_edit())
            box.installEventFilter(self)
            # Fill down the columns, so numbered options (EMDR phases) read top to bottom.
            grid.addWidget(box, index % rows, index // rows)
            self.boxes.append(box)
        grid.setColumnStretch(columns, 1)
        self._rove()

    def _rove(self) -> None:
        """Only the stop box takes Tab; the others take a click (or the arrow keys)."""
        if self._read_only:
            return
        for index, box in enumerate(self.boxes):
            tab = index == self._stop and not self._tab_skipped
            box.setFocusPolicy(Qt.FocusPolicy.StrongFocus if tab else Qt.FocusPolicy.ClickFocus)

    def _apply_tab_skip(self) -> None:
        self._rove()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched in self.boxes and not self._read_only:
            index = self.boxes.index(watched)
            if event.type() == QEvent.Type.FocusIn and index != self._stop:
                self._stop = index
                self._rove()
            elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                    and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                                 | Qt.KeyboardModifier.AltModifier):
                step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Left: -1, Qt.Key.Key_Down: 1,
                        Qt.Key.Key_Right: 1}.get(Qt.Key(event.key()))
                if step is not None:
                    target = max(0, min(len(self.boxes) - 1, index + step))
                    self.boxes[target].setFocus(Qt.FocusReason.OtherFocusReason)
                    return True
        return super().eventFilter(watched, event)

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
            make_read_only(box, read_only)
        self._rove()

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        if self.boxes:
            self.boxes[self._stop].setFocus(Qt.FocusReason.OtherFocusReason)


class ScaleField(Field):
    """A rating on a slider with its anchors; "Not rated" until the person sets it."""

    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        low, high = int(f.minimum or 0), int(f.maximum or 10)
        self._rated = False
        top = row_layout(self)
        top.setSpacing(14)
        holder = QWidget(self)
        holder.setMinimumWidth(240)
        holder.setMaximumWidth(440)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.slider = ScaleSlider(low, high, holder)
        self.slider.setProperty("rated", "false")
        self.slider.rated.connect(self._on_rated)
        self.slider.valueChanged.connect(self._on_value_changed)
        self.ticks = TickLabels(self.slider, holder)
        column.addWidget(self.slider)
        column.addWidget(self.ticks)
        anchors = dict(f.anchors)
        if anchors:
            row = QHBoxLayout()
            row.setSpacing(12)
            left = QLabel(self._anchor_text(low, anchors.get(low)), holder)
            right = QLabel(self._anchor_text(high, anchors.get(high)), holder)
            for label in (left, right):
                set_role(label, "anchor")
                label.setWordWrap(True)
            left.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            right.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            row.addWidget(left, 1)
            row.addWidget(right, 1)
            column.addLayout(row)
            middle = [f"{v} = {t}" for v, t in f.anchors if v not in (low, high)]
            if middle:
                extra = QLabel("; ".join(middle), holder)
                set_role(extra, "anchor")
                extra.setWordWrap(True)
                column.addWidget(extra)
        top.addWidget(holder, 6, Qt.AlignmentFlag.AlignTop)
        self.value_label = QLabel(NOT_RATED, self)
        set_role(self.value_label, "scale-value")
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
        repolish(self.slider)
        repolish(self.value_label)

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
        make_read_only(self.slider, read_only)

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        self.slider.setFocus(Qt.FocusReason.OtherFocusReason)


class BoxField(Field):
    """A field typed into one spin-box-like control (integer, number, date, time) that can
    also be "not given", with its Clear button."""

    box: Any  # one of the _Optional* controls: a QAbstractSpinBox with clear_value()

    def _build(self, box: Any, min_width: int, changed: Any) -> None:
        layout = row_layout(self)
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
        self.box.setFrame(not read_only)  # a signed answer reads as written, not as a box
        self.box.setButtonSymbols(
            QAbstractSpinBox.ButtonSymbols.NoButtons if read_only
            else QAbstractSpinBox.ButtonSymbols.UpDownArrows
        )

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        self.box.setFocus(Qt.FocusReason.OtherFocusReason)
        self.box.selectAll()


class IntegerField(BoxField):
    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        self.spin = OptionalSpin(f, self)
        self._build(self.spin, 130, self.spin.valueChanged)

    def value(self) -> Any:
        return self.spin.optional_value()

    def _show(self, value: Any) -> bool:
        if not is_int(value) or not _in_range(self.f, value):
            return False
        self.spin.setValue(value)
        return True


class NumberField(BoxField):
    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        self.spin = OptionalDoubleSpin(f, self)
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


class DerivedField(Field):
    """A calculated number (mg/kg): shown, never typed; NoteForm works it out live."""

    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        layout = row_layout(self)
        self.shown = QLineEdit(self)
        self.shown.setReadOnly(True)
        self.shown.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.shown.setMaximumWidth(160)
        self.shown.setPlaceholderText("calculated")
        self.shown.setStyleSheet(f"background: {palette.CALCULATED_BG}; color: {INK}; "
                                 f"border: 1px solid {LINE};")
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


class DateField(BoxField):
    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        self.edit = OptionalDateEdit(self)
        self._build(self.edit, 150, self.edit.dateChanged)

    def value(self) -> Any:
        return self.edit.date().toString("yyyy-MM-dd") if self.edit.is_set() else None

    def _show(self, value: Any) -> bool:
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            return False
        date = QDate.fromString(value, "yyyy-MM-dd")
        if not date.isValid() or date <= DATE_SENTINEL:
            return False
        self.edit.setDate(date)
        return True

    def _apply_read_only(self, read_only: bool) -> None:
        super()._apply_read_only(read_only)
        self.edit.setCalendarPopup(not read_only)


class TimeField(BoxField):
    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        self.edit = OptionalTimeEdit(self)
        self._build(self.edit, 110, self.edit.timeChanged)

    def value(self) -> Any:
        return self.edit.hhmm()

    def _show(self, value: Any) -> bool:
        hhmm = parse_hhmm(value)
        if hhmm is None:
            return False
        self.edit.set_hhmm(*hhmm)
        return True
