"""Add a course of care: an intensive retreat or a spaced programme."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from models.errors import ValidationError
from ui.common.dates import DATE_EDIT_FORMAT
from ui.shell.tasks import Changed, TaskRunner, report_unexpected

KINDS = (
    ("intensive", "Intensive retreat (3 to 5 doses a week for 1 to 2 weeks)"),
    ("spaced", "Spaced programme (weekly or fortnightly over months)"),
)


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
        for key, label in KINDS:
            self.kind.addItem(label, key)
        self.start = QDateEdit(QDate.currentDate())
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
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _save(self) -> None:
        add_course = self.runner.services.add_course
        if add_course is None:
            return
        kind = self.kind.currentData()
        start: dt.date = self.start.date().toPython()  # type: ignore[assignment]
        goals = self.goals.toPlainText()
        client_id, actor_id = self.client_id, self.actor_id

        def work(session: Any) -> Any:
            return add_course(session, client_id, kind, start, goals, actor_id=actor_id)

        self.runner.submit(work, lambda _c: self.accept(), self._failed,
                           changes=lambda _c: Changed("client", client_id))

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, ValidationError):
            self.error.setText(" ".join(exc.problems.values()))
            self.error.show()
        else:
            report_unexpected(exc)
