"""A stored answer as a person reads it: here, a measure given inside a note."""

from __future__ import annotations

from models.templates.definitions import FieldDef, FieldKind
from models.templates.display import display_value, measure_text

DISSOCIATION = FieldDef("dissociation", "Dissociation (CADSS)", FieldKind.MEASURE,
                        instruments=("cadss", "cadss6"))


def test_a_full_cadss_reads_as_its_timing_total_subscale_and_answers() -> None:
    answers = {str(i): (1 if i in (1, 2, 6) else 0) for i in range(1, 24)}
    value = {"instrument": "cadss", "minutes_from_dose": 40, "answers": answers}
    text = display_value(DISSOCIATION, value)
    assert text.startswith("CADSS, 40 min after the dose: Total 3 (of 92)  ·  CADSS-6 3. ")
    assert "Answers by item (item=answer): 1=1, 2=1, 3=0," in text and text.endswith("23=0.")


def test_a_cadss6_before_the_dose_and_an_unfinished_form() -> None:
    six = {"instrument": "cadss6", "minutes_from_dose": -5,
           "answers": {"1": 1, "2": 0, "6": 2, "7": 0, "15": 1, "22": 0}}
    assert measure_text(six).startswith("CADSS-6, 5 min before the dose: Total 4 (of 24).")
    unfinished = {"instrument": "cadss", "answers": {"1": 2, "2": None}}
    assert measure_text(unfinished) == (
        "CADSS: 22 items not answered. Answers by item (item=answer): 1=2, 2=–.")


def test_nothing_answered_is_blank_and_an_unknown_form_says_so() -> None:
    assert display_value(DISSOCIATION, {"instrument": "cadss", "answers": {}}) == ""
    assert display_value(DISSOCIATION, None) == ""
    unknown = measure_text({"instrument": "dss-9", "minutes_from_dose": 0,
                            "answers": {"1": 3}})
    assert unknown == ("dss-9, at the dose: a form this version does not know. "
                       "Answers by item (item=answer): 1=3.")
