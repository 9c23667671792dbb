"""Recording measures and deriving series, change summaries, dose markers and overlays."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.api import Kind
from models.backend import Backend
from models.clinical.measures import ScoredAdministration, build_measures_view
from models.dto import CourseDTO, DosingSessionDTO
from models.entities import ItemResponse
from models.errors import ValidationError
from models.inputs import ClientInput, CourseInput, CustomMeasureInput, DosingInput, MeasureInput
from models.instruments.change import ChangeLabel
from models.services import care

DAY = dt.date(2026, 2, 2)


def record(backend: Backend, client_id: int, data: MeasureInput) -> ScoredAdministration:
    return backend.measures.record(client_id, data, actor_id=None).value


def add_course(backend: Backend, client_id: int, data: CourseInput) -> CourseDTO:
    return backend.care.add_course(client_id, data, actor_id=None).value


def add_dose(session: Session, course_id: int, data: DosingInput) -> DosingSessionDTO:
    dose = care.add_dosing_session(session, course_id, data)
    session.commit()
    return dose


@pytest.fixture
def client_id(backend: Backend) -> int:
    return backend.clients.create(ClientInput(name="Measure Fixture"), actor_id=None).value.id


def _phq9(total_items: list[int], day: dt.date, relation: str = "integration",
          *, confirmed: bool = True) -> MeasureInput:
    """A PHQ-9; these tests give it weekly, inside its two-week recall period, on purpose
    (so each is confirmed, as the entry window asks the therapist to)."""
    return MeasureInput("phq9", day, relation, dict(enumerate(total_items, 1)),
                        repeat_confirmed=confirmed)


def test_record_stores_items_and_derives_the_score(
    backend: Backend, session: Session, client_id: int
) -> None:
    scored = record(backend, client_id, _phq9([1, 2, 1, 2, 1, 1, 1, 0, 1, 2], DAY, "baseline"))
    assert scored.score.total == 10 and scored.score.band is not None
    assert scored.score.band.label == "Moderate"
    assert scored.score.has_safety_flag  # item 9 is 1
    stored = session.scalars(select(ItemResponse).order_by(ItemResponse.item_number)).all()
    assert [r.value for r in stored] == [1, 2, 1, 2, 1, 1, 1, 0, 1, 2]


def test_out_of_range_and_unknown_items_are_refused(
    backend: Backend, session: Session, client_id: int
) -> None:
    with pytest.raises(ValidationError) as info:
        record(backend, client_id, _phq9([4, 0, 0, 0, 0, 0, 0, 0, 0],
                                                                  DAY))
    assert "item 1" in info.value.problems["responses"].lower()
    with pytest.raises(ValidationError, match="no item 30"):
        record(backend, client_id, MeasureInput(
            "gad7", DAY, "baseline", {30: 1}))
    with pytest.raises(ValidationError, match="relates to care"):
        record(backend, client_id, MeasureInput(
            "gad7", DAY, "sometime", {1: 1}))
    with pytest.raises(ValidationError, match="future"):
        record(backend, client_id, _phq9(
            [0] * 9, backend.today + dt.timedelta(days=2)))


def test_series_summary_and_dose_markers(
    backend: Backend, session: Session, client_id: int
) -> None:
    course = add_course(backend, client_id, CourseInput("spaced", DAY))
    for k in range(3):
        add_dose(session, course.id, DosingInput(
            session_date=DAY + dt.timedelta(days=7 * k + 3), route="sublingual", dose_mg=200))
    for k, items in enumerate(([3, 3, 2, 2, 2, 2, 2, 2, 0], [2, 2, 1, 1, 1, 1, 1, 1, 0],
                               [1, 0, 1, 0, 1, 0, 0, 0, 0])):
        record(backend, client_id, _phq9(
            items, DAY + dt.timedelta(days=7 * k), "baseline" if k == 0 else "integration"))
    # an incomplete one is listed but not charted
    record(backend, client_id, MeasureInput(
        "phq9", DAY + dt.timedelta(days=22), "follow_up", {1: 1, 2: 1}, repeat_confirmed=True))
    view = backend.measures.view(client_id)
    series = view.for_instrument("phq9")
    assert series is not None and len(series.administrations) == 4
    s = series.summary
    assert (s.baseline.total, s.latest.total, s.change) == (18, 3, -15)  # type: ignore[union-attr]
    assert s.label == ChangeLabel.RELIABLE_IMPROVEMENT and s.response and s.remission
    assert s.incomplete_points == 1
    assert [m.number for m in view.dosing] == [1, 2, 3]


def test_cadss_per_dose_and_overlays(backend: Backend, session: Session, client_id: int) -> None:
    course = add_course(backend, client_id, CourseInput("intensive", DAY))
    dose = add_dose(session, course.id, DosingInput(
        session_date=DAY, route="intravenous", dose_mg=35))
    record(backend, client_id, MeasureInput(
        "cadss", DAY, "after_dose", dict.fromkeys(range(1, 24), 1),
        dosing_session_id=dose.id))
    view = backend.measures.view(client_id)
    assert [(d.dose_number, d.score.total) for d in view.dissociation] == [(1, 23)]
    assert view.for_instrument("cadss") is None  # per dose, not a weekly trend


def test_custom_measure(backend: Backend, session: Session, client_id: int) -> None:
    craving = backend.measures.create_custom(CustomMeasureInput(
        "Craving", 0, 10, False, reliable_change=3), actor_id=None).value
    scored = record(backend, client_id, MeasureInput(
        craving.id, DAY, "integration", {1: 7}))
    assert scored.score.total == 7
    with pytest.raises(ValidationError):
        backend.measures.create_custom(CustomMeasureInput("Backwards", 5, 1, True),
                                       actor_id=None)
    # A name heads its chart and names it in every table: a pasted paragraph is refused.
    with pytest.raises(ValidationError, match="longer than 60 characters") as refused:
        backend.measures.create_custom(CustomMeasureInput("Craving " * 10, 0, 10, False),
                                       actor_id=None)
    assert set(refused.value.problems) == {"name"}
    view = build_measures_view(backend.clients.chart(client_id), backend.measures.instruments())
    assert view.for_instrument(craving.id) is not None


def test_a_custom_measure_can_be_changed_as_far_as_its_recorded_values_allow(
    backend: Backend, client_id: int
) -> None:
    craving = backend.measures.create_custom(CustomMeasureInput(
        "Craving", 0, 10, False), actor_id=None).value
    record(backend, client_id, MeasureInput(craving.id, DAY, "integration", {1: 7}))
    low = record(backend, client_id, MeasureInput(
        craving.id, DAY + dt.timedelta(days=7), "integration", {1: 2}))
    with pytest.raises(ValidationError) as refused:
        backend.measures.update_custom(craving.id, CustomMeasureInput(
            "Craving", 0, 5, False), actor_id=None)
    assert refused.value.problems == {"max_value": (
        "A value of 7 is already recorded with this measure; the highest value must be 7 "
        "or more.")}
    with pytest.raises(ValidationError, match="the lowest value can be 2 at most"):
        backend.measures.update_custom(craving.id, CustomMeasureInput(
            "Craving", 3, 10, False), actor_id=None)
    # A value marked entered in error is kept, and shown: it still holds the range.
    backend.measures.mark_entered_in_error(low.administration.id, "Wrong form",
                                           actor_id=None)
    with pytest.raises(ValidationError, match="the lowest value can be 2 at most"):
        backend.measures.update_custom(craving.id, CustomMeasureInput(
            "Craving", 3, 10, False), actor_id=None)
    done = backend.measures.update_custom(craving.id, CustomMeasureInput(
        "Craving (evening)", 1, 12, False, reliable_change=3), actor_id=None)
    assert Kind.PRACTICE in done.changes.kinds
    changed = backend.measures.instruments()[craving.id]
    assert changed.title == "Craving (evening)" and changed.reliable_change is not None
    assert (changed.items[0].min_value, changed.items[0].max_value) == (1, 12)
    view = build_measures_view(backend.clients.chart(client_id), backend.measures.instruments())
    series = view.for_instrument(craving.id)
    assert series is not None and series.instrument.title == "Craving (evening)"
    [event] = backend.audit.events(action_prefix="instrument.update")
    assert event.detail == "fields=name,min_value,max_value,reliable_change"
    # Saved as it is: nothing changed, nothing recorded.
    backend.measures.update_custom(craving.id, CustomMeasureInput(
        "Craving (evening)", 1, 12, False, reliable_change=3), actor_id=None)
    assert len(backend.audit.events(action_prefix="instrument.update")) == 1


def test_a_wrong_entry_is_kept_but_left_out_of_every_count(
    backend: Backend, session: Session, client_id: int
) -> None:
    base = record(backend, client_id, _phq9([2] * 9, DAY, "baseline"))
    wrong = record(backend, client_id, _phq9(
        [3, 3, 3, 3, 3, 3, 3, 3, 2], DAY + dt.timedelta(days=7)))
    right = record(backend, client_id, _phq9(
        [1] * 8 + [0], DAY + dt.timedelta(days=8)))
    marked = backend.measures.mark_entered_in_error(
        wrong.administration.id, "Typed into the wrong client's form", actor_id=None).value
    assert marked.entered_in_error and marked.entered_in_error_reason
    with pytest.raises(ValidationError, match="already marked"):
        backend.measures.mark_entered_in_error(wrong.administration.id, "again", actor_id=None)
    with pytest.raises(ValidationError, match="Say why"):
        backend.measures.mark_entered_in_error(base.administration.id, "  ", actor_id=None)
    series = backend.measures.view(client_id).for_instrument("phq9")
    assert series is not None
    assert len(series.administrations) == 3  # still listed, for the record
    assert [a.administration.id for a in series.charted] == [
        base.administration.id, right.administration.id]
    assert len(series.points) == 2
    assert series.summary.latest is not None and series.summary.latest.total == 8


def test_the_backend_refuses_what_the_entry_window_refuses(
    backend: Backend, session: Session, client_id: int
) -> None:
    with pytest.raises(ValidationError, match="at least one item"):
        record(backend, client_id, MeasureInput("gad7", DAY, "baseline", {1: None}))
    with pytest.raises(ValidationError, match="charted per dosing session"):
        record(backend, client_id, MeasureInput("cadss", DAY, "after_dose",
                                                dict.fromkeys(range(1, 24), 1)))


def test_doses_are_numbered_within_their_course_everywhere(
    backend: Backend, session: Session, client_id: int
) -> None:
    first = add_course(backend, client_id, CourseInput("intensive", DAY))
    second = add_course(backend, client_id, CourseInput("spaced", DAY + dt.timedelta(days=60)))
    for course, start in ((first, DAY), (second, DAY + dt.timedelta(days=61))):
        for k in range(2):
            dose = add_dose(session, course.id, DosingInput(
                session_date=start + dt.timedelta(days=k), route="intravenous", dose_mg=35))
            record(backend, client_id, MeasureInput(
                "cadss", dose.session_date, "after_dose", dict.fromkeys(range(1, 24), 0),
                dosing_session_id=dose.id))
    view = backend.measures.view(client_id)
    assert [m.label for m in view.dosing] == ["C1 D1", "C1 D2", "C2 D1", "C2 D2"]
    assert [d.label for d in view.dissociation] == ["C1 D1", "C1 D2", "C2 D1", "C2 D2"]
    assert [m.number for m in view.dosing] == [1, 2, 3, 4]  # positions on the axis


def test_the_baseline_is_the_first_complete_administration_marked_baseline(
    backend: Backend, client_id: int
) -> None:
    # An incomplete baseline is kept but is never the baseline.
    record(backend, client_id, MeasureInput("gad7", DAY, "baseline", {1: 3, 2: 3}))
    record(backend, client_id, _gad7([1] * 7, DAY + dt.timedelta(days=3), "integration"))
    record(backend, client_id, _gad7([2] * 7, DAY + dt.timedelta(days=7), "baseline"))
    record(backend, client_id, _gad7([0] * 7, DAY + dt.timedelta(days=21), "integration"))
    series = backend.measures.view(client_id).for_instrument("gad7")
    assert series is not None and series.summary.baseline is not None
    assert (series.summary.baseline.when, series.summary.baseline.total) == (
        DAY + dt.timedelta(days=7), 14)
    assert series.baseline == 2  # the index into the charted administrations


def test_with_no_marked_baseline_the_first_complete_one_is_used(
    backend: Backend, client_id: int
) -> None:
    record(backend, client_id, MeasureInput("gad7", DAY, "integration", {1: 3}))
    record(backend, client_id, _gad7([2] * 7, DAY + dt.timedelta(days=3), "integration"))
    record(backend, client_id, _gad7([1] * 7, DAY + dt.timedelta(days=17), "integration"))
    series = backend.measures.view(client_id).for_instrument("gad7")
    assert series is not None and series.summary.baseline is not None
    assert series.summary.baseline.total == 14 and series.summary.change == -7


def _gad7(items: list[int], day: dt.date, relation: str) -> MeasureInput:
    # Given days apart on purpose (inside the recall period), so each one is confirmed.
    return MeasureInput("gad7", day, relation, dict(enumerate(items, 1)),
                        repeat_confirmed=True)


def test_a_second_administration_the_same_day_or_inside_the_recall_period_needs_a_yes(
    backend: Backend, session: Session, client_id: int
) -> None:
    record(backend, client_id, _phq9([1] * 9, DAY, "baseline", confirmed=False))
    with pytest.raises(ValidationError) as same_day:
        record(backend, client_id, _phq9([2] * 9, DAY, confirmed=False))
    assert "already saved for 2 Feb 2026" in same_day.value.problems["repeat"]
    with pytest.raises(ValidationError) as inside:
        record(backend, client_id, _phq9([2] * 9, DAY + dt.timedelta(days=9), confirmed=False))
    assert "9 days from this one" in inside.value.problems["repeat"]
    assert "last 2 weeks" in inside.value.problems["repeat"]
    record(backend, client_id, _phq9([2] * 9, DAY + dt.timedelta(days=9), confirmed=True))
    # Outside the recall period, and another measure the same day, need no second thought.
    record(backend, client_id, _phq9([2] * 9, DAY + dt.timedelta(days=30), confirmed=False))
    record(backend, client_id, MeasureInput("gad7", DAY, "baseline", dict.fromkeys(
        range(1, 8), 1)))
    assert len(backend.clients.chart(client_id).administrations) == 4


def test_an_entry_in_error_does_not_count_as_the_earlier_one(
    backend: Backend, session: Session, client_id: int
) -> None:
    wrong = record(backend, client_id, _phq9([3] * 9, DAY, confirmed=False))
    backend.measures.mark_entered_in_error(wrong.administration.id, "Wrong client",
                                           actor_id=None)
    record(backend, client_id, _phq9([1] * 9, DAY, confirmed=False))


def test_an_answer_out_of_range_is_refused_with_a_message_never_cut_to_fit(
    backend: Backend, session: Session, client_id: int
) -> None:
    sud = backend.measures.create_custom(CustomMeasureInput("Distress", 0, 10, False),
                                         actor_id=None).value
    with pytest.raises(ValidationError) as info:
        record(backend, client_id, MeasureInput(sud.id, DAY, "integration", {1: 1400}))
    assert info.value.problems["responses"] == (
        "Distress item 1: 1400 is outside 0–10; enter a number in that range.")
    assert backend.clients.chart(client_id).administrations == ()
