"""What the measures screens need from the domain, handed in by the composition root.

ui/ may not import models.services; these Protocols describe what its functions return,
and `MeasuresServices` carries the functions themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from models.dto import AdministrationDTO, ClientChart
from models.instruments import (
    ChangeSummary,
    DoseDissociation,
    DosingMarker,
    Instrument,
    OverlaySeries,
    Score,
    TrendPoint,
)
from ui.shell.tasks import Changed


class ScoredLike(Protocol):
    """One administration with its derived score (models.services.measures.ScoredAdministration)."""

    @property
    def administration(self) -> AdministrationDTO: ...
    @property
    def instrument(self) -> Instrument: ...
    @property
    def score(self) -> Score: ...


class SeriesLike(Protocol):
    """One instrument's administrations and change summary (measures.InstrumentSeries)."""

    @property
    def instrument(self) -> Instrument: ...
    @property
    def administrations(self) -> Sequence[ScoredLike]: ...
    @property
    def charted(self) -> Sequence[ScoredLike]: ...  # all but those entered in error
    @property
    def summary(self) -> ChangeSummary: ...
    @property
    def points(self) -> Sequence[TrendPoint]: ...


class MeasuresViewLike(Protocol):
    """Everything the measures tab shows for a client (measures.MeasuresView)."""

    @property
    def series(self) -> Sequence[SeriesLike]: ...
    @property
    def dosing(self) -> Sequence[DosingMarker]: ...
    @property
    def dissociation(self) -> Sequence[DoseDissociation]: ...
    @property
    def overlays(self) -> Sequence[OverlaySeries]: ...


class Submitter(Protocol):
    """The task runner's submit (ui.shell.tasks.TaskRunner): fn(session) on the worker thread."""

    def submit(
        self,
        fn: Callable[[Any], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        *,
        changes: Callable[[Any], Changed | None] | None = None,
    ) -> int: ...


@dataclass(frozen=True)
class MeasuresServices:
    """The domain functions the measures screens call, handed in by the composition root.

    Each `session` is opaque here: it only passes from the runner's worker thread to one of
    these functions on that thread.
    """

    # (session) -> {id: Instrument}, bundled and custom
    available_instruments: Callable[[Any], Mapping[str, Instrument]]
    # (chart, known) -> MeasuresView; pure, no session
    build_measures_view: Callable[[ClientChart, Mapping[str, Instrument]], MeasuresViewLike]
    # MeasureInput(instrument_id=, administered_on=, relation_to_care=, responses=,
    # dosing_session_id=)
    measure_input: Callable[..., Any]
    # (session, client_id, data, *, actor_id) -> ScoredAdministration
    record_administration: Callable[..., ScoredLike]
    # (session, name, min_value, max_value, higher_is_better, *, reliable_change, actor_id)
    create_custom_instrument: Callable[..., Instrument]
    # (session, administration_id, reason, *, actor_id) -> AdministrationDTO
    mark_entered_in_error: Callable[..., AdministrationDTO]
    # relation_to_care value -> what the therapist reads ("before_dose" -> "Before a dose")
    relation_labels: Mapping[str, str]
