"""Building blocks of a report's story: headings, text, tables, label/value pairs and
figures, so every section and every report kind looks the same."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any, TypeAlias

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from reports.bidi import has_right_to_left, visual
from reports.pdf.fonts import east_asian_font, markup
from reports.pdf.page import FRAME_HEIGHT, FRAME_WIDTH
from reports.pdf.styles import HEAD_BG_C, LINE_C, MUTED_C, PAIRS_PADDING, grid, pairs, styles
from reports.pdf.text import PlainPairs, PlainText

if TYPE_CHECKING:  # matplotlib loads only for a report that draws a chart
    from matplotlib.figure import Figure

    from reports.pdf.vector import FigureFlowable

Cell: TypeAlias = str | Flowable


def text(value: str, style_name: str = "body") -> Flowable:
    """Plain text (any script, line breaks kept) set as a paragraph in one of the styles:
    as reports.pdf.text.PlainText, which needs no markup parsed, unless it holds East Asian
    characters (their CID font is chosen run by run in a Paragraph) or is not left-aligned."""
    style = getattr(styles(), style_name)
    if style.alignment == TA_LEFT and east_asian_font(value) is None:
        return PlainText([(value, style)])
    return Paragraph(markup(value), style)


def labelled_text(label: str, value: str) -> Flowable:
    """A long answer under its label, kept together so the label never ends a page."""
    s = styles()
    if east_asian_font(label + value) is None:
        return PlainText([(label, s.label), (value, s.body)] if label else [(value, s.body)],
                         keep_label=bool(label))
    head = (f'<font name="{s.label.fontName}" size="{s.label.fontSize}" '
            f'color="{s.label.textColor.hexval().replace("0x", "#")}">{markup(label)}</font><br/>'
            if label else "")
    return Paragraph(head + markup(value), s.body)


def lead_in(lead: str, value: str) -> Flowable:
    """"**Lead:** value" as one paragraph; a value with right-to-left text goes under its
    lead instead, as PlainText, whose lines are put in reading order after they are
    broken (a paragraph would reorder it whole, and a long one would read from its end)."""
    if has_right_to_left(value) and east_asian_font(value) is None:
        return labelled_text(lead, value)
    return rich(f"<b>{markup(lead)}:</b> {markup(value)}", "body")


def rich(markup_text: str, style_name: str = "body") -> Paragraph:
    """Paragraph markup written by the report itself (bold words around escaped values)."""
    return Paragraph(markup_text, getattr(styles(), style_name))


# The room a heading needs below it on the page, or it starts the next page instead: no
# heading is left alone at the foot of a page, and tables under it may still split.
_ROOM_BELOW = (140.0, 90.0, 60.0)


def heading(value: str, level: int = 0) -> list[Flowable]:
    """A heading of level 0 (a section), 1 or 2, as a bookmark, and never at the foot of a
    page."""
    return [CondPageBreak(_ROOM_BELOW[level]), heading_paragraph(value, level)]


def heading_paragraph(value: str, level: int = 0) -> Paragraph:
    """The heading alone, for a `keep` that already keeps it with what follows."""
    paragraph = Paragraph(markup(value), getattr(styles(), ("h1", "h2", "h3")[level]))
    paragraph.outline_level = level
    return paragraph


class _Keep(KeepTogether):  # type: ignore[misc]  # reportlab is untyped
    """KeepTogether that measures its content without copying the frame first. reportlab
    copies the whole frame on every measure in case the content adds to the frame (a
    break inside it); a report's groups never do, and a long record measures a thousand
    of them."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        document: Any = getattr(self.canv, "_doctemplate", None)
        frame = getattr(document, "frame", None)
        if frame is None:
            return super().wrap(available_width, available_height)  # type: ignore[no-any-return]
        document.frame = None  # so the content is measured as is
        try:
            return super().wrap(available_width, available_height)  # type: ignore[no-any-return]
        finally:
            document.frame = frame


def keep(flowables: Sequence[Flowable]) -> Flowable:
    """Flowables kept on one page (unless together they are taller than a page). Keep
    groups side by side, not one inside another: reportlab breaks the page before a group
    nested in another."""
    return _Keep(list(flowables))


_PADDING = 8.0  # a cell's left and right padding together (styles.grid, styles.pairs)


def _cell(value: Cell, style_name: str, width: float) -> Cell:
    """A cell's content: text that fits on one line stays a plain string, drawn by the
    table itself in the style's font (a paragraph costs ten times as much to lay out, and
    a long record has thousands of cells); anything longer, or in another script, wraps
    as a paragraph."""
    if isinstance(value, Flowable):
        return value
    style = getattr(styles(), style_name)
    if ("\n" not in value and east_asian_font(value) is None
            and stringWidth(value, style.fontName, style.fontSize) <= width - _PADDING):
        return visual(value)
    return text(value, style_name)


def _plain(style_name: str, cells: tuple[tuple[int, int], tuple[int, int]]) -> list[
        tuple[object, ...]]:
    """Table style commands that draw plain-string cells as paragraphs of `style_name`."""
    style = getattr(styles(), style_name)
    start, stop = cells
    return [("FONT", start, stop, style.fontName, style.fontSize, style.leading),
            ("TEXTCOLOR", start, stop, style.textColor)]


def _longest_word(value: str, style_name: str) -> float:
    style = getattr(styles(), style_name)
    return max((stringWidth(word, style.fontName, style.fontSize) for word in value.split()),
               default=0.0)


def fitted_widths(header: Sequence[str], rows: Sequence[Sequence[str]],
                  weights: Sequence[float], *, first_bold: bool = False) -> list[float]:
    """Column widths (fractions of the frame) shared out by `weights`, then widened where a
    column's longest word, in its header or a cell, would not fit on a line: the room is
    taken from the columns that have some to spare, never below their own longest word. A
    column that needs more than there is to spare (a word longer than a line: an address,
    a sentence in a script without spaces) gets what is left once the others fit. The
    first column is measured bold when data_table sets it so (`first_bold`)."""
    needed = [max(_longest_word(h, "cell_head"),
                  *(_longest_word(row[i], "cell_bold" if first_bold and i == 0 else "cell")
                    for row in rows if i < len(row)))
              + _PADDING + 1 for i, h in enumerate(header)]
    total = sum(weights)
    widths = [w / total * FRAME_WIDTH for w in weights]
    spare = {i: w - needed[i] for i, w in enumerate(widths) if needed[i] < w}
    room = sum(spare.values())
    left = room
    # The smallest shortfalls first: a few points make a header fit, and a word longer
    # than the line takes what is left.
    for i in sorted((i for i, w in enumerate(widths) if needed[i] > w),
                    key=lambda i: needed[i] - widths[i]):
        given = min(needed[i] - widths[i], left)
        widths[i] += given
        left -= given
    if room > 0:
        for i, extra in spare.items():
            widths[i] -= (room - left) * extra / room
    return [w / FRAME_WIDTH for w in widths]


class RecordTable(Table):  # type: ignore[misc]  # reportlab is untyped
    """A table whose pages end between rows, as a Table's do, except inside a row taller
    than a page (a long answer pasted into a set's cell), which could not be laid out
    whole: that row is parted where the page ends."""

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        heights = getattr(self, "_rowHeights", None) or []
        head = sum(heights[:self.repeatRows])
        self.splitInRow = 1 if any(h > FRAME_HEIGHT - head
                                   for h in heights[self.repeatRows:]) else 0
        parts: list[Flowable] = super().split(available_width, available_height)
        return parts


def data_table(header: Sequence[str], rows: Sequence[Sequence[Cell]],
               widths: Sequence[float], *, extra: Sequence[tuple[object, ...]] = (),
               first_bold: bool = False, caption: str = "") -> Table:
    """A table with a header row repeated on every page it spans. `widths` are fractions
    of the frame's width. A `caption` is a title row above the header, so the title can
    never be parted from its table."""
    points = [w * FRAME_WIDTH for w in widths]
    body = [[_cell(value, "cell_bold" if first_bold and i == 0 else "cell", points[i])
             for i, value in enumerate(row)] for row in rows]
    head: list[list[Cell]] = [[text(h, "cell_head") for h in header]]
    if caption:
        head.insert(0, [text(caption, "h3"), *[""] * (len(header) - 1)])
    table = RecordTable([*head, *body], colWidths=points, repeatRows=len(head), hAlign="LEFT")
    style = grid()
    for command in _plain("cell", ((0, len(head)), (-1, -1))):
        style.add(*command)
    if first_bold:
        for command in _plain("cell_bold", ((0, len(head)), (0, -1))):
            style.add(*command)
    if caption:
        style.add("SPAN", (0, 0), (-1, 0))
        style.add("BACKGROUND", (0, 0), (-1, 0), colors.white)
        style.add("BACKGROUND", (0, 1), (-1, 1), HEAD_BG_C)
        style.add("LINEBELOW", (0, 0), (-1, 0), 0, colors.white)
        style.add("LINEBELOW", (0, 1), (-1, 1), 0.8, MUTED_C)
        style.add("LEFTPADDING", (0, 0), (0, 0), 0)
    for command in extra:
        style.add(*command)
    table.setStyle(style)
    return table


class _Noted(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A table with the notes under it (what a column means, what was counted): a page
    never ends between them. When they do not fit together on the page, the table is
    parted so that at least its last row goes on with the notes."""

    def __init__(self, table: Flowable, notes: Sequence[Flowable]) -> None:
        super().__init__()
        self.table = table
        self.notes = list(notes)
        self._heights: list[float] = []

    def _parts(self) -> list[Flowable]:
        return [self.table, *self.notes]

    @staticmethod
    def _gap(above: Flowable, below: Flowable) -> float:
        return max(float(above.getSpaceAfter()), float(below.getSpaceBefore()))  # as a frame

    def getSpaceBefore(self) -> float:
        return float(self.table.getSpaceBefore())

    def getSpaceAfter(self) -> float:
        return float(self._parts()[-1].getSpaceAfter())

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        parts = self._parts()
        self._heights = [part.wrap(available_width, available_height)[1] for part in parts]
        self.width = available_width
        self.height = sum(self._heights) + sum(
            self._gap(a, b) for a, b in pairwise(parts))
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        if self.height <= available_height:
            return [self]
        table_height = self._heights[0]
        # The table parted where the page ends, or, when the table alone would fit, above
        # its last row, which goes on with the notes.
        room = min(available_height, table_height - 1.0)
        pieces: list[Flowable] = self.table.split(available_width, room)
        if len(pieces) < 2:
            if available_height >= FRAME_HEIGHT - 1.0:  # a whole page would not hold them
                return [self.table, *self.notes]
            return []  # the table cannot be parted here: the whole starts the next page
        return [*pieces[:-1], _Noted(pieces[-1], self.notes)]

    def draw(self) -> None:
        parts = self._parts()
        top = self.height
        for index, (part, height) in enumerate(zip(parts, self._heights, strict=True)):
            if index:
                top -= self._gap(parts[index - 1], part)
            top -= height
            part.drawOn(self.canv, 0, top)


def noted(table: Flowable, *notes: Flowable) -> Flowable:
    """A table and the notes that belong under it, never parted by a page."""
    return _Noted(table, notes) if notes else table


def pairs_table(items: Sequence[tuple[str, Cell]], *, columns: int = 2,
                label_share: float = 0.19) -> Flowable:
    """Label and value pairs, `columns` pairs a row: the short answers of a form. Plain
    text is set by reports.pdf.text.PlainPairs; a value that is a flowable, or East Asian
    text (set in its CID font run by run), takes a Table."""
    pair = 1 / columns
    label_width, value_width = label_share * FRAME_WIDTH, (pair - label_share) * FRAME_WIDTH
    widths = [label_width, value_width] * columns
    if all(isinstance(value, str) and east_asian_font(label + value) is None
           for label, value in items):
        s = styles()
        plain: list[list[tuple[str, ParagraphStyle]]] = []
        for start in range(0, len(items), columns):
            cells: list[tuple[str, ParagraphStyle]] = []
            for label, value in items[start:start + columns]:
                cells += [(label, s.label), (str(value), s.cell)]
            for _ in range(len(cells) // 2, columns):
                cells += [("", s.label), ("", s.cell)]
            plain.append(cells)
        left, right, top, bottom = PAIRS_PADDING
        return PlainPairs(plain, widths, left=left, right=right, top=top, bottom=bottom)
    rows: list[list[Cell]] = []
    for start in range(0, len(items), columns):
        row: list[Cell] = []
        for label, value in items[start:start + columns]:
            row += [_cell(label, "label", label_width), _cell(value, "cell", value_width)]
        row += [""] * (2 * columns - len(row))
        rows.append(row)
    table = RecordTable(rows, colWidths=widths, hAlign="LEFT")
    style = pairs()
    for column in range(0, 2 * columns, 2):
        for command in (*_plain("label", ((column, 0), (column, -1))),
                        *_plain("cell", ((column + 1, 0), (column + 1, -1)))):
            style.add(*command)
    table.setStyle(style)
    return table


def figure(fig: Figure, width: float = FRAME_WIDTH) -> FigureFlowable:
    """A matplotlib Figure (a chart, the parts map) drawn as vectors `width` points wide,
    its proportions kept. Build it `width / 72` inches wide so its text prints at the
    size it was laid out for. The figure is drawn now, and may then draw the next chart."""
    from reports.pdf.vector import FigureFlowable

    return FigureFlowable(fig, width)


_TALLEST_IN = 8.5  # a figure taller than this would not fit the page's frame


def grown_figure(build: Callable[[float], Figure], height: float, what: str) -> Flowable:
    """A figure the frame's width, built `height` inches tall, or taller while its builder
    says a legend or footnote needs more room (reports.charts.ChartTooSmallError); a
    sentence saying so when not even a page would hold it."""
    from reports.charts import ChartTooSmallError

    while True:
        try:
            return figure(build(height))
        except ChartTooSmallError:
            height += 0.8
            if height > _TALLEST_IN:
                return text(f"The {what} has too much to show on a page.", "muted")


def rule() -> HRFlowable:
    return HRFlowable(width="100%", thickness=0.5, color=LINE_C, spaceBefore=6, spaceAfter=6)


def gap(points: float = 6) -> Spacer:
    return Spacer(1, points)


def boxed(table: Table, commands: Sequence[tuple[object, ...]]) -> Table:
    """The same table with more style commands (a tinted row, a safety colour)."""
    table.setStyle(TableStyle(list(commands)))
    return table
