"""File › Blank questionnaire…: laid out on the worker, previewed, saved and printed; it
names no client, and the window goes on lock."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from ui.measures.blank_form import BlankFormDialog, file_name
from ui.shell.main_window import MainWindow


def _opened(qtbot: QtBot, window: MainWindow) -> BlankFormDialog:
    window.show_blank_form()  # made on first use, so that its signal can be waited on
    dialog = window._blank_form
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.pdf is not None, timeout=10_000)
    dialog.hide()
    with qtbot.waitSignal(dialog.shown, timeout=10_000):
        window.blank_form_action.trigger()
    assert dialog.isVisible()
    return dialog


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_blank_form_is_previewed_saved_and_printed(
    qtbot: QtBot, main_window: MainWindow, tmp_path: Path,
) -> None:
    dialog = _opened(qtbot, main_window)
    assert dialog.instrument.id == "phq9" and dialog.preview.page_count == 1
    assert dialog.save_button.isEnabled() and dialog.print_button.isEnabled()
    # Another questionnaire: laid out again, the PCL-5 on two pages.
    pcl5 = next(i for i, one in enumerate(dialog.instruments) if one.id == "pcl5")
    with qtbot.waitSignal(dialog.shown, timeout=10_000):
        dialog.group.button(pcl5).click()
    assert dialog.instrument.id == "pcl5" and dialog.preview.page_count == 2
    assert dialog.pdf is not None
    assert "PTSD Checklist for DSM-5 (PCL-5)" in _text(dialog.pdf)
    # Saved where the therapist says, under the questionnaire's name.
    asked: list[str] = []
    target = tmp_path / "forms" / "pcl5"
    target.parent.mkdir()
    dialog.choose_path = lambda suggested: asked.append(suggested) or str(target)
    dialog.save()
    assert asked == [file_name(dialog.instrument)] == ["PCL-5 blank form.pdf"]
    saved = target.with_name("pcl5.pdf")
    assert saved.read_bytes() == dialog.pdf
    assert dialog.status.text() == "Saved as pcl5.pdf."
    # Printed: every page drawn onto the printer (here one that writes a PDF).
    printed = tmp_path / "printed.pdf"

    def to_file(printer: QPrinter) -> bool:
        assert printer.docName() == "PCL-5 blank form.pdf"
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return True

    dialog.choose_printer = to_file
    dialog.print_form()
    assert dialog.status.text() == "Sent to the printer."
    assert len(pypdf.PdfReader(printed).pages) == 2


def test_a_save_that_fails_says_so_and_lock_takes_the_window_away(
    qtbot: QtBot, main_window: MainWindow, tmp_path: Path,
) -> None:
    dialog = _opened(qtbot, main_window)
    dialog.choose_path = lambda _suggested: str(tmp_path / "missing" / "form.pdf")
    dialog.save()
    assert dialog.status.text().startswith("The form could not be saved there")
    assert "Choose another folder." in dialog.status.text()
    main_window.lock()
    assert not dialog.isVisible() and dialog.pdf is None
    assert not main_window.blank_form_action.isEnabled()
