"""Help › Keyboard shortcuts: every key the application answers to, in one list.

The main window's keys are read from its own actions (their words and their shortcuts, so
the list cannot drift from the menus); a note's, a questionnaire's and a dialog's from the
constants those windows use themselves.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from reports import palette
from ui.common.dialogs import SUBMIT_KEYS_TEXT
from ui.measures.entry_dialog import ENTRY_KEYS
from ui.notes.group_table import ADD_ROW_KEYS
from ui.notes.note_editor import SAVE_KEYS, SIGN_KEYS_TEXT
from ui.notes.problems import FIRST_PROBLEM_KEYS

Section = tuple[str, Sequence[tuple[str, str]]]  # a heading, then (keys, what they do)


def key_text(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def action_words(action: QAction) -> str:
    """A menu item's words as a sentence would have them: 'New client', not '&New client…'."""
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


def shortcut_sections(actions: Iterable[QAction]) -> list[Section]:
    """The keys, section by section: the main window's from `actions` (those with a
    shortcut, in the order given), then a note's, a questionnaire's and every dialog's."""
    main = [(key_text(a.shortcut()), action_words(a)) for a in actions
            if not a.shortcut().isEmpty()]
    close = key_text(QKeySequence(QKeySequence.StandardKey.Close))
    return [
        ("The main window", main),
        ("A note", [
            (SAVE_KEYS, "Save the draft (drafts also save themselves)"),
            (SIGN_KEYS_TEXT, "Sign: check the note, then sign and lock it"),
            (FIRST_PROBLEM_KEYS, "Go to the first problem that stops it being signed"),
            (ADD_ROW_KEYS, "Add a row to a table (a set, a vital sign, a booster)"),
            ("Tab", "Go on to the next question, passing those not asked"),
            (close, "Close the note (a draft is saved first)"),
        ]),
        ("Entering a questionnaire", [(keys, what[:1].upper() + what[1:])
                                      for keys, what in ENTRY_KEYS]),
        ("Every dialog", [
            (SUBMIT_KEYS_TEXT, "Save or go ahead, from any field"),
            ("Escape", "Cancel (asks first when something typed would be lost)"),
        ]),
    ]


def sections_html(sections: Sequence[Section]) -> str:
    """One table, so that the keys of every section line up: a heading row, then a row
    for each key."""
    rows = []
    for heading, keys_and_words in sections:
        rows.append(f"<tr><td colspan='2' style='padding-top:14px; padding-bottom:4px; "
                    f"font-size:12pt; font-weight:600'>{html.escape(heading)}</td></tr>")
        for keys, what in keys_and_words:
            rows.append(f"<tr><td style='padding-right:22px; white-space:nowrap'><b>"
                        f"{html.escape(keys)}</b></td><td>{html.escape(what)}</td></tr>")
    return f"<table cellspacing='0' cellpadding='3'>{''.join(rows)}</table>"


class ShortcutsDialog(QDialog):
    """The list of keys, to read; it changes nothing."""

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.sections = shortcut_sections(actions)
        self.text = QLabel(sections_html(self.sections))
        self.text.setWordWrap(True)
        self.text.setContentsMargins(14, 4, 14, 14)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setStyleSheet(f"color: {palette.INK}; background: {palette.SURFACE};")
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        area.setWidget(self.text)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(area, 1)
        layout.addWidget(buttons)
        self.resize(560, 620)
