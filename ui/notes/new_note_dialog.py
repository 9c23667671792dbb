"""Start a note: choose its template, its session date and the dosing session it follows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from models.clinical.carry import carried_values, carry_source
from models.clinical.doses import NO_DOSE, dose_labels, dose_line, follows_a_dose
from models.dto import CourseDTO, NoteDTO
from models.formatting import date_text
from models.templates.definitions import Template
from models.templates.loading import load_templates
from models.vocabulary import MODALITIES
from ui.common.dates import DATE_EDIT_FORMAT, RetypeDateEdit, to_qdate
from ui.common.dialogs import fit_to_text, submit_keys
from ui.common.style import repolish

__all__ = ["NewNoteChoice", "NewNoteDialog"]

DESCRIPTION_WIDTH: Final = 600


@dataclass(frozen=True)
class NewNoteChoice:
    """What the therapist chose: pass it to notes.create_note."""

    template_id: str
    session_date: dt.date
    dosing_session_id: int | None
    carry_forward: bool = False  # start from the last signed note of this kind


class _Description(QLabel):
    """A template's description under its radio button; clicking it picks the template."""

    def __init__(self, text: str, button: QRadioButton, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._button = button
        self.setWordWrap(True)
        self.setProperty("role", "subtle")
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._button.setChecked(True)
        self._button.setFocus(Qt.FocusReason.MouseFocusReason)
        event.accept()


class NewNoteDialog(QDialog):
    """Which template, which day, and (for integration notes) which dose it follows."""

    def __init__(
        self,
        courses: Sequence[CourseDTO],
        *,
        today: dt.date,
        templates: Sequence[Template] | None = None,
        template_id: str | None = None,
        notes: Sequence[NoteDTO] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New note")
        self.setMinimumWidth(DESCRIPTION_WIDTH + 60)
        fit_to_text(self)
        self._templates = list(templates if templates is not None
                               else load_templates().all_latest())
        # Newest first: the dose a note most likely follows is at the top.
        self._dosing = sorted((d for c in courses for d in c.dosing_sessions),
                              key=lambda d: (d.session_date, d.number, d.id), reverse=True)
        self._labels = dose_labels(courses)
        self._dosing_touched = False
        self._notes = tuple(notes)

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        heading = QLabel("New note", self)
        heading.setProperty("role", "heading")
        layout.addWidget(heading)

        choices = QFrame(self)
        choices.setProperty("role", "card")
        grid = QGridLayout(choices)
        grid.setContentsMargins(14, 10, 14, 12)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self.template_group = QButtonGroup(self)
        self.template_buttons: dict[str, QRadioButton] = {}
        row = 0
        for index, template in enumerate(self._templates):
            button = QRadioButton(template.title, choices)
            font = button.font()
            font.setBold(True)
            button.setFont(font)
            button.setObjectName(f"template_{template.id}")
            self.template_group.addButton(button, index)
            self.template_buttons[template.id] = button
            description = _Description(template.description, button, choices)
            description.setContentsMargins(24, 0, 0, 8)
            # A wrapped label in a dialog gets the height of its unwrapped guess; give it
            # the height its text needs at the width it will have.
            description.setFixedWidth(DESCRIPTION_WIDTH)
            description.setMinimumHeight(description.heightForWidth(DESCRIPTION_WIDTH))
            grid.addWidget(button, row, 0)
            grid.addWidget(description, row + 1, 0)
            row += 2
        layout.addWidget(choices)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.date_edit = RetypeDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(DATE_EDIT_FORMAT)
        self.date_edit.setDate(to_qdate(today))
        self.date_edit.setFixedWidth(170)
        self.dosing_combo = QComboBox(self)
        # Wide enough for a whole line ("C2 D5 · Sublingual / buccal lozenge, 400 mg
        # (4.54 mg/kg) · 1 Dec 2026 · the same day"): the days since the dose came last
        # and were cut off. Under its label when the row would not hold both.
        self.dosing_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.dosing_label = QLabel("Follows &dosing session", self)
        self.dosing_label.setBuddy(self.dosing_combo)
        date_label = QLabel("Session &date", self)
        date_label.setBuddy(self.date_edit)
        form.addRow(date_label, self.date_edit)
        form.addRow(self.dosing_label, self.dosing_combo)
        layout.addLayout(form)
        self.dosing_hint = QLabel(self)
        self.dosing_hint.setProperty("role", "subtle")
        self.dosing_hint.setWordWrap(True)
        layout.addWidget(self.dosing_hint)
        # Carry forward: what is still being worked comes over, marked until edited.
        self.carry_check = QCheckBox(self)
        self.carry_check.setChecked(True)
        self.carry_hint = QLabel(self)
        self.carry_hint.setProperty("role", "subtle")
        self.carry_hint.setWordWrap(True)
        self.carry_hint.setContentsMargins(24, 0, 0, 0)
        layout.addWidget(self.carry_check)
        layout.addWidget(self.carry_hint)

        self.buttons = QDialogButtonBox(self)
        self.create_button = self.buttons.addButton(
            "Create note", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setProperty("role", "primary")
        repolish(self.create_button)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        submit_keys(self, self._submit)

        self.template_group.idToggled.connect(self._template_toggled)
        self.date_edit.dateChanged.connect(lambda _d: self._date_changed())
        self.dosing_combo.activated.connect(self._dosing_chosen)
        self._fill_dosing()
        first = template_id if template_id in self.template_buttons else (
            self._templates[0].id if self._templates else None)
        if first is not None:
            self.template_buttons[first].setChecked(True)
            self.template_buttons[first].setFocus()
        self._template_changed()

    # -- reading --------------------------------------------------------------------------

    def template_id(self) -> str | None:
        index = self.template_group.checkedId()
        return self._templates[index].id if index >= 0 else None

    def session_date(self) -> dt.date:
        date = self.date_edit.date()
        return dt.date(date.year(), date.month(), date.day())

    def dosing_session_id(self) -> int | None:
        if not follows_a_dose(self.template_id() or ""):
            return None
        data = self.dosing_combo.currentData()
        return data if isinstance(data, int) else None

    def carry_source(self) -> NoteDTO | None:
        """The note a new one of the chosen kind would start from, if any."""
        template = self._template()
        if template is None or not template.carry_forward:
            return None
        source = carry_source(self._notes, template.id, self.session_date())
        return source if source is not None and carried_values(template, source) else None

    def choice(self) -> NewNoteChoice:
        template_id = self.template_id()
        if template_id is None:
            raise ValueError("No template is chosen")
        carry = self.carry_check.isChecked() and self.carry_source() is not None
        return NewNoteChoice(template_id, self.session_date(), self.dosing_session_id(), carry)

    def _template(self) -> Template | None:
        index = self.template_group.checkedId()
        return self._templates[index] if index >= 0 else None

    def _submit(self) -> None:
        if self.create_button.isEnabled():
            self.accept()

    # -- reacting -------------------------------------------------------------------------

    def _template_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self._template_changed()

    def _date_changed(self) -> None:
        self._fill_dosing()
        self._show_carry()

    def _show_carry(self) -> None:
        template, source = self._template(), self.carry_source()
        shown = template is not None and source is not None
        self.carry_check.setVisible(shown)
        self.carry_hint.setVisible(shown)
        if template is None or source is None:
            return
        labels = [template.field(name).label.lower() if index else template.field(name).label
                  for index, name in enumerate(carried_values(template, source))]
        kind = MODALITIES.label(template.id)
        kind = kind if kind.isupper() else kind.lower()  # "EMDR", "general integration"
        self.carry_check.setText(f"Start from the last signed {kind} note "
                                 f"({date_text(source.session_date)})")
        self.carry_hint.setText(f"Brings over: {', '.join(labels)}. Each is marked in the "
                                "new note until you edit it; ratings and risk answers never "
                                "come over.")

    def _template_changed(self) -> None:
        self._show_carry()
        template_id = self.template_id()
        integration = follows_a_dose(template_id or "")
        self.dosing_label.setVisible(integration)
        self.dosing_combo.setVisible(integration)
        self.create_button.setEnabled(template_id is not None)
        if template_id == "dosing":
            self.dosing_hint.setText(
                "A new dosing session record is opened with this note; its figures are "
                "filed when the note is signed.")
        elif template_id == "preparation":
            self.dosing_hint.setText("Preparation comes before dosing; it follows no dose.")
        elif integration and not self._dosing:
            self.dosing_hint.setText("This client has no dosing sessions recorded yet.")
        else:
            self.dosing_hint.setText("")
        self.dosing_hint.setVisible(bool(self.dosing_hint.text()))

    def _dosing_chosen(self, _index: int) -> None:
        self._dosing_touched = True

    def _fill_dosing(self) -> None:
        """(Re)label the doses with their days from the chosen date; unless the person
        picked one, preselect the most recent dose on or before that date."""
        day = self.session_date()
        current = self.dosing_combo.currentData()
        self.dosing_combo.clear()
        self.dosing_combo.addItem(NO_DOSE, None)
        for dosing in self._dosing:
            self.dosing_combo.addItem(dose_line(self._labels[dosing.id], dosing, day), dosing.id)
        if self._dosing_touched:
            wanted = current
        else:
            latest = next((d for d in self._dosing if d.session_date <= day), None)
            wanted = latest.id if latest is not None else None
        index = self.dosing_combo.findData(wanted) if wanted is not None else 0
        self.dosing_combo.setCurrentIndex(max(index, 0))
