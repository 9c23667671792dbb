"""The page every report shares: A4, the header (practice, clinician, client, period and
"Confidential") and the footer ("Page N of M") on every page, and the build to bytes.

The total page count is known only once the story has been laid out, so the canvas keeps
each page until the end and then writes the footers (reportlab's usual two-step canvas).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from reports.pdf.fonts import BODY, BOLD, markup
from reports.pdf.styles import INK_C, LINE_C, MUTED_C, SAFETY_C, styles

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 50.0
HEADER_TOP = 34.0  # from the top edge to the first header line's baseline
BODY_TOP = 100.0  # from the top edge to where the story starts
BODY_BOTTOM = 56.0
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
FRAME_HEIGHT = PAGE_HEIGHT - BODY_TOP - BODY_BOTTOM  # the room for the story on a page
CONFIDENTIAL = "CONFIDENTIAL"
# Page streams are Flate-compressed binary, not also ASCII85-encoded: a quarter smaller,
# and quicker to write.
rl_config.useA85 = 0


@dataclass(frozen=True)
class Masthead:
    """What the header and footer of every page say."""

    kind: str  # "Progress report"
    practice: str
    clinician: str  # "Name, credentials"
    client: str  # the name as the record holds it (with the preferred name)
    record_number: str
    born: str  # the date of birth as text, or "" when not recorded
    period: str  # "period 1 Aug 2026 – 1 Nov 2026"; "session of 3 Nov 2026" for one note
    made_on: str


_HEADER_FORM = "masthead"


def _header(canvas: Canvas, doc: BaseDocTemplate) -> None:
    """The same header on every page: drawn once into a form (a PDF XObject) that each page
    shows, rather than laid out again page after page."""
    if not canvas.hasForm(_HEADER_FORM):
        canvas.beginForm(_HEADER_FORM)
        _draw_header(canvas, doc.masthead)
        canvas.endForm()
    canvas.doForm(_HEADER_FORM)


def _draw_header(canvas: Canvas, masthead: Masthead) -> None:
    s = styles()
    top = PAGE_HEIGHT - HEADER_TOP
    right = PAGE_WIDTH - MARGIN_X
    canvas.saveState()
    first = masthead.practice or masthead.clinician
    second = masthead.clinician if masthead.practice else ""
    # Names may be in any script: draw them as paragraphs, which switch fonts per run. Each
    # is one line, cut with "…" when longer (the signature block gives them whole).
    room = FRAME_WIDTH - 100  # beside CONFIDENTIAL and the kind of report
    line = _one_line(first, s.body, room, bold=True)
    line.drawOn(canvas, MARGIN_X, top - line.height + 9)
    if second:
        line = _one_line(second, s.label, room)
        line.drawOn(canvas, MARGIN_X, top - 13 - line.height + 8)
    canvas.setFont(BOLD, 9.5)
    canvas.setFillColor(SAFETY_C)
    canvas.drawRightString(right, top, CONFIDENTIAL)
    canvas.setFont(BODY, 8)
    canvas.setFillColor(MUTED_C)
    canvas.drawRightString(right, top - 12, masthead.kind)
    rule = top - 22
    canvas.setStrokeColor(LINE_C)
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN_X, rule, right, rule)
    facts = [f"Record {masthead.record_number}"]
    if masthead.born:
        facts.append(f"born {masthead.born}")
    facts.append(masthead.period)
    client = Paragraph(f"<b>{markup(masthead.client)}</b>&nbsp;&nbsp;·&nbsp;&nbsp;"
                       + "&nbsp;&nbsp;·&nbsp;&nbsp;".join(markup(f) for f in facts), s.cell)
    client.wrapOn(canvas, FRAME_WIDTH, 40)
    client.drawOn(canvas, MARGIN_X, rule - 6 - client.height)
    canvas.restoreState()


def _one_line(text: str, style: ParagraphStyle, width: float, *,
              bold: bool = False) -> Paragraph:
    """`text` as a paragraph of one line `width` wide, cut at a word (or, for a single long
    word, a character) with "…" when the whole would take more."""
    def laid(shown: str) -> Paragraph:
        line = Paragraph(f"<b>{markup(shown)}</b>" if bold else markup(shown), style)
        line.wrap(width, 10 * style.leading)
        return line

    line = laid(text)
    if line.height <= style.leading + 0.5:
        return line
    words = text.split()
    while len(words) > 1:
        words.pop()
        line = laid(" ".join(words).rstrip(",;:·-–—") + " …")
        if line.height <= style.leading + 0.5:
            return line
    shown = text
    while len(shown) > 1 and line.height > style.leading + 0.5:
        shown = shown[:-1]
        line = laid(shown + "…")
    return line


Footer = Callable[[Canvas, int, int], None]


def numbered_canvas(footer: Footer) -> type[Canvas]:
    """A canvas that keeps every page until save(), then draws `footer(canvas, N, M)` on
    each: how a document says "Page N of M" before it knows M."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.saveState()
                footer(self, number, total)
                self.restoreState()
                super().showPage()
            super().save()

    return NumberedCanvas


def page_of(number: int, total: int) -> str:
    return f"Page {number} of {total}"


def _canvas_class(masthead: Masthead) -> type[Canvas]:
    def footer(canvas: Canvas, number: int, total: int) -> None:
        canvas.setStrokeColor(LINE_C)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, BODY_BOTTOM - 16, PAGE_WIDTH - MARGIN_X, BODY_BOTTOM - 16)
        canvas.setFont(BODY, 7.5)
        canvas.setFillColor(MUTED_C)
        canvas.drawString(MARGIN_X, BODY_BOTTOM - 28,
                          f"Confidential clinical record · {masthead.kind}, made "
                          f"{masthead.made_on} · {masthead.record_number}")
        canvas.setFillColor(INK_C)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, BODY_BOTTOM - 28, page_of(number, total))

    return numbered_canvas(footer)


class _Document(BaseDocTemplate):  # type: ignore[misc]  # reportlab is untyped
    def __init__(self, buffer: io.BytesIO, masthead: Masthead, title: str, author: str) -> None:
        super().__init__(buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                         topMargin=BODY_TOP, bottomMargin=BODY_BOTTOM, title=title,
                         author=author, subject=masthead.kind,
                         creator="Integration Workstation")
        self.masthead = masthead
        self._bookmarks = 0
        self._outline_level = -1
        frame = Frame(MARGIN_X, BODY_BOTTOM, FRAME_WIDTH, FRAME_HEIGHT,
                      id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_header)])

    def afterFlowable(self, flowable: Flowable) -> None:
        """Section and note headings become the PDF's bookmarks."""
        level = getattr(flowable, "outline_level", None)
        if level is None or not isinstance(flowable, Paragraph):
            return
        # An outline cannot skip a level: a sub-heading first in its story nests as it can.
        level = min(level, self._outline_level + 1)
        self._outline_level = level
        self._bookmarks += 1
        key = f"h{self._bookmarks}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level, closed=level > 0)


def build_pdf(story: list[Flowable], masthead: Masthead, *, title: str, author: str) -> bytes:
    """Lay the story out on the shared pages and return the PDF's bytes (in memory only).
    In reportlab's invariant mode (rl_config.invariant) the bytes are reproducible."""
    buffer = io.BytesIO()
    document = _Document(buffer, masthead, title, author)
    document.build(story, canvasmaker=_canvas_class(masthead))
    return buffer.getvalue()
