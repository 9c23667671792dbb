"""Define a custom measure, a single number of the clinician's own with its range, or
change one already defined."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.api import Done
from models.inputs import CustomMeasureInput, validate_custom_measure
from models.instruments.definitions import Direction, Instrument
from ui.common.dialogs import fit_to_text, submit_keys
from ui.shell.tasks import TaskRunner, refusal


class CustomMeasureDialog(QDialog):
    """Define a single-number measure of the clinician's own (name, range, direction), or
    change one (`editing`): its range only as far as the values recorded with it allow,
    which the backend checks (models.inputs.validate_custom_measure_change)."""

    created = Signal(object)  # the Instrument as defined or changed

    def __init__(
        self,
        runner: TaskRunner,
        *,
        actor_id: int | None = None,
        editing: Instrument | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.actor_id = actor_id
        self.editing = editing
        self.instrument: Instrument | None = None
        self.setWindowTitle("Edit custom measure" if editing else "New custom measure")
        self.setModal(True)
        self.setMinimumWidth(500)
        intro = QLabel("A single number you rate for anything the standard measures do not "
                       "cover, such as a daily craving or pain rating. It has no severity "
                       "bands. Give a reliable-change threshold only if you have a published "
                       "figure; without one, change is shown but not labelled.")
        intro.setWordWrap(True)
        intro.setProperty("role", "subtle")
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Craving (0–10)")
        self.name.setAccessibleName("Name")
        self.lowest = QSpinBox()
        self.lowest.setRange(-1000, 1000)
        self.lowest.setValue(0)
        self.lowest.setAccessibleName("Lowest value")
        self.highest = QSpinBox()
        self.highest.setRange(-1000, 1000)
        self.highest.setValue(10)
        self.highest.setAccessibleName("Highest value")
        self.lower_better = QRadioButton("Lower is better (e.g. craving, pain, distress)")
        self.higher_better = QRadioButton("Higher is better (e.g. mood, sleep quality)")
        self.lower_better.setChecked(True)
        self.reliable = QDoubleSpinBox()
        self.reliable.setRange(0, 1000)
        self.reliable.setDecimals(1)
        self.reliable.setSingleStep(0.5)
        self.reliable.setSpecialValueText("None")
        self.reliable.setSuffix(" points")
        self.reliable.setAccessibleName("Reliable change threshold")
        self.errors: dict[str, QLabel] = {}

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        range_row = QHBoxLayout()
        range_row.addWidget(QLabel("from"))
        range_row.addWidget(self.lowest)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.highest)
        range_row.addStretch(1)
        direction = QVBoxLayout()
        direction.addWidget(self.lower_better)
        direction.addWidget(self.higher_better)
        for key, label, field in (
            ("name", "Name *", self.name),
            ("max_value", "Range", range_row),
            ("direction", "Direction", direction),
            ("reliable_change", "Reliable change", self.reliable),
        ):
            box = QVBoxLayout()
            box.setSpacing(2)
            if isinstance(field, QWidget):
                box.addWidget(field)
            else:
                box.addLayout(field)
            error = QLabel()
            error.setProperty("role", "error")
            error.setWordWrap(True)
            error.hide()
            self.errors[key] = error
            box.addWidget(error)
            form.addRow(label, box)
        self.general_error = QLabel()
        self.general_error.setProperty("role", "error")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        buttons = QDialogButtonBox()
        self.create_button = buttons.addButton(
            "Save changes" if editing else "Create measure",
            QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setProperty("role", "primary")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.create_button.clicked.connect(self.create_measure)
        buttons.rejected.connect(self.reject)
        submit_keys(self, self.create_measure)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        fit_to_text(self)  # a message under a field makes the dialog taller, not cramped
        if editing is not None:
            intro.setText("Charts, tables and reports read every value already recorded with "
                          "this measure as it is defined here. The range must still hold "
                          "those values. Each change is kept in the audit trail.")
            self._fill(editing)

    def _fill(self, instrument: Instrument) -> None:
        [item] = instrument.items
        self.name.setText(instrument.title)
        self.lowest.setValue(item.min_value)
        self.highest.setValue(item.max_value)
        higher = instrument.direction == Direction.HIGHER_IS_BETTER
        self.higher_better.setChecked(higher)
        self.lower_better.setChecked(not higher)
        change = instrument.reliable_change
        self.reliable.setValue(change.points if change is not None else 0)

    def create_measure(self) -> None:
        """Check the form, then create the measure through the runner."""
        for label in self.errors.values():
            label.hide()
        self.general_error.hide()
        data = CustomMeasureInput(self.name.text().strip(), self.lowest.value(),
                                  self.highest.value(), self.higher_better.isChecked(),
                                  self.reliable.value() or None)
        problems = validate_custom_measure(data)
        if problems:
            self._show(problems)
            return
        actor_id, editing = self.actor_id, self.editing
        self.create_button.setEnabled(False)
        if editing is not None:
            key = editing.id
            self.runner.submit(lambda b: b.measures.update_custom(key, data, actor_id=actor_id),
                               self._created, self._failed, owner=self)
            return
        self.runner.submit(lambda b: b.measures.create_custom(data, actor_id=actor_id),
                           self._created, self._failed, owner=self)

    def _created(self, done: Done[Instrument]) -> None:
        instrument = done.value
        self.create_button.setEnabled(True)
        self.instrument = instrument
        self.created.emit(instrument)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.create_button.setEnabled(True)
        if (problems := refusal(exc)) is not None:
            self._show(problems)

    def _show(self, problems: Mapping[str, str]) -> None:
        for key, text in problems.items():
            label = self.errors.get(key)
            if label is None:
                self.general_error.setText(text)
                self.general_error.show()
            else:
                label.setText(text)
                label.show()
