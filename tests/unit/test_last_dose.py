"""What a dosing draft recalls of the client's dose before it: the dose, any vital out of
range, the adverse events and the dissociation, as the earlier note filed them."""

from __future__ import annotations

import dataclasses
import datetime as dt

from models.clinical.doses import dose_before
from models.clinical.vitals import dose_of_concern, last_dose_text
from models.dto import VitalDTO
from models.formatting import sentence

from .clinical.test_doses import _course, _dose

DAY = dt.date(2026, 9, 1)


def test_the_dose_before_is_the_one_just_before_over_every_course() -> None:
    first = _course(1, DAY, _dose(11, 1, 1, DAY), _dose(12, 1, 2, DAY + dt.timedelta(7)))
    second = _course(2, DAY + dt.timedelta(60), _dose(21, 2, 1, DAY + dt.timedelta(61)))
    courses = (first, second)
    assert dose_before(courses, 11) is None
    assert dose_before(courses, None) is None
    ref, dose = dose_before(courses, 12) or (None, None)
    assert ref is not None and (ref.label, dose.id if dose else 0) == ("C1 D1", 11)
    ref, dose = dose_before(courses, 21) or (None, None)
    assert ref is not None and (ref.label, dose.id if dose else 0) == ("C1 D2", 12)


def test_the_last_dose_is_said_with_what_the_team_weighs_and_marked_when_it_went_wrong() -> None:
    quiet = _dose(1, 1, 4, DAY)
    said = last_dose_text("D4", quiet, "CADSS 5 · CADSS-6 1")
    assert said.splitlines() == [
        "The last dose, D4 on 1 Sep 2026: Intramuscular, 50 mg (0.71 mg/kg).",
        "No vital out of range.", "No adverse event recorded.",
        "Dissociation: CADSS 5 · CADSS-6 1."]
    assert not dose_of_concern(quiet)
    high = dataclasses.replace(quiet, adverse_events="Nausea mild.", vitals=(
        VitalDTO(minutes_from_dose=40, systolic=186, diastolic=100, heart_rate=80,
                 respiratory_rate=14, spo2=97, moaas=4),))
    said = last_dose_text("D4", high)
    assert "Vitals out of range: Systolic BP at or above 180 mmHg (186 mmHg) at +40 min." in said
    assert "Adverse events: Nausea mild." in said and "Dissociation" not in said
    assert dose_of_concern(high)
    # A dose whose note is not signed has no figures on record yet.
    draft = dataclasses.replace(high, locked=False)
    assert last_dose_text("D4", draft) == (
        "The last dose, D4 on 1 Sep 2026: its note is not signed yet, so its figures are not "
        "on record.")
    assert not dose_of_concern(draft)


def test_the_warnings_the_last_dose_was_signed_past_follow_with_their_reasons() -> None:
    said = last_dose_text("D2", _dose(1, 1, 2, DAY), signed_past=[
        ("SpO2 below 92 %.", "Asleep; rose to 96 % when roused.")])
    assert said.splitlines()[-1] == (
        "Signed past: SpO2 below 92 %; the reason given: \u201cAsleep; rose to 96 % when "
        "roused.\u201d")
    assert sentence("Rose to 96 %") == "Rose to 96 %." and sentence("Why?") == "Why?"
