"""What the note window shows about safety: the warnings that need a reason before signing,
the reasons given, and the safety follow-ups a note must answer.

Every sentence comes from the model (`Caution.message`, `Caution.why`,
`SafetyFollowUp.finding`): the window and the backend say the same words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from models.clinical.safety import SafetyFollowUp
from models.formatting import date_text
from models.templates.checks import Caution, CautionKey, answered_heading
from reports.palette import (
    ADDRESSED,
    ADDRESSED_BG,
    ADDRESSED_EDGE,
    ATTENTION,
    INK,
    MUTED,
    SAFETY,
    SAFETY_BG,
    SAFETY_EDGE,
    WARNING_BG,
    WARNING_EDGE,
)
from ui.common.style import repolish, set_role

__all__ = ["AnsweredPanel", "ReasonsDialog", "SafetyBanner"]

CAUTION_STYLESHEET: Final = f"""
QFrame[role="followup-open"] {{
    background: {SAFETY_BG};
    border: 1px solid {SAFETY_EDGE};
    border-radius: 6px;
}}
QFrame[role="followup-answered"] {{
    background: {ADDRESSED_BG};
    border: 1px solid {ADDRESSED_EDGE};
    border-radius: 6px;
}}
QLabel[role="followup-title"] {{
    color: {SAFETY};
    font-weight: 700;
}}
QLabel[role="followup-answered-title"] {{
    color: {ADDRESSED};
    font-weight: 700;
}}
QLabel[role="followup-text"] {{
    color: {INK};
}}
QFrame[role="answered"] {{
    background: {WARNING_BG};
    border: 1px solid {WARNING_EDGE};
    border-radius: 6px;
}}
QLabel[role="answered-title"] {{
    color: {ATTENTION};
    font-weight: 600;
}}
QLabel[role="caution-message"] {{
    color: {INK};
    font-weight: 600;
}}
QLabel[role="caution-why"] {{
    color: {MUTED};
}}
QLabel[role="caution-reason"] {{
    color: {INK};
}}
QLabel[role="reasons-title"] {{
    color: {INK};
    font-size: 13pt;
    font-weight: 600;
}}
QFrame[role="reason-block"] {{
    background: {WARNING_BG};
    border: 1px solid {WARNING_EDGE};
    border-radius: 6px;
}}
"""


class SafetyBanner(QFrame):
    """At the top of a note: the open safety follow-ups a draft must answer, or those a
    signed note answered."""

    go_to_risk_check = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("safetyBanner")
        self.setStyleSheet(CAUTION_STYLESHEET)
        set_role(self, "followup-open")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(12)
        text = QVBoxLayout()
        text.setSpacing(3)
        self.title = QLabel(self)
        set_role(self.title, "followup-title")
        self.body = QLabel(self)
        set_role(self.body, "followup-text")
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        text.addWidget(self.title)
        text.addWidget(self.body)
        layout.addLayout(text, 1)
        self.button = QPushButton("Go to the risk check", self)
        self.button.setToolTip("Scroll to the risk check at the end of the note")
        self.button.clicked.connect(self.go_to_risk_check)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def show_followups(self, followups: Sequence[SafetyFollowUp], *, signed: bool,
                       note_day: dt.date | None = None) -> None:
        """A draft: every open follow-up; a signed note: those it answered."""
        if not followups:
            self.hide()
            return
        if signed:
            set_role(self, "followup-answered")
            set_role(self.title, "followup-answered-title")
            self.title.setText("This note answered a safety follow-up"
                               if len(followups) == 1
                               else f"This note answered {len(followups)} safety follow-ups")
            self.body.setText("\n".join(f"{f.finding}: its risk check is recorded below."
                                        for f in followups))
            self.button.hide()
            repolish(self)
            repolish(self.title)
        else:
            set_role(self, "followup-open")
            set_role(self.title, "followup-title")
            count = len(followups)
            self.title.setText("⚠ Safety follow-up open" if count == 1
                               else f"⚠ {count} safety follow-ups open")
            lines = [f"{f.finding}." for f in followups]
            lines.append("Ask about it in the risk check. Signing this note with its risk "
                         "check answers it; until then it stays open on the Overview.")
            later = [f for f in followups if note_day is not None and f.given_on > note_day]
            if later:
                lines.append("Given after this note's date: " + ", ".join(
                    date_text(f.given_on) for f in later)
                    + ". A note dated on or after it answers it.")
            self.body.setText("\n".join(lines))
            self.button.show()
            repolish(self)
            repolish(self.title)
        self.show()


class AnsweredPanel(QFrame):
    """The warnings a note was (or will be) signed past, each with its reason."""

    def __init__(self, answered: Sequence[tuple[Caution, str]], *, signed: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("answeredWarnings")
        self.setStyleSheet(CAUTION_STYLESHEET)
        set_role(self, "answered")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 14)
        layout.setSpacing(6)
        title = QLabel(answered_heading(len(answered), signed=signed), self)
        set_role(title, "answered-title")
        layout.addWidget(title)
        for caution, reason in answered:
            message = QLabel(f"⚠ {caution.message}", self)
            set_role(message, "caution-message")
            message.setWordWrap(True)
            given = QLabel(f"Reason: {reason}", self)
            set_role(given, "caution-reason")
            given.setWordWrap(True)
            given.setTextFormat(Qt.TextFormat.PlainText)
            given.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(message)
            layout.addWidget(given)


class ReasonsDialog(QDialog):
    """Before signing: each warning, why it matters, and a reason to sign past it."""

    def __init__(self, cautions: Sequence[Caution], known: dict[CautionKey, str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reasons needed to sign")
        self.setStyleSheet(CAUTION_STYLESHEET)
        self.setMinimumWidth(620)
        self.cautions = list(cautions)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        count = len(self.cautions)
        title = QLabel("Reasons needed to sign", self)
        set_role(title, "reasons-title")
        layout.addWidget(title)
        intro = QLabel(f"This note raises {count} warning{'s' if count != 1 else ''}. Each "
                       "can be signed past with a reason; the reasons are signed with the "
                       "note and shown with it.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        body = QWidget(self)
        rows = QVBoxLayout(body)
        rows.setContentsMargins(0, 0, 8, 0)
        rows.setSpacing(10)
        self.edits: list[QLineEdit] = []
        for caution in self.cautions:
            frame = QFrame(body)
            set_role(frame, "reason-block")
            block = QVBoxLayout(frame)
            block.setContentsMargins(12, 8, 12, 10)
            block.setSpacing(4)
            message = QLabel(f"⚠ {caution.message}", frame)
            set_role(message, "caution-message")
            message.setWordWrap(True)
            why = QLabel(caution.why, frame)
            set_role(why, "caution-why")
            why.setWordWrap(True)
            edit = QLineEdit(frame)
            edit.setPlaceholderText("Reason (required to sign past it)")
            edit.setAccessibleName(f"Reason: {caution.message}")
            edit.setText(known.get(caution.key, ""))
            edit.textChanged.connect(self._update)
            self.edits.append(edit)
            block.addWidget(message)
            block.addWidget(why)
            block.addWidget(edit)
            rows.addWidget(frame)
        if count <= 4:
            layout.addWidget(body)
        else:  # many warnings: they scroll, the buttons stay in view
            rows.addStretch(1)
            scroll = QScrollArea(self)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setWidget(body)
            scroll.setMinimumHeight(460)
            layout.addWidget(scroll, 1)
        self.buttons = QDialogButtonBox(self)
        self.ok = self.buttons.addButton("Give reasons and sign…",
                                         QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update()
        if self.edits:
            self.edits[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def _update(self) -> None:
        self.ok.setEnabled(all(edit.text().strip() for edit in self.edits))

    def reasons(self) -> dict[CautionKey, str]:
        return {c.key: e.text().strip() for c, e in zip(self.cautions, self.edits, strict=True)
                if e.text().strip()}
