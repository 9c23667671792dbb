"""The task runner: work runs on one worker thread and results come back on the GUI thread."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from models.api import Backend, Changes, Done, Kind
from models.errors import LockedError, ValidationError
from ui.shell.tasks import TaskRunner, VaultLockedError, refusal


def test_results_arrive_on_the_gui_thread_from_one_worker(
        qtbot: QtBot, runner: TaskRunner, worker: Any, demo_vault: Path) -> None:
    worker.open(demo_vault)
    gui_thread = threading.get_ident()
    seen: list[tuple[int, int]] = []

    def job(_backend: Backend) -> int:
        return threading.get_ident()

    for _ in range(5):
        runner.submit(job, lambda worker_id: seen.append((worker_id, threading.get_ident())))
    qtbot.waitUntil(lambda: len(seen) == 5)
    worker_ids = {w for w, _ in seen}
    assert len(worker_ids) == 1 and gui_thread not in worker_ids
    assert {g for _, g in seen} == {gui_thread}


def test_a_write_announces_what_changed_after_its_callback(
        qtbot: QtBot, runner: TaskRunner, worker: Any, demo_vault: Path) -> None:
    worker.open(demo_vault)
    order: list[str] = []
    runner.data_changed.connect(lambda _c: order.append("announced"))
    changes = Changes.of(7, Kind.MEASURES)
    with qtbot.waitSignal(runner.data_changed) as blocker:
        runner.submit(lambda _b: Done("value", changes), lambda _d: order.append("callback"))
    assert blocker.args == [changes]
    assert order == ["callback", "announced"]


def test_errors_reach_on_error_and_nothing_runs_while_locked(
        qtbot: QtBot, runner: TaskRunner) -> None:
    errors: list[Exception] = []
    runner.submit(lambda _b: None, lambda _r: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], VaultLockedError)


def test_closing_the_vault_drops_pending_results(
        qtbot: QtBot, runner: TaskRunner, worker: Any, demo_vault: Path) -> None:
    worker.open(demo_vault)
    late: list[Any] = []
    runner.submit(lambda _b: "stale", late.append)
    with qtbot.waitSignal(runner.vault_closed):
        runner.close_vault()
    assert late == []
    assert runner.vault_name is None


def test_a_closed_window_gets_no_callback_but_its_write_is_announced(
        qtbot: QtBot, runner: TaskRunner, worker: Any, demo_vault: Path) -> None:
    worker.open(demo_vault)
    owner = QWidget()
    called: list[Any] = []
    gate = threading.Event()
    changes = Changes.of(3, Kind.NOTES)

    def slow_write(_b: Backend) -> Done[str]:
        gate.wait(5)
        return Done("saved", changes)

    runner.submit(slow_write, called.append, called.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner))
    with qtbot.waitSignal(runner.data_changed) as blocker:
        gate.set()
    assert blocker.args == [changes]
    assert called == []


def _alive(widget: QWidget) -> bool:
    from shiboken6 import isValid

    return bool(isValid(widget))


def test_a_failure_nobody_waits_for_is_logged_without_its_message(
        qtbot: QtBot, runner: TaskRunner, worker: Any, demo_vault: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    worker.open(demo_vault)
    gate = threading.Event()
    secret = "".join(("Ada Ex", "ample, SUD 9"))  # never spelt whole in the source either

    def failing(_b: Backend) -> None:
        gate.wait(5)
        raise ValueError(secret)

    runner.submit(failing, lambda _r: None, lambda _e: None)
    runner.discard_pending()  # as locking does: the callbacks are gone
    with caplog.at_level(logging.ERROR, logger="ui.shell.tasks"):
        gate.set()
        qtbot.waitUntil(lambda: runner.idle)
    assert "ValueError failed in a background task whose result was no longer wanted" in \
        caplog.text
    assert secret not in caplog.text


def test_python_collects_cycles_on_the_gui_thread_only_while_a_runner_lives(
        qtbot: QtBot, runner: TaskRunner, worker: Any, demo_vault: Path) -> None:
    import gc

    worker.open(demo_vault)
    assert not gc.isenabled(), "no automatic collection while the worker runs"
    collected_on: set[int] = set()

    def watch(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            collected_on.add(threading.get_ident())

    gc.callbacks.append(watch)
    try:
        # Garbage cycles made on both threads, many more than a collection's threshold.
        def churn(_backend: Backend) -> int:
            for _ in range(5_000):
                cycle: list[Any] = []
                cycle.append(cycle)
            return 0

        done: list[int] = []
        for _ in range(4):
            runner.submit(churn, done.append)
            for _ in range(5_000):
                cycle: list[Any] = []
                cycle.append(cycle)
        qtbot.waitUntil(lambda: len(done) == 4, timeout=10_000)
        qtbot.waitUntil(lambda: bool(collected_on), timeout=5_000)
        assert collected_on == {threading.get_ident()}
    finally:
        gc.callbacks.remove(watch)
    runner.shutdown()
    assert gc.isenabled(), "collection is Python's again once the runner is gone"


def test_a_refusal_says_what_by_field_and_a_bug_is_reported_as_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert refusal(ValidationError({"name": "Give the client's name."})) == {
        "name": "Give the client's name."}
    assert refusal(LockedError("This note is already signed.")) == {
        "": "This note is already signed."}
    assert refusal(VaultLockedError()) == {"": str(VaultLockedError())}
    hooked: list[type[BaseException]] = []
    monkeypatch.setattr("sys.excepthook", lambda kind, _exc, _tb: hooked.append(kind))
    assert refusal(KeyError("bug")) is None
    assert hooked == [KeyError]
