"""The report command's second process: it loads reportlab and matplotlib and lays out the
PDF while the first loads SQLAlchemy, opens the vault and gathers the report's data.

A command starts with one core busy importing and the other idle; the drawing libraries
and the database libraries take about as long to load as each other, and neither needs
the other. So on Linux `workstation report` forks before it loads either (no thread
runs yet, nothing of the client is in memory, and the child never sees the passphrase
or the key); the child loads the drawing side, then waits on a pipe for the report's
data and answers with the PDF's bytes. The function that lays the report out is
`reports.render.render_report`, the one the Reports tab calls.

Everything travels through anonymous pipes, never a file. If the child is not there to
answer (another system, a crash, a kill), the command renders in its own process, as it
always did, and any error it meets is reported the usual way.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.report_data import ReportData

_OK = b"K"


def _render_here(data: ReportData, password: str | None) -> bytes:
    from reports.render import load_drawing, render_report

    load_drawing(data.options.kind)
    return render_report(data, password=password)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


class ReportRenderer:
    """Lays out one report: in the forked child when there is one, else here."""

    def __init__(self, pid: int = 0, jobs: int = -1, answers: int = -1) -> None:
        self._pid, self._jobs, self._answers = pid, jobs, answers
        self.from_child = False  # whether the last report came from the child

    @property
    def forked(self) -> bool:
        return self._pid > 0

    def render(self, data: ReportData, password: str | None = None) -> bytes:
        """The report's PDF bytes (AES-256 when a password is given)."""
        if self._jobs >= 0:
            try:
                _write_all(self._jobs, pickle.dumps((data, password), pickle.HIGHEST_PROTOCOL))
                os.close(self._jobs)
                self._jobs = -1
                answer = _read_all(self._answers)
            except OSError:  # the child is gone: a broken pipe
                answer = b""
            self.close()
            if answer[:1] == _OK:
                self.from_child = True
                return answer[1:]
        # No child, or it could not answer: the same function in this process says what
        # went wrong, if anything did.
        return _render_here(data, password)

    def close(self) -> None:
        """Stop the child and reap it: it has answered already, or its answer is no longer
        wanted (a wrong passphrase, an unknown client, Ctrl+C), and it holds nothing that
        needs saving."""
        for fd in (self._jobs, self._answers):
            if fd >= 0:
                os.close(fd)
        self._jobs = self._answers = -1
        if self._pid > 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGTERM)
            os.waitpid(self._pid, 0)
            self._pid = 0


def start_renderer(kind: str) -> ReportRenderer:
    """A renderer whose child starts loading what a `kind` report draws with. Call it
    before any thread starts and before the vault is opened; close() what it returns."""
    if sys.platform != "linux" or os.environ.get("WORKSTATION_ONE_PROCESS"):
        return ReportRenderer()
    jobs_read, jobs_write = os.pipe()
    answers_read, answers_write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: it never returns
        os.close(jobs_write)
        os.close(answers_read)
        code = 1
        try:
            _serve(kind, jobs_read, answers_write)
            code = 0
        finally:
            os._exit(code)
    os.close(jobs_read)
    os.close(answers_write)
    return ReportRenderer(pid, jobs_write, answers_read)


def _serve(kind: str, jobs: int, answers: int) -> None:
    """The child's life: load, wait for the data, lay the report out, answer."""
    # A short-lived process whose objects all live to its end: the collector would only
    # walk them again and again.
    gc.disable()
    from reports.render import load_drawing, render_report

    load_drawing(kind)
    request = _read_all(jobs)
    if not request:  # the command stopped before it had data (a wrong passphrase, ...)
        return
    data, password = pickle.loads(request)
    try:
        pdf = render_report(data, password=password)
    except Exception:
        # The parent renders again in its own process and reports the error there.
        return
    _write_all(answers, _OK + pdf)
