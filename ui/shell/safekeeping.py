"""Keeping the record safe from the File menu: back up, restore, change the passphrase,
export and verify, each on the worker thread with a progress bar; and the notices the
window shows about the vault itself (read-only, damaged, in a sync folder, backup due).

The work is models.safekeeping's, reached through the backend (backup, export, verify) or
the opener (restore and a new passphrase, which replace the vault file and so need it
closed first: TaskRunner.replace_vault).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.api import Backend, BackendOpener
from models.dto import EXPORT_FORMAT_NAME, BackupReport, ExportReport, VaultState, VerifyReport
from models.errors import DomainError, VaultError
from models.formatting import date_time_text
from models.inputs import passphrase_problem
from reports import palette
from ui.common.dialogs import fit_to_text
from ui.shell import settings as S
from ui.shell.names import APP_NAME
from ui.shell.settings import Settings
from ui.shell.tasks import Reopen, TaskRunner, report_unexpected
from ui.shell.unlock.card import password_field
from ui.shell.unlock.passphrase import passphrase_strength

T = TypeVar("T")
BACKUP_FILTER = f"{APP_NAME} backups (*.iwbackup);;All files (*)"


def _known(exc: Exception) -> bool:
    """An error a person can act on (its message says what to do), not a bug."""
    return isinstance(exc, VaultError | DomainError | OSError)


def _message(exc: Exception) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, VaultError | DomainError):
        return (f"The file could not be written or read ({exc.strerror or type(exc).__name__})."
                " Check the folder and try again.")
    return str(exc)


class ChangePassphraseDialog(QDialog):
    """The passphrase in use, the new one twice (the same rule as at creation)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change the passphrase")
        self.setMinimumWidth(480)
        intro = QLabel("The vault is re-encrypted with the new passphrase. Backups made "
                       "before keep the old one.")
        intro.setWordWrap(True)
        intro.setProperty("role", "subtle")
        self.current = password_field()
        self.new = password_field()
        self.again = password_field()
        for field, name in ((self.current, "Current passphrase"), (self.new, "New passphrase"),
                            (self.again, "New passphrase again")):
            field.setAccessibleName(name)
        self.strength = QLabel()
        self.strength.setProperty("role", "subtle")
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Current passphrase", self.current)
        form.addRow("New passphrase", self.new)
        form.addRow("", self.strength)
        form.addRow("Type it again", self.again)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Change passphrase")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        for field in (self.current, self.new, self.again):
            field.textChanged.connect(self._check)
        self._check()

    def problem(self) -> str:
        """What stops the change, as the person types; '' when it may go ahead."""
        if not self.current.text():
            return "Type the passphrase the vault opens with now."
        new_problem = passphrase_problem(self.new.text())
        if new_problem is not None:
            return new_problem
        if self.again.text() != self.new.text():
            return "The two new passphrases differ; type the new one again."
        if self.new.text() == self.current.text():
            return "The new passphrase is the same as the current one; choose another."
        return ""

    def _check(self) -> None:
        _score, hint = passphrase_strength(self.new.text())
        self.strength.setText(hint if self.new.text() else "")
        problem = self.problem()
        typed = bool(self.new.text() or self.again.text())
        self.error.setText(problem if typed else "")
        self.error.setVisible(bool(problem) and typed)
        self.ok.setEnabled(not problem)

    def accept(self) -> None:
        if self.problem():
            return
        super().accept()


class RestoreDialog(QDialog):
    """What a restore does, and the passphrase the backup was made with."""

    def __init__(self, backup: Path, vault_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from a backup")
        fit_to_text(self)
        self.setMinimumWidth(520)
        text = QLabel(
            f"<p>The vault <b>{vault_name}</b> will be replaced by the backup "
            f"<b>{backup.name}</b>.</p><p>The vault as it is now is not deleted: it is kept "
            "beside it under a name ending in <i>.before-restore</i> and the time. Anything "
            "written after the backup was made is only in that copy.</p><p>The backup is "
            "checked before anything is replaced. It opens with the passphrase the vault "
            "had when the backup was made.</p>")
        text.setWordWrap(True)
        self.passphrase = password_field()
        self.passphrase.setAccessibleName("The backup's passphrase")
        form = QFormLayout()
        form.addRow("Backup's passphrase", self.passphrase)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Restore")
        self.ok.setEnabled(False)
        self.passphrase.textChanged.connect(lambda t: self.ok.setEnabled(bool(t)))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(buttons)


class ExportDialog(QDialog):
    """Where, whether private process notes go too, and the warning that it is plain."""

    def __init__(self, warning: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export the practice")
        fit_to_text(self)
        self.setMinimumWidth(520)
        caution = QLabel(f"⚠ {warning}")
        caution.setWordWrap(True)
        caution.setProperty("role", "error")
        what = QLabel("The whole practice as practice.json and one CSV file per table, in a "
                      "new folder inside the folder you choose. The folder also holds "
                      f"{EXPORT_FORMAT_NAME}, which describes the format.")
        what.setWordWrap(True)
        what.setProperty("role", "subtle")
        self.folder = QLineEdit()
        self.folder.setReadOnly(True)
        self.folder.setPlaceholderText("Choose a folder…")
        self.browse = QPushButton("Choose…")
        self.browse.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.browse)
        self.private = QCheckBox("Include private process notes")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Export (not encrypted)")
        self.ok.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(caution)
        layout.addWidget(what)
        layout.addLayout(row)
        layout.addWidget(self.private)
        layout.addWidget(buttons)

    def _choose(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Export into this folder")
        if chosen:
            self.set_folder(Path(chosen))

    def set_folder(self, folder: Path) -> None:
        self.folder.setText(str(folder))
        self.ok.setEnabled(True)


class VaultNotice(QFrame):
    """A bar above the chart for what the therapist must know about the vault itself."""

    backup_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vaultNotice")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_button = QPushButton("Back up now…")
        self.backup_button.clicked.connect(self.backup_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.backup_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.setStyleSheet(f"QFrame#vaultNotice {{ background: {palette.WARNING_BG}; "
                           f"border: 1px solid {palette.WARNING_EDGE}; border-radius: 4px; }}")
        self.hide()

    def show_state(self, state: VaultState | None) -> None:
        lines = notice_lines(state) if state is not None else []
        self.text.setText("\n".join(lines))
        self.backup_button.setVisible(state is not None and state.backup_due
                                      and not state.read_only and not state.problems)
        self.setVisible(bool(lines))


def read_only_line(state: VaultState) -> str:
    """Why nothing can be changed, for the bar and for a change that is asked for."""
    return (f"This vault is open read-only: {state.read_only_reason} You can read "
            "everything; nothing can be changed.")


def notice_lines(state: VaultState) -> list[str]:
    """What the bar says, most serious first."""
    lines = []
    if state.problems:
        lines.append("⚠ The checks made on opening found problems: "
                     + "; ".join(state.problems[:3])
                     + (" …" if len(state.problems) > 3 else "")
                     + ". Nothing more is written to this vault; keep it as it is, run "
                       "File › Verify the vault, and restore the latest backup.")
    if state.read_only:
        lines.append(read_only_line(state))
    if state.sync_warning:
        lines.append(f"⚠ {state.sync_warning}")
    if state.backup_due and not state.problems:
        lines.append("No backup of this vault yet." if state.last_backup_at is None else
                     f"The last backup was made on {date_time_text(state.last_backup_at)}: "
                     "more than a week ago.")
    return lines


class Safekeeping(QObject):
    """The File menu's safekeeping actions for the main window."""

    vault_replaced = Signal()  # restored: everything on screen must be read again
    restore_requested = Signal()  # the window closes its note windows, then calls restore()
    state_changed = Signal(object)  # a VaultState

    def __init__(self, runner: TaskRunner, settings: Settings, window: QWidget,
                 vault_path: Callable[[], Path]) -> None:
        super().__init__(window)
        self.runner = runner
        self.settings = settings
        self.window = window
        self.vault_path = vault_path
        self.backup_action = self._action("&Back up now…", self.back_up,
                                          "An encrypted, checked copy of the vault")
        self.restore_action = self._action("&Restore from a backup…", self._restore_requested,
                                           "Put a backup in the vault's place")
        self.rekey_action = self._action("Change &passphrase…", self.change_passphrase,
                                         "Re-encrypt the vault with a new passphrase")
        self.export_action = self._action("E&xport…", self.export,
                                          "The whole practice as JSON and CSV (not encrypted)")
        self.verify_action = self._action("&Verify the vault", self.verify,
                                          "Check every page, lock, hash and the audit chain")
        self.actions = [self.backup_action, self.restore_action, self.rekey_action,
                        self.export_action, self.verify_action]
        self.progress_dialog: QProgressDialog | None = None
        self.last_message: QMessageBox | None = None

    def _action(self, text: str, slot: Callable[[], None], tip: str) -> QAction:
        action = QAction(text, self)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _restore_requested(self) -> None:
        self.restore_requested.emit()

    # -- the state -----------------------------------------------------------------------

    def refresh_state(self) -> None:
        self.runner.submit(lambda b: b.safekeeping.state(), self._state_arrived,
                           lambda _exc: None, owner=self.window)

    def _state_arrived(self, state: VaultState) -> None:
        # Every screen that changes something asks the runner whether it may.
        self.runner.set_read_only_line(read_only_line(state) if state.read_only else None)
        self.state_changed.emit(state)

    # -- running with a progress bar ------------------------------------------------------

    def _start(self, title: str) -> Callable[[float], None]:
        dialog = QProgressDialog(title, "", 0, 100, self.window)
        dialog.setWindowTitle(title)
        dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setValue(0)
        self.progress_dialog = dialog
        self.runner.progressed.connect(self._progressed)
        dialog.show()
        return self.runner.progress()

    def _progressed(self, fraction: float) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.setValue(round(fraction * 100))

    def _finish(self) -> None:
        with contextlib.suppress(RuntimeError, TypeError):  # not connected: nothing to undo
            self.runner.progressed.disconnect(self._progressed)
        if self.progress_dialog is not None:
            self.progress_dialog.close()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None

    def _run(self, title: str, work: Callable[[Backend, Callable[[float], None]], T],
             done: Callable[[T], None]) -> None:
        progress = self._start(title)
        self.runner.submit(lambda b: work(b, progress), lambda r: self._ended(done, r),
                           lambda exc: self._failed(title, exc), owner=self.window)

    def _ended(self, done: Callable[[T], None], result: T) -> None:
        self._finish()
        done(result)

    def _failed(self, title: str, exc: Exception) -> None:
        self._finish()
        if not _known(exc):
            report_unexpected(exc)
            return
        self._tell(title, _message(exc), QMessageBox.Icon.Warning)

    def _tell(self, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Information,
              detail: str = "", more: str = "") -> None:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self.window)
        if more:
            box.setInformativeText(more)
        if detail:
            box.setDetailedText(detail)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_message = box
        box.open()

    # -- the actions ----------------------------------------------------------------------

    def back_up(self, folder: Path | None = None) -> None:
        """Into a folder (a dated name; the oldest beyond the kept number are removed)."""
        if folder is None:
            start = self.settings.get(S.BACKUP_FOLDER) or str(self.vault_path().parent)
            chosen = QFileDialog.getExistingDirectory(self.window, "Back up into this folder",
                                                      start)
            if not chosen:
                return
            folder = Path(chosen)
        self.settings.set(S.BACKUP_FOLDER, str(folder))
        keep = self.settings.get(S.KEEP_BACKUPS)

        def done(report: BackupReport) -> None:
            pruned = (f"\n\n{len(report.pruned)} older backup"
                      f"{'s' if len(report.pruned) != 1 else ''} removed (keeping {keep})."
                      if report.pruned else "")
            note = f"\n\n{report.note}" if report.note else ""
            self._tell("Backup made",
                       f"The backup {report.path.name} was written, opened and checked: "
                       f"every page, the integrity of the database, the row count of every "
                       f"table, the locks and the signed record. It opens with the vault's "
                       f"passphrase.{pruned}{note}")
            self.refresh_state()

        self._run("Backing up the vault",
                  lambda b, p: b.safekeeping.backup(folder, keep=keep, progress=p), done)

    def export(self, folder: Path | None = None, include_private: bool | None = None) -> None:
        from models.dto import EXPORT_WARNING

        if folder is None or include_private is None:
            dialog = ExportDialog(EXPORT_WARNING, self.window)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            folder = Path(dialog.folder.text())
            include_private = dialog.private.isChecked()
        private = include_private
        # A new folder of its own inside the one chosen: nothing there is overwritten.
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H%M%S")
        out = folder / f"{self.vault_path().stem} export {stamp}"

        def done(report: ExportReport) -> None:
            self._tell("Export written",
                       f"{report.rows} rows of {report.tables} tables were written to "
                       f"{report.folder}.\n\n⚠ {report.warning}",
                       QMessageBox.Icon.Warning)

        self._run("Exporting the practice",
                  lambda b, p: b.safekeeping.export(out, include_private=private,
                                                    progress=p), done)

    def verify(self) -> None:
        def done(report: VerifyReport) -> None:
            checks = "\n".join(f"✓ {c}" for c in report.checks)
            if report.ok:
                # Shown, not under Show Details: the list is what says the vault is sound
                # (and in a box sized for "Every check passed." it could not be read).
                self._tell("The vault is sound", "Every check passed:", more=checks)
            else:
                problems = "\n".join(f"• {p}" for p in report.problems)
                self._tell("The vault has problems",
                           f"{problems}\n\nKeep this file as it is and restore the latest "
                           "backup.", QMessageBox.Icon.Critical, detail=checks)

        self._run("Verifying the vault", lambda b, p: b.safekeeping.verify(progress=p), done)

    def change_passphrase(self, current: str | None = None, new: str | None = None) -> None:
        if current is None or new is None:
            dialog = ChangePassphraseDialog(self.window)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            current, new = dialog.current.text(), dialog.new.text()
        path, old, fresh = self.vault_path(), current, new
        progress = self._start("Changing the passphrase")
        opener = self.runner.opener

        def operation(opener: BackendOpener) -> Any:
            return opener.change_passphrase(path, old, fresh, progress=progress)

        def done(_report: Any) -> None:
            self._finish()
            self._tell("Passphrase changed",
                       "The vault is re-encrypted and opens only with the new passphrase. "
                       "Backups made before keep the old one: make a new backup.")

        def replace(_checked: None) -> None:
            self.runner.replace_vault(operation, Reopen(path, after=fresh, before=old), done,
                                      lambda exc: self._failed("Change the passphrase", exc))

        # The current passphrase is proved first, with the vault still open: a wrong one
        # changes nothing and closes nothing.
        self.runner.call(lambda: opener.open(path, old).close(), replace,
                         lambda exc: self._failed("Change the passphrase", exc))

    def restore(self, backup: Path | None = None, passphrase: str | None = None) -> None:
        if backup is None:
            start = self.settings.get(S.BACKUP_FOLDER) or str(self.vault_path().parent)
            chosen, _ = QFileDialog.getOpenFileName(self.window, "Restore from a backup",
                                                    start, BACKUP_FILTER)
            if not chosen:
                return
            backup = Path(chosen)
        if passphrase is None:
            dialog = RestoreDialog(backup, self.vault_path().name, self.window)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            passphrase = dialog.passphrase.text()
        path, source, secret = self.vault_path(), backup, passphrase
        progress = self._start("Restoring from the backup")

        def operation(opener: BackendOpener) -> Any:
            return opener.restore(source, path, secret, progress=progress)

        def done(report: Any) -> None:
            self._finish()
            kept = (f" The vault as it was is kept as {report.safety_copy.name}."
                    if report.safety_copy is not None else "")
            self._tell("Restored", f"The vault was restored from {source.name}, opened and "
                       f"checked.{kept}")
            self.vault_replaced.emit()
            self.refresh_state()

        # A failed restore leaves the vault as it was, but closed: it opens with the
        # passphrase typed at unlock, which the window does not keep, so the window locks
        # and asks for it (TaskRunner.vault_lost).
        self.runner.replace_vault(operation, Reopen(path, after=secret, before=None), done,
                                  lambda exc: self._failed("Restore from a backup", exc))
