"""Recording measures and deriving series, change summaries, dose markers and overlays."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.entities import ItemResponse
from models.errors import ValidationError
from models.instruments.change import ChangeLabel
from models.services import care, chart, clients, measures

DAY = dt.date(2026, 2, 2)


@pytest.fixture
def client_id(session: Session) -> int:
    return clients.create_client(session, clients.ClientInput(name="Measure Fixture")).id


def _phq9(total_items: list[int], day: dt.date, relation: str = "integration"
          ) -> measures.MeasureInput:
    return measures.MeasureInput("phq9", day, relation, dict(enumerate(total_items, 1)))


def test_record_stores_items_and_derives_the_score(session: Session, client_id: int) -> None:
    scored = measures.record_administration(
        session, client_id, _phq9([1, 2, 1, 2, 1, 1, 1, 0, 1, 2], DAY, "baseline"))
    assert scored.score.total == 10 and scored.score.band is not None
    assert scored.score.band.label == "Moderate"
    assert scored.score.has_safety_flag  # item 9 is 1
    stored = session.scalars(select(ItemResponse).order_by(ItemResponse.item_number)).all()
    assert [r.value for r in stored] == [1, 2, 1, 2, 1, 1, 1, 0, 1, 2]


def test_out_of_range_and_unknown_items_are_refused(session: Session, client_id: int) -> None:
    with pytest.raises(ValidationError) as info:
        measures.record_administration(session, client_id, _phq9([4, 0, 0, 0, 0, 0, 0, 0, 0],
                                                                  DAY))
    assert "item 1" in info.value.problems["responses"].lower()
    with pytest.raises(ValidationError, match="no item 30"):
        measures.record_administration(session, client_id, measures.MeasureInput(
            "gad7", DAY, "baseline", {30: 1}))
    with pytest.raises(ValidationError, match="relates to care"):
        measures.record_administration(session, client_id, measures.MeasureInput(
            "gad7", DAY, "sometime", {1: 1}))
    with pytest.raises(ValidationError, match="future"):
        measures.record_administration(session, client_id, _phq9(
            [0] * 9, dt.date.today() + dt.timedelta(days=2)))


def test_series_summary_and_dose_markers(session: Session, client_id: int) -> None:
    course = care.add_course(session, client_id, care.CourseInput("spaced", DAY))
    for k in range(3):
        care.add_dosing_session(session, course.id, care.DosingInput(
            session_date=DAY + dt.timedelta(days=7 * k + 3), route="sublingual", dose_mg=200))
    for k, items in enumerate(([3, 3, 2, 2, 2, 2, 2, 2, 0], [2, 2, 1, 1, 1, 1, 1, 1, 0],
                               [1, 0, 1, 0, 1, 0, 0, 0, 0])):
        measures.record_administration(session, client_id, _phq9(
            items, DAY + dt.timedelta(days=7 * k), "baseline" if k == 0 else "integration"))
    # an incomplete one is listed but not charted
    measures.record_administration(session, client_id, measures.MeasureInput(
        "phq9", DAY + dt.timedelta(days=22), "follow_up", {1: 1, 2: 1}))
    view = measures.build_measures_view(chart.load_client_chart(session, client_id))
    series = view.for_instrument("phq9")
    assert series is not None and len(series.administrations) == 4
    s = series.summary
    assert (s.baseline.total, s.latest.total, s.change) == (18, 3, -15)  # type: ignore[union-attr]
    assert s.label == ChangeLabel.RELIABLE_IMPROVEMENT and s.response and s.remission
    assert s.incomplete_points == 1
    assert [m.number for m in view.dosing] == [1, 2, 3]


def test_cadss_per_dose_and_overlays(session: Session, client_id: int) -> None:
    course = care.add_course(session, client_id, care.CourseInput("intensive", DAY))
    dose = care.add_dosing_session(session, course.id, care.DosingInput(
        session_date=DAY, route="intravenous", dose_mg=35))
    measures.record_administration(session, client_id, measures.MeasureInput(
        "cadss", DAY, "after_dose", dict.fromkeys(range(1, 24), 1),
        dosing_session_id=dose.id))
    view = measures.build_measures_view(chart.load_client_chart(session, client_id))
    assert [(d.dose_number, d.score.total) for d in view.dissociation] == [(1, 23)]
    assert view.for_instrument("cadss") is None  # per dose, not a weekly trend


def test_custom_measure(session: Session, client_id: int) -> None:
    craving = measures.create_custom_instrument(session, "Craving", 0, 10, False,
                                                reliable_change=3)
    scored = measures.record_administration(session, client_id, measures.MeasureInput(
        craving.id, DAY, "integration", {1: 7}))
    assert scored.score.total == 7
    with pytest.raises(ValidationError):
        measures.create_custom_instrument(session, "Backwards", 5, 1, True)
    view = measures.build_measures_view(chart.load_client_chart(session, client_id),
                                        measures.available_instruments(session))
    assert view.for_instrument(craving.id) is not None


def test_a_wrong_entry_is_kept_but_left_out_of_every_count(
    session: Session, client_id: int
) -> None:
    base = measures.record_administration(session, client_id, _phq9([2] * 9, DAY, "baseline"))
    wrong = measures.record_administration(session, client_id, _phq9(
        [3, 3, 3, 3, 3, 3, 3, 3, 2], DAY + dt.timedelta(days=7)))
    right = measures.record_administration(session, client_id, _phq9(
        [1] * 8 + [0], DAY + dt.timedelta(days=8)))
    marked = measures.mark_entered_in_error(session, wrong.administration.id,
                                            "Typed into the wrong client's form")
    assert marked.entered_in_error and marked.entered_in_error_reason
    with pytest.raises(ValidationError, match="already marked"):
        measures.mark_entered_in_error(session, wrong.administration.id, "again")
    with pytest.raises(ValidationError, match="Say why"):
        measures.mark_entered_in_error(session, base.administration.id, "  ")
    series = measures.build_measures_view(
        chart.load_client_chart(session, client_id)).for_instrument("phq9")
    assert series is not None
    assert len(series.administrations) == 3  # still listed, for the record
    assert [a.administration.id for a in series.charted] == [
        base.administration.id, right.administration.id]
    assert len(series.points) == 2
    assert series.summary.latest is not None and series.summary.latest.total == 8
