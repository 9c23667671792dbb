"""Dose numbers within a course, and the "follows" line, as every screen shows them."""

from __future__ import annotations

import datetime as dt

from models.clinical.doses import (
    CourseDose,
    IntegrationDue,
    IntegrationPlan,
    course_span_text,
    cumulative_text,
    dose_label,
    dose_labels,
    dose_line,
    dose_range_label,
    dose_refs,
    dosing_note_line,
    first_of_course,
    follows_a_dose,
    follows_text,
    integration_due,
    integration_plan_text,
    latest_dose_on,
    likely_next_note,
    next_dose_number,
)
from models.dto import BoosterDTO, CourseDTO, DosingSessionDTO, NoteDTO
from models.vocabulary import INTEGRATION_AFTER_A_DOSE, INTEGRATION_AFTER_FIRST_DOSE

DAY = dt.date(2026, 3, 2)


def _dose(dose_id: int, course_id: int, number: int, day: dt.date, route: str = "intramuscular",
          mg: float | None = 50.0) -> DosingSessionDTO:
    return DosingSessionDTO(
        id=dose_id, course_id=course_id, number=number, session_date=day, start_time=None,
        setting="in_office", medication="racemic_ketamine", route=route, dose_mg=mg,
        weight_kg=70.0, infusion_minutes=None, lot_number="", prescriber="",
        monitoring_clinician="", intention="", set_and_setting="", cadss_total=None,
        cadss6_total=None, moaas=None, adverse_events="", ready_for_discharge=None,
        ride_home_confirmed=None, observations="", client_account="", locked=True)


def _course(course_id: int, start: dt.date, *doses: DosingSessionDTO) -> CourseDTO:
    return CourseDTO(id=course_id, client_id=1, kind="intensive", start_date=start,
                     end_date=None, goals="", dosing_sessions=doses)


def test_one_course_numbers_its_doses_d1_to_dn() -> None:
    course = _course(1, DAY, _dose(10, 1, 1, DAY), _dose(11, 1, 2, DAY + dt.timedelta(2)))
    refs = dose_refs([course])
    assert [refs[i].label for i in (10, 11)] == ["D1", "D2"]
    assert dose_label([course], 11) == "D2" and dose_label([course], None) == ""


def test_with_two_courses_the_course_is_named_and_positions_run_on() -> None:
    later = DAY + dt.timedelta(days=90)
    # Listed newest first: the order of the list does not decide the numbers.
    courses = [_course(2, later, _dose(20, 2, 1, later)),
               _course(1, DAY, _dose(10, 1, 1, DAY), _dose(11, 1, 2, DAY + dt.timedelta(2)))]
    refs = dose_refs(courses)
    assert [(refs[i].label, refs[i].ordinal) for i in (10, 11, 20)] == [
        ("C1 D1", 1), ("C1 D2", 2), ("C2 D1", 3)]
    assert dose_range_label(refs.values()) == "C1 D1–2, C2 D1"
    assert dose_labels(courses) == {10: "C1 D1", 11: "C1 D2", 20: "C2 D1"}


def test_close_doses_share_one_label() -> None:
    course = _course(1, DAY, *(_dose(10 + n, 1, n, DAY + dt.timedelta(n)) for n in (1, 2, 3, 5)))
    refs = dose_refs([course])
    assert dose_range_label([refs[11], refs[12], refs[13]]) == "D1–3"
    assert dose_range_label([refs[11], refs[15]]) == "D1,D5"


def test_the_follows_line_says_dose_route_date_and_days() -> None:
    dose = _dose(10, 1, 3, DAY)
    assert follows_text("D3", dose, DAY + dt.timedelta(2)) == (
        "Follows D3 (Intramuscular, 50 mg (0.71 mg/kg)) on 2 Mar 2026: 2 days after")
    assert follows_text("D3", dose, DAY).endswith("the same day")
    before = follows_text("D3", dose, DAY - dt.timedelta(1))
    assert before.endswith("1 day before (check the dates)")
    bare = _dose(10, 1, 3, DAY, route="", mg=None)
    assert "(route not recorded, dose not recorded)" in follows_text("D3", bare, DAY)
    assert dose_line("D3", dose, DAY + dt.timedelta(1)) == (
        "D3  ·  Intramuscular, 50 mg (0.71 mg/kg)  ·  2 Mar 2026  ·  1 day before")


def test_the_cumulative_dose_is_the_first_dose_and_every_booster() -> None:
    # 56 + 14 = 70 mg; 70 / 70 kg = 1 mg/kg.
    assert cumulative_text(56, [14], 70) == "70 mg in all (56 mg + 14 mg booster), 1 mg/kg"
    assert cumulative_text(200, [50, 50], None) == (
        "300 mg in all (200 mg + 50 mg + 50 mg boosters)")
    assert cumulative_text(35, [], 70) == "35 mg (0.5 mg/kg)"
    boosted = _dose(10, 1, 3, DAY, mg=56.0)
    boosted = DosingSessionDTO(**{**boosted.__dict__,
                                  "boosters": (BoosterDTO(25, 14.0),)})
    assert boosted.cumulative_mg == 70
    assert follows_text("D3", boosted, DAY).startswith(
        "Follows D3 (Intramuscular, 70 mg in all (56 mg + 14 mg booster), 1 mg/kg) on")


def test_a_dosing_notes_header_line_follows_what_is_typed() -> None:
    assert dosing_note_line({}) == ""
    assert dosing_note_line({"route": "intramuscular", "dose_time": "10:10", "dose_mg": 56,
                             "weight_kg": 70, "boosters": [{"minutes_from_dose": 25,
                                                             "dose_mg": 14}, {}]}) == (
        "Intramuscular at 10:10  ·  70 mg in all (56 mg + 14 mg booster), 1 mg/kg")


def test_only_integration_notes_follow_a_dose() -> None:
    assert [t for t in ("dosing", "preparation", "emdr", "art", "ifs", "general")
            if follows_a_dose(t)] == ["emdr", "art", "ifs", "general"]


def test_the_first_dose_of_a_course_is_the_earliest_then_the_lowest_number() -> None:
    day = dt.date(2026, 9, 1)
    doses = [CourseDose(1, 1, 1, day), CourseDose(2, 1, 2, day + dt.timedelta(days=7)),
             CourseDose(3, 1, 3, None)]
    assert [first_of_course(d, doses) for d in doses] == [True, False, True]
    # Moved before the first: the first no longer is; the same day, the lower number is.
    moved = CourseDose(2, 1, 2, day - dt.timedelta(days=1))
    assert first_of_course(moved, doses) and not first_of_course(doses[0], [doses[0], moved])
    same_day = CourseDose(2, 1, 2, day)
    assert first_of_course(doses[0], [doses[0], same_day])
    assert not first_of_course(same_day, [doses[0], same_day])
    assert next_dose_number(d.number for d in doses) == 4 and next_dose_number([]) == 1


def test_a_note_follows_the_last_dose_on_or_before_its_day() -> None:
    day = dt.date(2026, 9, 1)
    doses = [CourseDose(5, 1, 1, day), CourseDose(3, 2, 1, day),  # two on one day
             CourseDose(7, 2, 2, day + dt.timedelta(days=7)), CourseDose(9, 2, 3, None)]
    assert latest_dose_on(doses, day - dt.timedelta(days=1)) is None
    assert latest_dose_on(doses, day + dt.timedelta(days=6)) == doses[0]  # the later id
    assert latest_dose_on(doses, day + dt.timedelta(days=30)) == doses[2]


def test_a_course_waits_for_two_integration_sessions_after_its_first_dose() -> None:
    """The course of care: at least two integration sessions after the first dose, one
    after each later dose; only the latest dose waits (a later dose closes the window)."""
    assert (INTEGRATION_AFTER_FIRST_DOSE, INTEGRATION_AFTER_A_DOSE) == (2, 1)
    first = CourseDose(1, 7, 1, DAY)
    assert integration_due([], {}) is None
    assert integration_due([first], {}) == IntegrationDue(first, 0, 2)
    assert integration_due([first], {1: 1}) == IntegrationDue(first, 1, 2)
    assert integration_due([first], {1: 2}) is None
    second = CourseDose(2, 7, 2, DAY + dt.timedelta(days=7))
    # The first dose's window passed with one session: the second dose waits, for one.
    assert integration_due([first, second], {1: 1}) == IntegrationDue(second, 0, 1)
    assert integration_due([second, first], {1: 1, 2: 1}) is None
    # Entered out of order (D2 dated before D1): the earlier day is the first dose.
    early = CourseDose(3, 8, 2, DAY)
    late = CourseDose(4, 8, 1, DAY + dt.timedelta(days=3))
    assert integration_due([late, early], {3: 2}) == IntegrationDue(late, 0, 1)
    # A dose without a day yet waits for nothing.
    assert integration_due([CourseDose(5, 9, 1, None)], {}) is None


def test_a_course_keeps_its_own_integration_plan_and_says_it() -> None:
    first, second = CourseDose(1, 7, 1, DAY), CourseDose(2, 7, 2, DAY + dt.timedelta(days=7))
    retreat = IntegrationPlan(3, 2)
    assert integration_due([first], {1: 2}, retreat) == IntegrationDue(first, 2, 3)
    assert integration_due([first, second], {2: 1}, retreat) == IntegrationDue(second, 1, 2)
    assert integration_due([first, second], {}, IntegrationPlan(2, 0)) is None
    assert integration_due([first], {}, IntegrationPlan(0, 1)) is None
    assert integration_plan_text(IntegrationPlan()) == (
        "This course plans 2 integration sessions after its first dose and 1 after each "
        "later one.")
    assert integration_plan_text(IntegrationPlan(1, 0)) == (
        "This course plans 1 integration session after its first dose and none after the "
        "later ones.")
    assert integration_plan_text(IntegrationPlan(0, 2)) == (
        "This course plans no integration session after its first dose and 2 integration "
        "sessions after each later one.")
    assert integration_plan_text(IntegrationPlan(0, 0)) == (
        "This course plans no integration sessions after its doses.")


def _note(note_id: int, template_id: str, day: dt.date,
          dose_id: int | None = None) -> NoteDTO:
    return NoteDTO(note_id, 1, 1, dose_id, template_id, 2, day, "draft", None, None, None,
                   None, dt.datetime(2026, 3, 1))


def test_the_note_a_client_likely_needs_next() -> None:
    """Offered first when a note is started: an integration note, of the kind the client's
    latest one was, while a dose waits for its sessions; a preparation note before any
    dose; else none is more likely than another."""
    nothing: tuple[NoteDTO, ...] = ()
    assert likely_next_note([], nothing, DAY, in_care=True) == "preparation"
    course = _course(1, DAY)
    prepared = (_note(1, "preparation", DAY),)
    assert likely_next_note([course], nothing, DAY, in_care=True) == "preparation"
    assert likely_next_note([course], prepared, DAY, in_care=True) is None
    dosed = _course(1, DAY, _dose(10, 1, 1, DAY + dt.timedelta(days=7)))
    later = DAY + dt.timedelta(days=8)
    # The first dose waits for two integration sessions; none written yet: a general one.
    assert likely_next_note([dosed], prepared, later, in_care=True) == "general"
    one_ifs = (*prepared, _note(2, "emdr", DAY - dt.timedelta(days=30)),
               _note(3, "ifs", later, dose_id=10))
    assert likely_next_note([dosed], one_ifs, later, in_care=True) == "ifs"
    # Both held: the window is closed, nothing is more likely.
    both = (*one_ifs, _note(4, "emdr", later + dt.timedelta(days=1), dose_id=10))
    assert likely_next_note([dosed], both, later, in_care=True) is None
    # A discharged client's doses wait for nothing.
    assert likely_next_note([dosed], one_ifs, later, in_care=False) is None


def test_a_course_s_dates_say_whether_it_goes_on_and_an_end_ahead_is_a_plan() -> None:
    start, end = dt.date(2026, 10, 16), dt.date(2026, 12, 25)
    assert course_span_text(start, None, dt.date(2026, 12, 2)) == "16 Oct 2026 – ongoing"
    assert course_span_text(start, end, dt.date(2026, 12, 2)) == (
        "16 Oct 2026 – ongoing, planned to end 25 Dec 2026")
    # It goes on through its last day, as a course waits for integration through it.
    assert course_span_text(start, end, end).endswith("planned to end 25 Dec 2026")
    assert course_span_text(start, end, dt.date(2026, 12, 26)) == "16 Oct 2026 – 25 Dec 2026"
