"""The Targets, Parts and Reports tabs are built when first shown, not at unlock: each
then shows the client on screen as the record is now, and every way in still leads there."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from models.api import Backend
from models.clinical.period import report_period
from models.inputs import PartInput, TargetInput
from tests.conftest import TODAY
from ui.chart.chart_view import TAB_NAMES
from ui.parts.parts_tab import PartsTab
from ui.reports.reports_tab import ReportsTab
from ui.search.search_window import SearchWindow
from ui.shell.main_window import MainWindow
from ui.targets.targets_tab import TargetsTab

DEFERRED = {"Targets": TargetsTab, "Parts": PartsTab, "Reports": ReportsTab}


def _two_clients(worker: Any) -> tuple[int, int]:
    """Two active clients, each with targets and parts (the second is the one shown)."""
    def pick(b: Backend) -> tuple[int, int]:
        charts = [b.clients.chart(c.id) for c in b.clients.summaries()]
        rich = [c.client.id for c in charts if c.targets and c.parts]
        return rich[0], rich[1]
    return worker.run(pick)


def _show(qtbot: QtBot, window: MainWindow, client_id: int) -> None:
    with qtbot.waitSignal(window.chart_shown, timeout=10_000):
        assert window.client_list.select_client(client_id)


def _built(window: MainWindow) -> dict[str, bool]:
    return {name: window.chart_view.is_built(name) for name in DEFERRED}


def test_unlock_and_a_client_switch_build_none_of_them(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    assert _built(main_window) == {"Targets": False, "Parts": False, "Reports": False}
    for kind in DEFERRED.values():
        assert main_window.findChildren(kind) == []
    assert main_window.findChildren(SearchWindow) == []
    first, second = _two_clients(worker)
    _show(qtbot, main_window, first)
    _show(qtbot, main_window, second)
    main_window.chart_view.tabs.setCurrentIndex(TAB_NAMES.index("Sessions"))
    assert _built(main_window) == {"Targets": False, "Parts": False, "Reports": False}
    for kind in DEFERRED.values():
        assert main_window.findChildren(kind) == []


@pytest.mark.parametrize("name", list(DEFERRED))
def test_a_tab_opened_the_first_time_shows_the_client_on_screen(
        qtbot: QtBot, main_window: MainWindow, worker: Any, name: str) -> None:
    first, second = _two_clients(worker)
    _show(qtbot, main_window, first)
    _show(qtbot, main_window, second)  # a switch while the tab is not built
    chart = main_window.chart_view.chart
    assert chart is not None and chart.client.id == second
    tabs = main_window.chart_view.tabs
    tabs.setCurrentIndex(TAB_NAMES.index(name))
    tab = tabs.currentWidget()
    assert isinstance(tab, (TargetsTab, PartsTab, ReportsTab))
    assert isinstance(tab, DEFERRED[name])
    assert tabs.indexOf(tab) == TAB_NAMES.index(name)
    assert tabs.tabText(TAB_NAMES.index(name)) == name
    assert tabs.count() == len(TAB_NAMES)
    if isinstance(tab, TargetsTab):
        assert tab is main_window.targets_tab
        qtbot.waitUntil(lambda: tab.model.rowCount() == len(chart.targets), timeout=10_000)
        assert {tab.model.row_at(r).target.label for r in range(tab.model.rowCount())} == \
            {t.label for t in chart.targets}
    elif isinstance(tab, PartsTab):
        assert tab is main_window.parts_tab
        qtbot.waitUntil(lambda: tab.model.rowCount() == len(chart.parts), timeout=10_000)
        assert all(tab.model.row_of(p.id) is not None for p in chart.parts)
    else:
        assert tab is main_window.reports
        assert tab.chart is not None and tab.chart.client.id == second
        start, end = report_period(chart, TODAY)
        assert (tab.start.date().toPython(), tab.end.date().toPython()) == (start, end)
        assert tab.generate_button.isEnabled()
    # Built once: another switch reaches it, and opening it again builds nothing new.
    _show(qtbot, main_window, first)
    tabs.setCurrentIndex(0)
    tabs.setCurrentIndex(TAB_NAMES.index(name))
    assert tabs.currentWidget() is tab
    assert len(main_window.findChildren(DEFERRED[name])) == 1
    assert tab.chart is not None and tab.chart.client.id == first


def test_a_change_made_while_a_tab_is_not_built_shows_when_it_is_opened(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    _first, client_id = _two_clients(worker)
    _show(qtbot, main_window, client_id)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        worker.run(lambda b: b.targets.create(client_id, TargetInput(label="Bridge at night"),
                                              actor_id=None))
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        part = worker.run(lambda b: b.parts.create(
            client_id, PartInput("The Lookout", "manager"), actor_id=None)).value
    assert _built(main_window) == {"Targets": False, "Parts": False, "Reports": False}
    tabs = main_window.chart_view.tabs
    tabs.setCurrentIndex(TAB_NAMES.index("Targets"))
    targets = main_window.targets_tab
    qtbot.waitUntil(lambda: any(targets.model.row_at(r).target.label == "Bridge at night"
                                for r in range(targets.model.rowCount())), timeout=10_000)
    tabs.setCurrentIndex(TAB_NAMES.index("Parts"))
    parts = main_window.parts_tab
    qtbot.waitUntil(lambda: parts.model.row_of(part.id) is not None, timeout=10_000)


def test_the_shortcuts_and_the_overview_tile_lead_to_the_tabs(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    _first, client_id = _two_clients(worker)
    _show(qtbot, main_window, client_id)
    tabs = main_window.chart_view.tabs
    for name in DEFERRED:
        qtbot.keyClick(main_window, Qt.Key(Qt.Key.Key_1 + TAB_NAMES.index(name)),
                       Qt.KeyboardModifier.ControlModifier)
        assert tabs.currentIndex() == TAB_NAMES.index(name)
        assert isinstance(tabs.currentWidget(), DEFERRED[name])


def test_the_overview_tile_builds_the_targets_tab(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    _first, client_id = _two_clients(worker)
    _show(qtbot, main_window, client_id)
    assert not main_window.chart_view.is_built("Targets")
    qtbot.mouseClick(main_window.chart_view.overview.tiles["targets"],
                     Qt.MouseButton.LeftButton)
    tab = main_window.chart_view.tabs.currentWidget()
    assert isinstance(tab, TargetsTab)
    chart = main_window.chart_view.chart
    assert chart is not None
    qtbot.waitUntil(lambda: tab.model.rowCount() == len(chart.targets), timeout=10_000)


def test_search_is_built_by_its_shortcut(qtbot: QtBot, main_window: MainWindow) -> None:
    assert main_window.findChildren(SearchWindow) == []
    qtbot.keyClick(main_window, Qt.Key.Key_F,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    windows = main_window.findChildren(SearchWindow)
    assert len(windows) == 1
    qtbot.waitUntil(windows[0].isVisible, timeout=10_000)
