"""The Targets tab with the real worker: the registry, editing with history, the offer a
signed note makes, small multiples, and the ways in (the Overview tile, a note)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from models.api import Backend
from models.clinical.targets import summarise_target
from models.dto import ClientChart
from reports.charts import find_artists
from tests.conftest import TODAY
from tests.unit.templates.samples import emdr_process_fields
from ui.chart.chart_view import TAB_NAMES
from ui.notes.dialogs import NewTargetDialog
from ui.notes.note_window import NoteWindow
from ui.shell.main_window import MainWindow
from ui.targets.table_models import TargetTableModel
from ui.targets.targets_tab import _LABEL_CHARS

COMMON = {
    "start_time": "10:00", "duration_minutes": 60, "delivery": "in_office",
    "suicidal_ideation": "denied", "homicidal_ideation": "denied",
}


def _client_with_targets(window: MainWindow, worker: Any) -> int:
    def most_rated(b: Backend) -> int:
        charts = [b.clients.chart(c.id) for c in b.clients.summaries()]
        return max(charts, key=lambda c: (len(c.targets) > 1,
                                          sum(len(t.ratings) for t in c.targets))).client.id
    return int(worker.run(most_rated))


def _open_tab(qtbot: QtBot, window: MainWindow, client_id: int) -> ClientChart:
    window.client_list.show_discharged.setChecked(True)
    tab = window.targets_tab
    with qtbot.waitSignal(window.chart_shown, timeout=10_000):
        assert window.client_list.select_client(client_id)
    with qtbot.waitSignal(tab.targets_shown, timeout=10_000):
        window.chart_view.tabs.setCurrentIndex(TAB_NAMES.index("Targets"))
    chart = window.chart_view.chart
    assert chart is not None
    return chart


def test_the_registry_lists_sorts_and_filters_the_targets(
        qtbot: QtBot, qtmodeltester: Any, main_window: MainWindow, worker: Any) -> None:
    chart = _open_tab(qtbot, main_window, _client_with_targets(main_window, worker))
    tab = main_window.targets_tab
    qtmodeltester.check(tab.model)
    qtmodeltester.check(tab.proxy)
    assert tab.proxy.rowCount() == len(chart.targets)
    labels = {tab.proxy.index(r, TargetTableModel.LABEL).data()
              for r in range(tab.proxy.rowCount())}
    assert labels == {t.label for t in chart.targets}
    rated = next(t for t in chart.targets if t.ratings)
    row = tab.model.row_of(rated.id)
    assert row is not None
    summary = summarise_target(rated)
    assert tab.model.index(row, TargetTableModel.SESSIONS).data() == \
        str(summary.sessions_worked)
    tab.table.sortByColumn(TargetTableModel.SESSIONS, Qt.SortOrder.DescendingOrder)
    worked = [int(tab.proxy.index(r, TargetTableModel.SESSIONS).data())
              for r in range(tab.proxy.rowCount())]
    assert worked == sorted(worked, reverse=True)
    status = rated.status
    tab.status_filter.setCurrentIndex(tab.status_filter.findData(status))
    shown = [tab.proxy.index(r, TargetTableModel.STATUS).data()
             for r in range(tab.proxy.rowCount())]
    assert shown and len(shown) == sum(1 for t in chart.targets if t.status == status)
    tab.kind_filter.setCurrentIndex(tab.kind_filter.findData("art"))
    assert all(tab.proxy.index(r, TargetTableModel.KIND).data() == "ART"
               for r in range(tab.proxy.rowCount()))


def test_an_edit_is_saved_with_a_history_row_by_hand(
        qtbot: QtBot, main_window: MainWindow, worker: Any, qtmodeltester: Any) -> None:
    chart = _open_tab(qtbot, main_window, _client_with_targets(main_window, worker))
    tab = main_window.targets_tab
    target = chart.targets[0]
    assert tab.select_target(target.id)
    assert tab.form.label.text() == target.label
    before = tab.history_model.rowCount()
    tab.form.negative_cognition.setFocus()
    tab.form.negative_cognition.selectAll()
    qtbot.keyClicks(tab.form.negative_cognition, "I am helpless")
    assert tab.save_button.isEnabled()
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.history_model.rowCount() == before + 1, timeout=10_000)
    qtmodeltester.check(tab.history_model)
    newest = tab.history_model.row_at(0)
    assert (newest.field, newest.new_value, newest.note_id) == (
        "negative_cognition", "I am helpless", None)
    assert tab.history_model.index(0, 2).data() == "By hand"
    assert tab.history_model.index(0, 1).data() == (
        f"Negative cognition: {target.negative_cognition or '—'} → I am helpless")
    assert tab.side.tabText(1) == f"History ({before + 1})"
    stored = worker.run(lambda b: b.targets.get(target.id))
    assert stored.negative_cognition == "I am helpless"
    # A label the rules refuse is shown, and nothing is sent.
    tab.form.label.setFocus()
    tab.form.label.selectAll()
    qtbot.keyClick(tab.form.label, Qt.Key.Key_Delete)
    assert "Give the target a label" in tab.form.errors["label"].text()
    tab.save()
    assert "fix what is marked" in tab.save_state.text()


def test_a_new_target_is_added_in_the_registry(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    chart = _open_tab(qtbot, main_window, _client_with_targets(main_window, worker))
    tab = main_window.targets_tab
    tab.new_target()
    assert tab.detail_title.text() == "New target" and tab.save_button.text() == "Add target"
    qtbot.keyClicks(tab.form.label, "Dentist's chair, age 15")
    tab.form.prong.setCurrentIndex(tab.form.prong.findData("present"))
    tab.form.baseline_sud.setValue(6)
    # An ART scene is rated by SUD alone: its form asks no baseline VoC; an EMDR target's does.
    assert tab.form.baseline_voc.isVisible()
    tab.form.kind.setCurrentIndex(tab.form.kind.findData("art"))
    assert not tab.form.baseline_voc.isVisible() and not tab.form.voc_label.isVisible()
    tab.form.kind.setCurrentIndex(tab.form.kind.findData("emdr"))
    assert tab.form.baseline_voc.isVisible()
    with qtbot.waitSignal(tab.target_saved, timeout=10_000):
        tab.save()
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == len(chart.targets) + 1, timeout=10_000)
    qtbot.waitUntil(lambda: tab.current_target is not None
                    and tab.current_target.label == "Dentist's chair, age 15", timeout=10_000)
    added = tab.current_target
    assert added is not None and (added.baseline_sud, added.status) == (6, "identified")
    # A VoC on record is shown whatever the kind: never hidden.
    tab.form.fill(dataclasses.replace(added, kind="art", baseline_voc=3), TODAY)
    assert tab.form.baseline_voc.isVisible() and tab.form.baseline_voc.value() == 3


def test_a_session_ending_at_0_and_7_offers_completed_and_the_button_marks_it(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    client_id = _client_with_targets(main_window, worker)
    target_id = worker.run(lambda b: next(t.id for t in b.targets.of_client(client_id)
                                          if t.kind == "emdr" and t.is_open))
    doctor = worker.run(lambda b: b.practice.clinician())
    day = TODAY - dt.timedelta(days=1)

    def sign(b: Backend) -> int:
        note = b.notes.create(client_id, "emdr", author_id=doctor.id, session_date=day).value
        b.notes.save_draft(note.id, {
            **COMMON, **emdr_process_fields(), "session_date": day.isoformat(),
            "phases_covered": ["4", "5", "6"],
            "target": target_id, "sud_start": 2, "voc_start": 5, "sud_end": 0, "voc_end": 7,
            "bls_sets": [{"bls_type": "eye_movements", "speed_hz": 1.0, "passes": 24,
                          "sud": 0}],
            "closure": "complete", "stability": "stable", "plan": "Reevaluate.",
        })
        return b.notes.sign(note.id, clinician_id=doctor.id).value.id

    worker.run(sign)
    _open_tab(qtbot, main_window, client_id)
    tab = main_window.targets_tab
    assert tab.select_target(target_id)
    assert tab.offer.isVisibleTo(tab) and "SUD 0 and VoC 7" in tab.offer_text.text()
    assert worker.run(lambda b: b.targets.get(target_id)).status != "completed"  # offered
    with qtbot.waitSignal(tab.target_saved, timeout=10_000):
        qtbot.mouseClick(tab.offer_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.current_target is not None
                    and tab.current_target.status == "completed", timeout=10_000)
    assert not tab.offer.isVisibleTo(tab)
    assert tab.history_model.row_at(0).new_value == "completed"


def test_the_targets_side_by_side_share_one_figure(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    chart = _open_tab(qtbot, main_window, _client_with_targets(main_window, worker))
    tab = main_window.targets_tab
    qtbot.waitUntil(lambda: tab.target_figure is not None, timeout=10_000)
    tab.show_charts(True)
    qtbot.waitUntil(lambda: tab.multiples_figure is not None, timeout=10_000)
    titles = [t.get_text() for t in find_artists(tab.multiples_figure, "panel-title")]
    assert len(titles) == len(chart.targets)
    tab.status_filter.setCurrentIndex(tab.status_filter.findData(chart.targets[0].status))
    qtbot.waitUntil(lambda: len(find_artists(tab.multiples_figure, "panel-title"))
                    == sum(1 for t in chart.targets if t.status == chart.targets[0].status),
                    timeout=10_000)


def test_the_overview_tile_opens_the_targets_tab(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    client_id = _client_with_targets(main_window, worker)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        main_window.client_list.select_client(client_id)
    tile = main_window.chart_view.overview.tiles["targets"]
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert main_window.chart_view.tabs.currentWidget() is main_window.targets_tab
    main_window.chart_view.tabs.setCurrentIndex(0)
    tile.setFocus()
    qtbot.keyClick(tile, Qt.Key.Key_Return)
    assert main_window.chart_view.tabs.currentWidget() is main_window.targets_tab


def test_a_target_added_from_a_note_can_be_opened_in_the_registry(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    client_id = _client_with_targets(main_window, worker)
    doctor = worker.run(lambda b: b.practice.clinician())
    note_id = worker.run(lambda b: b.notes.create(client_id, "emdr", author_id=doctor.id)
                         .value.id)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        main_window.client_list.select_client(client_id)
    main_window.open_note(note_id, client_id)
    window = next(w for w in main_window.findChildren(NoteWindow) if w.note_id == note_id)
    editor = window.editor
    qtbot.waitUntil(lambda: editor.form is not None, timeout=10_000)
    editor._new_target("emdr")
    dialog = editor.dialog()
    assert isinstance(dialog, NewTargetDialog)
    qtbot.keyClicks(dialog.name, "Elevator, last spring")
    dialog.open_in_registry.setChecked(True)
    dialog.accept()
    tab = main_window.targets_tab
    qtbot.waitUntil(lambda: main_window.chart_view.tabs.currentWidget() is tab
                    and tab.current_target is not None
                    and tab.current_target.label == "Elevator, last spring", timeout=10_000)
    window.close()


def test_edits_in_progress_survive_a_change_made_elsewhere_and_say_so(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    chart = _open_tab(qtbot, main_window, _client_with_targets(main_window, worker))
    tab = main_window.targets_tab
    target = chart.targets[0]
    assert tab.select_target(target.id)
    tab.form.emotions.setFocus()
    qtbot.keyClicks(tab.form.emotions, ", relief")
    typed = tab.form.emotions.text()
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        worker.run(lambda b: b.targets.set_status(target.id, "deferred", actor_id=None))
    assert tab.form.emotions.text() == typed  # nothing typed is lost
    assert "changed elsewhere" in tab.save_state.text()
    tab.revert()
    assert tab.form.status.currentData() == "deferred"


def test_nothing_of_the_form_is_cut_and_the_chart_covers_none_of_it_at_1024x640(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    """In the smallest window the form's long rows go under their labels: before, the form
    ran 105 pixels past its pane (the date it was identified cut off) and the chart's
    pane lay 20 pixels over it."""
    main_window.resize(1024, 640)
    main_window.default_splitter()
    chart = _open_tab(qtbot, main_window, _client_with_targets(main_window, worker))
    tab = main_window.targets_tab
    assert tab.select_target(max(chart.targets, key=lambda t: len(t.ratings)).id)
    qtbot.wait(50)
    scroll = tab.detail_scroll
    assert scroll.widget().width() <= scroll.viewport().width()
    assert scroll.geometry().right() < tab.side.geometry().left()
    identified = tab.form.identified_on
    right = identified.mapTo(scroll.viewport(), identified.rect().topRight()).x()
    assert right <= scroll.viewport().width()
    # The registry keeps its labels readable and scrolls sideways for the rest: its label
    # column was squeezed to a dozen letters ("Future: pre…").
    table = tab.table
    label = table.horizontalHeader().sectionSize(TargetTableModel.LABEL)
    assert label >= table.fontMetrics().horizontalAdvance("n" * _LABEL_CHARS)
    assert table.horizontalScrollBar().isVisible()
    # The history beside it keeps every heading whole ("Change (was → became)" was cut to
    # "nge (was → beca").
    tab.side.setCurrentIndex(1)
    qtbot.waitUntil(tab.history.isVisible)
    header = tab.history.horizontalHeader()
    for column in range(header.count()):
        heading = tab.history_model.headerData(column, Qt.Orientation.Horizontal)
        assert header.sectionSize(column) >= header.fontMetrics().horizontalAdvance(heading)


def test_a_long_label_shows_its_beginning_in_the_form(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    """The form set the text with the cursor at its end, so a long label showed only its
    last words."""
    from models.inputs import ClientInput, TargetInput

    label = ("The hospital corridor at night when the doctor said the words and everything "
             "went quiet and far away, and the lights hummed")
    client = worker.run(lambda b: b.clients.create(ClientInput(name="Long Label"),
                                                   actor_id=None).value)
    worker.run(lambda b: b.targets.create(client.id, TargetInput(label), actor_id=None))
    main_window.reload_clients()
    qtbot.waitUntil(lambda: main_window.client_list.select_client(client.id), timeout=10_000)
    _open_tab(qtbot, main_window, client.id)
    form = main_window.targets_tab.form
    assert form.label.text() == label and form.label.cursorPosition() == 0


def test_a_target_renamed_by_hand_keeps_its_old_label_in_the_notes_signed_before(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    """The signed notes that worked a target name it as they knew it: renamed in the
    registry, it read in October's notes, the Sessions tab and the report by its new label."""
    from models.inputs import ReportOptions
    from ui.chart.care import session_rows

    chart = _open_tab(qtbot, main_window, _client_with_targets(main_window, worker))
    tab = main_window.targets_tab
    target = next(t for t in chart.targets if any(r.note_id for r in t.ratings))
    old = target.label
    assert tab.select_target(target.id)
    tab.form.label.setFocus()
    tab.form.label.selectAll()
    qtbot.keyClicks(tab.form.label, "Renamed since")
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: main_window.chart_view.chart is not None and any(
        t.label == "Renamed since" for t in main_window.chart_view.chart.targets),
        timeout=10_000)
    now = main_window.chart_view.chart
    worked = {r.note_id for r in target.ratings if r.note_id}
    stories = [r.story for r in session_rows(now) if r.note_id in worked]
    assert stories and all(old in s and "Renamed since" not in s for s in stories)
    data = worker.run(lambda b: b.reports.data(now.client.id, ReportOptions(
        start=dt.date(2000, 1, 1), sections=("sessions",))))
    from reports.render import render_report
    from tests.unit.reports.conftest import pages_text

    words = " ".join(" ".join(pages_text(render_report(data))).split())
    assert old in words and "Renamed since" not in words
