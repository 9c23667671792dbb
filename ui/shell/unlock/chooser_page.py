"""First start: create a new vault, or open one that exists."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ui.shell.names import APP_NAME
from ui.shell.unlock.card import Card, centred, text_label


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
        heading = text_label(title, "choice-title", wrap=False)
        detail = text_label(description, "subtle", wrap=False)
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
        card = Card()
        card.body.addWidget(text_label(APP_NAME, "title"))
        card.body.addWidget(text_label(
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
        self.notice = text_label("", "notice")
        self.notice.hide()
        card.body.addWidget(self.notice)
        self.create_button.clicked.connect(self.create_requested)
        self.open_button.clicked.connect(self.open_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(centred(card))

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
