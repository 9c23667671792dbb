"""UI fixtures: a small demo vault, a task runner on its worker thread, typed settings.

The demo vault is built once per test session and copied for each test, so a test may
change it freely without paying the demo generation again.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from models.demo import DemoPlan, generate_demo
from models.vault import create_vault
from ui.shell.main_window import MainWindow
from ui.shell.settings import Settings
from ui.shell.tasks import TaskRunner
from workstation.gui import application
from workstation.services import build_services

DEMO_PASSPHRASE = "demo vault passphrase"
TODAY = dt.date(2026, 11, 1)
@pytest.fixture(scope="session")
def demo_vault_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.iwvault"
    vault = create_vault(path, DEMO_PASSPHRASE)
    try:
        with vault.transaction() as session:
            generate_demo(session, DemoPlan(clients=8, seed=3, today=TODAY))
    finally:
        vault.close()
    return path


@pytest.fixture
def demo_vault(demo_vault_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo vault (8 synthetic clients) for this test."""
    path = tmp_path / "practice.iwvault"
    shutil.copy2(demo_vault_template, path)
    for suffix in ("-wal", "-shm"):
        sidecar = demo_vault_template.with_name(demo_vault_template.name + suffix)
        if sidecar.exists():
            shutil.copy2(sidecar, path.with_name(path.name + suffix))
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(tmp_path / "settings.ini")


@pytest.fixture
def runner(qapp: Any) -> Iterator[TaskRunner]:
    application()  # names and stylesheet, as the real start-up sets them
    task_runner = TaskRunner(build_services())
    yield task_runner
    task_runner.shutdown()


class Worker:
    """Run things on the task runner and wait for the result, for tests."""

    def __init__(self, qtbot: QtBot, runner: TaskRunner) -> None:
        self.qtbot = qtbot
        self.runner = runner

    def open(self, path: Path, passphrase: str = DEMO_PASSPHRASE) -> Any:
        """Open the vault; returns the vault owner's ClinicianDTO."""
        result: list[Any] = []
        self.runner.open_vault(path, passphrase, result.append,
                               then=self.runner.services.primary_clinician)
        self.qtbot.waitUntil(lambda: bool(result), timeout=10_000)
        return result[0]

    def run(self, fn: Any) -> Any:
        """fn(session) on the worker thread; returns its result."""
        result: list[Any] = []
        self.runner.submit(fn, result.append)
        self.qtbot.waitUntil(lambda: bool(result), timeout=10_000)
        return result[0]


@pytest.fixture
def worker(qtbot: QtBot, runner: TaskRunner) -> Worker:
    return Worker(qtbot, runner)


@pytest.fixture
def main_window(qtbot: QtBot, runner: TaskRunner, worker: Worker, settings: Settings,
                demo_vault: Path) -> Iterator[MainWindow]:
    """The main window on the demo vault, its client list loaded."""
    clinician = worker.open(demo_vault)
    window = MainWindow(runner, settings, demo_vault, clinician, idle_ms=3_600_000)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.clients_loaded, timeout=10_000):
        window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    yield window
    window.close()
