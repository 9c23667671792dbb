"""The parts map's dialogs: a part's whole description, and a relation between two parts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.clinical.parts_map import part_type_problem
from models.dto import PartDTO, PartRelationDTO
from models.inputs import PartInput, relation_problems, validate_part
from models.vocabulary import DIRECTED_RELATIONS, PART_RELATIONS, PART_STATUSES, PART_TYPES
from ui.common.dates import DATE_EDIT_FORMAT, to_qdate
from ui.common.dialogs import submit_keys

_TEXTS = ("age_appearance", "body_location", "role", "fears", "burdens_personal",
          "burdens_legacy")
_LABELS = {
    "name": "Name *", "part_type": "Type", "status": "Status",
    "age_appearance": "Age or appearance", "body_location": "Where in the body",
    "role": "Role, its job", "fears": "What it fears", "burdens_personal": "Burdens, personal",
    "burdens_legacy": "Burdens, legacy", "trust_in_self": "Trust in Self",
    "first_seen": "First seen",
}


def _error() -> QLabel:
    label = QLabel()
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.hide()
    return label


class PartDialog(QDialog):
    """Add a part (part=None) or edit one: every field of the registry, checked as typed.
    A new status is kept in the part's history, by hand."""

    def __init__(self, part: PartDTO | None, *, today: dt.date,
                 relations: Sequence[PartRelationDTO] = (),
                 parts: Mapping[int, PartDTO] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.part = part
        # The record's relations and parts (those off the map too): a new type must still
        # fit the part's relations.
        self.relations, self.parts = tuple(relations), dict(parts or {})
        # No part's name in a title: a window title reaches the window manager.
        self.setWindowTitle("Edit a part" if part else "Add a part")
        self.setMinimumWidth(480)
        self.name = QLineEdit(part.name if part else "")
        self.name.setPlaceholderText("In the client's words, if they have a name for it")
        self.part_type = QComboBox()
        for code, label in PART_TYPES.choices():
            self.part_type.addItem(label, code)
        for index, term in enumerate(PART_TYPES):
            self.part_type.setItemData(index, term.description, Qt.ItemDataRole.ToolTipRole)
        self.status = QComboBox()
        for code, label in PART_STATUSES.choices():
            self.status.addItem(label, code)
        self.texts: dict[str, QLineEdit | QPlainTextEdit] = {}
        for key in _TEXTS:
            edit: QLineEdit | QPlainTextEdit
            if key.startswith("burdens") or key == "fears":
                edit = QPlainTextEdit(getattr(part, key) if part else "")
                edit.setTabChangesFocus(True)
                edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 2 + 14)
            else:
                edit = QLineEdit(getattr(part, key) if part else "")
            self.texts[key] = edit
        self.trust = QSpinBox()
        self.trust.setRange(-1, 10)
        self.trust.setSpecialValueText("—")
        self.trust.setSuffix(" / 10")
        self.trust.setValue(part.trust_in_self if part and part.trust_in_self is not None
                            else -1)
        self.first_seen = QDateEdit(to_qdate(part.first_seen if part else today))
        self.first_seen.setDisplayFormat(DATE_EDIT_FORMAT)
        self.first_seen.setCalendarPopup(True)
        if part is not None:
            self.part_type.setCurrentIndex(max(0, self.part_type.findData(part.part_type)))
            self.status.setCurrentIndex(max(0, self.status.findData(part.status)))
        self.errors = {key: _error() for key in ("name", "part_type", "status",
                                                 "trust_in_self", "")}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(5)
        rows: list[tuple[str, QWidget]] = [
            ("name", self.name), ("part_type", self.part_type), ("status", self.status),
            *((key, self.texts[key]) for key in _TEXTS),
            ("trust_in_self", self.trust), ("first_seen", self.first_seen),
        ]
        for key, widget in rows:
            holder = QVBoxLayout()
            holder.setSpacing(2)
            holder.addWidget(widget)
            if key in self.errors:
                holder.addWidget(self.errors[key])
            form.addRow(_LABELS[key], holder)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert isinstance(save, QPushButton)
        save.setText("Save changes" if part else "Add to the map")
        self.save_button = save
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors[""])
        layout.addWidget(self.buttons)
        self.name.textEdited.connect(lambda _t: self.check())
        self.part_type.currentIndexChanged.connect(lambda _i: self.check())
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)
        self.save_button.setEnabled(bool(self.name.text().strip()))
        submit_keys(self, self.accept)

    def value(self) -> PartInput:
        def text(key: str) -> str:
            edit = self.texts[key]
            return (edit.toPlainText() if isinstance(edit, QPlainTextEdit)
                    else edit.text()).strip()

        date = self.first_seen.date()
        part = self.part
        return PartInput(
            name=self.name.text().strip(), part_type=self.part_type.currentData(),
            status=self.status.currentData(),
            trust_in_self=None if self.trust.value() < 0 else self.trust.value(),
            first_seen=dt.date(date.year(), date.month(), date.day()),
            map_x=part.map_x if part else None, map_y=part.map_y if part else None,
            **{key: text(key) for key in _TEXTS})

    def show_problems(self, problems: dict[str, str]) -> None:
        for key, label in self.errors.items():
            message = problems.get(key, "") if key else " ".join(
                v for k, v in problems.items() if k not in self.errors)
            label.setText(message)
            label.setVisible(bool(message))

    def check(self) -> dict[str, str]:
        value = self.value()
        problems = validate_part(value)
        if not problems and self.part is not None and value.part_type != self.part.part_type:
            problem = part_type_problem(
                self.part.id, value.part_type, self.relations, self.parts,
                off_map={pid for pid, p in self.parts.items() if not p.on_map})
            if problem:
                problems["part_type"] = problem
        self.show_problems(problems)
        self.save_button.setEnabled(not problems)
        return problems

    def accept(self) -> None:
        if not self.check():
            super().accept()


def part_input(part: PartDTO) -> PartInput:
    """What the dialog would save for a part as it is: the other half of an edit's undo."""
    return PartInput(
        name=part.name, part_type=part.part_type, age_appearance=part.age_appearance,
        body_location=part.body_location, role=part.role, fears=part.fears,
        burdens_personal=part.burdens_personal, burdens_legacy=part.burdens_legacy,
        trust_in_self=part.trust_in_self, status=part.status, first_seen=part.first_seen,
        map_x=part.map_x, map_y=part.map_y)


class RelationDialog(QDialog):
    """Connect two parts: the kind, and which part protects which (the keyboard's way to
    do what a Shift-drag does)."""

    def __init__(self, parts: Sequence[PartDTO], *, kind: str = "protects",
                 from_part: int | None = None, to_part: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect two parts")
        self.setMinimumWidth(420)
        self.kind = QComboBox()
        for index, term in enumerate(PART_RELATIONS):
            self.kind.addItem(f"{term.label}: {term.description}", term.code)
            self.kind.setItemData(index, term.description, Qt.ItemDataRole.ToolTipRole)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.parts = {p.id: p for p in parts}
        self.first, self.second = QComboBox(), QComboBox()
        for combo in (self.first, self.second):
            for part in sorted(parts, key=lambda p: p.name.casefold()):
                combo.addItem(f"{part.name} ({PART_TYPES.label(part.part_type).lower()})",
                              part.id)
        if from_part is not None:
            self.first.setCurrentIndex(max(0, self.first.findData(from_part)))
        if to_part is not None:
            self.second.setCurrentIndex(max(0, self.second.findData(to_part)))
        elif self.second.count() > 1 and self.second.currentData() == self.first.currentData():
            self.second.setCurrentIndex(1)
        self.first_label, self.second_label = QLabel(), QLabel()
        self.first_label.setBuddy(self.first)  # its & key chooses the part (Alt+P, Alt+B)
        self.second_label.setBuddy(self.second)
        self.error = _error()
        form = QFormLayout()
        form.addRow("&Kind", self.kind)
        form.addRow(self.first_label, self.first)
        form.addRow(self.second_label, self.second)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert isinstance(ok, QPushButton)
        ok.setText("Connect")
        self.ok = ok
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        for combo in (self.kind, self.first, self.second):
            combo.currentIndexChanged.connect(lambda _i: self.check())
        self.check()
        submit_keys(self, self.accept)

    def value(self) -> tuple[str, int | None, int | None]:
        return self.kind.currentData(), self.first.currentData(), self.second.currentData()

    def check(self) -> dict[str, str]:
        kind, first, second = self.value()
        directed = kind in DIRECTED_RELATIONS
        self.first_label.setText("&Protector" if directed else "&Between")
        self.second_label.setText("Protects" if directed else "and")
        problems = relation_problems(kind, first, second, self.parts)
        self.error.setText(" ".join(problems.values()))
        self.error.setVisible(bool(problems))
        self.ok.setEnabled(not problems)
        return problems

    def accept(self) -> None:
        if not self.check():
            super().accept()
