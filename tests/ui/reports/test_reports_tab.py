"""The Reports tab on the demo vault with the real worker: generate with progress, preview,
save (with and without a password) and print, each audited; bad options said plainly."""

from __future__ import annotations

import io
import stat
import subprocess
import sys
from pathlib import Path

import pypdf
from PySide6.QtCore import QDate, Qt
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Worker
from ui.chart.chart_view import TAB_NAMES
from ui.reports.reports_tab import ReportsTab, default_file_name
from ui.shell.main_window import MainWindow


def open_reports(qtbot: QtBot, window: MainWindow, record_number: str = "C-0001") -> ReportsTab:
    model = window.client_list.model
    client_id = next(model.row_at(r).id for r in range(model.rowCount())
                     if model.row_at(r).record_number == record_number)
    with qtbot.waitSignal(window.chart_shown, timeout=10_000):
        window.client_list.select_client(client_id)
    window.chart_view.tabs.setCurrentIndex(TAB_NAMES.index("Reports"))
    tab = window.chart_view.reports
    assert isinstance(tab, ReportsTab)
    return tab


def generate(qtbot: QtBot, tab: ReportsTab) -> None:
    seen: list[int] = []
    tab.progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(tab.generated, timeout=60_000):
        tab.generate_button.click()
        assert not tab.generate_button.isEnabled()  # one report at a time
    assert len(seen) >= 3 and seen[-1] == 100  # the bar moved through the stages
    assert tab.progress.isHidden()


def save_and_read(qtbot: QtBot, tab: ReportsTab, folder: Path, name_start: str) -> str:
    """Save the report under its suggested name in `folder`; its words, one space apart."""
    tab.choose_path = lambda suggested: str(folder / suggested)
    with qtbot.waitSignal(tab.saved, timeout=5_000):
        tab.save_button.click()
    saved = next(folder.glob(f"{name_start} *.pdf"))
    return " ".join(" ".join(page.extract_text() for page in
                             pypdf.PdfReader(io.BytesIO(saved.read_bytes())).pages).split())


def test_generate_preview_and_save(qtbot: QtBot, main_window: MainWindow, worker: Worker,
                                   tmp_path: Path) -> None:
    tab = open_reports(qtbot, main_window)
    assert not tab.save_button.isEnabled() and not tab.print_button.isEnabled()
    tab.practice.setText("Harbour Light Practice")
    generate(qtbot, tab)
    assert tab.preview.page_count > 2 and "pages" in tab.pages.text()
    assert tab.save_button.isEnabled() and tab.print_button.isEnabled()

    offered: list[str] = []

    def choose(suggested: str) -> str:
        offered.append(suggested)
        return str(tmp_path / "chosen-by-therapist")

    tab.choose_path = choose
    with qtbot.waitSignal(tab.saved, timeout=5_000):
        tab.save_button.click()
    assert tab.data is not None
    assert offered == [default_file_name("C-0001", "progress", tab.data.made_on)]
    assert offered[0].startswith("C-0001 progress report ")
    assert tab.data.client.name.split()[0] not in offered[0]  # never the client's name
    saved = tmp_path / "chosen-by-therapist.pdf"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    text = pypdf.PdfReader(io.BytesIO(saved.read_bytes())).pages[0].extract_text()
    assert "Harbour Light Practice" in text and "CONFIDENTIAL" in text
    qtbot.waitUntil(lambda: bool(worker.run(
        lambda b: b.audit.events(action_prefix="report.saved"))), timeout=5_000)


def test_a_protected_save_needs_the_same_password_twice(qtbot: QtBot, main_window: MainWindow,
                                                        tmp_path: Path) -> None:
    tab = open_reports(qtbot, main_window)
    tab.kind.setCurrentIndex(tab.kind.findData("prescriber"))
    assert tab.comment.isVisibleTo(tab) and not tab.sections["summary"].isVisibleTo(tab)
    # By keyboard: Tab leaves the comment (it types no tab into it) for what follows.
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    tab.comment.setFocus()
    qtbot.keyClick(tab.comment, Qt.Key.Key_Tab)
    assert not tab.comment.hasFocus() and "\t" not in tab.comment.toPlainText()
    tab.protect.setChecked(True)
    tab.password.setText("harbour light")
    tab.password_again.setText("harbour lite")
    tab.generate_button.click()
    assert "differ" in tab.problems.text() and tab.pdf is None
    tab.password_again.setText("harbour light")
    generate(qtbot, tab)
    tab.choose_path = lambda suggested: str(tmp_path / suggested)
    with qtbot.waitSignal(tab.saved, timeout=5_000):
        tab.save_button.click()
    saved = next(tmp_path.glob("C-0001 prescriber report *.pdf"))
    reader = pypdf.PdfReader(io.BytesIO(saved.read_bytes()))
    assert reader.is_encrypted and not reader.decrypt("wrong")
    assert reader.decrypt("harbour light")


def test_the_audit_trail_is_a_report_of_its_own(qtbot: QtBot, main_window: MainWindow,
                                                worker: Worker, tmp_path: Path) -> None:
    tab = open_reports(qtbot, main_window)
    tab.kind.setCurrentIndex(tab.kind.findData("audit"))
    # Neither a progress report's sections nor a prescriber's comment belong to it.
    assert not tab.sections["summary"].isVisibleTo(tab) and not tab.drafts.isVisibleTo(tab)
    assert not tab.comment.isVisibleTo(tab)
    generate(qtbot, tab)
    assert tab.pages.text().startswith("Audit trail")
    words = save_and_read(qtbot, tab, tmp_path, "C-0001 audit report")
    assert "Audit trail" in words and "CONFIDENTIAL" in words
    assert "audit events holds" in words and "Every event in the period" in words
    # Saving it left the vault: that is recorded too, and the trail says what it was.
    qtbot.waitUntil(lambda: bool(worker.run(
        lambda b: b.audit.events(action_prefix="report.saved"))), timeout=5_000)
    newest = worker.run(lambda b: b.audit.trail(limit=1)).entries[0]
    assert (newest.what, newest.detail.split(";")[0]) == ("Report saved to a file",
                                                          "Audit trail")


def test_printing_draws_every_page_and_is_audited(qtbot: QtBot, main_window: MainWindow,
                                                  worker: Worker, tmp_path: Path) -> None:
    tab = open_reports(qtbot, main_window)
    tab.sections["sessions"].setChecked(False)
    generate(qtbot, tab)
    target = tmp_path / "printed.pdf"
    titles = []

    def to_file(printer: QPrinter) -> bool:
        titles.append(printer.docName())
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        printer.setResolution(96)
        return True

    tab.choose_printer = to_file
    with qtbot.waitSignal(tab.printed, timeout=30_000):
        tab.print_button.click()
    assert len(pypdf.PdfReader(str(target)).pages) == tab.preview.page_count
    # The job's title (and the file "Print to File" offers) is a saved copy's name.
    data = tab.data
    assert data is not None
    assert titles == [default_file_name(data.client.record_number, "progress", data.made_on)]
    assert data.client.name not in titles[0]
    qtbot.waitUntil(lambda: bool(worker.run(
        lambda b: b.audit.events(action_prefix="report.printed"))), timeout=5_000)


def test_a_period_that_ends_before_it_starts_is_said_plainly(qtbot: QtBot,
                                                            main_window: MainWindow) -> None:
    tab = open_reports(qtbot, main_window)
    tab.start.setDate(QDate(2026, 10, 20))
    tab.end.setDate(QDate(2026, 10, 1))
    tab.generate_button.click()
    assert "starts after it ends" in tab.problems.text()
    assert tab.pdf is None and tab.preview.isHidden()


def test_lock_forgets_the_report(qtbot: QtBot, main_window: MainWindow) -> None:
    tab = open_reports(qtbot, main_window)
    generate(qtbot, tab)
    main_window.lock("manual")
    assert tab.pdf is None and tab.data is None and tab.preview.page_count == 0
    assert tab.chart is None


def test_the_tab_is_built_without_loading_reportlab(tmp_path: Path) -> None:
    """The Reports tab is made at unlock; reportlab waits for the first report."""
    code = ("import os, sys, datetime as dt; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
            "from pathlib import Path\n"
            "from workstation.gui import application\n"
            "from workstation.offscreen import fixed_runner\n"
            "from ui.reports.reports_tab import ReportsTab\n"
            "from ui.shell.settings import Settings\n"
            "app = application()\n"
            "runner = fixed_runner(dt.date(2026, 11, 1))\n"
            "tab = ReportsTab(runner, Settings(Path(sys.argv[1])), actor=lambda: None)\n"
            "print(len(tab.sections), 'reportlab' in sys.modules)\n"
            "runner.shutdown()\n")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "s.ini")],
                            capture_output=True, text=True, check=True, timeout=60,
                            cwd=Path(__file__).parents[3])
    assert result.stdout.split() == ["5", "False"]


def test_a_signed_note_s_make_a_copy_opens_the_tab_on_it_and_saves_it(
        qtbot: QtBot, main_window: MainWindow, worker: Worker, tmp_path: Path) -> None:
    from ui.notes.note_window import NoteWindow

    tab = open_reports(qtbot, main_window)
    chart = main_window.chart_view.chart
    assert chart is not None
    note = next(n for n in chart.notes if n.signed)  # the oldest: not the list's first
    main_window.open_note(note.id, chart.client.id)
    qtbot.waitUntil(lambda: any(w.isVisible() and w.note_id == note.id
                                for w in main_window.findChildren(NoteWindow)),
                    timeout=10_000)
    editor = next(w for w in main_window.findChildren(NoteWindow)
                  if w.note_id == note.id).editor
    qtbot.waitUntil(lambda: editor.copy_button.isVisibleTo(editor), timeout=10_000)
    main_window.chart_view.tabs.setCurrentIndex(0)  # the therapist was elsewhere
    editor.copy_button.click()
    assert main_window.chart_view.tabs.currentWidget() is tab
    assert tab.kind.currentData() == "note" and tab.note_choice.currentData() == note.id
    # A note is of its own day: no period to choose, and no sections or comment.
    assert tab.note_choice.isVisibleTo(tab) and not tab.start.isVisibleTo(tab)
    assert tab.private.isVisibleTo(tab) and not tab.sections["summary"].isVisibleTo(tab)
    generate(qtbot, tab)
    assert tab.pages.text().startswith("Copy of a signed note")
    words = save_and_read(qtbot, tab, tmp_path, "C-0001 note report")
    day = f"{note.session_date.day} {note.session_date:%b %Y}"
    assert "Copy of a signed note" in words and f"The note of {day}, as signed" in words
    qtbot.waitUntil(lambda: bool(worker.run(
        lambda b: b.audit.events(action_prefix="report.saved"))), timeout=5_000)
    newest = worker.run(lambda b: b.audit.trail(limit=1)).entries[0]
    assert newest.detail.split(";")[0] == f"Copy of a signed note of {day}"


def test_a_client_without_a_signed_note_has_none_to_copy(
        qtbot: QtBot, main_window: MainWindow, worker: Worker) -> None:
    from models.inputs import ClientInput

    with qtbot.waitSignal(main_window.clients_loaded, timeout=10_000):
        added = worker.run(lambda b: b.clients.create(
            ClientInput(name="Nothing Signed"), actor_id=None)).value
    tab = open_reports(qtbot, main_window, added.record_number)
    tab.choose_kind("note")
    assert not tab.note_choice.isEnabled()
    assert tab.note_choice.currentText() == "No signed note yet"
    tab.generate_button.click()
    assert tab.problems.text() == "Choose the signed note to copy." and tab.pdf is None


def test_two_notes_of_one_kind_on_one_day_are_told_apart_by_their_start(
        qtbot: QtBot, main_window: MainWindow, worker: Worker) -> None:
    from models.inputs import ClientInput
    from tests.conftest import TODAY
    from tests.unit.test_notes_service import COMMON

    doc = worker.run(lambda b: b.practice.clinician())
    assert doc is not None
    with qtbot.waitSignal(main_window.clients_loaded, timeout=10_000):
        added = worker.run(lambda b: b.clients.create(
            ClientInput(name="Twice Seen"), actor_id=None)).value
    for start in ("09:00", "15:30"):
        note = worker.run(lambda b: b.notes.create(added.id, "general", author_id=doc.id,
                                                   session_date=TODAY)).value
        content = {**COMMON, "start_time": start, "data": "Seen.", "assessment": "Steady.",
                   "plan": "Weekly.", "session_date": TODAY.isoformat()}
        worker.run(lambda b, n=note.id, c=content: b.notes.save_draft(n, c))
        worker.run(lambda b, n=note.id: b.notes.sign(n, clinician_id=doc.id))
    tab = open_reports(qtbot, main_window, added.record_number)
    tab.choose_kind("note")
    qtbot.waitUntil(lambda: tab.note_choice.count() == 2, timeout=10_000)
    day = f"{TODAY.day} {TODAY:%b %Y}"
    assert sorted(tab.note_choice.itemText(i) for i in range(2)) == [
        f"{day}  ·  General integration  ·  09:00", f"{day}  ·  General integration  ·  15:30"]
