"""A calm, modest stylesheet, and how each kind of session looks on screen.

Colours come from reports.palette and words from models.vocabulary; every view pairs a
colour with a shape and a label.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QStyleFactory, QToolTip, QWidget

from models.vocabulary import MODALITIES

# Every colour lives in reports.palette, shared with the charts and the PDF.
from reports import palette
from reports.palette import (
    ACCENT,
    BACKGROUND,
    ERROR,
    INK,
    LINE,
    MUTED,
    SURFACE,
    WARNING_BG,
    session_look,
)

STYLESHEET = f"""
QMainWindow, QDialog, UnlockPanel {{
    background: {BACKGROUND};
}}
QLabel[role="title"] {{
    font-size: 20pt;
    font-weight: 600;
    color: {INK};
}}
QLabel[role="heading"] {{
    font-size: 13pt;
    font-weight: 600;
    color: {INK};
}}
QLabel[role="subtle"] {{
    color: {MUTED};
}}
QLabel[role="error"] {{
    color: {ERROR};
}}
QLabel[role="info"] {{
    color: {palette.INFO};
}}
QLabel[role="notice"] {{
    color: {INK};
    background: {WARNING_BG};
    border: 1px solid {palette.WARNING_EDGE};
    border-radius: 4px;
    padding: 8px 10px;
}}
QLabel[role="placeholder"] {{
    color: {MUTED};
    font-size: 11pt;
}}
QFrame[role="card"] {{
    background: {SURFACE};
    border: 1px solid {LINE};
    border-radius: 6px;
}}
QFrame[role="figure"] {{
    background: {SURFACE};
    border: 1px solid {LINE};
    border-radius: 6px;
}}
QFrame[role="figure"]:focus, QFrame[role="figure"][link="true"]:hover {{
    border-color: {ACCENT};
}}
QLabel[role="figure-value"] {{
    font-size: 16pt;
    font-weight: 600;
    color: {INK};
}}
QLabel[role="figure-value-attention"] {{
    font-size: 16pt;
    font-weight: 600;
    color: {palette.ATTENTION};
}}
QLabel[role="figure-label"] {{
    color: {MUTED};
}}
QPushButton[role="primary"] {{
    background: {ACCENT};
    color: white;
    border: 1px solid {ACCENT};
    border-radius: 4px;
    padding: 6px 16px;
    font-weight: 600;
}}
QPushButton[role="primary"]:disabled {{
    background: {palette.ACCENT_DISABLED};
    border-color: {palette.ACCENT_DISABLED};
}}
QPushButton[role="choice"] {{
    border: 1px solid {LINE};
    border-radius: 6px;
    background: {SURFACE};
}}
QLabel[role="choice-title"] {{
    font-size: 11pt;
    font-weight: 600;
    color: {INK};
}}
QLineEdit {{
    padding: 4px 6px;
}}
QMessageBox QLabel#qt_msgbox_informativelabel {{
    /* Qt makes a message box as wide as its first line: under a short question
       ("Discard this draft?") the explanation wrapped in a column of three words. */
    min-width: 28em;
}}
QPushButton[role="choice"]:hover, QPushButton[role="choice"]:focus {{
    border-color: {ACCENT};
}}
QTableView {{
    background: {SURFACE};
    alternate-background-color: {palette.ROW_ALTERNATE};
    gridline-color: {LINE};
    selection-background-color: {palette.SELECTION_BG};
    selection-color: {INK};
}}
QTabWidget::pane {{
    border: 1px solid {LINE};
    background: {SURFACE};
    top: -1px;
}}
QTabBar::tab {{
    padding: 6px 14px;
}}
"""


def use_light_colours(app: QGuiApplication) -> None:
    """Light windows whatever the system's colour scheme. The stylesheet, the charts, the
    parts map and the reports are drawn for a light page: a dark system theme put its
    light text on them (the client list, the notices, the status line could not be
    read), and on macOS it draws native controls dark. The platform is asked for its
    light scheme; its palette, which some themes keep dark anyway, is replaced by Qt's own
    light one (Fusion's, as every screenshot and test has it)."""
    app.styleHints().setColorScheme(Qt.ColorScheme.Light)
    QGuiApplication.setPalette(QStyleFactory.create("Fusion").standardPalette())


class Modality:
    """How one kind of session looks on screen: its words, colour and marker shape."""

    def __init__(self, key: str) -> None:
        look = session_look(key)
        term = MODALITIES.term(key)
        self.key = key
        self.label = term.label
        self.short = term.brief
        self.colour = QColor(look.colour)
        self.shape = look.shape


DOSING = Modality("dosing")
# The kinds of note the timeline shows in lanes, in the order care unfolds.
MODALITY_ORDER = tuple(code for code in MODALITIES.codes if code != "dosing")
_LOOKS = {code: Modality(code) for code in MODALITIES.codes}


def modality(template_id: str) -> Modality:
    """The look for a note's template; an unknown template is shown as general."""
    return _LOOKS.get(template_id, _LOOKS["general"])


def set_role(widget: QWidget, role: str) -> None:
    """Give a widget the role the stylesheets select on (`[role="help"]`)."""
    widget.setProperty("role", role)


def repolish(widget: QWidget) -> None:
    """Apply the stylesheet again after a property it selects on has changed, its box too:
    polishing alone gives a label a notice's colours but not its padding, until the label
    is told that its style changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    QApplication.sendEvent(widget, QEvent(QEvent.Type.StyleChange))


def say(label: QLabel, text: str, role: str) -> None:
    """Put `text` in a label in a role's look ("subtle", "error", ...), at once."""
    label.setText(text)
    set_role(label, role)
    repolish(label)


TIP_WRAPS_AFTER = 80  # characters: a longer tooltip wraps ...
TIP_LINE = 64  # ... in lines of about this many


def wrapped_tip(text: str) -> str:
    """A tooltip that wraps at a readable width when it is long: Qt wraps only rich text
    (and narrowly, at its own choice of width), so long plain words are set as rich text in
    a table cell of a fixed width (escaped; their line breaks kept)."""
    if len(text) <= TIP_WRAPS_AFTER or text.startswith("<"):
        return text
    width = QFontMetrics(QToolTip.font()).averageCharWidth() * TIP_LINE
    words = html.escape(text, quote=False).replace("\n", "<br>")
    return f"<table width='{width}'><tr><td>{words}</td></tr></table>"

