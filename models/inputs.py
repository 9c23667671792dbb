"""What a person enters, and the one check of it that the window and the backend share.

Each `validate_*` returns field name -> a message that says what is wrong and what to do;
an empty mapping means the input is good. A window calls it as the person types; the
backend calls it again before it writes, so a rule can never be skipped by going around
the window (the command line, a test, a future screen).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from models.clinical.parts_map import NamedPart, relation_type_problems
from models.dto import AdministrationDTO
from models.formatting import date_text, parse_date_text
from models.instruments.definitions import Charting, Instrument, Item
from models.values import has_visible_text, text_problem
from models.vocabulary import (
    ADDENDUM_KINDS,
    CARE_RELATIONS,
    COURSE_KINDS,
    DOSING_SETTINGS,
    INTEGRATION_AFTER_A_DOSE,
    INTEGRATION_AFTER_FIRST_DOSE,
    INTEGRATION_MOST,
    MEDICATIONS,
    PART_RELATIONS,
    PART_STATUSES,
    PART_TYPES,
    REPORT_DETAIL,
    REPORT_KINDS,
    REPORT_SECTIONS,
    ROUTES,
    TARGET_FOUND_BY,
    TARGET_KINDS,
    TARGET_PRONGS,
    TARGET_STATUSES,
)

Problems = dict[str, str]

# --------------------------------------------------------------------------- passphrase

MIN_PASSPHRASE = 10


def passphrase_problem(passphrase: str) -> str | None:
    """What is wrong with a new passphrase, or None: the one rule for creating a vault and
    changing its passphrase, in the window, the command line and the vault itself."""
    if not passphrase:
        return "A vault needs a passphrase. Choose one and type it twice."
    try:
        passphrase.encode("utf-8")
    except UnicodeEncodeError:
        return ("The passphrase holds a character that is not text (a lone surrogate, often "
                "from bytes that are not UTF-8). Type it again.")
    if len(passphrase) < MIN_PASSPHRASE:
        return (f"The passphrase is too short: use at least {MIN_PASSPHRASE} characters; a "
                "few unrelated words work well.")
    return None


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


DATE_TYPED_HINT = "Write the date as 21 Mar 1984 (or 21/03/1984, 1984-03-21)"


def typed_date(text: str, *, today: dt.date) -> tuple[dt.date | None, str]:
    """An optional date as a person types it in a text field: (the date or None, what is
    wrong with it or ""). Read as models.formatting.parse_date_text reads dates."""
    if not text.strip():
        return None, ""
    day = parse_date_text(text, today=today)
    if day is None:
        return None, f"{DATE_TYPED_HINT}, or leave it empty."
    return day, ""


def _text_problems(data: object, fields: Sequence[str]) -> Problems:
    """Text that cannot be stored as typed (a NUL, a lone surrogate), by field."""
    problems: Problems = {}
    for name in fields:
        problem = text_problem(getattr(data, name))
        if problem is not None:
            problems[name] = f"This {problem}"
    return problems


@dataclass(frozen=True)
class ClinicianInput:
    """The clinician's own details, as every report's header and signature block print
    them."""

    name: str
    credentials: str = ""  # "PsyD, LMFT"
    licence: str = ""  # "LMFT 123456 (California)"


CLINICIAN_FIELD_MAX = 200


def validate_clinician(data: ClinicianInput) -> Problems:
    problems = _text_problems(data, ("name", "credentials", "licence"))
    if "name" not in problems and not has_visible_text(data.name):
        problems["name"] = ("Your name is required; it signs your notes and reports (spaces "
                            "and invisible characters alone are not a name).")
    for name, called in (("name", "Your name"), ("credentials", "The credentials"),
                         ("licence", "The licence")):
        if name not in problems and len(getattr(data, name).strip()) > CLINICIAN_FIELD_MAX:
            problems[name] = (f"{called} is longer than {CLINICIAN_FIELD_MAX} characters; "
                              "shorten it.")
    return problems


def validate_client(data: ClientInput, *, today: dt.date) -> Problems:
    problems = _text_problems(data, ("name", "preferred_name", "pronouns", "contact",
                                     "emergency_contact", "diagnoses"))
    if "name" not in problems and not has_visible_text(data.name):
        problems["name"] = ("The client's name is required (spaces and invisible characters "
                            "alone are not a name).")
    elif "name" not in problems and len(data.name.strip()) > 200:
        problems["name"] = "The name is longer than 200 characters; shorten it."
    if data.date_of_birth is not None:
        if data.date_of_birth > today:
            problems["date_of_birth"] = "The date of birth is in the future; check the year."
        elif data.date_of_birth < today.replace(year=today.year - 120):
            problems["date_of_birth"] = "The date of birth is more than 120 years ago."
    if len(data.pronouns) > 40:
        problems["pronouns"] = "Pronouns are limited to 40 characters."
    return problems


@dataclass(frozen=True)
class StatusChangeInput:
    """A discharge or a reactivation: the day it took effect and why."""

    on: dt.date
    reason: str


STATUS_REASON_MAX = 1000


def validate_status_change(data: StatusChangeInput, *, today: dt.date) -> Problems:
    problems = _text_problems(data, ("reason",))
    if data.on > today:
        problems["on"] = "The date is in the future; a change of status is recorded when " \
            "it has happened."
    if "reason" in problems:
        pass
    elif not has_visible_text(data.reason):
        problems["reason"] = "Say why, in a few words (for the record)."
    elif len(data.reason) > STATUS_REASON_MAX:
        problems["reason"] = f"Keep the reason under {STATUS_REASON_MAX} characters."
    return problems


def _folded(text: str) -> str:
    """`text` with its case and its accents set aside ("José" as "jose", a vowel-pointed
    Hebrew name as its letters), as the notes' search sets them aside too."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words_match(query: str, *fields: str) -> bool:
    """Every word of the query appears in the fields (in any order, any case, with or
    without accents): the client list's search (name, preferred name, record number) and
    the audit trail's filter. An empty query matches everything."""
    haystack = _folded(" ".join(fields))
    return all(word in haystack for word in _folded(query).split())


# --------------------------------------------------------------------------- care


@dataclass(frozen=True)
class CourseInput:
    kind: str
    start_date: dt.date
    end_date: dt.date | None = None
    goals: str = ""
    # The integration sessions it plans after its first dose, and after each later one.
    integration_after_first: int = INTEGRATION_AFTER_FIRST_DOSE
    integration_after_each: int = INTEGRATION_AFTER_A_DOSE


def validate_course(data: CourseInput) -> Problems:
    problems = _text_problems(data, ("goals",))
    if data.kind not in COURSE_KINDS:
        problems["kind"] = "Choose " + " or ".join(
            t.label.lower() for t in COURSE_KINDS) + "."
    if data.end_date is not None and data.end_date < data.start_date:
        problems["end_date"] = "The course ends before it starts; check the dates."
    for key, after in (("integration_after_first", "after the first dose"),
                       ("integration_after_each", "after each later dose")):
        planned = getattr(data, key)
        if not isinstance(planned, int) or not 0 <= planned <= INTEGRATION_MOST:
            problems[key] = (f"The integration sessions planned {after} run from 0 to "
                             f"{INTEGRATION_MOST}; give a number in that range.")
    return problems


def validate_course_change(data: CourseInput,
                           doses: Sequence[tuple[int, dt.date]] = ()) -> Problems:
    """What is wrong with a course as changed (or new, with no doses): its own fields,
    then what its dates would leave out of the dosing sessions recorded in it ((number,
    date) each, earliest first), since a course holds every dose given in it."""
    return {**_course_dose_problems(data, doses), **validate_course(data)}


def _course_dose_problems(data: CourseInput,
                          doses: Sequence[tuple[int, dt.date]]) -> Problems:
    problems: Problems = {}
    if doses and data.start_date > doses[0][1]:
        number, day = doses[0]
        problems["start_date"] = (f"Dose D{number} of this course was given on "
                                  f"{date_text(day)}; start the course on that day or "
                                  "earlier.")
    if doses and data.end_date is not None and data.end_date < doses[-1][1]:
        number, day = doses[-1]
        problems["end_date"] = (f"Dose D{number} of this course was given on "
                                f"{date_text(day)}; end the course on that day or later.")
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


MAX_TARGET_LABEL = 200


def target_status_problem(status: str) -> str:
    """What is wrong with a target status, or '' when it is one of the vocabulary's."""
    if status in TARGET_STATUSES:
        return ""
    return "Choose " + _one_of([t.label.lower() for t in TARGET_STATUSES]) + "."


def validate_target(data: TargetInput) -> Problems:
    problems: Problems = {}
    problems.update(_text_problems(data, ("label", "found_by", "image", "negative_cognition",
                                          "positive_cognition", "emotions", "body_location")))
    if "label" not in problems and not has_visible_text(data.label):
        problems["label"] = "Give the target a label (de-identified wording is fine)."
    elif len(data.label.strip()) > MAX_TARGET_LABEL:
        problems["label"] = (f"The label is longer than {MAX_TARGET_LABEL} characters; "
                             "shorten it (the details belong in the image and cognitions).")
    if data.kind not in TARGET_KINDS:
        problems["kind"] = "Choose EMDR or ART."
    if data.prong not in TARGET_PRONGS:
        problems["prong"] = "Choose " + _one_of([t.label.lower() for t in TARGET_PRONGS]) + "."
    if data.found_by and data.found_by not in TARGET_FOUND_BY:
        problems["found_by"] = "Choose " + _one_of(
            [t.label.lower() for t in TARGET_FOUND_BY]) + ", or leave it empty."
    status = target_status_problem(data.status)
    if status:
        problems["status"] = status
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
    # Where the part sits on the map; None places it by its type (models.clinical.parts_map).
    map_x: float | None = None
    map_y: float | None = None


MAX_PART_NAME = 120


def validate_part(data: PartInput) -> Problems:
    problems: Problems = {}
    problems.update(_text_problems(data, ("name", "age_appearance", "body_location", "role",
                                          "fears", "burdens_personal", "burdens_legacy")))
    if "name" not in problems and not has_visible_text(data.name):
        problems["name"] = "Give the part a name, in the client's words if they have one."
    elif len(data.name.strip()) > MAX_PART_NAME:
        problems["name"] = f"The name is longer than {MAX_PART_NAME} characters; shorten it."
    if data.part_type not in PART_TYPES:
        problems["part_type"] = "Choose " + _one_of([t.label.lower() for t in PART_TYPES]) + "."
    if data.status not in PART_STATUSES:
        problems["status"] = "Choose " + _one_of([t.label.lower() for t in PART_STATUSES]) + "."
    if data.trust_in_self is not None and not 0 <= data.trust_in_self <= 10:
        problems["trust_in_self"] = "Trust in Self runs from 0 to 10."
    return problems


def relation_problems(kind: str, from_part_id: int | None, to_part_id: int | None,
                      parts: Mapping[int, NamedPart] | None = None) -> Problems:
    """A relation between two parts: a known kind, two parts, not one part with itself,
    and (given the parts) each part's type fitting its end (parts_map.misfit_end)."""
    problems: Problems = {}
    if kind not in PART_RELATIONS:
        problems["kind"] = "Choose " + _one_of([t.label.lower() for t in PART_RELATIONS]) + "."
    if from_part_id is None:
        problems["from_part_id"] = "Choose the first part."
    if to_part_id is None:
        problems["to_part_id"] = "Choose the second part."
    elif from_part_id == to_part_id:
        problems["to_part_id"] = "A part cannot relate to itself; choose another part."
    if not problems and parts is not None and from_part_id is not None \
            and to_part_id is not None:
        problems.update(relation_type_problems(kind, from_part_id, to_part_id, parts))
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
    problems.update(_text_problems(data, ("reason", "text")))
    if "reason" not in problems and not has_visible_text(data.reason):
        problems["reason"] = "Say why this is being added."
    if "text" not in problems and not has_visible_text(data.text):
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
    # The person was told this repeats an earlier administration and saves it anyway.
    repeat_confirmed: bool = False


INDEX_EVENT_NEEDED = ("Name the event the client rated (the worst event), in a few words; "
                      "keep the same one each time so the totals compare.")


def answer_problem(instrument: Instrument, item: Item, value: float | None) -> str:
    """What is wrong with one item's answer ('' when it may be saved). An answer outside
    the item's range is refused, never cut to fit: a SUD typed as 1400 is a slip."""
    if value is None:
        return ""
    if not float(value).is_integer():
        return (f"{instrument.short_name} item {item.number}: answer with a whole number "
                f"from {item.min_value} to {item.max_value}.")
    if not item.min_value <= value <= item.max_value:
        shown = int(value) if float(value).is_integer() else value
        return (f"{instrument.short_name} item {item.number}: {shown} is outside "
                f"{item.min_value}–{item.max_value}; enter a number in that range.")
    return ""


def validate_measure(data: MeasureInput, instrument: Instrument, *, today: dt.date) -> Problems:
    """The entry rules: a known relation to care, no future date, known items, answers in
    range, at least one answer, and a dosing session for an instrument charted per dose."""
    problems: Problems = {}
    if data.relation_to_care not in CARE_RELATIONS:
        problems["relation_to_care"] = "Choose how it relates to care: " + ", ".join(
            t.label for t in CARE_RELATIONS) + "."
    if data.administered_on > today:
        problems["administered_on"] = "The date is in the future; check it."
    unknown = sorted(set(data.responses) - set(instrument.items_by_number))
    wrong = [answer_problem(instrument, instrument.items_by_number[n], v)
             for n, v in sorted(data.responses.items()) if n in instrument.items_by_number]
    if unknown:
        problems["responses"] = f"{instrument.short_name} has no item {unknown[0]}."
    elif any(wrong):
        problems["responses"] = next(w for w in wrong if w)
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


def repeat_warning(data: MeasureInput, instrument: Instrument,
                   earlier: Sequence[AdministrationDTO]) -> str:
    """Why saving this administration needs a second thought ('' when it does not): the
    same measure already saved for that day (or that dose), or given inside its recall
    period, so the two answers cover the same days. The window asks before saving; the
    backend refuses it unless `repeat_confirmed`."""
    same = [a for a in earlier if a.instrument_id == instrument.id and not a.entered_in_error]
    name = instrument.short_name
    if data.dosing_session_id is not None and instrument.charting is Charting.PER_DOSE:
        if any(a.dosing_session_id == data.dosing_session_id for a in same):
            return (f"A {name} is already saved for this dosing session. Saving another "
                    "gives the dose two scores; save it only if the first was a mistake "
                    "you will mark as entered in error.")
        return ""
    day = data.administered_on
    if any(a.administered_on == day for a in same):
        return (f"A {name} is already saved for {date_text(day)}. Saving another gives "
                "that day two scores; save it only if it is not the same one entered twice.")
    if instrument.recall_days:
        near = [a for a in same if abs((a.administered_on - day).days) < instrument.recall_days]
        if near:
            other = min(near, key=lambda a: abs((a.administered_on - day).days))
            gap = abs((other.administered_on - day).days)
            return (f"A {name} was given on {date_text(other.administered_on)}, {gap} "
                    f"day{'s' if gap != 1 else ''} from this one. Its questions cover the "
                    f"{instrument.timeframe.lower()}, so the two answer for some of the "
                    "same days. Save it anyway?")
    return ""


@dataclass(frozen=True)
class CustomMeasureInput:
    name: str
    min_value: int
    max_value: int
    higher_is_better: bool
    reliable_change: float | None = None


# A custom measure's name heads its chart and names it in every table and report.
MAX_MEASURE_NAME = 60


def validate_custom_measure(data: CustomMeasureInput) -> Problems:
    problems: Problems = {}
    problems.update(_text_problems(data, ("name",)))
    if "name" not in problems and not has_visible_text(data.name):
        problems["name"] = "Name the measure."
    elif "name" not in problems and len(data.name.strip()) > MAX_MEASURE_NAME:
        problems["name"] = (f"The name is longer than {MAX_MEASURE_NAME} characters; "
                            "shorten it (what it rates can go in your notes).")
    if data.min_value >= data.max_value:
        problems["max_value"] = "The highest value must be above the lowest."
    if data.reliable_change is not None and data.reliable_change <= 0:
        problems["reliable_change"] = "A reliable-change threshold must be above 0."
    return problems


def validate_custom_measure_change(data: CustomMeasureInput,
                                   recorded: tuple[float, float] | None) -> Problems:
    """A custom measure changed after values were recorded with it (`recorded`: the
    lowest and highest of them): its range must still hold every one."""
    problems = validate_custom_measure(data)
    if recorded is None or "max_value" in problems:
        return problems
    lowest, highest = recorded
    if data.min_value > lowest:
        problems["max_value"] = (f"A value of {lowest:g} is already recorded with this measure; "
                                 f"the lowest value can be {lowest:g} at most.")
    elif data.max_value < highest:
        problems["max_value"] = (f"A value of {highest:g} is already recorded with this "
                                 f"measure; the highest value must be {highest:g} or more.")
    return problems


# --------------------------------------------------------------------------- reports

# The therapist's comment closes a prescriber's summary of one or two pages.
MAX_REPORT_COMMENT = 1500
MAX_PRACTICE_NAME = 200
MIN_REPORT_PASSWORD = 8


def report_password_problem(password: str) -> str:
    """What is wrong with a password for a report's PDF, or '' when it may be used."""
    if len(password) < MIN_REPORT_PASSWORD:
        return (f"Use at least {MIN_REPORT_PASSWORD} characters for the report's password; "
                "a few unrelated words work well.")
    if not password.strip():
        return "A password of only spaces protects nothing; choose another."
    return ""


@dataclass(frozen=True)
class ReportOptions:
    """What a report covers and holds, as the therapist chooses it.

    `start`/`end` None: from the start of the latest course of care / to today
    (models.clinical.period.report_period). `sections` are REPORT_SECTIONS codes (a
    progress report); `detail` is a REPORT_DETAIL code. Drafts and private process notes
    are left out unless asked for."""

    kind: str = "progress"
    start: dt.date | None = None
    end: dt.date | None = None
    sections: tuple[str, ...] = REPORT_SECTIONS.codes  # every section, in print order
    detail: str = "full"
    include_drafts: bool = False
    include_private: bool = False
    practice: str = ""
    comment: str = ""
    note_id: int | None = None  # the signed note a copy of a note is made of


def validate_report_options(data: ReportOptions, *, today: dt.date) -> Problems:
    problems: Problems = {}
    if data.kind not in REPORT_KINDS:
        problems["kind"] = "Choose " + _one_of([t.label.lower() for t in REPORT_KINDS]) + "."
    if data.end is not None and data.end > today:
        problems["end"] = "The period ends after today; end it today or earlier."
    if data.start is not None and data.start > (data.end or today):
        problems["start"] = "The period starts after it ends; choose an earlier start."
    unknown = [code for code in data.sections if code not in REPORT_SECTIONS]
    if unknown:
        problems["sections"] = (f"There is no report section {unknown[0]!r}; choose from "
                                + ", ".join(REPORT_SECTIONS.codes) + ".")
    elif data.kind == "progress" and not data.sections:
        problems["sections"] = "Choose at least one section for the report."
    if data.kind == "note" and data.note_id is None:
        problems["note_id"] = "Choose the signed note to copy."
    if data.detail not in REPORT_DETAIL:
        problems["detail"] = "Choose " + _one_of([t.label.lower() for t in REPORT_DETAIL]) + "."
    if len(data.practice.strip()) > MAX_PRACTICE_NAME:
        problems["practice"] = (f"The practice's name is limited to {MAX_PRACTICE_NAME} "
                                "characters; shorten it.")
    if len(data.comment.strip()) > MAX_REPORT_COMMENT:
        problems["comment"] = (f"The comment is limited to {MAX_REPORT_COMMENT} characters so "
                               "the summary stays within two pages; shorten it.")
    return problems
# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class SearchTerm:
    """One thing a search looks for: a word, the start of a word (`calm*`), or a phrase
    ("calm place"). A result has every term of the query."""

    text: str
    prefix: bool = False
    phrase: bool = False


SEARCH_HELP = ('Words find notes holding all of them, in any of their forms (sleep finds '
               'sleeping); end a word with * to match its start (calm*); put words in quotes '
               'to find them together ("calm place").')
_SEARCH_MAX = 200


def _search_terms(query: str) -> tuple[tuple[SearchTerm, ...], str]:
    """The terms of a query and '' , or () and what is wrong with it."""
    if len(query) > _SEARCH_MAX:
        return (), f"The search is longer than {_SEARCH_MAX} characters; shorten it."
    if query.count('"') % 2:
        return (), 'A phrase is missing its closing quote ("). Add it, or remove the quote.'
    terms: list[SearchTerm] = []
    for index, chunk in enumerate(query.split('"')):
        if index % 2:  # inside quotes: a phrase
            words = chunk.split()
            if any("*" in w for w in words[:-1]) or (words and words[-1].count("*") > 1):
                return (), "Inside quotes, * may only end the last word."
            if words:
                last = words[-1]
                prefix = last.endswith("*")
                phrase = " ".join([*words[:-1], last.rstrip("*")])
                if _has_word(phrase):
                    terms.append(SearchTerm(phrase, prefix=prefix, phrase=len(words) > 1))
            continue
        for word in chunk.split():
            stem = word[:-1] if word.endswith("*") else word
            if "*" in stem:
                return (), ("Put * only at the end of a word, to find the words that start "
                            "with it (calm* finds calm and calmer).")
            if word.endswith("*") and not _has_word(stem):
                return (), "Put a few letters before *, as in calm*."
            if _has_word(stem):
                terms.append(SearchTerm(stem, prefix=word.endswith("*")))
    if not terms and query.strip():
        return (), "Type a word to search for: letters or digits."
    return tuple(terms), ""


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


def validate_search(query: str) -> Problems:
    """What is wrong with a search as typed; empty for a good one (or an empty one)."""
    problem = _search_terms(query)[1]
    return {"query": problem} if problem else {}


def search_terms(query: str) -> tuple[SearchTerm, ...]:
    """The terms of a valid query (ValueError with the message for an invalid one)."""
    terms, problem = _search_terms(query)
    if problem:
        raise ValueError(problem)
    return terms


# The audit trail's events shown at once: the newest first; a period or one client narrows
# it. The command's --limit may ask for up to the most.
AUDIT_TRAIL_LIMIT = 5000
AUDIT_TRAIL_MOST = 100_000


def validate_trail_choice(start: dt.date | None, end: dt.date | None,
                          limit: int = AUDIT_TRAIL_LIMIT) -> Problems:
    """What is wrong with a choice of audit events to show (the window, the command and
    the backend check it by this one rule)."""
    problems: Problems = {}
    if start is not None and end is not None and end < start:
        problems["end"] = ("The period ends before it starts; choose an end on or after "
                           f"{date_text(start)}.")
    if not 1 <= limit <= AUDIT_TRAIL_MOST:
        problems["limit"] = f"Show between 1 and {AUDIT_TRAIL_MOST:,} events."
    return problems
