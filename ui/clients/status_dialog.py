"""Discharge a client, or take a discharged client back into care: the day and the reason."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.api import Done
from models.dto import ClientDetail
from models.formatting import date_text
from models.inputs import StatusChangeInput, validate_status_change
from ui.common.dates import DATE_EDIT_FORMAT, RetypeDateEdit, to_qdate
from ui.common.dialogs import fit_to_text, submit_keys
from ui.shell.tasks import TaskRunner, refusal

# Said before a discharge when something waits in the record: a discharge closes none of it.
STILL_OPEN = ("Still open in this record: {waiting}. Discharging does not close it: it stays "
              "under What waits (View menu) until it is done.")


class StatusChangeDialog(QDialog):
    """Discharge an active client or reactivate a discharged one; saved through the runner.

    The date and reason are checked as they change (models.inputs.validate_status_change,
    which the backend applies again)."""

    def __init__(self, runner: TaskRunner, client: ClientDetail, *, actor_id: int | None,
                 waiting: str = "", parent: QWidget | None = None) -> None:
        """`waiting`: what waits in the record, in words (models.clinical.waiting.
        waiting_words, less the integration a discharge ends), said before a discharge,
        which closes none of it."""
        super().__init__(parent)
        self.runner = runner
        self.client = client
        self.actor_id = actor_id
        self.saved: ClientDetail | None = None
        self.discharging = client.status != "discharged"
        self._touched: set[str] = set()
        self.setWindowTitle("Discharge client" if self.discharging else "Reactivate client")
        self.setModal(True)
        self.setMinimumWidth(520)
        fit_to_text(self)
        self.today = runner.opener.today()
        who = QLabel(f"{client.name} · {client.record_number}")
        who.setProperty("role", "heading")
        if self.discharging:
            explain = ("Discharging ends the client's active care. The record stays as it is "
                       "and can still be read, searched and given addenda; the client is "
                       "listed under Show discharged.")
        else:
            last = client.last_status_change
            since = f" on {date_text(last.changed_on)}" if last is not None else ""
            explain = (f"Discharged{since}. Reactivating takes the client back into care "
                       "(a booster course, a new referral).")
        explanation = QLabel(explain)
        explanation.setWordWrap(True)
        explanation.setProperty("role", "subtle")
        self.still_open = QLabel(STILL_OPEN.format(waiting=waiting))
        self.still_open.setWordWrap(True)
        self.still_open.setProperty("role", "notice")
        self.still_open.setVisible(self.discharging and bool(waiting))
        self.date = RetypeDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat(DATE_EDIT_FORMAT)
        self.date.setDate(to_qdate(self.today))
        self.date.setAccessibleName("Date")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Course complete; moved away; referred on …"
                                       if self.discharging else
                                       "Booster course; new referral …")
        self.reason.setAccessibleName("Reason")
        self.errors = {"on": QLabel(), "reason": QLabel(), "": QLabel()}
        for label in self.errors.values():
            label.setProperty("role", "error")
            label.setWordWrap(True)
            label.hide()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for text, field, key in (("Date", self.date, "on"), ("Reason", self.reason, "reason")):
            holder = QVBoxLayout()
            holder.setSpacing(2)
            holder.addWidget(field)
            holder.addWidget(self.errors[key])
            form.addRow(text, holder)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button: QPushButton = self.buttons.addButton(
            "Discharge" if self.discharging else "Reactivate",
            QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setProperty("role", "primary")
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        submit_keys(self, self.submit)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(who)
        layout.addWidget(explanation)
        layout.addWidget(self.still_open)
        layout.addLayout(form)
        layout.addWidget(self.errors[""])
        layout.addWidget(self.buttons)
        self.reason.textChanged.connect(lambda _t: self._changed("reason"))
        self.date.dateChanged.connect(lambda _d: self._changed("on"))
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def data(self) -> StatusChangeInput:
        day: dt.date = self.date.date().toPython()  # type: ignore[assignment]
        return StatusChangeInput(day, self.reason.text())

    def _changed(self, key: str) -> None:
        # A message shown for a field follows it as it changes.
        self._touched.add(key)
        self._show(validate_status_change(self.data(), today=self.today), only=self._touched)

    def _show(self, problems: dict[str, str], only: set[str] | None = None) -> None:
        for key, label in self.errors.items():
            if only is not None and key not in only:
                continue
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)

    def submit(self) -> None:
        if not self.save_button.isEnabled():
            return
        data = self.data()
        problems = validate_status_change(data, today=self.today)
        self._touched |= {"on", "reason"}
        self._show(problems)
        if problems:
            (self.reason if "reason" in problems else self.date).setFocus()
            return
        self.save_button.setEnabled(False)
        client_id, actor_id = self.client.id, self.actor_id
        if self.discharging:
            self.runner.submit(lambda b: b.clients.discharge(client_id, data, actor_id=actor_id),
                               self._saved, self._failed, owner=self)
        else:
            self.runner.submit(lambda b: b.clients.reactivate(client_id, data,
                                                              actor_id=actor_id),
                               self._saved, self._failed, owner=self)

    def _saved(self, done: Done[ClientDetail]) -> None:
        self.saved = done.value
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        if (problems := refusal(exc)) is not None:
            self._show(problems)
