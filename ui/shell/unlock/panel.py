"""Create a vault or unlock one: the first thing a therapist sees, and the lock screen.

`UnlockPanel` is the start-up window and, embedded in the main window, the lock screen.
The key derivation and every file access run on the task runner's worker, so the window
keeps painting while a passphrase is checked.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from models.dto import ClinicianDTO
from ui.common.signals import emit
from ui.shell import settings as S
from ui.shell.settings import Settings
from ui.shell.tasks import TaskRunner, report_unexpected

APP_NAME = "Integration Workstation"
VAULT_SUFFIX = ".iwvault"
VAULT_FILTER = "Integration Workstation vaults (*.iwvault);;All files (*)"
MIN_PASSPHRASE = 10
FREE_ATTEMPTS = 3
MAX_DELAY_S = 30.0


def growing_delay(failures: int) -> float:
    """Seconds to wait after `failures` wrong passphrases in a row: 1, 2, 4 ... up to 30."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(MAX_DELAY_S, 2.0 ** (failures - FREE_ATTEMPTS))


def passphrase_strength(passphrase: str) -> tuple[int, str]:
    """A rough 0..4 score and a hint; length matters most for a passphrase."""
    n = len(passphrase)
    if n == 0:
        return 0, f"Use at least {MIN_PASSPHRASE} characters; a few unrelated words work well."
    if n < MIN_PASSPHRASE:
        return 0, f"Too short: {n} of at least {MIN_PASSPHRASE} characters."
    classes = sum((
        any(c.islower() for c in passphrase),
        any(c.isupper() for c in passphrase),
        any(c.isdigit() for c in passphrase),
        any(not c.isalnum() for c in passphrase),
    ))
    distinct = len(set(passphrase))
    bits = n * math.log2(max(2, min(94, 10 + 16 * classes)))
    if distinct < 5:
        return 1, "Weak: too many repeated characters."
    if bits < 60:
        return 1, "Weak: add another word or two."
    if bits < 90:
        return 2, "Fair: a longer passphrase would be stronger."
    if bits < 120:
        return 3, "Good."
    return 4, "Strong."


def vault_title(vault_name: str | None) -> str:
    """The window title: the application and the vault file, never a client."""
    return f"{APP_NAME} — {vault_name}" if vault_name else APP_NAME


def _label(text: str, role: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    if role:
        label.setProperty("role", role)
    label.setWordWrap(wrap)
    return label


def _password_field(placeholder: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    field.setMinimumWidth(280)
    return field


def _default_vault_path() -> Path:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(docs) if docs and Path(docs).is_dir() else Path.home()
    return folder / f"practice{VAULT_SUFFIX}"


class _Card(QFrame):
    """A white card centred in the window, holding one page's content."""

    def __init__(self, width: int = 520) -> None:
        super().__init__()
        self.setProperty("role", "card")
        self.setFixedWidth(width)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(32, 28, 32, 28)
        self.body.setSpacing(12)


def _centred(card: QWidget) -> QWidget:
    page = QWidget()
    outer = QVBoxLayout(page)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    return page


class ChoiceButton(QPushButton):
    """A large button with a bold title and a line that says what it does."""

    def __init__(self, title: str, description: str) -> None:
        super().__init__()
        self.setProperty("role", "choice")
        self.setAccessibleName(title)
        self.setAccessibleDescription(description)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(2)
        heading = _label(title, "choice-title", wrap=False)
        detail = _label(description, "subtle", wrap=False)
        for label in (heading, detail):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(label)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        layout = self.layout()
        hint = layout.sizeHint() if layout is not None else QSize(200, 48)
        return QSize(max(hint.width(), 200), hint.height())


class ChooserPage(QWidget):
    """First start: create a new vault or open one that exists."""

    create_requested = Signal()
    open_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        card = _Card()
        card.body.addWidget(_label(APP_NAME, "title"))
        card.body.addWidget(_label(
            "Your practice's records live in one encrypted vault file on this computer. "
            "Nothing leaves it unless you export it.", "subtle"))
        card.body.addSpacing(8)
        self.create_button = ChoiceButton(
            "Create a new vault…",
            "Start a new, empty practice record protected by a passphrase.")
        self.open_button = ChoiceButton(
            "Open an existing vault…",
            "Choose a vault file (.iwvault) that you created before.")
        for button in (self.create_button, self.open_button):
            card.body.addWidget(button)
        self.notice = _label("", "notice")
        self.notice.hide()
        card.body.addWidget(self.notice)
        self.create_button.clicked.connect(self.create_requested)
        self.open_button.clicked.connect(self.open_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_centred(card))

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))


class CreateVaultPage(QWidget):
    """A new vault: where, the passphrase twice with a strength hint, and who you are."""

    submitted = Signal(Path, str, str, str)  # path, passphrase, clinician name, credentials
    back_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        card = _Card(560)
        card.body.addWidget(_label("Create a new vault", "heading"))
        card.body.addWidget(_label(
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
        self.passphrase = _password_field()
        self.confirm = _password_field()
        self.strength = _label("", "subtle")
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
            error = _label("", "error")
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
        self.message = _label("", "error")
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
        for field in (self.location, self.passphrase, self.confirm, self.clinician):
            field.returnPressed.connect(self._submit)
        self.passphrase.textChanged.connect(self._update_strength)
        self._update_strength("")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_centred(card))

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

    def _problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        location = self.location.text().strip()
        if not location:
            problems["location"] = "Choose where to save the vault."
        else:
            path = Path(location).expanduser()
            if path.exists():
                problems["location"] = "That file already exists. Open it instead, or choose " \
                    "another name."
            elif not path.parent.is_dir():
                problems["location"] = "That folder does not exist. Choose an existing folder."
        passphrase = self.passphrase.text()
        if len(passphrase) < MIN_PASSPHRASE:
            problems["passphrase"] = f"Use at least {MIN_PASSPHRASE} characters."
        elif self.confirm.text() != passphrase:
            problems["confirm"] = "The two passphrases differ. Type it again."
        if not self.clinician.text().strip():
            problems["clinician"] = "Your name is required; it signs your notes."
        return problems

    def show_problems(self, problems: dict[str, str]) -> None:
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
             "confirm": self.confirm, "clinician": self.clinician}[first].setFocus()
            return
        path = Path(self.location.text().strip()).expanduser()
        if not path.suffix:
            path = path.with_suffix(VAULT_SUFFIX)
        emit(self.submitted, path, self.passphrase.text(), self.clinician.text().strip(),
                            self.credentials.text().strip())

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


class UnlockPage(QWidget):
    """The passphrase for one vault, with growing delays after repeated failures."""

    unlock_requested = Signal(str)
    open_other_requested = Signal()
    create_requested = Signal()

    def __init__(self, delays: Callable[[int], float] = growing_delay) -> None:
        super().__init__()
        self._delays = delays
        self._wait_until = 0.0
        self._busy = False
        card = _Card()
        self.heading = _label("Unlock your vault", "heading")
        self.vault_label = _label("", "subtle")
        self.vault_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        card.body.addWidget(self.heading)
        card.body.addWidget(self.vault_label)
        self.passphrase = _password_field("Passphrase")
        self.passphrase.setAccessibleName("Passphrase")
        card.body.addWidget(self.passphrase)
        self.message = _label("", "error")
        self.message.hide()
        card.body.addWidget(self.message)
        buttons = QHBoxLayout()
        self.unlock = QPushButton("Unlock")
        self.unlock.setProperty("role", "primary")
        self.unlock.setDefault(True)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock)
        card.body.addLayout(buttons)
        self.other_links = QWidget()
        links = QHBoxLayout(self.other_links)
        links.setContentsMargins(0, 8, 0, 0)
        self.open_other = QPushButton("Open another vault…")
        self.create_new = QPushButton("Create a new vault…")
        for button in (self.open_other, self.create_new):
            button.setFlat(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            links.addWidget(button)
        links.addStretch(1)
        card.body.addWidget(self.other_links)
        self.unlock.clicked.connect(self._submit)
        self.passphrase.returnPressed.connect(self._submit)
        self.open_other.clicked.connect(self.open_other_requested)
        self.create_new.clicked.connect(self.create_requested)
        self._countdown = QTimer(self)
        self._countdown.setInterval(200)
        self._countdown.timeout.connect(self._tick)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_centred(card))

    def set_vault(self, path: Path, *, locked: bool = False) -> None:
        self.heading.setText("Locked" if locked else "Unlock your vault")
        if locked:
            self.vault_label.setText(
                f"{path.name} is locked. Enter the passphrase to return to where you were.")
        else:
            self.vault_label.setText(f"{path.name}\n{path.parent}")
        self.other_links.setVisible(not locked)
        self.show_message("")

    def _submit(self) -> None:
        if self._busy or self.waiting:
            return
        passphrase = self.passphrase.text()
        if not passphrase:
            self.show_message("Type the vault's passphrase.")
            self.passphrase.setFocus()
            return
        emit(self.unlock_requested, passphrase)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.passphrase.setEnabled(not busy)
        self.unlock.setText("Unlocking…" if busy else "Unlock")
        self._update_button()

    @property
    def waiting(self) -> bool:
        return time.monotonic() < self._wait_until

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def wrong_passphrase(self, message: str, failures: int) -> None:
        """Clear and focus the field; after a few failures, make the next try wait."""
        self.passphrase.clear()
        self.passphrase.setFocus()
        delay = self._delays(failures)
        self._message_base = message
        if delay > 0:
            self._wait_until = time.monotonic() + delay
            self._countdown.start()
            self._tick()
        else:
            self.show_message(message)
        self._update_button()

    def _tick(self) -> None:
        remaining = self._wait_until - time.monotonic()
        if remaining <= 0:
            self._countdown.stop()
            self._wait_until = 0.0
            self.show_message(self._message_base)
        else:
            seconds = math.ceil(remaining)
            self.show_message(f"{self._message_base}\nYou can try again in {seconds} s.")
        self._update_button()

    def _update_button(self) -> None:
        self.unlock.setEnabled(not self._busy and not self.waiting)

    def reset(self) -> None:
        self.passphrase.clear()
        self.show_message("")


class UnlockPanel(QWidget):
    """Chooser, create page and unlock page; emits `unlocked` once a vault is open.

    Shown as its own window at start-up and embedded in the main window as the lock
    screen (then `allow_switch=False`: only the same vault can be unlocked).
    """

    unlocked = Signal(object)  # the vault owner's ClinicianDTO, or None

    def __init__(
        self,
        runner: TaskRunner,
        settings: Settings,
        vault_path: Path | None = None,
        *,
        allow_switch: bool = True,
        delays: Callable[[int], float] = growing_delay,
    ) -> None:
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.runner = runner
        self.settings = settings
        self.allow_switch = allow_switch
        self.failures = 0
        self.vault_path: Path | None = None
        self._path_before_create: Path | None = None
        self.stack = QStackedWidget()
        self.chooser = ChooserPage()
        self.create_page = CreateVaultPage()
        self.unlock_page = UnlockPage(delays)
        for page in (self.chooser, self.create_page, self.unlock_page):
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addWidget(self.stack)
        self.chooser.create_requested.connect(self.show_create)
        self.chooser.open_requested.connect(self.choose_existing)
        self.create_page.back_requested.connect(self._back_from_create)
        self.create_page.submitted.connect(self._create)
        self.unlock_page.unlock_requested.connect(self._unlock)
        self.unlock_page.open_other_requested.connect(self.choose_existing)
        self.unlock_page.create_requested.connect(self.show_create)
        self.setWindowTitle(APP_NAME)
        if vault_path is not None and vault_path.exists():
            self.show_unlock(vault_path)
        else:
            self.show_chooser()
            if vault_path is not None:
                self.chooser.show_notice(
                    f"The last vault, {vault_path.name}, is no longer in {vault_path.parent}. "
                    "Open it where it is now, or create a new vault.")

    # -- pages ----------------------------------------------------------------------------

    def show_chooser(self) -> None:
        self.stack.setCurrentWidget(self.chooser)
        self.setWindowTitle(APP_NAME)
        self.chooser.create_button.setFocus()

    def show_create(self) -> None:
        self.create_page.show_problems({})
        self.create_page.show_message("")
        self.stack.setCurrentWidget(self.create_page)
        self.setWindowTitle(f"{APP_NAME} — new vault")
        self.create_page.passphrase.setFocus()

    def show_unlock(self, path: Path, *, locked: bool = False) -> None:
        if path != self.vault_path:
            self.failures = 0
        self.vault_path = path
        self.unlock_page.set_vault(path, locked=locked or not self.allow_switch)
        self.unlock_page.reset()
        self.stack.setCurrentWidget(self.unlock_page)
        self.setWindowTitle(vault_title(path.name))
        self.unlock_page.passphrase.setFocus()

    def _back_from_create(self) -> None:
        self.create_page.clear_secrets()
        if self.vault_path is not None:
            self.show_unlock(self.vault_path)
        else:
            self.show_chooser()

    def choose_existing(self) -> None:
        start = str(self.vault_path.parent) if self.vault_path else str(Path.home())
        chosen, _ = QFileDialog.getOpenFileName(self, "Open a vault", start, VAULT_FILTER)
        if chosen:
            self.show_unlock(Path(chosen))

    # -- work on the runner -------------------------------------------------------------

    def _unlock(self, passphrase: str) -> None:
        assert self.vault_path is not None
        services = self.runner.services
        failures = self.failures

        def after_open(session: Any) -> ClinicianDTO | None:
            clinician = services.primary_clinician(session)
            services.record_unlock(session, actor_id=clinician.id if clinician else None,
                                   failed_attempts=failures)
            return clinician

        self.unlock_page.set_busy(True)
        self.unlock_page.show_message("")
        self.runner.open_vault(self.vault_path, passphrase, self._opened, self._open_failed,
                               then=after_open)

    def _opened(self, clinician: ClinicianDTO | None) -> None:
        self.failures = 0
        self.unlock_page.set_busy(False)
        self.unlock_page.reset()
        self.create_page.set_busy(False)
        self.create_page.clear_secrets()
        if self.vault_path is not None:
            self.settings.set(S.LAST_VAULT, str(self.vault_path))
        emit(self.unlocked, clinician)

    def _open_failed(self, exc: Exception) -> None:
        services = self.runner.services
        self.unlock_page.set_busy(False)
        if services.is_wrong_passphrase(exc):
            self.failures += 1
            self.unlock_page.wrong_passphrase(str(exc), self.failures)
        elif services.is_vault_error(exc):
            self.unlock_page.reset()
            self.unlock_page.show_message(str(exc))
        elif isinstance(exc, OSError):
            self.unlock_page.reset()
            self.unlock_page.show_message(
                f"The vault file could not be read ({exc.strerror or type(exc).__name__}). "
                "Check that the disk is attached and that you may read the file.")
        else:
            self.unlock_page.reset()
            report_unexpected(exc)

    def _create(self, path: Path, passphrase: str, name: str, credentials: str) -> None:
        services = self.runner.services

        def set_up(session: Any) -> ClinicianDTO:
            clinician = services.create_clinician(session, name, credentials)
            services.record_unlock(session, actor_id=clinician.id, failed_attempts=0)
            return clinician

        self._path_before_create = self.vault_path
        self.vault_path = path
        self.create_page.set_busy(True)
        self.runner.open_vault(path, passphrase, self._opened, self._create_failed,
                               create=True, then=set_up)

    def _create_failed(self, exc: Exception) -> None:
        self.vault_path = self._path_before_create
        self.create_page.set_busy(False)
        services = self.runner.services
        if services.is_vault_error(exc) or isinstance(exc, OSError):
            reason = exc.strerror if isinstance(exc, OSError) else None
            text = str(exc) if services.is_vault_error(exc) else (
                f"The vault could not be created ({reason or type(exc).__name__}). "
                "Choose a folder you may write to.")
            self.create_page.show_message(text)
        else:
            report_unexpected(exc)
