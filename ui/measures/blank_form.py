"""File › Blank questionnaire…: a questionnaire in its own words for the client to fill
in on paper, previewed, then printed or saved; the answers are typed in afterwards with
Enter measure. A blank form names no client, so it is no record and writes no audit
event (reports.form). It is laid out on the worker, as a report is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from models.clinical.measures import printable_instruments
from models.instruments.definitions import Instrument
from ui.common.pdf_preview import PdfPreview, ask_pdf_path, ask_printer
from ui.shell.tasks import TaskRunner, VaultLockedError, report_unexpected

HOW_IT_IS_USED = ("The questionnaire in its own words, for the client to fill in on paper. "
                  "Type the answers in afterwards with Enter measure (Ctrl+M), item by item. "
                  "The form names no client.")


def file_name(instrument: Instrument) -> str:
    """'PHQ-9 blank form.pdf'."""
    return f"{instrument.short_name} blank form.pdf"


class BlankFormDialog(QDialog):
    """Choose the questionnaire, see it, print it or save it."""

    shown = Signal()  # the preview holds the chosen form (for tests)

    def __init__(self, runner: TaskRunner, practice: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Blank questionnaire")
        self.setModal(False)
        self.resize(980, 760)
        self.runner = runner
        self.practice = practice
        self.pdf: bytes | None = None
        self.choose_path: Callable[[str], str] = self._ask_path
        self.choose_printer: Callable[[QPrinter], bool] = self._ask_printer
        self.instruments = printable_instruments()
        self.group = QButtonGroup(self)
        choices = QVBoxLayout()
        choices.setSpacing(6)
        heading = QLabel("Questionnaire")
        heading.setProperty("role", "heading")
        choices.addWidget(heading)
        for index, instrument in enumerate(self.instruments):
            choice = QRadioButton(f"{instrument.short_name}  ·  {instrument.timeframe}")
            choice.setToolTip(instrument.title)
            self.group.addButton(choice, index)
            choices.addWidget(choice)
        explain = QLabel(HOW_IT_IS_USED)
        explain.setWordWrap(True)
        explain.setProperty("role", "subtle")
        choices.addSpacing(8)
        choices.addWidget(explain)
        choices.addStretch(1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        choices.addWidget(self.status)
        self.print_button = QPushButton("Print…")
        self.save_button = QPushButton("Save as PDF…")
        close = QPushButton("Close")
        for button in (self.print_button, self.save_button):
            button.setEnabled(False)
            choices.addWidget(button)
        choices.addWidget(close)
        side = QWidget()
        side.setLayout(choices)
        side.setFixedWidth(250)
        self.preview = PdfPreview(self)
        self.preview.setAccessibleName("The blank form")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(14)
        layout.addWidget(side)
        layout.addWidget(self.preview, 1)
        self.group.idToggled.connect(self._toggled)
        self.print_button.clicked.connect(self.print_form)
        self.save_button.clicked.connect(self.save)
        close.clicked.connect(self.close)

    # -- public ---------------------------------------------------------------------------

    def start(self, instrument_id: str = "phq9") -> None:
        """Show the dialog on one questionnaire (the PHQ-9 unless another is asked for)."""
        index = next((i for i, one in enumerate(self.instruments) if one.id == instrument_id), 0)
        self.show()
        self.raise_()
        button = self.group.button(index)
        if button.isChecked():
            self._render(index)
        else:
            button.setChecked(True)
        button.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def instrument(self) -> Instrument:
        return self.instruments[max(self.group.checkedId(), 0)]

    # -- laying it out --------------------------------------------------------------------

    def _toggled(self, index: int, on: bool) -> None:
        if on:
            self._render(index)

    def _render(self, index: int) -> None:
        instrument, practice = self.instruments[index], self.practice
        self.pdf = None
        for button in (self.print_button, self.save_button):
            button.setEnabled(False)
        self.status.setText("Laying out the form…")

        def render(_backend: object) -> bytes:
            from reports.form import render_blank_form  # reportlab loads on first use

            return render_blank_form(instrument, practice=practice)

        def arrived(pdf: bytes) -> None:
            if self.instrument is not instrument:
                return  # another form was chosen meanwhile: its own result follows
            self.pdf = pdf
            self.preview.set_pdf(pdf)
            for button in (self.print_button, self.save_button):
                button.setEnabled(True)
            self.status.clear()
            self.shown.emit()

        self.runner.submit(render, arrived, self._failed, owner=self)

    def _failed(self, exc: Exception) -> None:
        self.status.clear()
        if not isinstance(exc, VaultLockedError):
            report_unexpected(exc)

    # -- printing and saving ---------------------------------------------------------------

    def _ask_path(self, suggested: str) -> str:
        return ask_pdf_path(self, "Save the blank form", suggested)

    def _ask_printer(self, printer: QPrinter) -> bool:
        return ask_printer(self, printer)

    def save(self) -> None:
        if self.pdf is None:
            return
        chosen = self.choose_path(file_name(self.instrument))
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            path.write_bytes(self.pdf)
        except OSError as exc:
            self.status.setText(f"The form could not be saved there ({exc.strerror}). "
                                "Choose another folder.")
            return
        self.status.setText(f"Saved as {path.name}.")

    def print_form(self) -> None:
        if self.pdf is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(file_name(self.instrument))
        if not self.choose_printer(printer):
            return
        try:
            self.preview.print_to(printer)
        except OSError as exc:
            self.status.setText(f"{exc} Check the printer and try again.")
            return
        self.status.setText("Sent to the printer.")

    def clear(self) -> None:
        """Forget the form shown (on lock): nothing of a record is in it, but the window
        goes with the rest."""
        self.pdf = None
        self.preview.clear()
        self.hide()
