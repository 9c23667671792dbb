"""How the windows unlock a vault: the real backend, with the heavy modules loaded late.

ui/ knows the backend only through models.api; this composition root hands it an opener
that imports SQLAlchemy, Alembic and SQLCipher on first use, so the unlock window appears
before they are loaded, and `prewarm` loads them on the worker thread while the therapist
types the passphrase.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from models.api import Backend
from models.clock import SYSTEM_CLOCK, Clock
from models.dto import RekeyReport, RestoreReport
from ui.shell.about import app_version


class LazyOpener:
    """models.api.BackendOpener for the real vault."""

    def __init__(self, clock: Clock = SYSTEM_CLOCK) -> None:
        self.clock = clock

    def open(self, path: Path, passphrase: str) -> Backend:
        from models.backend import open_backend

        # A window keeps its drafts for as long as it is unlocked: one window per vault.
        return open_backend(path, passphrase, clock=self.clock, alone=True)

    def create(self, path: Path, passphrase: str) -> Backend:
        from models.backend import create_backend

        return create_backend(path, passphrase, app_version=app_version(), clock=self.clock)

    def today(self) -> dt.date:
        return self.clock.today()

    def restore(self, backup: Path, vault: Path, passphrase: str, *,
                progress: Callable[[float], None] | None = None) -> RestoreReport:
        from models.safekeeping.restore import restore_vault

        return restore_vault(backup, vault, passphrase, progress=progress)

    def change_passphrase(self, vault: Path, old: str, new: str, *,
                          progress: Callable[[float], None] | None = None) -> RekeyReport:
        from models.safekeeping.rekey import change_passphrase

        return change_passphrase(vault, old, new, progress=progress)

    def prewarm(self) -> None:
        import models.backend  # noqa: F401  (loads the services, the vault and SQLCipher)

    def prewarm_charts(self) -> None:
        # matplotlib itself and one small figure drawn with Agg, which loads the fonts and
        # the text layout the first chart needs. Not matplotlib's Qt canvas: its module
        # defines Qt classes, and doing that off the GUI thread while the GUI thread runs
        # Qt's event loop crashed the process (a segfault in a UI test).
        from reports.charts import warm_up

        warm_up()
