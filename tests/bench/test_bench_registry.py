"""The Targets and Parts tabs' speed: drawing a big parts map, and opening the Targets tab
of a client with many worked targets.

Targets (issue 9): a map of 40 parts and 60 relations drawn in under 100 ms; the Targets
tab of a client with 12 targets of 30 sessions each opened in under 100 ms. The tab opens
on its table and the first target's details; the SUD/VoC chart follows a moment later
(ui.targets.targets_tab.CHART_DELAY_MS), and its own time is measured apart, for the
record: matplotlib's time, not the tab's.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from models.clinical.parts_map import EXILE_RING, PROTECTOR_RING, PartsMap
from models.dto import MapPartDTO, MapRelationDTO
from models.entities import Course, DosingSession, TargetRating
from models.inputs import ClientInput, TargetInput
from models.services import clients, targets
from models.vault import create_vault
from reports.parts_map import build_parts_map
from ui.chart.chart_view import TAB_NAMES
from ui.parts.map_scene import MapScene, MapView
from ui.shell.main_window import MainWindow
from ui.shell.settings import Settings
from ui.shell.tasks import TaskRunner
from workstation.gui import application
from workstation.offscreen import fixed_runner

from .conftest import BENCH_PASSPHRASE, TODAY

KINDS = ("manager", "firefighter", "exile", "unknown")


def big_map(parts: int = 40, relations: int = 60, seed: int = 9) -> PartsMap:
    """40 parts round Self (exiles further out) and 60 relations of every kind."""
    rng = random.Random(seed)
    drawn = []
    for pid in range(1, parts + 1):
        kind = KINDS[pid % len(KINDS)]
        radius = (EXILE_RING if kind == "exile" else PROTECTOR_RING) + rng.uniform(-40, 120)
        angle = 2 * math.pi * pid / parts
        drawn.append(MapPartDTO(pid, f"Part {pid}", kind, "identified", rng.randint(0, 10),
                                radius * math.cos(angle), radius * math.sin(angle)))
    links: set[tuple[str, int, int]] = set()
    while len(links) < relations:
        a, b = rng.sample(range(1, parts + 1), 2)
        kind = rng.choice(("protects", "protects", "polarized", "allied"))
        if kind != "protects":
            a, b = sorted((a, b))
        links.add((kind, a, b))
    return PartsMap(tuple(drawn), tuple(MapRelationDTO(*link) for link in sorted(links)), 6)


def test_draw_parts_map_40_parts_60_relations(benchmark: Any, qtbot: QtBot,
                                              qapp: Any) -> None:
    """A new scene and view, the map shown, fitted and painted."""
    application()
    shown = big_map()
    views: list[MapView] = []

    def setup() -> tuple[tuple[MapView], dict[str, Any]]:
        scene = MapScene()
        view = MapView(scene)
        view.resize(900, 640)
        view.show()
        QApplication.processEvents()
        views.append(view)
        return (view,), {}

    def draw(view: MapView) -> int:
        view.map_scene.show_map(shown, editable=True)
        view.fit()
        view.viewport().repaint()
        return len(view.map_scene.relations)

    drawn = benchmark.pedantic(draw, setup=setup, rounds=20, iterations=1)
    assert drawn == 60
    for view in views:
        view.close()
        view.deleteLater()


def test_parts_map_figure_40_parts_60_relations(benchmark: Any) -> None:
    """The same map as the PDF draws it (matplotlib, rendered to PNG): for the record."""
    from reports.charts import figure_to_png_bytes

    shown = big_map()
    png = benchmark.pedantic(lambda: figure_to_png_bytes(build_parts_map(shown), dpi=100),
                             rounds=5, iterations=1)
    assert png.startswith(b"\x89PNG")


@pytest.fixture(scope="module")
def targets_vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    """One client with 12 targets, each worked in 30 sessions (a start and an end rating),
    and the six doses of their course."""
    path = tmp_path_factory.mktemp("bench-targets") / "targets.iwvault"
    vault = create_vault(path, BENCH_PASSPHRASE)
    rng = random.Random(12)
    first = TODAY - dt.timedelta(days=240)
    with vault.transaction() as session:
        client = clients.create_client(session, ClientInput(name="Manytargets Fixture"),
                                       today=TODAY)
        course = Course(client_id=client.id, kind="spaced", start_date=first)
        session.add(course)
        session.flush()
        for number in range(1, 7):
            session.add(DosingSession(course_id=course.id, number=number, route="oral",
                                      session_date=first + dt.timedelta(days=35 * number)))
        for index in range(12):
            target = targets.create_target(session, client.id, TargetInput(
                label=f"Target {index + 1}: a scene from the past", baseline_sud=9,
                baseline_voc=2, status="in_processing"), today=first)
            sud, voc = 9, 2
            for n in range(30):
                day = first + dt.timedelta(days=7 * n + index % 5)
                end_sud, end_voc = max(0, sud - rng.randint(0, 2)), min(7, voc + rng.randint(0, 1))
                session.add(TargetRating(target_id=target.id, rated_on=day, point="start",
                                         sud=sud, voc=voc))
                session.add(TargetRating(target_id=target.id, rated_on=day, point="end",
                                         sud=end_sud, voc=end_voc))
                sud, voc = min(10, end_sud + 1), end_voc
    vault.close()
    yield path, client.id


@pytest.fixture
def targets_runner(qapp: Any) -> Iterator[TaskRunner]:
    application()
    runner = fixed_runner(TODAY)
    yield runner
    runner.shutdown()


@pytest.fixture
def targets_window(qtbot: QtBot, targets_runner: TaskRunner,
                   targets_vault: tuple[Path, int], tmp_path: Path) -> Iterator[MainWindow]:
    """The main window on the client with 12 targets, its chart loaded."""
    path, client_id = targets_vault
    opened: list[Any] = []
    targets_runner.open_vault(path, BENCH_PASSPHRASE, lambda b: b.practice.clinician(),
                              opened.append)
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    window = MainWindow(targets_runner, Settings(tmp_path / "s.ini"), path, opened[0],
                        idle_ms=3_600_000)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    with qtbot.waitSignal(window.clients_loaded, timeout=10_000):
        window.show()
    with qtbot.waitSignal(window.chart_shown, timeout=10_000):
        window.client_list.select_client(client_id)
    yield window
    window.close()


def test_open_targets_tab_12_targets_30_sessions(
        benchmark: Any, qtbot: QtBot, targets_window: MainWindow) -> None:
    """From the Overview to the Targets tab drawn: the table and the first target's
    details and history, laid out and painted."""
    window = targets_window
    view = window.chart_view
    tab = window.targets_tab
    chart = view.chart
    assert chart is not None and len(chart.targets) == 12
    index = TAB_NAMES.index("Targets")
    view.tabs.setCurrentIndex(index)  # the first time imports matplotlib: not measured
    qtbot.waitUntil(lambda: tab.target_figure is not None, timeout=10_000)

    def away() -> tuple[tuple[()], dict[str, Any]]:
        view.tabs.setCurrentIndex(0)
        tab.clear()
        tab.set_chart(chart)  # as a newly chosen client: drawn when the tab is shown
        QApplication.processEvents()
        return (), {}

    def open_tab() -> int:
        view.tabs.setCurrentIndex(index)
        tab.repaint()
        QApplication.processEvents()
        return tab.proxy.rowCount()

    rows = benchmark.pedantic(open_tab, setup=away, rounds=15, iterations=1,
                              warmup_rounds=2)
    assert rows == 12
    assert tab.current_target is not None and len(tab.current_target.ratings) == 60
    assert tab.history_model.rowCount() == len(tab.current_target.history)
    qtbot.waitUntil(lambda: tab.target_figure is not None, timeout=10_000)  # it follows


def test_target_chart_30_sessions(benchmark: Any, qtbot: QtBot,
                                  targets_window: MainWindow) -> None:
    """The chart that follows: one target's 30 sessions and the doses, built for the
    tab's size and painted. For the record (matplotlib's time)."""
    window = targets_window
    tab = window.targets_tab
    window.chart_view.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.target_figure is not None, timeout=10_000)

    def draw() -> Any:
        tab._draw_target_chart_now()
        view = tab.chart_host.view
        assert view is not None and view.canvas is not None
        view.canvas.draw()
        return tab.target_figure

    figure = benchmark.pedantic(draw, rounds=8, iterations=1, warmup_rounds=1)
    assert figure is not None
