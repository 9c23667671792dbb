"""The report command's second and third processes: the drawing side of a report runs on
the machine's other core while the command opens the vault, and its charts are split
between two processes.

A command starts with one core busy importing and the other idle; the drawing libraries
and the database libraries take about as long to load as each other, and neither needs
the other. So on Linux `workstation report` forks before it loads either (no thread
runs yet, nothing of the client is in memory, and the child never sees the passphrase
or the key). The child loads reportlab and matplotlib, then waits on a pipe for the
report's data and answers with the PDF's bytes. As the data arrives it forks once more:
the grandchild builds the targets' charts and the parts map (`_ELSEWHERE`) while the
child builds the measures' charts and the rest, then the child lays the pages out. The
function that lays the report out is `reports.render.render_report`, the one the
Reports tab calls; the sections travel as pickled flowables, drawn already.

Everything travels through anonymous pipes, never a file. A child that is not there to
answer (another system, a crash, a kill) leaves its work to the process that asked: the
command renders in its own process, the child builds the sections itself, and any error
is reported the usual way. WORKSTATION_ONE_PROCESS=1 asks for one process.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from models.report_data import ReportData

_OK = b"K"
# The sections the grandchild builds: the targets' charts and the parts map are about as
# much work as the measures' charts, which the child draws meanwhile.
_ELSEWHERE = ("targets", "ifs")


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


class _Child:
    """A forked process that does `work` and answers once, through a pipe: `work` gets the
    pipe's end to write to. The child never returns into the caller's code: it exits
    when `work` does (or fails), without running anything the parent set up to run at
    exit. It collects no garbage: it is short-lived and its objects live to its end."""

    def __init__(self, work: Callable[[int], None]) -> None:
        read, write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            code = 1
            try:
                gc.disable()
                work(write)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self.pid, self._fd = pid, read

    def answer(self) -> bytes:
        """Everything the child wrote, once it has finished: b"" when it wrote nothing."""
        try:
            return _read_all(self._fd)
        except OSError:
            return b""

    def close(self) -> None:
        """Stop the child and reap it: it has answered already, or its answer is no longer
        wanted (a wrong passphrase, an unknown client, Ctrl+C), and it holds nothing that
        needs saving."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if self.pid > 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
            self.pid = 0


class ReportRenderer:
    """Lays out one report: in the forked child when there is one, else here."""

    def __init__(self, child: _Child | None = None, jobs: int = -1) -> None:
        self._child, self._jobs = child, jobs
        self.from_child = False  # whether the last report came from the child

    @property
    def child_pid(self) -> int:
        """The child's process id while it runs, else 0."""
        return self._child.pid if self._child is not None else 0

    @property
    def forked(self) -> bool:
        return self.child_pid > 0

    def render(self, data: ReportData, password: str | None = None) -> bytes:
        """The report's PDF bytes (AES-256 when a password is given)."""
        if self._child is not None and self._jobs >= 0:
            with contextlib.suppress(OSError):  # the child is gone: a broken pipe
                _write_all(self._jobs, pickle.dumps((data, password), pickle.HIGHEST_PROTOCOL))
            os.close(self._jobs)
            self._jobs = -1
            answer = self._child.answer()
            self.close()
            if answer[:1] == _OK:
                self.from_child = True
                return answer[1:]
        # No child, or it could not answer: the same function in this process says what
        # went wrong, if anything did.
        from reports.render import load_drawing, render_report

        load_drawing(data.options.kind)
        return render_report(data, password=password)

    def close(self) -> None:
        if self._jobs >= 0:
            os.close(self._jobs)
            self._jobs = -1
        if self._child is not None:
            self._child.close()


def start_renderer(kind: str) -> ReportRenderer:
    """A renderer whose child starts loading what a `kind` report draws with. Call it
    before any thread starts and before the vault is opened; close() what it returns."""
    if sys.platform != "linux" or os.environ.get("WORKSTATION_ONE_PROCESS"):
        return ReportRenderer()
    jobs_read, jobs_write = os.pipe()

    def serve(answers: int) -> None:
        os.close(jobs_write)
        _serve(kind, jobs_read, answers)

    child = _Child(serve)
    os.close(jobs_read)
    return ReportRenderer(child, jobs_write)


def _serve(kind: str, jobs: int, answers: int) -> None:
    """The child's life: load, wait for the data, lay the report out, answer."""
    from reports.render import load_drawing

    load_drawing(kind)
    request = _read_all(jobs)
    os.close(jobs)
    if not request:  # the command stopped before it had data (a wrong passphrase, ...)
        return
    data, password = pickle.loads(request)
    try:
        pdf = _render_in_two(data, password)
    except Exception:
        # The parent renders again in its own process and reports the error there.
        return
    _write_all(answers, _OK + pdf)


def _render_in_two(data: ReportData, password: str | None) -> bytes:
    """The report, with the sections of _ELSEWHERE built by a grandchild meanwhile (when
    the report has both those and others)."""
    from reports.render import render_report

    codes = [c for c in _ELSEWHERE if c in data.options.sections]
    if data.options.kind != "progress" or not codes or set(codes) >= set(data.options.sections):
        return render_report(data, password=password)
    helper = _SectionsChild(data, codes)
    try:
        return render_report(data, password=password,
                             elsewhere={c: functools.partial(helper.section, c) for c in codes})
    finally:
        helper.close()


class _SectionsChild:
    """Builds some of a progress report's sections in a forked process; each is given as
    flowables (its charts drawn already) when asked for, or built here if the child could
    not answer."""

    def __init__(self, data: ReportData, codes: list[str]) -> None:
        self._data = data
        self._built: dict[str, list[Flowable]] | None = None
        self.answered = False  # whether the child's sections arrived

        def build(out: int) -> None:
            from reports.progress import SECTION_BUILDERS

            built = {code: SECTION_BUILDERS[code](data) for code in codes}
            _write_all(out, pickle.dumps(built, pickle.HIGHEST_PROTOCOL))

        self._child = _Child(build)

    def section(self, code: str) -> list[Flowable]:
        if self._built is None:
            answer = self._child.answer()
            self._child.close()
            try:
                self._built = pickle.loads(answer) if answer else {}
            except Exception:  # a child cut short mid-answer
                self._built = {}
            self.answered = bool(self._built)
        if code in self._built:
            return self._built[code]
        from reports.progress import SECTION_BUILDERS

        return SECTION_BUILDERS[code](self._data)

    @property
    def pid(self) -> int:
        return self._child.pid

    def close(self) -> None:
        self._child.close()
