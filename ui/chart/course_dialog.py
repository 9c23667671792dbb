"""Add a course of care (an intensive retreat or a spaced program), or change one: its
kind, its dates, its goals and its integration plan, or end it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.clinical.doses import DEFAULT_PLAN, plan_of
from models.dto import CourseDTO
from models.formatting import date_text
from models.inputs import CourseInput, validate_course_change
from models.vocabulary import COURSE_KINDS, INTEGRATION_MOST
from ui.common.dates import DATE_EDIT_FORMAT, RetypeDateEdit, to_qdate
from ui.common.dialogs import DiscardGuard, submit_keys
from ui.shell.tasks import TaskRunner, refusal


def _date_edit(day: dt.date) -> RetypeDateEdit:
    edit = RetypeDateEdit(to_qdate(day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_EDIT_FORMAT)
    return edit


class CourseDialog(QDialog):
    """A new course for the client, or, given `course`, that course to change."""

    def __init__(self, runner: TaskRunner, client_id: int, *, actor_id: int | None,
                 course: CourseDTO | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit course of care" if course else "New course of care")
        self.setMinimumWidth(520)
        self.runner = runner
        self.client_id = client_id
        self.actor_id = actor_id
        self.course = course
        today = runner.opener.today()
        self.kind = QComboBox()
        for term in COURSE_KINDS:
            self.kind.addItem(f"{term.label} ({term.description})", term.code)
        self.start = _date_edit(course.start_date if course else today)
        # An end already past or one planned ahead (a retreat's last day): "Ends ☑ on".
        self.ended = QCheckBox("on")
        self.ended.setAccessibleName("The course ends on a set day")
        self.end = _date_edit(course.end_date if course and course.end_date
                              else max(today, course.start_date) if course else today)
        self.goals = QPlainTextEdit()
        self.goals.setPlaceholderText("What the client hopes this course changes")
        self.goals.setFixedHeight(90)
        self.goals.setTabChangesFocus(True)  # Tab goes on to the plan, as in every form
        # Its plan: how many integration sessions a dose waits for (What waits, the card).
        plan = plan_of(course) if course else DEFAULT_PLAN
        self.after_first, self.after_each = QSpinBox(), QSpinBox()
        for box, value, name in ((self.after_first, plan.after_first,
                                  "Integration sessions planned after the first dose"),
                                 (self.after_each, plan.after_each,
                                  "Integration sessions planned after each later dose")):
            box.setRange(0, INTEGRATION_MOST)
            box.setValue(value)
            box.setAccessibleName(name)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow("Kind", self.kind)
        form.addRow("Starts", self.start)
        # A new course may be given its end too: a retreat's last day is known ahead.
        ends = QHBoxLayout()
        ends.addWidget(self.ended)
        ends.addWidget(self.end, 1)
        form.addRow("Ends", ends)
        if course is not None:
            self.kind.setCurrentIndex(max(0, self.kind.findData(course.kind)))
            self.goals.setPlainText(course.goals)
            self.ended.setChecked(course.end_date is not None)
            doses = self._doses()
            if doses:
                held = QLabel(f"It holds {len(doses)} dosing session"
                              f"{'' if len(doses) == 1 else 's'}, from "
                              f"{date_text(doses[0][1])} to {date_text(doses[-1][1])}: "
                              "its dates must include them.")
                held.setProperty("role", "subtle")
                held.setWordWrap(True)
                form.addRow("", held)
        self.end.setEnabled(self.ended.isChecked())
        self.ended.toggled.connect(self.end.setEnabled)
        form.addRow("Goals", self.goals)
        planned = QHBoxLayout()
        for box, words in ((self.after_first, "after the first dose,"),
                           (self.after_each, "after each later dose")):
            planned.addWidget(box)
            planned.addWidget(QLabel(words))
        planned.addStretch(1)
        form.addRow("Integration sessions", planned)
        why = QLabel("A dose waits in What waits until these are held, the next dose is "
                     f"given or the course ends. Unless you set otherwise: "
                     f"{DEFAULT_PLAN.after_first} after the first dose, "
                     f"{DEFAULT_PLAN.after_each} after each later one.")
        why.setProperty("role", "subtle")
        why.setWordWrap(True)
        form.addRow("", why)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            "Save changes" if course else "Add course")
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        submit_keys(self, self._save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._given = self.data()
        self._discard_guard = DiscardGuard(
            self, "Discard what you typed?", self._typed, discard="Discard",
            keep="Keep editing")

    def _typed(self) -> str | None:
        changed = self.data() != self._given
        return "The course's details you set here are not saved." if changed else None

    def reject(self) -> None:
        """Escape or Cancel: what was set is not thrown away without asking."""
        self._discard_guard.reject()

    def confirmation(self) -> QMessageBox | None:
        """The open "Discard what you typed?" question, if any."""
        return self._discard_guard.box

    def _doses(self) -> list[tuple[int, dt.date]]:
        """The course's dosing sessions as (number, date), earliest first."""
        if self.course is None:
            return []
        return sorted(((d.number, d.session_date) for d in self.course.dosing_sessions),
                      key=lambda dose: (dose[1], dose[0]))

    def data(self) -> CourseInput:
        """The course as the form has it."""
        start: dt.date = self.start.date().toPython()  # type: ignore[assignment]
        end: dt.date | None = (self.end.date().toPython()  # type: ignore[assignment]
                               if self.ended.isChecked() else None)
        return CourseInput(self.kind.currentData(), start, end, self.goals.toPlainText(),
                           self.after_first.value(), self.after_each.value())

    def _save(self) -> None:
        data = self.data()
        # The backend's rule, checked here first: the dates hold the course's doses.
        problems = validate_course_change(data, self._doses())
        if problems:
            self._show(problems)
            return
        actor_id = self.actor_id
        if self.course is not None:
            course_id = self.course.id
            self.runner.submit(
                lambda b: b.care.update_course(course_id, data, actor_id=actor_id),
                lambda _done: self.accept(), self._failed, owner=self)
            return
        client_id = self.client_id
        self.runner.submit(lambda b: b.care.add_course(client_id, data, actor_id=actor_id),
                           lambda _done: self.accept(), self._failed, owner=self)

    def _show(self, problems: Mapping[str, str]) -> None:
        self.error.setText(" ".join(problems.values()))
        self.error.show()

    def _failed(self, exc: Exception) -> None:
        if (problems := refusal(exc)) is not None:
            self._show(problems)
