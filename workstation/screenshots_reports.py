"""Render the Reports tab offscreen, and the demo client's reports page by page, for the docs.

`python -m workstation.screenshots_reports DIR [PAGES_DIR]`:
Builds a small demo vault (synthetic clients only) in a temporary folder, generates the
progress report of a client with measures in the Reports tab and saves the window at
1280x800 and 1920x1080, with the report's first page, its first page of trend charts, its
targets and its parts map, and the prescriber's summary's first page (report-progress-1.png,
report-progress-trends.png, report-progress-targets.png, report-progress-parts.png,
report-prescriber-1.png), drawn with PDFium, the engine the preview uses, and the blank
questionnaire's window and its PHQ-9 page (blank-form-980x760.png, blank-form-phq9-1.png).
With PAGES_DIR, every page of both reports goes there too, to look at each one.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from workstation.offscreen import fixed_runner, pause, settle, wait_for
from workstation.screenshots import PASSPHRASE, SIZES, TODAY
from workstation.screenshots_measures import build_demo_vault

PRACTICE = "Harbour Light Integration Practice"
PAGE_SCALE = 1.5  # pixels per point: an A4 page 893 pixels wide


def _settle(rounds: int = 8) -> None:
    for _ in range(rounds):
        pause(30)
        settle(1)


def save_pages(pdf: bytes, out: Path, stem: str,
               chosen: dict[str, str] | None = None) -> list[Path]:
    """Pages of a PDF as PNGs: every page (stem-1.png, ...), or for each name in `chosen`
    the first page holding its words (stem-name.png)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    written = []
    try:
        for index in range(len(document)):
            names = [str(index + 1)] if chosen is None else [
                name for name, words in chosen.items()
                if words in document[index].get_textpage().get_text_bounded()]
            for name in names:
                path = out / f"{stem}-{name}.png"
                document[index].render(scale=PAGE_SCALE).to_pil().save(path)
                written.append(path)
                if chosen is not None:
                    chosen = {k: v for k, v in chosen.items() if k != name}
    finally:
        document.close()
    return written


def main(out_dir: str | Path = "docs/screenshots", pages_dir: str | Path | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.chart.chart_view import TAB_NAMES
    from ui.shell.main_window import MainWindow
    from ui.shell.settings import REPORT_PRACTICE, Settings
    from ui.shell.unlock.panel import UnlockPanel
    from workstation.gui import application

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    application()
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="iw-reports-") as tmp:
        vault_path = Path(tmp) / "demo-practice.iwvault"
        client_id = build_demo_vault(vault_path)
        settings = Settings(Path(tmp) / "settings.ini")
        settings.set(REPORT_PRACTICE, PRACTICE)
        runner = fixed_runner(TODAY)
        try:
            unlock = UnlockPanel(runner, settings, vault_path)
            clinicians: list[Any] = []
            unlock.unlocked.connect(clinicians.append)
            wait_for(lambda: unlock.unlock_page.unlock_requested.emit(PASSPHRASE), unlock.unlocked)
            unlock.hide()
            window = MainWindow(runner, settings, vault_path,
                                clinicians[0] if clinicians else None)
            view = window.chart_view
            tab = view.reports
            window.client_list.show_discharged.setChecked(False)
            wait_for(lambda: None, window.clients_loaded)
            wait_for(lambda: window.client_list.select_client(client_id), window.chart_shown)
            view.tabs.setCurrentIndex(TAB_NAMES.index("Reports"))
            window.resize(*SIZES[0])
            window.show()
            _settle()
            wait_for(tab.generate, tab.generated, 60_000)
            for size in SIZES:
                window.resize(*size)
                _settle()
                path = out / f"reports-{size[0]}x{size[1]}.png"
                window.grab().save(str(path))
                written.append(path)
            assert tab.pdf is not None
            written += save_pages(tab.pdf, out, "report-progress",
                                  {"1": "Summary of care", "trends": "Trends",
                                   "targets": "EMDR and ART targets",
                                   "parts": "The parts map at the end of the period"})
            if pages_dir is not None:
                written += save_pages(tab.pdf, Path(pages_dir), "report-progress")
            tab.kind.setCurrentIndex(tab.kind.findData("prescriber"))
            tab.comment.setPlainText(
                "Sleeping through most nights since the second dose; the PHQ-9 fell from "
                "moderate to mild. Would value your view on spacing the next two doses.")
            wait_for(tab.generate, tab.generated, 60_000)
            assert tab.pdf is not None
            written += save_pages(tab.pdf, out, "report-prescriber", {"1": "Dosing sessions"})
            if pages_dir is not None:
                written += save_pages(tab.pdf, Path(pages_dir), "report-prescriber")
            # A blank PHQ-9 for the client to fill in, in its window and as its page.
            window.show_blank_form()
            form = window._blank_form
            assert form is not None
            wait_for(lambda: None, form.shown, 30_000)
            _settle()
            path = out / "blank-form-980x760.png"
            form.grab().save(str(path))
            written.append(path)
            assert form.pdf is not None
            written += save_pages(form.pdf, out, "blank-form-phq9", {"1": "PHQ-9"})
            form.close()
            window.close()
        finally:
            runner.shutdown()
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(*(sys.argv[1:3] if len(sys.argv) > 1 else ["docs/screenshots"])))
