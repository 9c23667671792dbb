"""The client list: model checks, filtering by name or record number, keyboard use."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from models.dto import ClientSummary
from models.inputs import MeasureInput
from tests.conftest import TODAY
from tests.ui.conftest import Worker
from tests.unit.test_notes_service import COMMON
from ui.clients.client_list import ClientFilterProxy, ClientListModel, ClientListPanel
from ui.shell.main_window import MainWindow


def _summary(i: int, name: str, status: str = "active") -> ClientSummary:
    return ClientSummary(i, f"C-{i:04d}", name, "", status, 3, 9, dt.date(2026, 10, i), 0, 0)


CLIENTS = [
    _summary(1, "Ada Example"), _summary(2, "Basil Sample", "discharged"),
    _summary(3, "Clementine Placeholder"), _summary(4, "Dorian Sample"),
]


def _shown(panel: ClientListPanel) -> list[str]:
    proxy = panel.proxy
    return [proxy.index(r, ClientListModel.RECORD).data() for r in range(proxy.rowCount())]


def test_models_pass_the_model_tester(qtmodeltester: Any) -> None:
    model = ClientListModel()
    model.set_clients(CLIENTS)
    qtmodeltester.check(model)
    proxy = ClientFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_show_discharged(True)
    proxy.sort(ClientListModel.LAST_SEEN, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)
    proxy.set_search("sample")
    qtmodeltester.check(proxy)


def test_filter_by_name_or_record_number_and_show_discharged(qtbot: QtBot) -> None:
    panel = ClientListPanel()
    qtbot.addWidget(panel)
    panel.set_clients(CLIENTS)
    assert _shown(panel) == ["C-0001", "C-0003", "C-0004"]  # active only, by name
    assert panel.count.text() == "3 clients · 1 discharged, not shown"
    qtbot.keyClicks(panel.search, "sam")
    assert _shown(panel) == ["C-0004"]
    panel.show_discharged.setChecked(True)
    assert _shown(panel) == ["C-0002", "C-0004"]
    panel.search.clear()
    qtbot.keyClicks(panel.search, "c-0003")
    assert _shown(panel) == ["C-0003"]
    panel.search.setText("clem place")  # every word must match
    assert _shown(panel) == ["C-0003"]
    panel.search.setText("nobody")
    assert _shown(panel) == [] and panel.count.text() == "No client matches."


def test_keyboard_moves_from_the_find_box_into_the_list(qtbot: QtBot) -> None:
    panel = ClientListPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)
    panel.set_clients(CLIENTS)
    panel.focus_search()
    with qtbot.waitSignal(panel.client_selected) as blocker:
        qtbot.keyClick(panel.search, Qt.Key.Key_Down)
    assert blocker.args == [1]
    assert panel.view.hasFocus()
    with qtbot.waitSignal(panel.client_selected) as blocker:
        qtbot.keyClick(panel.view, Qt.Key.Key_Down)
    assert blocker.args == [3]
    # Typing narrows the list to the match; Enter goes to it.
    panel.focus_search()
    with qtbot.waitSignal(panel.client_selected) as blocker:
        qtbot.keyClicks(panel.search, "dorian")
    assert blocker.args == [4]
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert panel.view.hasFocus()
    assert panel.view.currentIndex().data() == "Dorian Sample"


def test_selection_survives_a_reload(qtbot: QtBot) -> None:
    panel = ClientListPanel()
    qtbot.addWidget(panel)
    panel.set_clients(CLIENTS)
    panel.select_client(3)
    with qtbot.assertNotEmitted(panel.client_selected):
        panel.set_clients(list(reversed(CLIENTS)))
    assert panel.selected_id == 3
    assert panel.view.currentIndex().data() == "Clementine Placeholder"


def test_ctrl_f_finds_a_client_in_the_demo_vault(qtbot: QtBot, main_window: MainWindow) -> None:
    panel = main_window.client_list
    total = panel.model.rowCount()
    assert total == 8
    qtbot.keyClick(main_window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert panel.search.hasFocus()
    first = panel.model.client_at(0)
    qtbot.keyClicks(panel.search, first.record_number)
    assert panel.proxy.rowCount() in (0, 1)
    if first.status == "discharged":
        panel.show_discharged.setChecked(True)
    assert panel.proxy.rowCount() == 1
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000) as blocker:
        qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert blocker.args == [first.id]
    assert main_window.chart_view.name.text().startswith(first.name)


def _open_cell(panel: ClientListPanel, client_id: int) -> Any:
    row = panel.model.row_of(client_id)
    assert row is not None
    return panel.model.index(row, ClientListModel.NAME)


def _waiting(panel: ClientListPanel, client_id: int) -> str:
    """What the name's tooltip says beyond the session counts."""
    tip = _open_cell(panel, client_id).data(Qt.ItemDataRole.ToolTipRole)
    return "\n".join(str(tip).splitlines()[1:])


def test_the_list_marks_what_waits_at_the_end_of_the_name(qtbot: QtBot) -> None:
    panel = ClientListPanel()
    qtbot.addWidget(panel)
    panel.set_clients(CLIENTS)
    assert panel.waiting.isHidden()
    assert _open_cell(panel, 1).data(Qt.ItemDataRole.DecorationRole) is None
    waiting = [replace(CLIENTS[0], unsigned_notes=12), replace(CLIENTS[1], open_followups=1),
               *CLIENTS[2:]]
    panel.set_clients(waiting)
    ada = _open_cell(panel, 1)
    assert _waiting(panel, 1) == "12 notes to sign"
    assert ada.data(Qt.ItemDataRole.AccessibleTextRole) == "Ada Example; 12 notes to sign"
    assert ada.data(Qt.ItemDataRole.DecorationRole) is not None
    assert _waiting(panel, 2) == ("1 safety follow-up open: the next note's risk check "
                                  "answers it")
    assert _open_cell(panel, 3).data(Qt.ItemDataRole.DecorationRole) is None
    # Basil is discharged and hidden, but an open follow-up is still counted, and said hidden.
    assert panel.waiting.text().count("·") == 2
    assert "1 safety follow-up open" in panel.waiting.text()
    assert "12 notes to sign" in panel.waiting.text()
    assert "1 client not shown" in panel.waiting.text()
    panel.show_discharged.setChecked(True)
    assert "not shown" not in panel.waiting.text()
    # The marks sit at the end of the name, not before it: names stay in one line down.
    option = QStyleOptionViewItem()
    panel.view.itemDelegateForColumn(ClientListModel.NAME).initStyleOption(
        option, panel.proxy.mapFromSource(ada))
    assert option.decorationPosition == QStyleOptionViewItem.Position.Right
    assert option.decorationSize.width() == 16  # one mark: no room kept for another


def test_tab_leaves_the_list_for_the_next_control(qtbot: QtBot) -> None:
    """Arrows move in a read-only table; Tab goes on (it stepped through every cell of
    every client first). Every read-only table is made by read_only_table, as this one."""
    panel = ClientListPanel()
    qtbot.addWidget(panel)
    panel.set_clients(CLIENTS)
    panel.show()
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)
    panel.view.setFocus()
    panel.view.setCurrentIndex(panel.proxy.index(0, 0))
    qtbot.keyClick(panel.view, Qt.Key.Key_Down)
    assert panel.view.hasFocus() and panel.view.currentIndex().row() == 1
    qtbot.keyClick(panel.view, Qt.Key.Key_Tab)
    assert not panel.view.hasFocus()


def test_a_dosing_note_to_write_is_owed_as_a_note_to_sign_is_and_integration_is_not_marked(
        qtbot: QtBot) -> None:
    """The amber disc counts the notes owed, to sign or to write; a dose awaiting its
    integration sessions is the course going as planned: said in the tooltip, not marked."""
    from ui.clients.client_list import _marks

    panel = ClientListPanel()
    qtbot.addWidget(panel)
    owed = replace(CLIENTS[0], unsigned_notes=2, notes_to_write=1)
    planned = replace(CLIENTS[2], awaiting_integration=1)
    panel.set_clients([owed, CLIENTS[1], planned, *CLIENTS[3:]])
    assert [label for _colour, label in _marks(owed)] == ["3"]
    assert _waiting(panel, owed.id).startswith("2 notes to sign")
    assert "1 dosing note to write" in _waiting(panel, owed.id)
    assert _open_cell(panel, planned.id).data(Qt.ItemDataRole.DecorationRole) is None
    assert "awaiting integration" in _waiting(panel, planned.id)


def test_a_flag_entered_and_a_note_signed_change_the_marks_in_the_window(
    qtbot: QtBot, main_window: MainWindow, worker: Worker,
) -> None:
    panel = main_window.client_list
    client = next(c for c in (panel.model.client_at(r) for r in range(panel.model.rowCount()))
                  if c.status == "active" and not (c.open_followups or c.unsigned_notes))
    before = panel.waiting.text()
    day = TODAY - dt.timedelta(days=1)
    worker.run(lambda b: b.measures.record(client.id, MeasureInput(
        "phq9", day, "integration", {i: 1 for i in range(1, 10)}, repeat_confirmed=True),
        actor_id=None))
    qtbot.waitUntil(lambda: "safety follow-up" in _waiting(panel, client.id), timeout=10_000)
    assert panel.waiting.text() != before and "safety follow-up" in panel.waiting.text()
    # The next note, signed with its risk check answered, closes it.
    doc = worker.run(lambda b: b.practice.clinician())
    assert doc is not None
    note = worker.run(lambda b: b.notes.create(client.id, "general", author_id=doc.id,
                                               session_date=TODAY)).value
    qtbot.waitUntil(lambda: "1 note to sign" in _waiting(panel, client.id), timeout=10_000)
    content = {**COMMON, "data": "Slept.", "assessment": "Steady.", "plan": "Weekly.",
               "session_date": TODAY.isoformat()}
    worker.run(lambda b: b.notes.save_draft(note.id, content))
    worker.run(lambda b: b.notes.sign(note.id, clinician_id=doc.id))
    qtbot.waitUntil(lambda: _waiting(panel, client.id) == "", timeout=10_000)
    assert _open_cell(panel, client.id).data(Qt.ItemDataRole.DecorationRole) is None
