"""One item of a measure as a row to answer from the keyboard: answer buttons or a number."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from models.inputs import answer_problem
from models.instruments.definitions import Instrument, Item
from ui.common.style import repolish


class ItemRow(QFrame):
    """One item: its number and wording, and its answer. Keyboard first.

    A digit answers and moves to the next item; Left/Right change the answer; Backspace
    or Delete clears it; Up/Down and Return move between items.
    """

    changed = Signal()
    advance = Signal()
    retreat = Signal()
    refused = Signal(str)  # an answer outside the item's range was typed: why it was refused

    def __init__(self, item: Item, instrument: Instrument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.instrument = instrument
        self._value: int | None = None
        self.setObjectName("itemRow")
        self.setProperty("flagged", False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    @property
    def value(self) -> int | None:
        return self._value

    @property
    def problem(self) -> str:
        """Why what is typed here cannot be saved ('' when it can)."""
        return ""

    def set_value(self, value: int | None) -> None:
        if value is not None and not self.item.min_value <= value <= self.item.max_value:
            return
        if value == self._value:
            return
        self._value = value
        self._show_value()
        self._update_accessible()
        self.changed.emit()

    def _show_value(self) -> None:  # pragma: no cover - overridden
        pass

    def set_flagged(self, flagged: bool, text: str = "") -> None:
        if self.property("flagged") != flagged:
            self.setProperty("flagged", flagged)
            repolish(self)

    def _number_label(self) -> QLabel:
        label = QLabel(f"{self.item.number}.")
        label.setObjectName("itemNumber")
        label.setFixedWidth(30)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        return label

    def _update_accessible(self) -> None:
        answer = "not answered"
        if self._value is not None:
            label = self.item.label_for(self._value)
            answer = f"{self._value} {label}" if label else str(self._value)
        self.setAccessibleName(f"Item {self.item.number}: {answer}")
        self.setAccessibleDescription(self.item.display_text)


class ChoiceItemRow(ItemRow):
    """An item answered by one small whole number (0..9): answer buttons and digit keys."""

    def __init__(self, item: Item, instrument: Instrument,
                 parent: QWidget | None = None) -> None:
        super().__init__(item, instrument, parent)
        self.buttons: dict[int, QPushButton] = {}
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)  # a row may be unanswered again
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for value in range(item.min_value, item.max_value + 1):
            label = item.label_for(value)
            button = QPushButton(f"{value}  {label}" if label else str(value))
            button.setObjectName("answer")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the row keeps the keyboard
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            if not label:
                button.setMinimumWidth(40)
            button.clicked.connect(lambda _c=False, v=value: self._clicked(v))
            self.group.addButton(button, value)
            self.buttons[value] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.flag_label = QLabel()
        self.flag_label.setObjectName("rowFlag")
        self.flag_label.hide()
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 10, 6)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(5)
        if item.text is not None:
            grid.addWidget(self._number_label(), 0, 0)
            text = QLabel(item.text)
            text.setObjectName("itemText")
            text.setWordWrap(True)
            grid.addWidget(text, 0, 1)
            grid.addLayout(buttons, 1, 1)
            grid.addWidget(self.flag_label, 2, 1)
        else:
            # Copyrighted wording is not bundled: the number only, buttons on the same line.
            text = QLabel(f"Item {item.number}")
            text.setObjectName("itemText")
            text.setFixedWidth(70)
            text.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            row = QHBoxLayout()
            row.setSpacing(14)
            row.addWidget(text)
            row.addLayout(buttons, 1)
            grid.addLayout(row, 0, 0, 1, 2)
            grid.addWidget(self.flag_label, 1, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self._update_accessible()

    def _clicked(self, value: int) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.set_value(None if value == self._value else value)
        if self._value is not None:
            self.advance.emit()

    def _show_value(self) -> None:
        for value, button in self.buttons.items():
            button.setChecked(value == self._value)

    def set_flagged(self, flagged: bool, text: str = "") -> None:
        super().set_flagged(flagged, text)
        self.flag_label.setText(text)
        self.flag_label.setVisible(flagged and bool(text))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        text = event.text()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if text.isdigit() and len(text) == 1 and mods == Qt.KeyboardModifier.NoModifier:
            value = int(text)
            if self.item.min_value <= value <= self.item.max_value:
                self.set_value(value)
                self.advance.emit()
            else:  # said, not swallowed: the answer stays as it was
                self.refused.emit(answer_problem(self.instrument, self.item, value))
            return
        if key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.set_value(None)
            return
        if key == Qt.Key.Key_Right:
            start = self.item.min_value - 1 if self._value is None else self._value
            self.set_value(min(self.item.max_value, start + 1))
            return
        if key == Qt.Key.Key_Left:
            start = self.item.max_value + 1 if self._value is None else self._value
            self.set_value(max(self.item.min_value, start - 1))
            return
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and mods == Qt.KeyboardModifier.NoModifier:
            self.advance.emit()
            return
        if key == Qt.Key.Key_Up:
            self.retreat.emit()
            return
        super().keyPressEvent(event)


class NumberItemRow(ItemRow):
    """An item with a wide range (a custom measure from 0 to 100): typed as a number.

    Any whole number may be typed; one outside the range is refused with a message under
    the row (models.inputs.answer_problem), never cut to fit."""

    def __init__(self, item: Item, instrument: Instrument,
                 parent: QWidget | None = None) -> None:
        super().__init__(item, instrument, parent)
        self._problem = ""
        self.edit = QLineEdit()
        self.edit.setValidator(QRegularExpressionValidator(
            QRegularExpression(r"-?[0-9]{0,7}" if item.min_value < 0 else r"[0-9]{0,7}"),
            self.edit))
        self.edit.setPlaceholderText(f"{item.min_value} to {item.max_value}")
        self.edit.setMaximumWidth(120)
        self.edit.textEdited.connect(self._edited)
        self.edit.returnPressed.connect(self.advance)
        self.edit.installEventFilter(self)
        self.setFocusProxy(self.edit)
        self.flag_label = QLabel()
        self.flag_label.hide()
        text = QLabel(item.display_text)
        text.setObjectName("itemText")
        text.setWordWrap(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 10, 6)
        grid.setHorizontalSpacing(10)
        grid.addWidget(self._number_label(), 0, 0)
        grid.addWidget(text, 0, 1)
        anchors = ""
        if item.labels:
            anchors = f"{item.min_value} = {item.labels[0]}, {item.max_value} = {item.labels[-1]}"
        hint = QLabel(anchors or f"A whole number from {item.min_value} to {item.max_value}")
        hint.setProperty("role", "subtle")
        row = QHBoxLayout()
        row.addWidget(self.edit)
        row.addWidget(hint, 1)
        grid.addLayout(row, 1, 1)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        grid.addWidget(self.error, 2, 1)
        grid.setColumnStretch(1, 1)
        self._update_accessible()

    @property
    def problem(self) -> str:
        return self._problem

    def _edited(self, text: str) -> None:
        value: int | None = None
        try:
            value = int(text)
        except ValueError:
            value = None
        self._problem = answer_problem(self.instrument, self.item, value)
        self.error.setText(self._problem)
        self.error.setVisible(bool(self._problem))
        if self._problem:
            value = None
            self.refused.emit(self._problem)
        self._value = value
        self._update_accessible()
        self.changed.emit()

    def _show_value(self) -> None:
        self.edit.setText("" if self._value is None else str(self._value))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Down:
                self.advance.emit()
                return True
            if event.key() == Qt.Key.Key_Up:
                self.retreat.emit()
                return True
        return super().eventFilter(watched, event)


def item_row(item: Item, instrument: Instrument) -> ItemRow:
    """Buttons and digit keys for small ranges (0..9); a number field otherwise."""
    if item.min_value >= 0 and item.max_value <= 9:
        return ChoiceItemRow(item, instrument)
    return NumberItemRow(item, instrument)
