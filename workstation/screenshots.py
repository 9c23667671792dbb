"""Render the main screens offscreen into PNGs: `python -m workstation.screenshots DIR`.

Builds a demo vault (synthetic clients only) in a temporary folder, opens it, and saves
the unlock screen, the client list, a client's overview and sessions at 1024x640 (the
smallest window the layout is made for), 1280x800 and 1920x1080; then the search window
the discharge dialog, and what waits across the practice.
Preferences go to a temporary file, never to the user's own.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

SIZES = ((1024, 640), (1280, 800), (1920, 1080))
PASSPHRASE = "screenshot demo passphrase"
TODAY = dt.date(2026, 11, 1)  # the demo and the windows agree on the day, every run


def build_demo_vault(path: Path, clients: int = 40, seed: int = 7) -> None:
    from workstation.offscreen import build_demo_vault as build

    build(path, PASSPHRASE, clients=clients, seed=seed, today=TODAY)


def _followup_overview(runner: Any, main_window: Any, client_id: int, capture: Any) -> None:
    """A PHQ-9 entered between sessions with item 9 positive: the Overview shows the open
    follow-up until a signed note's risk check answers it."""
    from models.inputs import MeasureInput
    from workstation.offscreen import pause, run_now

    answers: dict[int, int | float | None] = {1: 2, 2: 2, 3: 1, 4: 2, 5: 1, 6: 1, 7: 1, 8: 0,
                                               9: 1, 10: 1}
    run_now(runner, lambda b: b.measures.record(client_id, MeasureInput(
        "phq9", TODAY, "follow_up", answers, repeat_confirmed=True), actor_id=None))
    overview = main_window.chart_view.overview
    main_window.chart_view.tabs.setCurrentIndex(0)
    for _ in range(200):  # the chart reloads on the worker
        if overview.followups.followups:
            break
        pause(20)
    capture(main_window, "overview-followup", SIZES[0])


def main(out_dir: str | Path) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.shell.settings import Settings
    from ui.shell.unlock.panel import UnlockPanel
    from workstation.gui import application
    from workstation.offscreen import fixed_runner, settle, wait_for

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = application()
    app.setFont(app.font())  # the platform default; offscreen uses DejaVu Sans
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="iw-screens-") as tmp:
        vault_path = Path(tmp) / "demo-practice.iwvault"
        build_demo_vault(vault_path)
        settings = Settings(Path(tmp) / "settings.ini")
        runner = fixed_runner(TODAY)
        try:
            chooser = UnlockPanel(runner, settings, None)
            unlock = UnlockPanel(runner, settings, vault_path)
            from ui.shell.main_window import MainWindow

            clinician: list[Any] = []
            wait_for(lambda: unlock.unlock_page.unlock_requested.emit(PASSPHRASE),
                  unlock.unlocked)
            main_window: MainWindow | None = None

            def capture(widget: Any, name: str, size: tuple[int, int]) -> None:
                widget.resize(*size)
                if isinstance(widget, MainWindow):
                    widget.default_splitter()  # as a first start at this size
                widget.show()
                settle()
                path = out / f"{name}-{size[0]}x{size[1]}.png"
                widget.grab().save(str(path))
                written.append(path)

            for size in SIZES:
                capture(chooser, "start", size)
                capture(unlock, "unlock", size)
            chooser.show_create()
            for size in SIZES:
                capture(chooser, "create-vault", size)
            unlock.hide()
            chooser.hide()
            main_window = MainWindow(runner, settings, vault_path,
                                     clinician[0] if clinician else None)
            main_window.client_list.show_discharged.setChecked(False)
            wait_for(lambda: None, main_window.clients_loaded)
            model = main_window.client_list.model
            candidates = [model.client_at(r) for r in range(model.rowCount())
                          if model.client_at(r).status == "active"]
            chosen = max(candidates, key=lambda c: (c.dosing_sessions, c.notes))
            for size in SIZES:
                main_window.client_list.clear_selection()
                capture(main_window, "clients", size)
            wait_for(lambda: main_window.client_list.select_client(chosen.id),
                  main_window.chart_shown)
            for size in SIZES:
                capture(main_window, "overview", size)
            main_window.chart_view.tabs.setCurrentIndex(1)
            for size in SIZES:
                capture(main_window, "sessions", size)
            main_window.chart_view.tabs.setCurrentIndex(0)
            main_window.resize(1280, 800)
            main_window.search_notes()
            search = main_window._search
            assert search is not None
            wait_for(lambda: search.query.setText("calm*"), search.searched)
            capture(search, "search", (980, 600))
            search.hide()
            main_window.show_audit_trail()  # on the chosen client
            audit_trail = main_window._audit
            assert audit_trail is not None
            wait_for(lambda: None, audit_trail.shown_trail)
            capture(audit_trail, "audit-trail", (1240, 660))
            wait_for(lambda: audit_trail.choose(scope=0), audit_trail.shown_trail)
            capture(audit_trail, "audit-trail-vault", (1240, 660))
            audit_trail.hide()
            main_window.change_status()
            settle()
            from ui.clients.status_dialog import StatusChangeDialog

            dialog = main_window._dialogs[-1]
            assert isinstance(dialog, StatusChangeDialog)
            dialog.reason.setText("Course complete; moved away")
            capture(dialog, "discharge-dialog", (dialog.width(), dialog.height()))
            dialog.reject()
            # The client dialog's messages, whole: the dialog grows to show them.
            from ui.clients.client_dialog import ClientDialog

            main_window.new_client()
            settle()
            client_dialog = main_window._dialogs[-1]
            assert isinstance(client_dialog, ClientDialog)
            client_dialog.set_text("date_of_birth", "sometime in 84")
            client_dialog.submit()
            settle()
            capture(client_dialog, "client-dialog-errors",
                    (client_dialog.width(), client_dialog.height()))
            client_dialog.reject()
            _followup_overview(runner, main_window, chosen.id, capture)
            # What waits across the practice, that follow-up first.
            main_window.show_waiting()
            waiting = main_window._waiting
            assert waiting is not None
            wait_for(lambda: None, waiting.shown)
            capture(waiting, "what-waits", (900, 420))
            main_window.close()
        finally:
            runner.shutdown()
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
