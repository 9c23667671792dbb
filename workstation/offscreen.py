"""Drive the real windows without a person: the screenshots, the benchmarks and the tests.

Everything goes through the real task runner and its worker thread, as in the
application; these helpers only wait, spinning the Qt event loop, until a result or a
signal arrives, so the timing between a request and its result is the real one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

from models.api import Backend
from models.clock import FixedClock
from ui.shell.tasks import TaskRunner
from workstation.opener import LazyOpener

T = TypeVar("T")
WAIT_MS = 30_000


class TimedOut(RuntimeError):
    """What was waited for did not arrive in time."""


def settle(rounds: int = 4) -> None:
    """Let queued events (layouts, paints, queued signals) run."""
    for _ in range(rounds):
        QCoreApplication.processEvents()


def pause(ms: int) -> None:
    """Spin the event loop for `ms` milliseconds (a debounce or a repaint to happen)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(trigger: Callable[[], Any], signal: Any, timeout_ms: int = WAIT_MS) -> None:
    """Run trigger() and spin the event loop until `signal` fires."""
    loop = QEventLoop()
    fired: list[bool] = []

    def done(*_args: Any) -> None:
        fired.append(True)
        loop.quit()

    signal.connect(done)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(timeout_ms)
    try:
        trigger()
        if not fired:
            loop.exec()
    finally:
        timer.stop()
        signal.disconnect(done)
    if not fired:
        raise TimedOut(f"no signal within {timeout_ms} ms")


def _wait(post: Callable[[Callable[[Any], None], Callable[[Exception], None]], Any],
          timeout_ms: int) -> Any:
    loop = QEventLoop()
    box: dict[str, Any] = {}

    def done(value: Any) -> None:
        box["value"] = value
        loop.quit()

    def failed(exc: Exception) -> None:
        box["error"] = exc
        loop.quit()

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(timeout_ms)
    post(done, failed)
    if not box:
        loop.exec()
    timer.stop()
    if "error" in box:
        raise box["error"]
    if "value" not in box:
        raise TimedOut(f"no result within {timeout_ms} ms")
    return box["value"]


def run_now(runner: TaskRunner, fn: Callable[[Backend], T], timeout_ms: int = WAIT_MS) -> T:
    """fn(backend) on the runner's worker thread; returns its result (raises its error)."""
    result: T = _wait(lambda done, failed: runner.submit(fn, done, failed), timeout_ms)
    return result


def open_now(runner: TaskRunner, path: Path, passphrase: str,
             then: Callable[[Backend], T], timeout_ms: int = WAIT_MS) -> T:
    """Open the vault on the runner's worker, then(backend); returns what `then` returned."""
    result: T = _wait(lambda done, failed: runner.open_vault(path, passphrase, then, done,
                                                              failed), timeout_ms)
    return result


def fixed_runner(day: dt.date) -> TaskRunner:
    """A task runner whose backend and windows take `day` as today."""
    return TaskRunner(LazyOpener(FixedClock(day)))


def build_demo_vault(path: Path, passphrase: str, *, clients: int, seed: int,
                     today: dt.date | None = None) -> None:
    """A new vault with a synthetic practice (the demo generator, through the backend)."""
    from models.backend import create_backend
    from models.demo import DemoPlan, generate_demo

    backend = create_backend(path, passphrase)
    try:
        with backend.vault.transaction() as session:
            generate_demo(session, DemoPlan(clients=clients, seed=seed,
                                            today=today or dt.date.today()))
    finally:
        backend.close()
