"""A new vault: where, the passphrase twice with a strength hint, and who signs the notes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.inputs import ClinicianInput, passphrase_problem, validate_clinician
from models.safekeeping.files import leftovers_problem
from ui.common.dialogs import submit_keys
from ui.shell.names import VAULT_FILTER, VAULT_SUFFIX
from ui.shell.unlock.card import Card, centred, password_field, text_label
from ui.shell.unlock.passphrase import passphrase_strength


def _default_vault_path() -> Path:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(docs) if docs and Path(docs).is_dir() else Path.home()
    return folder / f"practice{VAULT_SUFFIX}"


class CreateVaultPage(QWidget):
    """A new vault: where, the passphrase twice with a strength hint, and who you are."""

    submitted = Signal(Path, str, str, str)  # path, passphrase, clinician name, credentials
    back_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        card = Card(560)
        card.body.addWidget(text_label("Create a new vault", "heading"))
        card.body.addWidget(text_label(
            "Choose a passphrase you will remember: there is no way to recover the records "
            "without it.", "subtle"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(4)
        form.setHorizontalSpacing(12)
        self.location = QLineEdit(str(_default_vault_path()))
        self.browse = QPushButton("Choose…")
        self.browse.clicked.connect(self._choose_location)
        location_row = QHBoxLayout()
        location_row.addWidget(self.location, 1)
        location_row.addWidget(self.browse)
        self.passphrase = password_field()
        self.confirm = password_field()
        self.strength = text_label("", "subtle")
        self.clinician = QLineEdit()
        self.clinician.setPlaceholderText("e.g. Dr. Alex Rivera")
        self.credentials = QLineEdit()
        self.credentials.setPlaceholderText("e.g. PsyD, LMFT (optional)")
        self.errors: dict[str, QLabel] = {}

        def row(label: str, field: QWidget | QHBoxLayout, key: str) -> None:
            holder = QVBoxLayout()
            holder.setSpacing(2)
            if isinstance(field, QHBoxLayout):
                holder.addLayout(field)
            else:
                holder.addWidget(field)
            error = text_label("", "error")
            error.hide()
            holder.addWidget(error)
            self.errors[key] = error
            form.addRow(label, holder)

        row("Vault file", location_row, "location")
        row("Passphrase", self.passphrase, "passphrase")
        form.addRow("", self.strength)
        row("Type it again", self.confirm, "confirm")
        row("Your name", self.clinician, "clinician")
        row("Credentials", self.credentials, "credentials")
        card.body.addLayout(form)
        self.message = text_label("", "error")
        self.message.hide()
        card.body.addWidget(self.message)
        buttons = QHBoxLayout()
        self.back = QPushButton("Back")
        self.create_button = QPushButton("Create vault")
        self.create_button.setProperty("role", "primary")
        self.create_button.setDefault(True)
        buttons.addWidget(self.back)
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        card.body.addLayout(buttons)
        self.back.clicked.connect(self.back_requested)
        self.create_button.clicked.connect(self._submit)
        # Enter in any field creates the vault, as Ctrl+Enter does anywhere on the page.
        for field in (self.location, self.passphrase, self.confirm, self.clinician,
                      self.credentials):
            field.returnPressed.connect(self._submit)
        submit_keys(self, self._submit)
        self.passphrase.textChanged.connect(self._update_strength)
        self._update_strength("")
        # A message under a field follows the field as it changes, once it has been shown;
        # a second passphrase that differs is said as soon as it is typed.
        self._live: set[str] = set()
        self.location.textChanged.connect(lambda _t: self._refresh({"location"}))
        self.passphrase.textChanged.connect(lambda _t: self._refresh({"passphrase", "confirm"}))
        self.confirm.textChanged.connect(lambda _t: self._confirm_typed())
        self.clinician.textChanged.connect(lambda _t: self._refresh({"clinician"}))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(centred(card))

    def _choose_location(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Where should the new vault be saved?", self.location.text(), VAULT_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite)
        if chosen:
            path = Path(chosen)
            if not path.suffix:
                path = path.with_suffix(VAULT_SUFFIX)
            self.location.setText(str(path))

    def _update_strength(self, text: str) -> None:
        score, hint = passphrase_strength(text)
        bar = "●" * score + "○" * (4 - score)
        self.strength.setText(f"{bar}  {hint}" if text else hint)

    def _confirm_typed(self) -> None:
        self._live.add("confirm")
        self._refresh({"confirm"})

    def _refresh(self, keys: set[str]) -> None:
        problems = self._problems(final=False)
        for key in keys & self._live:
            label = self.errors[key]
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)

    def _problems(self, *, final: bool = True) -> dict[str, str]:
        """What stops the vault being created. While the second passphrase is still being
        typed (`final` False) it differs only once it stops matching the first."""
        problems: dict[str, str] = {}
        path = self._chosen_path()
        if path is None:
            problems["location"] = "Choose where to save the vault."
        elif path.exists():
            problems["location"] = "That file already exists. Open it instead, or choose " \
                "another name."
        elif not path.parent.is_dir():
            problems["location"] = "That folder does not exist. Choose an existing folder."
        elif (leftovers := leftovers_problem(path)) is not None:
            problems["location"] = leftovers
        passphrase, confirm = self.passphrase.text(), self.confirm.text()
        passphrase_wrong = passphrase_problem(passphrase)
        if passphrase_wrong is not None:
            problems["passphrase"] = passphrase_wrong
        if confirm != passphrase and (final or not passphrase.startswith(confirm)):
            problems["confirm"] = "The two passphrases differ. Type it again."
        # The rule the backend applies to the clinician's details.
        details = validate_clinician(ClinicianInput(self.clinician.text(),
                                                    self.credentials.text()))
        for name, key in (("name", "clinician"), ("credentials", "credentials")):
            if name in details:
                problems[key] = details[name]
        return problems

    def show_problems(self, problems: dict[str, str]) -> None:
        self._live |= set(self.errors)
        for key, label in self.errors.items():
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)

    def _submit(self) -> None:
        if not self.create_button.isEnabled():
            return
        problems = self._problems()
        self.show_problems(problems)
        self.show_message("")
        if problems:
            first = next(iter(problems))
            {"location": self.location, "passphrase": self.passphrase,
             "confirm": self.confirm, "clinician": self.clinician,
             "credentials": self.credentials}[first].setFocus()
            return
        path = self._chosen_path()
        assert path is not None  # a location is one of the problems checked above
        self.submitted.emit(path, self.passphrase.text(), self.clinician.text().strip(),
                            self.credentials.text().strip())

    def _chosen_path(self) -> Path | None:
        """The new vault's file: the location typed, with the vault's suffix when it has
        none (as the file dialog gives it). None when no location is typed."""
        location = self.location.text().strip()
        if not location:
            return None
        path = Path(location).expanduser()
        return path if path.suffix else path.with_suffix(VAULT_SUFFIX)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        self.create_button.setEnabled(not busy)
        self.create_button.setText("Creating…" if busy else "Create vault")
        self.back.setEnabled(not busy)

    def clear_secrets(self) -> None:
        self.passphrase.clear()
        self.confirm.clear()
