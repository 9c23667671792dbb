"""File › Your details…: the clinician puts their name, credentials and licence right, and
the next report signs with them; a read-only vault says why not."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from models.inputs import ReportOptions
from ui.shell.clinician_dialog import ClinicianDialog
from ui.shell.main_window import MainWindow


def _dialog(main_window: MainWindow) -> ClinicianDialog:
    main_window.clinician_action.trigger()
    return next(d for d in main_window.findChildren(ClinicianDialog) if d.isVisible())


def test_the_details_are_put_right_and_the_next_report_signs_with_them(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    dialog = _dialog(main_window)
    assert dialog.name.text() == main_window.clinician.name
    dialog.name.clear()
    dialog.submit()
    assert dialog.isVisible() and "Your name is required" in dialog.error.text()
    qtbot.keyClicks(dialog.name, "Dr Tyra Okafor")
    dialog.licence.setText("LMFT 123456 (California)")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.submit()
    assert not dialog.isVisible()
    assert main_window.clinician.name == "Dr Tyra Okafor"
    assert main_window.clinician.licence == "LMFT 123456 (California)"

    def report_signer(b: Any) -> Any:
        client = b.clients.summaries()[0]
        return b.reports.data(client.id, ReportOptions(kind="prescriber")).clinician
    signer = worker.run(report_signer)
    assert (signer.name, signer.licence) == ("Dr Tyra Okafor", "LMFT 123456 (California)")


def test_a_read_only_vault_keeps_the_details(qtbot: QtBot,
                                            read_only_window: MainWindow) -> None:
    read_only_window.clinician_action.trigger()
    boxes = [b for b in read_only_window.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1 and "read-only" in boxes[0].text()
    boxes[0].accept()
    assert not [d for d in read_only_window.findChildren(ClinicianDialog) if d.isVisible()]
