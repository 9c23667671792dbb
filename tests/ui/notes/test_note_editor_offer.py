"""A signed EMDR note whose session ended at SUD 0 and VoC 7 offers its target
"completed": the status moves only when the therapist says so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from models.api import Backend
from models.inputs import TargetInput
from tests.conftest import TODAY
from tests.unit.templates.samples import emdr_process_fields
from ui.notes.note_editor import NoteEditor
from ui.shell.tasks import TaskRunner
from workstation.offscreen import build_demo_vault

PASSPHRASE = "offer vault passphrase"
COMMON = {
    "start_time": "10:00", "duration_minutes": 60, "delivery": "in_office",
    "suicidal_ideation": "denied", "homicidal_ideation": "denied",
}


def _sign(qtbot: QtBot, editor: NoteEditor) -> None:
    editor.sign()
    qtbot.waitUntil(lambda: editor.confirmation() is not None, timeout=10_000)
    box = editor.confirmation()
    assert isinstance(box, QMessageBox)
    with qtbot.waitSignal(editor.note_signed, timeout=10_000):
        qtbot.mouseClick(next(b for b in box.buttons() if b.text() == "Sign"),
                         Qt.MouseButton.LeftButton)


def test_a_cleared_session_offers_completed_and_not_now_leaves_the_status(
        qtbot: QtBot, tmp_path: Path, runner: TaskRunner, worker: Any) -> None:
    path = tmp_path / "offer.iwvault"
    build_demo_vault(path, PASSPHRASE, clients=1, seed=5, today=TODAY)
    clinician = worker.open(path, PASSPHRASE)
    target = worker.run(lambda b: b.targets.create(1, TargetInput(label="Junction, at dusk"),
                                                   actor_id=None).value)
    day = TODAY - dt.timedelta(days=1)

    def draft(sud_end: int, voc_end: int) -> Any:
        def write(b: Backend) -> int:
            note = b.notes.create(1, "emdr", author_id=clinician.id, session_date=day).value
            b.notes.save_draft(note.id, {
                **COMMON, **emdr_process_fields(), "session_date": day.isoformat(),
                "phases_covered": ["4", "5"],
                "target": target.id, "sud_start": 3, "voc_start": 5, "sud_end": sud_end,
                "voc_end": voc_end, "bls_sets": [{"bls_type": "taps", "speed_hz": 1.0,
                                                  "passes": 20, "sud": sud_end}],
                "closure": "complete", "stability": "stable", "plan": "Reevaluate.",
            })
            return note.id
        return worker.run(write)

    def editor_for(note_id: int) -> NoteEditor:
        editor = NoteEditor(note_id, runner=runner, clinician=clinician)
        qtbot.addWidget(editor)
        editor.show()
        qtbot.waitUntil(lambda: editor.form is not None, timeout=10_000)
        return editor

    # Not cleared: signing asks nothing about the target.
    first = editor_for(draft(2, 6))
    _sign(qtbot, first)
    qtbot.wait(300)
    assert first.confirmation() is None
    # Cleared: the offer, declined.
    second = editor_for(draft(0, 7))
    _sign(qtbot, second)
    qtbot.waitUntil(lambda: second.confirmation() is not None, timeout=10_000)
    box = second.confirmation()
    assert isinstance(box, QMessageBox) and "SUD 0 and VoC 7" in box.text()
    assert "Junction, at dusk" in box.text()
    next(b for b in box.buttons() if b.text() == "Not now").click()
    qtbot.waitUntil(lambda: second.confirmation() is None, timeout=10_000)
    assert worker.run(lambda b: b.targets.get(target.id)).status == "in_processing"
    # Cleared again, and accepted: completed, kept in the history by hand.
    third = editor_for(draft(0, 7))
    _sign(qtbot, third)
    qtbot.waitUntil(lambda: third.confirmation() is not None, timeout=10_000)
    box = third.confirmation()
    assert box is not None
    next(b for b in box.buttons() if b.text() == "Mark completed").click()
    qtbot.waitUntil(lambda: worker.run(lambda b: b.targets.get(target.id)).status
                    == "completed", timeout=10_000)
    history = worker.run(lambda b: b.targets.get(target.id)).history
    assert (history[-1].field, history[-1].new_value, history[-1].note_id) == (
        "status", "completed", None)
