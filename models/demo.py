"""A seeded, reproducible demo practice: synthetic clients with whole KAP courses of care.

Every name is obviously synthetic. The generator is built from small steps (one per kind
of record) so later features add a step rather than rewrite it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from models import audit
from models.entities import (
    Client,
    Course,
    DosingBooster,
    DosingSession,
    DosingVital,
    IfsPart,
    ItemResponse,
    MeasureAdministration,
    PartRelation,
    TargetMemory,
    TargetRating,
)
from models.services import clinicians

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


@dataclass
class _ClientContext:
    """What one client's generation steps share."""

    client: Client
    rng: random.Random
    improves: bool
    start: dt.date
    today: dt.date
    actor_id: int
    dosing: list[DosingSession] = field(default_factory=list)
    targets: list[TargetMemory] = field(default_factory=list)
    parts: list[IfsPart] = field(default_factory=list)


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
    for _ in range(total):
        open_items = [i for i, v in enumerate(values) if v < max_value]
        values[rng.choice(open_items)] += 1
    return values


def _trajectory(
    rng: random.Random, baseline: float, floor: float, improves: bool, k: int, n: int
) -> float:
    """Symptom level at step k of n: falls toward floor for improvers, drifts for the rest."""
    if improves:
        progress = 1 - (1 - k / max(n - 1, 1)) ** 1.6
        level = baseline - (baseline - floor) * progress
    else:
        level = baseline + rng.uniform(-1.5, 1.5) * (k > 0)
    return level + rng.gauss(0, 1.4)


@step
def _courses_and_dosing(session: Session, ctx: _ClientContext, result: DemoResult) -> None:
    rng = ctx.rng
    course_start = ctx.start
    n_courses = 1 if rng.random() < 0.75 else 2
    weight = round(rng.uniform(52, 105), 1)
    for _ in range(n_courses):
        kind = "intensive" if rng.random() < 0.4 else "spaced"
        n_doses = rng.randint(4, 6)
        gap_days = (1, 2) if kind == "intensive" else (7, 14)
        route = rng.choice(("sublingual", "intramuscular", "intravenous"))
        first_dose = course_start + dt.timedelta(days=rng.randint(7, 14))
        dates = [first_dose]
        for _ in range(n_doses - 1):
            dates.append(dates[-1] + dt.timedelta(days=rng.randint(*gap_days)))
        # A course still under way keeps the doses given so far; one whose first dose is
        # still ahead is in preparation.
        dates = [d for d in dates if d <= ctx.today]
        end = (dates[-1] if dates else first_dose) + dt.timedelta(days=28)
        course = Course(
            client=ctx.client,
            kind=kind,
            start_date=course_start,
            end_date=end if end <= ctx.today and len(dates) == n_doses else None,
            goals="Reduce intrusive memories; sleep through the night; re-engage with work.",
        )
        session.add(course)
        result.courses += 1
        for number, day in enumerate(dates, start=1):
            dosing = _dosing_session(course, number, day, route, weight, rng)
            session.add(dosing)
            ctx.dosing.append(dosing)
            result.dosing_sessions += 1
        course_start = end + dt.timedelta(days=rng.randint(30, 120))
        if course_start > ctx.today:
            break


def _dosing_session(
    course: Course, number: int, day: dt.date, route: str, weight: float, rng: random.Random
) -> DosingSession:
    if route == "intravenous":
        dose = round(0.5 * weight + rng.uniform(-2, 2), 1)
    elif route == "intramuscular":
        dose = round(rng.choice((0.5, 0.75, 1.0)) * weight, 1)
    else:
        dose = float(rng.choice((100, 200, 300, 400)))
    cadss = rng.randint(8, 40)
    row = DosingSession(
        course=course,
        number=number,
        session_date=day,
        start_time=dt.time(rng.choice((9, 10, 13)), 0),
        setting="in_office",
        medication="racemic_ketamine",
        route=route,
        dose_mg=dose,
        weight_kg=weight,
        infusion_minutes=40 if route == "intravenous" else None,
        prescriber="Dr. Prescriber (demo)",
        monitoring_clinician="Nurse Monitor (demo)",
        intention=rng.choice(("Meet the fear with curiosity", "Let the body rest",
                              "See the old house again, safely", "Listen to what comes")),
        set_and_setting="Eye mask, curated playlist, weighted blanket.",
        cadss_total=cadss,
        cadss6_total=min(24, cadss // 4 + rng.randint(0, 3)),
        moaas=rng.choice((3, 4, 4, 5)),
        adverse_events=rng.choice(("", "", "", "Mild nausea, resolved without action")),
        ready_for_discharge=dt.time(12, 30),
        ride_home_confirmed=True,
        observations="Settled quickly; dissociation moderate and comfortable.",
        client_account="Felt held; images of water and light.",
    )
    row.vitals = [
        DosingVital(minutes_from_dose=m, systolic=rng.randint(112, 150) + bump,
                    diastolic=rng.randint(70, 92), heart_rate=rng.randint(62, 96),
                    spo2=rng.randint(95, 100))
        for m, bump in ((-10, 0), (40, 12), (110, 0))
    ]
    if rng.random() < 0.2:
        row.boosters = [DosingBooster(minutes_from_dose=20, dose_mg=round(dose * 0.25, 1))]
    return row


def _administer(
    session: Session,
    ctx: _ClientContext,
    instrument: str,
    day: dt.date,
    relation: str,
    answers: list[int],
    dosing: DosingSession | None = None,
) -> None:
    admin = MeasureAdministration(
        client_id=ctx.client.id,
        instrument_id=instrument,
        instrument_version=1,
        administered_on=day,
        relation_to_care=relation,
        dosing_session_id=dosing.id if dosing is not None else None,
    )
    admin.responses = [ItemResponse(item_number=i, value=v) for i, v in enumerate(answers, 1)]
    session.add(admin)


_MEASURES = (
    # id, items, max per item, baseline range, improved floor
    ("phq9", 9, 3, (14, 23), 4),
    ("gad7", 7, 3, (11, 18), 4),
    ("pcl5", 20, 4, (38, 62), 14),
)


@step
def _measures(session: Session, ctx: _ClientContext, result: DemoResult) -> None:
    rng = ctx.rng
    if not ctx.dosing:
        return
    session.flush()  # ids for the dosing sessions
    days = [ctx.dosing[0].session_date - dt.timedelta(days=5)]
    relations = ["baseline"]
    for d in ctx.dosing:
        days.append(d.session_date + dt.timedelta(days=2))
        relations.append("integration")
    follow_up = ctx.dosing[-1].session_date + dt.timedelta(days=30)
    if follow_up <= ctx.today:
        days.append(follow_up)
        relations.append("follow_up")
    for instrument, n_items, max_value, (low, high), floor in _MEASURES:
        baseline = rng.randint(low, high)
        for k, (day, relation) in enumerate(zip(days, relations, strict=True)):
            level = baseline if k == 0 else _trajectory(
                rng, baseline, floor, ctx.improves, k, len(days))
            answers = fill_items(rng, n_items, max_value, round(level))
            if instrument == "phq9":
                # Item 9 (thoughts of death or self-harm) now and then, mostly early on.
                answers[8] = 1 if rng.random() < (0.25 if k < 2 else 0.05) else 0
                answers.append(rng.randint(0, 3))  # unscored difficulty question
            _administer(session, ctx, instrument, day, relation, answers)
            result.administrations += 1
    for dosing in ctx.dosing:
        total = dosing.cadss_total or 0
        _administer(session, ctx, "cadss", dosing.session_date, "after_dose",
                    fill_items(rng, 23, 4, total), dosing)
        result.administrations += 1


@step
def _targets(session: Session, ctx: _ClientContext, result: DemoResult) -> None:
    rng = ctx.rng
    if not ctx.dosing:
        return
    chosen = rng.sample(TARGET_LABELS, rng.randint(2, 4))
    for i, (label, nc, pc) in enumerate(chosen):
        kind = "art" if rng.random() < 0.25 else "emdr"
        sud0, voc0 = rng.randint(6, 10), rng.randint(1, 3)
        target = TargetMemory(
            client_id=ctx.client.id,
            kind=kind,
            label=label,
            prong="future" if label.startswith("Future") else rng.choice(("past", "present")),
            touchstone=i == 0,
            found_by=rng.choice(("float_back", "affect_bridge", "direct")),
            image="The worst part, as the client sees it now.",
            negative_cognition=nc,
            positive_cognition=pc,
            emotions=rng.choice(("fear", "shame", "sadness", "anger")),
            body_location=rng.choice(("chest", "throat", "stomach", "shoulders")),
            baseline_sud=sud0,
            baseline_voc=voc0,
            identified_on=ctx.dosing[0].session_date - dt.timedelta(days=3),
        )
        session.add(target)
        ctx.targets.append(target)
        result.targets += 1
        sud, voc = sud0, voc0
        worked = ctx.dosing[i:] if ctx.improves else ctx.dosing[i: i + 2]
        for dose in worked:
            day = dose.session_date + dt.timedelta(days=1)
            if day > ctx.today:
                break
            end_sud = max(0, sud - rng.randint(1, 4)) if ctx.improves else max(
                0, sud - rng.randint(0, 1))
            end_voc = min(7, voc + rng.randint(1, 2)) if ctx.improves else voc
            target.ratings.append(TargetRating(rated_on=day, point="start", sud=sud, voc=voc))
            target.ratings.append(TargetRating(rated_on=day, point="end", sud=end_sud,
                                               voc=end_voc))
            sud, voc = end_sud, end_voc
        if sud == 0 and voc >= 6:
            target.status = "completed"
        elif target.ratings:
            target.status = "in_processing"


@step
def _parts(session: Session, ctx: _ClientContext, result: DemoResult) -> None:
    rng = ctx.rng
    if not ctx.dosing:
        return
    chosen = rng.sample(PART_SEEDS, rng.randint(3, 5))
    for i, (name, part_type, role) in enumerate(chosen):
        part = IfsPart(
            client_id=ctx.client.id,
            name=name,
            part_type=part_type,
            role=role,
            age_appearance=rng.choice(("about 7", "teenager", "ageless", "adult in a suit")),
            body_location=rng.choice(("chest", "jaw", "belly", "behind the eyes")),
            fears="That the exile's pain will flood everything.",
            trust_in_self=rng.randint(2, 8),
            status=rng.choice(("identified", "befriended")) if part_type != "exile" else (
                "witnessed" if ctx.improves else "identified"),
            first_seen=ctx.dosing[0].session_date + dt.timedelta(days=i),
            map_x=float(rng.randint(-220, 220)),
            map_y=float(rng.randint(-160, 160)),
        )
        session.add(part)
        ctx.parts.append(part)
        result.parts += 1
    session.flush()
    protectors = [p for p in ctx.parts if p.part_type in ("manager", "firefighter")]
    exiles = [p for p in ctx.parts if p.part_type == "exile"]
    for protector in protectors:
        for exile in exiles:
            session.add(PartRelation(client_id=ctx.client.id, kind="protects",
                                     from_part_id=protector.id, to_part_id=exile.id))
    managers = [p for p in protectors if p.part_type == "manager"]
    firefighters = [p for p in protectors if p.part_type == "firefighter"]
    if managers and firefighters:
        a, b = sorted((managers[0].id, firefighters[0].id))
        session.add(PartRelation(client_id=ctx.client.id, kind="polarized",
                                 from_part_id=a, to_part_id=b))
    if ctx.targets and exiles:
        ctx.targets[0].part_id = exiles[0].id


def _client_name(rng: random.Random, index: int) -> str:
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    surname = SURNAMES[(index // len(FIRST_NAMES) + rng.randint(0, 3)) % len(SURNAMES)]
    return f"{first} {surname}"


def generate_demo(session: Session, plan: DemoPlan | None = None) -> DemoResult:
    """Write a whole demo practice into the session's vault (in the caller's transaction)."""
    plan = plan or DemoPlan()
    rng = random.Random(plan.seed)
    clinician = clinicians.primary_clinician(session) or clinicians.create_clinician(
        session, "Dr. Demo Clinician", "PsyD, LMFT", "DEMO-0000"
    )
    result = DemoResult()
    existing = session.query(Client).count()
    for i in range(plan.clients):
        client_rng = random.Random(rng.getrandbits(64))
        start = plan.today - dt.timedelta(days=client_rng.randint(45, plan.span_days))
        client = Client(
            record_number=f"C-{existing + i + 1:04d}",
            name=_client_name(client_rng, i),
            preferred_name="",
            date_of_birth=dt.date(client_rng.randint(1955, 2002), client_rng.randint(1, 12),
                                  client_rng.randint(1, 28)),
            pronouns=client_rng.choice(PRONOUNS),
            contact="demo@example.invalid",
            emergency_contact="Demo Contact, 555-0100",
            diagnoses=client_rng.choice(DIAGNOSES),
        )
        session.add(client)
        session.flush()
        ctx = _ClientContext(
            client=client,
            rng=client_rng,
            improves=client_rng.random() < 0.8,
            start=start,
            today=plan.today,
            actor_id=clinician.id,
        )
        for generate in STEPS:
            generate(session, ctx, result)
        if ctx.dosing and ctx.dosing[-1].session_date < plan.today - dt.timedelta(days=120):
            client.status = "discharged"
            client.discharged_on = ctx.dosing[-1].session_date + dt.timedelta(days=60)
        result.clients += 1
        audit.record(session, "demo.client", entity="client", entity_id=client.id,
                     client_id=client.id, actor_id=clinician.id)
    session.flush()
    return result


def generate_heavy_client(
    session: Session, sessions: int = 300, seed: int = 11, today: dt.date | None = None
) -> int:
    """One client with a very long record, for benchmarks.

    `sessions` counts every session: one in five is a dosing session, the rest are the
    integration sessions that follow it (notes), as in a long spaced programme.
    """
    today = today or dt.date.today()
    rng = random.Random(seed)
    clinician = clinicians.primary_clinician(session) or clinicians.create_clinician(
        session, "Dr. Demo Clinician", "PsyD", "DEMO-0000"
    )
    existing = session.query(Client).count()
    client = Client(record_number=f"C-{existing + 1:04d}", name="Longrecord Fixture")
    session.add(client)
    session.flush()
    doses = max(1, sessions // 5)
    start = today - dt.timedelta(days=doses * 14 + 30)
    ctx = _ClientContext(client=client, rng=rng, improves=True, start=start, today=today,
                         actor_id=clinician.id)
    per_course = 6
    for c in range(0, doses, per_course):
        course = Course(client=client, kind="spaced",
                        start_date=start + dt.timedelta(days=c * 14))
        session.add(course)
        for k in range(min(per_course, doses - c)):
            day = start + dt.timedelta(days=(c + k) * 14 + 1)
            dosing = _dosing_session(course, k + 1, day, "sublingual", 70.0, rng)
            session.add(dosing)
            ctx.dosing.append(dosing)
    result = DemoResult()
    for generate in (s for s in STEPS if s is not _courses_and_dosing):
        generate(session, ctx, result)
    session.flush()
    return client.id
