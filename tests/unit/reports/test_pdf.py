"""The PDF as a reader meets it: names in any script, a password that keeps it shut, and the
prescriber's summary in one or two pages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import pikepdf
import pypdf
import pypdfium2 as pdfium
import pytest

from models.backend import Backend
from models.formatting import date_text
from models.inputs import ClientInput, ReportOptions
from models.vocabulary import ROUTES
from reports.pdf.fonts import CHINESE, JAPANESE, KOREAN, east_asian_font, markup
from reports.pdf.page import FRAME_WIDTH, _one_line
from reports.pdf.protect import protect
from reports.pdf.styles import styles
from reports.render import render_report
from tests.unit.reports.conftest import pages_text

PASSWORD = "harbour light 7"


def fonts_used(pdf: bytes) -> set[str]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        names = set()
        for page in document.pages:
            for font in page.Resources.get("/Font", {}).values():
                names.add(str(font.BaseFont).lstrip("/").split("+")[-1])
        return names


@pytest.mark.parametrize(("name", "font"), [
    ("王小明", CHINESE),
    ("山田 はなこ", JAPANESE),
    ("김민준", KOREAN),
])
def test_east_asian_names_print_in_the_cid_font_for_their_script(
        backend: Backend, name: str, font: str) -> None:
    client = backend.clients.create(ClientInput(name=name), actor_id=None).value
    data = backend.reports.data(client.id, ReportOptions(sections=("summary",)))
    pdf = render_report(data)
    assert east_asian_font(name) == font
    assert font in fonts_used(pdf)
    assert f'<font face="{font}">' in markup(name)


@pytest.mark.parametrize("name", ["Ελένη Παπαδοπούλου", "Дмитрий Иванов", "Zoë Ångström-Łukasz"])
def test_latin_greek_and_cyrillic_names_print_in_dejavu_sans(backend: Backend, name: str) -> None:
    client = backend.clients.create(ClientInput(name=name), actor_id=None).value
    pdf = render_report(backend.reports.data(client.id, ReportOptions(sections=("summary",))))
    assert "DejaVuSans-Bold" in fonts_used(pdf)
    assert name in pages_text(pdf)[0]


def test_a_protected_report_opens_only_with_its_password(practice: Backend) -> None:
    data = practice.reports.data(practice.clients.find("C-0001").id,
                                 ReportOptions(sections=("summary",)))
    locked = render_report(data, password=PASSWORD)
    assert data.client.name.encode() not in locked

    reader = pypdf.PdfReader(io.BytesIO(locked))
    assert reader.is_encrypted
    assert not reader.decrypt("not the password")
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(locked)
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(locked))

    assert data.client.name in pages_text(locked, PASSWORD)[0]
    assert len(pdfium.PdfDocument(locked, password=PASSWORD)) >= 1
    with pikepdf.open(io.BytesIO(locked), password=PASSWORD) as document:
        assert document.encryption.R == 6  # AES-256, PDF 2.0
        assert document.encryption.stream_method.name == "aesv3"


def test_a_password_with_an_accent_opens_however_the_accent_was_typed(
        practice: Backend) -> None:
    """An accent typed as two code points (e and a combining acute, as some keyboards and
    pasted text give it) locked the file for good in a reader that prepares the password
    as PDF 2.0 says (SASLprep: Acrobat, pypdf): the key was made from the raw bytes."""
    typed = "e\u0301te\u0301 harbour"  # "été harbour", decomposed
    composed = "\u00e9t\u00e9 harbour"
    data = practice.reports.data(practice.clients.find("C-0001").id,
                                 ReportOptions(sections=("summary",)))
    locked = render_report(data, password=typed)
    for password in (typed, composed):  # a preparing reader, whichever was typed
        assert pypdf.PdfReader(io.BytesIO(locked)).decrypt(password)
    with pikepdf.open(io.BytesIO(locked), password=composed):  # a reader taking the bytes
        pass


def test_a_short_password_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 8 characters"):
        protect(b"%PDF-1.4", "short")


def test_the_prescriber_s_summary(practice: Backend) -> None:
    options = ReportOptions(kind="prescriber", start=dt.date(2020, 1, 1),
                            comment="Please review the blood pressure at the last dose.")
    data = practice.reports.data(practice.clients.find("C-0001").id, options)
    pages = pages_text(render_report(data))
    text = "\n".join(pages)
    assert len(pages) <= 2
    assert "Prescriber's summary" in text and "CONFIDENTIAL" in pages[-1]
    for ref, dose in data.doses:
        assert ref.label in text and date_text(dose.session_date) in text
    # The dissociation figures each on a line with their name: a narrow column parted them
    # as "CADSS 3 ·" over "CADSS-6 0".
    assert re.search(r"CADSS \d+\s*\n.*CADSS-6 \d+", text)
    assert not re.search(r"CADSS \d+ ·\s*$", text, re.MULTILINE)
    assert ROUTES.short(data.doses[0][1].route) in text
    assert "mg/kg" in text and "Vitals out of range" in text and "Adverse events" in text
    assert "Change from baseline" not in text  # the summary, not the progress report
    assert "Please review the blood pressure at the last dose." in text
    for series in data.measures.series:
        assert series.instrument.short_name in text
    without = dataclasses.replace(data, options=dataclasses.replace(options, comment=""))
    assert "Therapist's comment" not in "\n".join(pages_text(render_report(without)))
    # The latest risk check by the period's end, as the Overview says it.
    risk = data.latest_risk_check
    assert risk is not None and " ".join(risk.text.split()) in " ".join(text.split())


def test_a_narrow_column_is_widened_so_no_word_breaks_inside() -> None:
    """An eight-column group (a dosing note's adverse events) shared out by weight alone
    gave 'Severity' and 'Outcome' columns narrower than the words; the width they need is
    taken from the wide text columns."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from reports.pdf.layout import fitted_widths
    from reports.pdf.page import FRAME_WIDTH
    from reports.pdf.styles import styles

    header = ["Event", "Description", "Onset (min)", "Severity", "Serious", "Action taken",
              "Outcome", "Resolved at (min)"]
    rows = [["Blood-pressure rise", "", "35", "Mild", "No", "Rechecked every 10 min",
             "Resolved", "70"]]
    weights = [1.0, 3.0, 1.0, 1.0, 1.0, 3.0, 1.0, 1.0]
    widths = fitted_widths(header, rows, weights)
    assert sum(widths) == pytest.approx(1.0)
    head = styles().cell_head
    cell = styles().cell
    for index, title in enumerate(header):
        words = [stringWidth(w, head.fontName, head.fontSize) for w in title.split()]
        words += [stringWidth(w, cell.fontName, cell.fontSize) for w in rows[0][index].split()]
        assert widths[index] * FRAME_WIDTH >= max(words) + 8, title
    assert widths[1] < 3 / 12 and widths[5] < 3 / 12  # the text columns gave the room
    even = fitted_widths(["A", "B"], [["x", "y"]], [1.0, 3.0])
    assert even == pytest.approx([0.25, 0.75])  # nothing to widen: the weights stand
    # A word longer than the line takes only the room the others can spare: each of them
    # still holds its own longest word.
    unbroken = [[*rows[0][:1], "発作時の対応を記録する" * 8, *rows[0][2:]]]
    squeezed = fitted_widths(header, unbroken, weights)
    assert sum(squeezed) == pytest.approx(1.0) and squeezed[1] > widths[1]
    for index in (0, 2, 3, 4, 6, 7):
        assert squeezed[index] * FRAME_WIDTH >= max(
            stringWidth(w, head.fontName, head.fontSize) for w in header[index].split()) + 8


def test_a_long_practice_or_credentials_take_one_line_in_the_header_and_whole_at_the_end(
        backend: Backend) -> None:
    """Two lines of a practice's name ran over the clinician's line and the rule."""
    practice = ("Harbour Light Integrative Psychotherapy and Ketamine-Assisted Therapy "
                "Centre of the Greater Metropolitan Area")
    body = styles().body
    line = _one_line(practice, body, FRAME_WIDTH - 100, bold=True)
    assert line.height <= body.leading + 0.5
    shown = line.getPlainText()
    assert shown.endswith(" …") and practice.startswith(shown[:-2])
    assert _one_line("Harbour Light", body, FRAME_WIDTH - 100).getPlainText() == "Harbour Light"
    client = backend.clients.create(ClientInput(name="Ada Example"), actor_id=None).value
    pages = pages_text(render_report(backend.reports.data(client.id, ReportOptions(
        sections=("summary",), practice=practice))))
    assert all(shown in page for page in pages)
    assert practice in " ".join(pages[-1].split())  # the signature block: whole
