"""Render the Measures tab and its entry dialog offscreen into PNGs for the docs.

`python -m workstation.screenshots_measures DIR`:
Builds a small demo vault (synthetic clients only) in a temporary folder and saves the
Measures tab of a client with data at 1024x640, 1280x720, 1280x800 and 1920x1080, the
dissociation view, and the entry dialog half-way through a PHQ-9 with item 9 flagged.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from workstation.offscreen import fixed_runner, pause, settle, wait_for
from workstation.screenshots import PASSPHRASE, SIZES, TODAY

MEDIUM = (1280, 800)
# The Measures tab also at 1280x720, where its footnote of rules and sources was cut.
PHQ9_SIZES = (*SIZES, (1280, 720))

# --------------------------------------------------------------------------------------
# Screenshots
# --------------------------------------------------------------------------------------


def build_demo_vault(path: Path, clients: int = 6, seed: int = 3) -> int:
    """Write the demo practice; return the client to show: an active one with the most
    measures, preferring one whose PHQ-9 item 9 was ever positive (to show the flag)."""
    from sqlalchemy import func, select

    from models.entities import Client, ItemResponse, MeasureAdministration
    from models.vault import open_vault
    from workstation.offscreen import build_demo_vault as build

    build(path, PASSPHRASE, clients=clients, seed=seed, today=TODAY)
    vault = open_vault(path, PASSPHRASE)
    try:
        with vault.transaction() as session:
            flagged = set(session.scalars(
                select(MeasureAdministration.client_id).join(ItemResponse).where(
                    MeasureAdministration.instrument_id == "phq9",
                    ItemResponse.item_number == 9, ItemResponse.value >= 1)))
            counts = session.execute(
                select(Client.id, func.count(MeasureAdministration.id))
                .join(MeasureAdministration, MeasureAdministration.client_id == Client.id)
                .where(Client.status == "active").group_by(Client.id)).all()
    finally:
        vault.close()
    if not counts:
        raise RuntimeError("the demo vault has no active client with measures")
    return max(counts, key=lambda row: (row[0] in flagged, row[1]))[0]


def _settle(rounds: int = 8) -> None:
    """Let the chart canvas's debounced redraw happen."""
    for _ in range(rounds):
        pause(30)
        settle(1)


def type_digits(dialog: Any, digits: str) -> None:
    """Type into whatever has the keyboard in the dialog, as a therapist would."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    for digit in digits:
        QTest.keyClick(dialog.focusWidget() or dialog, Qt.Key(ord(digit)))


def main(out_dir: str | Path = "docs/screenshots") -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt

    from ui.chart.chart_view import TAB_NAMES
    from ui.measures.item_models import DISSOCIATION_KEY
    from ui.shell.main_window import MainWindow
    from ui.shell.settings import Settings
    from ui.shell.unlock.panel import UnlockPanel
    from workstation.gui import application

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = application()
    app.setFont(app.font())
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="iw-measures-") as tmp:
        vault_path = Path(tmp) / "demo-practice.iwvault"
        client_id = build_demo_vault(vault_path)
        settings = Settings(Path(tmp) / "settings.ini")
        runner = fixed_runner(TODAY)
        try:
            unlock = UnlockPanel(runner, settings, vault_path)
            clinicians: list[Any] = []
            unlock.unlocked.connect(clinicians.append)
            wait_for(lambda: unlock.unlock_page.unlock_requested.emit(PASSPHRASE), unlock.unlocked)
            unlock.hide()
            window = MainWindow(runner, settings, vault_path,
                                clinicians[0] if clinicians else None)
            measures = window.chart_view.measures
            view = window.chart_view
            index = TAB_NAMES.index("Measures")
            window.client_list.show_discharged.setChecked(False)
            wait_for(lambda: None, window.clients_loaded)
            wait_for(lambda: window.client_list.select_client(client_id), window.chart_shown)
            view.tabs.setCurrentIndex(index)

            def capture(widget: Any, name: str, size: tuple[int, int] | None = None) -> None:
                if size is not None:
                    widget.resize(*size)
                widget.show()
                _settle()
                suffix = f"-{size[0]}x{size[1]}" if size else ""
                path = out / f"measures-{name}{suffix}.png"
                widget.grab().save(str(path))
                written.append(path)

            window.show()
            _settle()
            measures.select_instrument("phq9")
            for size in PHQ9_SIZES:
                capture(window, "phq9", size)
            measures.select_instrument("pcl5")
            overlays = list(measures.trend.overlay_actions.values())
            if overlays:
                overlays[0].setChecked(True)
                capture(window, "pcl5-overlay", MEDIUM)
                overlays[0].setChecked(False)
            if measures.select_instrument(DISSOCIATION_KEY):
                capture(window, "dissociation", MEDIUM)
            measures.select_instrument("phq9")
            window.resize(*MEDIUM)
            _settle()

            dialog = measures.open_entry("phq9")
            assert dialog is not None
            dialog.date_edit.setDate(dialog.date_edit.date().addDays(-1))
            _settle(2)
            type_digits(dialog, "2110211" + "0" + "1")  # item 9 = 1: the safety flag
            dialog.items_scroll.ensureWidgetVisible(dialog.rows[8], 0, 80)
            dialog.rows[8].setFocus(Qt.FocusReason.OtherFocusReason)
            capture(dialog, "entry-phq9")
            dialog.reject()

            # The CADSS by item number (no wording), and the Overview's sparklines.
            dialog = measures.open_entry("cadss")
            assert dialog is not None
            type_digits(dialog, "1021301")
            capture(dialog, "entry-cadss")
            dialog.reject()
            # The Overview, with the measure sparklines between the counts and timelines.
            view.tabs.setCurrentIndex(0)
            capture(window, "overview-sparklines", MEDIUM)
            window.close()
        finally:
            runner.shutdown()
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))

