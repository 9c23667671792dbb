"""Every colour the program draws with: the windows, the charts and the PDF share these.

Colours for kinds of session and for change come from the Okabe-Ito palette, which stays
distinct for the common kinds of colour blindness; every view pairs a colour with a shape
or a word, never colour alone. Values are "#RRGGBB" strings that Qt, matplotlib and
reportlab all read.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.clinical.parts_map import CHANGED_RING, PART_SIZE

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

# Change from baseline, on every chart, sparkline and table.
IMPROVED = OKABE_ITO["blue"]
DETERIORATED = OKABE_ITO["vermillion"]
NEUTRAL = "#5F5F5F"
DOSE = OKABE_ITO["reddish_purple"]
OVERLAY_COLOURS = (OKABE_ITO["orange"], OKABE_ITO["bluish_green"], OKABE_ITO["sky_blue"])

# Safety: a positive safety item, a risk that needs an answer.
SAFETY = "#9b1c1c"
SAFETY_BG = "#fdecec"
ATTENTION = "#b35c00"  # something to look at that is not a safety flag (an unsigned note)
PROBLEM_BG = "#fbe3e3"  # a cell or field that stops signing
SAFETY_EDGE = "#e8b4b4"
ADDRESSED = "#1e5631"  # a safety follow-up a signed note answered
ADDRESSED_BG = "#ecf6ef"
ADDRESSED_EDGE = "#b9dcc4"
WARNING_EDGE = "#f0c987"  # a value that can be signed past with a reason

# The quiet colours of the interface and of documents.
INK = "#1f2933"
MUTED = "#52606d"
LINE = "#d9dee4"
SURFACE = "#ffffff"
BACKGROUND = "#f5f6f8"
ACCENT = "#0b5cab"
ERROR = "#a61b1b"
WARNING_BG = "#fff4e5"
FOCUS_BG = "#eef5fc"  # the row, slider or sparkline the keyboard is on
SLIDER_FOCUS_BG = "#e3edf9"
CONTROL_EDGE = "#b8c2cc"  # an answer button's border
ACCENT_DISABLED = "#8fb3d9"  # the main button while it cannot be pressed
ROW_ALTERNATE = "#f8f9fb"  # every other table row
SELECTION_BG = "#cfe2f6"
CALCULATED_BG = "#eef1f4"  # a value the form works out (not typed)
READ_ONLY_BG = "#f7f8fa"  # a field that cannot be changed
SLIDER_FILL = "#9cc0e6"  # a rating slider's filled part
TABLE_HEAD_BG = "#f1f3f5"  # a PDF table's header row: the faintest tint of LINE
INFO = "#0a4a8a"  # what a note follows and what it carried forward: context, not a finding
INFO_BG = "#eaf2fb"
INFO_EDGE = "#c5dbf2"
KEPT = "#8a5a00"  # a value kept from before, shown beside a changed one
PRIVATE_BG = "#fbfaf6"  # private process notes, kept out of reports
PRIVATE_EDGE = "#c9bfa5"
PROBLEMS_BG = "#fdf1f1"  # the list of what stops signing
PROBLEM_SELECTED = "#f4d3d3"
PROBLEM_HOVER = "#f8e1e1"
OFFER_BG = "#eef6ee"  # a change the record suggests (a target cleared: mark it completed?)

# Chart furniture: text, grid and band edges.
CHART_TEXT = "#333333"
CHART_NOTE = "#444444"
CHART_MUTED = "#6E6E6E"
CHART_GRID = "#E3E3E3"
BAND_EDGE = "#A8A8A8"  # the line between two severity bands
BAND_HATCH = "#CFCFCF"  # the hatching of bands that are not validated
BAND_KEY_EDGE = "#BDBDBD"  # a band's swatch in the legend
BAND_LABEL = "#4A4A4A"


@dataclass(frozen=True)
class SessionLook:
    """How one kind of session is drawn: a colour and a marker shape, in every view."""

    colour: str
    shape: str  # "circle", "square", "diamond", "triangle", "triangle_down", "hexagon"


SESSION_LOOKS: dict[str, SessionLook] = {
    "preparation": SessionLook(OKABE_ITO["reddish_purple"], "hexagon"),
    "dosing": SessionLook(OKABE_ITO["vermillion"], "diamond"),
    "emdr": SessionLook(OKABE_ITO["blue"], "circle"),
    "art": SessionLook(OKABE_ITO["orange"], "square"),
    "ifs": SessionLook(OKABE_ITO["bluish_green"], "triangle"),
    "general": SessionLook(OKABE_ITO["sky_blue"], "triangle_down"),
}


def session_look(template_id: str) -> SessionLook:
    """The look of a note's kind; an unknown template is drawn as a general note."""
    return SESSION_LOOKS.get(template_id, SESSION_LOOKS["general"])


# --------------------------------------------------------------------------------------
# Target memories: SUD (0..10, falls toward 0) and VoC (1..7, rises toward 7).
# --------------------------------------------------------------------------------------

TARGET_SUD = OKABE_ITO["vermillion"]
TARGET_VOC = OKABE_ITO["blue"]


# --------------------------------------------------------------------------------------
# The IFS parts map: the Parts tab draws it with Qt, reports/parts_map.py with matplotlib.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartLook:
    """How one type of part is drawn: an outline colour, a light fill and a shape."""

    edge: str
    fill: str
    shape: str  # "rounded_square", "diamond", "circle", "hexagon"
    dashed: bool = False  # an outline still in question (type not known yet)


PART_LOOKS: dict[str, PartLook] = {
    "manager": PartLook(OKABE_ITO["blue"], "#DCEAF6", "rounded_square"),
    "firefighter": PartLook(OKABE_ITO["vermillion"], "#FBE4D6", "diamond"),
    "exile": PartLook(OKABE_ITO["reddish_purple"], "#F6E4EE", "circle"),
    "unknown": PartLook("#6E6E6E", "#F0F0F0", "hexagon", dashed=True),
}


def part_look(part_type: str) -> PartLook:
    """The look of a part's type; an unknown code is drawn as a part of unknown type."""
    return PART_LOOKS.get(part_type, PART_LOOKS["unknown"])


def node_radius(part_type: str) -> float:
    """How far from a part's centre a line to it stops: its shape's half width (a
    diamond's corners reach further)."""
    return PART_SIZE / 2 * (1.12 if part_look(part_type).shape == "diamond" else 1.0)


LABEL_GAP = 8.0  # map units between a part's shape and its name


def label_reach(part_type: str, changed: bool = False) -> float:
    """How far from a part's centre its label starts: outside its shape, and outside the
    ring that marks a changed status."""
    reach = node_radius(part_type) + LABEL_GAP
    return max(reach, CHANGED_RING + 4) if changed else reach


@dataclass(frozen=True)
class RelationLook:
    """How one kind of relation is drawn: colour, line style, and an arrow when directed."""

    colour: str
    style: str  # "solid", "dashed", "dotted"
    width: float
    arrow: bool


RELATION_LOOKS: dict[str, RelationLook] = {
    "protects": RelationLook("#3E4C59", "solid", 1.8, True),
    "polarized": RelationLook(OKABE_ITO["vermillion"], "dashed", 2.0, False),
    "allied": RelationLook(OKABE_ITO["bluish_green"], "dotted", 2.4, False),
}


def relation_look(kind: str) -> RelationLook:
    return RELATION_LOOKS.get(kind, RelationLook(NEUTRAL, "solid", 1.2, False))


SELF_FILL = "#FFF3B0"  # Self: warm and light at the centre
SELF_EDGE = OKABE_ITO["orange"]
MAP_BACKGROUND = "#FBFBF8"
MAP_EDGE = "#E2E4E0"
MAP_GUIDE = "#ECEDEA"  # the faint rings where protectors and exiles are placed
# A map from the past, compared with today: what changed since, and what came later.
MAP_CHANGED = "#B35C00"
MAP_LATER = "#9AA5B1"
