"""A vault open read-only (its file marked read-only), screen by screen: everything can be
read, and nothing offers a change that the vault would refuse. Before, the targets' form,
the parts map, the measures and a draft took the change, and said only when it was saved
that it was not; saving or printing a report wrote the file and then raised the audit
trail's refusal as a bug."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from models.api import Backend
from ui.chart.chart_view import TAB_NAMES
from ui.measures.entry_dialog import MeasureEntryDialog
from ui.notes.note_window import NoteWindow
from ui.reports.reports_tab import ReportsTab
from ui.shell.main_window import MainWindow


def _boxes(window: QWidget) -> list[QMessageBox]:
    return [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def _said_read_only(window: QWidget) -> None:
    """One box says the vault is read-only and why; it is closed for the next step."""
    boxes = _boxes(window)
    assert len(boxes) == 1
    assert "is open read-only: the vault file is marked read-only." in boxes[0].text()
    assert "nothing can be changed" in boxes[0].text()
    boxes[0].accept()


def _client(worker: Any, best: Any) -> int:
    def choose(b: Backend) -> int:
        charts = [b.clients.chart(c.id) for c in b.clients.summaries()]
        return max(charts, key=best).client.id
    return int(worker.run(choose))


def _show(qtbot: QtBot, window: MainWindow, client_id: int, tab: str) -> None:
    window.client_list.show_discharged.setChecked(True)
    with qtbot.waitSignal(window.chart_shown, timeout=10_000):
        assert window.client_list.select_client(client_id)
    window.chart_view.tabs.setCurrentIndex(TAB_NAMES.index(tab))


def test_the_targets_form_shows_a_target_and_takes_no_change(
        qtbot: QtBot, read_only_window: MainWindow, worker: Any) -> None:
    window = read_only_window
    assert window.vault_status.text().endswith("Unlocked (read-only)")
    client_id = _client(worker, lambda c: len(c.targets))
    tab = window.targets_tab
    with qtbot.waitSignal(tab.targets_shown, timeout=10_000):
        _show(qtbot, window, client_id, "Targets")
    target = tab.current_target
    assert target is not None
    form = tab.form
    assert form.isEnabled() and form.label.text() == target.label  # readable, not greyed
    qtbot.keyClicks(form.label, "changed")
    kind = form.kind.currentIndex()
    qtbot.keyClick(form.kind, Qt.Key.Key_Down)
    assert form.label.text() == target.label and form.kind.currentIndex() == kind
    assert not tab.save_button.isVisibleTo(tab) and not tab.revert_button.isVisibleTo(tab)
    tab.new_target()
    _said_read_only(window)
    assert tab.detail_title.text() == target.label  # no empty form for a new one


def test_the_parts_map_is_shown_and_not_edited(
        qtbot: QtBot, read_only_window: MainWindow, worker: Any) -> None:
    window = read_only_window
    client_id = _client(worker, lambda c: len(c.parts))
    tab = window.parts_tab
    with qtbot.waitSignal(tab.snapshots_loaded, timeout=10_000):
        _show(qtbot, window, client_id, "Parts")
    editor = tab.editor
    assert not tab.showing_history and editor.scene.parts  # today's map, drawn
    assert editor.read_only
    for name in ("add", "connect", "arrange"):
        assert not editor.actions_by_name[name].isEnabled()
    assert editor.actions_by_name["save_image"].isEnabled()
    item = next(iter(editor.scene.parts.values()))
    assert not item.flags() & item.GraphicsItemFlag.ItemIsMovable
    assert tab.details.text() == "Choose a part here or on the map."  # no word of editing


def test_measures_are_shown_and_none_is_entered(
        qtbot: QtBot, read_only_window: MainWindow, worker: Any) -> None:
    window = read_only_window
    _show(qtbot, window, _client(worker, lambda c: len(c.administrations)), "Measures")
    tab, _sparklines = window.measures
    assert tab.open_entry() is None
    _said_read_only(window)
    assert tab.open_custom() is None
    _said_read_only(window)
    assert not [d for d in window.findChildren(MeasureEntryDialog) if d.isVisible()]


def test_a_draft_opens_to_be_read_and_a_signed_note_takes_no_addendum(
        qtbot: QtBot, read_only_window: MainWindow, worker: Any) -> None:
    window = read_only_window

    def notes(b: Backend) -> tuple[int, int, int]:
        for summary in b.clients.summaries():
            chart = b.clients.chart(summary.id)
            drafts = [n.id for n in chart.notes if not n.signed]
            signed = [n.id for n in chart.notes if n.signed]
            if drafts and signed:
                return summary.id, drafts[0], signed[0]
        raise AssertionError("the demo has a client with a draft and a signed note")

    client_id, draft_id, signed_id = worker.run(notes)
    window.open_note(draft_id, client_id)
    qtbot.waitUntil(lambda: any(w.isVisible() for w in window.findChildren(NoteWindow)),
                    timeout=10_000)
    note_window = next(w for w in window.findChildren(NoteWindow) if w.isVisible())
    editor = note_window.editor
    qtbot.waitUntil(lambda: editor.form is not None and editor.note is not None,
                    timeout=10_000)
    form = editor.form
    assert form is not None and form.is_read_only()
    for button in (editor.save_button, editor.sign_button, editor.discard_button,
                   editor.change_dose_button):
        assert not button.isVisibleTo(editor)
    assert "open read-only" in editor.save_state.text()
    editor.sign()  # Ctrl+Enter
    _said_read_only(window)
    assert not editor.is_dirty()
    note_window.close()

    window.open_note(signed_id, client_id)
    qtbot.waitUntil(lambda: any(w.isVisible() and w.note_id == signed_id
                                for w in window.findChildren(NoteWindow)), timeout=10_000)
    editor = next(w for w in window.findChildren(NoteWindow) if w.isVisible()).editor
    qtbot.waitUntil(lambda: editor.addendum_button.isVisibleTo(editor), timeout=10_000)
    qtbot.mouseClick(editor.addendum_button, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    _said_read_only(window)


def test_a_report_is_previewed_but_neither_saved_nor_printed(
        qtbot: QtBot, read_only_window: MainWindow, worker: Any, tmp_path: Path) -> None:
    """A report that leaves the vault is recorded in its audit trail, which a read-only
    vault cannot write: the report is refused before its file is written."""
    window = read_only_window
    _show(qtbot, window, _client(worker, lambda c: len(c.notes)), "Reports")
    tab = window.chart_view.reports
    assert isinstance(tab, ReportsTab)
    with qtbot.waitSignal(tab.generated, timeout=60_000):
        tab.generate_button.click()
    asked: list[str] = []
    tab.choose_path = lambda suggested: asked.append(suggested) or str(tmp_path / "r.pdf")
    tab.choose_printer = lambda _printer: asked.append("printer") is not None
    for button in (tab.save_button, tab.print_button):
        button.click()
        qtbot.waitUntil(lambda: "audit trail" in tab.status.text(), timeout=10_000)
        assert "is open read-only: the vault file is marked read-only." in tab.status.text()
        tab.status.clear()
    assert not asked and not list(tmp_path.glob("*.pdf"))
    assert not worker.run(lambda b: b.audit.events(action_prefix="report."))


def test_the_empty_page_offers_no_new_client(qtbot: QtBot,
                                             read_only_window: MainWindow) -> None:
    empty = read_only_window.chart_view.empty
    qtbot.waitUntil(lambda: "New client" not in empty.text(), timeout=5_000)
    assert empty.text().startswith("Choose a client on the left")


def test_a_course_is_not_changed(qtbot: QtBot, read_only_window: MainWindow,
                                 worker: Any) -> None:
    client_id = _client(worker, lambda chart: len(chart.courses))
    _show(qtbot, read_only_window, client_id, "Overview")
    card = read_only_window.chart_view.overview.cards[0]
    QTimer.singleShot(0, card.edit.click)
    qtbot.waitUntil(lambda: bool(_boxes(read_only_window)), timeout=5_000)
    _said_read_only(read_only_window)
