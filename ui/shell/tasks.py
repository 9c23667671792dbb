"""The one worker thread that does all database work; results come back by signal.

Rules (Picard's, written down where contributors read them): a job runs on the worker
and never touches a widget; its result reaches the GUI thread through `_finished`, a
queued signal, and only there are the callbacks called. The backend (and so every
connection and Session) lives on the worker thread from open to close.

A job is `fn(backend)`, typed: `submit(lambda b: b.clients.get(3), show)` is checked by
mypy end to end. A write returns `Done`; its `Changes` are announced on `data_changed`
after the callback, and each screen decides for itself whether they touch it.
"""

from __future__ import annotations

import itertools
import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from models.api import Backend, BackendOpener, Changes, Done
from models.errors import DomainError, ValidationError, VaultError
from ui.shell.collector import GuiThreadCollector

log = logging.getLogger(__name__)

T = TypeVar("T")
OnError = Callable[[Exception], None]


class VaultLockedError(Exception):
    """Database work was asked for while no vault is open."""

    def __init__(self) -> None:
        super().__init__("The vault is locked. Unlock it and try again.")


@dataclass(frozen=True)
class Reopen:
    """How to open the vault again after replacing it: which passphrase if the operation
    succeeded, which if it failed."""

    path: Path
    after: str
    before: str | None  # None: not known to this window (then a failure leaves it closed)


@dataclass
class _Pending:
    on_done: Callable[[Any], None] | None
    on_error: OnError | None
    orphaned: bool = field(default=False)  # its owner went away: no callbacks, log failures


class _Worker(QObject):
    """Lives on the worker thread; holds the open backend."""

    finished = Signal(int, bool, object)

    def __init__(self) -> None:
        super().__init__()
        self.backend: Backend | None = None

    @Slot(int, object)
    def run(self, task_id: int, job: Callable[[_Worker], Any]) -> None:
        try:
            result = job(self)
        except Exception as exc:  # delivered to the GUI thread, handled there
            self.finished.emit(task_id, False, exc)
        else:
            self.finished.emit(task_id, True, result)


class TaskRunner(QObject):
    """Runs jobs one at a time on a single worker thread and posts results back."""

    data_changed = Signal(object)  # a models.api.Changes
    progressed = Signal(float)  # 0.0 .. 1.0 of the long job running now (backup, export...)
    vault_lost = Signal()  # a replaced vault could not be opened again: the window must lock
    vault_opened = Signal(str)  # the vault's file name
    vault_closed = Signal()
    writable_changed = Signal()  # read_only_line changed: the vault went read-only, or back
    _dispatch = Signal(int, object)

    def __init__(self, opener: BackendOpener, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.opener = opener
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        # Jobs whose callbacks were dropped (lock, quit, a closed window): their results
        # are not wanted, but a failure among them must still be heard.
        self._discarded: set[int] = set()
        self._thread = QThread()
        self._thread.setObjectName("database-worker")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._dispatch.connect(self._worker.run)
        self._worker.finished.connect(self._on_finished)
        # Python's cycle collector must not run on the worker (see ui/shell/collector.py).
        self._collector = GuiThreadCollector(self)
        self._thread.start()
        self._vault_name: str | None = None
        self._read_only_line: str | None = None
        self._running = True

    # -- state seen from the GUI thread -------------------------------------------------

    @property
    def vault_name(self) -> str | None:
        """The open vault's file name, or None while locked."""
        return self._vault_name

    @property
    def read_only_line(self) -> str | None:
        """While the open vault is read-only, the sentence that says why nothing can be
        changed (ui.shell.safekeeping.read_only_line); else None."""
        return self._read_only_line

    @property
    def read_only(self) -> bool:
        """Whether the open vault is read-only (nothing may be changed)."""
        return self._read_only_line is not None

    def set_read_only_line(self, line: str | None) -> None:
        """What the vault's state says (the safekeeping menu reads it on every opening)."""
        if line != self._read_only_line:
            self._read_only_line = line
            self.writable_changed.emit()

    @property
    def idle(self) -> bool:
        """No job is waiting for its result."""
        return not self._pending and not self._discarded

    @property
    def running(self) -> bool:
        """False once shut down: no more jobs are accepted."""
        return self._running

    # -- jobs -----------------------------------------------------------------------------

    def _post(self, job: Callable[[_Worker], Any], on_done: Callable[[Any], None] | None,
              on_error: OnError | None, owner: QObject | None = None) -> int:
        if not self._running:
            raise RuntimeError("The task runner has been shut down.")
        task_id = next(self._ids)
        self._pending[task_id] = _Pending(on_done, on_error)
        if owner is not None:
            # A window that goes away takes its callbacks with it; the job still runs, and
            # what it changed is still announced.
            owner.destroyed.connect(lambda _obj=None, tid=task_id: self._orphan(tid))
        self._dispatch.emit(task_id, job)
        return task_id

    def submit(
        self,
        fn: Callable[[Backend], T],
        on_done: Callable[[T], None] | None = None,
        on_error: OnError | None = None,
        *,
        owner: QObject | None = None,
    ) -> int:
        """Run fn(backend) on the worker thread.

        on_done(result) or on_error(exc) is called on the GUI thread, unless `owner` (the
        widget the callbacks belong to) has been destroyed by then. A `Done` result's
        changes are announced on data_changed after on_done.
        """

        def job(worker: _Worker) -> T:
            if worker.backend is None:
                raise VaultLockedError()
            return fn(worker.backend)

        return self._post(job, on_done, on_error, owner)

    def call(self, fn: Callable[[], T], on_done: Callable[[T], None] | None = None,
             on_error: OnError | None = None) -> int:
        """Run fn() on the worker thread with no backend (imports, file checks)."""
        return self._post(lambda _worker: fn(), on_done, on_error)

    def open_vault(
        self,
        path: Path,
        passphrase: str,
        then: Callable[[Backend], T],
        on_done: Callable[[T], None] | None = None,
        on_error: OnError | None = None,
        *,
        create: bool = False,
    ) -> int:
        """Open (or create) the vault on the worker, then run then(backend).

        The key derivation runs on the worker, so the window stays responsive. If `then`
        fails the vault is closed again and on_error receives the error.
        """
        opener = self.opener

        def job(worker: _Worker) -> tuple[str, T]:
            if worker.backend is not None:
                worker.backend.close()
                worker.backend = None
            backend = (opener.create if create else opener.open)(path, passphrase)
            try:
                result = then(backend)
            except BaseException:
                backend.close()
                raise
            worker.backend = backend
            return backend.name, result

        def opened(value: tuple[str, T]) -> None:
            name, result = value
            self._vault_name = name
            self.vault_opened.emit(name)
            if on_done is not None:
                on_done(result)

        return self._post(job, opened, on_error)

    def close_vault(
        self, before_close: Callable[[Backend], object] | None = None,
        on_done: Callable[[None], None] | None = None,
    ) -> int:
        """Drop every pending result, run before_close(backend), close all connections."""
        self.discard_pending()
        self._vault_name = None
        self.set_read_only_line(None)

        def job(worker: _Worker) -> None:
            backend, worker.backend = worker.backend, None
            if backend is None:
                return
            try:
                if before_close is not None:
                    before_close(backend)
            finally:
                backend.close()

        def closed(_result: None) -> None:
            self.vault_closed.emit()
            if on_done is not None:
                on_done(None)

        return self._post(job, closed, None)

    def progress(self) -> Callable[[float], None]:
        """A progress callback for a long job: called on the worker, it reaches the GUI
        thread as `progressed` (a queued signal, so it is safe from any thread)."""
        return self.progressed.emit

    def replace_vault(
        self,
        operation: Callable[[BackendOpener], T],
        reopen: Reopen,
        on_done: Callable[[T], None] | None = None,
        on_error: OnError | None = None,
    ) -> int:
        """Close the open vault, run operation(opener) on the worker (a restore, a new
        passphrase), then open the vault again: with `reopen.after` when the operation
        succeeded, with `reopen.before` when it failed (on_error then gets its error). When
        it cannot be opened again, `vault_lost` says so (after the callback)."""
        self.discard_pending()
        opener = self.opener
        lost: list[bool] = []

        def reopen_with(passphrase: str | None) -> Backend | None:
            if passphrase is None:
                return None
            try:
                return opener.open(reopen.path, passphrase)
            except Exception:
                return None

        def job(worker: _Worker) -> T:
            if worker.backend is not None:
                worker.backend.close()
                worker.backend = None
            try:
                result = operation(opener)
            except BaseException:
                worker.backend = reopen_with(reopen.before)
                lost.append(worker.backend is None)
                raise
            worker.backend = reopen_with(reopen.after)
            lost.append(worker.backend is None)
            return result

        def then(callback: Callable[[Any], None] | None) -> Callable[[Any], None]:
            def call(value: Any) -> None:
                if callback is not None:
                    callback(value)
                if lost and lost[0]:
                    self._vault_name = None
                    self.vault_lost.emit()
            return call

        return self._post(job, then(on_done), then(on_error))

    def _orphan(self, task_id: int) -> None:
        pending = self._pending.get(task_id)
        if pending is not None:
            pending.on_done = pending.on_error = None
            pending.orphaned = True

    def discard_pending(self) -> None:
        """Forget the callbacks of jobs still queued or running: their results are dropped
        (a failure among them is still logged)."""
        self._discarded.update(self._pending)
        self._pending.clear()

    def shutdown(self, before_close: Callable[[Backend], object] | None = None) -> None:
        """Close the vault and stop the worker thread; blocks until both are done."""
        if not self._running:
            return
        self.discard_pending()
        self._vault_name = None
        self.set_read_only_line(None)

        def job(worker: _Worker) -> None:
            backend, worker.backend = worker.backend, None
            try:
                if backend is not None:
                    try:
                        if before_close is not None:
                            before_close(backend)
                    finally:
                        backend.close()
            finally:
                QThread.currentThread().quit()

        self._post(job, None, None)
        self._running = False
        self._thread.wait()
        # Results that arrived while waiting are still queued for this thread: deliver
        # them now, so a failure among them (a save made on quit) is logged.
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)
        self._worker.finished.disconnect(self._on_finished)
        self._pending.clear()
        self._discarded.clear()
        self._collector.stop()

    # -- results, on the GUI thread ------------------------------------------------------

    @Slot(int, bool, object)
    def _on_finished(self, task_id: int, ok: bool, value: Any) -> None:
        pending = self._pending.pop(task_id, None)
        if pending is None:
            if task_id in self._discarded:
                self._discarded.discard(task_id)
                if not ok:
                    log_failure(value, "a background task whose result was no longer wanted")
            return
        if ok:
            if pending.on_done is not None:
                pending.on_done(value)
            if isinstance(value, Done):
                self.announce(value.changes)
            return
        exc: Exception = value
        if pending.on_error is not None:
            pending.on_error(exc)
        elif pending.orphaned:
            log_failure(exc, "a background task of a closed window")
        else:
            report_unexpected(exc)

    def announce(self, changes: Changes) -> None:
        """Tell every screen what a write changed."""
        self.data_changed.emit(changes)


def log_failure(exc: BaseException, where: str) -> None:
    """Log a failure by its type and where it happened, never its message, which may hold
    client data."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("%s failed in %s:\n%s", type(exc).__name__, where, frames)


def is_refusal(exc: BaseException) -> bool:
    """A request refused for a reason a person can act on, to be said where they asked:
    the domain's rules, a vault that cannot take the write (open read-only, damaged, its
    disk full, held by another program), or no vault open. Anything else is a bug."""
    return isinstance(exc, DomainError | VaultError | VaultLockedError)


def refusal(exc: BaseException) -> dict[str, str] | None:
    """What a refused request says, by field ("" for the form as a whole): a validation's
    problems, or the sentence of any other refusal (`is_refusal`). Anything else is a
    bug: reported as one, and None returned."""
    if isinstance(exc, ValidationError):
        return dict(exc.problems)
    if is_refusal(exc):
        return {"": str(exc)}
    report_unexpected(exc)
    return None


def refused_read_only(runner: TaskRunner, parent: QWidget, title: str) -> bool:
    """A change asked of a vault open read-only: say at once, over `parent`, that nothing
    can be changed, before a form is filled in (the backend refuses the write as well).
    False, and nothing shown, when the vault can be written."""
    line = runner.read_only_line
    if line is None:
        return False
    box = QMessageBox(QMessageBox.Icon.Information, title, line, QMessageBox.StandardButton.Ok,
                      parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    runner.writable_changed.connect(box.reject)  # locked, or another vault put in its place
    box.open()
    return True


def report_unexpected(exc: BaseException) -> None:
    """A bug: log where it happened (not the message) and hand it to sys.excepthook,
    which the application turns into a dialog."""
    log_failure(exc, "a background task")
    sys.excepthook(type(exc), exc, exc.__traceback__)
