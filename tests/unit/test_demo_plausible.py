"""The demo practice as a clinician would read it: doses, dissociation, the spacing of
measures, relapse and non-response, and the risk checks after a positive item 9."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Iterator

import pytest

from models.clinical.doses import dose_refs
from models.clinical.measures import build_measures_view
from models.clinical.safety import has_clearance, safety_followups
from models.demo import MIN_DAYS_APART, SUBLINGUAL_START, DemoPlan, generate_demo
from models.dto import ClientChart
from models.instruments.change import ChangeLabel
from models.instruments.loading import load_instruments
from models.services import chart, clients
from tests.conftest import MemoryStore

TODAY = dt.date(2026, 11, 1)
INSTRUMENTS = load_instruments()


@pytest.fixture(scope="module")
def charts() -> Iterator[list[ClientChart]]:
    """A generated practice of 30 clients, read back as each client's chart."""
    store = MemoryStore()
    with store.transaction() as session:
        generate_demo(session, DemoPlan(clients=30, seed=11, today=TODAY))
    with store.transaction() as session:
        loaded = [chart.load_client_chart(session, c.id)
                  for c in clients.list_clients(session, today=TODAY)]
    store.close()
    yield loaded


def test_sublingual_doses_step_up_from_a_low_start(charts: list[ClientChart]) -> None:
    courses = [c for record in charts for c in record.courses
               if c.dosing_sessions and c.dosing_sessions[0].route == "sublingual"]
    assert len(courses) >= 3
    for course in courses:
        doses = [d.dose_mg for d in sorted(course.dosing_sessions, key=lambda d: d.number)]
        assert doses[0] == SUBLINGUAL_START
        assert doses == sorted(doses), "a lozenge dose never steps down within a course"
    assert any(len(set(d.dose_mg for d in c.dosing_sessions)) > 2 for c in courses)


def _dissociation(record: ClientChart) -> list[tuple[str, int, int | None, int | None]]:
    """(route, dose id, CADSS total, CADSS-6 total) for each dose."""
    view = build_measures_view(record, INSTRUMENTS)
    doses = {d.id: d for d in record.dosing_sessions}
    by_ordinal = {ref.ordinal: ref.dosing_session_id for ref in dose_refs(record.courses).values()}
    result = []
    for point in view.dissociation:
        dose = doses[by_ordinal[point.dose_number]]
        result.append((dose.route, dose.id, point.cadss_total, point.cadss6_total))
    return result


def test_every_dose_has_one_dissociation_record_from_its_dosing_note(
    charts: list[ClientChart],
) -> None:
    for record in charts:
        per_dose = [a for a in record.administrations if a.instrument_id in ("cadss", "cadss6")]
        assert sorted(a.dosing_session_id or 0 for a in per_dose) == sorted(
            d.id for d in record.dosing_sessions)
        notes = {n.id: n for n in record.notes}
        for administration in per_dose:
            note = notes[administration.note_id or 0]
            assert note.template_id == "dosing" and note.signed
            assert note.dosing_session_id == administration.dosing_session_id


def test_the_cadss_follows_the_route_and_the_dose(charts: list[ClientChart]) -> None:
    totals: dict[str, list[int]] = {}
    for record in charts:
        for route, _dose, total, _six in _dissociation(record):
            if total is not None:
                totals.setdefault(route, []).append(total)
    # An IV infusion of 0.5 mg/kg over 40 minutes: a mean CADSS around 8, not 24.
    assert 5 <= statistics.mean(totals["intravenous"]) <= 11
    assert statistics.mean(totals["intramuscular"]) > statistics.mean(totals["intravenous"])
    assert max(max(v) for v in totals.values()) < 50


def test_the_cadss6_is_the_cadss6_of_the_cadss_items(charts: list[ClientChart]) -> None:
    checked = 0
    for record in charts:
        for administration in record.administrations:
            if administration.instrument_id != "cadss":
                continue
            answers = administration.response_map()
            six = sum(int(answers[i] or 0) for i in (1, 2, 6, 7, 15, 22))
            total = sum(int(v or 0) for v in answers.values())
            assert six <= total and six <= 24
            checked += 1
        for _route, _dose, total, six in _dissociation(record):
            if total is not None and six is not None:
                assert six <= total
    assert checked > 20


@pytest.mark.parametrize("instrument", ["phq9", "gad7", "pcl5"])
def test_measures_are_never_closer_than_their_timeframe(
    charts: list[ClientChart], instrument: str
) -> None:
    for record in charts:
        days = sorted(a.administered_on for a in record.administrations
                      if a.instrument_id == instrument)
        gaps = [(b - a).days for a, b in itertools.pairwise(days)]
        assert all(gap >= MIN_DAYS_APART[instrument] for gap in gaps), (record.client.name, gaps)


def test_some_clients_relapse_after_a_course_and_some_do_not_respond(
    charts: list[ClientChart],
) -> None:
    relapsed = not_responding = sustained = 0
    for record in charts:
        series = build_measures_view(record, INSTRUMENTS).for_instrument("phq9")
        if series is None or len(series.charted) < 4:
            continue
        totals = [(a.administration.administered_on, a.score.total) for a in series.charted
                  if a.score.total is not None]
        baseline = totals[0][1] or 0
        lowest = min(t for _d, t in totals)
        last = totals[-1][1] or 0
        if baseline - lowest >= 6 and last - lowest >= 6:
            relapsed += 1  # got reliably better, then came back up
        elif series.summary.label is ChangeLabel.NO_RELIABLE_CHANGE and baseline - lowest < 6:
            not_responding += 1
        elif series.summary.label is ChangeLabel.RELIABLE_IMPROVEMENT:
            sustained += 1
    assert relapsed >= 2 and not_responding >= 2
    assert sustained > relapsed + not_responding


def test_every_positive_item_9_is_followed_by_a_note_that_documents_the_risk_check(
    charts: list[ClientChart],
) -> None:
    flagged = 0
    for record in charts:
        notes = {n.id: n for n in record.notes}
        for followup in safety_followups(record, INSTRUMENTS):
            flagged += 1
            if followup.open:  # only a flag of the last days, with no session since
                assert followup.given_on >= TODAY - dt.timedelta(days=3)
                assert not any(n.session_date > followup.given_on for n in record.notes)
                continue
            note = notes[followup.addressed_by or 0]
            assert note.session_date == followup.given_on
            assert note.content["risk_notes"]
            if note.content["suicidal_ideation"] != "denied":
                assert note.content["risk_level"] and note.content["risk_actions"]
    assert flagged >= 5


def test_every_course_was_prepared_and_cleared_before_its_first_dose(
    charts: list[ClientChart],
) -> None:
    for record in charts:
        for course in record.courses:
            if not course.dosing_sessions:
                continue
            first = min(d.session_date for d in course.dosing_sessions)
            assert any(has_clearance(n) and n.course_id == course.id
                       and n.session_date <= first for n in record.notes)


def test_the_warnings_a_dosing_note_raised_were_signed_with_reasons(
    charts: list[ClientChart],
) -> None:
    reasons = [a for record in charts for n in record.notes if n.template_id == "dosing"
               for a in n.content.get("acknowledgements", [])]
    assert reasons, "some doses run a blood-pressure spike, signed with a reason"
    assert all(a["reason"].strip() for a in reasons)


def test_an_ifs_note_names_a_protector_as_its_main_protector(
    charts: list[ClientChart],
) -> None:
    """An exile is never a protector; a session with exiles alone names none, and no step
    of the 6 F's, which are worked with a protector."""
    named = without = 0
    for record in charts:
        types = {p.id: p.part_type for p in record.parts}
        for note in (n for n in record.notes if n.template_id == "ifs"):
            protector = note.content.get("main_protector")
            if protector:
                named += 1
                assert all(types[part] != "exile" for part in protector), note.id
            else:
                without += 1
                assert "six_fs_step" not in note.content
    assert named > 20 and without > 0
