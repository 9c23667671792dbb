"""A measure given inside a note (the CADSS of a dose): which form, when, and each item.

The note stores the item answers; signed, they become that dose's record in Measures. The
total is worked out here the way Measures works it out (models.instruments.scoring), so
the number under the items is the number the charts will show.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from models.instruments.definitions import Instrument
from models.instruments.loading import load_instruments
from models.instruments.scoring import score, total_text
from models.templates.definitions import FieldDef, FieldKind
from models.values import is_int
from ui.common.inert import make_read_only
from ui.common.style import set_role
from ui.notes.fields import Field
from ui.notes.inputs import OptionalSpin

__all__ = ["MeasureField"]

ITEMS_PER_ROW: Final = 12
MINUTES: Final = FieldDef("minutes_from_dose", "Minutes from dose", FieldKind.INTEGER,
                          minimum=-240, maximum=720, unit="min")


def _item_def(number: int, low: int, high: int) -> FieldDef:
    return FieldDef(f"item_{number}", f"Item {number}", FieldKind.SCALE, minimum=low,
                    maximum=high)


class MeasureField(Field):
    """Instrument choice, minutes from the dose, and one small box per item."""

    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        known = load_instruments()
        self.instruments: list[Instrument] = [known[i] for i in f.instruments if i in known]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)

        top = QHBoxLayout()
        top.setSpacing(18)
        self.choice = QButtonGroup(self)
        self.choice.setExclusive(True)
        self.buttons: list[QRadioButton] = []
        for index, instrument in enumerate(self.instruments):
            text = instrument.short_name + ("" if instrument.validated
                                            else " (not yet validated)")
            button = QRadioButton(text, self)
            button.setToolTip(instrument.title)
            self.choice.addButton(button, index)
            self.buttons.append(button)
            top.addWidget(button)
            self._watch(button)
        self.choice.idClicked.connect(self._instrument_chosen)
        top.addSpacing(12)
        given = QLabel("Given at", self)
        set_role(given, "help")
        top.addWidget(given)
        self.minutes = OptionalSpin(MINUTES, self)
        self.minutes.setToolTip("Minutes from the dose")
        self.minutes.valueChanged.connect(lambda _v: self._user_edit())
        self._watch(self.minutes)
        top.addWidget(self.minutes)
        after = QLabel("from the dose", self)
        set_role(after, "help")
        top.addWidget(after)
        top.addWidget(self._make_clear_button())
        top.addStretch(1)
        layout.addLayout(top)

        self.items_box = QWidget(self)
        self.grid = QGridLayout(self.items_box)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(2)
        layout.addWidget(self.items_box)
        self.total = QLabel(self)
        set_role(self.total, "help")
        self.total.setWordWrap(True)
        layout.addWidget(self.total)
        self.recorded = QLabel(self)
        set_role(self.recorded, "kept-value")
        self.recorded.setWordWrap(True)
        self.recorded.hide()
        layout.addWidget(self.recorded)
        self.spins: dict[int, OptionalSpin] = {}
        self._current: Instrument | None = None
        self._show_items(None)

    # -- the items -------------------------------------------------------------------------

    def _show_items(self, instrument: Instrument | None, keep: Mapping[int, int] | None = None
                    ) -> None:
        while self.grid.count():
            taken = self.grid.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.spins = {}
        self._current = instrument
        self.items_box.setVisible(instrument is not None)
        if instrument is None:
            self._update_total()
            return
        for index, item in enumerate(instrument.items):
            row, column = divmod(index, ITEMS_PER_ROW)
            label = QLabel(str(item.number), self.items_box)
            set_role(label, "anchor")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            spin = OptionalSpin(_item_def(item.number, item.min_value, item.max_value),
                                self.items_box)
            spin.setToolTip(f"{instrument.short_name} item {item.number} "
                            f"({item.min_value} to {item.max_value})")
            spin.setAccessibleName(f"{instrument.short_name} item {item.number}")
            if keep and item.number in keep:
                spin.setValue(keep[item.number])
            spin.valueChanged.connect(lambda _v: self._item_changed())
            self._watch(spin)
            self.grid.addWidget(label, 2 * row, column)
            self.grid.addWidget(spin, 2 * row + 1, column)
            self.spins[item.number] = spin
            if self._read_only:
                make_read_only(spin, True)
        self.grid.setColumnStretch(ITEMS_PER_ROW, 1)
        self._update_total()

    def _answers(self) -> dict[int, int]:
        return {n: v for n, spin in self.spins.items()
                if (v := spin.optional_value()) is not None}

    def _instrument_chosen(self, index: int) -> None:
        chosen = self.instruments[index]
        if chosen is not self._current:
            self._show_items(chosen, keep=self._answers())
        self._user_edit()

    def _item_changed(self) -> None:
        self._update_total()
        self._user_edit()

    def _update_total(self) -> None:
        instrument = self._current
        if instrument is None:
            self.total.setText("Choose the form that was given.")
            return
        answers = self._answers()
        if not answers:
            self.total.setText(f"Enter each item's score ({instrument.items[0].min_value} to "
                               f"{instrument.items[0].max_value}) by its number on the "
                               "licensed form.")
            return
        result = score(instrument, answers)
        tail = "" if result.total is not None else ": the total is worked out when every item is."
        self.total.setText(total_text(instrument, result) + tail)

    def set_recorded(self, text: str) -> None:
        """Say that Measures already holds this dose's record ('' to say nothing)."""
        self.recorded.setText(text)
        self.recorded.setVisible(bool(text))

    # -- Field -----------------------------------------------------------------------------

    def value(self) -> Any:
        if self._current is None:
            return None
        answers = self._answers()
        minutes = self.minutes.optional_value()
        if not answers and minutes is None:
            return None
        result: dict[str, Any] = {"instrument": self._current.id,
                                  "answers": {str(n): v for n, v in sorted(answers.items())}}
        if minutes is not None:
            result["minutes_from_dose"] = minutes
        return result

    def _show(self, value: Any) -> bool:
        if not isinstance(value, Mapping):
            return False
        chosen = next((i for i, inst in enumerate(self.instruments)
                       if inst.id == value.get("instrument")), None)
        answers = value.get("answers", {})
        minutes = value.get("minutes_from_dose")
        if chosen is None or not isinstance(answers, Mapping) \
                or not (minutes is None or is_int(minutes)):
            return False
        instrument = self.instruments[chosen]
        parsed: dict[int, int] = {}
        for key, answer in answers.items():
            number = int(key) if isinstance(key, str) and key.isdigit() else None
            item = instrument.items_by_number.get(number) if number is not None else None
            if item is None or not (answer is None or (is_int(answer) and item.min_value
                                                       <= answer <= item.max_value)):
                return False
            if answer is not None and number is not None:
                parsed[number] = answer
        self.buttons[chosen].setChecked(True)
        self._show_items(instrument)
        for number, answer in parsed.items():
            self.spins[number].setValue(answer)
        if minutes is None:
            self.minutes.clear_value()
        elif MINUTES.minimum is not None and minutes >= MINUTES.minimum:
            self.minutes.setValue(minutes)
        self._update_total()
        return True

    def _clear(self) -> None:
        self.choice.setExclusive(False)
        for button in self.buttons:
            button.setChecked(False)
        self.choice.setExclusive(True)
        self.minutes.clear_value()
        self._show_items(None)

    def _apply_read_only(self, read_only: bool) -> None:
        for button in self.buttons:
            make_read_only(button, read_only)
        make_read_only(self.minutes, read_only)
        for spin in self.spins.values():
            make_read_only(spin, read_only)

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        if self.spins:
            first_blank = next((s for s in self.spins.values()
                                if s.optional_value() is None), None)
            (first_blank or next(iter(self.spins.values()))).setFocus(
                Qt.FocusReason.OtherFocusReason)
        elif self.buttons:
            self.buttons[0].setFocus(Qt.FocusReason.OtherFocusReason)
