"""What a person enters, and the one check of it that the window and the backend share.

Each `validate_*` returns field name -> a message that says what is wrong and what to do;
an empty mapping means the input is good. A window calls it as the person types; the
backend calls it again before it writes, so a rule can never be skipped by going around
the window (the command line, a test, a future screen).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from models.instruments.definitions import Charting, Instrument
from models.vocabulary import (
    ADDENDUM_KINDS,
    CARE_RELATIONS,
    COURSE_KINDS,
    DOSING_SETTINGS,
    MEDICATIONS,
    PART_STATUSES,
    PART_TYPES,
    ROUTES,
    TARGET_KINDS,
    TARGET_PRONGS,
    TARGET_STATUSES,
)

Problems = dict[str, str]

# --------------------------------------------------------------------------- passphrase

MIN_PASSPHRASE = 10


def passphrase_problem(passphrase: str) -> str:
    """What is wrong with a new passphrase, or '' when it may be used."""
    if len(passphrase) < MIN_PASSPHRASE:
        return f"Use at least {MIN_PASSPHRASE} characters; a few unrelated words work well."
    if not passphrase.strip():
        return "A passphrase of only spaces cannot protect the vault; choose another."
    return ""


# --------------------------------------------------------------------------- clients


@dataclass(frozen=True)
class ClientInput:
    """What a person types into the new/edit client form."""

    name: str
    preferred_name: str = ""
    date_of_birth: dt.date | None = None
    pronouns: str = ""
    contact: str = ""
    emergency_contact: str = ""
    diagnoses: str = ""


def validate_client(data: ClientInput, *, today: dt.date) -> Problems:
    problems: Problems = {}
    if not data.name.strip():
        problems["name"] = "The client's name is required."
    elif len(data.name.strip()) > 200:
        problems["name"] = "The name is longer than 200 characters; shorten it."
    if data.date_of_birth is not None:
        if data.date_of_birth > today:
            problems["date_of_birth"] = "The date of birth is in the future; check the year."
        elif data.date_of_birth < today.replace(year=today.year - 120):
            problems["date_of_birth"] = "The date of birth is more than 120 years ago."
    if len(data.pronouns) > 40:
        problems["pronouns"] = "Pronouns are limited to 40 characters."
    return problems


def _words(text: str) -> list[str]:
    return text.casefold().split()


def client_matches(query: str, *fields: str) -> bool:
    """Client search: every word of the query appears in the name, preferred name or record
    number (in any order, any case). An empty query matches everyone."""
    haystack = " ".join(fields).casefold()
    return all(word in haystack for word in _words(query))


# --------------------------------------------------------------------------- care


@dataclass(frozen=True)
class CourseInput:
    kind: str
    start_date: dt.date
    end_date: dt.date | None = None
    goals: str = ""


def validate_course(data: CourseInput) -> Problems:
    problems: Problems = {}
    if data.kind not in COURSE_KINDS:
        problems["kind"] = "Choose " + " or ".join(
            t.label.lower() for t in COURSE_KINDS) + "."
    if data.end_date is not None and data.end_date < data.start_date:
        problems["end_date"] = "The course ends before it starts; check the dates."
    return problems


@dataclass(frozen=True)
class VitalInput:
    minutes_from_dose: int
    systolic: int | None = None
    diastolic: int | None = None
    heart_rate: int | None = None
    spo2: int | None = None


@dataclass(frozen=True)
class BoosterInput:
    minutes_from_dose: int
    dose_mg: float


@dataclass(frozen=True)
class DosingInput:
    session_date: dt.date
    route: str
    dose_mg: float | None = None
    weight_kg: float | None = None
    start_time: dt.time | None = None
    setting: str = "in_office"
    medication: str = "racemic_ketamine"
    infusion_minutes: int | None = None
    lot_number: str = ""
    prescriber: str = ""
    monitoring_clinician: str = ""
    intention: str = ""
    set_and_setting: str = ""
    cadss_total: int | None = None
    cadss6_total: int | None = None
    moaas: int | None = None
    adverse_events: str = ""
    ready_for_discharge: dt.time | None = None
    ride_home_confirmed: bool | None = None
    observations: str = ""
    client_account: str = ""
    vitals: Sequence[VitalInput] = field(default_factory=tuple)
    boosters: Sequence[BoosterInput] = field(default_factory=tuple)


_DOSING_RANGES: dict[str, tuple[float, float, str]] = {
    "dose_mg": (0.1, 1000, "mg"),
    "weight_kg": (1, 400, "kg"),
    "infusion_minutes": (1, 600, "minutes"),
    "cadss_total": (0, 92, "points"),
    "cadss6_total": (0, 24, "points"),
    "moaas": (0, 5, "points"),
}
_VITAL_RANGES: dict[str, tuple[int, int]] = {
    "systolic": (40, 300),
    "diastolic": (20, 200),
    "heart_rate": (20, 250),
    "spo2": (50, 100),
}


def _one_of(vocabulary_labels: Sequence[str]) -> str:
    return ", ".join(vocabulary_labels[:-1]) + " or " + vocabulary_labels[-1]


def validate_dosing(data: DosingInput) -> Problems:
    problems: Problems = {}
    if data.route not in ROUTES:
        problems["route"] = "Choose a route: " + _one_of(
            [t.label.lower() for t in ROUTES]) + "."
    if data.medication not in MEDICATIONS:
        problems["medication"] = "Choose " + _one_of([t.label.lower() for t in MEDICATIONS]) + "."
    if data.setting not in DOSING_SETTINGS:
        problems["setting"] = "Choose " + _one_of(
            [t.label.lower() for t in DOSING_SETTINGS]) + "."
    for name, (low, high, unit) in _DOSING_RANGES.items():
        value = getattr(data, name)
        if value is not None and not low <= value <= high:
            problems[name] = f"must be between {low:g} and {high:g} {unit}."
    for i, vital in enumerate(data.vitals, start=1):
        for name, (low, high) in _VITAL_RANGES.items():
            value = getattr(vital, name)
            if value is not None and not low <= value <= high:
                problems[f"vitals[{i}].{name}"] = f"must be between {low} and {high}."
    for i, booster in enumerate(data.boosters, start=1):
        if not 0 < booster.dose_mg <= 1000:
            problems[f"boosters[{i}].dose_mg"] = "must be between 0 and 1000 mg."
    return problems


# --------------------------------------------------------------------------- targets and parts


@dataclass(frozen=True)
class TargetInput:
    label: str
    kind: str = "emdr"
    prong: str = "past"
    touchstone: bool = False
    found_by: str = ""
    image: str = ""
    negative_cognition: str = ""
    positive_cognition: str = ""
    emotions: str = ""
    body_location: str = ""
    baseline_sud: int | None = None
    baseline_voc: int | None = None
    status: str = "identified"
    part_id: int | None = None
    identified_on: dt.date | None = None


def validate_target(data: TargetInput) -> Problems:
    problems: Problems = {}
    if not data.label.strip():
        problems["label"] = "Give the target a label (de-identified wording is fine)."
    if data.kind not in TARGET_KINDS:
        problems["kind"] = "Choose EMDR or ART."
    if data.prong not in TARGET_PRONGS:
        problems["prong"] = "Choose " + _one_of([t.label.lower() for t in TARGET_PRONGS]) + "."
    if data.status not in TARGET_STATUSES:
        problems["status"] = "Choose a known status."
    if data.baseline_sud is not None and not 0 <= data.baseline_sud <= 10:
        problems["baseline_sud"] = "SUD runs from 0 to 10."
    if data.baseline_voc is not None and not 1 <= data.baseline_voc <= 7:
        problems["baseline_voc"] = "VoC runs from 1 to 7."
    return problems


@dataclass(frozen=True)
class PartInput:
    name: str
    part_type: str = "unknown"
    age_appearance: str = ""
    body_location: str = ""
    role: str = ""
    fears: str = ""
    burdens_personal: str = ""
    burdens_legacy: str = ""
    trust_in_self: int | None = None
    status: str = "identified"
    first_seen: dt.date | None = None
    map_x: float = 0.0
    map_y: float = 0.0


def validate_part(data: PartInput) -> Problems:
    problems: Problems = {}
    if not data.name.strip():
        problems["name"] = "Give the part a name, in the client's words if they have one."
    if data.part_type not in PART_TYPES:
        problems["part_type"] = "Choose " + _one_of([t.label.lower() for t in PART_TYPES]) + "."
    if data.status not in PART_STATUSES:
        problems["status"] = "Choose " + _one_of([t.label.lower() for t in PART_STATUSES]) + "."
    if data.trust_in_self is not None and not 0 <= data.trust_in_self <= 10:
        problems["trust_in_self"] = "Trust in Self runs from 0 to 10."
    return problems


# --------------------------------------------------------------------------- notes


@dataclass(frozen=True)
class AddendumInput:
    kind: str
    reason: str
    text: str


def validate_addendum(data: AddendumInput) -> Problems:
    problems: Problems = {}
    if data.kind not in ADDENDUM_KINDS:
        problems["kind"] = "Choose " + _one_of([t.label.lower() for t in ADDENDUM_KINDS]) + "."
    if not data.reason.strip():
        problems["reason"] = "Say why this is being added."
    if not data.text.strip():
        problems["text"] = "Write the addendum's text."
    return problems


# --------------------------------------------------------------------------- measures


@dataclass(frozen=True)
class MeasureInput:
    instrument_id: str
    administered_on: dt.date
    relation_to_care: str
    responses: Mapping[int, int | float | None]
    dosing_session_id: int | None = None
    index_event: str = ""  # for an instrument that asks for one (PCL-5's worst event)


INDEX_EVENT_NEEDED = ("Name the event the client rated (the worst event), in a few words; "
                      "keep the same one each time so the totals compare.")


def validate_measure(data: MeasureInput, instrument: Instrument, *, today: dt.date) -> Problems:
    """The entry rules: a known relation to care, no future date, known items, at least one
    answer, and a dosing session for an instrument charted per dose."""
    problems: Problems = {}
    if data.relation_to_care not in CARE_RELATIONS:
        problems["relation_to_care"] = "Choose how it relates to care: " + ", ".join(
            t.label for t in CARE_RELATIONS) + "."
    if data.administered_on > today:
        problems["administered_on"] = "The date is in the future; check it."
    unknown = sorted(set(data.responses) - set(instrument.items_by_number))
    if unknown:
        problems["responses"] = f"{instrument.short_name} has no item {unknown[0]}."
    elif all(value is None for value in data.responses.values()):
        problems["responses"] = "Answer at least one item before saving."
    if instrument.index_event and not data.index_event.strip():
        problems["index_event"] = INDEX_EVENT_NEEDED
    elif len(data.index_event) > 300:
        problems["index_event"] = "Keep the index event to a few words (at most 300 characters)."
    if instrument.charting is Charting.PER_DOSE and data.dosing_session_id is None:
        problems["dosing_session_id"] = (
            f"{instrument.short_name} is charted per dosing session: choose which dose it "
            "was given at.")
    return problems


@dataclass(frozen=True)
class CustomMeasureInput:
    name: str
    min_value: int
    max_value: int
    higher_is_better: bool
    reliable_change: float | None = None


def validate_custom_measure(data: CustomMeasureInput) -> Problems:
    problems: Problems = {}
    if not data.name.strip():
        problems["name"] = "Name the measure."
    if data.min_value >= data.max_value:
        problems["max_value"] = "The highest value must be above the lowest."
    if data.reliable_change is not None and data.reliable_change <= 0:
        problems["reliable_change"] = "A reliable-change threshold must be above 0."
    return problems
