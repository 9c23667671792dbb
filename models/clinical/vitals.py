"""Vital signs outside the range a dosing session is watched for, and a dose with its
boosters: the figures the prescriber's summary states."""

from __future__ import annotations

from dataclasses import dataclass

from models.dto import DosingSessionDTO, VitalDTO
from models.formatting import number_text


@dataclass(frozen=True)
class VitalLimit:
    """The range one vital sign is watched for; a reading past a bound is out of range."""

    name: str  # the VitalDTO attribute
    label: str
    unit: str
    below: int | None = None
    above: int | None = None
    at_or_above: int | None = None

    def outside(self, value: int) -> bool:
        return ((self.below is not None and value < self.below)
                or (self.above is not None and value > self.above)
                or (self.at_or_above is not None and value >= self.at_or_above))


# The usual alert thresholds during ketamine monitoring: BP at or above 180/110, heart rate
# above 130 or below 45, SpO2 below 92 %.
VITAL_LIMITS = (
    VitalLimit("systolic", "Systolic BP", "mmHg", at_or_above=180),
    VitalLimit("diastolic", "Diastolic BP", "mmHg", at_or_above=110),
    VitalLimit("heart_rate", "Heart rate", "/min", below=45, above=130),
    VitalLimit("spo2", "SpO2", "%", below=92),
)


def out_of_range(vital: VitalDTO) -> list[str]:
    """Each reading of one vitals row outside its limit: 'Systolic BP 184 mmHg at +40 min'."""
    when = (f"+{vital.minutes_from_dose} min" if vital.minutes_from_dose >= 0
            else f"{vital.minutes_from_dose} min")
    found = []
    for limit in VITAL_LIMITS:
        value = getattr(vital, limit.name)
        if value is None:
            continue
        if limit.outside(value):
            found.append(f"{limit.label} {value} {limit.unit} at {when}")
    return found


def vitals_out_of_range(dosing: DosingSessionDTO) -> list[str]:
    return [text for vital in dosing.vitals for text in out_of_range(vital)]


def cumulative_dose_mg(dosing: DosingSessionDTO) -> float | None:
    """The first dose plus every booster, in mg (None when the dose is not recorded)."""
    if dosing.dose_mg is None:
        return None
    return dosing.dose_mg + sum(b.dose_mg for b in dosing.boosters)


def boosters_text(dosing: DosingSessionDTO) -> str:
    """'25 mg at +20 min; 25 mg at +40 min', or '' when there were none."""
    return "; ".join(f"{number_text(b.dose_mg)} mg at +{b.minutes_from_dose} min"
                     for b in dosing.boosters)


def mg_per_kg_text(mg: float | None, weight_kg: float | None) -> str:
    """'0.71 mg/kg', or '' when the dose or the weight is not recorded."""
    if mg is None or not weight_kg:
        return ""
    return f"{number_text(mg / weight_kg, decimals=2)} mg/kg"
