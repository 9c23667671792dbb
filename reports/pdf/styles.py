"""The report's type and colours: one set of paragraph and table styles for every kind."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import TableStyle

from reports import palette
from reports.palette import ACCENT, INK, LINE, MUTED, SAFETY, SAFETY_BG
from reports.pdf.fonts import BODY, BOLD, register_fonts

INK_C = colors.HexColor(INK)
MUTED_C = colors.HexColor(MUTED)
LINE_C = colors.HexColor(LINE)
ACCENT_C = colors.HexColor(ACCENT)
SAFETY_C = colors.HexColor(SAFETY)
SAFETY_BG_C = colors.HexColor(SAFETY_BG)
HEAD_BG_C = colors.HexColor(palette.TABLE_HEAD_BG)
WARNING_BG_C = colors.HexColor(palette.WARNING_BG)  # a warning signed past with a reason

BODY_SIZE = 9.0
SMALL_SIZE = 8.0


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    muted: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_head: ParagraphStyle
    cell_right: ParagraphStyle
    cell_safety: ParagraphStyle
    label: ParagraphStyle
    safety: ParagraphStyle
    draft: ParagraphStyle


@functools.cache
def styles() -> Styles:
    register_fonts()

    def style(name: str, size: float = BODY_SIZE, *, font: str = BODY, leading: float = 0,
              colour: colors.Color = INK_C, before: float = 0, after: float = 0,
              align: int = TA_LEFT) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size,
                              leading=leading or round(size * 1.3, 1), textColor=colour,
                              spaceBefore=before, spaceAfter=after, alignment=align,
                              allowWidows=0)  # no last line alone atop a page

    return Styles(
        title=style("title", 18, font=BOLD, leading=22, after=2),
        subtitle=style("subtitle", 10, colour=MUTED_C, after=10),
        h1=style("h1", 13, font=BOLD, leading=16, colour=ACCENT_C, before=14, after=6),
        h2=style("h2", 10.5, font=BOLD, leading=13.5, before=10, after=3),
        h3=style("h3", 9, font=BOLD, leading=11.5, colour=MUTED_C, before=6, after=2),
        body=style("body", after=4),
        muted=style("muted", colour=MUTED_C, after=4),
        small=style("small", SMALL_SIZE, colour=MUTED_C, after=3),
        cell=style("cell", SMALL_SIZE + 0.5),
        cell_bold=style("cell-bold", SMALL_SIZE + 0.5, font=BOLD),
        cell_head=style("cell-head", SMALL_SIZE, font=BOLD, colour=MUTED_C),
        cell_right=style("cell-right", SMALL_SIZE + 0.5, align=TA_RIGHT),
        cell_safety=style("cell-safety", SMALL_SIZE + 0.5, colour=SAFETY_C),
        label=style("label", SMALL_SIZE, colour=MUTED_C),
        safety=style("safety", font=BOLD, colour=SAFETY_C, after=4),
        draft=style("draft", font=BOLD, colour=SAFETY_C, after=2),
    )


def grid(*, header: bool = True, zebra: bool = False) -> TableStyle:
    """A data table: hairlines between rows, a tinted header row repeated on every page."""
    commands: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE_C),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), HEAD_BG_C),
                     ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED_C)]
    return TableStyle(commands)


# A form's cells: left, right, top and bottom padding, in points.
PAIRS_PADDING = (0.0, 6.0, 1.5, 1.5)


def pairs() -> TableStyle:
    """Label and value pairs laid out as a form: no header, no rules."""
    left, right, top, bottom = PAIRS_PADDING
    return TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), left),
        ("RIGHTPADDING", (0, 0), (-1, -1), right),
        ("TOPPADDING", (0, 0), (-1, -1), top),
        ("BOTTOMPADDING", (0, 0), (-1, -1), bottom),
    ])
