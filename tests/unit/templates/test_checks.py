"""Checks written in a template: refusals, warnings that need a reason, and the reasons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from models.templates.checks import (
    ACKNOWLEDGEMENTS,
    cautions,
    given_reasons,
    unacknowledged,
    with_reasons,
)
from models.templates.definitions import CheckLevel, TemplateDefinitionError
from models.templates.loading import TemplateRegistry, load_templates
from models.templates.validation import derive_values, validate_note

from .samples import MINI_COMMON, sample_note, write_templates


def fired(registry: TemplateRegistry, template_id: str, content: dict[str, Any]) -> list[str]:
    return [c.check_id for c in cautions(registry.latest(template_id), content)]


def dosing_note(**changes: Any) -> dict[str, Any]:
    """The signable dosing sample with some values changed, derived fields worked out."""
    from models.templates.loading import load_templates as templates

    return derive_values(templates().latest("dosing"), sample_note("dosing") | changes)


# --------------------------------------------------------------------------- dosing warnings


def test_the_sample_dosing_note_raises_nothing(bundled: TemplateRegistry) -> None:
    assert fired(bundled, "dosing", dosing_note()) == []


@pytest.mark.parametrize(
    ("row", "check"),
    [
        ({"systolic": 180}, "systolic_high"),
        ({"diastolic": 110}, "diastolic_high"),
        ({"spo2": 91}, "spo2_low"),
        ({"heart_rate": 131}, "heart_rate_out_of_range"),
        ({"heart_rate": 44}, "heart_rate_out_of_range"),
        ({"respiratory_rate": 9}, "respiratory_rate_low"),
    ],
)
def test_a_vital_out_of_range_warns_at_its_row(
    bundled: TemplateRegistry, row: dict[str, int], check: str
) -> None:
    note = dosing_note()
    note["vitals"][1] |= row
    found = cautions(bundled.latest("dosing"), note)
    assert (found[0].check_id, found[0].row, found[0].level) == (check, 1, CheckLevel.WARNING)
    assert found[0].field_path.startswith("vitals[1].")
    assert found[0].message.startswith("Vitals, row 2: ")


@pytest.mark.parametrize(
    ("row", "silent"),
    [({"systolic": 179}, True), ({"diastolic": 109}, True), ({"spo2": 92}, True),
     ({"heart_rate": 130}, True), ({"heart_rate": 45}, True), ({"respiratory_rate": 10}, True)],
)
def test_a_vital_at_the_edge_of_its_range_does_not_warn(
    bundled: TemplateRegistry, row: dict[str, int], silent: bool
) -> None:
    note = dosing_note()
    note["vitals"][1] |= row
    assert (fired(bundled, "dosing", note) == []) is silent


def test_an_out_of_range_vital_with_no_adverse_events_asks_for_confirmation(
    bundled: TemplateRegistry,
) -> None:
    note = dosing_note(adverse_events_occurred=False)
    del note["adverse_events"], note["rescue_medications"], note["prescriber_notified"]
    assert fired(bundled, "dosing", note) == []
    note["vitals"][1]["spo2"] = 90
    assert fired(bundled, "dosing", note) == ["spo2_low", "vital_out_of_range_without_event"]
    confirm = cautions(bundled.latest("dosing"), note)[1]
    assert confirm.message == ("A vital sign was out of range, yet no adverse events are "
                               "recorded.")
    assert confirm.why == "Confirm there were none, or record the event."


@pytest.mark.parametrize(
    ("route", "dose_mg", "boosters", "warns"),
    [
        # 70 kg. The cumulative dose (first dose + boosters) is what is judged.
        ("intramuscular", 100, [], False),  # 1.429 mg/kg
        ("intramuscular", 70, [{"minutes_from_dose": 30, "dose_mg": 40}], True),  # 1.571
        ("intravenous", 70, [], False),  # exactly 1.0
        ("intravenous", 71, [], True),  # 1.014
        ("sublingual", 400, [], False),  # 5.714
        ("sublingual", 400, [{"minutes_from_dose": 40, "dose_mg": 100}], True),  # 7.143
        ("intranasal", 84, [], False),  # 1.2
    ],
)
def test_a_dose_above_the_usual_range_for_its_route_warns(
    bundled: TemplateRegistry, route: str, dose_mg: int, boosters: list[dict[str, int]],
    warns: bool,
) -> None:
    note = dosing_note(route=route, dose_mg=dose_mg, weight_kg=70, boosters=boosters)
    found = [c for c in fired(bundled, "dosing", note) if c.startswith("dose_above_usual")]
    assert bool(found) is warns


def test_the_cumulative_dose_is_the_first_dose_and_every_booster(
    bundled: TemplateRegistry,
) -> None:
    note = dosing_note(dose_mg=35, weight_kg=70, boosters=[
        {"minutes_from_dose": 20, "dose_mg": 10}, {"minutes_from_dose": 40, "dose_mg": 15}])
    assert (note["cumulative_mg"], note["cumulative_mg_per_kg"]) == (60, 0.857)
    assert (note["mg_per_kg"]) == 0.5
    no_boosters = dosing_note(dose_mg=35, weight_kg=70, boosters=[])
    assert no_boosters["cumulative_mg"] == 35


def test_discharge_sooner_than_the_minimum_monitoring_warns_and_before_the_dose_refuses(
    bundled: TemplateRegistry,
) -> None:
    dosing = bundled.latest("dosing")
    soon = dosing_note(dose_time="10:15", discharge_ready_time="12:00")  # 105 minutes
    [caution] = cautions(dosing, soon)
    assert caution.check_id == "discharge_too_soon" and caution.value == "105 min"
    assert fired(bundled, "dosing", dosing_note(discharge_ready_time="12:15")) == []
    before = dosing_note(dose_time="10:15", discharge_ready_time="09:50")
    problems = validate_note(dosing, before, for_signing=True)
    assert [p.message for p in problems] == [
        "Ready for discharge before the time of dose (-25 min). Check both times (24-hour "
        "clock)."]


def test_impossible_values_are_refused_not_warned(bundled: TemplateRegistry) -> None:
    dosing = bundled.latest("dosing")
    note = dosing_note()
    note["vitals"][0]["diastolic"] = 140  # 128 / 140
    note["vitals"][0]["minutes_from_dose"] = 5
    problems = validate_note(dosing, note, for_signing=True)
    assert [(p.field_path, p.message) for p in problems] == [
        ("vitals",
         "No vitals reading before the dose (5 min). Add the baseline reading taken before "
         "dosing (0 or a negative number of minutes, e.g. -10)."),
        ("vitals[0].systolic",
         "Vitals, row 1: Systolic BP is not above diastolic (-12 mmHg). Systolic pressure is "
         "always the higher one: check both numbers."),
    ]


def test_an_adverse_event_needs_its_details(bundled: TemplateRegistry) -> None:
    dosing = bundled.latest("dosing")
    note = dosing_note(adverse_events=[{
        "event": "other", "severity": "moderate", "serious": True, "action_taken": "Observed",
        "outcome": "resolved"}], prescriber_notified=False)
    messages = [p.message for p in validate_note(dosing, note, for_signing=True)]
    assert messages == [
        "Adverse events, row 1: An adverse event of the kind Other is not described. Say "
        "what happened in its Description.",
        "Adverse events, row 1: An adverse event is resolved but not when. Give the minutes "
        "from the dose at which it resolved.",
        "A serious adverse event is recorded but the prescriber was not notified. Notify "
        "the prescriber before the note is signed, and record it.",
    ]


def test_discharge_criteria_escort_and_driving(bundled: TemplateRegistry) -> None:
    dosing = bundled.latest("dosing")
    note = dosing_note(discharge_criteria=["alert_oriented"], told_not_to_drive=False,
                       escort="none")
    del note["escort_name"], note["escort_relationship"]
    problems = validate_note(dosing, note, for_signing=True)
    assert [p.field_path for p in problems] == ["no_escort_reason"]
    assert "because Escort is No escort" in problems[0].message
    assert fired(bundled, "dosing", note) == ["discharge_criteria_not_all_met",
                                              "not_told_about_driving"]


# --------------------------------------------------------------------------- reasons


def test_a_warning_needs_a_reason_and_the_reason_answers_that_value_only(
    bundled: TemplateRegistry,
) -> None:
    dosing = bundled.latest("dosing")
    note = dosing_note()
    note["vitals"][1]["systolic"] = 184
    found = cautions(dosing, note)
    assert [c.key for c in unacknowledged(found, note)] == [("systolic_high", 1, "184 mmHg")]
    answered = with_reasons(note, found, {found[0].key: "  Rechecked at +50: 150/90.  "})
    assert answered[ACKNOWLEDGEMENTS] == [{"check": "systolic_high", "row": 1,
                                          "value": "184 mmHg",
                                          "reason": "Rechecked at +50: 150/90."}]
    assert unacknowledged(cautions(dosing, answered), answered) == []
    assert validate_note(dosing, answered, for_signing=True) == []
    # Another value is another warning: the old reason does not cover it, and goes.
    answered["vitals"][1]["systolic"] = 192
    again = cautions(dosing, answered)
    assert [c.key for c in unacknowledged(again, answered)] == [("systolic_high", 1, "192 mmHg")]
    assert ACKNOWLEDGEMENTS not in with_reasons(answered, again)


def test_a_blank_reason_is_no_reason(bundled: TemplateRegistry) -> None:
    note = dosing_note(told_not_to_drive=False)
    found = cautions(bundled.latest("dosing"), note)
    assert ACKNOWLEDGEMENTS not in with_reasons(note, found, {found[0].key: "   "})
    broken = note | {ACKNOWLEDGEMENTS: [{"check": "not_told_about_driving", "row": None,
                                         "value": None, "reason": " "}]}
    assert [p.message for p in validate_note(bundled.latest("dosing"), broken,
                                             for_signing=False)] == [
        "A warning was acknowledged without a reason; give the reason."]
    assert given_reasons(broken) == {}


# --------------------------------------------------------------------------- the risk check


RISK_FIELDS = ["risk_intent", "risk_means_access", "risk_recent_self_harm", "risk_level",
               "risk_actions", "risk_follow_up"]


def test_suicidal_ideation_present_asks_for_the_whole_risk_check(
    bundled: TemplateRegistry,
) -> None:
    general = bundled.latest("general")
    note = sample_note("general") | {"suicidal_ideation": "present"}
    problems = validate_note(general, note, for_signing=True)
    assert [p.field_path for p in problems] == RISK_FIELDS
    assert all("because Suicidal ideation is Present" in p.message for p in problems)
    with_plan = note | {"suicidal_ideation": "present_with_plan"}
    assert [p.field_path for p in validate_note(general, with_plan, for_signing=True)] == [
        "risk_intent", "risk_plan", *RISK_FIELDS[1:]]
    answered = with_plan | {
        "risk_intent": False, "risk_plan": "Would take tablets; has not gathered them.",
        "risk_means_access": True, "risk_means_notes": "Partner holds the medication.",
        "risk_recent_self_harm": False, "risk_level": "moderate",
        "risk_actions": ["safety_plan_reviewed", "means_restriction", "increased_contact"],
        "risk_follow_up": "Phone check tomorrow 10:00 (me)."}
    assert validate_note(general, answered, for_signing=True) == []


def test_homicidal_ideation_asks_who_is_at_risk_and_how_they_were_protected(
    bundled: TemplateRegistry,
) -> None:
    general = bundled.latest("general")
    note = sample_note("general") | {"homicidal_ideation": "present"}
    paths = [p.field_path for p in validate_note(general, note, for_signing=True)]
    assert paths == ["risk_intent", "risk_means_access", "risk_level", "risk_actions",
                     "risk_follow_up", "hi_identified_person", "hi_protective_actions"]
    problems = validate_note(general, note, for_signing=True)
    assert "because Homicidal ideation is Present" in problems[-1].message


def test_a_high_risk_without_urgent_action_needs_a_reason(bundled: TemplateRegistry) -> None:
    note = sample_note("general") | {
        "suicidal_ideation": "present", "risk_intent": True, "risk_means_access": False,
        "risk_recent_self_harm": False, "risk_level": "high",
        "risk_actions": ["safety_plan_reviewed"], "risk_follow_up": "Tomorrow."}
    assert fired(bundled, "general", note) == ["high_risk_without_urgent_action"]
    note["risk_actions"].append("crisis_team_contacted")
    assert fired(bundled, "general", note) == []


# --------------------------------------------------------------------------- other templates


def test_emdr_phase_8_counts_when_a_reevaluation_is_recorded(bundled: TemplateRegistry) -> None:
    emdr = bundled.latest("emdr")
    note = sample_note("emdr")
    note["phases_covered"].remove("8")
    assert [p.message for p in validate_note(emdr, note, for_signing=True)] == [
        "A reevaluation of the previous target is recorded, but phase 8 is not ticked. Tick 8 "
        "Reevaluation in Phases covered (or clear the reevaluation)."]


def test_emdr_processing_asks_for_readiness_and_how_reactions_were_handled(
    bundled: TemplateRegistry,
) -> None:
    emdr = bundled.latest("emdr")
    note = sample_note("emdr")
    for key in ("readiness_checked", "dissociation_screen", "in_session_reaction"):
        del note[key]
    assert [p.field_path for p in validate_note(emdr, note, for_signing=True)] == [
        "readiness_checked", "dissociation_screen", "in_session_reaction"]
    note |= {"readiness_checked": True, "dissociation_screen": "not_ready",
             "in_session_reaction": "abreaction", "processing_flow": "looping"}
    assert [p.field_path for p in validate_note(emdr, note, for_signing=True)] == [
        "readiness_notes", "processing_handling", "reaction_handling"]
    assert fired(bundled, "emdr", note) == ["processing_when_not_ready"]


def test_ifs_exile_work_without_permission_needs_a_reason_and_a_backlash_plan(
    bundled: TemplateRegistry,
) -> None:
    ifs = bundled.latest("ifs")
    note = sample_note("ifs") | {"unburdening_steps": ["witnessing"],
                                 "protector_permission": False}
    assert [p.field_path for p in validate_note(ifs, note, for_signing=True)] == [
        "backlash_check", "backlash_plan"]
    assert fired(bundled, "ifs", note) == ["exile_work_without_permission"]
    del note["protector_permission"]
    assert fired(bundled, "ifs", note) == ["exile_work_permission_not_recorded"]
    assert fired(bundled, "ifs", note | {"protector_permission": True}) == []
    assert "not a validated measure" in ifs.field("self_energy").help


def test_art_takes_any_session_number(bundled: TemplateRegistry) -> None:
    art = bundled.latest("art")
    assert validate_note(art, sample_note("art") | {"art_session_number": 9},
                         for_signing=True) == []
    assert bundled.get("art", 1).field("art_session_number").maximum == 5


def test_preparation_screens_clears_and_records_consent(bundled: TemplateRegistry) -> None:
    preparation = bundled.latest("preparation")
    note = sample_note("preparation") | {
        "contraindications": ["none_found", "pregnancy"], "medical_clearance": "pending",
        "suicide_screen_result": "moderate", "written_safety_plan": False,
        "consent_topics": ["off_label_use"]}
    problems = validate_note(preparation, note, for_signing=True)
    # "None found" with a finding: refused, and the notes are not asked for until it is
    # clear which is meant.
    assert [p.field_path for p in problems] == ["contraindications"]
    assert fired(bundled, "preparation", note) == [
        "none_found_and_contraindication", "positive_screen_without_safety_plan",
        "consent_topics_missing"]


# --------------------------------------------------------------------------- the engine


KIT_WITH_CHECKS = """\
id = "kit"
version = 1
title = "Checks"
description = "A template with checks."

[[sections]]
id = "main"
title = "Main"

[[sections.fields]]
id = "answer"
label = "Answer"
kind = "choice"
options = [{ value = "yes", label = "Yes" }, { value = "no", label = "No" }]

[[sections.fields]]
id = "amount"
label = "Amount"
kind = "integer"
unit = "mg"

[[sections.fields]]
id = "why"
label = "Why"
kind = "text"
required_if = [{ field = "answer", any_of = ["yes"] }, { field = "amount", filled = true }]
"""


def _kit(tmp_path: Path, checks: str) -> TemplateRegistry:
    return load_templates(write_templates(tmp_path, _common=MINI_COMMON,
                                          kit=KIT_WITH_CHECKS + checks))


def test_required_if_any_of_several_clauses(tmp_path: Path) -> None:
    kit = _kit(tmp_path, "").latest("kit")
    assert validate_note(kit, {}, for_signing=True) == []
    [yes] = validate_note(kit, {"answer": "yes"}, for_signing=True)
    assert yes.message == ("Why is required to sign this note because Answer is Yes; fill "
                           "it in.")
    [filled] = validate_note(kit, {"amount": 3}, for_signing=True)
    assert "because Amount is filled in" in filled.message


def test_a_check_fires_only_on_filled_values(tmp_path: Path) -> None:
    kit = _kit(tmp_path, """
[[checks]]
id = "too_much"
level = "warning"
value = "amount"
above = 10
message = "More than 10 mg"
why = "Say why."
""").latest("kit")
    assert cautions(kit, {}) == []
    assert cautions(kit, {"amount": 10}) == []
    [caution] = cautions(kit, {"amount": 12})
    assert (caution.message, caution.value, caution.text) == (
        "More than 10 mg (12 mg).", "12 mg", "More than 10 mg (12 mg). Say why.")


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ('id = "a"\nlevel = "maybe"\nvalue = "amount"\nabove = 1\nmessage = "m"\nwhy = "w"',
         "'level' must be \"warning\""),
        ('id = "a"\nlevel = "warning"\nvalue = "amount"\nmessage = "m"\nwhy = "w"',
         "a check on a value needs a limit"),
        ('id = "a"\nlevel = "warning"\nvalue = "nope"\nabove = 1\nmessage = "m"\nwhy = "w"',
         "'value' names 'nope', which is not a field"),
        ('id = "a"\nlevel = "warning"\nvalue = "why"\nabove = 1\nmessage = "m"\nwhy = "w"',
         "'value' names 'why', which holds no number or time"),
        ('id = "a"\nlevel = "warning"\nmessage = "m"\nwhy = "w"',
         "a check needs a 'value' with a limit"),
        ('id = "a"\nlevel = "warning"\nafter = ["b"]\nmessage = "m"\nwhy = "w"',
         "'after' names 'b', which is not a check above this one"),
        ('id = "a"\nlevel = "warning"\nwhen = { field = "answer", any_of = ["maybe"] }\n'
         'message = "m"\nwhy = "w"', "are not all answers of 'answer'"),
    ],
)
def test_a_malformed_check_is_named_with_its_line(
    tmp_path: Path, check: str, message: str
) -> None:
    with pytest.raises(TemplateDefinitionError) as info:
        _kit(tmp_path, "\n[[checks]]\n" + check + "\n")
    assert message in info.value.message
    assert info.value.line > 1
