"""UI fixtures: a small demo vault, a task runner on its worker thread, typed settings.

The demo vault is built once per test session and copied for each test, so a test may
change it freely without paying the demo generation again.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pytestqt.qtbot import QtBot

from models.api import Backend
from models.dto import ClinicianDTO
from models.inputs import ClientInput, CourseInput
from tests.conftest import TODAY
from ui.shell.main_window import MainWindow
from ui.shell.settings import Settings
from ui.shell.tasks import TaskRunner
from workstation.gui import application
from workstation.offscreen import build_demo_vault, fixed_runner

DEMO_PASSPHRASE = "demo vault passphrase"
T = TypeVar("T")


@pytest.fixture(scope="session")
def demo_vault_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.iwvault"
    build_demo_vault(path, DEMO_PASSPHRASE, clients=8, seed=3, today=TODAY)
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
    task_runner = fixed_runner(TODAY)  # the backend and the windows both on TODAY
    yield task_runner
    task_runner.shutdown()


class Worker:
    """Run things on the task runner and wait for the result, for tests."""

    def __init__(self, qtbot: QtBot, runner: TaskRunner) -> None:
        self.qtbot = qtbot
        self.runner = runner

    def open(self, path: Path, passphrase: str = DEMO_PASSPHRASE) -> ClinicianDTO | None:
        """Open the vault on the worker; returns the vault owner's ClinicianDTO."""
        result: list[ClinicianDTO | None] = []
        self.runner.open_vault(path, passphrase, lambda b: b.practice.clinician(),
                               result.append)
        self.qtbot.waitUntil(lambda: bool(result), timeout=10_000)
        return result[0]

    def run(self, fn: Callable[[Backend], T]) -> T:
        """fn(backend) on the worker thread; returns its result (raises its error)."""
        result: list[T] = []
        errors: list[Exception] = []
        self.runner.submit(fn, result.append, errors.append)
        self.qtbot.waitUntil(lambda: bool(result or errors), timeout=10_000)
        if errors:
            raise errors[0]
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


@pytest.fixture
def read_only_window(qtbot: QtBot, runner: TaskRunner, worker: Worker, settings: Settings,
                     demo_vault: Path) -> Iterator[MainWindow]:
    """The main window on the demo vault with its file marked read-only: opened read-only,
    its client list loaded and its state known (the bar shows, the runner can say why)."""
    demo_vault.chmod(0o444)
    window = MainWindow(runner, settings, demo_vault, worker.open(demo_vault),
                        idle_ms=3_600_000)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.clients_loaded, timeout=10_000):
        window.show()
    qtbot.waitUntil(lambda: runner.read_only_line is not None, timeout=10_000)
    yield window
    window.close()  # records no lock in a vault it cannot write: no error either


def dose_left_without_its_note(worker: Worker) -> tuple[int, int]:
    """A new client whose first dose's draft is discarded after a note followed it: the
    dose stays on record without its note. Returns (client id, dose id)."""
    # The client is added on its own, as the window's New client does (the list shows it).
    client_id = worker.run(lambda b: b.clients.create(ClientInput(name="Dose Fixture"),
                                                      actor_id=None)).value.id

    def build(b: Backend) -> tuple[int, int]:
        doc = b.practice.clinician()
        assert doc is not None
        b.care.add_course(client_id, CourseInput("spaced", TODAY - dt.timedelta(days=20)),
                          actor_id=None)
        dosing = b.notes.create(client_id, "dosing", author_id=doc.id,
                                session_date=TODAY - dt.timedelta(days=2)).value
        b.notes.create(client_id, "general", author_id=doc.id,
                       session_date=TODAY - dt.timedelta(days=1))
        assert dosing.dosing_session_id is not None
        return dosing.dosing_session_id, dosing.id

    dose_id, note_id = worker.run(build)
    worker.run(lambda b: b.notes.discard_draft(note_id, actor_id=None))
    return client_id, dose_id
