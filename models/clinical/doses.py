"""Dose numbers and the "follows dose" line: one numbering, within each course, everywhere.

A dosing session is numbered within its course (D1..Dn), as the course record numbers it.
When a client has more than one course the course is named too ("C2 D3"), so a number
never points at two doses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from models.dto import CourseDTO, DosingSessionDTO, NoteDTO
from models.formatting import counted, date_text, mg_per_kg_text, number_text
from models.instruments.series import DosingMarker
from models.values import is_number
from models.vocabulary import (
    FOLLOWS_A_DOSE,
    INTEGRATION_AFTER_A_DOSE,
    INTEGRATION_AFTER_FIRST_DOSE,
    MODALITIES,
    ROUTES,
)


@dataclass(frozen=True)
class DoseRef:
    """Where one dosing session sits in the client's care."""

    dosing_session_id: int
    course_index: int  # 1 for the first course, by start date
    number: int  # within the course
    label: str  # "D3", or "C2 D3" when the client has several courses
    when: dt.date
    ordinal: int  # 1.. over the whole record, by date: a position on an axis


def dose_refs(courses: Sequence[CourseDTO]) -> dict[int, DoseRef]:
    """Dosing session id -> its place, for every dose of the client's courses."""
    ordered = sorted(courses, key=lambda c: (c.start_date, c.id))
    several = len(ordered) > 1
    doses = [(index, course, dose) for index, course in enumerate(ordered, start=1)
             for dose in course.dosing_sessions]
    by_date = sorted(doses, key=lambda item: (item[2].session_date, item[2].number, item[2].id))
    ordinals = {item[2].id: n for n, item in enumerate(by_date, start=1)}
    return {
        dose.id: DoseRef(
            dose.id, index, dose.number, dose_label_text(index, dose.number, several),
            dose.session_date, ordinals[dose.id])
        for index, _course, dose in doses
    }


def dose_label_text(course_index: int, number: int, several_courses: bool) -> str:
    """'D3', or 'C2 D3' when the client has more than one course: the one numbering."""
    return f"C{course_index} D{number}" if several_courses else f"D{number}"


def dosing_markers(courses: Sequence[CourseDTO]) -> tuple[DosingMarker, ...]:
    """Every dose as a chart marks it on a time axis, in date order, labelled as above."""
    refs = sorted(dose_refs(courses).values(), key=lambda r: r.ordinal)
    return tuple(DosingMarker(r.when, r.ordinal, r.label, r.course_index, r.number)
                 for r in refs)


def dose_labels(courses: Sequence[CourseDTO]) -> dict[int, str]:
    """Dosing session id -> 'D3' / 'C2 D3', for every dose of these courses (number them
    once where many notes need their labels)."""
    return {i: ref.label for i, ref in dose_refs(courses).items()}


def dose_before(courses: Sequence[CourseDTO],
                dosing_session_id: int | None) -> tuple[DoseRef, DosingSessionDTO] | None:
    """The client's dose just before this one, over all their courses (by day, then
    number), with its place; None for the first."""
    refs = dose_refs(courses)
    ref = refs.get(dosing_session_id) if dosing_session_id is not None else None
    if ref is None:
        return None
    earlier = [r for r in refs.values() if r.ordinal < ref.ordinal]
    if not earlier:
        return None
    before = max(earlier, key=lambda r: r.ordinal)
    dose = next(d for c in courses for d in c.dosing_sessions
                if d.id == before.dosing_session_id)
    return before, dose


def dose_label(courses: Sequence[CourseDTO], dosing_session_id: int | None) -> str:
    """'D3' / 'C2 D3' for a dosing session of these courses; '' for none."""
    if dosing_session_id is None:
        return ""
    ref = dose_refs(courses).get(dosing_session_id)
    return ref.label if ref is not None else ""


def dose_numbers_label(numbers: Sequence[int]) -> str:
    """Doses of one course under one label: 'D3', 'D1–4', 'D2,D5'."""
    numbers = sorted(numbers)
    if len(numbers) == 1:
        return f"D{numbers[0]}"
    if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
        return f"D{numbers[0]}–{numbers[-1]}"
    return ",".join(f"D{n}" for n in numbers)


def dose_range_label(refs: Iterable[DoseRef]) -> str:
    """Several doses under one label: 'D1–4', 'D2,D5', 'C1 D5, C2 D1–2'."""
    by_course: dict[int, list[DoseRef]] = {}
    for ref in sorted(refs, key=lambda r: (r.course_index, r.number)):
        by_course.setdefault(ref.course_index, []).append(ref)
    several = any(r.label.startswith("C") for group in by_course.values() for r in group)
    parts = []
    for index, group in by_course.items():
        text = dose_numbers_label([r.number for r in group])
        parts.append(f"C{index} {text}" if several else text)
    return ", ".join(parts)


@dataclass(frozen=True)
class CourseDose:
    """One dose of a client's course as the record holds it: which, its course, its
    number, its day (none yet for a session entered without one)."""

    id: int
    course_id: int
    number: int
    session_date: dt.date | None


def next_dose_number(numbers: Iterable[int]) -> int:
    """The number a new dose of a course takes: one past the course's highest."""
    return max(numbers, default=0) + 1


def first_of_course(dose: CourseDose, doses: Iterable[CourseDose]) -> bool:
    """No other dose of the course comes before this one: on an earlier day, or on the same
    day with a lower number (a dose without a day comes before none)."""
    day = dose.session_date
    return day is None or not any(
        other.id != dose.id and other.session_date is not None
        and (other.session_date < day
             or (other.session_date == day and other.number < dose.number))
        for other in doses)


def latest_dose_on(doses: Iterable[CourseDose], day: dt.date) -> CourseDose | None:
    """The dose a note of this day follows: the client's last one on or before the day
    (the later entered of two on one day)."""
    given = [d for d in doses if d.session_date is not None and d.session_date <= day]
    return max(given, key=lambda d: (d.session_date, d.id), default=None)


# ------------------------------------------------------------------ the integration window

def course_doses(course: CourseDTO) -> list[CourseDose]:
    return [CourseDose(d.id, d.course_id, d.number, d.session_date)
            for d in course.dosing_sessions]


class IntegrationPlan(NamedTuple):
    """How many integration sessions a course plans after its first dose and after each
    later one (vocabulary.INTEGRATION_AFTER_FIRST_DOSE, INTEGRATION_AFTER_A_DOSE unless the
    course says otherwise)."""

    after_first: int = INTEGRATION_AFTER_FIRST_DOSE
    after_each: int = INTEGRATION_AFTER_A_DOSE


DEFAULT_PLAN = IntegrationPlan()


def plan_of(course: CourseDTO) -> IntegrationPlan:
    return IntegrationPlan(course.integration_after_first, course.integration_after_each)


def integration_plan_text(plan: IntegrationPlan) -> str:
    """'This course plans 2 integration sessions after its first dose and 1 after each
    later one.'"""
    first, each = plan
    if not first and not each:
        return "This course plans no integration sessions after its doses."
    if not first:
        return (f"This course plans no integration session after its first dose and "
                f"{counted(each, 'integration session')} after each later one.")
    later = f"{each} after each later one" if each else "none after the later ones"
    return f"This course plans {counted(first, 'integration session')} after its first " \
           f"dose and {later}."


@dataclass(frozen=True)
class IntegrationDue:
    """A course's latest dose, followed by fewer integration sessions than the plan."""

    dose: CourseDose
    held: int  # the integration notes that follow it, signed or not
    planned: int


def integration_planned(dose: CourseDose, doses: Iterable[CourseDose],
                        plan: IntegrationPlan = DEFAULT_PLAN) -> int:
    """How many integration sessions its course's plan sets after this dose."""
    return plan.after_first if first_of_course(dose, doses) else plan.after_each


def course_waits(end_date: dt.date | None, today: dt.date, *, in_care: bool) -> bool:
    """A course waits for integration while it goes on (until the end date it was given
    has passed; none: it goes on) and its client is in care (not discharged)."""
    return in_care and (end_date is None or end_date >= today)


def course_span_text(start: dt.date, end: dt.date | None, today: dt.date) -> str:
    """A course's dates in words, as of `today`: "16 Oct 2026 – ongoing"; with an end
    still ahead, a plan, "16 Oct 2026 – ongoing, planned to end 25 Dec 2026" (it goes on
    through that day, as course_waits has it); once ended, "16 Oct 2026 – 25 Dec 2026"."""
    begun = date_text(start)
    if end is None:
        return f"{begun} – ongoing"
    if end >= today:
        return f"{begun} – ongoing, planned to end {date_text(end)}"
    return f"{begun} – {date_text(end)}"


def integration_held(notes: Iterable[NoteDTO]) -> dict[int, int]:
    """How many integration notes (signed or not) follow each dose, by dose id."""
    held: dict[int, int] = {}
    for note in notes:
        if note.dosing_session_id is not None and follows_a_dose(note.template_id):
            held[note.dosing_session_id] = held.get(note.dosing_session_id, 0) + 1
    return held


def course_integration_due(course: CourseDTO, held: Mapping[int, int], today: dt.date, *,
                           in_care: bool) -> IntegrationDue | None:
    """What a course's integration window waits for (integration_due), while the course
    goes on and the client is in care."""
    if not course_waits(course.end_date, today, in_care=in_care):
        return None
    return integration_due(course_doses(course), held, plan_of(course))


def integration_due(doses: Sequence[CourseDose], held: Mapping[int, int],
                    plan: IntegrationPlan = DEFAULT_PLAN) -> IntegrationDue | None:
    """What an ongoing course's integration window still waits for: its latest dose, while
    fewer integration notes follow it (`held`: by dose id) than its `plan` sets. Once a later
    dose is given, the earlier window has passed; whether the course is ongoing (not
    ended, the client in care) is the caller's to say."""
    dated = [d for d in doses if d.session_date is not None]
    if not dated:
        return None
    latest = max(dated, key=lambda d: (d.session_date, d.number, d.id))
    planned = integration_planned(latest, doses, plan)
    count = held.get(latest.id, 0)
    return IntegrationDue(latest, count, planned) if count < planned else None


def likely_next_note(courses: Sequence[CourseDTO], notes: Sequence[NoteDTO],
                     today: dt.date, *, in_care: bool) -> str | None:
    """The kind of note (a template id) a client most likely needs next, offered first
    when a note is started: while a dose awaits its integration sessions, an integration
    note of the kind the client's latest one was (a general one if none was written yet);
    before any dose or preparation note, a preparation note (the course begins there);
    otherwise none is more likely than another."""
    held = integration_held(notes)
    if any(course_integration_due(c, held, today, in_care=in_care) for c in courses):
        integration = [n for n in notes if follows_a_dose(n.template_id)]
        latest = max(integration, key=lambda n: (n.session_date, n.id), default=None)
        return latest.template_id if latest is not None else "general"
    if not any(c.dosing_sessions for c in courses) and not any(
            n.template_id in ("preparation", "dosing") for n in notes):
        return "preparation"
    return None


def dosing_notes(notes: Iterable[NoteDTO]) -> dict[int, NoteDTO]:
    """The note that records each dosing session (template 'dosing'), by dosing session id."""
    return {n.dosing_session_id: n for n in notes
            if n.template_id == "dosing" and n.dosing_session_id is not None}


def follows_a_dose(template_id: str) -> bool:
    """Integration notes follow a dosing session; dosing and preparation notes do not."""
    return template_id in FOLLOWS_A_DOSE


def dosing_kind_text(label: str) -> str:
    """'Dosing C1 D2': a dosing session as a list of sessions names it (the Sessions tab, a
    report's summaries)."""
    return f"{MODALITIES.label('dosing')} {label}".rstrip()


def given_text(dose_mg: float, boosters_mg: Sequence[float]) -> str:
    """What the client was given in all: '56 mg', or with boosters '70 mg in all'."""
    return f"{number_text(dose_mg + sum(boosters_mg))} mg" + (" in all" if boosters_mg else "")


def cumulative_text(dose_mg: float, boosters_mg: Sequence[float],
                    weight_kg: float | None) -> str:
    """The dose in all, mg and mg/kg: '56 mg (0.8 mg/kg)'; with boosters '70 mg in all
    (56 mg + 14 mg booster), 1 mg/kg'."""
    per_kg = mg_per_kg_text(dose_mg + sum(boosters_mg), weight_kg)
    given = given_text(dose_mg, boosters_mg)
    if not boosters_mg:
        return given + (f" ({per_kg})" if per_kg else "")
    parts = " + ".join(number_text(b) + " mg" for b in boosters_mg)
    noun = "booster" if len(boosters_mg) == 1 else "boosters"
    text = f"{given} ({number_text(dose_mg)} mg + {parts} {noun})"
    return f"{text}, {per_kg}" if per_kg else text


def dose_text(dosing: DosingSessionDTO) -> str:
    """'Intramuscular, 50 mg (0.71 mg/kg)' as the dose is recorded (or says what is missing);
    with boosters, the cumulative dose: 'Intramuscular, 70 mg in all (56 mg + 14 mg
    booster), 1 mg/kg'."""
    route = ROUTES.label(dosing.route) if dosing.route else "route not recorded"
    if dosing.dose_mg is None:
        return f"{route}, dose not recorded"
    return f"{route}, " + cumulative_text(dosing.dose_mg, [b.dose_mg for b in dosing.boosters],
                                          dosing.weight_kg)


def booster_doses(rows: Any) -> list[float]:
    """The mg of each booster a dosing note's boosters group gives (rows without a dose
    left out)."""
    if not isinstance(rows, list):
        return []
    return [float(row["dose_mg"]) for row in rows
            if isinstance(row, Mapping) and is_number(row.get("dose_mg"))]


def dosing_note_line(content: Mapping[str, Any]) -> str:
    """A dosing note's header line from what it says so far: 'Intramuscular at 10:10 ·
    70 mg in all (56 mg + 14 mg booster), 1 mg/kg'; '' until the dose is entered."""
    dose = content.get("dose_mg")
    if not is_number(dose):
        return ""
    boosters = booster_doses(content.get("boosters"))
    weight = content.get("weight_kg")
    route = content.get("route")
    head = ROUTES.label(route) if isinstance(route, str) and route in ROUTES else "Dose"
    at = content.get("dose_time")
    if isinstance(at, str) and at:
        head += f" at {at}"
    return f"{head}  ·  " + cumulative_text(float(dose), boosters,
                                             float(weight) if is_number(weight) else None)


def days_after_text(dose_day: dt.date, session_day: dt.date) -> str:
    """'2 days after', 'the same day', '3 days before (check the dates)'."""
    days = (session_day - dose_day).days
    if days == 0:
        return "the same day"
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} before (check the dates)"
    return f"{days} day{'s' if days != 1 else ''} after"


def follows_text(label: str, dosing: DosingSessionDTO, session_day: dt.date) -> str:
    """An integration note's header line: which dose it follows and how long after.
    'Follows D3 (Intramuscular, 50 mg) on 7 Oct 2026: 2 days after'."""
    return (f"Follows {label} ({dose_text(dosing)}) on {date_text(dosing.session_date)}: "
            f"{days_after_text(dosing.session_date, session_day)}")


NO_DOSE = "Follows no dosing session"


def dose_line(label: str, dosing: DosingSessionDTO, note_day: dt.date | None = None) -> str:
    """One dose as a line in a chooser: 'D3 · Sublingual, 300 mg · 10 Nov 2026 · 2 days
    before' (how long before the note's date, when one is given)."""
    parts = [label, dose_text(dosing), date_text(dosing.session_date)]
    if note_day is not None:
        days = (note_day - dosing.session_date).days
        parts.append("the same day" if days == 0 else
                     f"{days} day{'s' if days != 1 else ''} before" if days > 0 else
                     f"{-days} day{'s' if days != -1 else ''} after this date")
    return "  ·  ".join(parts)


def integration_after_doses(courses: Iterable[CourseDTO],
                            notes: Iterable[NoteDTO]) -> dict[int, tuple[int, int]]:
    """Each dose's integration sessions (among `notes`: signed ones by a day, for a report)
    and how many its course's plan sets after it, by dose id."""
    held = integration_held(notes)
    found: dict[int, tuple[int, int]] = {}
    for course in courses:
        doses, plan = course_doses(course), plan_of(course)
        for dose in doses:
            found[dose.id] = (held.get(dose.id, 0), integration_planned(dose, doses, plan))
    return found


def integration_count_text(held: int, planned: int) -> str:
    """'2 (2 planned)', '1 (none planned)'."""
    return f"{held} ({planned or 'none'} planned)"
