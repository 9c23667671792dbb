"""A report as the therapist makes it in the window: the Reports tab of an unlocked vault,
Generate pressed, until the preview shows the PDF. The record is gathered on the
database worker and the pages laid out on the tab's own thread, as in use.

The clients are the command's benchmark clients (20 sessions and 300, every session in the
period, each note in full, every section; and the 300 with one line per session). The
first report of a session also loads reportlab and matplotlib: the warm-up round pays it,
the rounds measure every report after it. The issue's targets are for the command from
start (tests/bench/test_bench_report.py); these are the figures a therapist meets.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from models.demo import generate_heavy_client
from models.vault import create_vault
from tests.ui.reports.test_reports_tab import open_reports
from ui.reports.reports_tab import ReportsTab
from ui.shell.main_window import MainWindow
from ui.shell.settings import Settings
from ui.shell.tasks import TaskRunner
from workstation.gui import application
from workstation.offscreen import fixed_runner

from .conftest import BENCH_PASSPHRASE, TODAY

RECORDS = {20: "C-0001", 300: "C-0002"}


@pytest.fixture(scope="module")
def tab_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench-report-tab") / "reports.iwvault"
    vault = create_vault(path, BENCH_PASSPHRASE)
    try:
        with vault.transaction() as session:
            for sessions in RECORDS:  # in order: C-0001 has 20, C-0002 has 300
                generate_heavy_client(session, sessions=sessions, today=TODAY)
    finally:
        vault.close()
    return path


@pytest.fixture
def window(qtbot: QtBot, qapp: Any, tab_vault: Path, tmp_path: Path) -> Iterator[MainWindow]:
    application()
    runner: TaskRunner = fixed_runner(TODAY)
    opened: list[Any] = []
    runner.open_vault(tab_vault, BENCH_PASSPHRASE, lambda b: b.practice.clinician(),
                      opened.append)
    qtbot.waitUntil(lambda: bool(opened), timeout=30_000)
    main = MainWindow(runner, Settings(tmp_path / "s.ini"), tab_vault, opened[0],
                      idle_ms=3_600_000)
    with qtbot.waitSignal(main.clients_loaded, timeout=30_000):
        main.show()
    yield main
    main.close()
    runner.shutdown()


def _reports_tab(qtbot: QtBot, main: MainWindow, record_number: str) -> ReportsTab:
    """The client's Reports tab, its period every session of the record."""
    tab = open_reports(qtbot, main, record_number)
    tab.start.setDate(QDate(2000, 1, 1))
    tab.end.setDate(QDate(TODAY.year, TODAY.month, TODAY.day))
    return tab


@pytest.mark.parametrize(("sessions", "detail"), [(20, "full"), (300, "full"),
                                                  (300, "summaries")])
def test_report_in_the_window(benchmark: Any, qtbot: QtBot, window: MainWindow,
                              sessions: int, detail: str) -> None:
    tab = _reports_tab(qtbot, window, RECORDS[sessions])
    tab.detail[detail].setChecked(True)

    def generate() -> None:
        with qtbot.waitSignal(tab.generated, timeout=120_000):
            tab.generate_button.click()

    benchmark.pedantic(generate, rounds=5, iterations=1, warmup_rounds=1)
    assert tab.pdf is not None and len(tab.pdf) > 10_000
    assert tab.data is not None and tab.data.end == TODAY
    assert tab.data.options.detail == detail
