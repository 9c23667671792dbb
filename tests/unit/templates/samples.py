"""Small template files and complete sample notes that the template tests share."""

from __future__ import annotations

import copy
import shutil
import textwrap
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

# A small common-fields file, so the kind tests don't depend on the shipped one.
MINI_COMMON = """\
version = 1

[[sections]]
id = "session"
title = "Session"
position = "first"

[[sections.fields]]
id = "session_date"
label = "Date"
kind = "date"

[[sections]]
id = "private"
title = "Private"
position = "last"

[[sections.fields]]
id = "private_notes"
label = "Private process notes"
kind = "long_text"
private = true
"""


# One required field of every kind.
KIT = """\
id = "kit"
version = 1
title = "Every kind"
description = "One field of every kind."

[[sections]]
id = "main"
title = "Main"

[[sections.fields]]
id = "name"
label = "Name"
kind = "text"
max_length = 20
required = true

[[sections.fields]]
id = "story"
label = "Story"
kind = "long_text"
required = true

[[sections.fields]]
id = "mood"
label = "Mood"
kind = "choice"
required = true
options = [{ value = "calm", label = "Calm" }, { value = "tense", label = "Tense" }]

[[sections.fields]]
id = "moods"
label = "Moods"
kind = "multi_choice"
required = true
options = [
    { value = "a", label = "A" },
    { value = "b", label = "B" },
    { value = "c", label = "C" },
]

[[sections.fields]]
id = "sud"
label = "SUD at end"
kind = "scale"
min = 0
max = 10
required = true
extract = "target.sud_end"

[[sections.fields]]
id = "count"
label = "Count"
kind = "integer"
min = 1
max = 5
required = true

[[sections.fields]]
id = "dose"
label = "Dose"
kind = "number"
min = 0.5
max = 500
unit = "mg"
required = true

[[sections.fields]]
id = "day"
label = "Day"
kind = "date"
required = true

[[sections.fields]]
id = "at"
label = "At"
kind = "time"
required = true

[[sections.fields]]
id = "consent"
label = "Consent"
kind = "yes_no"
required = true

[[sections.fields]]
id = "target"
label = "Target memory"
kind = "target_ref"
required = true
extract = "target"

[[sections.fields]]
id = "parts"
label = "Parts"
kind = "parts_ref"
multiple = true
required = true

[[sections.fields]]
id = "part"
label = "Part"
kind = "parts_ref"
required = true

[[sections.fields]]
id = "sets"
label = "Sets"
kind = "group"
required = true
max_rows = 3

[[sections.fields.columns]]
id = "speed"
label = "Speed"
kind = "number"
min = 0.1
max = 5
unit = "Hz"
required = true

[[sections.fields.columns]]
id = "note"
label = "Note"
kind = "text"
"""


# The bundled templates in course-of-care order.
TEMPLATE_IDS = ("dosing", "preparation", "emdr", "art", "ifs", "general")


def write_templates(directory: Path, **named: str) -> Path:
    """Write template files (name without .toml -> text) into directory."""
    directory.mkdir(parents=True, exist_ok=True)
    for stem, text in named.items():
        (directory / f"{stem}.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


# --------------------------------------------------------------------------- sample notes


def common_content() -> dict[str, Any]:
    return {
        "session_date": "2024-05-14",
        "start_time": "10:00",
        "duration_minutes": 50,
        "delivery": "in_office",
        "suicidal_ideation": "denied",
        "homicidal_ideation": "denied",
        "private_notes": "I felt protective of her today.",
    }


def _raw_sample(template_id: str, version: int) -> dict[str, Any]:
    if version == 1:
        return common_content() | _V1[template_id]
    return common_content() | _V1[template_id] | _V2_CHANGES.get(template_id, {})


_V1: dict[str, dict[str, Any]] = {
        "dosing": {
            "duration_minutes": 150,
            "session_number": 2,
            "dosing_setting": "in_office",
            "prescriber": "Dr. Prescriber",
            "monitoring_clinician": "Nurse Monitor",
            "medication": "racemic_ketamine",
            "route": "intramuscular",
            "dose_mg": 35,
            "weight_kg": 70,
            "boosters": [{"time": "10:45", "dose_mg": 10}],
            "intention": "To meet the grief without flinching.",
            "setting_supports": ["music", "eye_mask"],
            "vitals": [
                {
                    "minutes_from_dose": -10,
                    "systolic": 128,
                    "diastolic": 82,
                    "heart_rate": 74,
                    "spo2": 98,
                },
                {"minutes_from_dose": 40, "systolic": 142, "diastolic": 90, "heart_rate": 80},
                {
                    "minutes_from_dose": 120,
                    "systolic": 126,
                    "diastolic": 80,
                    "heart_rate": 72,
                    "spo2": 99,
                },
            ],
            "cadss_total": 31,
            "cadss6": 9,
            "moaas": 4,
            "adverse_events_occurred": True,
            "adverse_events": [
                {"event": "nausea_vomiting", "severity": "mild", "action_taken": "Ondansetron"}
            ],
            "discharge_ready_time": "12:30",
            "ride_home_confirmed": True,
        },
        "preparation": {
            "preparation_number": 1,
            "intention": "Less shame.",
            "psychoeducation_topics": ["ketamine_effects", "dissociation"],
            "informed_consent_signed": True,
            "fasting_instructions_given": True,
            "ride_home_arranged": True,
            "medications_reviewed": True,
            "emergency_contact_recorded": True,
            "baseline_measures": ["gad7", "phq9", "pcl5"],
            "plan": "First dosing session next week.",
        },
        "emdr": {
            "phases_covered": ["3", "4", "5", "6", "7"],
            "reeval_target": 7,
            "reeval_sud": 1,
            "reeval_voc": 6,
            "target": 12,
            "negative_cognition": "I am powerless",
            "positive_cognition": "I can protect myself now",
            "voc_start": 3,
            "sud_start": 8,
            "bls_sets": [
                {"bls_type": "eye_movements", "speed_hz": 1.1, "passes": 24, "sud": 6},
                {"bls_type": "taps", "seconds": 30, "client_report": "Shoulders drop"},
            ],
            "sud_end": 2,
            "pc_kept_or_revised": "kept",
            "voc_end": 6,
            "body_scan_result": "clear",
            "closure": "complete",
            "stability": "stable",
            "plan": "Reevaluate next session.",
        },
        "art": {
            "art_session_number": 1,
            "scene": 21,
            "content_disclosed": False,
            "sud_before": 9,
            "art_sets": [
                {"purpose": "relaxation", "eye_movements": 40},
                {"purpose": "first_run", "eye_movements": 40, "sud": 7},
            ],
            "desensitization_reached": True,
            "image_replacement_done": True,
            "sud_after": 1,
            "scene_recheck": "clear",
            "plan": "Second ART session.",
        },
        "ifs": {
            "trailhead": "Tightness in the chest when the dosing music stopped.",
            "parts_worked": [3, 5],
            "main_protector": [3],
            "six_fs_step": "befriend",
            "eight_cs": ["calm", "curiosity"],
            "self_energy": 6,
            "protector_permission": True,
            "part_status_changes": [
                {"part": [3], "new_status": "befriended"},
                {"part": [5], "new_status": "witnessed", "note": "Age 7"},
            ],
            "plan": "Return to the exile with the protector's permission.",
        },
        "general": {
            "data": "Slept better since the last dose.",
            "assessment": "Improving.",
            "plan": "Weekly integration.",
        },
}

# What version 2 of each template needs on top of (or instead of) version 1's sample.
_V2_CHANGES: dict[str, dict[str, Any]] = {
    "dosing": {
        "dose_time": "10:15",
        "boosters": [{"minutes_from_dose": 30, "dose_mg": 10}],
        "vitals": [
            {"minutes_from_dose": -10, "systolic": 128, "diastolic": 82, "heart_rate": 74,
             "respiratory_rate": 14, "spo2": 98, "moaas": 5},
            {"minutes_from_dose": 40, "systolic": 142, "diastolic": 90, "heart_rate": 80,
             "respiratory_rate": 12, "moaas": 3},
            {"minutes_from_dose": 120, "systolic": 126, "diastolic": 80, "heart_rate": 72,
             "respiratory_rate": 14, "spo2": 99, "moaas": 5},
        ],
        "cadss_total": None,
        "cadss6": None,
        "moaas": None,
        "dissociation": {"instrument": "cadss6", "minutes_from_dose": 40,
                         "answers": {"1": 2, "2": 1, "6": 2, "7": 1, "15": 2, "22": 1}},
        "adverse_events": [
            {"event": "nausea", "severity": "mild", "serious": False, "onset_minutes": 25,
             "action_taken": "Ondansetron", "outcome": "resolved", "resolved_minutes": 45}
        ],
        "rescue_medications": [{"drug": "Ondansetron", "dose": "4 mg", "route": "sublingual",
                                "minutes_from_dose": 28}],
        "prescriber_notified": True,
        "discharge_ready_time": "12:30",
        "ride_home_confirmed": None,
        "discharge_criteria": ["vitals_near_baseline", "alert_oriented", "steady_gait",
                               "nausea_controlled", "dissociation_resolved",
                               "no_suicidal_ideation"],
        "discharged_by": "Nurse Monitor",
        "escort": "escorted",
        "escort_name": "Sam",
        "escort_relationship": "Partner",
        "told_not_to_drive": True,
    },
    "preparation": {
        "contraindications": ["none_found"],
        "medical_clearance": "cleared",
        "clearance_by": "Dr. Prescriber",
        "clearance_date": "2024-05-10",
        "baseline_weight_kg": 70,
        "baseline_systolic": 124,
        "baseline_diastolic": 78,
        "suicide_screen_tool": "cssrs_screener",
        "suicide_screen_result": "negative",
        "written_safety_plan": True,
        "consent_topics": ["off_label_use", "abuse_liability", "no_driving"],
    },
    "emdr": {
        "phases_covered": ["3", "4", "5", "6", "7", "8"],
        "readiness_checked": True,
        "dissociation_screen": "no_concerns",
        "interweaves_used": False,
        "processing_flow": "flowing",
        "in_session_reaction": "none",
        "between_session_instructions": "Keep a log; use the container if it stirs.",
    },
    "art": {"art_session_number": 7},
}


def _drop_none(content: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in content.items() if v is not None}


def sample_note(template_id: str, version: int = 2) -> dict[str, Any]:
    """A complete, signable note for each bundled template, in its newest version (2) or
    in version 1 (fields a version drops are left out)."""
    return copy.deepcopy(_drop_none(_raw_sample(template_id, version)))


def emdr_process_fields() -> dict[str, Any]:
    """What version 2 of the EMDR template asks about the process on top of the ratings
    (readiness, dissociation screen, flow, reaction, between-session instructions)."""
    return {k: v for k, v in _V2_CHANGES["emdr"].items() if k != "phases_covered"}


def bundled_with(tmp_path: Path, name: str, text: str | None) -> Path:
    """A copy of the bundled templates folder with the file `name` written as `text`, or
    removed when `text` is None."""
    folder = tmp_path / "templates"
    with as_file(files("resources") / "templates") as bundled:
        shutil.copytree(bundled, folder)
    if text is None:
        (folder / name).unlink()
    else:
        (folder / name).write_text(text, encoding="utf-8")
    return folder
