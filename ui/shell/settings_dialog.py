"""Preferences a therapist may change: today, how long before the screen locks itself."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.common.dialogs import fit_to_text, submit_keys
from ui.shell import settings as S
from ui.shell.settings import Settings


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Settings")
        fit_to_text(self)
        self.setMinimumWidth(420)
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setRange(S.IDLE_MINUTES.minimum or 1, S.IDLE_MINUTES.maximum or 120)
        self.idle_minutes.setSuffix(" minutes")
        self.idle_minutes.setValue(settings.get(S.IDLE_MINUTES))
        self.idle_minutes.setAccessibleName("Lock after idle minutes")
        self.keep_backups = QSpinBox()
        self.keep_backups.setRange(S.KEEP_BACKUPS.minimum or 1, S.KEEP_BACKUPS.maximum or 365)
        self.keep_backups.setSuffix(" backups")
        self.keep_backups.setValue(settings.get(S.KEEP_BACKUPS))
        self.keep_backups.setAccessibleName("Backups kept in the backup folder")
        form = QFormLayout()
        form.addRow("Lock the screen after", self.idle_minutes)
        form.addRow("Keep the newest", self.keep_backups)
        hint = QLabel("With no keyboard or mouse use for this long, the window hides the "
                      "records, closes the vault and asks for the passphrase. Ctrl+L locks "
                      "at once. A backup into a folder removes the oldest dated backups "
                      "there beyond the number kept.")
        hint.setWordWrap(True)
        hint.setProperty("role", "subtle")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        submit_keys(self, self.accept)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.settings.set(S.IDLE_MINUTES, self.idle_minutes.value())
        self.settings.set(S.KEEP_BACKUPS, self.keep_backups.value())
        super().accept()
