"""Set tables by keyboard: a new row carries the row above's type and speed and opens on
its first free cell; Remove row asks before it deletes a row with something in it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from models.templates.loading import load_templates
from ui.notes.form import NoteForm


def _form(qtbot: QtBot) -> NoteForm:
    form = NoteForm(load_templates().latest("emdr"))
    qtbot.addWidget(form)
    form.resize(1200, 800)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    return form


def test_a_new_row_carries_type_and_speed_and_opens_its_first_free_cell(
        qtbot: QtBot) -> None:
    form = _form(qtbot)
    sets: Any = form.editor("bls_sets")
    assert form.focus_field("bls_sets") and sets.view.hasFocus()
    assert "Insert or Ctrl+Enter adds a row" in sets.count_label.text()
    assert sets.add_button.focusPolicy() == Qt.FocusPolicy.NoFocus
    qtbot.keyClick(sets.view, Qt.Key.Key_Insert)
    qtbot.keyClicks(QApplication.focusWidget(), "t")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "1.5")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier)
    assert sets.model.rows() == [{"bls_type": "taps", "speed_hz": 1.5},
                                 {"bls_type": "taps", "speed_hz": 1.5}]
    current = sets.view.currentIndex()
    assert (current.row(), current.column()) == (1, sets.model.column_index("passes"))
    assert sets.view.state() == QAbstractItemView.State.EditingState
    # Tab from Passes passes over Seconds, to the client's report.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert sets.view.currentIndex().column() == sets.model.column_index("client_report")


def test_remove_row_asks_and_names_the_row_when_it_has_content(qtbot: QtBot) -> None:
    form = _form(qtbot)
    sets: Any = form.editor("bls_sets")
    sets.set_value([{"bls_type": "taps", "client_report": "Warm hands"}, {}])
    sets.view.setCurrentIndex(sets.model.index(1, 0))
    sets.remove_current_row()  # an empty row goes without a question
    assert sets.model.rowCount() == 1 and sets.confirmation is None
    sets.view.setCurrentIndex(sets.model.index(0, 0))
    sets.remove_current_row()
    box = sets.confirmation
    assert isinstance(box, QMessageBox) and "row 1" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: sets.confirmation is None)
    assert sets.model.rowCount() == 1
    sets.remove_current_row()
    assert sets.confirmation is not None
    next(b for b in sets.confirmation.buttons() if b.text() == "Remove row 1").click()
    qtbot.waitUntil(lambda: sets.model.rowCount() == 0)


def test_a_tick_box_group_is_one_tab_stop(qtbot: QtBot) -> None:
    form = _form(qtbot)
    phases: Any = form.editor("phases_covered")
    tab_stops = [b for b in phases.boxes if b.focusPolicy() == Qt.FocusPolicy.StrongFocus]
    assert tab_stops == [phases.boxes[0]]
    phases.boxes[0].setFocus()
    qtbot.keyClick(phases.boxes[0], Qt.Key.Key_Down)
    assert phases.boxes[1].hasFocus()
    qtbot.keyClick(phases.boxes[1], Qt.Key.Key_Space)
    assert form.value("phases_covered") == ["2"]
    assert [b for b in phases.boxes if b.focusPolicy() == Qt.FocusPolicy.StrongFocus] == \
        [phases.boxes[1]]
