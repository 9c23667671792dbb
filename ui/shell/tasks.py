"""The one worker thread that does all database work; results come back by signal.

Rules (Picard's, written down where contributors read them): a job runs on the worker
and never touches a widget; its result reaches the GUI thread through `_finished`, a
queued signal, and only there are the callbacks called. The vault (and so every
connection and Session) lives on the worker thread from open to close.
"""

from __future__ import annotations

import itertools
import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ui.common.signals import emit
from ui.ports import Services, VaultHandle

log = logging.getLogger(__name__)

OnDone = Callable[[Any], None]
OnError = Callable[[Exception], None]


@dataclass(frozen=True)
class Changed:
    """What a write changed, so each view decides for itself whether to refresh."""

    kind: str  # "client" (one client's record or details) or "clients" (the list)
    client_id: int | None = None


class VaultLockedError(Exception):
    """Database work was asked for while no vault is open."""

    def __init__(self) -> None:
        super().__init__("The vault is locked. Unlock it and try again.")


@dataclass
class _Pending:
    on_done: OnDone | None
    on_error: OnError | None
    changes: Callable[[Any], Changed | None] | None


class _Worker(QObject):
    """Lives on the worker thread; holds the open vault."""

    finished = Signal(int, bool, object)

    def __init__(self) -> None:
        super().__init__()
        self.vault: VaultHandle | None = None

    @Slot(int, object)
    def run(self, task_id: int, job: Callable[[_Worker], Any]) -> None:
        try:
            result = job(self)
        except Exception as exc:  # delivered to the GUI thread, handled there
            emit(self.finished, task_id, False, exc)
        else:
            emit(self.finished, task_id, True, result)


class TaskRunner(QObject):
    """Runs jobs one at a time on a single worker thread and posts results back."""

    data_changed = Signal(object)  # a Changed
    vault_opened = Signal(str)  # the vault's file name
    vault_closed = Signal()
    _dispatch = Signal(int, object)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._thread = QThread()
        self._thread.setObjectName("database-worker")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._dispatch.connect(self._worker.run)
        self._worker.finished.connect(self._on_finished)
        self._thread.start()
        self._vault_name: str | None = None
        self._running = True

    # -- state seen from the GUI thread -------------------------------------------------

    @property
    def vault_name(self) -> str | None:
        """The open vault's file name, or None while locked."""
        return self._vault_name

    @property
    def idle(self) -> bool:
        """No job is waiting for its result."""
        return not self._pending

    @property
    def running(self) -> bool:
        """False once shut down: no more jobs are accepted."""
        return self._running

    # -- jobs -----------------------------------------------------------------------------

    def _post(
        self,
        job: Callable[[_Worker], Any],
        on_done: OnDone | None,
        on_error: OnError | None,
        changes: Callable[[Any], Changed | None] | None = None,
    ) -> int:
        if not self._running:
            raise RuntimeError("The task runner has been shut down.")
        task_id = next(self._ids)
        self._pending[task_id] = _Pending(on_done, on_error, changes)
        emit(self._dispatch, task_id, job)
        return task_id

    def submit(
        self,
        fn: Callable[[Any], Any],
        on_done: OnDone | None = None,
        on_error: OnError | None = None,
        *,
        changes: Callable[[Any], Changed | None] | None = None,
    ) -> int:
        """Run fn(session) in one short transaction on the worker thread.

        on_done(result) or on_error(exc) is called on the GUI thread; after a success,
        `changes(result)` (when given) is announced on data_changed.
        """

        def job(worker: _Worker) -> Any:
            if worker.vault is None:
                raise VaultLockedError()
            with worker.vault.transaction() as session:
                return fn(session)

        return self._post(job, on_done, on_error, changes)

    def call(
        self, fn: Callable[[], Any], on_done: OnDone | None = None,
        on_error: OnError | None = None,
    ) -> int:
        """Run fn() on the worker thread with no session (imports, file checks)."""
        return self._post(lambda _worker: fn(), on_done, on_error)

    def open_vault(
        self,
        path: Path,
        passphrase: str,
        on_done: OnDone | None = None,
        on_error: OnError | None = None,
        *,
        create: bool = False,
        then: Callable[[Any], Any] | None = None,
    ) -> int:
        """Open (or create) the vault on the worker, then run then(session) if given.

        The key derivation runs on the worker, so the window stays responsive. If `then`
        fails the vault is closed again and on_error receives the error.
        """
        services = self.services

        def job(worker: _Worker) -> Any:
            if worker.vault is not None:
                worker.vault.close()
                worker.vault = None
            opener = services.create_vault if create else services.open_vault
            vault = opener(path, passphrase)
            try:
                result = None
                if then is not None:
                    with vault.transaction() as session:
                        result = then(session)
            except BaseException:
                vault.close()
                raise
            worker.vault = vault
            return vault.name, result

        def opened(value: tuple[str, Any]) -> None:
            name, result = value
            self._vault_name = name
            emit(self.vault_opened, name)
            if on_done is not None:
                on_done(result)

        return self._post(job, opened, on_error)

    def close_vault(
        self, before_close: Callable[[Any], Any] | None = None,
        on_done: OnDone | None = None,
    ) -> int:
        """Drop every pending result, run before_close(session), close all connections."""
        self.discard_pending()
        self._vault_name = None

        def job(worker: _Worker) -> None:
            vault, worker.vault = worker.vault, None
            if vault is None:
                return
            try:
                if before_close is not None:
                    with vault.transaction() as session:
                        before_close(session)
            finally:
                vault.close()

        def closed(_result: None) -> None:
            emit(self.vault_closed)
            if on_done is not None:
                on_done(None)

        return self._post(job, closed, None)

    def discard_pending(self) -> None:
        """Forget the callbacks of jobs still queued or running: their results are dropped."""
        self._pending.clear()

    def shutdown(self, before_close: Callable[[Any], Any] | None = None) -> None:
        """Close the vault and stop the worker thread; blocks until both are done."""
        if not self._running:
            return
        self.discard_pending()
        self._vault_name = None

        def job(worker: _Worker) -> None:
            vault, worker.vault = worker.vault, None
            try:
                if vault is not None:
                    try:
                        if before_close is not None:
                            with vault.transaction() as session:
                                before_close(session)
                    finally:
                        vault.close()
            finally:
                QThread.currentThread().quit()

        self._post(job, None, None)
        self._running = False
        self._thread.wait()
        self._worker.finished.disconnect(self._on_finished)
        self._pending.clear()

    # -- results, on the GUI thread ------------------------------------------------------

    @Slot(int, bool, object)
    def _on_finished(self, task_id: int, ok: bool, value: Any) -> None:
        pending = self._pending.pop(task_id, None)
        if pending is None:
            return  # discarded: the window moved on (locked, or another client chosen)
        if ok:
            if pending.on_done is not None:
                pending.on_done(value)
            if pending.changes is not None:
                change = pending.changes(value)
                if change is not None:
                    emit(self.data_changed, change)
            return
        exc: Exception = value
        if pending.on_error is not None:
            pending.on_error(exc)
            return
        report_unexpected(exc)


def report_unexpected(exc: BaseException) -> None:
    """A bug: log where it happened (not the message, which may hold client data) and
    hand it to sys.excepthook, which the application turns into a dialog."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("Unexpected %s in a background task:\n%s", type(exc).__name__, frames)
    sys.excepthook(type(exc), exc, exc.__traceback__)
