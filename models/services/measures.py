"""Measure administrations: record item answers, and derive scores, series and change summaries.

Totals, bands and change labels are always derived from the stored item answers with the
instrument definitions; they are never stored as the truth.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import audit, instruments
from models.dto import AdministrationDTO, ClientChart
from models.entities import (
    CARE_RELATIONS,
    Client,
    Course,
    CustomInstrument,
    DosingSession,
    ItemResponse,
    MeasureAdministration,
)
from models.errors import NotFoundError, ValidationError
from models.instruments import (
    RELATION_LABELS,
    ChangeSummary,
    DoseDissociation,
    DosingMarker,
    Instrument,
    OverlaySeries,
    Score,
    TrendPoint,
)
from models.services import convert
from models.values import has_visible_text

# The order the measures tab and reports list instruments in.
MAIN_INSTRUMENTS = ("phq9", "gad7", "pcl5")
DISSOCIATION_INSTRUMENTS = ("cadss", "cadss6")


@dataclass(frozen=True)
class MeasureInput:
    instrument_id: str
    administered_on: dt.date
    relation_to_care: str
    responses: Mapping[int, int | float | None]
    dosing_session_id: int | None = None


@dataclass(frozen=True)
class ScoredAdministration:
    administration: AdministrationDTO
    instrument: Instrument
    score: Score


@dataclass(frozen=True)
class InstrumentSeries:
    """Everything the measures tab, the chart and the report show for one instrument."""

    instrument: Instrument
    administrations: tuple[ScoredAdministration, ...]
    summary: ChangeSummary

    @property
    def charted(self) -> tuple[ScoredAdministration, ...]:
        """The administrations that count: all but those marked entered in error."""
        return tuple(a for a in self.administrations
                     if not a.administration.entered_in_error)

    @property
    def points(self) -> tuple[TrendPoint, ...]:
        return tuple(
            TrendPoint(a.administration.administered_on, a.score,
                       instruments.RelationToCare(a.administration.relation_to_care))
            for a in self.charted
        )


@dataclass(frozen=True)
class MeasuresView:
    series: tuple[InstrumentSeries, ...]
    dosing: tuple[DosingMarker, ...]
    dissociation: tuple[DoseDissociation, ...]
    overlays: tuple[OverlaySeries, ...] = field(default=())

    def for_instrument(self, instrument_id: str) -> InstrumentSeries | None:
        return next((s for s in self.series if s.instrument.id == instrument_id), None)


def custom_instruments(session: Session) -> dict[str, Instrument]:
    rows = session.scalars(select(CustomInstrument).order_by(CustomInstrument.id))
    result = {}
    for row in rows:
        result[row.key] = instruments.custom_instrument(
            row.key, row.name, int(row.min_value), int(row.max_value), row.higher_is_better,
            reliable_change=row.reliable_change,
        )
    return result


def available_instruments(session: Session) -> dict[str, Instrument]:
    return {**instruments.load_instruments(), **custom_instruments(session)}


def create_custom_instrument(
    session: Session, name: str, min_value: int, max_value: int, higher_is_better: bool,
    *, reliable_change: float | None = None, actor_id: int | None = None,
) -> Instrument:
    """A clinician-defined single-number measure (for example a daily craving rating)."""
    problems = {}
    if not has_visible_text(name):
        problems["name"] = "Name the measure."
    if min_value >= max_value:
        problems["max_value"] = "The highest value must be above the lowest."
    if reliable_change is not None and reliable_change <= 0:
        problems["reliable_change"] = "A reliable-change threshold must be above 0."
    if problems:
        raise ValidationError(problems)
    count = len(session.scalars(select(CustomInstrument.id)).all())
    row = CustomInstrument(key=f"custom{count + 1}", name=name.strip(), min_value=min_value,
                           max_value=max_value, higher_is_better=higher_is_better,
                           reliable_change=reliable_change)
    session.add(row)
    session.flush()
    audit.record(session, "instrument.create", entity="custom_instrument", entity_id=row.id,
                 actor_id=actor_id)
    return custom_instruments(session)[row.key]


def record_administration(
    session: Session, client_id: int, data: MeasureInput, *, actor_id: int | None = None
) -> ScoredAdministration:
    if session.get(Client, client_id) is None:
        raise NotFoundError(f"Client #{client_id} does not exist in this vault.")
    known = available_instruments(session)
    instrument = known.get(data.instrument_id)
    if instrument is None:
        raise ValidationError({"instrument_id": "Choose an instrument from the list."})
    problems = {}
    if data.relation_to_care not in CARE_RELATIONS:
        problems["relation_to_care"] = "Choose how it relates to care: " + ", ".join(
            RELATION_LABELS.values()) + "."
    if data.administered_on > dt.date.today():
        problems["administered_on"] = "The date is in the future; check it."
    items = instrument.items_by_number
    unknown = sorted(set(data.responses) - set(items))
    if unknown:
        problems["responses"] = f"{instrument.short_name} has no item {unknown[0]}."
    if data.dosing_session_id is not None:
        dosing = session.get(DosingSession, data.dosing_session_id)
        if dosing is None or session.get_one(Course, dosing.course_id).client_id != client_id:
            problems["dosing_session_id"] = "That dosing session is not one of this client's."
    if problems:
        raise ValidationError(problems)
    try:
        score = instruments.score(instrument, data.responses)
    except ValueError as exc:
        raise ValidationError({"responses": str(exc)}) from None
    row = MeasureAdministration(
        client_id=client_id,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        administered_on=data.administered_on,
        relation_to_care=data.relation_to_care,
        dosing_session_id=data.dosing_session_id,
    )
    row.responses = [ItemResponse(item_number=number, value=value)
                     for number, value in sorted(data.responses.items())]
    session.add(row)
    session.flush()
    audit.record(session, "measure.record", entity="measure_administration", entity_id=row.id,
                 client_id=client_id, actor_id=actor_id, detail=f"instrument={instrument.id}")
    return ScoredAdministration(convert.administration(row), instrument, score)


def mark_entered_in_error(
    session: Session, administration_id: int, reason: str, *, actor_id: int | None = None
) -> AdministrationDTO:
    """Keep a wrong entry but leave it out of every score, chart and summary from now on."""
    row = session.get(MeasureAdministration, administration_id)
    if row is None:
        raise NotFoundError(f"Measure #{administration_id} does not exist in this vault.")
    if not has_visible_text(reason):
        raise ValidationError({"reason": "Say why this entry is wrong (for the record)."})
    if row.entered_in_error_at is not None:
        raise ValidationError({"reason": "This entry is already marked entered in error."})
    row.entered_in_error_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    row.entered_in_error_reason = reason.strip()
    session.flush()
    audit.record(session, "measure.entered_in_error", entity="measure_administration",
                 entity_id=row.id, client_id=row.client_id, actor_id=actor_id)
    return convert.administration(row)


def score_administration(
    administration: AdministrationDTO, known: Mapping[str, Instrument]
) -> ScoredAdministration | None:
    instrument = known.get(administration.instrument_id)
    if instrument is None:
        return None
    responses = {item: value for item, value in administration.responses
                 if item in instrument.items_by_number}
    return ScoredAdministration(administration, instrument,
                                instruments.score(instrument, responses))


def build_measures_view(
    chart: ClientChart, known: Mapping[str, Instrument] | None = None
) -> MeasuresView:
    """Series per instrument, dose markers, per-dose dissociation and overlays, from DTOs."""
    known = known if known is not None else instruments.load_instruments()
    by_instrument: dict[str, list[ScoredAdministration]] = {}
    for administration in chart.administrations:
        scored = score_administration(administration, known)
        if scored is not None:
            by_instrument.setdefault(administration.instrument_id, []).append(scored)
    order = [i for i in MAIN_INSTRUMENTS if i in by_instrument] + sorted(
        i for i in by_instrument if i not in MAIN_INSTRUMENTS
        and i not in DISSOCIATION_INSTRUMENTS)
    series = []
    for instrument_id in order:
        scored_list = by_instrument[instrument_id]
        instrument = scored_list[0].instrument
        counted = [s for s in scored_list if not s.administration.entered_in_error]
        summary = instruments.change_summary(
            instrument, [(s.administration.administered_on, s.score) for s in counted],
            baseline_index=_baseline_index(counted))
        series.append(InstrumentSeries(instrument, tuple(scored_list), summary))
    dosing_sessions = sorted(chart.dosing_sessions, key=lambda d: (d.session_date, d.id))
    dose_index = {d.id: i for i, d in enumerate(dosing_sessions, start=1)}
    markers = tuple(DosingMarker(d.session_date, dose_index[d.id]) for d in dosing_sessions)
    dissociation = []
    for instrument_id in DISSOCIATION_INSTRUMENTS:
        for scored in by_instrument.get(instrument_id, []):
            if scored.administration.entered_in_error:
                continue
            dose_id = scored.administration.dosing_session_id
            if dose_id in dose_index:
                dissociation.append(DoseDissociation(dose_index[dose_id], scored.score,
                                                     scored.administration.administered_on))
    return MeasuresView(tuple(series), markers, tuple(dissociation), build_overlays(chart))


def _baseline_index(scored: Sequence[ScoredAdministration]) -> int | None:
    for i, s in enumerate(scored):
        if s.administration.relation_to_care == "baseline" and s.score.complete:
            return i
    return None


def build_overlays(chart: ClientChart) -> tuple[OverlaySeries, ...]:
    """IFS Self-energy (0..10) and each worked target's SUD (0..10), on the same time axis."""
    overlays = []
    if chart.self_energy:
        overlays.append(OverlaySeries("Self-energy (IFS)", tuple(
            (p.rated_on, float(p.rating)) for p in chart.self_energy)))
    for target in chart.targets:
        points = tuple((r.rated_on, float(r.sud)) for r in target.ratings
                       if r.sud is not None and r.point in ("end", "reevaluation"))
        if len(points) >= 2:
            overlays.append(OverlaySeries(f"SUD: {target.label}", points))
    return tuple(overlays)
