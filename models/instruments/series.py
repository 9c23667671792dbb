"""Chart inputs: the plain series a service hands to reports.charts and the measures screens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from models.instruments.scoring import Score


class RelationToCare(StrEnum):
    BASELINE = "baseline"
    BEFORE_DOSE = "before_dose"
    AFTER_DOSE = "after_dose"
    INTEGRATION = "integration"
    FOLLOW_UP = "follow_up"




@dataclass(frozen=True)
class TrendPoint:
    when: date
    score: Score
    relation_to_care: RelationToCare | None = None


@dataclass(frozen=True)
class DosingMarker:
    when: date
    number: int  # position over the whole record, by date (an axis position)
    label: str = ""  # "D3" or "C2 D3": models.clinical.doses numbers doses within a course
    course_index: int = 1  # which course, by start date
    in_course: int = 0  # its number within the course (0: the same as `number`)


@dataclass(frozen=True)
class OverlaySeries:
    """A secondary series on its own axis, e.g. IFS Self-energy or a target's SUD (0..10)."""

    label: str
    points: tuple[tuple[date, float], ...]
    min_value: float = 0
    max_value: float = 10


@dataclass(frozen=True)
class DoseDissociation:
    """The dissociation measure taken at one dosing session: a CADSS or a CADSS-6 score."""

    dose_number: int  # position over the whole record, by date (an axis position)
    score: Score
    when: date | None = None
    label: str = ""  # "D3" or "C2 D3", as models.clinical.doses numbers it

    @property
    def cadss_total(self) -> int | None:
        return self.score.total if self.score.instrument_id == "cadss" else None

    @property
    def cadss6_total(self) -> int | None:
        if self.score.instrument_id == "cadss6":
            return self.score.total
        if self.score.instrument_id == "cadss":
            return self.score.subscale_total("cadss6")
        raise ValueError(f"not a CADSS score: {self.score.instrument_id}")
