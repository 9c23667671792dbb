"""Delete client… from the window: a client added by mistake goes, after a question whose
default is Cancel; a record holding anything stays, and the box says what to do instead."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from models.inputs import ClientInput
from tests.ui.conftest import Worker
from ui.shell.main_window import MainWindow


def _box(qtbot: QtBot, window: MainWindow) -> QMessageBox:
    boxes: list[QMessageBox] = []

    def shown() -> bool:
        boxes[:] = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
        return len(boxes) == 1

    qtbot.waitUntil(shown, timeout=10_000)
    return boxes[0]


def _show(qtbot: QtBot, window: MainWindow, client_id: int) -> None:
    with qtbot.waitSignal(window.chart_shown, timeout=10_000):
        assert window.client_list.select_client(client_id)


def _listed(window: MainWindow) -> set[int]:
    model = window.client_list.model
    return {model.client_at(r).id for r in range(model.rowCount())}


def test_a_client_with_a_record_is_kept_and_the_box_says_why(
        qtbot: QtBot, main_window: MainWindow, worker: Worker) -> None:
    model = main_window.client_list.model
    client = next(c for c in (model.client_at(r) for r in range(model.rowCount()))
                  if c.status == "active" and c.notes)
    _show(qtbot, main_window, client.id)
    main_window.delete_client_action.trigger()
    box = _box(qtbot, main_window)
    assert box.windowTitle() == "Delete client"
    assert box.text().startswith("This record holds ") and "discharge them instead" in box.text()
    assert box.icon() == QMessageBox.Icon.Information
    box.accept()
    assert client.id in _listed(main_window)
    assert worker.run(lambda b: b.audit.events(action_prefix="client.delete")) == []


def test_a_client_added_by_mistake_is_deleted_after_the_question(
        qtbot: QtBot, main_window: MainWindow, worker: Worker) -> None:
    with qtbot.waitSignal(main_window.clients_loaded, timeout=10_000):
        added = worker.run(lambda b: b.clients.create(
            ClientInput(name="Mistaken Twice"), actor_id=None)).value
    _show(qtbot, main_window, added.id)
    main_window.delete_client_action.trigger()
    box = _box(qtbot, main_window)
    assert box.text() == f"Delete Mistaken Twice ({added.record_number})?"
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()  # Cancel keeps the client
    qtbot.waitUntil(lambda: not box.isVisible())
    assert added.id in _listed(main_window)

    main_window.delete_client_action.trigger()
    box = _box(qtbot, main_window)
    [delete] = [b for b in box.buttons()
                if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole]
    with qtbot.waitSignal(main_window.clients_loaded, timeout=10_000):
        delete.click()
    assert added.id not in _listed(main_window)
    assert main_window.chart_view.chart is None
    assert main_window.statusBar().currentMessage() == f"{added.record_number} deleted."
    [event] = worker.run(lambda b: b.audit.events(action_prefix="client.delete"))
    assert event.detail == f"record={added.record_number}"


def test_a_read_only_vault_offers_no_deletion(
        qtbot: QtBot, read_only_window: MainWindow) -> None:
    window = read_only_window
    model = window.client_list.model
    _show(qtbot, window, model.client_at(0).id)
    window.delete_client_action.trigger()
    box = _box(qtbot, window)
    assert (box.windowTitle(), box.text()) == ("Delete client", window.runner.read_only_line)
    box.accept()
