"""A calm, modest stylesheet and the colours the chart views share.

Colours for care modalities come from the Okabe-Ito palette, which stays distinct for the
common kinds of colour blindness; every view pairs a colour with a shape and a label.
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

INK = "#1f2933"
MUTED = "#52606d"
LINE = "#d9dee4"
SURFACE = "#ffffff"
BACKGROUND = "#f5f6f8"
ACCENT = "#0b5cab"
ERROR = "#a61b1b"
WARNING_BG = "#fff4e5"
# Measures: a positive safety item, never shown by colour alone.
SAFETY = "#9b1c1c"
SAFETY_BG = "#fdecec"
# Reliable change, as on the trend charts: Okabe-Ito blue and vermillion.
IMPROVED = "#0072B2"
DETERIORATED = "#D55E00"

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
QLabel[role="notice"] {{
    color: {INK};
    background: {WARNING_BG};
    border: 1px solid #f0c987;
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
QLabel[role="figure-value"] {{
    font-size: 16pt;
    font-weight: 600;
    color: {INK};
}}
QLabel[role="figure-value-attention"] {{
    font-size: 16pt;
    font-weight: 600;
    color: #b35c00;
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
    background: #8fb3d9;
    border-color: #8fb3d9;
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
QPushButton[role="choice"]:hover, QPushButton[role="choice"]:focus {{
    border-color: {ACCENT};
}}
QTableView {{
    background: {SURFACE};
    alternate-background-color: #f8f9fb;
    gridline-color: {LINE};
    selection-background-color: #cfe2f6;
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


class Modality:
    """How one kind of session looks on screen: a label, a colour and a shape."""

    def __init__(self, key: str, label: str, short: str, colour: str, shape: str) -> None:
        self.key = key
        self.label = label
        self.short = short
        self.colour = QColor(colour)
        self.shape = shape


DOSING = Modality("dosing", "Dosing", "Dosing", "#D55E00", "diamond")
MODALITIES: dict[str, Modality] = {
    "preparation": Modality("preparation", "Preparation", "Preparation", "#CC79A7", "hexagon"),
    "emdr": Modality("emdr", "EMDR", "EMDR", "#0072B2", "circle"),
    "art": Modality("art", "ART", "ART", "#E69F00", "square"),
    "ifs": Modality("ifs", "IFS", "IFS", "#009E73", "triangle"),
    "general": Modality("general", "General integration", "General", "#56B4E9",
                        "triangle_down"),
}
# The order lanes and legends use: care as it unfolds.
MODALITY_ORDER = ("preparation", "emdr", "art", "ifs", "general")


def modality(template_id: str) -> Modality:
    """The look for a note's template; an unknown template is shown as general."""
    if template_id == "dosing":
        return DOSING
    return MODALITIES.get(template_id, MODALITIES["general"])


def set_role(widget: QWidget, role: str) -> None:
    """Give a widget the role the stylesheets select on (`[role="help"]`)."""
    widget.setProperty("role", role)


def repolish(widget: QWidget) -> None:
    """Apply the stylesheet again after a property it selects on has changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
