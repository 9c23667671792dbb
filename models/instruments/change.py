"""Change over time on a measure: baseline against latest, reliable change, response, remission."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from models.instruments.definitions import ChangeThreshold, Instrument, Source
from models.instruments.scoring import Score


class ChangeLabel(StrEnum):
    RELIABLE_IMPROVEMENT = "reliable improvement"
    NO_RELIABLE_CHANGE = "no reliable change"
    RELIABLE_DETERIORATION = "reliable deterioration"
    NO_RULE = "no reliable change rule"
    NOT_ENOUGH_DATA = "not enough data"


@dataclass(frozen=True)
class DatedTotal:
    when: date
    total: int


@dataclass(frozen=True)
class ChangeSummary:
    """Baseline against latest. `change` is latest minus baseline; `improvement` is signed
    so that positive is better whatever the instrument's direction. `clinically_meaningful`
    is true when the change, either way, reaches the instrument's threshold."""

    instrument_id: str
    baseline: DatedTotal | None
    latest: DatedTotal | None
    change: int | None
    improvement: int | None
    label: ChangeLabel
    reliable_change: float | None
    response: bool | None
    remission: bool | None
    clinically_meaningful: bool | None
    complete_points: int
    incomplete_points: int
    clinically_significant: bool | None = None
    # Rules the instrument defines but that do not apply to this baseline, in words:
    # "response and remission are judged only from a baseline of 10 or more".
    not_judged: tuple[str, ...] = ()


_EPSILON = 1e-9


def reliable_change_threshold_computed(sd: float, r: float) -> float:
    """Jacobson & Truax reliable change: 1.96 * sqrt(2) * SD * sqrt(1 - r)."""
    if not math.isfinite(sd) or sd <= 0:
        raise ValueError(f"baseline SD must be a positive number, got {sd!r}")
    if not math.isfinite(r) or not 0 <= r < 1:
        raise ValueError(f"test-retest reliability r must be in [0, 1), got {r!r}")
    return 1.96 * math.sqrt(2) * sd * math.sqrt(1 - r)


def computed_threshold(
    sd: float, reliability: float, source: Source | None = None
) -> ChangeThreshold:
    """A Jacobson & Truax threshold from the baseline SD and test-retest reliability."""
    return ChangeThreshold(
        points=reliable_change_threshold_computed(sd, reliability),
        source=source,
        computed=True,
        inputs=(("baseline SD", sd), ("test-retest r", reliability)),
    )


def improvement_between(instrument: Instrument, baseline: float, total: float) -> float:
    """Signed change from baseline where positive means better."""
    return baseline - total if instrument.lower_is_better else total - baseline


def classify_change(instrument: Instrument, baseline: float, total: float) -> ChangeLabel:
    """Label a change by the reliable-change rule and direction, never by band moves."""
    rule = instrument.reliable_change
    if rule is None:
        return ChangeLabel.NO_RULE
    improvement = improvement_between(instrument, baseline, total)
    if improvement >= rule.points - _EPSILON:
        return ChangeLabel.RELIABLE_IMPROVEMENT
    if -improvement >= rule.points - _EPSILON:
        return ChangeLabel.RELIABLE_DETERIORATION
    return ChangeLabel.NO_RELIABLE_CHANGE


def response_threshold(instrument: Instrument, baseline: float) -> float | None:
    """The total at or below which the response rule is met, or None if not defined (or
    not judged from this baseline)."""
    rule = instrument.response
    if rule is None or baseline <= 0:
        return None
    if rule.min_baseline is not None and baseline < rule.min_baseline:
        return None
    return baseline * (1 - rule.percent_reduction / 100)


def not_judged(instrument: Instrument, baseline: float) -> tuple[str, ...]:
    """The rules this baseline is too low to judge, as a sentence each."""
    names = []
    lowest = None
    for name, rule in (("response", instrument.response), ("remission", instrument.remission)):
        if rule is not None and rule.min_baseline is not None and baseline < rule.min_baseline:
            names.append(name)
            lowest = rule.min_baseline
    if not names or lowest is None:
        return ()
    verb = "are" if len(names) > 1 else "is"
    return (f"{' and '.join(names)} {verb} judged only from a baseline of {lowest:g} or more",)


def change_summary(
    instrument: Instrument,
    points: Sequence[tuple[date, Score]],
    baseline_index: int | None = None,
) -> ChangeSummary:
    """Compare the latest charted total with the baseline.

    The baseline is `points[baseline_index]`, or the earliest point with a total when
    None; the latest is the last point with a total dated after it (same date: later in
    the sequence). Incomplete administrations without a prorated total are skipped.
    """
    for when, result in points:
        if result.instrument_id != instrument.id:
            raise ValueError(
                f"a {result.instrument_id} score on {when} was given for {instrument.short_name}"
            )
    ordered: list[tuple[date, int, int]] = []
    for index, (when, result) in enumerate(points):
        if result.total is not None:
            ordered.append((when, index, result.total))
    ordered.sort(key=lambda entry: (entry[0], entry[1]))
    incomplete = len(points) - len(ordered)

    base: tuple[date, int, int] | None = None
    if baseline_index is None:
        if ordered:
            base = ordered[0]
    else:
        if not -len(points) <= baseline_index < len(points):
            raise ValueError(f"baseline_index {baseline_index} is outside the {len(points)} points")
        index = baseline_index % len(points)
        when, result = points[index]
        if result.total is not None:
            base = (when, index, result.total)

    latest: tuple[date, int, int] | None = None
    if base is not None:
        after = [e for e in ordered if (e[0], e[1]) > (base[0], base[1])]
        if after:
            latest = after[-1]

    rc = instrument.reliable_change
    if base is None or latest is None:
        return ChangeSummary(
            instrument_id=instrument.id,
            baseline=DatedTotal(base[0], base[2]) if base else None,
            latest=None,
            change=None,
            improvement=None,
            label=ChangeLabel.NOT_ENOUGH_DATA,
            reliable_change=rc.points if rc else None,
            response=None,
            remission=None,
            clinically_meaningful=None,
            complete_points=len(ordered),
            incomplete_points=incomplete,
        )

    baseline_total, latest_total = base[2], latest[2]
    change = latest_total - baseline_total
    improvement = int(improvement_between(instrument, baseline_total, latest_total))
    threshold = response_threshold(instrument, baseline_total)
    response = None if threshold is None else latest_total <= threshold + _EPSILON
    remission = None
    rule = instrument.remission
    if rule is not None and (rule.min_baseline is None or baseline_total >= rule.min_baseline):
        remission = latest_total < rule.below
    meaningful = None
    if instrument.clinically_meaningful is not None:
        meaningful = abs(change) >= instrument.clinically_meaningful.points - _EPSILON
    label = classify_change(instrument, baseline_total, latest_total)
    significant = None
    end = instrument.clinically_significant
    if end is not None:
        if baseline_total <= end.at_most:
            significant = None  # it started where the change would have to end
        else:
            significant = (label is ChangeLabel.RELIABLE_IMPROVEMENT
                           and latest_total <= end.at_most + _EPSILON)
    return ChangeSummary(
        instrument_id=instrument.id,
        baseline=DatedTotal(base[0], baseline_total),
        latest=DatedTotal(latest[0], latest_total),
        change=change,
        improvement=improvement,
        label=label,
        reliable_change=rc.points if rc else None,
        response=response,
        remission=remission,
        clinically_meaningful=meaningful,
        complete_points=len(ordered),
        incomplete_points=incomplete,
        clinically_significant=significant,
        not_judged=not_judged(instrument, baseline_total),
    )
