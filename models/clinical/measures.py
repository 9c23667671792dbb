"""A client's measures as the Measures tab, the Overview, the charts, the report and the
command line all show them: scored series, the baseline, the change and its words.

Totals, bands and labels are derived here from the stored item answers, never stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from models.clinical.doses import DoseRef, dose_refs, dosing_markers
from models.dto import AdministrationDTO, ClientChart
from models.formatting import date_text, signed_number
from models.instruments.change import ChangeLabel, ChangeSummary, change_summary
from models.instruments.definitions import Instrument
from models.instruments.loading import load_instruments
from models.instruments.scoring import FlagKind, Score, score
from models.instruments.series import (
    DoseDissociation,
    DosingMarker,
    OverlaySeries,
    RelationToCare,
    TrendPoint,
)

# The order instruments are listed in: the main measures, then dissociation, then custom
# measures by name.
MAIN_INSTRUMENTS = ("phq9", "gad7", "pcl5")
DISSOCIATION_INSTRUMENTS = ("cadss", "cadss6")

# Wherever the IFS Self-energy rating is charted, it is named for what it is.
SELF_ENERGY_LABEL = "Self-energy (IFS): a clinician's rating, not a validated measure"

BASELINE_RULE = ("Baseline: the first complete administration marked baseline, or the first "
                 "complete one when none is marked")
BASELINE_RULE_SHORT = "baseline = first complete administration marked baseline"


def instrument_order(instruments: Mapping[str, Instrument]) -> list[Instrument]:
    """Main measures first, then dissociation, then custom measures by name."""
    fixed = [instruments[key] for key in (*MAIN_INSTRUMENTS, *DISSOCIATION_INSTRUMENTS)
             if key in instruments]
    rest = sorted((i for i in instruments.values() if i not in fixed),
                  key=lambda i: i.title.casefold())
    return fixed + rest


def printable_instruments() -> list[Instrument]:
    """The instruments whose own wording ships with the program, so a blank form of each
    can be printed for the client to fill in on paper; in the order Measures lists them."""
    return [i for i in instrument_order(load_instruments()) if i.has_wording]


@dataclass(frozen=True)
class ScoredAdministration:
    administration: AdministrationDTO
    instrument: Instrument
    score: Score


def baseline_index(scored: Sequence[tuple[str | None, Score]]) -> int | None:
    """Which administration is the baseline: the first complete one marked baseline, else
    the first complete one. A prorated or incomplete total is never a baseline.
    `scored` is (relation to care, score) in date order."""
    complete = [i for i, (_relation, s) in enumerate(scored) if s.complete
                and s.total is not None]
    marked = [i for i in complete if scored[i][0] == RelationToCare.BASELINE.value]
    if marked:
        return marked[0]
    return complete[0] if complete else None


def summarise_change(
    instrument: Instrument, scored: Sequence[tuple[dt.date, str | None, Score]]
) -> tuple[ChangeSummary, int | None]:
    """The change summary of counted administrations in date order, with the baseline
    chosen by `baseline_index`, and that index. With no complete administration nothing is
    a baseline and nothing is compared (the incomplete ones are still counted)."""
    base = baseline_index([(relation, s) for _when, relation, s in scored])
    summary = change_summary(instrument, [(when, s) for when, _relation, s in scored],
                             baseline_index=base)
    if base is None:
        summary = dataclasses.replace(
            summary, baseline=None, latest=None, change=None, improvement=None,
            label=ChangeLabel.NOT_ENOUGH_DATA, response=None, remission=None,
            clinically_meaningful=None, clinically_significant=None, not_judged=())
    return summary, base


@dataclass(frozen=True)
class InstrumentSeries:
    """Everything the screens, the chart and the report show for one instrument."""

    instrument: Instrument
    administrations: tuple[ScoredAdministration, ...]  # date order, errors included
    summary: ChangeSummary
    baseline: int | None = None  # index into `charted`

    @property
    def charted(self) -> tuple[ScoredAdministration, ...]:
        """The administrations that count: all but those marked entered in error."""
        return tuple(a for a in self.administrations
                     if not a.administration.entered_in_error)

    @property
    def points(self) -> tuple[TrendPoint, ...]:
        return tuple(
            TrendPoint(a.administration.administered_on, a.score,
                       RelationToCare(a.administration.relation_to_care))
            for a in self.charted
        )

    @property
    def latest(self) -> ScoredAdministration | None:
        """The newest counted administration with a total."""
        with_total = [a for a in self.charted if a.score.total is not None]
        return with_total[-1] if with_total else None


@dataclass(frozen=True)
class MeasuresView:
    series: tuple[InstrumentSeries, ...]
    dosing: tuple[DosingMarker, ...]
    dissociation: tuple[DoseDissociation, ...]
    overlays: tuple[OverlaySeries, ...] = field(default=())

    def for_instrument(self, instrument_id: str) -> InstrumentSeries | None:
        return next((s for s in self.series if s.instrument.id == instrument_id), None)


def score_administration(
    administration: AdministrationDTO, known: Mapping[str, Instrument]
) -> ScoredAdministration | None:
    instrument = known.get(administration.instrument_id)
    if instrument is None:
        return None
    responses = {item: value for item, value in administration.responses
                 if item in instrument.items_by_number}
    return ScoredAdministration(administration, instrument, score(instrument, responses))


def build_series(instrument: Instrument,
                 scored: Sequence[ScoredAdministration]) -> InstrumentSeries:
    """One instrument's series with its baseline and change summary."""
    ordered = sorted(scored, key=lambda s: (s.administration.administered_on,
                                            s.administration.id))
    counted = [s for s in ordered if not s.administration.entered_in_error]
    summary, base = summarise_change(instrument, [
        (s.administration.administered_on, s.administration.relation_to_care, s.score)
        for s in counted])
    if base is not None and summary.latest is not None:
        later = [s for s in counted[base + 1:] if s.score.total is not None]
        events = {(s.administration.index_event or "").strip().casefold()
                  for s in (counted[base], *later[-1:])}
        if len(events) > 1:
            summary = dataclasses.replace(summary, not_judged=(
                *summary.not_judged, INDEX_EVENTS_DIFFER))
    return InstrumentSeries(instrument, tuple(ordered), summary, base)


INDEX_EVENTS_DIFFER = "the baseline and the latest rate different index events"


def build_measures_view(
    chart: ClientChart, known: Mapping[str, Instrument] | None = None
) -> MeasuresView:
    """Series per instrument, dose markers, per-dose dissociation and overlays, from DTOs."""
    known = known if known is not None else load_instruments()
    by_instrument: dict[str, list[ScoredAdministration]] = {}
    for administration in chart.administrations:
        scored = score_administration(administration, known)
        if scored is not None:
            by_instrument.setdefault(administration.instrument_id, []).append(scored)
    ordered_ids = [i.id for i in instrument_order(known) if i.id in by_instrument]
    series = tuple(build_series(known[i], by_instrument[i]) for i in ordered_ids
                   if i not in DISSOCIATION_INSTRUMENTS)
    markers = dosing_markers(chart.courses)
    dissociation = dose_dissociations(
        (scored for instrument_id in DISSOCIATION_INSTRUMENTS
         for scored in by_instrument.get(instrument_id, [])), dose_refs(chart.courses))
    return MeasuresView(series, markers, dissociation, build_overlays(chart))


def dose_dissociations(scored: Iterable[ScoredAdministration],
                       refs: Mapping[int, DoseRef]) -> tuple[DoseDissociation, ...]:
    """Each CADSS or CADSS-6 given at a dose of these (`refs`), not entered in error."""
    found = []
    for one in scored:
        dose_id = one.administration.dosing_session_id
        if one.instrument.id not in DISSOCIATION_INSTRUMENTS \
                or one.administration.entered_in_error or dose_id is None or dose_id not in refs:
            continue
        ref = refs[dose_id]
        found.append(DoseDissociation(ref.ordinal, one.score,
                                      one.administration.administered_on, ref.label))
    return tuple(found)


def build_overlays(chart: ClientChart) -> tuple[OverlaySeries, ...]:
    """IFS Self-energy (0..10) and each worked target's SUD (0..10), on the same time axis."""
    overlays = []
    if chart.self_energy:
        overlays.append(OverlaySeries(SELF_ENERGY_LABEL, tuple(
            (p.rated_on, float(p.rating)) for p in chart.self_energy)))
    for target in chart.targets:
        points = tuple((r.rated_on, float(r.sud)) for r in target.ratings
                       if r.sud is not None and r.point in ("end", "reevaluation"))
        if len(points) >= 2:
            overlays.append(OverlaySeries(f"SUD: {target.label}", points))
    return tuple(overlays)


# --------------------------------------------------------------------------- the words


def points_text(change: int) -> str:
    """'+3 points', '−1 point', '0 points'."""
    return f"{signed_number(change)} point{'s' if abs(change) != 1 else ''}"


def change_label_text(summary: ChangeSummary) -> str:
    """The change label as a heading: 'Reliable improvement', ..."""
    if summary.label is ChangeLabel.NOT_ENOUGH_DATA:
        return "Needs a later complete administration"
    if summary.label is ChangeLabel.NO_RULE:
        return "No reliable-change rule for this measure"
    return summary.label.value.capitalize()


def outcome_words(summary: ChangeSummary) -> list[str]:
    """The outcome labels in order: change label, then clinical meaning, response and
    remission where the instrument defines them (lower case)."""
    words = [change_label_text(summary).lower()]
    if summary.clinically_meaningful is not None:
        words.append("clinically meaningful change" if summary.clinically_meaningful
                     else "not a clinically meaningful change")
    if summary.clinically_significant is not None:
        words.append("clinically significant change" if summary.clinically_significant
                     else "not a clinically significant change")
    if summary.response is not None:
        words.append("response" if summary.response else "no response")
    if summary.remission is not None:
        words.append("remission" if summary.remission else "not in remission")
    words.extend(summary.not_judged)
    return words


def rules_text(instrument: Instrument) -> str:
    """The rules a change is judged by, as a sentence ('' when there are none)."""
    rules = []
    if instrument.reliable_change is not None:
        rules.append(f"reliable change is {instrument.reliable_change.points:.3g} or more points")
    if instrument.clinically_meaningful is not None:
        rules.append(f"clinically meaningful {instrument.clinically_meaningful.points:.3g} or "
                     "more")
    if instrument.clinically_significant is not None:
        rules.append("clinically significant a reliable improvement ending at "
                     f"{instrument.clinically_significant.at_most:g} or below")
    if instrument.response is not None:
        rule = instrument.response
        text = f"response a {rule.percent_reduction:g}% drop from baseline"
        if rule.min_baseline is not None:
            text += f" of {rule.min_baseline:g} or more"
        rules.append(text)
    if instrument.remission is not None:
        rule_ = instrument.remission
        text = f"remission below {rule_.below:g}"
        if rule_.min_baseline is not None:
            text += f" from a baseline of {rule_.min_baseline:g} or more"
        rules.append(text)
    if not rules:
        return ""
    text = "; ".join(rules)
    return f"{text[0].upper()}{text[1:]}."


def change_lines(instrument: Instrument, summary: ChangeSummary) -> tuple[str, str]:
    """The change summary in two lines: the outcome labels, then baseline, latest and
    change with the rules they were judged by."""
    base, latest = summary.baseline, summary.latest
    if base is None:
        return ("No complete administration yet",
                "A total with a missing item is kept but not charted or compared.")
    if latest is None or summary.change is None:
        return ("Baseline only: change needs a later complete administration",
                f"Baseline {base.total} ({date_text(base.when)}).")
    outcome = outcome_words(summary)
    heading = "  ·  ".join(w[0].upper() + w[1:] for w in outcome)
    detail = (f"Baseline {base.total} ({date_text(base.when)}) → latest {latest.total} "
              f"({date_text(latest.when)}): {points_text(summary.change)}.")
    rules = rules_text(instrument)
    detail = f"{detail} {rules}" if rules else detail
    return heading, f"{detail} ({BASELINE_RULE_SHORT}.)"


def change_sentence(instrument: Instrument, summary: ChangeSummary) -> str:
    """The change summary as one sentence (reports, the command line, tooltips)."""
    base, latest = summary.baseline, summary.latest
    if base is None:
        return f"{instrument.short_name}: no complete administration yet."
    if latest is None or summary.change is None:
        return (f"{instrument.short_name}: baseline {base.total} on {date_text(base.when)}; "
                "change needs a later complete administration.")
    words = [f"{instrument.short_name}: baseline {base.total} on {date_text(base.when)}, "
             f"latest {latest.total} on {date_text(latest.when)}, "
             f"change {points_text(summary.change)}", *outcome_words(summary)]
    return "; ".join(words) + "."


def chart_subtitle(summary: ChangeSummary) -> str:
    """The line under a trend chart's title."""
    if summary.latest is None:
        if summary.baseline is None:
            return "No complete administrations yet"
        return f"Baseline {summary.baseline.total} on {date_text(summary.baseline.when)}"
    assert summary.baseline is not None and summary.change is not None
    parts = [f"Latest {summary.latest.total} ({date_text(summary.latest.when)})",
             f"{signed_number(summary.change)} since baseline {summary.baseline.total}"]
    if summary.label not in (ChangeLabel.NO_RULE, ChangeLabel.NOT_ENOUGH_DATA):
        parts.append(summary.label.value)
    if summary.clinically_meaningful:
        parts.append("clinically meaningful change")
    if summary.clinically_significant:
        parts.append("clinically significant change")
    if summary.response:
        parts.append("response")
    if summary.remission:
        parts.append("remission")
    return " · ".join(parts)


def safety_text(result: Score) -> str:
    """'item 9 = 1' for each positive safety item, joined; '' when none."""
    return "; ".join(f"item {flag.item} = {flag.value}" for flag in result.safety_flags)


def flags_text(result: Score, *, brief: bool = False) -> str:
    """Every flag in words; a safety flag is spelt out, never shown by colour alone.
    `brief` leaves out the safety item's wording (for a narrow table column)."""
    parts = [f"⚠ SAFETY: item {flag.item} = {flag.value}" if brief and flag.item is not None
             else f"⚠ SAFETY: {flag.describe()}" for flag in result.safety_flags]
    parts += [flag.label for flag in result.flags if flag.kind is not FlagKind.SAFETY]
    return "; ".join(parts)


def score_text(result: Score) -> str:
    """'12' / '14 (prorated)' / 'incomplete, not charted'."""
    if result.total is None:
        return "incomplete, not charted"
    if result.prorated:
        return f"{result.total} (prorated)"
    return str(result.total)
