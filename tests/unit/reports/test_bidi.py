"""Hebrew and Arabic in the PDF and the charts: a PDF draws a line's characters left to
right as stored, so "דוד כהן" printed as "ןהכ דוד" read from the right, and Arabic letters
stood apart. Each line is now drawn in the order it is read, Arabic joined, brackets
mirrored; a paragraph that reads from right to left is set against the right edge."""

from __future__ import annotations

import pytest

from models.backend import Backend
from models.inputs import ClientInput, PartInput, ReportOptions
from reports.bidi import reads_right_to_left, visual
from reports.pdf.layout import labelled_text
from reports.pdf.styles import styles
from reports.pdf.text import PlainText
from reports.render import render_report
from tests.unit.reports.conftest import pages_text


@pytest.mark.parametrize(("logical", "drawn"), [
    ("דוד כהן", "ןהכ דוד"),
    ("מרים (כהן) 12", "12 (ןהכ) םירמ"),  # the brackets mirrored, the number kept
    ("محمد", "\ufeaa\ufee4\ufea4\ufee3"),  # joined: final, medial, medial, initial forms
    ("Ada (Bea) 12", "Ada (Bea) 12"),  # no right-to-left letter: the same text
    ("Ada דוד", "Ada דוד"),  # a left-to-right line keeps its order, the word its own
])
def test_each_line_is_drawn_in_the_order_it_is_read(logical: str, drawn: str) -> None:
    assert visual(logical) == drawn
    assert visual(f"{logical}\nsecond") == f"{drawn}\nsecond"  # line by line


def test_the_first_letter_with_a_direction_gives_the_paragraph_s() -> None:
    assert reads_right_to_left("12, דוד כהן") and reads_right_to_left("محمد")
    assert not reads_right_to_left("Ada דוד") and not reads_right_to_left("12")


def test_a_hebrew_paragraph_is_set_against_the_right_edge_line_by_line() -> None:
    answer = "המטופל סיפר על שבוע קשה אחרי הטיפול, עם חלומות וזיכרונות. " * 4
    block = labelled_text("Data", answer)
    assert isinstance(block, PlainText)
    block.wrap(300, 1000)
    drawn: list[tuple[float, str]] = []

    class Text:
        def __getattr__(self, _name: str) -> object:
            return lambda *args: None

        def setTextOrigin(self, x: float, _y: float) -> None:
            drawn.append((x, ""))

        def textOut(self, shown: str) -> None:
            drawn[-1] = (drawn[-1][0], shown)

    class Canvas:
        def beginText(self) -> Text:
            return Text()

        def drawText(self, _text: Text) -> None:
            pass

    block.canv = Canvas()
    block.draw()
    label, *lines = drawn
    assert label[0] == 0 and label[1] == "Data"
    assert len(lines) > 2 and all(x > 0 for x, _ in lines[:-1])  # right-aligned
    body = styles().body
    from reportlab.pdfbase.pdfmetrics import stringWidth
    assert all(abs(x + stringWidth(shown, body.fontName, body.fontSize) - 300) < 0.01
               for x, shown in lines)
    # The first words of the answer are on the first line, at its right end.
    assert lines[0][1].endswith(visual("המטופל סיפר"))


def test_a_hebrew_name_prints_in_reading_order_in_the_header_and_the_map(
        backend: Backend) -> None:
    client = backend.clients.create(ClientInput(name="דוד כהן"), actor_id=None).value
    backend.parts.create(client.id, PartInput("הילד המפוחד", "exile"), actor_id=None)
    pdf = render_report(backend.reports.data(client.id, ReportOptions(
        sections=("summary", "ifs"))))
    # A PDF reader gives the words back in reading order (it had them backwards).
    pages = pages_text(pdf)
    assert all("דוד כהן" in page for page in pages)  # every page's header
    assert any("הילד המפוחד" in page for page in pages)  # the map and its table
