"""The task runner: work runs on one worker thread and results come back on the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from ui.shell.tasks import Changed, TaskRunner, VaultLockedError


def test_results_arrive_on_the_gui_thread_from_one_worker(
        qtbot: QtBot, runner: TaskRunner, worker: Any, demo_vault: Path) -> None:
    worker.open(demo_vault)
    gui_thread = threading.get_ident()
    seen: list[tuple[int, int]] = []

    def job(_session: Any) -> int:
        return threading.get_ident()

    for _ in range(5):
        runner.submit(job, lambda worker_id: seen.append((worker_id, threading.get_ident())))
    qtbot.waitUntil(lambda: len(seen) == 5)
    worker_ids = {w for w, _ in seen}
    assert len(worker_ids) == 1 and gui_thread not in worker_ids
    assert {g for _, g in seen} == {gui_thread}


def test_a_write_announces_what_changed(
        qtbot: QtBot, runner: TaskRunner, worker: Any, demo_vault: Path) -> None:
    worker.open(demo_vault)
    with qtbot.waitSignal(runner.data_changed) as blocker:
        runner.submit(lambda _s: 7, changes=lambda client_id: Changed("client", client_id))
    assert blocker.args == [Changed("client", 7)]


def test_errors_reach_on_error_and_nothing_runs_while_locked(
        qtbot: QtBot, runner: TaskRunner) -> None:
    errors: list[Exception] = []
    runner.submit(lambda _s: None, lambda _r: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], VaultLockedError)


def test_closing_the_vault_drops_pending_results(
        qtbot: QtBot, runner: TaskRunner, worker: Any, demo_vault: Path) -> None:
    worker.open(demo_vault)
    late: list[Any] = []
    runner.submit(lambda _s: "stale", late.append)
    with qtbot.waitSignal(runner.vault_closed):
        runner.close_vault()
    assert late == []
    assert runner.vault_name is None
