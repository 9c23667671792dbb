"""The typed figures a signed note files into their own tables: SUD/VoC, vitals, parts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models.templates.definitions import Template
from models.values import is_id, is_int, is_number


@dataclass(frozen=True)
class TargetRating:
    """SUD/VoC for the target worked in a session; goes to that target's rating history."""

    target_id: int
    sud_start: int | None = None
    sud_end: int | None = None
    voc_start: int | None = None
    voc_end: int | None = None


@dataclass(frozen=True)
class Reevaluation:
    """How a previously worked target rates now."""

    target_id: int
    sud: int | None = None
    voc: int | None = None


@dataclass(frozen=True)
class VitalsReading:
    """One row of dosing-session vitals."""

    minutes_from_dose: int | None = None
    systolic: int | None = None
    diastolic: int | None = None
    heart_rate: int | None = None
    spo2: int | None = None
    respiratory_rate: int | None = None
    moaas: int | None = None


@dataclass(frozen=True)
class BoosterDose:
    """One booster: minutes after the first dose, and mg."""

    minutes_from_dose: int
    dose_mg: float


@dataclass(frozen=True)
class MeasureReading:
    """An instrument given inside a note (a CADSS at a dose): filed in Measures on signing."""

    instrument_id: str
    responses: tuple[tuple[int, int | None], ...]
    minutes_from_dose: int | None = None


@dataclass(frozen=True)
class PartStatusChange:
    """An IFS part moving to a new status; becomes part of that part's history."""

    part_id: int
    new_status: str


@dataclass(frozen=True)
class ExtractedFigures:
    """The typed figures a signed note files into their own tables."""

    target: TargetRating | None = None
    reevaluation: Reevaluation | None = None
    dose_mg: float | None = None
    weight_kg: float | None = None
    mg_per_kg: float | None = None
    vitals: tuple[VitalsReading, ...] = ()
    cadss_total: int | None = None
    cadss6: int | None = None
    moaas: int | None = None
    dose_time: str | None = None
    boosters: tuple[BoosterDose, ...] = ()
    dissociation: MeasureReading | None = None
    self_energy: int | None = None
    parts_worked: tuple[int, ...] = ()
    part_status_changes: tuple[PartStatusChange, ...] = ()


def _whole_or_none(value: object) -> int | None:
    return value if is_int(value) else None


def _number_or_none(value: object) -> float | None:
    return float(value) if is_number(value) else None


def _single_part(value: object) -> int | None:
    if isinstance(value, list) and len(value) == 1 and is_id(value[0]):
        return value[0]
    return None


def extract_figures(template: Template, content: Mapping[str, Any]) -> ExtractedFigures:
    """Pull the tagged figures out of note content.

    Meant for content that passed validate_note(for_signing=True); values of the wrong
    type are skipped rather than guessed at, and ratings without a target are dropped
    (signing validation reports them).
    """

    def tagged(tag: str) -> Any:
        f = template.field_for_tag(tag)
        return None if f is None else content.get(f.id)

    target = None
    if is_id(tagged("target")):
        target = TargetRating(
            target_id=tagged("target"),
            sud_start=_whole_or_none(tagged("target.sud_start")),
            sud_end=_whole_or_none(tagged("target.sud_end")),
            voc_start=_whole_or_none(tagged("target.voc_start")),
            voc_end=_whole_or_none(tagged("target.voc_end")),
        )
    reevaluation = None
    if is_id(tagged("reeval.target")):
        reevaluation = Reevaluation(
            target_id=tagged("reeval.target"),
            sud=_whole_or_none(tagged("reeval.sud")),
            voc=_whole_or_none(tagged("reeval.voc")),
        )

    mg_per_kg_field = template.field_for_tag("dosing.mg_per_kg")
    if mg_per_kg_field is not None and mg_per_kg_field.derived is not None:
        mg_per_kg = mg_per_kg_field.derived.value_in(content)
    else:
        mg_per_kg = _number_or_none(tagged("dosing.mg_per_kg"))

    parts_worked = tagged("ifs.parts_worked")
    vitals = _extract_vitals(template, content)
    moaas = _whole_or_none(tagged("dosing.moaas"))
    if moaas is None:  # recorded with each reading: the session's is the deepest sedation
        readings = [v.moaas for v in vitals if v.moaas is not None]
        moaas = min(readings) if readings else None
    dose_time = tagged("dosing.dose_time")
    return ExtractedFigures(
        target=target,
        reevaluation=reevaluation,
        dose_mg=_number_or_none(tagged("dosing.dose_mg")),
        weight_kg=_number_or_none(tagged("dosing.weight_kg")),
        mg_per_kg=mg_per_kg,
        vitals=vitals,
        cadss_total=_whole_or_none(tagged("dosing.cadss_total")),
        cadss6=_whole_or_none(tagged("dosing.cadss6")),
        moaas=moaas,
        dose_time=dose_time if isinstance(dose_time, str) else None,
        boosters=tuple(
            BoosterDose(row["minutes_from_dose"], float(row["dose_mg"]))
            for row in _group_rows(template, content, "dosing.boosters")
            if is_int(row.get("minutes_from_dose")) and is_number(row.get("dose_mg"))),
        dissociation=measure_reading(tagged("dosing.dissociation")),
        self_energy=_whole_or_none(tagged("ifs.self_energy")),
        parts_worked=tuple(p for p in parts_worked if is_id(p))
        if isinstance(parts_worked, list)
        else (),
        part_status_changes=_extract_status_changes(template, content),
    )


def _group_rows(template: Template, content: Mapping[str, Any], tag: str) -> list[dict[str, Any]]:
    """Rows of the group carrying `tag`, re-keyed by column tag."""
    group = template.field_for_tag(tag)
    rows = None if group is None else content.get(group.id)
    if group is None or not isinstance(rows, list):
        return []
    tags = {c.id: c.extract for c in group.columns if c.extract}
    return [
        {tags[k]: v for k, v in row.items() if k in tags}
        for row in rows
        if isinstance(row, Mapping)
    ]


def _extract_vitals(template: Template, content: Mapping[str, Any]) -> tuple[VitalsReading, ...]:
    readings = []
    for row in _group_rows(template, content, "dosing.vitals"):
        reading = VitalsReading(
            minutes_from_dose=_whole_or_none(row.get("minutes_from_dose")),
            systolic=_whole_or_none(row.get("systolic")),
            diastolic=_whole_or_none(row.get("diastolic")),
            heart_rate=_whole_or_none(row.get("heart_rate")),
            spo2=_whole_or_none(row.get("spo2")),
            respiratory_rate=_whole_or_none(row.get("respiratory_rate")),
            moaas=_whole_or_none(row.get("moaas")),
        )
        if reading != VitalsReading():  # an empty row carries nothing to chart
            readings.append(reading)
    return tuple(readings)


def measure_reading(value: object) -> MeasureReading | None:
    """A measure field's answers, keyed by item number; None when nothing was answered."""
    if not isinstance(value, Mapping) or not isinstance(value.get("instrument"), str):
        return None
    answers = value.get("answers")
    if not isinstance(answers, Mapping):
        return None
    responses = tuple(sorted(
        (int(k), v if is_int(v) else None) for k, v in answers.items()
        if isinstance(k, str) and k.isdigit()))
    if not any(v is not None for _k, v in responses):
        return None
    minutes = value.get("minutes_from_dose")
    return MeasureReading(value["instrument"], responses, minutes if is_int(minutes) else None)


def _extract_status_changes(
    template: Template, content: Mapping[str, Any]
) -> tuple[PartStatusChange, ...]:
    changes = []
    for row in _group_rows(template, content, "ifs.part_status_changes"):
        part_id, status = _single_part(row.get("part")), row.get("status")
        if part_id is not None and isinstance(status, str) and status:
            changes.append(PartStatusChange(part_id=part_id, new_status=status))
    return tuple(changes)
