"""A blank questionnaire for the client to fill in on paper: every item in the
instrument's own words, its answers, a line for the name and the date, the box for the
total; only for instruments whose wording is bundled."""

from __future__ import annotations

import pytest

from models.instruments.loading import load_instruments
from reports.form import BOX, OFFICE_USE, render_blank_form
from tests.unit.reports.conftest import pages_text

KNOWN = load_instruments()


def _words(pdf: bytes) -> str:
    return " ".join(" ".join(pages_text(pdf)).split())


def test_only_instruments_with_their_wording_bundled_have_a_blank_form() -> None:
    assert {i.id for i in KNOWN.values() if i.has_wording} == {"gad7", "phq9", "pcl5"}
    with pytest.raises(ValueError, match="CADSS has no wording"):
        render_blank_form(KNOWN["cadss"])


@pytest.mark.parametrize("instrument_id", ["gad7", "phq9", "pcl5"])
def test_a_blank_form_holds_every_item_in_the_instrument_s_words(instrument_id: str) -> None:
    instrument = KNOWN[instrument_id]
    pdf = render_blank_form(instrument, practice="Harbour Integration Practice")
    text = _words(pdf)
    assert text.startswith("Harbour Integration Practice")
    assert f"{instrument.title} ({instrument.short_name})" in text
    assert "Name:" in text and "Date:" in text
    assert " ".join(instrument.instructions.split()) in text
    for item in instrument.items:
        assert item.text is not None
        assert " ".join(item.text.split()) in text, item.number
    for label in instrument.answer_labels:
        assert label.split()[0] in text
    # A box to tick under each answer of each item.
    boxes = sum(len(item.labels or instrument.answer_labels) for item in instrument.items)
    assert text.count(BOX) == boxes
    total = sum(item.max_value for item in instrument.scored_items)
    assert f"{OFFICE_USE} Total ______ (of {total})" in text
    assert "Confidential once filled in." in text
    assert "Record" not in text  # it names no client


def test_the_pcl5_asks_for_the_event_and_leaves_room_for_its_clusters() -> None:
    text = _words(render_blank_form(KNOWN["pcl5"]))
    assert "The event your answers are about, in a few words:" in text
    for subscale in KNOWN["pcl5"].subscales:
        assert f"{subscale.label} ______" in text
    assert "The event" not in _words(render_blank_form(KNOWN["phq9"]))


def test_the_phq9_asks_its_tenth_question_with_its_own_answers() -> None:
    text = _words(render_blank_form(KNOWN["phq9"]))
    tenth = KNOWN["phq9"].items_by_number[10]
    assert not tenth.scored
    for label in tenth.labels:
        assert label in text
    assert text.index("Thoughts that you would be better off dead") \
        < text.index("Not difficult at all") < text.index("If you checked off any problems")


@pytest.mark.parametrize(("instrument_id", "pages"), [("phq9", 1), ("pcl5", 2)])
def test_each_page_says_which_of_how_many_it_is(instrument_id: str, pages: int) -> None:
    """A two-page form handed over loose: the client and the office see a page is missing."""
    shown = pages_text(render_blank_form(KNOWN[instrument_id]))
    assert len(shown) == pages
    for number, text in enumerate(shown, start=1):
        assert f"Page {number} of {pages}" in text
        assert "Confidential once filled in." in text
