"""Create a vault or unlock one: the first thing a therapist sees, and the lock screen.

`UnlockPanel` is the start-up window and, embedded in the main window, the lock screen.
The key derivation and every file access run on the task runner's worker, so the window
keeps painting while a passphrase is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QStackedWidget, QVBoxLayout, QWidget

from models.api import Backend
from models.dto import ClinicianDTO
from models.errors import VaultError, WrongPassphraseError
from ui.shell import settings as S
from ui.shell.names import VAULT_FILTER, window_title
from ui.shell.settings import Settings
from ui.shell.tasks import TaskRunner, report_unexpected
from ui.shell.unlock.chooser_page import ChooserPage
from ui.shell.unlock.create_page import CreateVaultPage
from ui.shell.unlock.passphrase import growing_delay
from ui.shell.unlock.unlock_page import UnlockPage


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
        self.setWindowTitle(window_title())
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
        self.setWindowTitle(window_title())
        self.chooser.create_button.setFocus()

    def show_create(self) -> None:
        self.create_page.show_problems({})
        self.create_page.show_message("")
        self.stack.setCurrentWidget(self.create_page)
        self.setWindowTitle(window_title("New vault"))
        self.create_page.passphrase.setFocus()

    def show_unlock(self, path: Path, *, locked: bool = False) -> None:
        if path != self.vault_path:
            self.failures = 0
        self.vault_path = path
        self.unlock_page.set_vault(path, locked=locked or not self.allow_switch)
        self.unlock_page.reset()
        self.stack.setCurrentWidget(self.unlock_page)
        self.setWindowTitle(window_title(path.name))
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
        failures = self.failures

        def after_open(backend: Backend) -> ClinicianDTO | None:
            clinician = backend.practice.clinician()
            backend.practice.record_unlock(actor_id=clinician.id if clinician else None,
                                           failed_attempts=failures)
            return clinician

        self.unlock_page.set_busy(True)
        self.unlock_page.show_message("")
        self.runner.open_vault(self.vault_path, passphrase, after_open, self._opened,
                               self._open_failed)

    def _opened(self, clinician: ClinicianDTO | None) -> None:
        self.failures = 0
        self.unlock_page.set_busy(False)
        self.unlock_page.reset()
        self.create_page.set_busy(False)
        self.create_page.clear_secrets()
        if self.vault_path is not None:
            self.settings.set(S.LAST_VAULT, str(self.vault_path))
        self.unlocked.emit(clinician)

    def _open_failed(self, exc: Exception) -> None:
        self.unlock_page.set_busy(False)
        if isinstance(exc, WrongPassphraseError):
            self.failures += 1
            self.unlock_page.wrong_passphrase(str(exc), self.failures)
        elif isinstance(exc, VaultError):
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
        def set_up(backend: Backend) -> ClinicianDTO:
            clinician = backend.practice.create_clinician(name, credentials).value
            backend.practice.record_unlock(actor_id=clinician.id, failed_attempts=0)
            return clinician

        self._path_before_create = self.vault_path
        self.vault_path = path
        self.create_page.set_busy(True)
        self.runner.open_vault(path, passphrase, set_up, self._opened, self._create_failed,
                               create=True)

    def _create_failed(self, exc: Exception) -> None:
        self.vault_path = self._path_before_create
        self.create_page.set_busy(False)
        if isinstance(exc, VaultError | OSError):
            reason = exc.strerror if isinstance(exc, OSError) else None
            text = str(exc) if isinstance(exc, VaultError) else (
                f"The vault could not be created ({reason or type(exc).__name__}). "
                "Choose a folder you may write to.")
            self.create_page.show_message(text)
        else:
            report_unexpected(exc)
