"""A report's period and what falls in it; vitals out of range; the report options' checks."""

from __future__ import annotations

import datetime as dt

import pytest

from models.backend import Backend
from models.clinical.period import report_period, session_counts
from models.clinical.vitals import (
    boosters_text,
    out_of_range,
    vital_limits_text,
)
from models.dto import BoosterDTO, VitalDTO
from models.errors import ValidationError
from models.inputs import ClientInput, ReportOptions, validate_report_options
from tests.conftest import TODAY


def test_the_period_defaults_to_the_latest_course_until_today(backend: Backend) -> None:
    from models.demo import DemoPlan, generate_demo

    with backend.vault.transaction() as session:  # type: ignore[attr-defined]
        generate_demo(session, DemoPlan(clients=1, seed=3, today=TODAY))
    chart = backend.clients.chart(1)
    latest = max(c.start_date for c in chart.courses)
    assert report_period(chart, TODAY) == (latest, TODAY)
    asked = (dt.date(2026, 1, 1), dt.date(2026, 9, 30))
    assert report_period(chart, TODAY, *asked) == asked
    counts = {c.modality: c.count for c in session_counts(chart, *report_period(chart, TODAY))}
    doses = [d for d in chart.dosing_sessions if d.session_date >= latest]
    assert counts["dosing"] == len(doses)
    assert list(counts) == [code for code in ("preparation", "dosing", "emdr", "art", "ifs",
                                              "general") if code in counts]


def test_a_client_with_nothing_on_record_gets_today_alone(backend: Backend) -> None:
    client = backend.clients.create(ClientInput(name="Empty Record"), actor_id=None).value
    chart = backend.clients.chart(client.id)
    assert report_period(chart, TODAY) == (TODAY, TODAY)
    assert session_counts(chart, TODAY, TODAY) == []


@pytest.mark.parametrize(("vital", "found"), [
    (VitalDTO(40, 120, 80, 80, 97), []),
    (VitalDTO(40, 180, 80, 80, 97), ["Systolic BP at or above 180 mmHg (180 mmHg) at +40 min"]),
    (VitalDTO(40, 150, 110, 131, 91), [
        "Diastolic BP at or above 110 mmHg (110 mmHg) at +40 min",
        "SpO2 below 92 % (91 %) at +40 min",
        "Heart rate above 130 or below 45 bpm (131 bpm) at +40 min"]),
    (VitalDTO(-5, 120, 80, 44, None), ["Heart rate above 130 or below 45 bpm (44 bpm) at -5 min"]),
    (VitalDTO(10, None, None, 130, 92), []),
    (VitalDTO(30, 130, 80, 80, 95, respiratory_rate=9),
     ["Respiratory rate below 10 breaths a minute (9 /min) at +30 min"]),
])
def test_vitals_out_of_range_are_the_dosing_templates_warnings(
        vital: VitalDTO, found: list[str]) -> None:
    assert out_of_range(vital) == found


def test_the_limits_are_stated_as_the_template_words_them() -> None:
    assert vital_limits_text() == (
        "Systolic BP at or above 180 mmHg; Diastolic BP at or above 110 mmHg; SpO2 below 92 %; "
        "Heart rate above 130 or below 45 bpm; Respiratory rate below 10 breaths a minute")


def test_boosters_add_to_the_dose(backend: Backend) -> None:
    from dataclasses import replace

    from models.demo import DemoPlan, generate_demo

    with backend.vault.transaction() as session:  # type: ignore[attr-defined]
        generate_demo(session, DemoPlan(clients=1, seed=3, today=TODAY))
    dose = backend.clients.chart(1).dosing_sessions[0]
    boosted = replace(dose, dose_mg=100.0, boosters=(BoosterDTO(20, 25.0), BoosterDTO(40, 12.5)))
    assert boosted.cumulative_mg == 137.5
    assert boosters_text(boosted) == "25 mg at +20 min; 12.5 mg at +40 min"


@pytest.mark.parametrize(("options", "field", "words"), [
    (ReportOptions(start=TODAY, end=TODAY - dt.timedelta(days=1)), "start", "starts after"),
    (ReportOptions(end=TODAY + dt.timedelta(days=1)), "end", "after today"),
    (ReportOptions(sections=()), "sections", "at least one section"),
    (ReportOptions(sections=("summary", "appendix")), "sections", "no report section"),
    (ReportOptions(kind="letter"), "kind", "Choose"),
    (ReportOptions(detail="some"), "detail", "Choose"),
    (ReportOptions(kind="prescriber", comment="x" * 1501), "comment", "two pages"),
])
def test_report_options_say_what_is_wrong(options: ReportOptions, field: str,
                                          words: str) -> None:
    problems = validate_report_options(options, today=TODAY)
    assert words in problems[field]


def test_the_backend_refuses_bad_options_and_audits_a_saved_report(backend: Backend) -> None:
    client = backend.clients.create(ClientInput(name="Audit Fixture"), actor_id=None).value
    with pytest.raises(ValidationError):
        backend.reports.data(client.id, ReportOptions(sections=()))
    data = backend.reports.data(client.id, ReportOptions())
    assert (data.start, data.end, data.made_on) == (TODAY, TODAY, TODAY)
    backend.reports.record(client.id, ReportOptions(start=data.start, end=data.end), "saved",
                           protected=True, actor_id=None)
    backend.reports.record(client.id, ReportOptions(kind="prescriber"), "printed",
                           protected=False, actor_id=None)
    events = backend.audit.events(client_id=client.id, action_prefix="report.")
    assert [e.action for e in events] == ["report.saved", "report.printed"]
    assert "protected=1" in events[0].detail and "kind=progress" in events[0].detail
    assert f"period={TODAY.isoformat()}..{TODAY.isoformat()}" in events[0].detail
    assert all("Audit Fixture" not in e.detail for e in events)
    assert backend.audit.verify_chain().ok
