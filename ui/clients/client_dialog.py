"""New and edit client dialogs, with the service's validation shown beside each field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.api import Done
from models.dto import ClientDetail
from models.formatting import date_text
from models.inputs import ClientInput, typed_date, validate_client
from ui.common.dialogs import DiscardGuard, submit_keys
from ui.shell.tasks import TaskRunner, refusal

FIELDS = ("name", "preferred_name", "date_of_birth", "pronouns", "contact",
          "emergency_contact", "diagnoses")


class ClientDialog(QDialog):
    """Add a client (detail=None) or edit one; saves through the task runner."""

    def __init__(
        self,
        runner: TaskRunner,
        *,
        actor_id: int | None,
        detail: ClientDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.actor_id = actor_id
        self.detail = detail
        self.saved: ClientDetail | None = None
        self.setWindowTitle("Edit client" if detail else "New client")
        self.setModal(True)
        self.setMinimumWidth(520)
        self.fields: dict[str, QLineEdit | QPlainTextEdit] = {
            "name": QLineEdit(),
            "preferred_name": QLineEdit(),
            "date_of_birth": QLineEdit(),
            "pronouns": QLineEdit(),
            "contact": QLineEdit(),
            "emergency_contact": QLineEdit(),
            "diagnoses": QPlainTextEdit(),
        }
        self.fields["date_of_birth"].setPlaceholderText("e.g. 21 Mar 1984 (optional)")
        self.fields["pronouns"].setPlaceholderText("e.g. she/her, they/them")
        self.fields["contact"].setPlaceholderText("Phone or email")
        self.fields["emergency_contact"].setPlaceholderText("Name and phone")
        diagnoses = self.fields["diagnoses"]
        assert isinstance(diagnoses, QPlainTextEdit)
        diagnoses.setTabChangesFocus(True)
        diagnoses.setFixedHeight(diagnoses.fontMetrics().lineSpacing() * 3 + 14)
        self.errors: dict[str, QLabel] = {}
        labels = {
            "name": "Name *", "preferred_name": "Preferred name", "date_of_birth":
            "Date of birth", "pronouns": "Pronouns", "contact": "Contact",
            "emergency_contact": "Emergency contact", "diagnoses": "Diagnoses",
        }
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(4)
        for key in FIELDS:
            holder = QVBoxLayout()
            holder.setSpacing(2)
            holder.addWidget(self.fields[key])
            error = QLabel()
            error.setProperty("role", "error")
            error.setWordWrap(True)
            error.hide()
            holder.addWidget(error)
            self.errors[key] = error
            form.addRow(labels[key], holder)
        self.message = QLabel()
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.message.hide()
        note = QLabel("* required")
        note.setProperty("role", "subtle")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert isinstance(save, QPushButton)
        save.setText("Save changes" if detail else "Add client")
        self.save_button = save
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        submit_keys(self, self.submit)
        # A message under a field follows it as it changes, once it has been shown.
        self._live: set[str] = set()
        for key, field in self.fields.items():
            field.textChanged.connect(lambda *_a, k=key: self._edited(k))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        if detail is not None:
            self._fill(detail)
        self.fields["name"].setFocus(Qt.FocusReason.OtherFocusReason)
        self._given = {key: self.text(key) for key in FIELDS}
        self._discard_guard = DiscardGuard(
            self, "Discard what you typed?", self._typed, discard="Discard",
            keep="Keep editing")

    def _typed(self) -> str | None:
        changed = any(self.text(key) != given for key, given in self._given.items())
        return "The client's details you typed here are not saved." if changed else None

    def reject(self) -> None:
        """Escape or Cancel: details typed are not thrown away without asking."""
        self._discard_guard.reject()

    def confirmation(self) -> QMessageBox | None:
        """The open "Discard what you typed?" question, if any."""
        return self._discard_guard.box

    def _fill(self, detail: ClientDetail) -> None:
        for key in FIELDS:
            value: Any = getattr(detail, key)
            text = date_text(value) if isinstance(value, dt.date) else (value or "")
            self._set_text(key, text)

    def _set_text(self, key: str, text: str) -> None:
        field = self.fields[key]
        if isinstance(field, QPlainTextEdit):
            field.setPlainText(text)
        else:
            field.setText(text)
            field.setCursorPosition(0)  # a long name shows its beginning, not its end

    def text(self, key: str) -> str:
        field = self.fields[key]
        return field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()

    def set_text(self, key: str, text: str) -> None:
        self._set_text(key, text)

    def show_problems(self, problems: dict[str, str], *, focus: bool = True) -> None:
        self._live |= set(problems)
        self._show(problems, self.errors)
        unknown = [v for k, v in problems.items() if k not in self.errors]
        self.message.setText(" ".join(unknown))
        self.message.setVisible(bool(unknown))
        self._fit()
        if not focus:
            return
        for key in FIELDS:
            if key in problems:
                self.fields[key].setFocus(Qt.FocusReason.OtherFocusReason)
                break

    def _show(self, problems: dict[str, str], labels: dict[str, QLabel]) -> None:
        for key, label in labels.items():
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)

    def _fit(self) -> None:
        """Grow to show every message whole (a window's minimum height cannot follow a
        wrapped label by itself)."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def _edited(self, key: str) -> None:
        if key in self._live:
            problems = self._check()[1]
            self._show(problems, {key: self.errors[key]})
            self._fit()

    def _check(self) -> tuple[ClientInput, dict[str, str]]:
        today = self.runner.opener.today()
        date_of_birth, date_problem = typed_date(self.text("date_of_birth"), today=today)
        values = {k: self.text(k).strip() for k in FIELDS if k != "date_of_birth"}
        data = ClientInput(date_of_birth=date_of_birth, **values)
        problems = validate_client(data, today=today)
        if date_problem:
            problems["date_of_birth"] = date_problem
        return data, problems

    def submit(self) -> None:
        if not self.save_button.isEnabled():
            return
        data, problems = self._check()
        self.show_problems(problems)
        if problems:
            return
        self.save_button.setEnabled(False)
        actor_id = self.actor_id
        if self.detail is None:
            self.runner.submit(lambda b: b.clients.create(data, actor_id=actor_id),
                               self._saved, self._failed, owner=self)
        else:
            client_id = self.detail.id
            self.runner.submit(lambda b: b.clients.update(client_id, data, actor_id=actor_id),
                               self._saved, self._failed, owner=self)

    def _saved(self, done: Done[ClientDetail]) -> None:
        self.saved = done.value
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        if (problems := refusal(exc)) is not None:
            self.show_problems(problems)
