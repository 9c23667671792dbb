"""What a session worked on, in one line: read through the templates' extract tags."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models.clinical.sessions import addenda_mark, dosing_story, note_story
from models.dto import AddendumDTO, BoosterDTO, DosingSessionDTO, NoteDTO, PartDTO, TargetDTO
from models.templates.loading import load_templates

DAY = dt.date(2026, 10, 6)
TEMPLATES = {t.id: t for t in load_templates().all_latest()}


def _note(template_id: str, content: dict[str, Any], addenda: int = 0) -> NoteDTO:
    extra = tuple(AddendumDTO(n, 1, "correction", "why", "text", None, "signed",
                              dt.datetime(2026, 10, 7), "h", dt.datetime(2026, 10, 7))
                  for n in range(addenda))
    return NoteDTO(1, 1, None, None, template_id, 1, DAY, "signed", None, None, None, None,
                   dt.datetime(2026, 10, 6), content, extra)


def _target(target_id: int, label: str) -> TargetDTO:
    return TargetDTO(target_id, 1, "emdr", label, "past", False, "", "", "", "", "", "",
                     None, None, "in_processing", None, DAY)


def _part(part_id: int, name: str) -> PartDTO:
    return PartDTO(part_id, 1, name, "manager", "", "", "", "", "", "", None, "identified",
                   DAY, 0.0, 0.0)


def _dose(**kw: Any) -> DosingSessionDTO:
    values: dict[str, Any] = dict(
        id=1, course_id=1, number=1, session_date=DAY, start_time=None, setting="in_office",
        medication="racemic_ketamine", route="", dose_mg=None, weight_kg=None,
        infusion_minutes=None, lot_number="", prescriber="", monitoring_clinician="",
        intention="", set_and_setting="", cadss_total=None, cadss6_total=None, moaas=None,
        adverse_events="", ready_for_discharge=None, ride_home_confirmed=None,
        observations="", client_account="", locked=False)
    values.update(kw)
    return DosingSessionDTO(**values)


def test_emdr_and_art_say_the_target_and_the_sud_from_start_to_end() -> None:
    targets = {7: _target(7, "Stairwell, age 9")}
    emdr = _note("emdr", {"target": 7, "sud_start": 8, "sud_end": 3})
    assert note_story(emdr, TEMPLATES["emdr"], targets, {}) == "Stairwell, age 9 · SUD 8 → 3"
    art = _note("art", {"scene": 7, "sud_before": 9})
    assert note_story(art, TEMPLATES["art"], targets, {}) == "Stairwell, age 9 · SUD 9 → ?"
    gone = _note("emdr", {"target": 99})
    assert note_story(gone, TEMPLATES["emdr"], targets, {}) == "a target not in the registry"


def test_ifs_names_the_parts_and_a_general_note_starts_its_data() -> None:
    parts = {1: _part(1, "The Planner"), 2: _part(2, "Little One")}
    ifs = _note("ifs", {"parts_worked": [1, 2]})
    assert note_story(ifs, TEMPLATES["ifs"], {}, parts) == "Parts: The Planner, Little One"
    words = " ".join(f"w{n}" for n in range(30))
    general = _note("general", {"data": words, "private_notes": "never shown here"})
    story = note_story(general, TEMPLATES["general"], {}, {})
    assert story.startswith("w0 w1") and story.endswith("…") and "never" not in story


def test_a_dose_says_mg_route_and_mg_per_kg_filed_or_drafted() -> None:
    filed = _dose(locked=True, dose_mg=35.0, weight_kg=70.0, route="intravenous")
    assert dosing_story(filed, None, None) == "35 mg · IV · 0.5 mg/kg"
    draft = _note("dosing", {"dose_mg": 300, "route": "sublingual"})
    assert dosing_story(_dose(), draft, TEMPLATES["dosing"]) == "300 mg · Sublingual"
    assert dosing_story(_dose(), None, None) == "dose not recorded · route not recorded"


def test_a_dose_with_boosters_says_what_was_given_in_all() -> None:
    boosted = _dose(locked=True, dose_mg=32.4, weight_kg=64.7, route="intramuscular",
                    boosters=(BoosterDTO(30, 16.2),))
    assert dosing_story(boosted, None, None) == "48.6 mg in all · IM · 0.75 mg/kg"
    draft = _note("dosing", {"dose_mg": 32.4, "weight_kg": 64.7, "route": "intramuscular",
                             "boosters": [{"minutes_from_dose": 30, "dose_mg": 16.2}]})
    assert dosing_story(_dose(), draft, TEMPLATES["dosing"]) == "48.6 mg in all · IM · 0.75 mg/kg"


def test_addenda_are_marked_by_count() -> None:
    assert addenda_mark(_note("general", {})) == ""
    assert addenda_mark(_note("general", {}, addenda=2)) == "+2"
    assert addenda_mark(None) == ""
