"""A standard EMDR note written and signed by keyboard alone, in the real note window, with
every key counted: at most 320 key presses, at most 110 of them not free text.

Every key event sent counts (Tab, Space, Enter, arrows, shortcuts, digits, letters that
pick an answer). Free text is only what is typed into a text field: the client's words,
the plan. Digits typed into a rating or a count, and letters that pick a choice, count as
"other keys".
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from models.clinical.signing import sign_question
from ui.notes.new_note_dialog import NewNoteDialog
from ui.notes.note_window import NoteWindow
from ui.shell.main_window import MainWindow

MAX_KEYS = 320
MAX_OTHER_KEYS = 110
TRACE = bool(os.environ.get("KEYS_TRACE"))  # print where each key landed, to tune the flow

REPORTS = ["Tight chest", "Car horn again", "Heat in my face", "Smaller now", "Kids laughing",
           "Just tired", "Feels far away", "Calm, shoulders down"]
SETS_SUD = [7, 6, 6, 5, 4, 3, 2, 1]


class Keyboard:
    """Sends key events to whatever has the keyboard, as a person's keyboard would, and
    counts them."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.text = 0
        self.other = 0
        self.tabs = 0

    @property
    def total(self) -> int:
        return self.text + self.other

    def _target(self) -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard"
        return widget

    def _trace(self, what: str) -> None:
        if TRACE:
            widget = QApplication.focusWidget()
            chain = []
            while widget is not None and len(chain) < 4:
                chain.append(widget.objectName() or type(widget).__name__)
                widget = widget.parentWidget()
            print(f"{self.total:4d} {what!r:14} -> {' < '.join(chain)}")

    def type(self, text: str) -> None:
        """Free text, one key per character, into the focused text field."""
        for char in text:
            target = self._target()
            assert isinstance(target, QLineEdit | QPlainTextEdit), (
                f"typing {text!r} into {type(target).__name__}, not a text field")
            self.qtbot.keyClick(target, char)
            self.text += 1
        self._trace(text)

    def keys(self, text: str) -> None:
        """Characters that pick or rate (digits, a choice's first letters): not free text."""
        for char in text:
            self.qtbot.keyClick(self._target(), char)
            self.other += 1
        self._trace(text)

    def press(self, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
              times: int = 1) -> None:
        for _ in range(times):
            self.qtbot.keyClick(self._target(), key, modifiers)
            self.other += 1
            if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                self.tabs += 1
        self._trace(Qt.Key(key).name)

    def tab(self, times: int = 1) -> None:
        self.press(Qt.Key.Key_Tab, times=times)


def _field_of(widget: QWidget | None) -> str:
    while widget is not None and not widget.objectName().startswith("field_"):
        widget = widget.parentWidget()
    return widget.objectName().removeprefix("field_") if widget is not None else ""


def _open_new_emdr_note(qtbot: QtBot, window: MainWindow, worker: Any) -> NoteWindow:
    client = worker.run(lambda b: b.clients.find("C-0002"))
    with qtbot.waitSignal(window.chart_shown, timeout=10_000):
        window.client_list.select_client(client.id)
    window.new_note_action.trigger()
    dialog = next(d for d in window.findChildren(NewNoteDialog) if d.isVisible())
    dialog.template_buttons["emdr"].setChecked(True)
    dialog.carry_check.setChecked(False)  # the target is chosen by hand, the hard way
    dialog.accept()
    qtbot.waitUntil(lambda: any(w.isVisible() for w in window.findChildren(NoteWindow)),
                    timeout=10_000)
    note_window = next(w for w in window.findChildren(NoteWindow) if w.isVisible())
    note_window.activateWindow()
    qtbot.waitUntil(note_window.isActiveWindow, timeout=10_000)
    form = None

    def opened() -> bool:
        nonlocal form
        form = note_window.editor.form
        return form is not None and _field_of(QApplication.focusWidget()) != ""

    qtbot.waitUntil(opened, timeout=10_000)
    return note_window


def test_a_standard_emdr_note_by_keyboard_alone(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    note_window = _open_new_emdr_note(qtbot, main_window, worker)
    editor = note_window.editor
    form = editor.form
    assert form is not None
    client = worker.run(lambda b: b.clients.find("C-0002"))
    targets = [t for t in worker.run(lambda b: b.targets.of_client(client.id))
               if t.kind == "emdr"]
    assert targets, "C-0002 has an EMDR target in the demo"
    kb = Keyboard(qtbot)

    # The note opens at the first required field still empty: the start time.
    assert _field_of(QApplication.focusWidget()) == "start_time"
    kb.keys("1000")
    kb.tab()
    assert _field_of(QApplication.focusWidget()) == "duration_minutes"
    kb.keys("60")
    kb.tab()
    assert _field_of(QApplication.focusWidget()) == "delivery"
    kb.press(Qt.Key.Key_Space)  # In office
    kb.tab()
    # Phases: one Tab stop; the arrows move, Space ticks 3 to 7.
    assert _field_of(QApplication.focusWidget()) == "phases_covered"
    kb.press(Qt.Key.Key_Down, times=2)
    for last, _phase in enumerate("34567"):
        kb.press(Qt.Key.Key_Space)
        if last < 4:
            kb.press(Qt.Key.Key_Down)
    kb.tab(2)  # past Resources, to the readiness check phases 3-6 made required
    assert _field_of(QApplication.focusWidget()) == "readiness_checked"
    kb.press(Qt.Key.Key_Space)  # Yes
    kb.tab()
    assert _field_of(QApplication.focusWidget()) == "dissociation_screen"
    kb.press(Qt.Key.Key_Space)  # No concerns: the readiness notes are not asked for
    kb.tab()
    while _field_of(QApplication.focusWidget()) != "target":
        assert _field_of(QApplication.focusWidget()).startswith("reeval"), "only reevaluation"
        kb.tab()
    kb.press(Qt.Key.Key_Down)  # the client's existing target
    kb.tab(4)  # image, cognitions
    assert _field_of(QApplication.focusWidget()) == "voc_start"
    kb.keys("3")
    kb.tab(2)
    assert _field_of(QApplication.focusWidget()) == "sud_start"
    kb.keys("7")
    kb.tab(2)

    # The sets: type and speed once; each new row carries them and opens on Passes, the
    # first free cell.
    assert _field_of(QApplication.focusWidget()) == "bls_sets"
    sets: Any = form.editor("bls_sets")
    kb.press(Qt.Key.Key_Insert)
    kb.keys("e")  # Eye movements
    kb.tab()
    kb.keys("1")  # 1 Hz
    for number, (report, sud) in enumerate(zip(REPORTS, SETS_SUD, strict=True)):
        if number:
            kb.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        else:
            kb.tab()
        kb.tab()  # past Passes (not counted in this session); Tab passes over Seconds
        kb.type(report)
        kb.tab()
        kb.keys(str(sud))
    kb.tab()  # out of the table, on to the next field
    assert sets.model.rowCount() == 8
    assert _field_of(QApplication.focusWidget()) == "interweaves_used"
    kb.press(Qt.Key.Key_Right)  # to No (Yes is first)
    kb.press(Qt.Key.Key_Space)
    kb.tab()
    assert _field_of(QApplication.focusWidget()) == "processing_flow"
    kb.press(Qt.Key.Key_Space)  # Flowing
    kb.tab()
    assert _field_of(QApplication.focusWidget()) == "in_session_reaction"
    kb.press(Qt.Key.Key_Space)  # None
    kb.tab()
    assert _field_of(QApplication.focusWidget()) == "sud_end"
    kb.keys("1")
    kb.tab()
    assert _field_of(QApplication.focusWidget()) == "pc_kept_or_revised"
    kb.press(Qt.Key.Key_Space)  # Kept
    kb.tab()
    assert _field_of(QApplication.focusWidget()) == "voc_end"
    kb.keys("6")
    kb.tab()
    assert _field_of(QApplication.focusWidget()) == "body_scan_result"
    kb.press(Qt.Key.Key_Space)  # Clear
    kb.tab()
    assert _field_of(QApplication.focusWidget()) == "closure"
    kb.press(Qt.Key.Key_Space)  # Complete
    kb.tab(2)  # past Containment
    assert _field_of(QApplication.focusWidget()) == "stability"
    kb.press(Qt.Key.Key_Space)  # Stable
    kb.tab()
    assert _field_of(QApplication.focusWidget()) == "between_session_instructions"
    kb.type("Log what comes up; container.")
    kb.tab(2)  # past integration themes
    assert _field_of(QApplication.focusWidget()) == "plan"
    kb.type("Reevaluate, then next set.")
    kb.tab(2)  # past the next target
    assert _field_of(QApplication.focusWidget()) == "suicidal_ideation"
    kb.press(Qt.Key.Key_Space)  # Denied
    kb.tab()
    assert _field_of(QApplication.focusWidget()) == "homicidal_ideation"
    kb.press(Qt.Key.Key_Space)  # Denied

    # Sign: the shortcut, then Enter on the question (its default button is Sign).
    kb.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
             | Qt.KeyboardModifier.ShiftModifier)
    # While the check runs the keyboard stays where it was (never on "Discard draft…").
    assert _field_of(QApplication.focusWidget()) == "homicidal_ideation"
    qtbot.waitUntil(lambda: editor.confirmation() is not None or form.problems() != [],
                    timeout=10_000)
    assert form.problems() == [], [p.message for p in form.problems()]
    box = editor.confirmation()
    assert isinstance(box, QMessageBox)
    assert box.text() == sign_question(note_window.editor._clinician)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and box.isAncestorOf(QApplication.focusWidget()), timeout=5_000)
    with qtbot.waitSignal(editor.note_signed, timeout=10_000):
        kb.press(Qt.Key.Key_Return)

    print(f"\nkeys: {kb.total} in all, {kb.text} free text, {kb.other} other "
          f"({kb.tabs} Tab)")
    assert kb.total <= MAX_KEYS
    assert kb.other <= MAX_OTHER_KEYS

    stored = worker.run(lambda b: b.notes.get(note_window.note_id))
    assert stored.signed
    content = stored.content
    assert content["target"] == targets[0].id
    assert (content["sud_start"], content["sud_end"], content["voc_start"],
            content["voc_end"]) == (7, 1, 3, 6)
    assert content["bls_sets"] == [
        {"bls_type": "eye_movements", "speed_hz": 1, "client_report": report,
         "sud": sud} for report, sud in zip(REPORTS, SETS_SUD, strict=True)]
    assert content["phases_covered"] == ["3", "4", "5", "6", "7"]
    assert content["body_scan_result"] == "clear" and content["closure"] == "complete"
    assert content["plan"] == "Reevaluate, then next set."
    assert content["start_time"] == "10:00" and content["duration_minutes"] == 60
