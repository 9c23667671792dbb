"""Start the desktop application: one readable sequence from argv to the main window."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QSize, QSocketNotifier, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from models.dto import ClinicianDTO
from ui.common.style import STYLESHEET, use_light_colours
from ui.shell import settings as S
from ui.shell.names import APP_NAME
from ui.shell.settings import ORGANISATION, Settings
from ui.shell.tasks import TaskRunner
from ui.shell.unlock.panel import UnlockPanel
from workstation.opener import LazyOpener

log = logging.getLogger("workstation")

UNLOCK_SIZE = QSize(760, 620)


def _parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="workstation", add_help=False)
    parser.add_argument("--vault", type=Path, default=None)
    return parser.parse_known_args(argv)


def application(qt_args: list[str] | None = None) -> QApplication:
    """The QApplication with our names and stylesheet (reused when one exists)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(
        [sys.argv[0] if sys.argv else "workstation", *(qt_args or [])])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    use_light_colours(app)
    app.setStyleSheet(STYLESHEET)
    return app


def unlock_window(runner: TaskRunner, settings: Settings, vault_path: Path | None) -> UnlockPanel:
    """The first window: the chooser on a first start, else the passphrase for the vault."""
    window = UnlockPanel(runner, settings, vault_path)
    window.resize(UNLOCK_SIZE)
    return window


def _show_bug(exc_type: type[BaseException], exc: BaseException,
              tb: TracebackType | None) -> None:
    """A bug gets a traceback (in a dialog and the log) without its message, which may
    hold client data; errors from the environment are shown kindly where they happen."""
    frames = "".join(traceback.format_tb(tb))
    log.error("Unexpected %s:\n%s", exc_type.__name__, frames)
    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME,
                      "Something went wrong inside the application. Your records are safe "
                      "in the vault; if this happens again, send the details below to "
                      "support.")
    box.setDetailedText(f"{exc_type.__name__}\n{frames}")
    box.exec()


def check_definitions() -> None:
    """Load every note template and instrument definition; a damaged one raises with its
    file (and, for templates, the line)."""
    from models.instruments.loading import load_instruments
    from models.templates.loading import load_templates

    load_templates()
    load_instruments()


def _definitions_failed(app: QApplication, exc: Exception) -> None:
    log.error("A bundled definition file is damaged: %s", exc)
    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME,
                      "Integration Workstation cannot start: one of its own definition files "
                      f"is damaged.\n\n{exc}\n\nNo vault was opened or changed. Reinstall the "
                      "application, or restore that file.")
    box.exec()
    app.exit(1)


# Signals that ask a program to end: a shutdown or `kill` (SIGTERM), the terminal that
# started it closing (SIGHUP, not on Windows), Ctrl+C in that terminal (SIGINT).
_ENDING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT")
                        if hasattr(signal, name))


@contextlib.contextmanager
def ending_signals_quit(app: QApplication, quit_: Callable[[], None]) -> Iterator[None]:
    """While inside, a signal that asks the program to end calls `quit_` on the GUI thread,
    as File › Quit would be: drafts saved, the vault closed, the lock recorded. (Python's
    own handling killed it at once, or raised KeyboardInterrupt in whatever slot ran next.)

    Python runs a signal's handler only when it next runs Python code, and Qt's event loop
    is C++: the signal also writes to a socket that Qt watches, whose slot is Python."""
    read, write = socket.socketpair()
    read.setblocking(False)
    write.setblocking(False)
    notifier = QSocketNotifier(read.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda *_args: _drain(read))
    previous_fd = signal.set_wakeup_fd(write.fileno(), warn_on_full_buffer=False)
    previous = {sig: signal.getsignal(sig) for sig in _ENDING_SIGNALS}
    for sig in _ENDING_SIGNALS:
        signal.signal(sig, lambda _sig, _frame: QTimer.singleShot(0, quit_))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        notifier.deleteLater()
        read.close()
        write.close()


def _drain(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while sock.recv(64):
            pass


def run_gui(argv: list[str], vault_path: Path | None = None) -> int:
    """Open the application; returns the exit code when the last window closes."""
    args, qt_args = _parse(argv)
    # Every file the application creates (settings, reports, exports, backups) is its
    # owner's alone unless a feature says otherwise.
    os.umask(0o077)
    logging.basicConfig(level=logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = application(qt_args)
    previous_hook, sys.excepthook = sys.excepthook, _show_bug
    settings = Settings()
    runner = TaskRunner(LazyOpener())
    last = settings.get(S.LAST_VAULT)
    path = vault_path or args.vault or (Path(last) if last else None)
    if path is not None:
        path = path.expanduser().absolute()  # shown and remembered as a full path
    windows: dict[str, QWidget] = {}

    def open_main_window(clinician: ClinicianDTO | None) -> None:
        from ui.shell.main_window import MainWindow  # after unlock: keeps start-up light

        unlock = windows.pop("unlock")
        assert isinstance(unlock, UnlockPanel) and unlock.vault_path is not None
        main = MainWindow(runner, settings, unlock.vault_path, clinician)
        windows["main"] = main
        main.show()
        unlock.close()
        unlock.deleteLater()

    unlock = unlock_window(runner, settings, path)
    unlock.unlocked.connect(open_main_window, Qt.ConnectionType.QueuedConnection)
    windows["unlock"] = unlock
    unlock.show()
    # Check the bundled templates and instruments, then load SQLAlchemy, Alembic and
    # SQLCipher, on the worker while the passphrase is typed.
    runner.call(check_definitions, on_error=lambda exc: _definitions_failed(app, exc))
    runner.call(runner.opener.prewarm)

    def end_of_session(_manager: object) -> None:
        # The system is logging out or shutting down, and may end the process once this
        # returns: quit now, and wait until the drafts and the lock are written.
        app.closeAllWindows()
        runner.shutdown()

    app.commitDataRequest.connect(end_of_session)
    try:
        with ending_signals_quit(app, app.closeAllWindows):
            return app.exec()
    finally:
        app.commitDataRequest.disconnect(end_of_session)
        runner.shutdown()
        settings.sync()
        sys.excepthook = previous_hook
