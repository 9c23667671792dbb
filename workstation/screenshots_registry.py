"""Render the Targets and Parts tabs offscreen into PNGs for the docs.

`python -m workstation.screenshots_registry DIR`:
Builds a demo vault (synthetic clients only) in a temporary folder, and saves the Targets
tab (the registry with a target open, and its targets side by side), and the Parts tab
(a client's map with several types of part and relation, and an older map with what
differs from today marked). Before the Parts pictures the therapist refines the map the
way a session would (a part added, a relation added and one removed), so the older map
has differences to show.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from workstation.offscreen import fixed_runner, pause, run_now, settle, wait_for
from workstation.screenshots import PASSPHRASE, SIZES, TODAY


def _settle(rounds: int = 10) -> None:
    """Let debounced chart redraws and queued reloads happen."""
    for _ in range(rounds):
        pause(30)
        settle(1)


def choose_clients(backend: Any) -> tuple[int, int]:
    """(targets client, parts client): the active client whose targets were rated most,
    and the one with the most parts, relations and kept maps."""
    best_targets: tuple[int, int] | None = None
    best_parts: tuple[tuple[int, int, int, int], int] | None = None
    for summary in backend.clients.summaries(include_discharged=False):
        chart = backend.clients.chart(summary.id)
        rated = sum(1 for t in chart.targets if t.ratings) * 100 + sum(
            len(t.ratings) for t in chart.targets)
        if best_targets is None or rated > best_targets[0]:
            best_targets = (rated, summary.id)
        snapshots = len(backend.parts.snapshots(summary.id))
        score = (min(snapshots, 3), min(len(chart.part_history), 3),
                 len({p.part_type for p in chart.parts}),
                 len(chart.parts) + len(chart.relations))
        if snapshots and (best_parts is None or score > best_parts[0]):
            best_parts = (score, summary.id)
    if best_targets is None or best_parts is None:
        raise RuntimeError("the demo vault has no client with targets and parts")
    return best_targets[1], best_parts[1]


def refine_map(backend: Any, client_id: int) -> None:
    """What a therapist might do to a map after the last IFS note: a new part, a new
    relation, one relation let go."""
    from models.inputs import PartInput

    chart = backend.clients.chart(client_id)
    parts = [p for p in chart.parts if p.on_map]
    exiles = [p for p in parts if p.part_type == "exile"]
    judge = backend.parts.create(client_id, PartInput(
        "The Judge", "manager", role="rates every sentence before it is said",
        trust_in_self=3), actor_id=None).value
    if exiles:
        backend.parts.relate(client_id, "protects", judge.id, exiles[0].id, actor_id=None)
    allied = next((r for r in chart.relations if r.kind == "allied"), None)
    if allied is not None:
        backend.parts.unrelate(client_id, "allied", allied.from_part_id, allied.to_part_id,
                               actor_id=None)
    managers = [p for p in parts if p.part_type == "manager"]
    if managers:
        backend.parts.relate(client_id, "polarized", judge.id, managers[0].id, actor_id=None)


def main(out_dir: str | Path = "docs/screenshots") -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.chart.chart_view import TAB_NAMES
    from ui.shell.main_window import MainWindow
    from ui.shell.settings import Settings
    from ui.shell.unlock.panel import UnlockPanel
    from workstation.gui import application
    from workstation.offscreen import build_demo_vault

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = application()
    app.setFont(app.font())
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="iw-registry-") as tmp:
        vault_path = Path(tmp) / "demo-practice.iwvault"
        build_demo_vault(vault_path, PASSPHRASE, clients=12, seed=7, today=TODAY)
        settings = Settings(Path(tmp) / "settings.ini")
        runner = fixed_runner(TODAY)
        try:
            unlock = UnlockPanel(runner, settings, vault_path)
            clinicians: list[Any] = []
            unlock.unlocked.connect(clinicians.append)
            wait_for(lambda: unlock.unlock_page.unlock_requested.emit(PASSPHRASE),
                     unlock.unlocked)
            unlock.hide()
            targets_client, parts_client = run_now(runner, choose_clients)
            run_now(runner, lambda b: refine_map(b, parts_client))
            window = MainWindow(runner, settings, vault_path,
                                clinicians[0] if clinicians else None)
            window.client_list.show_discharged.setChecked(False)
            wait_for(lambda: None, window.clients_loaded)
            view = window.chart_view

            def capture(name: str, size: tuple[int, int]) -> None:
                window.resize(*size)
                window.show()
                _settle()
                path = out / f"{name}-{size[0]}x{size[1]}.png"
                window.grab().save(str(path))
                written.append(path)

            # Targets: the registry with the most worked target open, then side by side.
            wait_for(lambda: window.client_list.select_client(targets_client),
                     window.chart_shown)
            view.tabs.setCurrentIndex(TAB_NAMES.index("Targets"))
            tab = window.targets_tab
            chart = view.chart
            assert chart is not None
            busiest = max(chart.targets, key=lambda t: len(t.ratings))
            tab.select_target(busiest.id)
            for size in SIZES:
                capture("targets", size)
            tab.side.setCurrentIndex(1)
            capture("targets-history", SIZES[0])
            tab.side.setCurrentIndex(0)
            tab.show_charts(True)
            for size in SIZES:
                capture("targets-side-by-side", size)
            tab.show_charts(False)

            # Parts: today's map, then the oldest kept map with its differences.
            wait_for(lambda: window.client_list.select_client(parts_client),
                     window.chart_shown)
            view.tabs.setCurrentIndex(TAB_NAMES.index("Parts"))
            parts = window.parts_tab
            if not parts.snapshots:
                wait_for(lambda: None, parts.snapshots_loaded)
            for size in SIZES:
                capture("parts-map", size)
                parts.editor.view.fit()
            parts.show_snapshot(0)
            for size in SIZES:
                capture("parts-map-history", size)
                parts.editor.view.fit()
            parts.show_today()
            window.close()
        finally:
            runner.shutdown()
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
