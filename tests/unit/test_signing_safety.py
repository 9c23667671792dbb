"""Clinical safety at signing, on real notes through the backend: warnings that need a
reason, the risk check, the preparation clearance, the CADSS of a dose entered once, and
safety follow-ups from a measure."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pypdf
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.api import Kind
from models.backend import Backend
from models.clinical.safety import (
    CLEARANCE_CHECK,
    CLEARANCE_MESSAGE,
    latest_risk_check,
    open_followups,
    safety_followups,
    signed_past,
)
from models.clinical.waiting import waiting_words
from models.entities import MeasureAdministration
from models.errors import SigningError, ValidationError
from models.inputs import (
    INDEX_EVENT_NEEDED,
    ClientInput,
    CourseInput,
    MeasureInput,
    PartInput,
    ReportOptions,
    StatusChangeInput,
    TargetInput,
)
from models.services import notes
from models.templates.checks import ACKNOWLEDGEMENTS
from models.templates.definitions import CheckLevel
from models.templates.loading import load_templates
from reports.render import render_report

from .test_notes_service import COMMON, dosing_content, emdr_content

DAY = dt.date(2026, 9, 1)
PREPARATION = {
    **COMMON, "preparation_number": 1, "intention": "Less bracing.",
    "contraindications": ["none_found"], "medical_clearance": "cleared",
    "clearance_by": "Dr P", "clearance_date": "2026-08-30", "baseline_weight_kg": 70,
    "baseline_systolic": 122, "baseline_diastolic": 80,
    "suicide_screen_tool": "cssrs_screener", "suicide_screen_result": "negative",
    "written_safety_plan": True, "psychoeducation_topics": ["ketamine_effects"],
    "informed_consent_signed": True,
    "consent_topics": ["off_label_use", "abuse_liability", "no_driving"],
    "fasting_instructions_given": True, "ride_home_arranged": True,
    "medications_reviewed": True, "emergency_contact_recorded": True, "plan": "Dose 1.",
}
GENERAL = {**COMMON, "data": "Slept better.", "assessment": "Steady.", "plan": "Weekly."}


@pytest.fixture
def people(backend: Backend) -> dict[str, Any]:
    doc = backend.practice.create_clinician("Dr Safe", "MD").value
    client = backend.clients.create(ClientInput(name="Safety Fixture"), actor_id=None).value
    course = backend.care.add_course(client.id, CourseInput("spaced", DAY - dt.timedelta(
        days=10)), actor_id=None).value
    return {"doc": doc, "client": client, "course": course}


def write(backend: Backend, people: dict[str, Any], template_id: str, day: dt.date,
          content: dict[str, Any], *, sign: bool = True) -> int:
    note = backend.notes.create(people["client"].id, template_id, author_id=people["doc"].id,
                                session_date=day).value
    if template_id == "dosing":
        content = {**content, "session_number": note.content["session_number"]}
    backend.notes.save_draft(note.id, {**content, "session_date": day.isoformat()})
    if sign:
        backend.notes.sign(note.id, clinician_id=people["doc"].id)
    return note.id


def prepared(backend: Backend, people: dict[str, Any]) -> None:
    write(backend, people, "preparation", DAY - dt.timedelta(days=3), PREPARATION)


# --------------------------------------------------------------------------- warnings


def test_a_warning_keeps_the_note_unsigned_until_a_reason_is_given(
    backend: Backend, people: dict[str, Any]
) -> None:
    prepared(backend, people)
    content = dosing_content(DAY, 1)
    content["vitals"][1]["spo2"] = 89
    note_id = write(backend, people, "dosing", DAY, content, sign=False)
    check = backend.notes.check(note_id)
    assert check.problems == ()
    assert [c.check_id for c in check.unanswered] == ["spo2_low",
                                                      "vital_out_of_range_without_event"]
    with pytest.raises(SigningError) as info:
        backend.notes.sign(note_id, clinician_id=people["doc"].id)
    assert info.value.problems == [] and len(info.value.cautions) == 2
    assert str(info.value) == "The note cannot be signed yet: 2 warnings need a reason."
    assert backend.notes.get(note_id).status == "draft"

    reasons = [{"check": c.check_id, "row": c.row, "value": c.value,
                "reason": "Brief dip while asleep; rose to 96 % on stimulation."}
               for c in check.unanswered]
    assert backend.notes.check(note_id, {**backend.notes.get(note_id).content,
                                         ACKNOWLEDGEMENTS: reasons}).ready
    signed = backend.notes.sign(note_id, clinician_id=people["doc"].id).value
    assert signed.content[ACKNOWLEDGEMENTS] == reasons  # signed, hashed, locked with it
    assert notes.verify_note_hash(signed)


def test_the_warnings_signed_past_are_laid_out_in_the_report_with_their_reasons(
    backend: Backend, people: dict[str, Any]
) -> None:
    """A first dose signed without a clearance and with a low SpO2: both warnings and the
    reasons signed with them are in the report, as the note window shows them (the
    clearance comes from the rest of the record, not from the note's own values)."""
    content = dosing_content(DAY, 1)
    content["vitals"][1]["spo2"] = 89
    note_id = write(backend, people, "dosing", DAY, content, sign=False)
    found = backend.notes.check(note_id).unanswered
    reasons = [{"check": c.check_id, "row": c.row, "value": c.value,
                "reason": f"Reason for {c.check_id}: considered with the prescriber."}
               for c in found]
    backend.notes.save_draft(note_id, {**backend.notes.get(note_id).content,
                                       ACKNOWLEDGEMENTS: reasons})
    signed = backend.notes.sign(note_id, clinician_id=people["doc"].id).value
    template = load_templates().get("dosing", signed.template_version)
    shown = signed_past(template, signed.content)
    assert sorted(c.check_id for c, _reason in shown) == sorted(c.check_id for c in found)
    assert CLEARANCE_CHECK in {c.check_id for c, _reason in shown}
    for detail in ("full", "summaries"):  # in the note laid out, and on its one line
        data = backend.reports.data(people["client"].id, ReportOptions(
            start=DAY - dt.timedelta(days=30), end=DAY, sections=("sessions",),
            detail=detail))
        pdf = render_report(data)
        text = " ".join(" ".join(page.extract_text()
                                 for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
        assert f"Signed past {len(found)} warnings" in text
        for caution, reason in shown:
            assert " ".join(caution.message.split()) in text and reason in text
    # The prescriber's summary gives them under its dosing table, by dose.
    data = backend.reports.data(people["client"].id, ReportOptions(
        kind="prescriber", start=DAY - dt.timedelta(days=30), end=DAY))
    pages = pypdf.PdfReader(io.BytesIO(render_report(data))).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Warnings the dosing notes were signed past" in text
    assert text.index("Dosing sessions") < text.index("Warnings the dosing notes") \
        < text.index("Measures")
    for caution, reason in shown:
        assert f"{' '.join(caution.message.split())} {reason}" in text


def test_a_reason_for_a_warning_that_no_longer_fires_is_not_signed(
    backend: Backend, people: dict[str, Any]
) -> None:
    prepared(backend, people)
    stale = [{"check": "spo2_low", "row": 1, "value": "89 %", "reason": "Was asleep."}]
    note_id = write(backend, people, "dosing", DAY,
                    dosing_content(DAY, 1, **{ACKNOWLEDGEMENTS: stale}))
    assert ACKNOWLEDGEMENTS not in backend.notes.get(note_id).content


def test_a_refusal_cannot_be_signed_past(backend: Backend, people: dict[str, Any]) -> None:
    prepared(backend, people)
    content = dosing_content(DAY, 1, discharge_ready_time="09:00")  # before the 10:10 dose
    note_id = write(backend, people, "dosing", DAY, content, sign=False)
    with pytest.raises(SigningError) as info:
        backend.notes.sign(note_id, clinician_id=people["doc"].id)
    assert [p.field_path for p in info.value.problems] == ["discharge_ready_time"]


# --------------------------------------------------------------------------- risk check


def test_suicidal_ideation_present_cannot_be_signed_without_the_risk_check(
    backend: Backend, people: dict[str, Any]
) -> None:
    note_id = write(backend, people, "general", DAY, GENERAL | {
        "suicidal_ideation": "present"}, sign=False)
    with pytest.raises(SigningError) as info:
        backend.notes.sign(note_id, clinician_id=people["doc"].id)
    assert [p.label for p in info.value.problems] == [
        "Intent to act", "Access to means", "Recent self-harm or suicide attempt",
        "Risk level", "Actions taken", "Follow-up"]
    backend.notes.save_draft(note_id, backend.notes.get(note_id).content | {
        "risk_intent": False, "risk_means_access": False, "risk_recent_self_harm": False,
        "risk_level": "low", "risk_actions": ["safety_plan_reviewed"],
        "risk_follow_up": "Next session in 3 days."})
    assert backend.notes.sign(note_id, clinician_id=people["doc"].id).value.signed


def test_the_latest_risk_check_is_the_latest_signed_note_s_in_its_template_s_words(
    backend: Backend, people: dict[str, Any]
) -> None:
    client_id = people["client"].id
    assert latest_risk_check(backend.clients.chart(client_id).notes) is None
    write(backend, people, "general", DAY, GENERAL)
    present = write(backend, people, "general", DAY + dt.timedelta(days=2), GENERAL | {
        "suicidal_ideation": "present", "risk_intent": False, "risk_means_access": False,
        "risk_recent_self_harm": False, "risk_level": "moderate",
        "risk_actions": ["safety_plan_reviewed"],
        "risk_follow_up": "Phone check in 2 days; session on Friday."})
    # A draft, even a later one, is not a risk check on record.
    write(backend, people, "general", DAY + dt.timedelta(days=5), GENERAL, sign=False)
    risk = latest_risk_check(backend.clients.chart(client_id).notes)
    assert risk is not None and risk.note_id == present and risk.concern
    assert risk.text == (
        "Latest risk check, General integration note of 3 Sep 2026: Suicidal ideation: "
        "Present · Homicidal ideation: Denied · Risk level: Moderate · Follow-up: Phone "
        "check in 2 days; session on Friday.")
    # A note of an earlier day signed later does not come after it.
    write(backend, people, "general", DAY + dt.timedelta(days=1), GENERAL)
    assert latest_risk_check(backend.clients.chart(client_id).notes).note_id == present
    later = write(backend, people, "general", DAY + dt.timedelta(days=3), GENERAL)
    risk = latest_risk_check(backend.clients.chart(client_id).notes)
    assert risk is not None and risk.note_id == later and not risk.concern
    assert risk.said == "Suicidal ideation: Denied · Homicidal ideation: Denied"


# --------------------------------------------------------------------------- preparation


def test_the_first_dose_of_a_course_warns_without_a_signed_clearance(
    backend: Backend, people: dict[str, Any]
) -> None:
    note_id = write(backend, people, "dosing", DAY, dosing_content(DAY, 1), sign=False)
    [caution] = backend.notes.check(note_id).unanswered
    assert (caution.check_id, caution.message) == (CLEARANCE_CHECK, CLEARANCE_MESSAGE)
    # A draft preparation note, or one without a clearance, does not count.
    write(backend, people, "preparation", DAY - dt.timedelta(days=2),
          PREPARATION, sign=False)
    pending = PREPARATION | {"medical_clearance": "pending"}
    del pending["clearance_by"], pending["clearance_date"]
    write(backend, people, "preparation", DAY - dt.timedelta(days=2), pending)
    assert [c.check_id for c in backend.notes.check(note_id).unanswered] == [CLEARANCE_CHECK]
    prepared(backend, people)
    assert backend.notes.check(note_id).ready


def test_only_the_first_dose_looks_for_the_clearance(
    backend: Backend, people: dict[str, Any]
) -> None:
    first = write(backend, people, "dosing", DAY, dosing_content(DAY, 1), sign=False)
    second_day = DAY + dt.timedelta(days=7)
    second = write(backend, people, "dosing", second_day, dosing_content(second_day, 2),
                   sign=False)
    assert [c.check_id for c in backend.notes.check(first).unanswered] == [CLEARANCE_CHECK]
    assert backend.notes.check(second).ready


# --------------------------------------------------------------------------- the CADSS of a dose


def test_a_dosing_draft_is_given_the_dose_before_it_and_a_signed_note_is_not(
    backend: Backend, people: dict[str, Any]
) -> None:
    prepared(backend, people)
    write(backend, people, "dosing", DAY, dosing_content(DAY, 1))
    later = DAY + dt.timedelta(days=7)
    draft = backend.notes.create(people["client"].id, "dosing", author_id=people["doc"].id,
                                 session_date=later).value
    context = backend.notes.context(draft.id)
    assert context.last_dose.splitlines() == [
        "The last dose, D1 on 1 Sep 2026: Intramuscular, 70 mg in all (56 mg + 14 mg "
        "booster), 1 mg/kg.", "No vital out of range.", "No adverse event recorded.",
        "Dissociation: CADSS-6 7."]
    assert not context.last_dose_concern
    # The first dose has none before it; an integration note is not given one.
    first = next(n for n in backend.notes.of_client(people["client"].id)
                 if n.template_id == "dosing" and n.signed)
    assert backend.notes.context(first.id).last_dose == ""
    general = backend.notes.create(people["client"].id, "general",
                                   author_id=people["doc"].id, session_date=later).value
    assert backend.notes.context(general.id).last_dose == ""


def test_the_cadss_in_the_dosing_note_is_the_cadss_of_that_dose_in_measures(
    backend: Backend, session: Session, people: dict[str, Any]
) -> None:
    prepared(backend, people)
    note_id = write(backend, people, "dosing", DAY, dosing_content(DAY, 1))
    note = backend.notes.get(note_id)
    [administration] = session.scalars(select(MeasureAdministration)).all()
    assert (administration.instrument_id, administration.dosing_session_id,
            administration.note_id, administration.administered_on) == (
        "cadss6", note.dosing_session_id, note_id, DAY)
    view = backend.measures.view(people["client"].id)
    [dose] = view.dissociation
    assert (dose.label, dose.cadss6_total) == ("D1", 7)
    # One record: Measures will not take a second one for that dose...
    with pytest.raises(ValidationError) as info:
        backend.measures.record(people["client"].id, MeasureInput(
            "cadss", DAY, "after_dose", dict.fromkeys(range(1, 24), 1),
            dosing_session_id=note.dosing_session_id), actor_id=None)
    assert info.value.problems["dosing_session_id"].startswith(
        "This dose already has its CADSS-6 (from its dosing note)")
    # ...and it is locked with the signed note.
    with pytest.raises(ValidationError, match="signed note"):
        backend.measures.mark_entered_in_error(administration.id, "typo", actor_id=None)


def test_a_dosing_note_cannot_bring_a_second_cadss_for_its_dose(
    backend: Backend, people: dict[str, Any]
) -> None:
    prepared(backend, people)
    note_id = write(backend, people, "dosing", DAY, dosing_content(DAY, 1), sign=False)
    dose_id = backend.notes.get(note_id).dosing_session_id
    # While the draft holds a CADSS, Measures refuses one for the dose.
    with pytest.raises(ValidationError, match="dosing note of this dose"):
        backend.measures.record(people["client"].id, MeasureInput(
            "cadss6", DAY, "after_dose", dict.fromkeys((1, 2, 6, 7, 15, 22), 1),
            dosing_session_id=dose_id), actor_id=None)
    without = dosing_content(DAY, 1)
    del without["dissociation"]
    backend.notes.save_draft(note_id, without)
    recorded = backend.measures.record(people["client"].id, MeasureInput(
        "cadss6", DAY, "after_dose", dict.fromkeys((1, 2, 6, 7, 15, 22), 1),
        dosing_session_id=dose_id), actor_id=None).value
    backend.notes.save_draft(note_id, dosing_content(DAY, 1))
    [problem] = backend.notes.check(note_id).problems
    assert problem.field_path == "dissociation"
    assert problem.message.startswith("Measures already holds the CADSS-6 of this dose")
    assert backend.notes.context(note_id).dose_measures[0].id == recorded.administration.id


def test_an_incomplete_cadss_in_the_note_cannot_be_signed(
    backend: Backend, people: dict[str, Any]
) -> None:
    prepared(backend, people)
    content = dosing_content(DAY, 1, dissociation={
        "instrument": "cadss", "minutes_from_dose": 40, "answers": {"1": 2, "2": 0}})
    note_id = write(backend, people, "dosing", DAY, content, sign=False)
    [problem] = backend.notes.check(note_id).problems
    assert problem.message == (
        "Dissociation (CADSS): CADSS items 3, 4, 5, 6, 7, 8… are not answered; answer every "
        "item, or clear the reading.")


# --------------------------------------------------------------------------- follow-ups


def phq9(backend: Backend, people: dict[str, Any], day: dt.date, item9: int) -> int:
    answers: dict[int, int | float | None] = {i: 1 for i in range(1, 9)} | {9: item9}
    return backend.measures.record(people["client"].id, MeasureInput(
        "phq9", day, "integration", answers, repeat_confirmed=True),
        actor_id=None).value.administration.id


def test_a_positive_item_9_stays_open_until_a_signed_note_answers_it(
    backend: Backend, people: dict[str, Any]
) -> None:
    before = write(backend, people, "general", DAY - dt.timedelta(days=1), GENERAL)
    flagged = phq9(backend, people, DAY, 2)
    phq9(backend, people, DAY, 0)  # a negative answer opens nothing
    [followup] = safety_followups(backend.clients.chart(people["client"].id))
    assert followup.open and followup.administration_id == flagged
    assert followup.text == ("Safety follow-up: PHQ-9 item 9 = 2 (Thoughts of death or "
                             "self-harm) on 1 Sep 2026, open: the next note's risk check "
                             "answers it.")
    draft = write(backend, people, "general", DAY + dt.timedelta(days=2), GENERAL, sign=False)
    assert [f.administration_id for f in backend.notes.context(draft).followups] == [flagged]
    assert [f.open for f in backend.notes.context(before).followups] == [True]
    assert safety_followups(backend.clients.chart(people["client"].id))[0].open  # a draft
    backend.notes.sign(draft, clinician_id=people["doc"].id)
    [done] = safety_followups(backend.clients.chart(people["client"].id))
    assert (done.addressed_by, done.status) == (draft, "addressed in the note of 3 Sep 2026")


def test_a_flag_entered_between_sessions_is_answered_by_the_next_note_the_same_day(
    backend: Backend, people: dict[str, Any]
) -> None:
    signed_earlier = write(backend, people, "general", DAY, GENERAL)
    phq9(backend, people, DAY, 1)  # entered after that note was signed
    [followup] = safety_followups(backend.clients.chart(people["client"].id))
    assert followup.open, "a note signed before the flag was entered cannot have answered it"
    assert _listed(backend, people) == (1, 0)  # the client list reads it the same way
    later = write(backend, people, "general", DAY, GENERAL)
    [followup] = safety_followups(backend.clients.chart(people["client"].id))
    assert followup.addressed_by == later != signed_earlier
    assert _listed(backend, people) == (0, 0)


def test_an_entry_marked_in_error_opens_no_follow_up(
    backend: Backend, people: dict[str, Any]
) -> None:
    flagged = phq9(backend, people, DAY, 3)
    backend.measures.mark_entered_in_error(flagged, "Wrong client's form", actor_id=None)
    assert safety_followups(backend.clients.chart(people["client"].id)) == ()


# --------------------------------------------------------------------------- PCL-5


def test_a_pcl5_names_the_event_the_client_rated(
    backend: Backend, people: dict[str, Any]
) -> None:
    answers: dict[int, int | float | None] = dict.fromkeys(range(1, 21), 2)
    with pytest.raises(ValidationError) as info:
        backend.measures.record(people["client"].id, MeasureInput(
            "pcl5", DAY, "baseline", answers), actor_id=None)
    assert info.value.problems == {"index_event": INDEX_EVENT_NEEDED}
    recorded = backend.measures.record(people["client"].id, MeasureInput(
        "pcl5", DAY, "baseline", answers, index_event=" The crash "), actor_id=None).value
    assert recorded.administration.index_event == "The crash"
    later = DAY + dt.timedelta(days=35)
    backend.measures.record(people["client"].id, MeasureInput(
        "pcl5", later, "follow_up", dict.fromkeys(range(1, 21), 1),
        index_event="Losing the job"), actor_id=None)
    series = backend.measures.view(people["client"].id).for_instrument("pcl5")
    assert series is not None
    assert "the baseline and the latest rate different index events" in \
        series.summary.not_judged


# --------------------------------------------------------------------------- every check


def _emdr(backend: Backend, people: dict[str, Any]) -> dict[str, Any]:
    target = backend.targets.create(people["client"].id, TargetInput(label="Hallway"),
                                    actor_id=None).value
    earlier = backend.targets.create(people["client"].id, TargetInput(label="Kitchen"),
                                     actor_id=None).value
    return emdr_content(target.id, DAY) | {
        "phases_covered": ["3", "4", "5", "8"], "reeval_target": earlier.id, "reeval_sud": 1}


def _ifs(backend: Backend, people: dict[str, Any]) -> dict[str, Any]:
    part = backend.parts.create(people["client"].id, PartInput("Little One", "exile"),
                                actor_id=None).value
    return {**COMMON, "trailhead": "Tight chest", "parts_worked": [part.id], "self_energy": 5,
            "plan": "Check back.", "protector_permission": True,
            "unburdening_steps": ["witnessing"], "backlash_check": "Calm.",
            "backlash_plan": "Call if needed."}


def _vitals(row: int, **values: int) -> Any:
    def change(content: dict[str, Any]) -> None:
        content["vitals"][row].update(values)
    return change


def _set(**values: Any) -> Any:
    def change(content: dict[str, Any]) -> None:
        content.update(values)
    return change


def _event(**values: Any) -> Any:
    def change(content: dict[str, Any]) -> None:
        content.update(adverse_events_occurred=True, prescriber_notified=True,
                       adverse_events=[{"event": "nausea", "severity": "mild",
                                        "serious": False, "action_taken": "Observed",
                                        "outcome": "resolved", "resolved_minutes": 60}
                                       | values])
    return change


EVERY_CHECK = [
    # (template, how the signable note is changed, the check that must fire)
    ("dosing", _vitals(1, systolic=180), "systolic_high"),
    ("dosing", _vitals(1, diastolic=110), "diastolic_high"),
    ("dosing", _vitals(1, spo2=91), "spo2_low"),
    ("dosing", _vitals(1, heart_rate=131), "heart_rate_out_of_range"),
    ("dosing", _vitals(1, heart_rate=44), "heart_rate_out_of_range"),
    ("dosing", _vitals(1, respiratory_rate=9), "respiratory_rate_low"),
    ("dosing", _set(dose_mg=112.0, boosters=[]), "dose_above_usual_im"),  # 1.6 mg/kg
    ("dosing", _set(route="intravenous", dose_mg=77.0, boosters=[]), "dose_above_usual_iv"),
    ("dosing", _set(route="sublingual", dose_mg=500.0, boosters=[]), "dose_above_usual_oral"),
    ("dosing", _set(route="intranasal", dose_mg=112.0, boosters=[]),
     "dose_above_usual_intranasal"),
    ("dosing", _set(discharge_ready_time="11:30"), "discharge_too_soon"),
    ("dosing", _set(discharge_criteria=["alert_oriented"]), "discharge_criteria_not_all_met"),
    ("dosing", _set(told_not_to_drive=False), "not_told_about_driving"),
    ("dosing", _vitals(0, minutes_from_dose=5), "no_vitals_before_dose"),
    ("dosing", _vitals(0, systolic=78), "systolic_not_above_diastolic"),
    ("dosing", _set(discharge_ready_time="10:00"), "discharge_before_dose"),
    ("dosing", _event(event="other"), "other_event_undescribed"),
    ("dosing", _event(resolved_minutes=None), "resolved_without_time"),
    ("dosing", _event(serious=True), None),  # a serious event, prescriber told: signs
    ("emdr", _set(phases_covered=["3", "4", "5"]), "reevaluation_without_phase_8"),
    ("emdr", _set(dissociation_screen="not_ready", readiness_notes="Spacey"),
     "processing_when_not_ready"),
    ("ifs", _set(protector_permission=False), "exile_work_without_permission"),
    ("ifs", _set(protector_permission=None), "exile_work_permission_not_recorded"),
    ("preparation", _set(contraindications=["none_found", "pregnancy"]),
     "none_found_and_contraindication"),
    ("preparation", _set(baseline_systolic=70), "baseline_systolic_not_above_diastolic"),
    ("preparation", _set(baseline_systolic=165), "baseline_bp_high"),
    ("preparation", _set(baseline_diastolic=100), "baseline_diastolic_high"),
    ("preparation", _set(suicide_screen_result="low", written_safety_plan=False),
     "positive_screen_without_safety_plan"),
    ("preparation", _set(consent_topics=["off_label_use"]), "consent_topics_missing"),
    ("general", _set(suicidal_ideation="present", risk_intent=True, risk_means_access=False,
                     risk_recent_self_harm=False, risk_level="high",
                     risk_actions=["safety_plan_reviewed"], risk_follow_up="Tomorrow."),
     "high_risk_without_urgent_action"),
]


@pytest.mark.parametrize(("template_id", "change", "check"), EVERY_CHECK,
                         ids=[f"{t}-{c}" for t, _, c in EVERY_CHECK])
def test_every_check_refuses_or_asks_for_a_reason_on_a_real_note(
    backend: Backend, people: dict[str, Any], template_id: str, change: Any, check: str | None
) -> None:
    prepared(backend, people)
    content: dict[str, Any] = {
        "dosing": lambda: dosing_content(DAY, 1),
        "emdr": lambda: _emdr(backend, people),
        "ifs": lambda: _ifs(backend, people),
        "preparation": lambda: dict(PREPARATION),
        "general": lambda: dict(GENERAL),
    }[template_id]()
    change(content)
    content = {k: v for k, v in content.items() if v is not None}
    note_id = write(backend, people, template_id, DAY, content, sign=False)
    if check is None:
        assert backend.notes.sign(note_id, clinician_id=people["doc"].id).value.signed
        return
    with pytest.raises(SigningError) as info:
        backend.notes.sign(note_id, clinician_id=people["doc"].id)
    refused = [p.field_path for p in info.value.problems]
    warned = [c.check_id for c in info.value.cautions]
    version = backend.notes.get(note_id).template_version
    level = next(c.level for c in load_templates().get(template_id, version).checks
                 if c.id == check)
    if level is CheckLevel.REFUSAL:
        assert refused and check not in warned
        return
    assert check in warned and not refused
    check_result = backend.notes.check(note_id)
    reasons = [{"check": c.check_id, "row": c.row, "value": c.value, "reason": "Considered."}
               for c in check_result.unanswered]
    backend.notes.save_draft(note_id, backend.notes.get(note_id).content
                             | {ACKNOWLEDGEMENTS: reasons})
    signed = backend.notes.sign(note_id, clinician_id=people["doc"].id).value
    assert check in {a["check"] for a in signed.content[ACKNOWLEDGEMENTS]}


def _draft_on(backend: Backend, people: dict[str, Any], day: dt.date) -> int:
    [note] = [n for n in backend.clients.chart(people["client"].id).notes
              if not n.signed and n.session_date == day]
    return note.id


def _listed(backend: Backend, people: dict[str, Any]) -> tuple[int, int]:
    """The client list's (open follow-ups, unsigned notes) for the client, checked against
    what the client's own chart works out."""
    client_id = people["client"].id
    [row] = [r for r in backend.clients.summaries() if r.id == client_id]
    record = backend.clients.chart(client_id)
    still_open = open_followups(safety_followups(record))
    assert row.open_followups == len(still_open)
    assert row.unsigned_notes == record.unsigned_notes
    # What waits across the practice names the same follow-ups and drafts, oldest first.
    waiting = [w for w in backend.clients.waiting() if w.client_id == client_id]
    assert [(w.day, w.finding) for w in waiting if w.is_followup] \
        == [(f.given_on, f.what) for f in still_open]
    drafts = sorted((n for n in record.notes if not n.signed),
                    key=lambda n: (n.session_date, n.id))
    assert [(w.note_id, w.day, w.template_id) for w in waiting if not w.is_followup] \
        == [(n.id, n.session_date, n.template_id) for n in drafts]
    assert all(w.record_number == people["client"].record_number for w in waiting)
    return row.open_followups, row.unsigned_notes


def test_the_client_list_counts_open_follow_ups_and_notes_to_sign(
    backend: Backend, people: dict[str, Any]
) -> None:
    other = backend.clients.create(ClientInput(name="Someone Else"), actor_id=None).value
    assert _listed(backend, people) == (0, 0)
    write(backend, people, "general", DAY - dt.timedelta(days=1), GENERAL)
    first = phq9(backend, people, DAY, 2)
    done = backend.measures.record(people["client"].id, MeasureInput(
        "phq9", DAY + dt.timedelta(days=1), "integration", {i: 1 for i in range(1, 10)},
        repeat_confirmed=True), actor_id=None)
    assert Kind.CLIENTS in done.changes.kinds, "a flag must reach the client list"
    assert _listed(backend, people) == (2, 0)
    draft = write(backend, people, "general", DAY + dt.timedelta(days=2), GENERAL, sign=False)
    assert _listed(backend, people) == (2, 1), "a draft answers nothing yet"
    [row] = [r for r in backend.clients.summaries() if r.id == people["client"].id]
    assert waiting_words(row) == ("2 safety follow-ups open: the next note's risk check "
                                  "answers it; 1 note to sign, of 3 Sep 2026")
    write(backend, people, "general", DAY - dt.timedelta(days=3), GENERAL, sign=False)
    [row] = [r for r in backend.clients.summaries() if r.id == people["client"].id]
    assert waiting_words(row).endswith("; 2 notes to sign, the oldest of 29 Aug 2026")
    backend.notes.discard_draft(_draft_on(backend, people, DAY - dt.timedelta(days=3)),
                                actor_id=None)
    backend.notes.sign(draft, clinician_id=people["doc"].id)
    assert _listed(backend, people) == (0, 0)
    # A later flag, and then the first one taken back: only the later one stays open.
    later = phq9(backend, people, DAY + dt.timedelta(days=5), 1)
    assert _listed(backend, people) == (1, 0)
    undone = backend.measures.mark_entered_in_error(later, "Another client's form",
                                                    actor_id=None)
    assert Kind.CLIENTS in undone.changes.kinds
    assert _listed(backend, people) == (0, 0)
    assert first and [(r.open_followups, r.unsigned_notes) for r in
                      backend.clients.summaries() if r.id == other.id] == [(0, 0)]


def test_the_client_list_looks_past_a_first_note_that_did_not_answer_the_flag(
    backend: Backend, people: dict[str, Any]
) -> None:
    """The list reads first only the first signed note after each flag; when that one
    cannot have answered it (signed before the flag was entered), it reads on."""
    write(backend, people, "general", DAY, GENERAL)
    phq9(backend, people, DAY, 1)
    assert _listed(backend, people) == (1, 0)
    write(backend, people, "general", DAY + dt.timedelta(days=4), GENERAL)
    assert _listed(backend, people) == (0, 0)


def test_what_waits_lists_follow_ups_first_then_notes_to_sign_across_the_practice(
    backend: Backend, people: dict[str, Any]
) -> None:
    """Every client's open follow-ups, oldest first, then every draft, oldest session
    first; a discharged client's stay listed (a follow-up stays open after a discharge)."""
    assert backend.clients.waiting() == []
    other = backend.clients.create(ClientInput(name="Other Fixture"), actor_id=None).value
    backend.care.add_course(other.id, CourseInput("spaced", DAY - dt.timedelta(days=10)),
                            actor_id=None)
    elsewhere = {**people, "client": other}
    late_draft = write(backend, people, "general", DAY + dt.timedelta(days=6), GENERAL,
                       sign=False)
    early_draft = write(backend, elsewhere, "general", DAY + dt.timedelta(days=2), GENERAL,
                        sign=False)
    phq9(backend, people, DAY + dt.timedelta(days=3), 1)
    phq9(backend, elsewhere, DAY, 3)
    backend.clients.discharge(other.id, StatusChangeInput(backend.today, "Moved away"),
                              actor_id=None)
    waiting = backend.clients.waiting()
    assert [(w.record_number, w.day, w.note_id) for w in waiting] == [
        (other.record_number, DAY, None),
        (people["client"].record_number, DAY + dt.timedelta(days=3), None),
        (other.record_number, DAY + dt.timedelta(days=2), early_draft),
        (people["client"].record_number, DAY + dt.timedelta(days=6), late_draft)]
    assert waiting[0].finding == "PHQ-9 item 9 = 3 (Thoughts of death or self-harm)"
    assert waiting[0].client_status == "discharged" and waiting[0].client_name == other.name
    assert [w.template_id for w in waiting] == ["", "", "general", "general"]


def test_the_next_dosing_draft_recalls_the_warnings_the_dose_before_was_signed_past(
    backend: Backend, people: dict[str, Any]
) -> None:
    """The team reads, before the next dose, what the last one's note was signed past and
    why: the same list the note window and the reports give (safety.signed_past)."""
    prepared(backend, people)
    content = dosing_content(DAY, 1)
    content["vitals"][1]["spo2"] = 89
    first = write(backend, people, "dosing", DAY, content, sign=False)
    reasons = [{"check": c.check_id, "row": c.row, "value": c.value,
                "reason": "Brief dip while asleep; rose to 96 % on stimulation."}
               for c in backend.notes.check(first).unanswered]
    backend.notes.save_draft(first, {**backend.notes.get(first).content,
                                     ACKNOWLEDGEMENTS: reasons})
    signed = backend.notes.sign(first, clinician_id=people["doc"].id).value
    template = load_templates().get("dosing", signed.template_version)
    warnings = [c.message for c, _reason in signed_past(template, signed.content)]
    assert len(warnings) == 2

    second = write(backend, people, "dosing", DAY + dt.timedelta(days=7),
                   dosing_content(DAY + dt.timedelta(days=7), 2), sign=False)
    recalled = backend.notes.context(second).last_dose.splitlines()
    assert recalled[0].startswith("The last dose, D1 on 1 Sep 2026: ")
    assert recalled[-2:] == [
        f"Signed past: {w.rstrip('.')}; the reason given: \u201cBrief dip while asleep; "
        "rose to 96 % on stimulation.\u201d" for w in warnings]
