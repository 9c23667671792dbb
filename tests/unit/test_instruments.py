"""Scoring, bands, flags and change rules of the bundled and custom instruments."""

from __future__ import annotations

import math
import tomllib
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.instruments.change import (
    ChangeLabel,
    ChangeSummary,
    change_summary,
    reliable_change_threshold_computed,
)
from models.instruments.definitions import (
    Charting,
    Direction,
    Instrument,
    InstrumentDefinitionError,
)
from models.instruments.loading import (
    custom_instrument,
    get_instrument,
    load_instrument_dir,
    load_instrument_file,
    load_instruments,
    parse_instrument,
)
from models.instruments.scoring import FlagKind, Score, score

INSTRUMENTS = load_instruments()
GAD7 = INSTRUMENTS["gad7"]
PHQ9 = INSTRUMENTS["phq9"]
PCL5 = INSTRUMENTS["pcl5"]
CADSS = INSTRUMENTS["cadss"]
CADSS6 = INSTRUMENTS["cadss6"]
DAY0 = date(2025, 1, 6)


def with_total(instrument: Instrument, total: int, **fixed: int | None) -> dict[int, int | None]:
    """Answers adding up to `total`, filling items in order; `item9=2` style overrides first."""
    answers: dict[int, int | None] = {int(k.removeprefix("item")): v for k, v in fixed.items()}
    remaining = total - sum(v for v in answers.values() if v is not None)
    for item in instrument.scored_items:
        if item.number in answers:
            continue
        value = min(item.max_value, max(item.min_value, remaining))
        answers[item.number] = value
        remaining -= value
    assert remaining == 0, "total not reachable with these overrides"
    return answers


def series(instrument: Instrument, totals: list[int | None]) -> list[tuple[date, Score]]:
    """Weekly scores; None makes an administration with item 1 missing."""
    points = []
    for week, total in enumerate(totals):
        if total is None:
            answers = with_total(instrument, 0)
            answers[1] = None
        else:
            answers = with_total(instrument, total)
        points.append((DAY0 + timedelta(weeks=week), score(instrument, answers)))
    return points


# --------------------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------------------


def test_bundled_instruments_load_with_their_shape() -> None:
    shape = {
        key: (len(i.items), len(i.scored_items), i.total_min, i.total_max)
        for key, i in INSTRUMENTS.items()
    }
    assert shape == {
        "gad7": (7, 7, 0, 21),
        "phq9": (10, 9, 0, 27),
        "pcl5": (20, 20, 0, 80),
        "cadss": (23, 23, 0, 92),
        "cadss6": (6, 6, 0, 24),
    }
    assert all(i.direction is Direction.LOWER_IS_BETTER for i in INSTRUMENTS.values())
    assert CADSS.charting is Charting.PER_DOSE and CADSS6.charting is Charting.PER_DOSE
    assert GAD7.charting is Charting.TREND


def test_definitions_are_reachable_as_package_resources() -> None:
    folder = resources.files("resources") / "instruments"
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".toml"))
    assert names == ["cadss.toml", "cadss6.toml", "gad7.toml", "pcl5.toml", "phq9.toml"]


def test_load_instruments_is_cached() -> None:
    assert load_instruments()["phq9"] is PHQ9
    assert get_instrument("gad7") is GAD7
    with pytest.raises(KeyError, match="no bundled instrument 'bdi'"):
        get_instrument("bdi")


def test_item_wording_is_exact() -> None:
    assert GAD7.items[0].text == "Feeling nervous, anxious, or on edge"
    assert PHQ9.items_by_number[6].text == (
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down"
    )
    assert PHQ9.items_by_number[8].text is not None
    assert PHQ9.items_by_number[8].text.startswith(
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
    )
    assert PCL5.items_by_number[17].text == 'Being "superalert" or watchful or on guard?'
    assert PCL5.instructions == "In the past month, how much were you bothered by:"
    assert GAD7.answer_labels == (
        "Not at all", "Several days", "More than half the days", "Nearly every day",
    )
    assert PCL5.items[0].label_for(4) == "Extremely"


def test_cadss_carries_no_copyrighted_wording() -> None:
    for instrument in (CADSS, CADSS6):
        assert all(item.text is None for item in instrument.items)
        assert instrument.answer_labels == ()
        assert not instrument.item_text_included
        assert instrument.notice and "copyrighted" in instrument.notice
    assert CADSS.items[4].display_text == "Item 5"
    assert [item.number for item in CADSS6.items] == [1, 2, 6, 7, 15, 22]
    assert CADSS.subscale("cadss6").items == (1, 2, 6, 7, 15, 22)


def test_phq9_difficulty_question_is_unscored_with_its_own_labels() -> None:
    difficulty = PHQ9.items_by_number[10]
    assert not difficulty.scored
    assert difficulty.labels == (
        "Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult",
    )


def test_footnotes_name_each_rule_and_its_source() -> None:
    notes = "\n".join(PHQ9.footnotes())
    for expected in (
        "Severity bands: minimal 0–4, mild 5–9, moderate 10–14, moderately severe 15–19, "
        "severe 20–27 (Kroenke et al. 2001)",
        "Safety flag: item 9 at 1 or above",
        "Reliable change: a change of 6 or more points from baseline (IAPT Data Handbook 2011)",
        "Response: total 50% or more below baseline (Kroenke & Spitzer 2002)",
        "Remission: total below 5 (Kroenke & Spitzer 2002)",
    ):
        assert expected in notes
    assert "Spitzer et al. 2006" in "\n".join(GAD7.footnotes())
    pcl = "\n".join(PCL5.footnotes())
    assert "total 33 or above (Weathers et al. 2013; Blevins et al. 2015)" in pcl
    assert "Clinically meaningful change: a change of 10 or more points" in pcl
    assert "Bremner et al. 1998" in "\n".join(CADSS.footnotes())
    assert "Rodrigues et al. 2021" in "\n".join(CADSS6.footnotes())


# --------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Change
# --------------------------------------------------------------------------------------


def summary_of(instrument: Instrument, totals: list[int | None], **kwargs: Any) -> ChangeSummary:
    return change_summary(instrument, series(instrument, totals), **kwargs)


@pytest.mark.parametrize(
    ("totals", "label"),
    [
        ([18, 12], ChangeLabel.RELIABLE_IMPROVEMENT),
        ([18, 13], ChangeLabel.NO_RELIABLE_CHANGE),
        ([18, 23], ChangeLabel.NO_RELIABLE_CHANGE),
        ([18, 24], ChangeLabel.RELIABLE_DETERIORATION),
        ([18, 30 - 3], ChangeLabel.RELIABLE_DETERIORATION),
    ],
)
def test_phq9_change_label_uses_the_reliable_change_of_6(
    totals: list[int | None], label: ChangeLabel
) -> None:
    summary = summary_of(PHQ9, totals)
    assert summary.label is label
    assert summary.reliable_change == 6


def test_band_move_alone_is_not_reliable_change() -> None:
    # GAD-7 10 (moderate) -> 9 (mild): a new band but under the 4-point rule.
    summary = summary_of(GAD7, [10, 9])
    assert summary.label is ChangeLabel.NO_RELIABLE_CHANGE
    assert summary_of(GAD7, [10, 6]).label is ChangeLabel.RELIABLE_IMPROVEMENT
    # Within one band (severe 15-21) a 5-point rise is still reliable deterioration.
    assert summary_of(GAD7, [15, 20]).label is ChangeLabel.RELIABLE_DETERIORATION


def test_change_summary_reports_baseline_latest_and_change() -> None:
    summary = summary_of(PHQ9, [20, 15, 11, 8])
    assert summary.baseline is not None and summary.latest is not None
    assert (summary.baseline.when, summary.baseline.total) == (DAY0, 20)
    assert (summary.latest.when, summary.latest.total) == (DAY0 + timedelta(weeks=3), 8)
    assert (summary.change, summary.improvement) == (-12, 12)
    assert (summary.complete_points, summary.incomplete_points) == (4, 0)


@pytest.mark.parametrize(
    ("baseline", "latest", "response"),
    [(18, 9, True), (18, 10, False), (17, 8, True), (17, 9, False), (0, 0, None)],
)
def test_phq9_response_is_a_50_percent_drop(baseline: int, latest: int, response: bool | None
                                             ) -> None:
    assert summary_of(PHQ9, [baseline, latest]).response is response


@pytest.mark.parametrize(("latest", "remission"), [(4, True), (5, False), (0, True)])
def test_phq9_remission_is_below_5(latest: int, remission: bool) -> None:
    assert summary_of(PHQ9, [15, latest]).remission is remission


def test_response_and_remission_undefined_for_gad7() -> None:
    summary = summary_of(GAD7, [15, 3])
    assert (summary.response, summary.remission, summary.clinically_meaningful) == (
        None, None, None,
    )


@pytest.mark.parametrize(
    ("latest", "label", "meaningful"),
    [
        (45, ChangeLabel.RELIABLE_IMPROVEMENT, False),
        (46, ChangeLabel.NO_RELIABLE_CHANGE, False),
        (40, ChangeLabel.RELIABLE_IMPROVEMENT, True),
        (41, ChangeLabel.RELIABLE_IMPROVEMENT, False),
        (60, ChangeLabel.RELIABLE_DETERIORATION, True),
    ],
)
def test_pcl5_reliable_and_clinically_meaningful_change(
    latest: int, label: ChangeLabel, meaningful: bool
) -> None:
    summary = summary_of(PCL5, [50, latest])
    assert (summary.label, summary.clinically_meaningful) == (label, meaningful)


def test_fewer_than_two_complete_points_is_not_enough_data() -> None:
    assert change_summary(PHQ9, []).label is ChangeLabel.NOT_ENOUGH_DATA
    one = summary_of(PHQ9, [14])
    assert one.label is ChangeLabel.NOT_ENOUGH_DATA
    assert one.baseline is not None and one.baseline.total == 14
    assert (one.latest, one.change, one.response, one.remission) == (None, None, None, None)
    with_gap = summary_of(PHQ9, [14, None])
    assert with_gap.label is ChangeLabel.NOT_ENOUGH_DATA
    assert with_gap.incomplete_points == 1


def test_incomplete_points_are_skipped() -> None:
    summary = summary_of(PHQ9, [None, 20, None, 12, None])
    assert summary.baseline is not None and summary.baseline.total == 20
    assert summary.latest is not None and summary.latest.total == 12
    assert summary.label is ChangeLabel.RELIABLE_IMPROVEMENT
    assert (summary.complete_points, summary.incomplete_points) == (2, 3)


def test_explicit_baseline_index() -> None:
    summary = summary_of(PHQ9, [10, 20, 13], baseline_index=1)
    assert summary.baseline is not None and summary.baseline.total == 20
    assert summary.label is ChangeLabel.RELIABLE_IMPROVEMENT
    assert summary_of(PHQ9, [20, 10], baseline_index=-1).label is ChangeLabel.NOT_ENOUGH_DATA
    incomplete_base = summary_of(PHQ9, [None, 20, 10], baseline_index=0)
    assert incomplete_base.label is ChangeLabel.NOT_ENOUGH_DATA
    assert incomplete_base.baseline is None
    with pytest.raises(ValueError, match="baseline_index 5"):
        summary_of(PHQ9, [10, 20], baseline_index=5)


def test_points_are_ordered_by_date_not_by_position() -> None:
    points = series(PHQ9, [20, 10])
    summary = change_summary(PHQ9, list(reversed(points)))
    assert summary.baseline is not None and summary.baseline.total == 20
    assert summary.latest is not None and summary.latest.total == 10


def test_scores_of_another_instrument_are_rejected() -> None:
    with pytest.raises(ValueError, match="a gad7 score"):
        change_summary(PHQ9, series(GAD7, [5, 6]))


def test_cadss_has_no_change_rule() -> None:
    points = [(DAY0, score(CADSS6, {n: 2 for n in (1, 2, 6, 7, 15, 22)})),
              (DAY0 + timedelta(days=7), score(CADSS6, {n: 0 for n in (1, 2, 6, 7, 15, 22)}))]
    assert change_summary(CADSS6, points).label is ChangeLabel.NO_RULE


# --------------------------------------------------------------------------------------
# Computed reliable change and custom measures
# --------------------------------------------------------------------------------------


def test_jacobson_truax_threshold() -> None:
    # 1.96 * sqrt(2) * 5 * sqrt(1 - 0.84) = 1.96 * 1.41421 * 5 * 0.4
    assert reliable_change_threshold_computed(5, 0.84) == pytest.approx(5.5437, abs=1e-4)
    assert reliable_change_threshold_computed(1, 0) == pytest.approx(1.96 * math.sqrt(2))


@pytest.mark.parametrize(("sd", "r"), [(0, 0.8), (-1, 0.8), (5, 1.0), (5, -0.1), (math.nan, 0.5)])
def test_jacobson_truax_rejects_impossible_inputs(sd: float, r: float) -> None:
    with pytest.raises(ValueError):
        reliable_change_threshold_computed(sd, r)


def test_custom_measure_with_computed_reliable_change() -> None:
    measure = custom_instrument("sleep", "Sleep quality", 0, 10, higher_is_better=True,
                                baseline_sd=2.0, reliability=0.75, source="Clinic audit 2024")
    rc = measure.reliable_change
    assert rc is not None and rc.computed
    assert rc.points == pytest.approx(1.96 * math.sqrt(2) * 2.0 * 0.5)
    assert rc.inputs == (("baseline SD", 2.0), ("test-retest r", 0.75))
    assert measure.bands is None and measure.custom
    (note,) = [n for n in measure.footnotes() if n.startswith("Reliable change")]
    assert "computed" in note and "baseline SD 2" in note and "test-retest r 0.75" in note
    assert "(Clinic audit 2024)" in note


def test_custom_measure_direction_sets_the_change_label() -> None:
    mood = custom_instrument("mood", "Mood", 0, 10, higher_is_better=True, reliable_change=2)
    assert mood.direction is Direction.HIGHER_IS_BETTER
    points = [(DAY0, score(mood, {1: 3})), (DAY0 + timedelta(days=7), score(mood, {1: 6}))]
    assert change_summary(mood, points).label is ChangeLabel.RELIABLE_IMPROVEMENT
    points.reverse()
    swapped = [(DAY0, points[0][1]), (DAY0 + timedelta(days=7), points[1][1])]
    assert change_summary(mood, swapped).label is ChangeLabel.RELIABLE_DETERIORATION
    assert score(mood, {1: 7}).band is None


def test_custom_measure_without_reliable_change_has_no_rule() -> None:
    pain = custom_instrument("pain", "Pain", 0, 10, higher_is_better=False)
    points = [(DAY0, score(pain, {1: 9})), (DAY0 + timedelta(days=7), score(pain, {1: 1}))]
    assert change_summary(pain, points).label is ChangeLabel.NO_RULE
    with pytest.raises(ValueError, match=r"0\.\.10"):
        score(pain, {1: 11})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id": "phq9"}, "bundled instrument"),
        ({"min_value": 5, "max_value": 5}, "min < max"),
        ({"reliable_change": 2, "baseline_sd": 1.0, "reliability": 0.8}, "not both"),
        ({"baseline_sd": 1.0}, "both baseline_sd and reliability"),
        ({"anchors": ("low", "high")}, "2 anchors"),
    ],
)
def test_custom_measure_rejects_bad_definitions(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {
        "id": "x", "name": "X", "min_value": 0, "max_value": 10, "higher_is_better": False,
    }
    with pytest.raises(ValueError, match=message):
        custom_instrument(**(arguments | kwargs))


# --------------------------------------------------------------------------------------
# Malformed definitions and proration
# --------------------------------------------------------------------------------------

MINIMAL = """
schema_version = 1
id = "demo"
version = 1
title = "Demo"
short_name = "DEMO"
timeframe = "Past week"
instructions = "Rate each item."
direction = "lower_is_better"
items = [{ number = 1 }, { number = 2 }, { number = 3 }, { number = 4 }, { number = 5 }]

[sources]
demo2020 = "Demo et al. 2020"

[answers]
min = 0
max = 4

[scoring]
method = "sum"
"""


def demo(extra: str = "") -> Instrument:
    return parse_instrument(tomllib.loads(MINIMAL + extra), "demo.toml")


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


def test_computed_rule_in_a_definition_file() -> None:
    instrument = demo(
        '[change.reliable_change]\nmethod = "computed"\nsd = 4.0\nreliability = 0.9\n'
        'source = "demo2020"\n'
    )
    rc = instrument.reliable_change
    assert rc is not None and rc.computed
    assert rc.points == pytest.approx(reliable_change_threshold_computed(4.0, 0.9))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[bands]\nvalidated = true\nlevels = [{ key = "a", label = "A", min = 0, max = 9 },'
         '{ key = "b", label = "B", min = 11, max = 20 }]\n', "band 'b' starts at 11, expected 10"),
        ('[bands]\nvalidated = true\nlevels = [{ key = "a", label = "A", min = 0, max = 15 }]\n',
         "bands end at 15 but the total runs to 20"),
        ('[change.reliable_change]\npoints = 4\nsource = "nobody1999"\n',
         "unknown source 'nobody1999'"),
        ('[change.reliable_change]\nmethod = "computed"\nsd = 4.0\nreliability = 1.2\n',
         "reliability r must be in"),
        ('[[safety_items]]\nitem = 9\nat_least = 1\nlabel = "x"\n', "item 9, which does not exist"),
        ('[[subscales]]\nkey = "A"\nlabel = "A"\nitems = [1, 6]\n', "not scored items"),
        ('[scoring.missing]\nrule = "guess"\n', "'incomplete' or 'prorate'"),
        ('[change.response]\npercent_reduction = 150\n', "percent_reduction"),
        ('[[cutoffs]]\nkey = "c"\nlabel = "C"\nat_least = 99\n', "outside the total range"),
        ("[extra_table]\nx = 1\n", "unknown field(s) extra_table at top level"),
    ],
)
def test_malformed_definition_names_file_and_fault(extra: str, message: str) -> None:
    with pytest.raises(InstrumentDefinitionError, match=r"demo\.toml") as error:
        demo(extra)
    assert message in str(error.value)


def test_missing_field_and_wrong_type(tmp_path: Path) -> None:
    no_title = MINIMAL.replace('title = "Demo"\n', "")
    with pytest.raises(InstrumentDefinitionError, match="missing required field 'title'"):
        parse_instrument(tomllib.loads(no_title), "demo.toml")
    wrong_max = MINIMAL.replace("max = 4", 'max = "4"')
    with pytest.raises(InstrumentDefinitionError, match=r"'answers.max' must be int, got str"):
        parse_instrument(tomllib.loads(wrong_max), "demo.toml")
    labels = MINIMAL.replace("max = 4", 'max = 4\nlabels = ["a", "b"]')
    with pytest.raises(InstrumentDefinitionError, match=r"2 labels but answers run 0\.\.4"):
        parse_instrument(tomllib.loads(labels), "demo.toml")


def test_key_under_the_wrong_table_gets_a_hint() -> None:
    moved = MINIMAL.replace("[answers]\n", "[answers]\nitems = []\n")
    moved = moved.replace("items = [{ number = 1 }", "# items = [{ number = 1 }", 1)
    with pytest.raises(InstrumentDefinitionError, match="belongs to that table"):
        parse_instrument(tomllib.loads(moved), "demo.toml")


def test_broken_file_on_disk_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("id = [unclosed", encoding="utf-8")
    with pytest.raises(InstrumentDefinitionError, match=r"broken\.toml: not valid TOML"):
        load_instrument_file(broken)
    (tmp_path / "other.toml").write_text(MINIMAL, encoding="utf-8")
    with pytest.raises(InstrumentDefinitionError, match="does not match the file name"):
        load_instrument_file(tmp_path / "other.toml")
    with pytest.raises(InstrumentDefinitionError, match=r"broken\.toml"):
        load_instrument_dir(tmp_path)


def test_a_good_directory_loads(tmp_path: Path) -> None:
    (tmp_path / "demo.toml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not an instrument", encoding="utf-8")
    loaded = load_instrument_dir(tmp_path)
    assert list(loaded) == ["demo"]
    assert loaded["demo"].total_max == 20
