"""Scoring: totals, bands, subscales, proration, safety flags, cut-offs and symptom rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.instruments.definitions import Instrument
from models.instruments.scoring import FlagKind, score

from .samples import CADSS, CADSS6, GAD7, INSTRUMENTS, PCL5, PHQ9, demo, with_total


@pytest.mark.parametrize(
    ("instrument", "maximum", "top_band"),
    [(GAD7, 21, "severe"), (PHQ9, 27, "severe"), (PCL5, 80, None), (CADSS, 92, None),
     (CADSS6, 24, None)],
)
def test_all_zero_and_all_max(instrument: Instrument, maximum: int, top_band: str | None) -> None:
    zero = score(instrument, {item.number: item.min_value for item in instrument.items})
    full = score(instrument, {item.number: item.max_value for item in instrument.items})
    assert (zero.total, zero.complete, zero.missing_items) == (0, True, ())
    assert (full.total, full.complete) == (maximum, True)
    assert (full.band.key if full.band else None) == top_band


def test_gad7_one_item_missing_is_incomplete_with_no_total_or_band() -> None:
    answers = {n: 2 for n in range(1, 8)} | {3: None}
    result = score(GAD7, answers)
    assert result.total is None
    assert not result.complete and not result.prorated
    assert result.missing_items == (3,)
    assert result.answered_items == (1, 2, 4, 5, 6, 7)
    assert result.band is None


def test_omitted_item_counts_as_missing_like_none() -> None:
    assert score(GAD7, {n: 1 for n in range(1, 7)}).missing_items == (7,)


@pytest.mark.parametrize(
    ("instrument", "total", "band"),
    [
        (GAD7, 4, "minimal"), (GAD7, 5, "mild"), (GAD7, 9, "mild"), (GAD7, 10, "moderate"),
        (GAD7, 14, "moderate"), (GAD7, 15, "severe"),
        (PHQ9, 0, "minimal"), (PHQ9, 4, "minimal"), (PHQ9, 5, "mild"), (PHQ9, 9, "mild"),
        (PHQ9, 10, "moderate"), (PHQ9, 14, "moderate"), (PHQ9, 15, "moderately_severe"),
        (PHQ9, 19, "moderately_severe"), (PHQ9, 20, "severe"), (PHQ9, 27, "severe"),
    ],
)
def test_band_boundaries(instrument: Instrument, total: int, band: str) -> None:
    result = score(instrument, with_total(instrument, total))
    assert result.total == total
    assert result.band is not None
    assert (result.band.key, result.band.validated) == (band, True)


def test_phq9_hand_worked_example_ignores_the_difficulty_item() -> None:
    # 1+2+0+3+1+0+2+1+0 = 10, difficulty "very difficult" (2) is not added.
    answers = {1: 1, 2: 2, 3: 0, 4: 3, 5: 1, 6: 0, 7: 2, 8: 1, 9: 0, 10: 2}
    result = score(PHQ9, answers)
    assert result.total == 10
    assert result.band is not None and result.band.label == "Moderate"
    assert result.flags == ()
    assert 10 in result.answered_items


def test_phq9_missing_difficulty_item_still_complete() -> None:
    result = score(PHQ9, {n: 1 for n in range(1, 10)})
    assert (result.total, result.complete, result.missing_items) == (9, True, ())


def test_phq9_item9_raises_safety_flag_whatever_the_total() -> None:
    result = score(PHQ9, with_total(PHQ9, 1, item9=1))
    assert result.total == 1
    assert result.band is not None and result.band.key == "minimal"
    assert result.has_safety_flag
    (flag,) = result.safety_flags
    assert (flag.kind, flag.item, flag.value) == (FlagKind.SAFETY, 9, 1)
    assert flag.describe() == "Thoughts of death or self-harm (item 9 = 1)"
    assert not score(PHQ9, with_total(PHQ9, 20, item9=0)).has_safety_flag


def test_phq9_item9_flag_survives_an_incomplete_form() -> None:
    answers = with_total(PHQ9, 6, item9=3)
    answers[2] = None
    result = score(PHQ9, answers)
    assert result.total is None
    assert [(f.item, f.value) for f in result.safety_flags] == [(9, 3)]


def test_pcl5_clusters_are_summed_separately() -> None:
    answers = {n: 0 for n in range(1, 21)}
    answers |= {1: 4, 3: 2, 6: 1, 7: 3, 9: 2, 14: 1, 17: 4, 20: 3}
    result = score(PCL5, answers)
    assert result.total == 20
    assert result.subscale_totals == {"B": 6, "C": 4, "D": 3, "E": 7}
    assert result.band is None


def test_pcl5_cluster_with_missing_item_has_no_subtotal() -> None:
    answers: dict[int, int | None] = {n: 1 for n in range(1, 21)}
    answers[6] = None
    result = score(PCL5, answers)
    assert result.subscale_total("C") is None
    assert result.subscale_total("B") == 5


def test_pcl5_dsm5_rule_met_below_the_cutoff() -> None:
    # One B, one C, two D, two E at "moderately" (2): 12 points, the rule is met.
    answers = {n: 0 for n in range(1, 21)} | {1: 2, 6: 2, 8: 2, 11: 2, 15: 2, 19: 2}
    result = score(PCL5, answers)
    assert result.total == 12
    assert result.has_flag("provisional_ptsd_dsm5")
    assert not result.has_flag("provisional_ptsd")


def test_pcl5_dsm5_rule_needs_two_d_and_two_e() -> None:
    answers = {n: 0 for n in range(1, 21)} | {1: 4, 6: 4, 8: 4, 15: 4, 19: 4}
    result = score(PCL5, answers)
    assert not result.has_flag("provisional_ptsd_dsm5")
    answers = {n: 1 for n in range(1, 21)} | {1: 2, 6: 2, 8: 2, 11: 2, 15: 2}
    assert not score(PCL5, answers).has_flag("provisional_ptsd_dsm5")


def test_pcl5_cutoff_met_without_the_symptom_rule() -> None:
    # Every item at 2 except avoidance (C) at 0: 36 points, no C symptom.
    answers = {n: 2 for n in range(1, 21)} | {6: 0, 7: 0}
    result = score(PCL5, answers)
    assert result.total == 36
    assert result.has_flag("provisional_ptsd")
    assert not result.has_flag("provisional_ptsd_dsm5")
    kinds = {flag.key: flag.kind for flag in result.flags}
    assert kinds == {"provisional_ptsd": FlagKind.CUTOFF}


@pytest.mark.parametrize(("total", "flagged"), [(32, False), (33, True)])
def test_pcl5_cutoff_boundary(total: int, flagged: bool) -> None:
    assert score(PCL5, with_total(PCL5, total)).has_flag("provisional_ptsd") is flagged


def test_pcl5_cutoff_on_incomplete_form_only_when_certain() -> None:
    answers = with_total(PCL5, 40)
    answers[20] = None  # 40 filled items 1..10, item 20 was 0
    assert score(PCL5, answers).has_flag("provisional_ptsd")
    answers = with_total(PCL5, 30)
    answers[20] = None
    assert not score(PCL5, answers).has_flag("provisional_ptsd")


def test_cadss_total_and_cadss6_subtotal() -> None:
    answers = {n: n % 5 for n in range(1, 24)}
    result = score(CADSS, answers)
    # items 1..20 give four runs of 1+2+3+4+0 = 40; items 21..23 give 1+2+3 = 6
    assert result.total == 46
    # items 1, 2, 6, 7, 15, 22 -> 1 + 2 + 1 + 2 + 0 + 2
    assert result.subscale_total("cadss6") == 8
    six = score(CADSS6, {n: answers[n] for n in (1, 2, 6, 7, 15, 22)})
    assert six.total == 8


def test_cadss_missing_non_cadss6_item_keeps_the_subtotal() -> None:
    answers: dict[int, int | None] = {n: 1 for n in range(1, 24)}
    answers[5] = None
    result = score(CADSS, answers)
    assert result.total is None
    assert result.subscale_total("cadss6") == 6


def test_out_of_range_answer_names_item_and_range_but_not_the_answer() -> None:
    with pytest.raises(ValueError, match=r"PHQ-9 item 3: the answer is outside the allowed "
                                         r"range 0\.\.3") as info:
        score(PHQ9, {3: 4})
    assert "4" not in str(info.value).replace("PHQ-9", "")  # the answer is client data
    with pytest.raises(ValueError, match=r"PCL-5 item 1: the answer is outside the allowed "
                                         r"range 0\.\.4"):
        score(PCL5, {1: -1})


def test_non_integer_answers_are_rejected() -> None:
    with pytest.raises(ValueError, match="whole number"):
        score(GAD7, {1: True})
    with pytest.raises(ValueError, match="whole number"):
        score(GAD7, {1: 1.5})
    with pytest.raises(ValueError, match="whole number"):
        score(GAD7, {1: "2"})  # type: ignore[dict-item]


def test_whole_number_floats_from_storage_are_accepted() -> None:
    result = score(PHQ9, {n: 2.0 for n in range(1, 10)} | {9: 1.0})
    assert result.total == 17 and isinstance(result.total, int)
    assert [(f.item, f.value) for f in result.safety_flags] == [(9, 1)]


def test_unknown_item_is_rejected() -> None:
    with pytest.raises(ValueError, match="PHQ-9 has no item 11"):
        score(PHQ9, {11: 0})
    with pytest.raises(ValueError, match="CADSS-6 has no item 3"):
        score(CADSS6, {3: 0})


@settings(deadline=None, max_examples=150)
@given(data=st.data())
def test_any_out_of_range_answer_is_rejected(data: st.DataObject) -> None:
    instrument = data.draw(st.sampled_from(list(INSTRUMENTS.values())), label="instrument")
    item = data.draw(st.sampled_from(instrument.items), label="item")
    bad = data.draw(
        st.one_of(st.integers(max_value=item.min_value - 1),
                  st.integers(min_value=item.max_value + 1)),
        label="answer",
    )
    answers = {other.number: other.min_value for other in instrument.items} | {item.number: bad}
    with pytest.raises(ValueError) as error:
        score(instrument, answers)
    message = str(error.value)
    assert f"item {item.number}:" in message
    assert f"{item.min_value}..{item.max_value}" in message


@settings(deadline=None, max_examples=150)
@given(data=st.data())
def test_in_range_answers_sum_to_a_total_in_its_band(data: st.DataObject) -> None:
    instrument = data.draw(st.sampled_from(list(INSTRUMENTS.values())), label="instrument")
    answers = {
        item.number: data.draw(st.integers(item.min_value, item.max_value), label=str(item.number))
        for item in instrument.items
    }
    result = score(instrument, answers)
    expected = sum(answers[item.number] for item in instrument.scored_items)
    assert result.total == expected
    assert instrument.total_min <= expected <= instrument.total_max
    if instrument.bands is not None:
        assert result.band is not None
        band = next(b for b in instrument.bands.levels if b.key == result.band.key)
        assert band.min_total <= expected <= band.max_total


def test_prorate_rule_scales_the_answered_items() -> None:
    instrument = demo('[scoring.missing]\nrule = "prorate"\nmax_missing = 1\n')
    result = score(instrument, {1: 4, 2: 3, 3: 4, 4: 4, 5: None})
    # 15 from 4 items, scaled to 5 items: 18.75 -> 19
    assert (result.total, result.prorated, result.complete) == (19, True, False)
    two_missing = score(instrument, {1: 4, 2: 3, 3: 4})
    assert (two_missing.total, two_missing.prorated) == (None, False)
    assert "prorated when at most 1 item(s) are missing" in "\n".join(instrument.footnotes())


def test_unvalidated_bands_are_marked() -> None:
    instrument = demo(
        '[bands]\nvalidated = false\nsource = "demo2020"\nlevels = [\n'
        '{ key = "low", label = "Low", min = 0, max = 9 },\n'
        '{ key = "high", label = "High", min = 10, max = 20 },\n]\n'
    )
    result = score(instrument, {n: 3 for n in range(1, 6)})
    assert result.band is not None
    assert (result.band.key, result.band.validated) == ("high", False)
    assert "(not validated)" in "\n".join(instrument.footnotes())
