"""Plain text set as a paragraph would set it, for a small part of the cost.

A long record prints thousands of short texts (a note's facts, its section titles, its
answers). reportlab's Paragraph parses each one as markup and breaks it into fragments
before it can measure a word; text in one style needs none of that. `PlainText` wraps
words greedily by their widths in the font, draws every line with one text object, and
splits across pages as Paragraph does with our styles (never leaving a single first line at
the foot of a page, nor a single last line at the head of the next). It sets lines exactly
where Paragraph would: the first baseline one font size below the top, each next one a
leading lower.

Several blocks may be stacked in one flowable (a field's label over its answer), each in
its own style, so a page can never end between the label and the answer's first line.
Text that needs markup, another alignment or another script (the CID fonts of East Asian
names) stays a Paragraph: reports.pdf.layout chooses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from reports.bidi import reads_right_to_left, visual
from reports.pdf.page import FRAME_HEIGHT

_FUZZ = 1e-6
# A paragraph parted by a page leaves at least this many lines on the next.
WIDOW_LINES = 2


def _break_line(line: str, font: str, size: float, width: float) -> list[str]:
    """One line of text (no line breaks in it) broken into lines no wider than `width`:
    words run together greedily; a word wider than a line is cut between characters.
    Runs of white space count as one space, as in a paragraph."""
    words = line.split()
    if not words:
        return [""]
    whole = " ".join(words)
    if stringWidth(whole, font, size) <= width + _FUZZ:
        return [whole]  # most answers fit on one line: one measure, not one per word
    space = stringWidth(" ", font, size)
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in words:
        w = stringWidth(word, font, size)
        if w > width:  # cut a word wider than the line, character by character
            if current:
                lines.append(" ".join(current))
                current, used = [], 0.0
            piece = ""
            for char in word:
                if piece and stringWidth(piece + char, font, size) > width:
                    lines.append(piece)
                    piece = ""
                piece += char
            current, used = [piece], stringWidth(piece, font, size)
            continue
        needed = w if not current else used + space + w
        if current and needed > width + _FUZZ:
            lines.append(" ".join(current))
            current, used = [word], w
        else:
            current.append(word)
            used = needed
    if current:
        lines.append(" ".join(current))
    return lines


Line = tuple[str, ParagraphStyle, int]  # its text, its style, the block it belongs to


class PlainText(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Blocks of plain text, each in its own paragraph style, one under the other. With
    `keep_label`, the first block (a label) is never left at the foot of a page without
    the first line of the next."""

    def __init__(self, blocks: Sequence[tuple[str, ParagraphStyle]], *,
                 keep_label: bool = False) -> None:
        super().__init__()
        self.blocks = tuple(blocks)
        self.keep_label = keep_label
        self.style = self.blocks[0][1]  # the space above comes from the first block
        self._last_style = self.blocks[-1][1]
        self._lines: list[Line] | None = None
        self._wrapped_for = -1.0

    # -- what a frame asks -----------------------------------------------------------------

    def getSpaceBefore(self) -> float:
        return float(self.style.spaceBefore)

    def getSpaceAfter(self) -> float:
        return float(self._last_style.spaceAfter)

    def _layout(self, width: float) -> list[Line]:
        if self._lines is None or self._wrapped_for != width:
            lines: list[Line] = []
            for index, (value, style) in enumerate(self.blocks):
                if not value.strip():
                    continue  # as an empty paragraph: no line at all
                for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
                    lines += [(part, style, index) for part in
                              _break_line(line, style.fontName, style.fontSize, width)]
            self._lines, self._wrapped_for = lines, width
        return self._lines

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        lines = self._layout(available_width)
        self.width = available_width
        self.height = sum(style.leading for _, style, _ in lines)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        lines = self._layout(available_width)
        fits, used = 0, 0.0
        for _, style, _ in lines:
            if used + style.leading > available_height + 1e-8:
                break
            used += style.leading
            fits += 1
        if fits >= len(lines):
            return [self]
        least = 2  # never one line alone at the foot of a page, as a paragraph
        if self.keep_label:
            least = max(least, sum(1 for *_, block in lines if block == 0) + 1)
        if len(lines) - fits < WIDOW_LINES:  # nor one line alone at the head of the next
            fits = len(lines) - WIDOW_LINES
        if fits < least:
            return []
        return [_Lines(lines[:fits], self.style), _Lines(lines[fits:], self._last_style)]

    def draw(self) -> None:
        _draw_lines(self.canv, self._layout(self.width), self.width, self.height)

    def getPlainText(self, identify: object = None) -> str:
        return "\n".join(value for value, _ in self.blocks)


class _Lines(PlainText):
    """Lines already broken: one part of a PlainText split across pages."""

    def __init__(self, lines: list[Line], last: ParagraphStyle) -> None:
        Flowable.__init__(self)
        self.blocks = (("\n".join(line for line, _, _ in lines), lines[0][1]),)
        self.keep_label = False
        self.style = lines[0][1]
        self._last_style = last
        self._fixed = lines

    def _layout(self, width: float) -> list[Line]:
        return self._fixed


def _origin(line: str, shown: str, style: ParagraphStyle, left: float, right: float) -> float:
    """Where a line starts between `left` and `right`: at the left, or at the right for a
    line that reads from right to left (its `shown` form is the one drawn)."""
    if not reads_right_to_left(line):
        return left + float(style.leftIndent)
    return right - float(style.rightIndent) - float(
        stringWidth(shown, style.fontName, style.fontSize))


def _draw_lines(canvas: Any, lines: list[Line], width: float, height: float) -> None:
    """Every line with one text object: each baseline a font size below the line's top."""
    text = canvas.beginText()
    font: tuple[str, float] | None = None
    colour = None
    top = height
    for line, style, _ in lines:
        if (style.fontName, style.fontSize) != font:
            font = (style.fontName, style.fontSize)
            text.setFont(style.fontName, style.fontSize, style.leading)
        if style.textColor != colour:
            colour = style.textColor
            text.setFillColor(colour)
        if line:
            shown = visual(line)
            text.setTextOrigin(_origin(line, shown, style, 0.0, width), top - style.fontSize)
            text.textOut(shown)
        top -= style.leading
    canvas.drawText(text)


StyledText = tuple[str, ParagraphStyle]
# A row of answers parted by a page keeps at least this many lines on each page.
ROW_LINES_KEPT = 2


class PlainPairs(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Rows of plain-text cells in fixed columns, each cell in its own style, wrapped in
    its column: what a borderless Table of short strings draws, without a Table's
    machinery (its styles are resolved cell by cell, and a note has a dozen such tables).
    Cells sit at the top of their row; a row is as tall as its tallest cell; a page ends
    between rows, and inside a row only when the row is taller than a page (a long answer
    pasted into a one-line field), with at least ROW_LINES_KEPT lines on either side."""

    def __init__(self, rows: Sequence[Sequence[StyledText]], widths: Sequence[float], *,
                 left: float, right: float, top: float, bottom: float) -> None:
        super().__init__()
        self.rows = [list(row) for row in rows]
        self.widths = list(widths)
        self.padding = (left, right, top, bottom)
        self._laid: list[tuple[float, list[list[tuple[str, ParagraphStyle]]]]] | None = None

    def _layout(self) -> list[tuple[float, list[list[tuple[str, ParagraphStyle]]]]]:
        """Each row's height and each of its cells' lines."""
        if self._laid is None:
            left, right, top, bottom = self.padding
            laid = []
            for row in self.rows:
                cells = []
                tallest = 0.0
                for (value, style), width in zip(row, self.widths, strict=True):
                    lines = [part for line in value.split("\n") for part in
                             _break_line(line, style.fontName, style.fontSize,
                                         width - left - right)]
                    cells.append([(line, style) for line in lines])
                    tallest = max(tallest, len(lines) * style.leading)
                laid.append((tallest + top + bottom, cells))
            self._laid = laid
        return self._laid

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = sum(self.widths)
        self.height = sum(height for height, _ in self._layout())
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        laid = self._layout()
        used, fits = 0.0, 0
        for height, _ in laid:
            if used + height > available_height + 1e-8:
                break
            used += height
            fits += 1
        if fits >= len(laid):
            return [self]
        first, rest = self.rows[:fits], self.rows[fits:]
        height, cells = laid[fits]
        parted = self._part_row(cells, available_height - used) \
            if height > FRAME_HEIGHT else None
        if parted is not None:
            first, rest = [*first, parted[0]], [parted[1], *rest[1:]]
        if not first:
            return []
        left, right, top, bottom = self.padding
        return [PlainPairs(first, self.widths, left=left, right=right, top=top, bottom=bottom),
                PlainPairs(rest, self.widths, left=left, right=right, top=top, bottom=bottom)]

    def _part_row(self, cells: list[list[tuple[str, ParagraphStyle]]], room: float
                  ) -> tuple[list[StyledText], list[StyledText]] | None:
        """A row's cells as two rows, the first `room` points high at the most (its lines
        as laid out, the rest after them), or None when it keeps fewer than ROW_LINES_KEPT
        lines on either side."""
        _left, _right, top, bottom = self.padding
        leading = max((style.leading for lines in cells for _line, style in lines), default=0)
        if leading <= 0:
            return None
        keep = int((room - top - bottom) / leading + 1e-8)
        longest = max(len(lines) for lines in cells)
        if keep < ROW_LINES_KEPT or longest - keep < ROW_LINES_KEPT:
            return None
        styles = [lines[0][1] if lines else ParagraphStyle("empty") for lines in cells]
        return ([("\n".join(line for line, _ in lines[:keep]), style)
                 for lines, style in zip(cells, styles, strict=True)],
                [("\n".join(line for line, _ in lines[keep:]), style)
                 for lines, style in zip(cells, styles, strict=True)])

    def draw(self) -> None:
        left, _right, top, _bottom = self.padding
        text = self.canv.beginText()
        font: tuple[str, float] | None = None
        colour = None
        row_top = self.height
        for height, cells in self._layout():
            x = 0.0
            for width, lines in zip(self.widths, cells, strict=True):
                y = row_top - top
                for line, style in lines:
                    if (style.fontName, style.fontSize) != font:
                        font = (style.fontName, style.fontSize)
                        text.setFont(style.fontName, style.fontSize, style.leading)
                    if style.textColor != colour:
                        colour = style.textColor
                        text.setFillColor(colour)
                    if line:  # beside its label, whichever way it reads
                        text.setTextOrigin(x + left, y - style.fontSize)
                        text.textOut(visual(line))
                    y -= style.leading
                x += width
            row_top -= height
        self.canv.drawText(text)
