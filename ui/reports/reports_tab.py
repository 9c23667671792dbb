"""The Reports tab: the kind of report and its options on the left, the preview on the
right; generate, print, save.

The record is gathered on the database worker (`b.reports.data`); the PDF is laid out on a
thread of its own (charts and pages take a second or two), reporting its progress; the
preview shows the bytes from memory. Saving and printing each write an audit event.
Nothing about the client goes into a file name chosen here, a setting or a log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QThread, Signal
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from models.clinical.period import report_period
from models.dto import ClientChart
from models.errors import NotFoundError, ValidationError
from models.formatting import date_text
from models.inputs import (
    ReportOptions,
    report_password_problem,
    validate_report_options,
)
from models.report_data import ReportData
from models.vocabulary import MODALITIES, REPORT_DETAIL, REPORT_KINDS, REPORT_SECTIONS
from ui.common.dates import DATE_EDIT_FORMAT, to_qdate
from ui.common.pdf_preview import PdfPreview, ask_pdf_path, ask_printer
from ui.common.style import wrapped_tip
from ui.shell import settings as S
from ui.shell.settings import Settings
from ui.shell.tasks import TaskRunner, VaultLockedError, is_refusal, report_unexpected

OPTIONS_WIDTH = 330


def default_file_name(record_number: str, kind: str, day: dt.date) -> str:
    """'C-0001 progress report 2026-11-01.pdf': the record number and date, never a name."""
    return f"{record_number} {REPORT_KINDS.short(kind).lower()} report {day.isoformat()}.pdf"


def write_private(path: Path, data: bytes) -> None:
    """Write the file readable by its owner only: a report is a clinical record."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


class _RenderThread(QThread):
    """Lays one report out to PDF bytes away from the GUI thread."""

    progressed = Signal(int, str)
    rendered = Signal(bytes)
    failed = Signal(object)

    def __init__(self, data: ReportData) -> None:
        super().__init__()
        self.data = data

    def run(self) -> None:
        from reports.render import render_report

        try:
            pdf = render_report(self.data, progress=self.progressed.emit)
        except Exception as exc:  # handed to the GUI thread, shown there
            self.failed.emit(exc)
        else:
            self.rendered.emit(pdf)


def _day(edit: QDateEdit) -> dt.date:
    day = edit.date()
    return dt.date(day.year(), day.month(), day.day())


def _date_edit() -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_EDIT_FORMAT)
    return edit


class ReportsTab(QWidget):
    """Choose, generate, preview, print and save one client's report."""

    generated = Signal()  # a report is in the preview
    saved = Signal(str)  # the file name (for tests and the status bar)
    printed = Signal()

    def __init__(self, runner: TaskRunner, settings: Settings,
                 actor: Callable[[], int | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.settings = settings
        self.actor = actor
        self.chart: ClientChart | None = None
        self.data: ReportData | None = None
        self.pdf: bytes | None = None
        self._generation = 0
        self._threads: list[_RenderThread] = []
        # Where a file goes and which printer: dialogs by default, replaced in tests.
        self.choose_path: Callable[[str], str] = self._ask_path
        self.choose_printer: Callable[[QPrinter], bool] = self._ask_printer

        self.kind = QComboBox()
        for term in REPORT_KINDS:
            self.kind.addItem(term.label, term.code)
        self.kind.setToolTip(wrapped_tip("\n".join(f"{t.label}: {t.description}"
                                                  for t in REPORT_KINDS)))
        self.start = _date_edit()
        self.end = _date_edit()
        # A copy of a note: which one (the client's signed notes, the newest first).
        self.note_choice = QComboBox()
        self.note_choice.setAccessibleName("Note to copy")
        self.sections: dict[str, QCheckBox] = {}
        sections_box = QVBoxLayout()
        sections_box.setSpacing(2)
        # Every section of the vocabulary has its builder (a test holds them together), so
        # the tab lists them without loading reportlab: that waits for the first report.
        for term in REPORT_SECTIONS:
            box = QCheckBox(term.label)
            box.setChecked(True)
            box.setToolTip(term.description)
            self.sections[term.code] = box
            sections_box.addWidget(box)
        self.detail_group = QButtonGroup(self)
        detail_box = QVBoxLayout()
        detail_box.setSpacing(2)
        self.detail: dict[str, QRadioButton] = {}
        for term in REPORT_DETAIL:
            button = QRadioButton(term.label)
            button.setToolTip(term.description)
            self.detail[term.code] = button
            self.detail_group.addButton(button)
            detail_box.addWidget(button)
        self.detail["full"].setChecked(True)
        self.drafts = QCheckBox("Include unsigned drafts (marked)")
        self.private = QCheckBox("Include private process notes")
        self.practice = QLineEdit(settings.get(S.REPORT_PRACTICE))
        self.practice.setPlaceholderText("Its name (optional)")  # the whole said in the tip
        self.practice.setToolTip(wrapped_tip("The practice's name, printed above yours at the "
                                             "top of every page; kept for the next report"))
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("A few lines for the prescriber (optional)")
        self.comment.setFixedHeight(84)
        self.comment.setTabChangesFocus(True)  # Tab goes on, as in every form
        self.protect = QCheckBox("Password-protect the saved file")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password (at least 8 characters)")
        self.password_again = QLineEdit()
        self.password_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_again.setPlaceholderText("The same password again")
        self.problems = QLabel()
        self.problems.setProperty("role", "error")
        self.problems.setWordWrap(True)
        self.problems.hide()
        self.generate_button = QPushButton("Generate report")
        self.generate_button.setDefault(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.progress.hide()
        self.status = QLabel()
        self.status.setProperty("role", "subtle")
        self.status.setWordWrap(True)

        form = self.form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(8)
        form.addRow("Report", self.kind)
        form.addRow("Note", self.note_choice)
        form.addRow("From", self.start)
        form.addRow("To", self.end)
        self.sections_label = QLabel("Sections")
        form.addRow(self.sections_label, sections_box)
        self.detail_label = QLabel("Session notes")
        form.addRow(self.detail_label, detail_box)
        self._sections_box, self._detail_box = sections_box, detail_box
        form.addRow("", self.drafts)
        form.addRow("", self.private)
        form.addRow("Practice", self.practice)
        self.comment_label = QLabel("Comment")
        form.addRow(self.comment_label, self.comment)
        form.addRow("", self.protect)
        form.addRow("", self.password)
        form.addRow("", self.password_again)

        options = QWidget()
        column = QVBoxLayout(options)
        column.setContentsMargins(4, 4, 12, 4)
        column.addLayout(form)
        column.addWidget(self.problems)
        column.addWidget(self.generate_button)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        column.addStretch(1)
        scroller = QScrollArea()
        scroller.setWidget(options)
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroller.setFixedWidth(OPTIONS_WIDTH)

        self.preview = PdfPreview()
        self.empty = QLabel("Choose the report and what it covers, then Generate report. "
                            "The report shows here before you print or save it.")
        self.empty.setProperty("role", "placeholder")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.print_button = QPushButton("Print…")
        self.save_button = QPushButton("Save as PDF…")
        self.pages = QLabel()
        self.pages.setProperty("role", "subtle")
        bar = QHBoxLayout()
        bar.addWidget(self.pages, 1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addLayout(bar)
        right.addWidget(self.empty, 1)
        right.addWidget(self.preview, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(scroller)
        layout.addLayout(right, 1)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.protect.toggled.connect(self._protect_toggled)
        self.generate_button.clicked.connect(self.generate)
        self.save_button.clicked.connect(self.save)
        self.print_button.clicked.connect(self.print_report)
        self.practice.editingFinished.connect(self._remember_practice)
        self._kind_changed()
        self._protect_toggled(False)
        self._show_preview(False)

    # -- the client and the options ---------------------------------------------------

    def set_chart(self, chart: ClientChart, today: dt.date) -> None:
        """A client was chosen (or their record changed): reset the period when the client
        is a new one, and drop a report made from the old record."""
        same = self.chart is not None and self.chart.client.id == chart.client.id
        self.chart = chart
        self._fill_notes(chart, keep=same)
        if not same:
            start, end = report_period(chart, today)
            for edit in (self.start, self.end):
                edit.setMaximumDate(to_qdate(today))
            self.start.setDate(to_qdate(start))
            self.end.setDate(to_qdate(end))
            self._drop_report("")
        elif self.pdf is not None:
            self.status.setText("The record has changed since this report was made; "
                                "generate it again to include the changes.")

    def _fill_notes(self, chart: ClientChart, *, keep: bool) -> None:
        """The client's signed notes to choose from, the newest first; the one chosen
        stays chosen when the same client's record changes."""
        chosen = self.note_choice.currentData() if keep else None
        self.note_choice.clear()
        signed = sorted((n for n in chart.notes if n.signed),
                        key=lambda n: (n.session_date, n.id), reverse=True)
        labels = [f"{date_text(n.session_date)}  ·  {MODALITIES.label(n.template_id)}"
                  for n in signed]
        for note, label in zip(signed, labels, strict=True):
            if labels.count(label) > 1 and note.content.get("start_time"):
                label += f"  ·  {note.content['start_time']}"  # two of a kind on one day
            self.note_choice.addItem(label, note.id)
        if not signed:
            self.note_choice.addItem("No signed note yet", None)
        self.note_choice.setEnabled(bool(signed))
        if chosen is not None:
            self.choose_note(chosen)

    def choose_note(self, note_id: int) -> bool:
        """Choose the note a copy is made of, as the therapist does; False when it is not
        one of the client's signed notes."""
        index = self.note_choice.findData(note_id)
        if index >= 0:
            self.note_choice.setCurrentIndex(index)
        return index >= 0

    def clear(self) -> None:
        """Forget the client, the report and its preview (lock, quit, another vault)."""
        self.chart = None
        self.note_choice.clear()
        self._drop_report("")
        self.password.clear()
        self.password_again.clear()
        self.comment.clear()
        for thread in self._threads:
            thread.wait(15_000)

    def options(self) -> ReportOptions:
        kind = str(self.kind.currentData())
        return ReportOptions(
            kind=kind, start=_day(self.start), end=_day(self.end),
            sections=tuple(code for code, box in self.sections.items() if box.isChecked()),
            detail=next(code for code, button in self.detail.items() if button.isChecked()),
            include_drafts=self.drafts.isChecked(), include_private=self.private.isChecked(),
            practice=self.practice.text().strip(),
            comment=self.comment.toPlainText().strip() if kind == "prescriber" else "",
            note_id=self.note_choice.currentData() if kind == "note" else None)

    def choose_kind(self, kind: str) -> None:
        """Choose the kind of report (a REPORT_KINDS code), as the therapist does."""
        self.kind.setCurrentIndex(self.kind.findData(kind))

    def choose_period(self, start: dt.date, end: dt.date) -> None:
        """Choose the period, as the therapist does (within the dates the fields allow)."""
        self.start.setDate(to_qdate(start))
        self.end.setDate(to_qdate(end))

    def _kind_changed(self) -> None:
        # Whole rows come and go, so a kind without them leaves no gap where they were.
        kind = self.kind.currentData()
        for row in (self._sections_box, self._detail_box, self.drafts):
            self.form.setRowVisible(row, kind == "progress")
        self.form.setRowVisible(self.private, kind in ("progress", "note"))
        self.form.setRowVisible(self.comment, kind == "prescriber")
        self.form.setRowVisible(self.note_choice, kind == "note")
        for edit in (self.start, self.end):  # a note is of its own day
            self.form.setRowVisible(edit, kind != "note")

    def _protect_toggled(self, on: bool) -> None:
        self.password.setVisible(on)
        self.password_again.setVisible(on)

    def _remember_practice(self) -> None:
        # The practice's name is not about a client: it may be kept in the settings.
        self.settings.set(S.REPORT_PRACTICE, self.practice.text().strip())

    def _problems(self, options: ReportOptions) -> list[str]:
        today = self.runner.opener.today()
        found = list(validate_report_options(options, today=today).values())
        if self.protect.isChecked():
            problem = report_password_problem(self.password.text())
            if problem:
                found.append(problem)
            elif self.password.text() != self.password_again.text():
                found.append("The two passwords differ; type the same password twice.")
        return found

    def _show_problems(self, problems: list[str]) -> None:
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))

    # -- generating ------------------------------------------------------------------------

    def generate(self) -> None:
        chart = self.chart
        if chart is None:
            return
        options = self.options()
        problems = self._problems(options)
        self._show_problems(problems)
        if problems:
            return
        self._remember_practice()
        self._drop_report("Gathering the record…")
        self._generation += 1
        generation = self._generation
        client_id = chart.client.id
        self.generate_button.setEnabled(False)
        self.progress.setValue(2)
        self.progress.show()
        self.runner.submit(lambda b: b.reports.data(client_id, options),
                           lambda data: self._data_arrived(data, generation),
                           lambda exc: self._failed(exc, generation), owner=self)

    def _data_arrived(self, data: ReportData, generation: int) -> None:
        if generation != self._generation:
            return
        thread = _RenderThread(data)
        thread.progressed.connect(lambda percent, what: self._progressed(percent, what,
                                                                         generation))
        thread.rendered.connect(lambda pdf: self._rendered(data, pdf, generation))
        thread.failed.connect(lambda exc: self._failed(exc, generation))
        thread.finished.connect(lambda: self._thread_done(thread))
        self._threads.append(thread)
        thread.start()

    def _thread_done(self, thread: _RenderThread) -> None:
        if thread in self._threads:
            self._threads.remove(thread)
        thread.deleteLater()

    def _progressed(self, percent: int, what: str, generation: int) -> None:
        if generation == self._generation:
            self.progress.setValue(percent)
            self.status.setText(what)

    def _rendered(self, data: ReportData, pdf: bytes, generation: int) -> None:
        if generation != self._generation or self.chart is None:
            return
        self.data, self.pdf = data, pdf
        self.progress.hide()
        self.generate_button.setEnabled(True)
        self.preview.set_pdf(pdf)
        count = self.preview.page_count
        self.pages.setText(f"{REPORT_KINDS.label(data.options.kind)}  ·  {count} "
                           f"page{'s' if count != 1 else ''}")
        self.status.setText("Ready. Print it, or save it as a PDF.")
        self._show_preview(True)
        self.generated.emit()

    def _failed(self, exc: Exception, generation: int) -> None:
        if generation != self._generation:
            return
        self.progress.hide()
        self.generate_button.setEnabled(True)
        if isinstance(exc, VaultLockedError):
            return
        if isinstance(exc, ValidationError | NotFoundError):
            self.status.setText("")
            problems = exc.problems.values() if isinstance(exc, ValidationError) else [str(exc)]
            self._show_problems(list(problems))
            return
        self.status.setText("The report could not be made.")
        report_unexpected(exc)

    def _drop_report(self, status: str) -> None:
        self._generation += 1
        self.data = self.pdf = None
        self.preview.clear()
        self.pages.clear()
        self.progress.hide()
        self.generate_button.setEnabled(True)
        self.status.setText(status)
        self._show_preview(False)

    def _show_preview(self, shown: bool) -> None:
        self.preview.setVisible(shown)
        self.empty.setVisible(not shown)
        self.print_button.setEnabled(shown)
        self.save_button.setEnabled(shown)

    # -- saving and printing -----------------------------------------------------------------

    def _ask_path(self, suggested: str) -> str:
        return ask_pdf_path(self, "Save the report", suggested)

    def _ask_printer(self, printer: QPrinter) -> bool:
        return ask_printer(self, printer)

    def _record(self, action: str, protected: bool) -> None:
        data = self.data
        if data is None:
            return
        client_id = data.client.id
        # The audit names the period the report covers, as resolved when it was made.
        options = dataclasses.replace(data.options, start=data.start, end=data.end)
        actor_id = self.actor()

        def failed(exc: Exception) -> None:
            if not is_refusal(exc):
                report_unexpected(exc)
                return
            self.status.setText(f"{self.status.text()} It could not be recorded in the "
                                f"vault's audit trail: {exc}")

        self.runner.submit(lambda b: b.reports.record(client_id, options, action,
                                                      protected=protected, actor_id=actor_id),
                           None, failed, owner=self)

    def _when_recordable(self, then: Callable[[], None]) -> None:
        """`then`, once the backend says a report leaving now can be recorded in the audit
        trail (a vault open read-only cannot record one: that is said instead)."""
        pdf = self.pdf

        def refused(exc: Exception) -> None:
            if not is_refusal(exc):
                report_unexpected(exc)
            elif self.pdf is pdf:
                self.status.setText(str(exc))

        def go(_result: None) -> None:
            if self.pdf is pdf and pdf is not None:  # still the report that was asked for
                then()

        self.runner.submit(lambda b: b.reports.check_recordable(), go, refused, owner=self)

    def save(self) -> None:
        if self.data is None or self.pdf is None:
            return
        if self.protect.isChecked():
            problems = self._problems(self.options())
            if problems:
                self._show_problems(problems)
                return
        self._when_recordable(self._save_now)

    def _save_now(self) -> None:
        data, pdf = self.data, self.pdf
        if data is None or pdf is None:
            return
        protected = self.protect.isChecked()
        chosen = self.choose_path(self._file_name())
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        if protected:
            from reports.pdf.protect import protect

            pdf = protect(pdf, self.password.text())
        try:
            write_private(path, pdf)
        except OSError as exc:
            self.status.setText(f"The report could not be saved there ({exc.strerror}). "
                                "Choose another folder.")
            return
        self._record("saved", protected)
        note = ", protected with the password" if protected else ""
        self.status.setText(f"Saved as {path.name}{note}.")
        self.saved.emit(path.name)

    def _file_name(self) -> str:
        data = self.data
        assert data is not None
        return default_file_name(data.client.record_number, data.options.kind, data.made_on)

    def print_report(self) -> None:
        if self.pdf is not None and self.data is not None:
            self._when_recordable(self._print_now)

    def _print_now(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        # The print job's title in the printer's queue, and the file the print dialog's
        # "Print to File" offers: a saved copy's name, never the client's (nor "print.pdf").
        printer.setDocName(self._file_name())
        if not self.choose_printer(printer):
            return
        self.status.setText("Printing…")
        try:
            self.preview.print_to(printer)
        except OSError as exc:
            self.status.setText(f"{exc} Check the printer and try again.")
            return
        self._record("printed", False)
        self.status.setText("Sent to the printer.")
        self.printed.emit()

    def closeEvent(self, event: Any) -> None:
        self.clear()
        super().closeEvent(event)
