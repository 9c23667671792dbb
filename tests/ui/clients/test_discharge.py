"""Discharge and reactivate from the window; the list's Show discharged then means it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ui.clients.status_dialog import StatusChangeDialog
from ui.shell.main_window import MainWindow


def _active(window: MainWindow) -> Any:
    model = window.client_list.model
    return next(model.client_at(r) for r in range(model.rowCount())
                if model.client_at(r).status == "active")


def _dialog(window: MainWindow) -> StatusChangeDialog:
    [dialog] = [d for d in window.findChildren(StatusChangeDialog) if d.isVisible()]
    return dialog


def test_discharge_with_a_reason_hides_the_client_and_empties_the_chart(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    panel = main_window.client_list
    assert not panel.show_discharged.isChecked()
    client = _active(main_window)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        panel.select_client(client.id)
    assert main_window.chart_view.status_button.text() == "Discharge…"
    qtbot.mouseClick(main_window.chart_view.status_button, Qt.MouseButton.LeftButton)
    dialog = _dialog(main_window)
    assert dialog.windowTitle() == "Discharge client"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["reason"].isVisible()  # a reason is required, said at once
    qtbot.keyClicks(dialog.reason, "Course complete")
    assert not dialog.errors["reason"].isVisible()  # and gone as it is typed
    with qtbot.waitSignal(main_window.clients_loaded, timeout=10_000):
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # Enter saves
    # The list hides discharged clients, so the chart does not keep showing this one.
    assert not panel.is_shown(client.id)
    assert main_window.chart_view.chart is None
    assert "Show discharged" in main_window.chart_view.empty.text()
    detail = worker.run(lambda b: b.clients.get(client.id))
    assert detail.status == "discharged"
    assert detail.last_status_change.reason == "Course complete"
    actions = [e.action for e in worker.run(
        lambda b: b.audit.events(client_id=client.id, action_prefix="client."))]
    assert actions[-1] == "client.discharge"


def test_a_discharge_says_what_is_still_open_in_the_record(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    """A draft or an open safety follow-up is said before a discharge, which closes
    neither; a record with nothing open says nothing."""
    panel = main_window.client_list
    model = panel.model
    quiet = next(c for c in (model.client_at(r) for r in range(model.rowCount()))
                 if c.status == "active" and not (c.open_followups or c.unsigned_notes))
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        panel.select_client(quiet.id)
    main_window.change_status()
    dialog = _dialog(main_window)
    assert dialog.still_open.isHidden()
    dialog.reject()
    with qtbot.waitSignal(main_window.clients_loaded, timeout=10_000):
        worker.run(lambda b: b.notes.create(quiet.id, "general", author_id=None))
    main_window.change_status()
    dialog = _dialog(main_window)
    assert dialog.still_open.isVisible()
    assert dialog.still_open.text().startswith("Still open in this record: 1 note to sign")
    assert "does not close it" in dialog.still_open.text()
    dialog.reject()


def test_show_discharged_brings_the_client_back_and_reactivate_takes_them_into_care(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    panel = main_window.client_list
    panel.show_discharged.setChecked(True)
    model = panel.model
    gone = next(model.client_at(r) for r in range(model.rowCount())
                if model.client_at(r).status == "discharged")
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        panel.select_client(gone.id)
    assert "discharged" in main_window.chart_view.details.text()
    assert main_window.chart_view.status_button.text() == "Reactivate…"
    main_window.change_status()
    dialog = _dialog(main_window)
    assert dialog.windowTitle() == "Reactivate client"
    qtbot.keyClicks(dialog.reason, "Booster course")
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert worker.run(lambda b: b.clients.get(gone.id)).status == "active"
    assert main_window.chart_view.status_button.text() == "Discharge…"


def test_a_find_that_matches_only_discharged_clients_says_where_they_are(
        qtbot: QtBot, main_window: MainWindow) -> None:
    panel = main_window.client_list
    model = panel.model
    gone = next(model.client_at(r) for r in range(model.rowCount())
                if model.client_at(r).status == "discharged")
    panel.search.setText(gone.record_number)
    assert panel.proxy.rowCount() == 0
    assert "No client matches." in panel.count.text()
    assert "1 discharged client matches: tick Show discharged" in panel.count.text()
    panel.show_discharged.setChecked(True)
    assert panel.proxy.rowCount() == 1
    assert "discharged client" not in panel.count.text()


def test_the_chart_never_shows_a_client_the_filter_hides(
        qtbot: QtBot, main_window: MainWindow) -> None:
    panel = main_window.client_list
    client = _active(main_window)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        panel.select_client(client.id)
    panel.search.setText("no such client at all")
    assert main_window.chart_view.chart is None
    assert panel.selected_id is None
