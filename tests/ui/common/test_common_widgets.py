"""Building blocks every screen uses: dates typed over whole, tooltips for cut cells, rows
that wrap instead of being cut, a loading state that waits a moment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QEvent, QModelIndex, QRect, Qt, QTime
from PySide6.QtGui import QHelpEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QWidget,
)
from pytestqt.qtbot import QtBot

from models.dto import EXPORT_WARNING
from ui.common.busy import SHOW_AFTER_MS, DelayedBusy
from ui.common.dates import DATE_EDIT_FORMAT, TIME_EDIT_FORMAT, RetypeDateEdit, RetypeTimeEdit
from ui.common.flow import FlowLayout
from ui.common.style import wrapped_tip
from ui.common.tables import show_full_text_tips
from ui.notes.dialogs import NewPartDialog, NewTargetDialog
from ui.notes.inputs import OptionalDateEdit, OptionalTimeEdit
from ui.shell.safekeeping import ExportDialog
from ui.shell.settings import Settings
from ui.shell.settings_dialog import SettingsDialog


def _focused(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.show()
    widget.activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def _retype(qtbot: QtBot, edit: Any, text: str) -> None:
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


@pytest.mark.parametrize(("typed", "expected"), [
    ("12 Oct 2025", QDate(2025, 10, 12)),
    ("3 jan 2024", QDate(2024, 1, 3)),
    ("12/10/2025", QDate(2025, 10, 12)),
    ("2025-10-12", QDate(2025, 10, 12)),
    ("5 Oct", QDate(2026, 10, 5)),  # the year of the date shown
])
def test_select_all_and_retype_a_date(qtbot: QtBot, typed: str, expected: QDate) -> None:
    edit = RetypeDateEdit()
    edit.setDisplayFormat(DATE_EDIT_FORMAT)
    edit.setDate(QDate(2026, 11, 1))
    _focused(qtbot, edit)
    _retype(qtbot, edit, typed)
    assert edit.date() == expected
    assert edit.text() == f"{expected.day()} {expected.toString('MMM yyyy')}"


def test_a_date_typed_that_is_no_date_gives_the_old_one_back(qtbot: QtBot) -> None:
    edit = RetypeDateEdit()
    edit.setDisplayFormat(DATE_EDIT_FORMAT)
    edit.setDate(QDate(2026, 11, 1))
    edit.setMaximumDate(QDate(2026, 11, 1))
    _focused(qtbot, edit)
    _retype(qtbot, edit, "31 Feb")
    assert edit.date() == QDate(2026, 11, 1)
    _retype(qtbot, edit, "1 Jan 2099")  # beyond the edit's range: not taken either
    assert edit.date() == QDate(2026, 11, 1)


@pytest.mark.parametrize("typed", ["14:30", "1430"])
def test_select_all_and_retype_a_time(qtbot: QtBot, typed: str) -> None:
    edit = RetypeTimeEdit()
    edit.setDisplayFormat(TIME_EDIT_FORMAT)
    edit.setTime(QTime(9, 0))
    _focused(qtbot, edit)
    _retype(qtbot, edit, typed)
    assert edit.time().toString("HH:mm") == "14:30"


def test_the_note_forms_date_and_time_fields_take_a_retyped_value(qtbot: QtBot) -> None:
    day = OptionalDateEdit()
    _focused(qtbot, day)
    qtbot.keyClicks(day, "7 Oct 2026")  # over "not given"
    qtbot.keyClick(day, Qt.Key.Key_Return)
    assert day.is_set() and day.date() == QDate(2026, 10, 7)
    _retype(qtbot, day, "12/10/2026")
    assert day.date() == QDate(2026, 10, 12)
    time = OptionalTimeEdit()
    time.set_hhmm(9, 0)
    _focused(qtbot, time)
    _retype(qtbot, time, "16:45")
    assert time.hhmm() == "16:45"


def test_a_cut_cell_shows_its_whole_text_as_a_tooltip(qtbot: QtBot) -> None:
    model = QStandardItemModel(1, 2)
    long = "Future: presenting at work · SUD 7 → 2, and more words than fit"
    model.setItem(0, 0, QStandardItem(long))
    short = QStandardItem("Signed")
    short.setToolTip("1 addition after signing")
    model.setItem(0, 1, short)
    view = QTableView()
    view.setModel(model)
    qtbot.addWidget(view)
    delegate = show_full_text_tips(view)
    view.setColumnWidth(0, 60)
    view.setColumnWidth(1, 200)
    view.show()

    def tip(column: int) -> str | None:
        option = QStyleOptionViewItem()
        option.initFrom(view)
        option.rect = view.visualRect(model.index(0, column))
        return delegate.full_text_tip(option, model.index(0, column))

    assert tip(0) == long  # cut: the whole text
    assert tip(1) == "1 addition after signing"  # whole: only the model's own tooltip
    view.setColumnWidth(0, 900)
    assert tip(0) is None
    assert delegate.full_text_tip(QStyleOptionViewItem(), QModelIndex()) is None


def test_a_long_tooltip_wraps_at_a_readable_width(qtbot: QtBot) -> None:
    """Qt wraps only rich text: a long plain tooltip is set as rich text, escaped."""
    assert wrapped_tip("Signed") == "Signed"
    long = "Dose <D2> & its window: " + "the sessions planned after it " * 6 + "\nThen more."
    escaped = (long.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
               .replace("\n", "<br>"))
    assert wrapped_tip(long).endswith(f"<td>{escaped}</td></tr></table>")
    model = QStandardItemModel(1, 1)
    item = QStandardItem("Integration after D2")
    item.setToolTip(long)
    model.setItem(0, 0, item)
    view = QTableView()
    view.setModel(model)
    qtbot.addWidget(view)
    show_full_text_tips(view)
    view.setColumnWidth(0, 300)
    view.show()
    qtbot.waitExposed(view)
    at = view.visualRect(model.index(0, 0)).center()
    QApplication.sendEvent(view.viewport(), QHelpEvent(
        QEvent.Type.ToolTip, at, view.viewport().mapToGlobal(at)))
    qtbot.waitUntil(QToolTip.isVisible, timeout=5_000)
    assert QToolTip.text() == wrapped_tip(long)
    shown = next(w for w in QApplication.topLevelWidgets()
                 if w.metaObject().className() == "QTipLabel" and w.isVisible())
    assert isinstance(shown, QLabel) and shown.wordWrap()
    # In lines of about 64 characters: neither one long line nor a narrow column.
    assert 40 * shown.fontMetrics().averageCharWidth() < shown.width() \
        < shown.fontMetrics().horizontalAdvance(long) / 2
    QToolTip.hideText()


def test_a_flow_layout_wraps_instead_of_cutting(qtbot: QtBot) -> None:
    holder = QWidget()
    layout = FlowLayout(holder, spacing=10)
    labels = [QLabel(f"Legend item {n}") for n in range(6)]
    for label in labels:
        layout.addWidget(label)
    qtbot.addWidget(holder)
    holder.show()
    one_line = layout.heightForWidth(2000)
    narrow = layout.heightForWidth(200)
    assert narrow > 2 * one_line
    layout.setGeometry(QRect(0, 0, 200, narrow))
    for label in labels:
        assert label.geometry().right() <= 200
        assert label.geometry().width() == label.sizeHint().width()


def test_the_loading_state_waits_a_moment_then_shows(qtbot: QtBot) -> None:
    label = QLabel("Loading…")
    qtbot.addWidget(label)
    busy = DelayedBusy(label)
    busy.start()
    assert busy.running and label.isHidden()
    qtbot.waitUntil(lambda: not label.isHidden(), timeout=10_000)
    busy.stop()
    assert label.isHidden() and not busy.running
    busy.start()
    busy.stop()  # done quickly: never shown
    qtbot.wait(SHOW_AFTER_MS + 50)
    assert label.isHidden()


def test_a_dialog_with_wrapped_text_opens_as_tall_as_its_text_needs(qtbot: QtBot,
                                                                   tmp_path: Path) -> None:
    # Qt sized these for their text's preferred (narrower) width: at their real width the
    # spare height opened gaps of up to 84 px between the rows.
    for dialog in (ExportDialog(EXPORT_WARNING), SettingsDialog(Settings(tmp_path / "s.ini")),
                   NewTargetDialog("emdr"), NewPartDialog()):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        layout = dialog.layout()
        assert layout is not None
        assert dialog.height() == max(layout.totalHeightForWidth(dialog.width()),
                                      dialog.minimumHeight()), dialog.windowTitle()
