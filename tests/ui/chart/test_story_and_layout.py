"""The Sessions tab tells the story; the Overview shows courses and goals; nothing is cut
at 1024x640; a chart that takes a moment says it is loading."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QStyle, QStyleOptionFrame, QWidget
from pytestqt.qtbot import QtBot

from models.formatting import date_text
from models.inputs import ClientInput
from tests.conftest import TODAY
from tests.ui.conftest import dose_left_without_its_note
from ui.chart.care import session_rows
from ui.chart.chart_view import TAB_NAMES
from ui.chart.course_dialog import CourseDialog
from ui.chart.sessions_tab import SessionsModel
from ui.common.busy import SHOW_AFTER_MS
from ui.common.dates import to_qdate
from ui.common.style import TIP_WRAPS_AFTER, wrapped_tip
from ui.shell.main_window import MainWindow


def _busiest(qtbot: QtBot, window: MainWindow) -> int:
    window.client_list.show_discharged.setChecked(True)
    model = window.client_list.model
    rows = [model.client_at(r) for r in range(model.rowCount())]
    client_id = max(rows, key=lambda c: (c.dosing_sessions, c.notes)).id
    with qtbot.waitSignal(window.chart_shown, timeout=10_000):
        window.client_list.select_client(client_id)
    return client_id


def test_each_session_row_says_what_was_worked_and_marks_addenda(
        qtbot: QtBot, main_window: MainWindow) -> None:
    _busiest(qtbot, main_window)
    chart = main_window.chart_view.chart
    assert chart is not None
    rows = session_rows(chart)
    targets = {t.label for t in chart.targets}
    parts = {p.name for p in chart.parts}
    for row in rows:
        if row.kind in ("emdr", "art") and row.story:
            assert any(row.story.startswith(t) for t in targets) and "SUD" in row.story
            assert "→" in row.story
        if row.kind == "ifs" and row.story:
            assert row.story.startswith("Parts: ")
            assert any(p in row.story for p in parts)
        if row.kind == "dosing" and row.status != "No note yet":
            assert re.search(r" mg( in all)? · ", row.story) or "dose not recorded" in row.story
    main_window.chart_view.tabs.setCurrentIndex(1)
    sessions = main_window.chart_view.sessions
    qtbot.waitUntil(lambda: sessions.model.rowCount() == len(rows))
    stories = [sessions.proxy.index(r, SessionsModel.STORY).data()
               for r in range(sessions.proxy.rowCount())]
    assert all(s for s in stories)
    with_addenda = [r for r in range(sessions.model.rowCount())
                    if sessions.model.row_at(r).addenda]
    for r in with_addenda:
        status = sessions.model.index(r, SessionsModel.STATUS)
        assert status.data().startswith("Signed +")
        assert "after signing" in status.data(Qt.ItemDataRole.ToolTipRole)


def test_a_client_without_a_course_is_offered_one_and_its_goals_show(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    client = worker.run(lambda b: b.clients.create(ClientInput(name="Course Newcomer"),
                                                   actor_id=None).value)
    with qtbot.waitSignal(main_window.clients_loaded, timeout=10_000):
        main_window.reload_clients()
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        main_window.client_list.select_client(client.id)
    overview = main_window.chart_view.overview
    assert overview.new_course_button.isVisible()
    qtbot.mouseClick(overview.new_course_button, Qt.MouseButton.LeftButton)
    dialog = next(d for d in main_window.findChildren(CourseDialog) if d.isVisible())
    dialog.goals.setPlainText("Sleep through the night; drive on the motorway again.")
    # A retreat's last day is known ahead: a new course takes its end too.
    assert not dialog.end.isEnabled()
    dialog.ended.setChecked(True)
    last_day = worker.run(lambda b: b.today) + dt.timedelta(days=12)
    dialog.end.setDate(to_qdate(last_day))
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        # Ctrl+Enter saves from the goals, a field of several lines.
        qtbot.keyClick(dialog.goals, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not overview.new_course_button.isVisible()
    assert worker.run(lambda b: b.care.courses(client.id))[0].end_date == last_day

    def goals() -> list[str]:
        return [label.text() for label in overview.findChildren(QLabel)
                if label.objectName() == "courseGoals" and label.isVisible()]

    qtbot.waitUntil(lambda: bool(goals()))  # the new card is shown as the layout runs
    assert goals() == ["Goals: Sleep through the night; drive on the motorway again."]


def test_a_course_is_changed_and_ended_from_its_card(qtbot: QtBot,
                                                     main_window: MainWindow) -> None:
    _busiest(qtbot, main_window)
    chart = main_window.chart_view.chart
    assert chart is not None
    course = next(c for c in chart.courses if c.dosing_sessions)
    last_dose = max(d.session_date for d in course.dosing_sessions)
    overview = main_window.chart_view.overview
    card = next(c for c in overview.cards if c.course_id == course.id)
    assert card.edit.isVisible()
    qtbot.mouseClick(card.edit, Qt.MouseButton.LeftButton)
    dialog = next(d for d in main_window.findChildren(CourseDialog) if d.isVisible())
    assert dialog.windowTitle() == "Edit course of care"
    assert dialog.kind.currentData() == course.kind
    assert dialog.goals.toPlainText() == course.goals
    assert dialog.ended.isChecked() == (course.end_date is not None)
    # An end before the course's last dose is refused here, as the backend refuses it.
    dialog.ended.setChecked(True)
    dialog.end.setDate(to_qdate(last_dose - dt.timedelta(days=1)))
    dialog.goals.setPlainText("Revised: sleep, and back to work three days a week.")
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.goals, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible() and "end the course on that day or later" in dialog.error.text()
    dialog.end.setDate(to_qdate(last_dose))
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        qtbot.keyClick(dialog.goals, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: card.goals.text().startswith("Goals: Revised"), timeout=5_000)
    assert f"– {date_text(last_dose)} ·" in card.subtitle.text()
    assert "ongoing" not in card.subtitle.text()
    # An end still ahead is a plan: the course goes on, and the card says so.
    planned = TODAY + dt.timedelta(days=40)
    qtbot.mouseClick(card.edit, Qt.MouseButton.LeftButton)
    dialog = next(d for d in main_window.findChildren(CourseDialog) if d.isVisible())
    dialog.end.setDate(to_qdate(planned))
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        qtbot.keyClick(dialog.goals, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: f"ongoing, planned to end {date_text(planned)}"
                    in card.subtitle.text(), timeout=5_000)
    # Cancel closes it at once with nothing changed, and asks once something was.
    qtbot.mouseClick(card.edit, Qt.MouseButton.LeftButton)
    dialog = next(d for d in main_window.findChildren(CourseDialog) if d.isVisible())
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.mouseClick(card.edit, Qt.MouseButton.LeftButton)
    dialog = next(d for d in main_window.findChildren(CourseDialog) if d.isVisible())
    dialog.goals.setPlainText("Something else entirely.")
    dialog.reject()
    box = dialog.confirmation()
    assert box is not None and dialog.isVisible()
    with qtbot.waitSignal(dialog.finished, timeout=5_000):
        next(b for b in box.buttons() if b.text() == "Discard").click()
    assert card.goals.text().startswith("Goals: Revised")


def test_a_course_s_integration_plan_is_set_from_its_card_and_what_waits_follows(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    """The plan is the course's own: the card's line counts by it and says it in its
    tooltip; set in the course's dialog, the card and the list's totals follow."""
    client_id, _dose = dose_left_without_its_note(worker)
    main_window.client_list.show_discharged.setChecked(True)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        main_window.client_list.select_client(client_id)
    overview = main_window.chart_view.overview
    card = overview.cards[0]
    qtbot.waitUntil(card.waiting.isVisible, timeout=10_000)
    assert card.waiting.text().startswith("Integration after D1: 1 of the 2 sessions planned")
    assert card.waiting.toolTip() == wrapped_tip(
        "This course plans 2 integration sessions after its first dose and 1 after each "
        "later one.")
    qtbot.mouseClick(card.edit, Qt.MouseButton.LeftButton)
    dialog = next(d for d in main_window.findChildren(CourseDialog) if d.isVisible())
    assert (dialog.after_first.value(), dialog.after_each.value()) == (2, 1)
    # By keyboard: Tab leaves the goals for the plan (it types no tab into them).
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.goals.setFocus()
    qtbot.keyClick(dialog.goals, Qt.Key.Key_Tab)
    assert dialog.after_first.hasFocus() and "\t" not in dialog.goals.toPlainText()
    qtbot.keyClick(dialog.after_first, Qt.Key.Key_Down)  # one session after the first dose
    assert dialog.after_first.value() == 1
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        qtbot.keyClick(dialog.goals, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    card = overview.cards[0]
    qtbot.waitUntil(lambda: not card.waiting.isVisibleTo(overview), timeout=10_000)
    course = worker.run(lambda b: b.care.courses(client_id))[0]
    assert (course.integration_after_first, course.integration_after_each) == (1, 1)
    model = main_window.client_list.model

    def awaiting() -> int:
        row = model.row_of(client_id)
        assert row is not None
        return model.client_at(row).awaiting_integration

    qtbot.waitUntil(lambda: awaiting() == 0, timeout=10_000)


def _cut(label: QLabel) -> bool:
    """A label shows less than its text: narrower than one unwrapped line, or (wrapped)
    lower than its text needs at its width."""
    if not label.isVisible() or not label.text():
        return False
    if label.wordWrap():
        return label.height() < label.heightForWidth(label.width())
    return label.width() < label.sizeHint().width()


def test_nothing_is_cut_at_1024x640(qtbot: QtBot, main_window: MainWindow) -> None:
    main_window.resize(1024, 640)
    main_window.default_splitter()
    _busiest(qtbot, main_window)
    qtbot.wait(50)
    view = main_window.chart_view
    overview = view.overview
    overview.scroll_area.widget().adjustSize()
    for tile in overview.tiles.values():
        assert not _cut(tile.label) and not _cut(tile.value), tile.label.text()
    legend_items = [label for label in overview.legend.findChildren(QLabel) if label.text()]
    assert legend_items and not any(_cut(label) for label in legend_items)
    right = overview.legend.mapToGlobal(overview.legend.rect().topRight()).x()
    for label in legend_items:
        assert label.mapToGlobal(label.rect().topRight()).x() <= right
    cards = [label for label in overview.findChildren(QLabel)
             if label.isVisible() and label.property("role") == "subtle"]
    assert cards and not any(_cut(label) for label in cards)
    assert not _cut(view.details)


def test_a_chart_that_takes_a_moment_shows_loading(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    client_id = _busiest(qtbot, main_window)
    other = next(main_window.client_list.model.client_at(r).id
                 for r in range(main_window.client_list.model.rowCount())
                 if main_window.client_list.model.client_at(r).id != client_id)
    loading = main_window.chart_view.loading
    # The worker is busy with something slow; the chart waits behind it.
    main_window.runner.submit(lambda b: time.sleep(0.6))
    main_window.client_list.select_client(other)
    assert not loading.isVisible()  # not at once: a quick chart would only flicker
    qtbot.waitUntil(loading.isVisible, timeout=SHOW_AFTER_MS + 400)
    qtbot.waitSignal(main_window.chart_shown, timeout=10_000).wait()
    assert not loading.isVisible()


def _placeholder_cut(edit: QLineEdit) -> bool:
    """An empty line edit shows less than its placeholder (the hint is elided)."""
    if not edit.isVisible() or edit.text() or not edit.placeholderText():
        return False
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    room = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option,
                                       edit).width()
    margins = edit.textMargins()
    room -= margins.left() + margins.right() + 4  # QLineEdit's own side margin, 2 a side
    return edit.fontMetrics().horizontalAdvance(edit.placeholderText()) > room


@pytest.mark.parametrize("size", [(1024, 640), (1280, 800)])
def test_no_field_cuts_its_hint_on_any_tab(qtbot: QtBot, main_window: MainWindow,
                                           size: tuple[int, int]) -> None:
    """What an empty field says to type is read whole (the Reports tab's Practice said
    "Printed above your name on ev…")."""
    main_window.resize(*size)
    main_window.default_splitter()
    _busiest(qtbot, main_window)
    tabs = main_window.chart_view.tabs
    cut = []
    for name in TAB_NAMES:
        tabs.setCurrentIndex(TAB_NAMES.index(name))
        qtbot.wait(30)
        cut += [(name, e.placeholderText()) for e in main_window.findChildren(QLineEdit)
                if _placeholder_cut(e)]
    assert cut == []


def test_no_tooltip_runs_on_in_one_long_line(qtbot: QtBot, main_window: MainWindow) -> None:
    """A tooltip longer than a readable line wraps (ui.common.style.wrapped_tip): the
    report kinds' tooltip ran one line 150 characters wide, the map's Tidy up 110."""
    main_window.resize(1280, 800)
    _busiest(qtbot, main_window)
    tabs = main_window.chart_view.tabs
    long_lines = set()
    for name in TAB_NAMES:
        tabs.setCurrentIndex(TAB_NAMES.index(name))
        qtbot.wait(30)
        for widget in main_window.findChildren(QWidget):
            tip = widget.toolTip()
            if not tip.startswith("<") and any(len(line) > TIP_WRAPS_AFTER
                                               for line in tip.split("\n")):
                long_lines.add((name, tip))
    assert long_lines == set()


def test_the_measures_rules_and_sources_stay_whole_as_the_window_changes_size(
        qtbot: QtBot, main_window: MainWindow) -> None:
    main_window.resize(1024, 640)
    main_window.default_splitter()
    _busiest(qtbot, main_window)
    view = main_window.chart_view
    measures = view.tabs.widget(TAB_NAMES.index("Measures"))
    with qtbot.waitSignal(measures.measures_shown, timeout=10_000):
        view.tabs.setCurrentWidget(measures)
    footnote = measures.trend.chart.footnote
    assert footnote.text().startswith("Rules and sources")
    for size in ((1024, 640), (1280, 800), (1920, 1080), (1280, 720), (1024, 640)):
        main_window.resize(*size)
        qtbot.wait(120)
        assert not _cut(footnote), size


def test_a_long_name_ends_in_an_ellipsis_and_shows_whole_as_its_tooltip(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    """A name of up to 200 characters was cut in the middle of a letter at the header's
    edge, with nothing to say more was there."""
    name = ("Maria del Carmen Fernandez-Rodriguez de la Santisima Trinidad y "
            "Montoya-Castellanos")
    client = worker.run(lambda b: b.clients.create(ClientInput(name=name), actor_id=None))
    main_window.resize(1024, 640)
    main_window.reload_clients()
    qtbot.waitUntil(lambda: main_window.client_list.select_client(client.value.id),
                    timeout=10_000)
    label = main_window.chart_view.name
    qtbot.waitUntil(lambda: label.text() == name, timeout=10_000)
    shown = QLabel.text(label)
    assert shown.endswith("…") and name.startswith(shown[:-1])
    assert label.toolTip() == name and label.accessibleName() == name
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    buttons = main_window.chart_view.status_button
    assert label.geometry().right() < buttons.geometry().left()  # never under the buttons
    main_window.resize(1920, 1000)
    qtbot.waitUntil(lambda: QLabel.text(label) == name, timeout=5_000)
    assert label.toolTip() == ""
