"""A seeded, reproducible demo practice: synthetic clients with whole KAP courses of care.

Every name is obviously synthetic. Sessions are written the way a therapist writes them:
a note is created, filled in and signed through the notes service (its batch entry,
notes.write_signed_note: the same steps and checks, less work around them), so target ratings,
vitals, the CADSS of each dose, Self-energy, part history and map snapshots come out of
signing exactly as they do in real use. The generator is a list of steps; later features
add a step.

What the data says is meant to look right to a clinician (tests/unit/test_demo_plausible.py
checks it): sublingual doses step up from a low start; the CADSS follows the route and the
dose (an IV infusion of 0.5 mg/kg dissociates less than an IM bolus); PHQ-9 and GAD-7 are
at least 7 days apart and the PCL-5 at least 28; some clients relapse weeks after a course
and some never respond; every positive PHQ-9 item 9 is followed by a note that documents
the risk check.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from models import audit
from models.clinical.parts_map import arrange, current_map
from models.collections_pause import collections_paused
from models.entities import (
    Client,
    DosingSession,
    IfsPart,
    ItemResponse,
    MeasureAdministration,
    Note,
    TargetMemory,
)
from models.inputs import (
    AddendumInput,
    CourseInput,
    PartInput,
    StatusChangeInput,
    TargetInput,
)
from models.instruments.loading import load_instruments
from models.services import (
    care,
    clients,
    clinicians,
    measures,
    notes,
    parts,
    rows,
    search,
    targets,
)
from models.services.rows import insert_row, insert_rows, write_changes, write_new
from models.templates.checks import cautions, with_reasons
from models.templates.loading import load_templates
from models.templates.validation import derive_values
from models.vocabulary import ADDENDUM_KINDS, VOC_TARGET_KINDS

FIRST_NAMES = (
    "Ada", "Basil", "Clementine", "Dorian", "Esme", "Felix", "Greta", "Hugo", "Iris", "Jasper",
    "Kit", "Linnea", "Milo", "Nell", "Otto", "Pia", "Quentin", "Rosa", "Silas", "Tove",
    "Ugo", "Vera", "Wren", "Xavi", "Yara", "Zeno",
)
# Surnames that no one would take for a real person's.
SURNAMES = (
    "Example", "Sample", "Placeholder", "Fixture", "Synthetic", "Testcase", "Mockup",
    "Demo", "Specimen", "Prototype", "Dummy", "Fictional",
)
PRONOUNS = ("she/her", "he/him", "they/them", "")
DIAGNOSES = (
    "F43.10 PTSD", "F33.1 Major depressive disorder, recurrent, moderate",
    "F41.1 Generalized anxiety disorder", "F43.10 PTSD; F33.1 MDD recurrent",
)
TARGET_LABELS = (
    ("Car accident, the moment of impact", "I am in danger", "I am safe now"),
    ("Hospital corridor, age 9", "I am powerless", "I can handle it"),
    ("Kitchen argument, age 12", "I am not good enough", "I am enough as I am"),
    ("Being left at school gate", "I am alone", "I can connect with others"),
    ("Meeting where I froze", "I am stupid", "I am capable"),
    ("Future: presenting at work", "I will fail", "I can do this calmly"),
    ("Loud voices in the hallway", "I am not safe", "It is over; I am safe"),
)
PART_SEEDS = (
    ("The Planner", "manager", "keeps everything under control"),
    ("The Critic", "manager", "pushes to avoid mistakes"),
    ("The Numb One", "firefighter", "shuts feelings off"),
    ("The Scroller", "firefighter", "distracts when pain rises"),
    ("Little One", "exile", "carries loneliness"),
    ("Scared Kid", "exile", "carries fear from age 7"),
    ("The Caretaker", "manager", "looks after everyone else first"),
)
INDEX_EVENTS = (
    "The car accident", "The assault at 19", "Finding my brother", "The house fire",
    "What happened on deployment", "The hospital stay at 9",
)
THEMES = (
    "Felt held by something larger; less alone with the memory.",
    "Noticed how hard the critic works; some compassion for it.",
    "Body felt heavy then light; wants to keep the calm in the mornings.",
    "Grief came up about the years lost to vigilance.",
    "A sense that the old house is 'just a house' now.",
)


@dataclass
class DemoPlan:
    """How big a practice to generate."""

    clients: int = 12
    seed: int = 7
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def span_days(self) -> int:
        # 200 clients give about three years of practice; a few clients, about six months.
        return max(180, self.clients * 6)


@dataclass
class DemoResult:
    clients: int = 0
    courses: int = 0
    dosing_sessions: int = 0
    administrations: int = 0
    targets: int = 0
    parts: int = 0
    notes: int = 0

    def add(self, other: DemoResult) -> None:
        """Count another shard's clients, courses, ... with these."""
        for name in (f.name for f in fields(self)):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _CoursePlan:
    kind: str
    start: dt.date
    doses: list[dt.date]
    complete: bool


# How a client's symptoms go: better and staying better, better then back within weeks of
# the end of a course, or no real change.
OUTCOMES = ("sustained", "relapse", "no_response")


@dataclass
class _ClientContext:
    """What one client's generation steps share."""

    client: Client
    rng: random.Random
    improves: bool
    start: dt.date
    today: dt.date
    actor_id: int
    courses: list[_CoursePlan] = field(default_factory=list)
    dosing: list[DosingSession] = field(default_factory=list)
    targets: list[TargetMemory] = field(default_factory=list)
    parts: list[IfsPart] = field(default_factory=list)
    # target id -> current (SUD, VoC), moved on by each EMDR/ART session
    ratings: dict[int, tuple[int, int]] = field(default_factory=dict)
    last_emdr_target: int | None = None
    self_energy: float = 3.0
    weight: float = 70.0
    route: str = "sublingual"
    modalities: tuple[str, ...] = ("emdr", "ifs", "general")
    integration_days: dict[str, tuple[int, ...]] = field(
        default_factory=lambda: {"intensive": (1,), "spaced": (1, 4)})
    outcome: str = "sustained"
    dissociation_form: str = "cadss"  # the full CADSS, or the CADSS-6 only
    sublingual_mg: float = 0.0  # the last sublingual dose: the next steps up from it
    index_event: str = ""
    last_session: dt.date | None = None  # the date of the client's latest note so far


# A step writes one kind of record for one client. Later features append steps here.
Step = Callable[[Session, _ClientContext, DemoResult], None]
STEPS: list[Step] = []


def step(fn: Step) -> Step:
    STEPS.append(fn)
    return fn


def fill_items(rng: random.Random, n_items: int, max_value: int, total: int) -> list[int]:
    """n item answers in 0..max_value whose sum is total (clamped to what is reachable)."""
    total = max(0, min(total, n_items * max_value))
    values = [0] * n_items
    open_items = list(range(n_items))  # those below max_value, in order (the draws use it)
    for _ in range(total):
        position = rng.randrange(len(open_items))  # as rng.choice(open_items) draws
        item = open_items[position]
        values[item] += 1
        if values[item] == max_value:
            del open_items[position]
    return values


def _level(rng: random.Random, outcome: str, baseline: float, floor: float, day: dt.date,
           first_dose: dt.date, course_end: dt.date) -> float:
    """Symptom level on a day: a responder falls toward floor over the course and stays
    there; a relapsing client falls, then climbs back over the weeks after the course; a
    non-responder hovers around the baseline."""
    if outcome == "no_response" or day <= first_dose:
        drift = rng.uniform(-1.5, 1.5) if day > first_dose else 0.0
        return baseline + drift + (rng.gauss(0, 1.2) if day > first_dose else 0.0)
    span = max((course_end - first_dose).days, 7)
    progress = min(1.0, (day - first_dose).days / span)
    level = baseline - (baseline - floor) * (1 - (1 - progress) ** 1.6)
    if outcome == "relapse" and day > course_end:
        back = min(1.0, (day - course_end).days / 60)
        level += (baseline - level) * 0.85 * back
    return float(level + rng.gauss(0, 1.2))


@step
def _plan_courses(session: Session, ctx: _ClientContext, result: DemoResult) -> None:
    """Dates only: one or two courses, intensive or spaced, cut off at today."""
    rng = ctx.rng
    course_start = ctx.start
    for _ in range(1 if rng.random() < 0.75 else 2):
        kind = "intensive" if rng.random() < 0.4 else "spaced"
        n_doses = rng.randint(4, 6)
        gap_days = (1, 2) if kind == "intensive" else (7, 14)
        first_dose = course_start + dt.timedelta(days=rng.randint(7, 14))
        dates = [first_dose]
        for _ in range(n_doses - 1):
            dates.append(dates[-1] + dt.timedelta(days=rng.randint(*gap_days)))
        # A course still under way keeps the doses given so far; one whose first dose is
        # still ahead is in preparation.
        given = [d for d in dates if d <= ctx.today]
        ctx.courses.append(_CoursePlan(kind, course_start, given, len(given) == n_doses))
        course_start = dates[-1] + dt.timedelta(days=28 + rng.randint(30, 120))
        if course_start > ctx.today:
            break


@step
def _registry(session: Session, ctx: _ClientContext, result: DemoResult) -> None:
    """Targets and parts as the therapist maps them in preparation."""
    rng = ctx.rng
    identified = ctx.start + dt.timedelta(days=3)
    for i, (label, nc, pc) in enumerate(rng.sample(TARGET_LABELS, rng.randint(2, 4))):
        kind = "art" if i > 0 and rng.random() < 0.3 else "emdr"
        sud0, voc0 = rng.randint(6, 10), rng.randint(1, 3)
        dto = targets.create_target(session, ctx.client.id, TargetInput(
            label=label, kind=kind,
            prong="future" if label.startswith("Future") else rng.choice(("past", "present")),
            touchstone=i == 0, found_by=rng.choice(("float_back", "affect_bridge", "direct")),
            image="The worst part, as the client sees it now.", negative_cognition=nc,
            positive_cognition=pc, emotions=rng.choice(("fear", "shame", "sadness", "anger")),
            body_location=rng.choice(("chest", "throat", "stomach", "shoulders")),
            baseline_sud=sud0, identified_on=identified,
            # An ART scene is rated by SUD alone.
            baseline_voc=voc0 if kind in VOC_TARGET_KINDS else None,
        ), today=ctx.today, actor_id=ctx.actor_id)
        ctx.targets.append(session.get_one(TargetMemory, dto.id))
        ctx.ratings[dto.id] = (sud0, voc0)
        result.targets += 1
    for i, (name, part_type, role) in enumerate(rng.sample(PART_SEEDS, rng.randint(3, 5))):
        dto_part = parts.create_part(session, ctx.client.id, PartInput(
            name=name, part_type=part_type, role=role,
            age_appearance=rng.choice(("about 7", "teenager", "ageless", "adult in a suit")),
            body_location=rng.choice(("chest", "jaw", "belly", "behind the eyes")),
            fears="That the exile's pain will flood everything.",
            burdens_personal="Shame from being left alone" if part_type == "exile" else "",
            trust_in_self=rng.randint(2, 6), first_seen=identified + dt.timedelta(days=i),
            # The therapist tidies the first map below (arrange puts every part by its type
            # and relations), so each part can start at Self: no placement to work out.
            map_x=0.0, map_y=0.0,
        ), today=ctx.today, actor_id=ctx.actor_id)
        # These draws keep every seed's practice as it was when positions were random.
        rng.randint(-220, 220), rng.randint(-160, 160)
        ctx.parts.append(session.get_one(IfsPart, dto_part.id))
        result.parts += 1
    protectors = [p for p in ctx.parts if p.part_type in ("manager", "firefighter")]
    exiles = [p for p in ctx.parts if p.part_type == "exile"]
    # Each protector guards one exile (round the exiles in turn), as a first map does.
    for index, protector in enumerate(protectors if exiles else []):
        parts.add_relation(session, ctx.client.id, "protects", protector.id,
                           exiles[index % len(exiles)].id, actor_id=ctx.actor_id)
    managers = [p for p in protectors if p.part_type == "manager"]
    firefighters = [p for p in protectors if p.part_type == "firefighter"]
    if managers and firefighters:
        parts.add_relation(session, ctx.client.id, "polarized", managers[0].id,
                           firefighters[0].id, actor_id=ctx.actor_id)
    if len(managers) > 1:
        parts.add_relation(session, ctx.client.id, "allied", managers[0].id, managers[1].id,
                           actor_id=ctx.actor_id)
    # The therapist tidies the first map: exiles behind the protectors that guard them.
    shown = current_map(parts.list_parts(session, ctx.client.id),
                        parts.list_relations(session, ctx.client.id), ())
    for part_id, (x, y) in arrange(shown.parts, shown.relations).items():
        write_changes(session, session.get_one(IfsPart, part_id), {"map_x": x, "map_y": y})
    if ctx.targets and exiles:
        targets.change_definition(session, ctx.targets[0], {"part_id": exiles[0].id})
    ctx.weight = round(rng.uniform(52, 105), 1)
    ctx.route = rng.choice(("sublingual", "intramuscular", "intravenous"))
    ctx.dissociation_form = "cadss6" if rng.random() < 0.3 else "cadss"
    ctx.index_event = rng.choice(INDEX_EVENTS)
    ctx.modalities = rng.choice((
        ("emdr", "emdr", "ifs", "general"), ("ifs", "ifs", "emdr", "general"),
        ("emdr", "art", "general"), ("ifs", "general", "art"),
    ))


def _common(rng: random.Random, day: dt.date, *, minutes: int = 60) -> dict[str, Any]:
    ideation = "present" if rng.random() < 0.04 else "denied"
    content: dict[str, Any] = {
        "session_date": day.isoformat(),
        "start_time": rng.choice(("09:00", "10:30", "13:00", "15:30")),
        "duration_minutes": minutes,
        "delivery": "telehealth" if rng.random() < 0.2 else "in_office",
        "suicidal_ideation": ideation,
        "homicidal_ideation": "denied",
    }
    if ideation != "denied":
        content.update(_passive_ideation(rng))
    if rng.random() < 0.3:
        content["private_notes"] = "Countertransference: noticed my own urge to rescue."
    return content


def _passive_ideation(rng: random.Random) -> dict[str, Any]:
    """The risk check of passive suicidal ideation: no plan, no intent, low risk."""
    return {
        "risk_intent": False,
        "risk_means_access": rng.random() < 0.3,
        "risk_means_notes": "Medication kept by partner this month.",
        "risk_recent_self_harm": False,
        "risk_level": "low",
        "risk_actions": ["safety_plan_reviewed", "increased_contact"],
        "risk_follow_up": "Phone check-in in two days; next session as booked.",
        "risk_notes": "Passive thoughts of not waking up, no plan or intent; protective "
                      "factors named (children, dog). Safety plan reviewed.",
    }


def _preparation_content(ctx: _ClientContext, day: dt.date, number: int) -> dict[str, Any]:
    rng = ctx.rng
    screen = "low" if rng.random() < 0.15 else "negative"
    found = ["substance_use"] if rng.random() < 0.1 else ["none_found"]
    content = {
        **_common(rng, day, minutes=75),
        "preparation_number": number,
        "intention": "To meet what has been frozen with more kindness.",
        "contraindications": found,
        "medical_clearance": "cleared",
        "clearance_by": "Dr. Prescriber (demo)",
        "clearance_date": (day - dt.timedelta(days=1)).isoformat(),
        "baseline_weight_kg": ctx.weight,
        "baseline_systolic": rng.randint(112, 138),
        "baseline_diastolic": rng.randint(70, 86),
        "suicide_screen_tool": "cssrs_screener",
        "suicide_screen_result": screen,
        "written_safety_plan": True,
        "psychoeducation_topics": ["ketamine_effects", "dosing_session", "dissociation",
                                   "integration"],
        "informed_consent_signed": True,
        "consent_topics": ["off_label_use", "abuse_liability", "no_driving", "side_effects",
                           "bladder_liver_risk", "right_to_stop"],
        "fasting_instructions_given": True,
        "ride_home_arranged": True,
        "medications_reviewed": True,
        "emergency_contact_recorded": True,
        "baseline_measures": ["gad7", "phq9", "pcl5"],
        "plan": "First dosing session next week; practise the calm-place resource daily.",
    }
    if found != ["none_found"]:
        content["contraindication_notes"] = ("Cannabis most evenings until last year; none "
                                             "for 8 months. Prescriber aware and content.")
    return content


# Mean CADSS total (0..92) per mg/kg, by route: an IV infusion of 0.5 mg/kg over 40 minutes
# gives a mean about 8; an IM bolus dissociates more for the same mg/kg; a lozenge, with
# about a quarter of the dose reaching the blood, much less per mg/kg.
CADSS_PER_MG_KG = {"intravenous": 16.0, "intramuscular": 20.0, "sublingual": 1.6,
                   "oral": 1.3, "intranasal": 10.0}
# Sublingual lozenges start low and step up dose by dose to a ceiling.
SUBLINGUAL_START, SUBLINGUAL_STEP, SUBLINGUAL_MAX_MG_KG = 100.0, 50.0, 6.0


def _first_dose_mg(ctx: _ClientContext, number: int) -> float:
    rng = ctx.rng
    if ctx.route == "intravenous":
        return round(0.5 * ctx.weight + rng.uniform(-2, 2), 1)
    if ctx.route == "intramuscular":
        return round(min(0.5 + 0.25 * (number - 1), 1.0) * ctx.weight, 1)
    if number == 1 or not ctx.sublingual_mg:
        dose = SUBLINGUAL_START
    else:
        dose = ctx.sublingual_mg + SUBLINGUAL_STEP * rng.choice((1, 1, 2))
    ceiling = 25 * (SUBLINGUAL_MAX_MG_KG * ctx.weight // 25)
    ctx.sublingual_mg = min(dose, ceiling, 400.0)
    return ctx.sublingual_mg


def cadss_answers(rng: random.Random, route: str, mg_per_kg: float) -> list[int]:
    """The 23 CADSS item answers for a dose: the total follows the route and mg/kg."""
    mean = CADSS_PER_MG_KG.get(route, 10.0) * mg_per_kg
    total = max(0, round(rng.gauss(mean, max(1.5, mean * 0.35))))
    return fill_items(rng, 23, 4, total)


CADSS6_ITEMS = (1, 2, 6, 7, 15, 22)


def _dosing_content(ctx: _ClientContext, day: dt.date, number: int) -> dict[str, Any]:
    rng = ctx.rng
    dose = _first_dose_mg(ctx, number)
    boosters = []
    if ctx.route == "sublingual" and rng.random() < 0.25:
        extra = 50.0
        if dose + extra <= SUBLINGUAL_MAX_MG_KG * ctx.weight:
            boosters.append({"minutes_from_dose": 30, "dose_mg": extra})
    elif ctx.route == "intramuscular" and rng.random() < 0.15 and dose / ctx.weight <= 1.0:
        boosters.append({"minutes_from_dose": 30, "dose_mg": round(0.25 * ctx.weight, 1)})
    cumulative = dose + sum(b["dose_mg"] for b in boosters)
    mg_per_kg = cumulative / ctx.weight
    answers = cadss_answers(rng, ctx.route, mg_per_kg)
    items = range(1, 24) if ctx.dissociation_form == "cadss" else CADSS6_ITEMS
    deep = ctx.route == "intramuscular" and mg_per_kg >= 0.9
    spike = rng.random() < 0.05
    nausea = not spike and rng.random() < 0.12
    vitals = []
    for minutes, bump in ((-10, 0), (40, 10), (110, 0)):
        vitals.append({
            "minutes_from_dose": minutes,
            "systolic": rng.randint(112, 148) + bump, "diastolic": rng.randint(70, 90),
            "heart_rate": rng.randint(62, 96), "respiratory_rate": rng.randint(12, 18),
            "spo2": rng.randint(95, 100),
            "moaas": 5 if minutes != 40 else (3 if deep else rng.choice((4, 4, 5))),
        })
    content: dict[str, Any] = {
        **_common(rng, day, minutes=150),
        "start_time": "09:45",
        "session_number": number,
        "dosing_setting": "in_office",
        "prescriber": "Dr. Prescriber (demo)",
        "monitoring_clinician": "Nurse Monitor (demo)",
        "medication": "racemic_ketamine",
        "route": ctx.route,
        "dose_time": "10:00",
        "dose_mg": dose,
        "weight_kg": ctx.weight,
        "intention": rng.choice(("Meet the fear with curiosity", "Let the body rest",
                                 "See the old house again, safely", "Listen to what comes")),
        "setting_supports": ["music", "eye_mask"],
        "vitals": vitals,
        "dissociation": {"instrument": ctx.dissociation_form, "minutes_from_dose": 40,
                         "answers": {str(i): answers[i - 1] for i in items}},
        "adverse_events_occurred": spike or nausea,
        "discharge_ready_time": "12:30",
        "discharge_criteria": ["vitals_near_baseline", "alert_oriented", "steady_gait",
                               "nausea_controlled", "dissociation_resolved",
                               "no_suicidal_ideation"],
        "discharged_by": "Nurse Monitor (demo)",
        "escort": "escorted",
        "escort_name": rng.choice(("Sam", "Alex", "Jo", "Chris")),
        "escort_relationship": rng.choice(("Partner", "Friend", "Parent", "Sibling")),
        "told_not_to_drive": True,
        "observations": "Settled quickly; dissociation moderate and comfortable.",
        "client_account": "Felt held; images of water and light.",
    }
    if boosters:
        content["boosters"] = boosters
    if ctx.route == "intravenous":
        content["infusion_minutes"] = 40
    if spike:
        vitals[1].update(systolic=rng.randint(181, 188), diastolic=rng.randint(100, 108))
        content["adverse_events"] = [{
            "event": "blood_pressure_rise", "severity": "mild", "serious": False,
            "onset_minutes": 35, "action_taken": "Rechecked every 10 min, reassurance",
            "outcome": "resolved", "resolved_minutes": 70}]
        content["prescriber_notified"] = True
    elif nausea:
        content["adverse_events"] = [{
            "event": "nausea", "severity": "mild", "serious": False, "onset_minutes": 25,
            "action_taken": "Ondansetron; settled in 20 min", "outcome": "resolved",
            "resolved_minutes": 45}]
        content["rescue_medications"] = [{"drug": "Ondansetron", "dose": "4 mg",
                                          "route": "sublingual", "minutes_from_dose": 27}]
        content["prescriber_notified"] = True
    return _with_demo_reasons(content)


def _with_demo_reasons(content: dict[str, Any]) -> dict[str, Any]:
    """A reason for each warning the dosing note raises, as the monitoring nurse gives it."""
    template = load_templates().latest("dosing")
    found = cautions(template, derive_values(template, content))
    reasons = {c.key: "Prescriber informed at the time; rechecked every 10 minutes and back "
                      "to baseline before discharge." for c in found}
    return with_reasons(content, found, reasons)


def _next_target(ctx: _ClientContext, kind: str) -> TargetMemory | None:
    for target in ctx.targets:
        if target.kind == kind and target.status not in ("completed", "reevaluated_clear"):
            return target
    return None


def _rate(ctx: _ClientContext, target: TargetMemory) -> tuple[int, int, int, int]:
    rng = ctx.rng
    sud, voc = ctx.ratings[target.id]
    if ctx.improves:
        end_sud, end_voc = max(0, sud - rng.randint(1, 4)), min(7, voc + rng.randint(1, 2))
    else:
        end_sud, end_voc = max(0, sud - rng.randint(0, 1)), voc
    # Between sessions some disturbance comes back.
    ctx.ratings[target.id] = (min(10, end_sud + rng.randint(0, 1)), end_voc)
    return sud, voc, end_sud, end_voc


def _emdr_content(ctx: _ClientContext, day: dt.date) -> dict[str, Any] | None:
    target = _next_target(ctx, "emdr")
    if target is None:
        return None
    rng = ctx.rng
    sud, voc, end_sud, end_voc = _rate(ctx, target)
    sets = []
    level = sud
    for _ in range(rng.randint(2, 5)):
        level = max(end_sud, level - rng.randint(0, 2))
        sets.append({"bls_type": rng.choice(("eye_movements", "eye_movements", "taps")),
                     "speed_hz": 1.0, "passes": rng.choice((24, 30, 36)),
                     "client_report": rng.choice(("Heat in chest", "Image fading",
                                                  "Sadness", "Nothing new")),
                     "sud": level})
    reaction = "abreaction" if rng.random() < 0.15 else "none"
    flow = "looping" if rng.random() < 0.1 else "flowing"
    interweave = flow == "looping" or rng.random() < 0.15
    content = {
        **_common(rng, day),
        "phases_covered": ["3", "4", "5", "6", "7"] if end_sud <= 1 else ["3", "4", "7"],
        "readiness_checked": True,
        "dissociation_screen": "no_concerns" if rng.random() < 0.9 else "concerns_managed",
        "interweaves_used": interweave,
        "processing_flow": flow,
        "in_session_reaction": reaction,
        "between_session_instructions": "Keep a brief log of what comes up; use the "
                                        "container; call the office if it feels too much.",
        "target": target.id,
        "image": target.image,
        "negative_cognition": target.negative_cognition,
        "positive_cognition": target.positive_cognition,
        "voc_start": voc,
        "emotions": target.emotions,
        "sud_start": sud,
        "body_location": target.body_location,
        "bls_sets": sets,
        "sud_end": end_sud,
        "voc_end": end_voc,
        "closure": "complete" if end_sud <= 2 else "incomplete",
        "containment_used": [] if end_sud <= 2 else ["container"],
        "stability": "stable",
        "integration_themes": rng.choice(THEMES),
        "plan": "Reevaluate this target next session.",
    }
    if end_sud <= 1:
        content["pc_kept_or_revised"] = "kept"
        content["body_scan_result"] = "clear"
    if content["dissociation_screen"] == "concerns_managed":
        content["readiness_notes"] = "Some spacing out at the start; slower sets, eyes open."
    if interweave:
        content["interweaves_notes"] = "Responsibility interweave: whose job was it?"
    if flow == "looping":
        content["processing_handling"] = "Changed direction of the eye movements; interweave."
    if reaction != "none":
        content["reaction_handling"] = "Slowed the sets, grounding through the feet; settled."
    if ctx.last_emdr_target is not None and ctx.last_emdr_target != target.id:
        previous = ctx.ratings[ctx.last_emdr_target]
        content.update(reeval_target=ctx.last_emdr_target, reeval_sud=previous[0],
                       reeval_voc=previous[1])
        content["phases_covered"] = [*content["phases_covered"], "8"]
    ctx.last_emdr_target = target.id
    return content


def _art_content(ctx: _ClientContext, day: dt.date, number: int) -> dict[str, Any] | None:
    target = _next_target(ctx, "art")
    if target is None:
        return None
    rng = ctx.rng
    sud, _voc, end_sud, _ = _rate(ctx, target)
    purposes = ("relaxation", "first_run", "second_run", "sensation_processing",
                "image_replacement", "positive_close")
    return {
        **_common(rng, day, minutes=75),
        "art_session_number": number,
        "scene": target.id,
        "content_disclosed": rng.random() < 0.5,
        "sud_before": sud,
        "art_sets": [{"purpose": p, "eye_movements": 40,
                      "sud": max(end_sud, sud - i)} for i, p in enumerate(purposes)],
        "desensitization_reached": end_sud <= 2,
        "image_replacement_done": True,
        "sud_after": end_sud,
        "scene_recheck": "clear" if end_sud <= 1 else "sensations_left",
        "plan": "Check the scene again next time.",
    }


def _ifs_content(ctx: _ClientContext, day: dt.date) -> dict[str, Any]:
    rng = ctx.rng
    worked = rng.sample(ctx.parts, min(2, len(ctx.parts)))
    ctx.self_energy = min(9.0, ctx.self_energy + (rng.uniform(0.3, 1.1) if ctx.improves
                                                   else rng.uniform(-0.5, 0.5)))
    changes = []
    for part in worked:
        nxt = {"identified": "befriended" if part.part_type != "exile" else "witnessed",
               "witnessed": "unburdened"}.get(part.status)
        if nxt and ctx.improves and rng.random() < 0.35:
            changes.append({"part": [part.id], "new_status": nxt})
    exile_work = any(c["new_status"] in ("witnessed", "unburdened") for c in changes)
    content = {
        **_common(rng, day),
        "trailhead": rng.choice(("Tightness in the chest before work",
                                 "Urge to scroll late at night", "Harsh inner voice after a "
                                 "mistake")),
        "parts_worked": [p.id for p in worked],
        "six_fs_step": rng.choice(("focus", "feel_toward", "befriend", "fears")),
        "eight_cs": rng.sample(["calm", "curiosity", "compassion", "confidence", "courage",
                                "clarity", "creativity", "connectedness"], 3),
        "self_energy": max(0, min(10, round(ctx.self_energy))),
        "protector_permission": exile_work or rng.random() < 0.6,
        "integration_themes": rng.choice(THEMES),
        "plan": "Check back with the protector before going further.",
    }
    # The main protector is a protector: an exile is never one (a session with exiles
    # alone names none, and no step of the 6 F's, which are worked with a protector).
    protector = next((p for p in worked if p.part_type != "exile"), None)
    if protector is not None:
        content["main_protector"] = [protector.id]
    else:
        del content["six_fs_step"]
    if changes:
        content["part_status_changes"] = changes
    if exile_work:
        content["unburdening_steps"] = ["witnessing"] + (
            ["unburdening"] if any(c["new_status"] == "unburdened" for c in changes) else [])
        content["backlash_check"] = "Checked back with the protectors: watchful, not alarmed."
        content["backlash_plan"] = ("If the critic gets loud, write it down and bring it next "
                                    "time; call if it becomes too much.")
    return content


def _general_content(ctx: _ClientContext, day: dt.date) -> dict[str, Any]:
    return {
        **_common(ctx.rng, day, minutes=50),
        "data": "Client described the days since the dose: sleeping better, vivid dreams.",
        "assessment": "Integration proceeding; affect within window of tolerance.",
        "plan": "Continue integration; journalling prompt on the intention.",
    }


def _write_note(
    session: Session, ctx: _ClientContext, result: DemoResult, template_id: str,
    day: dt.date, content: dict[str, Any], *, dosing_session_id: int | None = None,
    course_id: int | None = None, draft: bool = False,
) -> int:
    # Written in one go, as a note typed elsewhere and brought in; the dose number of a
    # dosing note is the one its new dosing session gets.
    content.pop("session_number", None)
    result.notes += 1
    ctx.last_session = day if ctx.last_session is None else max(ctx.last_session, day)
    if draft:
        return notes.create_note(session, ctx.client.id, template_id, author_id=ctx.actor_id,
                                 dosing_session_id=dosing_session_id, session_date=day,
                                 course_id=course_id, today=ctx.today, content=content).id
    note_id = notes.write_signed_note(session, ctx.client.id, template_id,
                                      clinician_id=ctx.actor_id, content=content,
                                      dosing_session_id=dosing_session_id, session_date=day,
                                      course_id=course_id, today=ctx.today)
    if ctx.rng.random() < 0.06:
        notes.add_addendum(session, note_id, AddendumInput(
            kind=ctx.rng.choice(ADDENDUM_KINDS.codes),
            reason="Client called the next day with more detail.",
            text="Added after a phone call: sleep was worse than reported."),
            author_id=ctx.actor_id)
    return note_id


@step
def _sessions(session: Session, ctx: _ClientContext, result: DemoResult) -> None:
    """Preparation, dosing and integration notes, each created, filled in and signed."""
    rng = ctx.rng
    art_number = 0
    recent = ctx.today - dt.timedelta(days=10)
    for plan in ctx.courses:
        course = care.add_course(session, ctx.client.id, CourseInput(
            plan.kind, plan.start,
            plan.doses[-1] + dt.timedelta(days=28) if plan.complete and plan.doses else None,
            "Reduce intrusive memories; sleep through the night; re-engage with work."),
            actor_id=ctx.actor_id)
        result.courses += 1
        prep_day = plan.start + dt.timedelta(days=2)
        if prep_day <= ctx.today:
            _write_note(session, ctx, result, "preparation", prep_day,
                        _preparation_content(ctx, prep_day, 1), course_id=course.id)
        for number, day in enumerate(plan.doses, start=1):
            note_id = _write_note(session, ctx, result, "dosing", day,
                                  _dosing_content(ctx, day, number), course_id=course.id)
            dosing = session.get_one(DosingSession,
                                     session.get_one(Note, note_id).dosing_session_id)
            ctx.dosing.append(dosing)
            result.dosing_sessions += 1
            for offset in ctx.integration_days[plan.kind]:
                when = day + dt.timedelta(days=offset)
                if when > ctx.today:
                    continue
                modality = rng.choice(ctx.modalities)
                content: dict[str, Any] | None = None
                if modality == "emdr":
                    content = _emdr_content(ctx, when)
                elif modality == "art":
                    art_number += 1
                    content = _art_content(ctx, when, art_number)
                elif modality == "ifs" and ctx.parts:
                    content = _ifs_content(ctx, when)
                if content is None:
                    modality, content = "general", _general_content(ctx, when)
                # Notes of the last days are often still drafts, as in real practice.
                draft = when >= recent and rng.random() < 0.6
                _write_note(session, ctx, result, modality, when, content,
                            dosing_session_id=dosing.id, draft=draft)
                _complete_targets(session, ctx)


def _complete_targets(session: Session, ctx: _ClientContext) -> None:
    for target in ctx.targets:
        sud, voc = ctx.ratings[target.id]
        if target.status == "in_processing" and sud == 0 and voc >= 6:
            targets.change_definition(session, target, {"status": "completed"},
                                      actor_id=ctx.actor_id)


@dataclass
class _Given:
    """One administration to write: when, how it relates to care, the item answers."""

    instrument: str
    day: dt.date
    relation: str
    answers: list[int]
    dosing: DosingSession | None = None
    index_event: str | None = None


def _administer(session: Session, ctx: _ClientContext, given: list[_Given]) -> None:
    """Write a client's administrations as plain rows (models.services.rows): the same
    rows the ORM would write, a fraction of the work for the thousands of item answers of
    a large practice; in the demo's block, held and written with the practice's others."""
    known = load_instruments()
    ids = [insert_row(session, MeasureAdministration, {
        "client_id": ctx.client.id, "instrument_id": g.instrument,
        "instrument_version": known[g.instrument].version,
        "administered_on": g.day, "relation_to_care": g.relation,
        "dosing_session_id": g.dosing.id if g.dosing is not None else None,
        "index_event": g.index_event,
    }) for g in given]
    insert_rows(session, ItemResponse, [
        {"administration_id": admin_id, "item_number": i, "value": v}
        for admin_id, g in zip(ids, given, strict=True)
        for i, v in enumerate(g.answers, 1)])
    for admin_id, g in zip(ids, given, strict=True):  # as entering each one records it
        measures.audit_entered(session, admin_id, ctx.client.id, g.instrument,
                               actor_id=ctx.actor_id)


_MEASURES = (
    # id, items, max per item, baseline range, improved floor
    ("phq9", 9, 3, (14, 23), 4),
    ("gad7", 7, 3, (11, 18), 4),
    ("pcl5", 20, 4, (38, 62), 14),
)
# PHQ-9 and GAD-7 ask about the last 2 weeks and the PCL-5 about the last month: given
# closer together than this, two administrations would rate the same days.
MIN_DAYS_APART = {"phq9": 7, "gad7": 7, "pcl5": 28}
# Follow-ups after the last dose of a course, in days.
FOLLOW_UPS = (30, 60, 90)


@dataclass(frozen=True)
class _Occasion:
    """A day a measure may be given, and the course it falls in."""

    day: dt.date
    relation: str
    first_dose: dt.date
    course_end: dt.date


def _occasions(ctx: _ClientContext) -> list[_Occasion]:
    """Every day measures may be given: before each course, two days after each dose, and
    follow-ups after each course (cut off at today)."""
    found = []
    for index, plan in enumerate(ctx.courses):
        if not plan.doses:
            continue
        first, last = plan.doses[0], plan.doses[-1]
        found.append(_Occasion(first - dt.timedelta(days=5),
                               "baseline" if index == 0 else "before_dose", first, last))
        found += [_Occasion(d + dt.timedelta(days=2), "integration", first, last)
                  for d in plan.doses]
        if plan.complete:
            found += [_Occasion(last + dt.timedelta(days=n), "follow_up", first, last)
                      for n in FOLLOW_UPS]
    return sorted((o for o in found if o.day <= ctx.today), key=lambda o: o.day)


def _spaced(occasions: list[_Occasion], days_apart: int) -> list[_Occasion]:
    kept: list[_Occasion] = []
    for occasion in occasions:
        if not kept or (occasion.day - kept[-1].day).days >= days_apart:
            kept.append(occasion)
    return kept


@step
def _measures(session: Session, ctx: _ClientContext, result: DemoResult) -> None:
    rng = ctx.rng
    if not ctx.dosing:
        return
    occasions = _occasions(ctx)
    given: list[_Given] = []
    for instrument, n_items, max_value, (low, high), floor in _MEASURES:
        baseline = rng.randint(low, high)
        for occasion in _spaced(occasions, MIN_DAYS_APART[instrument]):
            level = _level(rng, ctx.outcome, baseline, floor, occasion.day,
                           occasion.first_dose, occasion.course_end)
            answers = fill_items(rng, n_items, max_value, round(level))
            if instrument == "phq9":
                # Item 9 (thoughts of death or self-harm) now and then: early in care, and
                # again when symptoms come back.
                early = occasion.day <= occasion.first_dose + dt.timedelta(days=14)
                back = ctx.outcome == "relapse" and occasion.relation == "follow_up"
                answers[8] = 1 if rng.random() < (0.25 if early or back else 0.04) else 0
                answers.append(rng.randint(0, 3))  # unscored difficulty question
            elif instrument == "gad7":
                answers.append(rng.randint(0, 3))  # unscored difficulty question
            given.append(_Given(instrument, occasion.day, occasion.relation, answers,
                                index_event=ctx.index_event if instrument == "pcl5" else None))
            result.administrations += 1
    _administer(session, ctx, given)
    # The measures are entered before the notes that answer a positive item 9 are signed.
    for g in given:
        if g.instrument == "phq9" and g.answers[8] > 0:
            _risk_check_after(session, ctx, result, g.day)


def _risk_check_after(session: Session, ctx: _ClientContext, result: DemoResult,
                      day: dt.date) -> None:
    """A positive item 9 is followed up that day: a note documents the risk check. Only a
    flag of the last few days, with no session since, is still open."""
    later = ctx.last_session is not None and ctx.last_session > day  # a session since
    if not later and day >= ctx.today - dt.timedelta(days=3):
        return
    rng = ctx.rng
    content = {**_common(rng, day, minutes=30), "delivery": "telehealth"}
    if rng.random() < 0.7:
        content.update(suicidal_ideation="present", **_passive_ideation(rng))
    else:
        for key in [k for k in content if k.startswith("risk_")]:
            del content[key]
        content.update(suicidal_ideation="denied", risk_notes=(
            "Called about PHQ-9 item 9: says it reflected one bad night after an argument; "
            "denies current thoughts of death or self-harm. Safety plan re-sent."))
    content.update(
        data="Phone check after the PHQ-9 answer on thoughts of death or self-harm.",
        assessment="Risk assessed: see the risk check.",
        plan="Keep the next session; call sooner if the thoughts return.")
    _write_note(session, ctx, result, "general", day, content)


def _client_name(rng: random.Random, index: int) -> str:
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    surname = SURNAMES[(index // len(FIRST_NAMES) + rng.randint(0, 3)) % len(SURNAMES)]
    return f"{first} {surname}"


def demo_clinician(session: Session) -> int:
    existing = clinicians.primary_clinician(session)
    if existing is not None:
        return existing.id
    return clinicians.create_clinician(session, "Dr. Demo Clinician", "PsyD, LMFT",
                                       "DEMO-0000").id


def _new_client(session: Session, rng: random.Random, record_number: str, name: str,
                actor_id: int) -> Client:
    client = Client(
        record_number=record_number,
        name=name,
        date_of_birth=dt.date(rng.randint(1955, 2002), rng.randint(1, 12), rng.randint(1, 28)),
        pronouns=rng.choice(PRONOUNS),
        contact="demo@example.invalid",
        emergency_contact="Demo Contact, 555-0100",
        diagnoses=rng.choice(DIAGNOSES),
        courses=[],
        status_history=[],
    )
    write_new(session, client)
    audit.record(session, "demo.client", entity="client", entity_id=client.id,
                 client_id=client.id, actor_id=actor_id)
    return client


def generate_demo(session: Session, plan: DemoPlan | None = None) -> DemoResult:
    """Write a whole demo practice into the session's vault (in the caller's transaction)."""
    plan = plan or DemoPlan()
    return generate_clients(session, plan, range(plan.clients),
                            existing=session.query(Client).count())


def generate_clients(session: Session, plan: DemoPlan, indices: range, *,
                     existing: int) -> DemoResult:
    """Write the plan's clients with these indices (the whole practice, or one shard of it
    built in another process: models.demo_shards). Client i is the same whichever shard
    writes it: its numbers come from the plan's seed and its place, C-{existing + i + 1}.
    """
    rng = random.Random(plan.seed)
    for _ in range(indices.start):  # each client draws its own seed from the plan's
        rng.getrandbits(64)
    actor_id = demo_clinician(session)
    result = DemoResult()
    # The audit events, index entries and new rows of the whole practice are written
    # together, each still its own (rows: held until a read or a flush needs them); each
    # note's checks read the doses and preparations the batch keeps (notes.batched), and
    # each map snapshot the parts and relations it keeps (parts.batched).
    with collections_paused(), _rows_kept(session) as kept, audit.batched(session), \
            search.batched(session), rows.batched(session), notes.batched(session), \
            parts.batched(session):
        for i in indices:
            kept.clear()  # what one client's steps wrote: the next client reads none of it
            _generate_client(session, plan, rng, existing + i + 1, i, actor_id, result)
    session.flush()
    return result


@contextmanager
def _rows_kept(session: Session) -> Iterator[list[object]]:
    """Hold every row the session writes or reads until the caller clears the list.

    The session only keeps weak references to clean rows, so a row a service wrote (a
    note, its dosing session, a target) is dropped when the service returns and read
    back by the next service that needs it. Held here, each is read once per client.
    """
    kept: list[object] = []

    def keep(_session: Session, instance: object) -> None:
        kept.append(instance)

    # A signed note comes in written (notes.write_signed_note): detached to persistent.
    events = ("pending_to_persistent", "loaded_as_persistent", "detached_to_persistent")
    for name in events:
        event.listen(session, name, keep)
    try:
        yield kept
    finally:
        for name in events:
            event.remove(session, name, keep)
        kept.clear()


def _generate_client(session: Session, plan: DemoPlan, rng: random.Random, number: int,
                     index: int, actor_id: int, result: DemoResult) -> None:
    client_rng = random.Random(rng.getrandbits(64))
    start = plan.today - dt.timedelta(days=client_rng.randint(45, plan.span_days))
    client = _new_client(session, client_rng, f"C-{number:04d}",
                         _client_name(client_rng, index), actor_id)
    outcome = client_rng.choices(OUTCOMES, weights=(0.62, 0.18, 0.20))[0]
    ctx = _ClientContext(client=client, rng=client_rng, improves=outcome != "no_response",
                         start=start, today=plan.today, actor_id=actor_id, outcome=outcome)
    for generate in STEPS:
        generate(session, ctx, result)
    if ctx.dosing and ctx.dosing[-1].session_date < plan.today - dt.timedelta(days=120):
        clients.discharge_client(session, client.id, StatusChangeInput(
            ctx.dosing[-1].session_date + dt.timedelta(days=60),
            "Course of care completed; discharged to self-care."),
            today=plan.today, actor_id=actor_id)
    result.clients += 1


def generate_heavy_client(
    session: Session, sessions: int = 300, seed: int = 11, today: dt.date | None = None
) -> int:
    """One client with a very long record, for benchmarks.

    `sessions` counts every session: one in five is a dosing session, the other four are
    the integration sessions after it, as in a long spaced programme.
    """
    today = today or dt.date.today()
    rng = random.Random(seed)
    actor_id = demo_clinician(session)
    existing = session.query(Client).count()
    client = _new_client(session, rng, f"C-{existing + 1:04d}", "Longrecord Fixture", actor_id)
    doses = max(1, sessions // 5)
    start = today - dt.timedelta(days=doses * 14 + 30)
    ctx = _ClientContext(client=client, rng=rng, improves=True, start=start, today=today,
                         actor_id=actor_id,
                         integration_days={"intensive": (1, 3, 6, 10), "spaced": (1, 3, 6, 10)})
    per_course = 6
    for c in range(0, doses, per_course):
        first = start + dt.timedelta(days=c * 14)
        ctx.courses.append(_CoursePlan(
            "spaced", first - dt.timedelta(days=7),
            [first + dt.timedelta(days=k * 14) for k in range(min(per_course, doses - c))],
            True))
    result = DemoResult()
    with audit.batched(session), search.batched(session), rows.batched(session), \
            notes.batched(session), parts.batched(session):
        for generate in (s for s in STEPS if s is not _plan_courses):
            generate(session, ctx, result)
            if generate is _registry:  # every modality, so every kind of note is in the record
                ctx.modalities = ("emdr", "art", "ifs", "general")
    session.flush()
    return client.id
