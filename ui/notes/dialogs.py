"""The note editor's dialogs: an addendum to a signed note, a quick new target or part."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from models.vocabulary import ADDENDUM_KINDS, PART_TYPES, TARGET_PRONGS
from ui.common.dialogs import DiscardGuard, fit_to_text, submit_keys


class AddendumDialog(QDialog):
    """Kind, reason and text of an addendum to a signed note; both texts are required."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add to a signed note")
        fit_to_text(self)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "The signed note stays as it is. What you add here is signed and locked "
            "with your name and the time, and shown with the note.", self)
        intro.setWordWrap(True)
        intro.setProperty("role", "subtle")
        layout.addWidget(intro)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.kind = QComboBox(self)
        for value, label in ADDENDUM_KINDS.choices():
            self.kind.addItem(label, value)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("Why this is being added, e.g. dose recorded wrongly")
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(140)
        form.addRow("&Kind", self.kind)
        form.addRow("&Reason *", self.reason)
        form.addRow("&Text *", self.text)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(self)
        self.sign_button = self.buttons.addButton(
            "Sign and add", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        submit_keys(self, self.accept)
        layout.addWidget(self.buttons)
        self.reason.textChanged.connect(self._update)
        self.text.textChanged.connect(self._update)
        self._discard_guard = DiscardGuard(self, "Discard this addendum?", self._typed,
                                           discard="Discard addendum", keep="Keep writing")
        self._update()

    def _update(self) -> None:
        self.sign_button.setEnabled(bool(self.reason.text().strip())
                                    and bool(self.text.toPlainText().strip()))

    def accept(self) -> None:
        if not self.sign_button.isEnabled():
            return
        super().accept()

    def reject(self) -> None:
        """Escape or Cancel: what was written is not thrown away without asking."""
        self._discard_guard.reject()

    def _typed(self) -> str | None:
        typed = self.reason.text().strip() or self.text.toPlainText().strip()
        return "What you wrote here is not added to the note." if typed else None

    def confirmation(self) -> QMessageBox | None:
        """The open "Discard this addendum?" question, if any."""
        return self._discard_guard.box

    def values(self) -> tuple[str, str, str]:
        """(kind, reason, text)."""
        return (self.kind.currentData(), self.reason.text().strip(),
                self.text.toPlainText().strip())


class _QuickAddDialog(QDialog):
    """A name and one choice: the least a new registry entry needs; the rest comes later."""

    def __init__(
        self,
        title: str,
        intro: str,
        name_label: str,
        choice_label: str,
        choices: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        fit_to_text(self)
        layout = QVBoxLayout(self)
        note = QLabel(intro, self)
        note.setWordWrap(True)
        note.setProperty("role", "subtle")
        layout.addWidget(note)
        form = QFormLayout()
        self.name = QLineEdit(self)
        self.choice = QComboBox(self)
        for value, label in choices:
            self.choice.addItem(label, value)
        form.addRow(name_label, self.name)
        form.addRow(choice_label, self.choice)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Add")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        submit_keys(self, self.accept)
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        self.ok.setEnabled(False)

    def accept(self) -> None:
        if self.name.text().strip():
            super().accept()


class NewTargetDialog(_QuickAddDialog):
    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(
            "New ART scene" if kind == "art" else "New target memory",
            "Adds it to this client's target registry. De-identified wording is fine; "
            "fill in image, cognitions and baseline ratings in the registry.",
            "Label *", "Prong", TARGET_PRONGS.choices(), parent)
        self.kind = kind
        self.open_in_registry = QCheckBox("Also open it in the target registry", self)
        self.open_in_registry.setToolTip(
            "Shows the new target in the Targets tab of the main window, to fill in the "
            "rest; this note stays open")
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.count() - 1, self.open_in_registry)


class NewPartDialog(_QuickAddDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "New part",
            "Adds it to this client's parts registry, in the client's words if they "
            "have a name for it. Fill in the rest in the parts map.",
            "Name *", "Type", PART_TYPES.choices(), parent)
