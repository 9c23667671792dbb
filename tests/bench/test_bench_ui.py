"""The window's speed: start to the unlock window, unlock to a usable main window, and
switching to a client with 300 sessions until the overview is drawn.

Targets (issue 3): under 0.6 s to the unlock window; under 0.5 s from unlock to a usable
window beyond the key derivation; under 100 ms to switch clients.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from models.demo import DemoPlan, generate_demo, generate_heavy_client
from models.vault import create_vault, derive_key
from ui.shell.main_window import MainWindow
from ui.shell.settings import Settings
from ui.shell.tasks import TaskRunner
from workstation.gui import application
from workstation.offscreen import fixed_runner

from .conftest import BENCH_PASSPHRASE, TODAY

# The offscreen platform reports that it cannot apply size hints; real platforms do not.

START_SCRIPT = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from workstation.gui import application, unlock_window
from ui.shell.settings import Settings
from ui.shell.tasks import TaskRunner
from workstation.opener import LazyOpener
app = application()
runner = TaskRunner(LazyOpener())
window = unlock_window(runner, Settings(Path(sys.argv[1])), Path(sys.argv[2]))
window.show()
QTimer.singleShot(0, app.quit)
app.exec()
heavy = [m for m in ("matplotlib", "reportlab", "sqlalchemy", "alembic") if m in sys.modules]
runner.shutdown()
print(",".join(heavy))
"""


@pytest.fixture(scope="module")
def ui_vault(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The 40-client demo practice (as `make demo` builds it) plus a 300-session client."""
    path = tmp_path_factory.mktemp("bench-ui") / "demo.iwvault"
    vault = create_vault(path, BENCH_PASSPHRASE)
    with vault.transaction() as session:
        generate_demo(session, DemoPlan(clients=40, seed=7, today=TODAY))
        heavy_id = generate_heavy_client(session, sessions=300, today=TODAY)
    vault.close()
    return path, heavy_id


@pytest.fixture
def ui_runner(qapp: Any) -> Iterator[TaskRunner]:
    application()
    runner = fixed_runner(TODAY)
    yield runner
    runner.shutdown()


def test_start_to_unlock_window(benchmark: Any, tmp_path: Path,
                                ui_vault: tuple[Path, int]) -> None:
    """A fresh interpreter: import, build and show the unlock window, then exit."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    args = [sys.executable, "-c", START_SCRIPT, str(tmp_path / "s.ini"), str(ui_vault[0])]

    def start() -> str:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    loaded = benchmark.pedantic(start, rounds=5, iterations=1, warmup_rounds=1)
    assert loaded == ""  # no matplotlib, reportlab or SQLAlchemy before the passphrase


def test_unlock_to_usable_main_window(benchmark: Any, qtbot: QtBot, ui_runner: TaskRunner,
                                      ui_vault: tuple[Path, int], tmp_path: Path) -> None:
    """From pressing Unlock to the client list shown (the key derivation included)."""
    path, _ = ui_vault
    settings = Settings(tmp_path / "s.ini")
    ui_runner.opener.prewarm()  # as during typing: the worker imports while it is typed
    windows: list[MainWindow] = []

    def unlock_and_show() -> None:
        opened: list[Any] = []
        ui_runner.open_vault(path, BENCH_PASSPHRASE, lambda b: b.practice.clinician(),
                             opened.append)
        qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
        window = MainWindow(ui_runner, settings, path, opened[0], idle_ms=3_600_000)
        windows.append(window)
        with qtbot.waitSignal(window.clients_loaded, timeout=10_000):
            window.show()
        QApplication.processEvents()  # the first paint

    def teardown() -> None:
        while windows:
            window = windows.pop()
            window.close()
            window.deleteLater()
        with qtbot.waitSignal(ui_runner.vault_closed, timeout=10_000):
            ui_runner.close_vault()

    def setup() -> None:
        if windows:
            teardown()

    benchmark.pedantic(unlock_and_show, setup=setup, rounds=5, iterations=1)
    teardown()
    started = time.perf_counter()
    derive_key(BENCH_PASSPHRASE, os.urandom(16))
    kdf = time.perf_counter() - started
    median = benchmark.stats.stats.median
    benchmark.extra_info["key_derivation_s"] = round(kdf, 4)
    benchmark.extra_info["beyond_key_derivation_s"] = round(median - kdf, 4)
    print(f"\nunlock to usable window: {median * 1000:.0f} ms, key derivation "
          f"{kdf * 1000:.0f} ms, beyond it {(median - kdf) * 1000:.0f} ms (target < 500 ms)")


def test_switch_to_client_with_300_sessions(benchmark: Any, qtbot: QtBot,
                                            ui_runner: TaskRunner,
                                            ui_vault: tuple[Path, int], tmp_path: Path) -> None:
    """Select the 300-session client and wait until its overview is laid out and painted."""
    path, heavy_id = ui_vault
    opened: list[Any] = []
    ui_runner.open_vault(path, BENCH_PASSPHRASE, lambda b: b.practice.clinician(),
                         opened.append)
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    window = MainWindow(ui_runner, Settings(tmp_path / "s.ini"), path, opened[0],
                        idle_ms=3_600_000)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.client_list.show_discharged.setChecked(True)
    with qtbot.waitSignal(window.clients_loaded, timeout=10_000):
        window.show()
    other = next(window.client_list.model.client_at(r).id
                 for r in range(window.client_list.model.rowCount())
                 if window.client_list.model.client_at(r).id != heavy_id)

    def select(client_id: int) -> None:
        with qtbot.waitSignal(window.chart_shown, timeout=10_000):
            window.client_list.select_client(client_id)
        window.chart_view.overview.repaint()  # lay out and paint the timelines now
        QApplication.processEvents()

    benchmark.pedantic(select, args=(heavy_id,), setup=lambda: select(other),
                       rounds=15, iterations=1, warmup_rounds=2)
    assert window.chart_view.chart is not None
    assert len(window.chart_view.chart.dosing_sessions) == 60
    window.close()
