"""Notes from the main window: new note, the note window, lock saves and reopens it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from models.api import Backend
from models.clinical.doses import dose_refs
from models.inputs import ClientInput, CourseInput
from tests.conftest import TODAY
from tests.ui.conftest import Worker, dose_left_without_its_note
from ui.chart.care import NO_NOTE_YET
from ui.chart.course_dialog import CourseDialog
from ui.chart.sessions_tab import OPEN_NOTE, WRITE_DOSE_NOTE
from ui.notes.new_note_dialog import NewNoteDialog
from ui.notes.note_window import WINDOW_TITLE, NoteWindow
from ui.shell.main_window import MainWindow
from ui.shell.tasks import TaskRunner

DEMO_PASSPHRASE = "demo vault passphrase"


def _show_busiest(qtbot: QtBot, window: MainWindow) -> int:
    window.client_list.show_discharged.setChecked(True)
    model = window.client_list.model
    rows = [model.client_at(r) for r in range(model.rowCount())]
    client_id = max(rows, key=lambda c: (c.dosing_sessions, c.notes)).id
    with qtbot.waitSignal(window.chart_shown, timeout=10_000):
        assert window.client_list.select_client(client_id)
    return client_id


def _open_windows(window: MainWindow) -> list[NoteWindow]:
    return [w for w in window.findChildren(NoteWindow) if w.isVisible()]


def test_new_note_opens_in_its_own_window_and_lock_saves_and_reopens_it(
        qtbot: QtBot, main_window: MainWindow, runner: TaskRunner, worker: Any) -> None:
    client_id = _show_busiest(qtbot, main_window)
    main_window.chart_view.tabs.setCurrentIndex(1)
    qtbot.mouseClick(main_window.chart_view.sessions.new_button, Qt.MouseButton.LeftButton)
    dialog = next(d for d in main_window.findChildren(NewNoteDialog) if d.isVisible())
    dialog.template_buttons["general"].setChecked(True)
    assert dialog.dosing_session_id() is not None  # the latest dose is preselected
    dialog.accept()
    qtbot.waitUntil(lambda: bool(_open_windows(main_window)), timeout=10_000)
    note_window = _open_windows(main_window)[0]
    assert note_window.windowTitle() == WINDOW_TITLE  # no client name in a title
    editor = note_window.editor
    qtbot.waitUntil(lambda: editor._form is not None, timeout=10_000)
    form = editor._form
    assert form is not None
    note_window.activateWindow()
    assert form.focus_field("data")
    qtbot.keyClicks(QApplication.focusWidget(), "Slept better since the dose.")
    assert editor.is_dirty()
    note_id = note_window.note_id

    with qtbot.waitSignal(runner.vault_closed, timeout=10_000):
        main_window.lock("manual")
    assert not _open_windows(main_window)
    # The draft reached the vault before it closed.
    worker.open(main_window.vault_path)
    draft = worker.run(lambda b: b.notes.get(note_id))
    assert draft.content["data"] == "Slept better since the dose."
    assert draft.status == "draft" and draft.client_id == client_id

    page = main_window.lock_panel.unlock_page
    page.passphrase.setText(DEMO_PASSPHRASE)
    with qtbot.waitSignal(main_window.unlocked, timeout=10_000):
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(_open_windows(main_window)), timeout=10_000)
    assert _open_windows(main_window)[0].note_id == note_id


def test_open_note_from_the_sessions_table(
        qtbot: QtBot, main_window: MainWindow) -> None:
    _show_busiest(qtbot, main_window)
    main_window.chart_view.tabs.setCurrentIndex(1)
    sessions = main_window.chart_view.sessions
    qtbot.waitUntil(lambda: sessions.model.rowCount() > 0)
    sessions.view.setCurrentIndex(sessions.proxy.index(0, 0))
    assert sessions.open_button.isEnabled()
    qtbot.keyClick(sessions.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(_open_windows(main_window)), timeout=10_000)
    expected = sessions.current_note_id()
    assert _open_windows(main_window)[0].note_id == expected
    # Opening it again brings the same window forward instead of a second one.
    main_window.open_note(expected)
    assert len(_open_windows(main_window)) == 1


def test_a_course_can_be_added_for_a_client(
        qtbot: QtBot, main_window: MainWindow) -> None:
    client_id = _show_busiest(qtbot, main_window)
    courses_before = len(main_window.chart_view.chart.courses)
    main_window.new_course_action.trigger()
    dialog = next(d for d in main_window.findChildren(CourseDialog) if d.isVisible())
    dialog.goals.setPlainText("Booster course")
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000) as shown:
        dialog._save()
    assert shown.args == [client_id]
    assert len(main_window.chart_view.chart.courses) == courses_before + 1


def _new_note_dialog(qtbot: QtBot, window: MainWindow, client_id: int) -> NewNoteDialog:
    with qtbot.waitSignal(window.chart_shown, timeout=10_000):
        assert window.client_list.select_client(client_id)
    window.new_note_action.trigger()
    return next(d for d in window.findChildren(NewNoteDialog) if d.isVisible())


def test_new_note_offers_first_the_note_the_client_likely_needs(
        qtbot: QtBot, main_window: MainWindow, worker: Worker) -> None:
    """A client new to the practice: preparation; a dose awaiting its integration
    sessions: the kind of the client's latest integration note (the dialog offered a
    dosing note always)."""
    client_id = worker.run(lambda b: b.clients.create(ClientInput(name="Newly Referred"),
                                                      actor_id=None).value.id)
    with qtbot.waitSignal(main_window.clients_loaded, timeout=10_000):
        main_window.reload_clients()
    dialog = _new_note_dialog(qtbot, main_window, client_id)
    assert dialog.template_id() == "preparation"
    assert dialog.focusWidget() is dialog.template_buttons["preparation"]
    dialog.reject()

    def dose_and_one_session(b: Backend) -> None:
        doc = b.practice.clinician()
        assert doc is not None
        b.care.add_course(client_id, CourseInput("spaced", TODAY - dt.timedelta(days=20)),
                          actor_id=None)
        b.notes.create(client_id, "dosing", author_id=doc.id,
                       session_date=TODAY - dt.timedelta(days=2))
        b.notes.create(client_id, "ifs", author_id=doc.id,
                       session_date=TODAY - dt.timedelta(days=1))

    worker.run(dose_and_one_session)  # the first dose plans two sessions: one is held
    with qtbot.waitSignal(main_window.clients_loaded, timeout=10_000):
        main_window.reload_clients()
    model = main_window.client_list.model
    other = next(model.client_at(r).id for r in range(model.rowCount())
                 if model.client_at(r).id != client_id)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        assert main_window.client_list.select_client(other)  # the chart is read again
    dialog = _new_note_dialog(qtbot, main_window, client_id)
    assert dialog.template_id() == "ifs"
    assert dialog.dosing_session_id() is not None  # and it follows the dose
    dialog.reject()


def test_a_draft_can_be_discarded_from_its_window(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    _show_busiest(qtbot, main_window)
    sessions_before = len(main_window.chart_view.chart.notes)
    main_window.new_note_action.trigger()
    dialog = next(d for d in main_window.findChildren(NewNoteDialog) if d.isVisible())
    dialog.template_buttons["general"].setChecked(True)
    dialog.accept()
    qtbot.waitUntil(lambda: bool(_open_windows(main_window)), timeout=10_000)
    window = _open_windows(main_window)[0]
    editor = window.editor
    qtbot.waitUntil(lambda: editor.discard_button.isVisible() and
                    editor.discard_button.isEnabled(), timeout=10_000)
    qtbot.waitUntil(lambda: len(main_window.chart_view.chart.notes) == sessions_before + 1,
                    timeout=10_000)
    editor.discard()
    box = editor.confirmation()
    assert box is not None
    # Its explanation reads as a line or two under the short question, not as a column.
    qtbot.waitExposed(box)
    explanation = box.findChild(QLabel, "qt_msgbox_informativelabel")
    assert explanation.text().startswith("What is written in it is deleted.")
    assert explanation.height() <= 2 * explanation.fontMetrics().lineSpacing() + 4
    discard = next(b for b in box.buttons() if b.text() == "Discard draft")
    with qtbot.waitSignal(editor.note_discarded, timeout=10_000):
        discard.click()
    qtbot.waitUntil(lambda: not _open_windows(main_window), timeout=10_000)
    qtbot.waitUntil(lambda: len(main_window.chart_view.chart.notes) == sessions_before,
                    timeout=10_000)


def test_a_draft_can_be_moved_to_follow_another_dose(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    _show_busiest(qtbot, main_window)
    doses = sorted(main_window.chart_view.chart.dosing_sessions,
                   key=lambda d: (d.session_date, d.id))
    assert len(doses) >= 2
    main_window.new_note_action.trigger()
    dialog = next(d for d in main_window.findChildren(NewNoteDialog) if d.isVisible())
    dialog.template_buttons["general"].setChecked(True)
    dialog.accept()
    qtbot.waitUntil(lambda: bool(_open_windows(main_window)), timeout=10_000)
    editor = _open_windows(main_window)[0].editor
    qtbot.waitUntil(lambda: editor.change_dose_button.isVisibleTo(editor), timeout=10_000)
    labels = [a.text() for a in editor.dose_menu.actions() if a.text()]
    assert labels[-1] == "Follows no dosing session"
    refs = dose_refs(main_window.chart_view.chart.courses)
    assert labels[0].startswith(f"{refs[doses[-1].id].label}  ·")  # newest first
    first = doses[0]
    with qtbot.waitSignal(editor.note_saved, timeout=10_000):
        editor.follow_dose(first)
    # The same number the Overview and the Measures tab give that dose.
    assert f"Follows {refs[first.id].label} (" in editor.dosing_label.text()
    stored = worker.run(lambda b: b.notes.get(editor.note_id))
    assert stored.dosing_session_id == first.id


def test_closing_a_note_with_unsaved_typing_saves_it_quietly(
        qtbot: QtBot, main_window: MainWindow, runner: TaskRunner, worker: Any) -> None:
    # The save runs on the worker after the window is gone: its callback must not reach the
    # deleted editor (that raised RuntimeError and showed "Something went wrong"), and the
    # list and chart must still learn that the note changed.
    _show_busiest(qtbot, main_window)
    main_window.new_note_action.trigger()
    dialog = next(d for d in main_window.findChildren(NewNoteDialog) if d.isVisible())
    dialog.template_buttons["general"].setChecked(True)
    dialog.accept()
    qtbot.waitUntil(lambda: bool(_open_windows(main_window)), timeout=10_000)
    note_window = _open_windows(main_window)[0]
    editor = note_window.editor
    qtbot.waitUntil(lambda: editor.form is not None, timeout=10_000)
    assert editor.form is not None and editor.form.focus_field("data")
    note_window.activateWindow()
    qtbot.keyClicks(QApplication.focusWidget(), "Typed just before closing.")
    note_id = note_window.note_id
    with qtbot.waitSignal(runner.data_changed, timeout=10_000):
        note_window.close()  # deleted on close: the save's callback has nowhere to go
    qtbot.waitUntil(lambda: runner.idle, timeout=10_000)
    assert worker.run(lambda b: b.notes.get(note_id)).content["data"] == \
        "Typed just before closing."


def test_a_dose_left_without_its_note_is_written_from_its_row(
        qtbot: QtBot, main_window: MainWindow, worker: Worker) -> None:
    """"No note yet": the row's button and Enter start the dose's note, on that dose, and
    the row then reads as its draft."""
    client_id, dose_id = dose_left_without_its_note(worker)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        main_window.show_client(client_id)
    main_window.chart_view.tabs.setCurrentIndex(1)
    sessions = main_window.chart_view.sessions
    qtbot.waitUntil(lambda: sessions.model.rowCount() == 2, timeout=10_000)
    row = next(r for r in range(sessions.proxy.rowCount())
               if sessions.proxy.index(r, 3).data() == NO_NOTE_YET)
    sessions.view.setFocus()
    sessions.view.setCurrentIndex(sessions.proxy.index(row, 0))
    assert sessions.open_button.text() == WRITE_DOSE_NOTE and sessions.open_button.isEnabled()
    assert "Enter" in sessions.proxy.index(row, 3).data(Qt.ItemDataRole.ToolTipRole)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        qtbot.keyClick(sessions.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(_open_windows(main_window)), timeout=10_000)
    editor = _open_windows(main_window)[0].editor
    qtbot.waitUntil(lambda: editor.note is not None, timeout=10_000)
    assert editor.note is not None
    assert (editor.note.template_id, editor.note.dosing_session_id) == ("dosing", dose_id)
    qtbot.waitUntil(lambda: sessions.model.rowCount() == 2, timeout=10_000)
    statuses = [sessions.proxy.index(r, 3).data() for r in range(sessions.proxy.rowCount())]
    assert statuses == ["Draft", "Draft"]
    sessions.view.setCurrentIndex(sessions.proxy.index(row, 0))
    assert sessions.open_button.text() == OPEN_NOTE


def test_the_lock_leaves_no_addendum_or_question_up(
        qtbot: QtBot, main_window: MainWindow, runner: TaskRunner) -> None:
    """An addendum half written, its "Discard this addendum?" open: the lock takes the note
    window down with both, and nothing is left on screen to ask."""
    client_id = _show_busiest(qtbot, main_window)
    chart = main_window.chart_view.chart
    assert chart is not None
    signed = next(n for n in chart.notes if n.signed)
    main_window.open_note(signed.id, client_id)
    qtbot.waitUntil(lambda: bool(_open_windows(main_window)), timeout=10_000)
    editor = _open_windows(main_window)[0].editor
    qtbot.waitUntil(lambda: editor.addendum_button.isVisible(), timeout=10_000)
    editor.add_addendum()
    dialog = editor.dialog()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.text, "Half a thought")  # type: ignore[attr-defined]
    dialog.reject()
    assert dialog.confirmation() is not None  # type: ignore[attr-defined]
    with qtbot.waitSignal(runner.vault_closed, timeout=10_000):
        main_window.lock("idle")
    qtbot.waitUntil(lambda: not [w for w in QApplication.topLevelWidgets()
                                 if isValid(w) and w.isVisible() and w is not main_window],
                    timeout=5_000)
