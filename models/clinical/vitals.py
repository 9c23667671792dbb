"""Vital signs outside the range a dosing session is watched for, and a dose with its
boosters: the figures the prescriber's summary states, and a dosing draft recalls of the
dose before it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from functools import cache

from models.clinical.doses import dose_text
from models.dto import DosingSessionDTO, VitalDTO
from models.formatting import date_text, number_text, sentence
from models.templates.checks import cautions
from models.templates.definitions import CheckLevel, Template
from models.templates.loading import load_templates

VITALS = "vitals"  # the dosing template's group of readings


@cache
def _limits() -> Template:
    """The newest dosing template with no checks but its warnings on a vitals column: the
    limits a dose is watched against, written once, in the template."""
    template = load_templates().latest("dosing")
    return replace(template, checks=tuple(
        c for c in template.checks if c.level is CheckLevel.WARNING and c.group == VITALS))


def vital_limits_text() -> str:
    """The limits as a sentence, from the template: 'Systolic BP at or above 180 mmHg;
    ...; SpO2 below 92 %'."""
    return "; ".join(check.message for check in _limits().checks)


def out_of_range(vital: VitalDTO) -> list[str]:
    """Each reading of one vitals row past a limit of the dosing template (its newest
    version, so a dose recorded in an older one is held to the same limits):
    'Systolic BP at or above 180 mmHg (186 mmHg) at +40 min'."""
    when = (f"+{vital.minutes_from_dose} min" if vital.minutes_from_dose >= 0
            else f"{vital.minutes_from_dose} min")
    limits = _limits()
    phrase = {check.id: check.message for check in limits.checks}
    return [f"{phrase[caution.check_id]} ({caution.value}) at {when}"
            for caution in cautions(limits, {VITALS: [asdict(vital)]})]


def vitals_out_of_range(dosing: DosingSessionDTO) -> list[str]:
    return [text for vital in dosing.vitals for text in out_of_range(vital)]


def boosters_text(dosing: DosingSessionDTO) -> str:
    """'25 mg at +20 min; 25 mg at +40 min', or '' when there were none."""
    return "; ".join(f"{number_text(b.dose_mg)} mg at +{b.minutes_from_dose} min"
                     for b in dosing.boosters)


def last_dose_text(label: str, dose: DosingSessionDTO, dissociation: str = "", *,
                   signed_past: Sequence[tuple[str, str]] = ()) -> str:
    """What a dosing draft recalls of the client's dose before it, as its signed note
    filed it, with its `dissociation` ('CADSS 5 · CADSS-6 1', from the record or Measures)
    and each warning the note was `signed_past` with the reason given (safety.signed_past):
    'The last dose, D4 on 28 Nov 2026: Intravenous, 35.8 mg (0.48 mg/kg).
    Vitals out of range: Systolic BP at or above 180 mmHg (185 mmHg) at +40 min.
    Adverse events: Blood-pressure rise mild. Dissociation: CADSS 5 · CADSS-6 1.
    Signed past: Vitals, row 2: Systolic BP ...; the reason given: "Prescriber informed."'"""
    head = f"The last dose, {label} on {date_text(dose.session_date)}"
    if not dose.locked:
        return f"{head}: its note is not signed yet, so its figures are not on record."
    said = [f"{head}: {dose_text(dose)}."]
    vitals = vitals_out_of_range(dose)
    said.append(f"Vitals out of range: {'; '.join(vitals)}." if vitals
                else "No vital out of range.")
    events = dose.adverse_events.strip().rstrip(".")
    said.append(f"Adverse events: {events}." if events else "No adverse event recorded.")
    if dissociation:  # models.clinical.period.dissociation_text
        said.append(f"Dissociation: {dissociation}.")
    said += [f"Signed past: {warning.rstrip('.')}; the reason given: \u201c{sentence(reason)}"
             "\u201d" for warning, reason in signed_past]
    return "\n".join(said)


def dose_of_concern(dose: DosingSessionDTO) -> bool:
    """A dose whose record has a vital out of range or an adverse event: what the next
    dose's team looks at first."""
    return dose.locked and bool(vitals_out_of_range(dose) or dose.adverse_events.strip())
