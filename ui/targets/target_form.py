"""A target's definition as an editable form, checked as it is typed (models.inputs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.dto import PartDTO, TargetDTO
from models.inputs import TargetInput, validate_target
from models.vocabulary import (
    PART_TYPES,
    TARGET_FIELDS,
    TARGET_FOUND_BY,
    TARGET_KINDS,
    TARGET_PRONGS,
    TARGET_STATUSES,
    VOC_TARGET_KINDS,
)
from ui.common.dates import DATE_EDIT_FORMAT, to_qdate
from ui.common.inert import make_read_only

NO_RATING = "—"
# Fields that share a row with another: their problems show under that row.
_ROW_OF = {"prong": "kind", "touchstone": "kind", "identified_on": "status",
           "baseline_voc": "baseline_sud"}


def _combo(choices: Sequence[tuple[object, str]]) -> QComboBox:
    combo = QComboBox()
    for value, label in choices:
        combo.addItem(label, value)
    return combo


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))


def _rating_spin(low: int, high: int) -> QSpinBox:
    """A rating that may be missing: the value below the range shows as a dash."""
    spin = QSpinBox()
    spin.setRange(low - 1, high)
    spin.setSpecialValueText(NO_RATING)
    spin.setValue(low - 1)
    spin.setMinimumWidth(64)
    return spin


class TargetForm(QWidget):
    """Every field the notes know of a target; `changed` fires on any edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLineEdit()
        self.label.setPlaceholderText("De-identified wording is fine")
        self.kind = _combo(TARGET_KINDS.choices())
        self.prong = _combo(TARGET_PRONGS.choices())
        self.touchstone = QCheckBox("Touchstone")
        self.touchstone.setToolTip("The earliest memory the present problem links back to")
        self.status = _combo(TARGET_STATUSES.choices())
        for index, term in enumerate(TARGET_STATUSES):
            self.status.setItemData(index, term.description, Qt.ItemDataRole.ToolTipRole)
        self.identified_on = QDateEdit()
        self.identified_on.setDisplayFormat(DATE_EDIT_FORMAT)
        self.identified_on.setCalendarPopup(True)
        self.part = QComboBox()
        self.found_by = _combo([("", NO_RATING), *TARGET_FOUND_BY.choices()])
        self.image = QPlainTextEdit()
        self.image.setTabChangesFocus(True)
        self.image.setFixedHeight(self.image.fontMetrics().lineSpacing() * 2 + 14)
        self.image.setPlaceholderText("The worst part, as the client sees it now")
        self.negative_cognition = QLineEdit()
        self.negative_cognition.setPlaceholderText("I am …")
        self.positive_cognition = QLineEdit()
        self.positive_cognition.setPlaceholderText("I am …")
        self.emotions = QLineEdit()
        self.body_location = QLineEdit()
        self.baseline_sud = _rating_spin(0, 10)
        self.baseline_voc = _rating_spin(1, 7)
        self.errors: dict[str, QLabel] = {}
        self._lines = (self.label, self.negative_cognition, self.positive_cognition,
                       self.emotions, self.body_location)  # the one-line texts

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # Beside the chart in a narrow window (1024 wide), a row too long to sit beside
        # its label goes under it rather than past the pane's edge, cut off.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setVerticalSpacing(5)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        def row(name: str, *widgets: QWidget, label: str | None = None) -> None:
            holder = QVBoxLayout()
            holder.setSpacing(2)
            line = QHBoxLayout()
            line.setSpacing(8)
            for widget in widgets:
                line.addWidget(widget, 1 if isinstance(widget, QLineEdit | QComboBox) else 0)
            if len(widgets) > 1:
                line.addStretch(1)
            holder.addLayout(line)
            error = QLabel()
            error.setProperty("role", "error")
            error.setWordWrap(True)
            error.hide()
            holder.addWidget(error)
            self.errors[name] = error
            form.addRow(label or TARGET_FIELDS.label(name), holder)

        row("label", self.label, label="Label *")
        row("kind", self.kind, self.prong, self.touchstone, label="Kind")
        row("status", self.status, QLabel("identified"), self.identified_on)
        row("part_id", self.part, label="Carried by")
        row("found_by", self.found_by)
        row("image", self.image)
        row("negative_cognition", self.negative_cognition)
        row("positive_cognition", self.positive_cognition)
        row("emotions", self.emotions)
        row("body_location", self.body_location)
        self.voc_label = QLabel("VoC")
        row("baseline_sud", self.baseline_sud, self.voc_label, self.baseline_voc,
            label="Baseline SUD")

        for edit in self._lines:
            edit.textEdited.connect(self._edited)
        self.image.textChanged.connect(self._edited_if_focused)
        for combo in (self.kind, self.prong, self.status, self.part, self.found_by):
            combo.activated.connect(self._edited)
        self.kind.currentIndexChanged.connect(lambda _i: self._show_voc())
        self.touchstone.toggled.connect(self._edited)
        for spin in (self.baseline_sud, self.baseline_voc):
            spin.valueChanged.connect(self._edited)
        self.identified_on.dateChanged.connect(self._edited)
        self._filling = False

    # -- filling and reading ----------------------------------------------------------------

    def set_parts(self, parts: Sequence[PartDTO], current: int | None) -> None:
        """The client's parts on the map (and the one linked now, even if it is not)."""
        self.part.clear()
        self.part.addItem("No part", None)
        for part in parts:
            if part.on_map or part.id == current:
                suffix = "" if part.on_map else " (taken off the map)"
                self.part.addItem(f"{part.name} ({PART_TYPES.label(part.part_type).lower()})"
                                  + suffix, part.id)
        if current is not None and self.part.findData(current) < 0:
            self.part.addItem(f"Part #{current}", current)
        _select(self.part, current)

    def fill(self, target: TargetDTO | None, today: dt.date) -> None:
        """Show a target's definition, or an empty form for a new one."""
        self._filling = True
        try:
            self.label.setText(target.label if target else "")
            _select(self.kind, target.kind if target else "emdr")
            _select(self.prong, target.prong if target else "past")
            self.touchstone.setChecked(bool(target and target.touchstone))
            _select(self.status, target.status if target else "identified")
            self.identified_on.setDate(to_qdate(target.identified_on if target else today))
            _select(self.found_by, target.found_by if target else "")
            self.image.setPlainText(target.image if target else "")
            self.negative_cognition.setText(target.negative_cognition if target else "")
            self.positive_cognition.setText(target.positive_cognition if target else "")
            self.emotions.setText(target.emotions if target else "")
            self.body_location.setText(target.body_location if target else "")
            sud = target.baseline_sud if target else None
            voc = target.baseline_voc if target else None
            self.baseline_sud.setValue(-1 if sud is None else sud)
            self.baseline_voc.setValue(0 if voc is None else voc)
            for edit in self._lines:
                edit.setCursorPosition(0)  # a long text shows its beginning, not its end
            self.show_problems({})
            self._show_voc()
        finally:
            self._filling = False

    def _show_voc(self) -> None:
        """A baseline VoC is asked of the kinds rated by VoC (an ART scene is rated by SUD
        alone); one on record is shown whatever the kind, never hidden."""
        shown = (self.kind.currentData() in VOC_TARGET_KINDS
                 or self.baseline_voc.value() >= 1)
        self.voc_label.setVisible(shown)
        self.baseline_voc.setVisible(shown)

    def value(self) -> TargetInput:
        sud, voc = self.baseline_sud.value(), self.baseline_voc.value()
        date: QDate = self.identified_on.date()
        return TargetInput(
            label=self.label.text().strip(),
            kind=self.kind.currentData(),
            prong=self.prong.currentData(),
            touchstone=self.touchstone.isChecked(),
            found_by=self.found_by.currentData() or "",
            image=self.image.toPlainText().strip(),
            negative_cognition=self.negative_cognition.text().strip(),
            positive_cognition=self.positive_cognition.text().strip(),
            emotions=self.emotions.text().strip(),
            body_location=self.body_location.text().strip(),
            baseline_sud=None if sud < 0 else sud,
            baseline_voc=None if voc < 1 else voc,
            status=self.status.currentData(),
            part_id=self.part.currentData(),
            identified_on=dt.date(date.year(), date.month(), date.day()),
        )

    def check(self) -> dict[str, str]:
        """Check what is typed now (the service checks it again) and show the problems."""
        problems = validate_target(self.value())
        self.show_problems(problems)
        return problems

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each problem under the row of its field (an unknown field under the label)."""
        shown: dict[str, list[str]] = {name: [] for name in self.errors}
        for key, message in problems.items():
            row = _ROW_OF.get(key, key)
            shown["label" if row not in shown else row].append(message)
        for name, messages in shown.items():
            self.errors[name].setText(" ".join(messages))
            self.errors[name].setVisible(bool(messages))

    def set_read_only(self, read_only: bool) -> None:
        """Readable, selectable text and no input (a vault open read-only)."""
        for edit in self._lines:
            edit.setReadOnly(read_only)
        self.image.setReadOnly(read_only)
        for control in (self.kind, self.prong, self.touchstone, self.status,
                        self.identified_on, self.part, self.found_by, self.baseline_sud,
                        self.baseline_voc):
            make_read_only(control, read_only)

    def _edited(self, *_args: object) -> None:
        if not self._filling:
            self.check()
            self.changed.emit()

    def _edited_if_focused(self) -> None:
        if self.image.hasFocus():
            self._edited()
