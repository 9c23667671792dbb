"""Carry forward in the window: the new-note dialog offers it; the note marks each carried
field until it is edited."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from models.clinical.carry import carried_fields, carry_source
from models.formatting import date_text
from ui.notes.new_note_dialog import NewNoteDialog
from ui.notes.note_window import NoteWindow
from ui.shell.main_window import MainWindow


def _show_client_with_signed_general(qtbot: QtBot, window: MainWindow, worker: Any) -> int:
    window.client_list.show_discharged.setChecked(True)
    model = window.client_list.model
    for row in range(model.rowCount()):
        client = model.client_at(row)
        notes = worker.run(lambda b, c=client.id: b.notes.of_client(c))
        if carry_source(notes, "general") is not None:
            with qtbot.waitSignal(window.chart_shown, timeout=10_000):
                window.client_list.select_client(client.id)
            return client.id
    raise AssertionError("the demo vault has no signed general note")


def test_a_new_note_starts_from_the_last_signed_one_and_marks_what_came_over(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    _show_client_with_signed_general(qtbot, main_window, worker)
    chart = main_window.chart_view.chart
    assert chart is not None
    source = carry_source(chart.notes, "general")
    assert source is not None
    main_window.new_note_action.trigger()
    dialog = next(d for d in main_window.findChildren(NewNoteDialog) if d.isVisible())
    dialog.template_buttons["general"].setChecked(True)
    assert dialog.carry_check.isVisibleTo(dialog) and dialog.carry_check.isChecked()
    assert dialog.carry_check.text() == ("Start from the last signed general integration "
                                         f"note ({date_text(source.session_date)})")
    assert "Plan" in dialog.carry_hint.text() and "never" in dialog.carry_hint.text()
    dialog.template_buttons["dosing"].setChecked(True)  # the client's doses carry nothing
    dialog.template_buttons["general"].setChecked(True)
    assert dialog.choice().carry_forward
    dialog.accept()
    qtbot.waitUntil(lambda: any(w.isVisible() for w in main_window.findChildren(NoteWindow)),
                    timeout=10_000)
    window = next(w for w in main_window.findChildren(NoteWindow) if w.isVisible())
    editor = window.editor
    qtbot.waitUntil(lambda: editor.form is not None, timeout=10_000)
    form = editor.form
    assert form is not None
    assert form.carried() == ("plan",)
    assert form.value("plan") == source.content["plan"]
    cell = form._cells["plan"]
    assert cell.carried_text().startswith(
        f"Carried forward from the note of {date_text(source.session_date)}")
    assert form.value("data") is None  # what happened in the session is this session's
    # Editing the carried field makes it this session's: the mark goes.
    window.activateWindow()
    assert form.focus_field("plan")
    QApplication.focusWidget().insertPlainText(" Then review.")  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: form.carried() == ())
    assert cell.carried_text() == ""
    with qtbot.waitSignal(editor.note_saved, timeout=10_000):
        editor.save()
    stored = worker.run(lambda b: b.notes.get(editor.note_id))
    assert carried_fields(stored.content) == ()
    assert "Then review." in stored.content["plan"]


def test_without_carry_forward_the_note_starts_empty(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    _show_client_with_signed_general(qtbot, main_window, worker)
    main_window.new_note_action.trigger()
    dialog = next(d for d in main_window.findChildren(NewNoteDialog) if d.isVisible())
    dialog.template_buttons["general"].setChecked(True)
    dialog.carry_check.setChecked(False)
    dialog.accept()
    qtbot.waitUntil(lambda: any(w.isVisible() for w in main_window.findChildren(NoteWindow)),
                    timeout=10_000)
    window = next(w for w in main_window.findChildren(NoteWindow) if w.isVisible())
    qtbot.waitUntil(lambda: window.editor.form is not None, timeout=10_000)
    form = window.editor.form
    assert form is not None and form.carried() == () and form.value("plan") is None


def test_the_new_note_dialog_is_as_tall_as_what_it_says_for_each_kind(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    """Its hints change with the kind chosen. Opened 14 px short of its text, it squeezed
    the ART description onto the IFS choice below it."""
    from PySide6.QtWidgets import QLabel

    _show_client_with_signed_general(qtbot, main_window, worker)
    main_window.new_note_action.trigger()
    dialog = next(d for d in main_window.findChildren(NewNoteDialog) if d.isVisible())
    layout = dialog.layout()
    assert layout is not None

    def whole() -> bool:
        labels = [w for w in dialog.findChildren(QLabel) if w.isVisible() and w.wordWrap()]
        return all(w.height() >= w.heightForWidth(w.width()) for w in labels)

    heights = set()
    for template_id, button in dialog.template_buttons.items():
        button.setChecked(True)
        qtbot.waitUntil(lambda: dialog.height() == layout.totalHeightForWidth(dialog.width()),
                        timeout=2_000)
        assert whole(), template_id
        heights.add(dialog.height())
    assert len(heights) > 1  # the kinds' hints differ, and so does the height
    # Made taller by hand, it keeps that height; it is not shrunk under the person's hand.
    dialog.resize(dialog.width(), max(heights) + 80)
    qtbot.waitUntil(lambda: dialog.height() == max(heights) + 80, timeout=2_000)
    for button in dialog.template_buttons.values():
        button.setChecked(True)
        qtbot.wait(20)
        assert dialog.height() == max(heights) + 80 and whole()
    dialog.reject()
