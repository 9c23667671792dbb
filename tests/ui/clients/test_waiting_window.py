"""What waits, across the practice: opened from the line under the client list or the
View menu, read on the worker, kept current by each write, and each item opened."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from models.dto import WaitingItem, Waits
from models.formatting import counted, date_text
from models.inputs import MeasureInput
from models.vocabulary import MODALITIES
from tests.conftest import TODAY
from tests.ui.conftest import Worker, dose_left_without_its_note
from tests.unit.test_notes_service import COMMON
from ui.clients.client_list import WAITING_LINK
from ui.clients.waiting_window import WaitingModel, WaitingWindow
from ui.notes.note_window import NoteWindow
from ui.shell.main_window import MainWindow


def _opened(qtbot: QtBot, window: MainWindow) -> WaitingWindow:
    """Clicks the line under the client list, and waits for the list to arrive."""
    line = window.client_list.waiting
    assert line.isVisible() and WAITING_LINK in line.text()
    window.show_waiting()  # created on first use, so that its signal can be waited on
    waiting = window._waiting
    assert waiting is not None
    qtbot.waitUntil(lambda: waiting.model.rowCount() > 0, timeout=10_000)
    waiting.hide()
    with qtbot.waitSignal(waiting.shown, timeout=10_000):
        line.linkActivated.emit(WAITING_LINK)  # what a click on the line sends
    assert waiting.isVisible()
    return waiting


def _rows(waiting: WaitingWindow) -> list[tuple[str, ...]]:
    return [tuple(waiting.proxy.index(r, c).data() for c in range(4))
            for r in range(waiting.proxy.rowCount())]


def _first_quiet_client(window: MainWindow) -> int:
    panel = window.client_list
    return next(c.id for c in (panel.model.client_at(r) for r in range(panel.model.rowCount()))
                if c.status == "active" and not (c.open_followups or c.unsigned_notes))


def test_the_line_under_the_list_opens_every_note_to_sign_and_enter_opens_one(
    qtbot: QtBot, main_window: MainWindow, worker: Worker, qtmodeltester: Any,
) -> None:
    waiting = _opened(qtbot, main_window)
    expected: list[WaitingItem] = worker.run(lambda b: b.clients.waiting())
    assert expected, "the demo practice has drafts"
    assert [waiting.item_at(r) for r in range(waiting.proxy.rowCount())] == expected
    qtmodeltester.check(waiting.model)
    qtmodeltester.check(waiting.proxy)
    first = expected[0]
    assert _rows(waiting)[0] == (
        f"{first.client_name} · {first.record_number}", date_text(first.day),
        f"{MODALITIES.label(first.template_id)} note to sign",
        counted((TODAY - first.day).days, "day"))
    assert all(row[2].endswith("note to sign") for row in _rows(waiting))
    # The line under the list counts what the window lists.
    count = sum(1 for item in expected if not item.is_followup)
    assert f"{count} note{'s' if count > 1 else ''} to sign" in waiting.summary.text()
    assert f"{count} note" in main_window.client_list.waiting.text()
    waiting.view.setFocus()
    waiting.view.selectRow(0)
    qtbot.keyClick(waiting.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: first.note_id in main_window._note_windows, timeout=10_000)
    note_window = main_window._note_windows[first.note_id]
    assert isinstance(note_window, NoteWindow)
    qtbot.waitUntil(lambda: note_window.editor.note is not None, timeout=10_000)


def test_a_flag_comes_first_enter_shows_the_overview_and_a_signed_note_takes_it_away(
    qtbot: QtBot, main_window: MainWindow, worker: Worker,
) -> None:
    waiting = _opened(qtbot, main_window)
    before = waiting.proxy.rowCount()
    client_id = _first_quiet_client(main_window)
    day = TODAY - dt.timedelta(days=3)
    with qtbot.waitSignal(waiting.shown, timeout=10_000):
        worker.run(lambda b: b.measures.record(client_id, MeasureInput(
            "phq9", day, "integration", {i: 1 for i in range(1, 10)},
            repeat_confirmed=True), actor_id=None))
    assert waiting.proxy.rowCount() == before + 1
    flag = waiting.item_at(0)
    assert flag.client_id == client_id and flag.is_followup
    assert _rows(waiting)[0][1:] == (
        date_text(day), "Safety follow-up: PHQ-9 item 9 = 1 (Thoughts of death or self-harm)",
        "3 days")
    assert waiting.summary.text().index("1 safety follow-up open") \
        < waiting.summary.text().index("to sign")
    assert "risk check answers it" in waiting.proxy.index(0, WaitingModel.WHAT).data(
        Qt.ItemDataRole.ToolTipRole)
    # Enter on the follow-up shows the client's Overview, where it is answered.
    main_window.chart_view.tabs.setCurrentIndex(1)
    waiting.view.setFocus()
    waiting.view.selectRow(0)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        qtbot.keyClick(waiting.view, Qt.Key.Key_Return)
    assert main_window.client_list.selected_id == client_id
    assert main_window.chart_view.tabs.currentIndex() == 0
    overview = main_window.chart_view.overview
    qtbot.waitUntil(lambda: overview.followups.isVisible(), timeout=10_000)
    # The next note, signed with its risk check answered, takes the flag off the list.
    doc = worker.run(lambda b: b.practice.clinician())
    assert doc is not None
    with qtbot.waitSignal(waiting.shown, timeout=10_000):
        note = worker.run(lambda b: b.notes.create(client_id, "general", author_id=doc.id,
                                                   session_date=TODAY)).value
    assert waiting.proxy.rowCount() == before + 2  # the flag, and the new draft
    content = {**COMMON, "data": "Slept.", "assessment": "Steady.", "plan": "Weekly.",
               "session_date": TODAY.isoformat()}
    worker.run(lambda b: b.notes.save_draft(note.id, content))
    with qtbot.waitSignal(waiting.shown, timeout=10_000):
        worker.run(lambda b: b.notes.sign(note.id, clinician_id=doc.id))
    assert waiting.proxy.rowCount() == before
    assert all(item.client_id != client_id for item in
               (waiting.item_at(r) for r in range(waiting.proxy.rowCount())))


def test_lock_clears_the_list_and_the_menu_opens_it_again(
    qtbot: QtBot, main_window: MainWindow,
) -> None:
    waiting = _opened(qtbot, main_window)
    names = {waiting.item_at(r).client_name for r in range(waiting.proxy.rowCount())}
    main_window.lock()
    assert not waiting.isVisible() and waiting.model.rowCount() == 0
    assert not any(name in waiting.summary.text() for name in names)
    assert not main_window.waiting_action.isEnabled()
    main_window.show_waiting()  # nothing while locked
    assert not waiting.isVisible()


def test_nothing_waiting_is_said_in_words(qtbot: QtBot, main_window: MainWindow,
                                          worker: Worker) -> None:
    waiting = _opened(qtbot, main_window)
    drafts = [waiting.item_at(r).note_id for r in range(waiting.proxy.rowCount())]
    for note_id in drafts:
        assert note_id is not None
        worker.run(lambda b, n=note_id: b.notes.discard_draft(n, actor_id=None))
    qtbot.waitUntil(lambda: waiting.model.rowCount() == 0, timeout=10_000)
    assert waiting.summary.text().startswith("Nothing waits")
    assert waiting.view.isHidden()
    qtbot.waitUntil(lambda: main_window.client_list.waiting.isHidden(), timeout=10_000)
    # The menu still opens it, on the same words.
    waiting.hide()
    with qtbot.waitSignal(waiting.shown, timeout=10_000):
        main_window.waiting_action.trigger()
    assert waiting.isVisible() and waiting.summary.text().startswith("Nothing waits")



def test_a_dose_without_its_note_is_written_from_the_list_and_integration_is_listed_last(
    qtbot: QtBot, main_window: MainWindow, worker: Worker,
) -> None:
    waiting = _opened(qtbot, main_window)
    client_id, dose_id = dose_left_without_its_note(worker)
    # Each write reads the list again; the discard's read is the last.
    qtbot.waitUntil(lambda: any(waiting.item_at(r).kind is Waits.TO_WRITE
                                for r in range(waiting.proxy.rowCount())), timeout=10_000)
    items = [waiting.item_at(r) for r in range(waiting.proxy.rowCount())]
    assert items == worker.run(lambda b: b.clients.waiting())
    mine = [(row, item) for row, item in enumerate(items) if item.client_id == client_id]
    assert [item.kind for _row, item in mine] == [Waits.TO_WRITE, Waits.TO_SIGN,
                                                  Waits.INTEGRATION]
    (write_row, _), _, (due_row, _) = mine
    assert items[-1].kind is Waits.INTEGRATION  # after every note, whatever its date
    assert _rows(waiting)[write_row][2:] == ("Dosing note to write: D1", "2 days")
    assert _rows(waiting)[due_row][2] == "Integration after D1: 1 of the 2 sessions planned"
    tip = waiting.proxy.index(due_row, WaitingModel.WHAT).data(Qt.ItemDataRole.ToolTipRole)
    assert "The course plans 2 integration sessions after D1." in tip and "Overview" in tip
    summary = waiting.summary.text()
    assert "1 dosing note to write" in summary and "1 dose awaiting integration" in summary
    # The line under the client list counts the same, and the client's name says it.
    line = main_window.client_list.waiting
    qtbot.waitUntil(lambda: "1 dose awaiting integration" in line.text(), timeout=10_000)
    assert "1 dosing note to write" in line.text()
    assert main_window.client_list.waiting_words(client_id) == (
        "1 note to sign, of 31 Oct 2026; 1 dosing note to write; 1 dose awaiting integration")
    assert main_window.client_list.waiting_words(client_id, with_integration=False) == (
        "1 note to sign, of 31 Oct 2026; 1 dosing note to write")
    # Enter on the dose starts its note, on that dose.
    waiting.view.setFocus()
    waiting.view.selectRow(write_row)
    with qtbot.waitSignal(waiting.shown, timeout=10_000):
        qtbot.keyClick(waiting.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(main_window._note_windows) == 1, timeout=10_000)
    note_window = next(iter(main_window._note_windows.values()))
    qtbot.waitUntil(lambda: note_window.editor.note is not None, timeout=10_000)
    note = note_window.editor.note
    assert note is not None
    assert (note.template_id, note.dosing_session_id) == ("dosing", dose_id)
    kinds = [waiting.item_at(r).kind for r in range(waiting.proxy.rowCount())
             if waiting.item_at(r).client_id == client_id]
    assert kinds == [Waits.TO_SIGN, Waits.TO_SIGN, Waits.INTEGRATION]
    # Enter on the integration shows the client's Overview, with the timeline.
    main_window.chart_view.tabs.setCurrentIndex(1)
    waiting.view.selectRow(waiting.proxy.rowCount() - 1)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        qtbot.keyClick(waiting.view, Qt.Key.Key_Return)
    assert main_window.client_list.selected_id == client_id
    assert main_window.chart_view.tabs.currentIndex() == 0
    # The course's card says it too, under its goals.
    card = main_window.chart_view.overview.cards[0]
    assert card.waiting.isVisible()
    assert card.waiting.text() == (
        "Integration after D1: 1 of the 2 sessions planned · the dose of "
        f"{date_text(TODAY - dt.timedelta(days=2))}")
    # A second session held: the card and the list say no more.
    doc = worker.run(lambda b: b.practice.clinician())
    assert doc is not None
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        worker.run(lambda b: b.notes.create(client_id, "ifs", author_id=doc.id,
                                            session_date=TODAY))
    assert not card.waiting.isVisible()
    qtbot.waitUntil(lambda: all(waiting.item_at(r).kind is not Waits.INTEGRATION
                                or waiting.item_at(r).client_id != client_id
                                for r in range(waiting.proxy.rowCount())), timeout=10_000)
