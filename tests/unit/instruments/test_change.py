"""Change over time: reliable change, response, remission, and which points are compared."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest

from models.instruments.change import (
    ChangeLabel,
    ChangeSummary,
    change_summary,
    reliable_change_threshold_computed,
)
from models.instruments.definitions import Instrument
from models.instruments.scoring import score

from .samples import CADSS6, DAY0, GAD7, PCL5, PHQ9, series


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
    [
        (18, 9, True),  # 9 <= 18 * 0.5
        (18, 10, False),
        (17, 8, True),  # 8 <= 8.5
        (17, 9, False),
        (10, 5, True),  # the lowest baseline judged: 5 <= 10 * 0.5
        (10, 6, False),
        (9, 2, None),  # below 10: not depressed enough at baseline to judge a response
        (0, 0, None),
    ],
)
def test_phq9_response_is_a_50_percent_drop_from_a_baseline_of_10_or_more(
    baseline: int, latest: int, response: bool | None
) -> None:
    assert summary_of(PHQ9, [baseline, latest]).response is response


@pytest.mark.parametrize(
    ("baseline", "latest", "remission"),
    [(15, 4, True), (15, 5, False), (15, 0, True), (10, 4, True), (9, 0, None), (4, 2, None)],
)
def test_phq9_remission_is_below_5_from_a_baseline_of_10_or_more(
    baseline: int, latest: int, remission: bool | None
) -> None:
    assert summary_of(PHQ9, [baseline, latest]).remission is remission


def test_a_phq9_baseline_below_10_says_response_and_remission_are_not_judged() -> None:
    low = summary_of(PHQ9, [8, 2])
    assert low.not_judged == (
        "response and remission are judged only from a baseline of 10 or more",)
    assert low.label is ChangeLabel.RELIABLE_IMPROVEMENT  # 6 points: the change rule applies
    assert summary_of(PHQ9, [12, 2]).not_judged == ()


def test_response_and_remission_undefined_for_gad7() -> None:
    summary = summary_of(GAD7, [15, 3])
    assert (summary.response, summary.remission, summary.clinically_meaningful) == (
        None, None, None,
    )


@pytest.mark.parametrize(
    ("baseline", "latest", "label", "meaningful", "significant"),
    [
        # Reliable change 15 (Marx et al. 2022), minimal important difference 10 (Blanchard
        # et al. 2023), clinically significant: a reliable improvement ending at 28 or below.
        (50, 35, ChangeLabel.RELIABLE_IMPROVEMENT, True, False),  # -15, ends above 28
        (50, 36, ChangeLabel.NO_RELIABLE_CHANGE, True, False),  # -14: meaningful only
        (50, 40, ChangeLabel.NO_RELIABLE_CHANGE, True, False),  # -10
        (50, 41, ChangeLabel.NO_RELIABLE_CHANGE, False, False),  # -9
        (50, 28, ChangeLabel.RELIABLE_IMPROVEMENT, True, True),  # -22, ends at 28
        (50, 29, ChangeLabel.RELIABLE_IMPROVEMENT, True, False),  # -21, ends at 29
        (40, 26, ChangeLabel.NO_RELIABLE_CHANGE, True, False),  # ends low, not reliable
        (50, 65, ChangeLabel.RELIABLE_DETERIORATION, True, False),  # +15
        (26, 10, ChangeLabel.RELIABLE_IMPROVEMENT, True, None),  # started at 28 or below
    ],
)
def test_pcl5_reliable_meaningful_and_clinically_significant_change(
    baseline: int, latest: int, label: ChangeLabel, meaningful: bool,
    significant: bool | None,
) -> None:
    summary = summary_of(PCL5, [baseline, latest])
    assert (summary.label, summary.clinically_meaningful, summary.clinically_significant) == (
        label, meaningful, significant)
    assert summary.reliable_change == 15


def test_pcl5_rules_cite_the_studies_that_set_them() -> None:
    assert PCL5.reliable_change is not None and PCL5.reliable_change.source is not None
    assert PCL5.reliable_change.source.citation.startswith(
        "Marx et al. 2022, Psychological Assessment 34:197")
    assert PCL5.clinically_meaningful is not None and PCL5.clinically_meaningful.source
    assert PCL5.clinically_meaningful.source.citation.startswith(
        "Blanchard et al. 2023, J Trauma Stress 36:1102")
    assert PCL5.cutoffs[0].source is not None
    assert "National Center for PTSD" in PCL5.cutoffs[0].source.citation
    assert PCL5.index_event


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
# Computed reliable change (Jacobson & Truax)
# --------------------------------------------------------------------------------------


def test_jacobson_truax_threshold() -> None:
    # 1.96 * sqrt(2) * 5 * sqrt(1 - 0.84) = 1.96 * 1.41421 * 5 * 0.4
    assert reliable_change_threshold_computed(5, 0.84) == pytest.approx(5.5437, abs=1e-4)
    assert reliable_change_threshold_computed(1, 0) == pytest.approx(1.96 * math.sqrt(2))


@pytest.mark.parametrize(("sd", "r"), [(0, 0.8), (-1, 0.8), (5, 1.0), (5, -0.1), (math.nan, 0.5)])
def test_jacobson_truax_rejects_impossible_inputs(sd: float, r: float) -> None:
    with pytest.raises(ValueError):
        reliable_change_threshold_computed(sd, r)
