"""Your details: the clinician's name, credentials and licence, as every report's header and
signature block print them. Given when the vault was made; put right or completed here."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from models.dto import ClinicianDTO
from models.inputs import ClinicianInput, validate_clinician
from ui.common.dialogs import fit_to_text, submit_keys
from ui.common.style import say
from ui.shell.tasks import TaskRunner, refusal


class ClinicianDialog(QDialog):
    """Name, credentials and licence; Save checks them as the backend does, then writes."""

    saved = Signal(object)  # the ClinicianDTO as written

    def __init__(self, runner: TaskRunner, clinician: ClinicianDTO,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your details")
        fit_to_text(self)
        self.setMinimumWidth(480)
        self.runner = runner
        self.clinician = clinician
        self.name = QLineEdit(clinician.name)
        self.credentials = QLineEdit(clinician.credentials)
        self.credentials.setPlaceholderText("e.g. PsyD, LMFT")
        self.licence = QLineEdit(clinician.licence)
        self.licence.setPlaceholderText("e.g. LMFT 123456 (California)")
        for field in (self.name, self.credentials, self.licence):
            field.setCursorPosition(0)
        form = QFormLayout()
        form.addRow("Name *", self.name)
        form.addRow("Credentials", self.credentials)
        form.addRow("Licence", self.licence)
        hint = QLabel("Printed at the top of every page of a report, and in its signature "
                      "block with your licence. A report already saved keeps what it said.")
        hint.setWordWrap(True)
        hint.setProperty("role", "subtle")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        submit_keys(self, self.submit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def data(self) -> ClinicianInput:
        return ClinicianInput(self.name.text(), self.credentials.text(), self.licence.text())

    def submit(self) -> None:
        data = self.data()
        problems = validate_clinician(data)
        if problems:
            self._show(problems)
            return
        clinician_id = self.clinician.id
        self.runner.submit(lambda b: b.practice.update_clinician(clinician_id, data),
                           lambda done: self._done(done.value), self._failed, owner=self)

    def _done(self, clinician: ClinicianDTO) -> None:
        self.saved.emit(clinician)
        self.accept()

    def _show(self, problems: Mapping[str, str]) -> None:
        say(self.error, " ".join(problems.values()), "error")
        self.error.show()

    def _failed(self, exc: Exception) -> None:
        if (problems := refusal(exc)) is not None:
            self._show(problems)
