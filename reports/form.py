"""A blank questionnaire for the client to fill in on paper: an instrument's own wording,
its answers as boxes to tick, a line for the name and the date, and a box for the total
the therapist works out (then types in with Enter measure, item by item).

Only instruments whose wording may be reproduced and is bundled have one (GAD-7, PHQ-9,
PCL-5: models.instruments.definitions.Instrument.has_wording); the CADSS, whose wording is
copyrighted, and custom measures, which have no items, do not. A blank form names no
client, so it is no record: saving or printing it writes no audit event.
"""

from __future__ import annotations

import functools
import io
from typing import Any

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

from models.instruments.definitions import Instrument, Item
from reports import palette
from reports.pdf.fonts import BODY, BOLD, markup
from reports.pdf.page import (
    FRAME_WIDTH,
    MARGIN_X,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    numbered_canvas,
    page_of,
)
from reports.pdf.styles import HEAD_BG_C, INK_C, LINE_C, MUTED_C, grid, styles

BOX = "☐"  # U+2610 BALLOT BOX, in DejaVu Sans
OFFICE_USE = "For the clinician"
_TOP, _BOTTOM = 64.0, 56.0


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    """Larger type than a report's: the client reads and ticks this one."""
    base = styles()
    return {
        "title": ParagraphStyle("form-title", parent=base.title, fontSize=16, leading=20),
        "lead": ParagraphStyle("form-lead", parent=base.body, fontName=BOLD, fontSize=10.5,
                               leading=14, spaceBefore=8, spaceAfter=6),
        "item": ParagraphStyle("form-item", parent=base.body, fontSize=9.5, leading=12.5,
                               spaceAfter=0),
        "head": ParagraphStyle("form-head", parent=base.cell_head, fontSize=7, leading=9,
                               alignment=TA_CENTER),
        "box": ParagraphStyle("form-box", parent=base.body, fontSize=15, leading=16,
                              alignment=TA_CENTER, spaceAfter=0),
        "line": ParagraphStyle("form-line", parent=base.body, fontSize=10, leading=22),
        "small": base.small,
    }


def _write_in(label: str, width: str = "") -> Paragraph:
    """'Name: ____________' as a line to write on."""
    blank = width or "_" * 34
    return Paragraph(f"{markup(label)}: <font color='{palette.CONTROL_EDGE}'>{blank}</font>",
                     _styles()["line"])


def _answer_width(instrument: Instrument) -> float:
    """One width for every answer column of the form: as wide as the longest word of any
    answer (a word is never broken), the items' words taking the rest."""
    labels = [*instrument.answer_labels, *(label for item in instrument.items
                                            for label in item.labels)]
    widest = max(stringWidth(word, BOLD, _styles()["head"].fontSize)
                 for label in labels for word in label.split())
    return float(max(52.0 if len(instrument.answer_labels) <= 4 else 44.0, widest + 9))


def _answers_table(items: tuple[Item, ...], labels: tuple[str, ...], first: int,
                   answer_width: float, *, numbered: bool = True) -> Table:
    """One row per item: its number, its words, then a box under each answer."""
    s = _styles()
    answers = len(labels)
    number_width = 26.0
    item_width = FRAME_WIDTH - number_width - answers * answer_width
    head: list[Any] = ["", ""] + [
        Paragraph(f"{markup(label)}<br/>{value}" if numbered else markup(label), s["head"])
        for value, label in enumerate(labels, start=first)]
    rows: list[list[Any]] = [head]
    for item in items:
        rows.append([Paragraph(f"{item.number}.", s["item"]),
                     Paragraph(markup(item.display_text), s["item"]),
                     *[Paragraph(BOX, s["box"]) for _ in labels]])
    table = Table(rows, colWidths=[number_width, item_width, *[answer_width] * answers],
                  repeatRows=1, hAlign="LEFT")
    style = grid()
    style.add("BACKGROUND", (0, 0), (-1, 0), HEAD_BG_C)
    style.add("VALIGN", (0, 0), (-1, -1), "MIDDLE")
    style.add("VALIGN", (0, 1), (1, -1), "TOP")
    style.add("TOPPADDING", (0, 1), (-1, -1), 4)
    style.add("BOTTOMPADDING", (0, 1), (-1, -1), 4)
    table.setStyle(style)
    return table


def _office_box(instrument: Instrument) -> Flowable:
    """The box the therapist fills in: the total, and (PCL-5) its clusters."""
    s = _styles()
    parts = [f"Total ______ (of {sum(i.max_value for i in instrument.scored_items)})"]
    parts += [f"{sub.label} ______" for sub in instrument.subscales]
    # A line breaks between the parts, never inside one.
    line = "&nbsp;&nbsp;&nbsp; ".join(markup(p).replace(" ", "&nbsp;") for p in parts)
    box = Table([[Paragraph(f"<b>{OFFICE_USE}</b>", s["small"])],
                 [Paragraph(line, s["line"])]],
                colWidths=[FRAME_WIDTH], hAlign="LEFT")
    box.setStyle([("BOX", (0, 0), (-1, -1), 0.6, LINE_C),
                  ("LEFTPADDING", (0, 0), (-1, -1), 8),
                  ("TOPPADDING", (0, 0), (-1, -1), 4)])
    return box


def form_story(instrument: Instrument) -> list[Flowable]:
    """The questionnaire as the client meets it, in the instrument's own words."""
    if not instrument.has_wording:
        raise ValueError(f"{instrument.short_name} has no wording to print.")
    s = _styles()
    story: list[Flowable] = [
        Paragraph(markup(f"{instrument.title} ({instrument.short_name})"), s["title"]),
        Table([[_write_in("Name"), _write_in("Date", "_" * 18)]],
              colWidths=[FRAME_WIDTH * 0.62, FRAME_WIDTH * 0.38], hAlign="LEFT",
              style=[("LEFTPADDING", (0, 0), (-1, -1), 0)]),
    ]
    if instrument.index_event is not None:
        story.append(_write_in("The event your answers are about, in a few words",
                               "_" * 30))
    story.append(Paragraph(markup(instrument.instructions), s["lead"]))
    scored = tuple(i for i in instrument.items if i.scored)
    width = _answer_width(instrument)
    story.append(_answers_table(scored, instrument.answer_labels,
                                min(i.min_value for i in scored), width))
    for item in instrument.items:
        if item.scored or not item.labels:
            continue
        # An unscored question with answers of its own (the PHQ-9's tenth), asked after.
        story += [Spacer(1, 10), KeepTogether([_answers_table(
            (item,), item.labels, item.min_value, width, numbered=False)])]
    story += [Spacer(1, 16), _office_box(instrument)]
    if instrument.scoring_source is not None:
        story += [Spacer(1, 6), Paragraph(markup(
            f"{instrument.short_name}: {instrument.scoring_source.citation}."), s["small"])]
    return story


def _page(canvas: Canvas, doc: Any, *, practice: str, name: str) -> None:
    canvas.saveState()
    top = PAGE_HEIGHT - 34
    if practice:
        canvas.setFont(BOLD, 9.5)
        canvas.setFillColor(INK_C)
        canvas.drawString(MARGIN_X, top, practice)
    canvas.setFont(BODY, 8)
    canvas.setFillColor(MUTED_C)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, top, name)
    canvas.setStrokeColor(LINE_C)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN_X, top - 8, PAGE_WIDTH - MARGIN_X, top - 8)
    canvas.drawString(MARGIN_X, _BOTTOM - 28, "Confidential once filled in.")
    canvas.restoreState()


def _footer(canvas: Canvas, number: int, total: int) -> None:
    canvas.setFont(BODY, 8)
    canvas.setFillColor(MUTED_C)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, _BOTTOM - 28, page_of(number, total))


def render_blank_form(instrument: Instrument, *, practice: str = "") -> bytes:
    """The blank questionnaire as PDF bytes (in memory only), with the practice's name
    above it when given."""
    buffer = io.BytesIO()
    name = f"{instrument.short_name} · blank form"
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=_TOP,
        bottomMargin=_BOTTOM, title=name, subject=instrument.title,
        creator="Integration Workstation")

    def page(canvas: Canvas, doc: Any) -> None:
        _page(canvas, doc, practice=practice.strip(), name=name)

    document.build(form_story(instrument), onFirstPage=page, onLaterPages=page,
                   canvasmaker=numbered_canvas(_footer))
    return buffer.getvalue()
