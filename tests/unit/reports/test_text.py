"""Plain text set without markup: the lines, heights and page breaks a Paragraph would
give, a label never left alone at the foot of a page, forms that break between rows."""

from __future__ import annotations

import pytest
from reportlab.platypus import Paragraph

from reports.pdf.fonts import markup
from reports.pdf.layout import (
    RecordTable,
    data_table,
    labelled_text,
    noted,
    pairs_table,
    text,
)
from reports.pdf.page import FRAME_HEIGHT
from reports.pdf.styles import styles
from reports.pdf.text import PlainPairs, PlainText

WIDTH = 300.0
LONG = ("The client described the days since the dose: sleeping better, vivid dreams, "
        "a wish to call an old friend, and an  unhurried   walk by the river each morning.")


def test_plain_text_breaks_lines_where_a_paragraph_does() -> None:
    for style_name in ("body", "small", "muted"):
        style = getattr(styles(), style_name)
        for value in (LONG, "One line", "Two\nlines", LONG + "\n\n" + LONG):
            plain = text(value, style_name)
            assert isinstance(plain, PlainText)
            paragraph = Paragraph(markup(value), style)
            assert plain.wrap(WIDTH, 1000) == pytest.approx(paragraph.wrap(WIDTH, 1000)), (
                style_name, value)


def test_east_asian_text_stays_a_paragraph() -> None:
    assert isinstance(text("王小明 Ada", "body"), Paragraph)
    assert isinstance(labelled_text("Intention", "平静"), Paragraph)


def test_a_label_is_never_left_without_its_answer() -> None:
    s = styles()
    block = labelled_text("Client's account of the experience", LONG)
    assert isinstance(block, PlainText)
    _, height = block.wrap(WIDTH, 1000)
    assert block.split(WIDTH, s.label.leading + 1) == []  # only the label would fit
    first, rest = block.split(WIDTH, s.label.leading + s.body.leading + 1)
    assert first.wrap(WIDTH, 1000)[1] == s.label.leading + s.body.leading
    assert rest.wrap(WIDTH, 1000)[1] == height - first.wrap(WIDTH, 1000)[1]
    assert block.split(WIDTH, height + 1) == [block]


def test_one_line_alone_is_never_left_at_the_foot_of_a_page() -> None:
    body = styles().body
    block = text(LONG + " " + LONG, "body")  # five lines
    block.wrap(WIDTH, 1000)
    assert block.split(WIDTH, body.leading * 1.5) == []
    assert len(block.split(WIDTH, body.leading * 2)) == 2


def test_one_line_alone_never_starts_the_next_page() -> None:
    """A page break that would carry a paragraph's last line alone to the next page
    carries two (the report's baseline note was parted 2 + 1 across pages one and two)."""
    body = styles().body
    three = text(LONG, "body")
    _, height = three.wrap(WIDTH, 1000)
    lines = round(height / body.leading)
    assert lines == 3
    assert three.split(WIDTH, body.leading * 2.5) == []  # 2 + 1 would widow: all go on
    five = text(LONG + " " + LONG, "body")
    _, height = five.wrap(WIDTH, 1000)
    assert round(height / body.leading) == 5
    first, rest = five.split(WIDTH, body.leading * 4.5)  # 4 + 1 becomes 3 + 2
    assert first.wrap(WIDTH, 1000)[1] == pytest.approx(body.leading * 3)
    assert rest.wrap(WIDTH, 1000)[1] == pytest.approx(body.leading * 2)
    paragraph = Paragraph(markup(LONG), body)  # text with markup: the same
    paragraph.wrap(WIDTH, 1000)
    assert paragraph.split(WIDTH, body.leading * 2.5) == []


def test_a_table_is_never_parted_from_its_notes() -> None:
    """The notes under a table (what a column means) go on with at least its last row
    when the page ends below the table."""
    rows = [[f"Row {n}", "a value"] for n in range(6)]
    table = data_table(["Name", "Value"], rows, [0.3, 0.3])
    note = text(LONG, "small")
    group = noted(table, note)
    _, table_height = table.wrap(495, 1000)
    _, height = group.wrap(495, 1000)
    assert height > table_height
    assert group.split(495, height + 1) == [group]
    # Room for the whole table, not for its note: the last row goes on with the note.
    first, rest = group.split(495, table_height + 2)
    assert first.wrap(495, 1000)[1] < table_height
    assert len(first._cellvalues) == 6  # the header and five rows
    assert isinstance(rest, type(group)) and rest.notes == [note]
    assert [c for row in rest.table._cellvalues for c in row][-2:] == ["Row 5", "a value"]
    # A table of one row cannot be parted: it goes on whole, with its note.
    single = noted(data_table(["Name", "Value"], rows[:1], [0.3, 0.3]), note)
    _, single_height = single.wrap(495, 1000)
    assert single.split(495, single_height - 2) == []
    assert noted(table) is table
    # Together taller than a page, and the table cannot be parted: on an empty page they
    # go as two flowables, one after the other, rather than never fitting.
    huge = noted(data_table(["Name", "Value"], rows[:1], [0.3, 0.3]), text(LONG * 60, "small"))
    _, huge_height = huge.wrap(495, FRAME_HEIGHT)
    assert huge_height > FRAME_HEIGHT
    parts = huge.split(495, FRAME_HEIGHT)
    assert len(parts) == 2 and parts[1].getPlainText().startswith(LONG[:20])


def test_a_form_breaks_between_its_rows() -> None:
    items = [(f"Field {n}", f"Answer {n}" if n % 3 else LONG) for n in range(8)]
    form = pairs_table(items, columns=2)
    assert isinstance(form, PlainPairs)
    _, height = form.wrap(495, 1000)
    parts = form.split(495, height / 2)
    assert len(parts) == 2
    heights = [p.wrap(495, 1000)[1] for p in parts]
    assert abs(sum(heights) - height) < 1e-6 and heights[0] <= height / 2
    assert form.split(495, 5) == []  # not even a row fits


def test_an_answer_taller_than_a_page_is_parted_inside_its_row() -> None:
    """A paragraph pasted into a one-line field made a row taller than a page, and the
    report failed ("too large on page 4"). Such a row is parted where the page ends; a
    row that fits on a page still goes whole to the next."""
    long_answer = " ".join([LONG] * 60)
    form = pairs_table([("Date", "26 Oct 2026"), ("Interweaves", long_answer),
                        ("Emotions", "Fear")], columns=2)
    assert isinstance(form, PlainPairs)
    _, height = form.wrap(495, FRAME_HEIGHT)
    assert height > FRAME_HEIGHT
    first, rest = form.split(495, FRAME_HEIGHT / 3)
    assert first.wrap(495, FRAME_HEIGHT)[1] <= FRAME_HEIGHT / 3
    lines = [line for p in (first, rest) for row in p._layout() for line, _ in row[1][3]]
    assert " ".join(lines).split() == long_answer.split()  # every word, once, in order
    assert rest._layout()[0][1][2] == [("", styles().label)]  # the label is not repeated


def test_a_set_cell_taller_than_a_page_is_parted_and_short_rows_are_not() -> None:
    table = data_table(["Set", "Client reports"], [["1", " ".join([LONG] * 40)], ["2", LONG]],
                       [0.2, 0.8])
    assert isinstance(table, RecordTable)
    table.wrap(495, FRAME_HEIGHT)
    parts = table.split(495, FRAME_HEIGHT / 2)
    assert len(parts) == 2 and parts[0].wrap(495, FRAME_HEIGHT)[1] <= FRAME_HEIGHT / 2
    short = data_table(["Set", "Client reports"], [["1", LONG], ["2", LONG]], [0.2, 0.8])
    _, height = short.wrap(495, FRAME_HEIGHT)
    first, _rest = short.split(495, height - 5)
    assert len(first._cellvalues) == 2  # the header and the first row, the second whole
