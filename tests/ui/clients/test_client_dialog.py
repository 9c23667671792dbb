"""Adding and editing a client, with the service's validation shown beside each field."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from models.inputs import typed_date
from tests.conftest import TODAY
from ui.clients.client_dialog import ClientDialog
from ui.clients.client_list import CLIENT_ID_ROLE
from ui.shell.main_window import MainWindow


def _dialog(window: MainWindow) -> ClientDialog:
    dialogs = [d for d in window.findChildren(ClientDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def _active(qtbot: QtBot, dialog: ClientDialog) -> None:
    """As a person sees it: the dialog is the active window, so its shortcuts work."""
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)


def _save(qtbot: QtBot, dialog: ClientDialog) -> None:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_new_client_needs_a_name_and_a_sensible_date(
        qtbot: QtBot, main_window: MainWindow) -> None:
    qtbot.keyClick(main_window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = _dialog(main_window)
    assert dialog.windowTitle() == "New client"
    dialog.set_text("date_of_birth", "31/02/1984")
    _save(qtbot, dialog)
    assert dialog.errors["name"].isVisible()
    assert "required" in dialog.errors["name"].text()
    assert "21 Mar 1984" in dialog.errors["date_of_birth"].text()
    dialog.set_text("name", "Wren Newcomer")
    dialog.set_text("date_of_birth", "2099-01-01")
    _save(qtbot, dialog)
    assert not dialog.errors["name"].isVisible()
    assert "future" in dialog.errors["date_of_birth"].text()
    assert dialog.isVisible()
    assert main_window.client_list.model.rowCount() == 8  # nothing saved


def test_adding_a_client_selects_it_and_shows_its_chart(
        qtbot: QtBot, main_window: MainWindow) -> None:
    main_window.client_list.search.setText("no such client")
    main_window.new_client()
    dialog = _dialog(main_window)
    dialog.set_text("name", "Wren Newcomer")
    dialog.set_text("date_of_birth", "1984-03-21")
    dialog.set_text("pronouns", "they/them")
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000) as blocker:
        _save(qtbot, dialog)
    assert not dialog.isVisible()
    panel = main_window.client_list
    assert panel.model.rowCount() == 9
    assert panel.search.text() == ""  # cleared so the new client can be seen
    assert panel.selected_id == blocker.args[0]
    view = main_window.chart_view
    assert view.name.text() == "Wren Newcomer"
    assert "they/them" in view.details.text() and "born 21 Mar 1984" in view.details.text()
    assert view.overview.empty.isVisible()  # no course of care yet, said plainly
    assert main_window.windowTitle() == "practice.iwvault — Integration Workstation"


def test_editing_a_client_updates_list_and_chart(qtbot: QtBot, main_window: MainWindow) -> None:
    panel = main_window.client_list
    first = panel.proxy.index(0, 0)
    client_id = first.data(CLIENT_ID_ROLE)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        panel.select_client(client_id)
    qtbot.keyClick(main_window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = _dialog(main_window)
    assert dialog.windowTitle() == "Edit client"
    assert dialog.text("name") == main_window.chart_view.chart.client.name
    dialog.set_text("name", "")
    _save(qtbot, dialog)
    assert dialog.errors["name"].isVisible()
    dialog.set_text("name", "Renamed Example")
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        _save(qtbot, dialog)
    assert main_window.chart_view.name.text() == "Renamed Example"
    # The list is read after the chart, on the same worker: it follows at once.
    qtbot.waitUntil(lambda: "Renamed Example" in [
        panel.model.client_at(r).name for r in range(panel.model.rowCount())], timeout=10_000)
    assert panel.selected_id == client_id


def test_dates_are_optional_and_read_as_people_type_them() -> None:
    assert typed_date("", today=TODAY) == (None, "")
    assert typed_date(" 1984-03-21 ", today=TODAY)[0] is not None
    assert typed_date("21 Mar 1984", today=TODAY) == typed_date("21/03/1984", today=TODAY)
    assert typed_date("1984-02-30", today=TODAY)[1].startswith("Write the date")


def test_messages_follow_the_fields_as_they_change_and_ctrl_enter_saves(
        qtbot: QtBot, main_window: MainWindow) -> None:
    main_window.new_client()
    dialog = _dialog(main_window)
    _active(qtbot, dialog)
    dialog.set_text("date_of_birth", "sometime in 84")
    dialog.fields["pronouns"].setFocus()
    qtbot.keyClick(dialog.fields["pronouns"], Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier)
    assert dialog.errors["name"].isVisible() and dialog.errors["date_of_birth"].isVisible()
    # The whole message shows: the dialog grows to the wrapped label's height.
    label = dialog.errors["date_of_birth"]
    assert label.height() >= label.heightForWidth(label.width())
    qtbot.keyClicks(dialog.fields["name"], "Wren Newcomer")
    assert not dialog.errors["name"].isVisible()  # gone as soon as it is typed
    dialog.fields["date_of_birth"].clear()
    qtbot.keyClicks(dialog.fields["date_of_birth"], "2099-01-01")
    assert "future" in dialog.errors["date_of_birth"].text()
    dialog.fields["date_of_birth"].clear()
    qtbot.keyClicks(dialog.fields["date_of_birth"], "21 Mar 1984")
    assert not dialog.errors["date_of_birth"].isVisible()
    diagnoses = dialog.fields["diagnoses"]
    diagnoses.setFocus()
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        # Ctrl+Enter saves from a field of several lines, where Enter starts a new line.
        qtbot.keyClick(diagnoses, Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible()
    assert "born 21 Mar 1984" in main_window.chart_view.details.text()


def test_a_change_to_a_read_only_vault_is_refused_plainly_not_as_a_bug(
        qtbot: QtBot, runner: Any, read_only_window: MainWindow) -> None:
    """Saving in a vault whose file is marked read-only showed "Something went wrong
    inside the application", and so did quitting. Edit client now says at once that
    nothing can be changed; a dialog that saves anyway says the refusal and stays open."""
    from PySide6.QtWidgets import QMessageBox

    window = read_only_window
    with qtbot.waitSignal(window.chart_shown, timeout=10_000):
        window.client_list.select_client(window.client_list.proxy.index(0, 0).data(
            CLIENT_ID_ROLE))
    assert window.notice.isVisible()
    for action in (window.edit_client_action, window.new_client_action,
                   window.new_note_action):
        action.trigger()
        boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
        assert len(boxes) == 1 and "open read-only" in boxes[0].text()
        assert "nothing can be changed" in boxes[0].text()
        boxes[0].accept()
    assert not [d for d in window.findChildren(ClientDialog) if d.isVisible()]
    # The backend refuses too, and the dialog says so where it was asked.
    chart = window.chart_view.chart
    assert chart is not None
    dialog = ClientDialog(runner, actor_id=None, detail=chart.client, parent=window)
    dialog.show()
    dialog.set_text("preferred_name", "Ez")
    _save(qtbot, dialog)
    qtbot.waitUntil(dialog.message.isVisible, timeout=10_000)
    assert "is open read-only: the vault file is marked read-only. Nothing was saved." in \
        dialog.message.text()
    assert dialog.isVisible() and dialog.save_button.isEnabled()
    dialog.reject()


def test_a_long_answer_shows_its_beginning_when_the_client_is_edited(
        qtbot: QtBot, runner: Any, main_window: MainWindow, worker: Any) -> None:
    """A field was filled with the cursor at its end, so a long answer showed only its
    last words. (The field that has the focus as the dialog opens has its text selected,
    as in every dialog, so typing replaces it.)"""
    from models.inputs import ClientInput

    contact = ("Sister: Maria del Carmen Fernandez-Rodriguez, +34 600 000 000, evenings "
               "only, speaks Spanish")
    detail = worker.run(lambda b: b.clients.create(
        ClientInput(name="Ada Example", emergency_contact=contact), actor_id=None).value)
    dialog = ClientDialog(runner, actor_id=None, detail=detail, parent=main_window)
    qtbot.addWidget(dialog)
    dialog.show()
    field = dialog.fields["emergency_contact"]
    assert dialog.text("emergency_contact") == contact
    assert isinstance(field, QLineEdit) and field.cursorPosition() == 0


def test_escape_asks_before_typed_details_go_and_the_lock_asks_nothing(
        qtbot: QtBot, main_window: MainWindow, runner: Any) -> None:
    """Escape took a new client's typed details away at once. Now it asks, keeping them
    the default; the lock closes the dialog and its question without a word."""
    main_window.new_client()
    dialog = _dialog(main_window)
    _active(qtbot, dialog)
    qtbot.keyClick(dialog.fields["name"], Qt.Key.Key_Escape)  # nothing typed: closes
    qtbot.waitUntil(lambda: not dialog.isVisible())
    main_window.new_client()
    dialog = _dialog(main_window)
    _active(qtbot, dialog)
    qtbot.keyClicks(dialog.fields["name"], "Wren Newcomer")
    qtbot.keyClick(dialog.fields["name"], Qt.Key.Key_Escape)
    box = dialog.confirmation()
    assert box is not None and dialog.isVisible()
    assert box.informativeText() == "The client's details you typed here are not saved."
    with qtbot.waitSignal(runner.vault_closed, timeout=10_000):
        main_window.lock("idle")
    assert not dialog.isVisible() and (not isValid(box) or not box.isVisible())
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible()]
