"""Add a course of care: an intensive retreat or a spaced program."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from models.inputs import CourseInput, validate_course
from models.vocabulary import COURSE_KINDS
from ui.common.dates import DATE_EDIT_FORMAT, RetypeDateEdit, to_qdate
from ui.common.dialogs import submit_keys
from ui.shell.tasks import TaskRunner, refusal


class CourseDialog(QDialog):
    def __init__(self, runner: TaskRunner, client_id: int, *, actor_id: int | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New course of care")
        self.setMinimumWidth(520)
        self.runner = runner
        self.client_id = client_id
        self.actor_id = actor_id
        self.kind = QComboBox()
        for term in COURSE_KINDS:
            self.kind.addItem(f"{term.label} ({term.description})", term.code)
        self.start = RetypeDateEdit(to_qdate(runner.opener.today()))
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat(DATE_EDIT_FORMAT)
        self.goals = QPlainTextEdit()
        self.goals.setPlaceholderText("What the client hopes this course changes")
        self.goals.setFixedHeight(90)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow("Kind", self.kind)
        form.addRow("Starts", self.start)
        form.addRow("Goals", self.goals)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add course")
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        submit_keys(self, self._save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _save(self) -> None:
        start: dt.date = self.start.date().toPython()  # type: ignore[assignment]
        data = CourseInput(self.kind.currentData(), start, None, self.goals.toPlainText())
        problems = validate_course(data)
        if problems:
            self._show(problems)
            return
        client_id, actor_id = self.client_id, self.actor_id
        self.runner.submit(lambda b: b.care.add_course(client_id, data, actor_id=actor_id),
                           lambda _done: self.accept(), self._failed, owner=self)

    def _show(self, problems: Mapping[str, str]) -> None:
        self.error.setText(" ".join(problems.values()))
        self.error.show()

    def _failed(self, exc: Exception) -> None:
        if (problems := refusal(exc)) is not None:
            self._show(problems)
