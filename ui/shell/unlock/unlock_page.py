"""The passphrase for one vault, with growing delays after repeated failures."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ui.shell.unlock.card import Card, centred, password_field, text_label
from ui.shell.unlock.passphrase import growing_delay


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
        card = Card()
        self.heading = text_label("Unlock your vault", "heading")
        self.vault_label = text_label("", "subtle")
        self.vault_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        card.body.addWidget(self.heading)
        card.body.addWidget(self.vault_label)
        self.passphrase = password_field("Passphrase")
        self.passphrase.setAccessibleName("Passphrase")
        card.body.addWidget(self.passphrase)
        self.message = text_label("", "error")
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
        layout.addWidget(centred(card))

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
        self.unlock_requested.emit(passphrase)

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
