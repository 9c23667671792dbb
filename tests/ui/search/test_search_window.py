"""Search across every note from the window: Ctrl+Shift+F, words in context, Enter opens."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from models.inputs import ClientInput
from models.search_text import plain_snippet
from ui.notes.note_window import NoteWindow
from ui.search.search_window import SearchResultsModel, SearchWindow
from ui.shell.main_window import MainWindow
from ui.shell.tasks import TaskRunner

GENERAL = {
    "session_date": "2026-10-20", "start_time": "10:00", "duration_minutes": 50,
    "delivery": "in_office", "suicidal_ideation": "denied", "homicidal_ideation": "denied",
    "data": "She described the lighthouse dream and a calmer week.",
    "plan": "Keep the calm-place practice going.",
    "private_notes": "I felt wistful when the lighthouse came up.",
}


def _open(qtbot: QtBot, window: MainWindow) -> SearchWindow:
    qtbot.keyClick(window, Qt.Key.Key_F,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    search = window._search
    assert search is not None and search.isVisible()
    assert search.query.hasFocus() or search.focusWidget() is search.query
    return search


def _type(qtbot: QtBot, search: SearchWindow, words: str) -> None:
    search.query.clear()
    with qtbot.waitSignal(search.searched, timeout=10_000):
        qtbot.keyClicks(search.query, words)


def _note(worker: Any, name: str) -> tuple[int, int]:
    def write(b: Any) -> tuple[int, int]:
        client = b.clients.create(ClientInput(name=name), actor_id=None).value
        note = b.notes.create(client.id, "general", author_id=None).value
        b.notes.save_draft(note.id, GENERAL)
        return client.id, note.id
    result: tuple[int, int] = worker.run(write)
    return result


def test_search_shows_client_date_kind_and_words_and_enter_opens_the_note(
        qtbot: QtBot, main_window: MainWindow, worker: Any, qtmodeltester: Any) -> None:
    _client_id, note_id = _note(worker, "Lena Searchable")
    search = _open(qtbot, main_window)
    _type(qtbot, search, "lighthouse dream")
    assert search.proxy.rowCount() == 1
    qtmodeltester.check(search.model)
    qtmodeltester.check(search.proxy)
    row = [search.proxy.index(0, c).data() for c in range(4)]
    assert row[SearchResultsModel.CLIENT].startswith("Lena Searchable · C-")
    assert row[SearchResultsModel.DATE] == "20 Oct 2026"
    assert row[SearchResultsModel.KIND] == "General integration note"
    assert "lighthouse dream" in row[SearchResultsModel.WORDS]
    assert "1 found" in search.status.text()
    # Enter in the query moves to the results; Enter on a result opens its note.
    qtbot.keyClick(search.query, Qt.Key.Key_Return)
    assert search.view.hasFocus() or search.focusWidget() is search.view
    search.view.setCurrentIndex(search.proxy.index(0, 0))
    qtbot.keyClick(search.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any(w.isVisible() and w.note_id == note_id
                                for w in main_window.findChildren(NoteWindow)),
                    timeout=10_000)


def test_prefixes_phrases_and_a_query_that_cannot_be_read(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    _note(worker, "Lena Searchable")
    search = _open(qtbot, main_window)
    _type(qtbot, search, "lightho*")
    assert search.proxy.rowCount() == 1
    _type(qtbot, search, '"calm place"')
    assert search.proxy.rowCount() >= 1
    assert all("calm" in plain_snippet(search.hit_at(r).snippet).lower()
               for r in range(search.proxy.rowCount()))
    search.query.clear()
    qtbot.keyClicks(search.query, '"calm place')
    assert search.status.property("role") == "error"
    assert "closing quote" in search.status.text()
    qtbot.keyClicks(search.query, '"')  # put right: the message goes as it is typed
    assert search.status.property("role") != "error"


def test_private_notes_are_found_and_marked(qtbot: QtBot, main_window: MainWindow,
                                            worker: Any) -> None:
    _note(worker, "Lena Searchable")
    search = _open(qtbot, main_window)
    _type(qtbot, search, "wistful")
    assert search.proxy.rowCount() == 1
    kind = search.proxy.index(0, SearchResultsModel.KIND).data()
    assert kind.endswith("· private notes")
    assert "private process notes" in search.proxy.index(0, 0).data(
        Qt.ItemDataRole.ToolTipRole)


def test_nothing_found_is_said_and_lock_clears_the_window(
        qtbot: QtBot, main_window: MainWindow, runner: TaskRunner, worker: Any) -> None:
    _note(worker, "Lena Searchable")
    search = _open(qtbot, main_window)
    _type(qtbot, search, "zeppelin")
    assert search.proxy.rowCount() == 0 and "No note" in search.status.text()
    _type(qtbot, search, "lighthouse")
    with qtbot.waitSignal(runner.vault_closed, timeout=10_000):
        main_window.lock("manual")
    assert not search.isVisible()
    assert search.query.text() == "" and search.model.rowCount() == 0
