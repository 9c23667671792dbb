"""Note templates: loading, validation, hashing and figure extraction."""

from __future__ import annotations

import math
import textwrap
from datetime import date, time
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.templates.definitions import (
    FieldKind,
    Template,
    TemplateDefinitionError,
    UnknownTemplateError,
)
from models.templates.extraction import (
    ExtractedFigures,
    PartStatusChange,
    Reevaluation,
    TargetRating,
    VitalsReading,
    extract_figures,
)
from models.templates.hashing import canonical_json, content_hash
from models.templates.loading import TemplateRegistry, load_templates
from models.templates.validation import derive_values, strip_private, validate_note

BUNDLED = files("resources") / "templates"
COMMON_IDS = (
    "session_date",
    "start_time",
    "duration_minutes",
    "delivery",
    "suicidal_ideation",
    "homicidal_ideation",
    "safety_plan_reviewed",
    "risk_notes",
    "private_notes",
)

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

KIT_REQUIRED = (
    "name",
    "story",
    "mood",
    "moods",
    "sud",
    "count",
    "dose",
    "day",
    "at",
    "consent",
    "target",
    "parts",
    "part",
    "sets",
)


def write_templates(directory: Path, **named: str) -> Path:
    """Write template files (name without .toml -> text) into directory."""
    directory.mkdir(parents=True, exist_ok=True)
    for stem, text in named.items():
        (directory / f"{stem}.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Template:
    directory = write_templates(tmp_path_factory.mktemp("kit"), _common=MINI_COMMON, kit=KIT)
    return load_templates(directory).latest("kit")


@pytest.fixture(scope="module")
def bundled() -> TemplateRegistry:
    return load_templates()


def problems_for(template: Template, content: dict[str, Any], **kw: bool) -> list[str]:
    return [p.message for p in validate_note(template, content, for_signing=kw.get("sign", False))]


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


def sample_note(template_id: str) -> dict[str, Any]:
    """A complete, signable note for each bundled template."""
    specific: dict[str, dict[str, Any]] = {
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
    return common_content() | specific[template_id]


# --------------------------------------------------------------------------- bundled templates


def test_bundled_templates_load_in_course_of_care_order(bundled: TemplateRegistry) -> None:
    assert [t.id for t in bundled.all_latest()] == [
        "dosing",
        "preparation",
        "emdr",
        "art",
        "ifs",
        "general",
    ]
    for template in bundled.all_latest():
        assert template.version == 1
        assert template.title and template.description
    assert "ART-trained clinician" in bundled.latest("art").description


def test_the_bundled_registry_is_read_once() -> None:
    assert load_templates() is load_templates()


@pytest.mark.parametrize("template_id", ["dosing", "preparation", "emdr", "art", "ifs", "general"])
def test_every_template_carries_the_common_fields_once(
    bundled: TemplateRegistry, template_id: str
) -> None:
    template = bundled.latest(template_id)
    ids = [f.id for f in template.fields]
    assert len(ids) == len(set(ids))
    assert set(COMMON_IDS) <= set(ids)
    assert template.sections[0].id == "session"
    assert [s.id for s in template.sections[-2:]] == ["risk_check", "private"]
    assert [f.id for f in template.fields if f.private] == ["private_notes"]
    required = {f.id for f in template.fields if f.required}
    assert {"session_date", "start_time", "duration_minutes", "delivery"} <= required
    assert {"suicidal_ideation", "homicidal_ideation"} <= required
    assert template.field("suicidal_ideation").option_label("present_with_plan") == (
        "Present, with plan"
    )


# Every field CLINICAL.md lists, by our id.
CLINICAL_FIELDS = {
    "dosing": (
        "session_number dosing_setting medication route dose_mg weight_kg mg_per_kg boosters "
        "lot_number prescriber monitoring_clinician intention setting_supports vitals "
        "cadss_total cadss6 moaas adverse_events_occurred adverse_events discharge_ready_time "
        "ride_home_confirmed observations client_account"
    ),
    "preparation": (
        "intention psychoeducation_topics informed_consent_signed fasting_instructions_given "
        "ride_home_arranged medications_reviewed emergency_contact_recorded baseline_measures"
    ),
    "emdr": (
        "phases_covered target image negative_cognition positive_cognition voc_start emotions "
        "sud_start body_location bls_sets pc_kept_or_revised revised_pc voc_end body_scan_result "
        "residual_sensation closure containment_used stability reeval_target reeval_sud "
        "reeval_voc sud_end integration_themes plan next_target"
    ),
    "art": (
        "art_session_number scene content_disclosed sud_before art_sets desensitization_reached "
        "image_replacement_done image_replacement_words sud_after scene_recheck future_rehearsal "
        "closure"
    ),
    "ifs": (
        "trailhead parts_worked main_protector six_fs_step eight_cs self_energy blending_noticed "
        "protector_permission unburdening_steps unburdening_element qualities_invited "
        "part_status_changes plan"
    ),
    "general": "data assessment plan",
}


@pytest.mark.parametrize("template_id", list(CLINICAL_FIELDS))
def test_every_clinical_field_is_in_its_template(
    bundled: TemplateRegistry, template_id: str
) -> None:
    ids = {f.id for f in bundled.latest(template_id).fields}
    assert set(CLINICAL_FIELDS[template_id].split()) - ids == set()


def test_emdr_sets_and_vitals_are_repeating_groups(bundled: TemplateRegistry) -> None:
    sets = bundled.latest("emdr").field("bls_sets")
    assert sets.kind is FieldKind.GROUP
    assert [c.id for c in sets.columns] == [
        "bls_type",
        "speed_hz",
        "passes",
        "seconds",
        "client_report",
        "sud",
    ]
    assert sets.column("speed_hz").unit == "Hz"
    vitals = bundled.latest("dosing").field("vitals")
    assert vitals.required and vitals.min_rows == 2
    assert {c.extract for c in vitals.columns} == {
        "minutes_from_dose",
        "systolic",
        "diastolic",
        "heart_rate",
        "spo2",
    }
    scale = bundled.latest("emdr").field("sud_end")
    assert (scale.minimum, scale.maximum) == (0, 10)
    assert dict(scale.anchors) == {0: "No disturbance", 10: "Worst imaginable"}


EXPECTED_TAGS = {
    "dosing": {
        "dosing.dose_mg",
        "dosing.weight_kg",
        "dosing.mg_per_kg",
        "dosing.vitals",
        "dosing.cadss_total",
        "dosing.cadss6",
        "dosing.moaas",
    },
    "preparation": set(),
    "emdr": {
        "target",
        "target.sud_start",
        "target.sud_end",
        "target.voc_start",
        "target.voc_end",
        "reeval.target",
        "reeval.sud",
        "reeval.voc",
    },
    "art": {"target", "target.sud_start", "target.sud_end"},
    "ifs": {"ifs.parts_worked", "ifs.self_energy", "ifs.part_status_changes"},
    "general": set(),
}


@pytest.mark.parametrize("template_id", list(EXPECTED_TAGS))
def test_extract_tags_sit_on_the_right_fields(bundled: TemplateRegistry, template_id: str) -> None:
    template = bundled.latest(template_id)
    assert {f.extract for f in template.fields if f.extract} == EXPECTED_TAGS[template_id]
    for tag in ("target", "reeval.target"):
        field = template.field_for_tag(tag)
        assert field is None or field.kind is FieldKind.TARGET_REF
    assert not any(f.private for f in template.fields if f.extract)


def test_art_scene_is_an_art_target(bundled: TemplateRegistry) -> None:
    art = bundled.latest("art")
    assert art.field("scene").target_kind == "art"
    assert art.field_for_tag("target.sud_start") == art.field("sud_before")
    assert art.field_for_tag("target.voc_start") is None


@pytest.mark.parametrize("template_id", list(EXPECTED_TAGS))
def test_an_empty_draft_is_valid(bundled: TemplateRegistry, template_id: str) -> None:
    assert validate_note(bundled.latest(template_id), {}, for_signing=False) == []


@pytest.mark.parametrize("template_id", list(EXPECTED_TAGS))
def test_signing_an_empty_note_lists_every_required_field(
    bundled: TemplateRegistry, template_id: str
) -> None:
    template = bundled.latest(template_id)
    problems = validate_note(template, {}, for_signing=True)
    assert [p.field_path for p in problems] == [f.id for f in template.fields if f.required]
    assert all("required to sign" in p.message for p in problems)


@pytest.mark.parametrize("template_id", list(EXPECTED_TAGS))
def test_a_complete_sample_note_signs(bundled: TemplateRegistry, template_id: str) -> None:
    template = bundled.latest(template_id)
    assert validate_note(template, sample_note(template_id), for_signing=True) == []


# Released template versions are frozen: a signed note must render with exactly the
# definition it was written in. If one of these fails, you edited a released version.
# If no note can have been signed with it yet (nothing shipped), update the pin;
# otherwise restore the file and put the change in <id>.v<N+1>.toml.
PINNED_FINGERPRINTS = {
    ("dosing", 1): "91ac6a65993c298dd4d995a095ed5ea70ba24f45be7af75086ca8c6a49585b73",
    ("preparation", 1): "660b044e27d5d30bd0b0b81f0001f0a36d9294a1b2b3a5a933d5cdbbaf6e0b67",
    ("emdr", 1): "049364475fecc9ed1e36ebd3ac2e7e0c15ce4e17296e2404bfa81635fcdc4aa0",
    ("art", 1): "289198c7d3e44011f17e7a956eda682253850381cfbfd015a2f3518656977ec3",
    ("ifs", 1): "1e8d3b0acb0cd3aa99b4ebc61e94a6c3912db76dffeb89d0cc72a207970f47cc",
    ("general", 1): "dd2964c85d8c255df6351236bdf85cdf435cefd71613786326b1062253b24509",
}


@pytest.mark.parametrize(("template_id", "version"), list(PINNED_FINGERPRINTS))
def test_released_template_versions_are_not_edited_in_place(
    bundled: TemplateRegistry, template_id: str, version: int
) -> None:
    template = bundled.get(template_id, version)
    assert template.fingerprint == PINNED_FINGERPRINTS[(template_id, version)], (
        f"{template.source} v{version} changed; see the comment above PINNED_FINGERPRINTS"
    )


# --------------------------------------------------------------------------- signing rules


def test_signing_names_missing_cells_of_group_rows(bundled: TemplateRegistry) -> None:
    dosing = bundled.latest("dosing")
    note = sample_note("dosing")
    del note["vitals"][1]["systolic"]
    problems = validate_note(dosing, note, for_signing=True)
    assert [(p.field_path, p.label) for p in problems] == [
        ("vitals[1].systolic", "Vitals, row 2: Systolic BP")
    ]
    assert problems[0].message == (
        "Vitals, row 2: Systolic BP is required to sign this note; enter a number between "
        "50 and 260 mmHg."
    )
    # A draft may have half-filled rows.
    assert validate_note(dosing, note, for_signing=False) == []


def test_signing_needs_the_minimum_number_of_rows(bundled: TemplateRegistry) -> None:
    note = sample_note("dosing")
    note["vitals"] = note["vitals"][:1]
    assert problems_for(bundled.latest("dosing"), note, sign=True) == [
        "Vitals has 1 row; at least 2 are needed to sign. Add 1 more."
    ]
    assert problems_for(bundled.latest("dosing"), note) == []


def test_adverse_events_are_required_only_when_some_occurred(bundled: TemplateRegistry) -> None:
    dosing = bundled.latest("dosing")
    note = sample_note("dosing") | {"adverse_events": []}
    assert problems_for(dosing, note, sign=True) == [
        "Adverse events is required to sign this note because Any adverse events is Yes; "
        "add at least 1 row."
    ]
    assert problems_for(dosing, note | {"adverse_events_occurred": False}, sign=True) == []


def test_safety_plan_review_is_required_when_suicidal_ideation_is_present(
    bundled: TemplateRegistry,
) -> None:
    general = bundled.latest("general")
    note = sample_note("general") | {"suicidal_ideation": "present_with_plan"}
    problems = validate_note(general, note, for_signing=True)
    assert [p.field_path for p in problems] == ["safety_plan_reviewed"]
    assert "because Suicidal ideation is Present, with plan" in problems[0].message
    assert validate_note(general, note | {"safety_plan_reviewed": True}, for_signing=True) == []


def test_sud_out_of_range_says_what_was_entered(bundled: TemplateRegistry) -> None:
    note = sample_note("emdr") | {"sud_end": 12}
    assert problems_for(bundled.latest("emdr"), note) == [
        "SUD at end must be between 0 and 10; you entered 12."
    ]


def test_ratings_without_a_target_cannot_be_signed(bundled: TemplateRegistry) -> None:
    emdr = bundled.latest("emdr")
    note = sample_note("emdr")
    del note["target"]
    del note["reeval_target"]
    problems = validate_note(emdr, note, for_signing=True)
    assert [p.field_path for p in problems] == ["target", "reeval_target"]
    assert problems[0].message == (
        "Target memory is needed because VoC at start, SUD at start, SUD at end, VoC at end "
        "are recorded; choose the target memory the ratings belong to, or clear the ratings."
    )
    # A preparation-only EMDR session has no target and no ratings: that is fine.
    for key in ("sud_start", "sud_end", "voc_start", "voc_end", "reeval_sud", "reeval_voc"):
        del note[key]
    assert validate_note(emdr, note, for_signing=True) == []


def test_unknown_content_keys_are_reported(kit: Template) -> None:
    problems = validate_note(kit, {"nmae": "typo"}, for_signing=False)
    assert [p.field_path for p in problems] == ["nmae"]
    assert "not a field of Every kind (version 1)" in problems[0].message


def test_blank_text_does_not_count_as_filled_in(kit: Template) -> None:
    problems = validate_note(kit, {"name": "   "}, for_signing=True)
    assert problems[0].field_path == "name"
    assert problems[0].message == "Name is required to sign this note; fill it in."


def test_signing_the_kit_lists_every_field_by_path(kit: Template) -> None:
    problems = validate_note(kit, {}, for_signing=True)
    assert tuple(p.field_path for p in problems) == KIT_REQUIRED


# --------------------------------------------------------------------------- field kinds


def kind_problems(kit: Template, field_id: str, value: object) -> list[str]:
    return problems_for(kit, {field_id: value})


@given(st.text())
def test_text_accepts_any_text(kit: Template, text: str) -> None:
    assert kind_problems(kit, "story", text) == []


@given(st.text(min_size=21).filter(str.strip))
def test_text_longer_than_its_limit_is_rejected(kit: Template, text: str) -> None:
    assert kind_problems(kit, "name", text) == [
        f"Name is {len(text)} characters long; shorten it to at most 20."
    ]


@pytest.mark.parametrize("value", [3, 2.5, True, ["a"], {"a": 1}])
def test_text_rejects_non_text(kit: Template, value: object) -> None:
    assert kind_problems(kit, "story", value)[0].startswith("Story must be text; you entered ")


def test_choice_accepts_only_its_options(kit: Template) -> None:
    assert kind_problems(kit, "mood", "calm") == []
    assert kind_problems(kit, "mood", "Calm") == [
        'Mood must be one of: Calm, Tense; you entered "Calm". Choose one of them.'
    ]


@given(st.lists(st.sampled_from(["a", "b", "c"]), unique=True, min_size=1))
def test_multi_choice_accepts_any_set_of_options(kit: Template, chosen: list[str]) -> None:
    assert kind_problems(kit, "moods", chosen) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["a", "d"], 'Moods: "d" is not one of the options (A, B, C); choose from them.'),
        (["a", "a"], "Moods: A is chosen more than once; choose it once."),
        ("a", 'Moods must be a list of options; you entered "a".'),
    ],
)
def test_multi_choice_rejects_bad_selections(kit: Template, value: object, message: str) -> None:
    assert kind_problems(kit, "moods", value) == [message]


@given(st.integers(0, 10))
def test_scale_accepts_its_range(kit: Template, value: int) -> None:
    assert kind_problems(kit, "sud", value) == []


@given(st.integers().filter(lambda v: not 0 <= v <= 10))
def test_scale_rejects_outside_its_range(kit: Template, value: int) -> None:
    assert kind_problems(kit, "sud", value) == [
        f"SUD at end must be between 0 and 10; you entered {value}."
    ]


@pytest.mark.parametrize("value", [2.5, 3.0, "3", True, False])
def test_scale_and_integer_need_whole_numbers(kit: Template, value: object) -> None:
    assert kind_problems(kit, "sud", value)[0].startswith(
        "SUD at end must be a whole number between 0 and 10; you entered"
    )
    assert kind_problems(kit, "count", value)[0].startswith("Count must be a whole number")


@given(st.integers())
def test_integer_checks_its_bounds(kit: Template, value: int) -> None:
    expected = [] if 1 <= value <= 5 else [f"Count must be between 1 and 5; you entered {value}."]
    assert kind_problems(kit, "count", value) == expected


@given(st.floats(0.5, 500) | st.integers(1, 500))
def test_number_accepts_its_range(kit: Template, value: float) -> None:
    assert kind_problems(kit, "dose", value) == []


@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: not 0.5 <= v <= 500))
def test_number_rejects_outside_its_range_with_its_unit(kit: Template, value: float) -> None:
    (message,) = kind_problems(kit, "dose", value)
    assert message.startswith("Dose must be between 0.5 and 500 mg; you entered ")
    assert message.endswith(" mg.")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "12", True])
def test_number_rejects_non_numbers(kit: Template, value: object) -> None:
    assert kind_problems(kit, "dose", value)[0].startswith(
        "Dose must be a number between 0.5 and 500 mg; you entered"
    )


@given(st.dates())
def test_date_accepts_iso_dates(kit: Template, day: date) -> None:
    assert kind_problems(kit, "day", day.isoformat()) == []


@pytest.mark.parametrize(
    "value", ["2024-02-30", "09/03/2024", "2024-3-9", "20240309", 20240309, "2024-03-09\n"]
)
def test_date_rejects_anything_else(kit: Template, value: object) -> None:
    (message,) = kind_problems(kit, "day", value)
    assert message.startswith("Day must be a real date written YYYY-MM-DD, like 2024-03-09;")


@given(st.times())
def test_time_accepts_hours_and_minutes(kit: Template, moment: time) -> None:
    assert kind_problems(kit, "at", moment.strftime("%H:%M")) == []


@pytest.mark.parametrize(
    "value", ["24:00", "9:30", "12:60", "12:30:00", "noon", 930, "12:30\n", "١٢:٣٠"]
)
def test_time_rejects_anything_else(kit: Template, value: object) -> None:
    (message,) = kind_problems(kit, "at", value)
    assert message.startswith("At must be a time written HH:MM on the 24-hour clock")


@pytest.mark.parametrize("value", [True, False])
def test_yes_no_accepts_booleans(kit: Template, value: bool) -> None:
    assert kind_problems(kit, "consent", value) == []


@pytest.mark.parametrize("value", ["yes", 1, 0])
def test_yes_no_rejects_anything_else(kit: Template, value: object) -> None:
    assert kind_problems(kit, "consent", value)[0].startswith("Consent must be answered yes or no")


@given(st.integers(min_value=1))
def test_target_ref_accepts_target_ids(kit: Template, target_id: int) -> None:
    assert kind_problems(kit, "target", target_id) == []


@pytest.mark.parametrize("value", [0, -3, True, "12", 12.0, [12]])
def test_target_ref_rejects_anything_else(kit: Template, value: object) -> None:
    assert kind_problems(kit, "target", value)[0].startswith(
        "Target memory must be the id of a target memory"
    )


@given(st.lists(st.integers(min_value=1), unique=True, min_size=1))
def test_parts_ref_accepts_lists_of_part_ids(kit: Template, ids: list[int]) -> None:
    assert kind_problems(kit, "parts", ids) == []


@pytest.mark.parametrize(
    ("field_id", "value", "message"),
    [
        ("parts", [3, 3], "Parts lists the same part more than once; list it once."),
        (
            "parts",
            3,
            "Parts must be a list of part ids (whole numbers above 0); you entered 3. "
            "Choose the parts from the list.",
        ),
        (
            "parts",
            [0],
            "Parts must be a list of part ids (whole numbers above 0); you entered [0]. "
            "Choose the parts from the list.",
        ),
        ("part", [3, 4], "Part takes one part; you chose 2. Keep one."),
    ],
)
def test_parts_ref_rejects_bad_values(
    kit: Template, field_id: str, value: object, message: str
) -> None:
    assert kind_problems(kit, field_id, value) == [message]


def test_group_checks_rows_and_cells(kit: Template) -> None:
    rows = [{"speed": 1.0}, {"speed": 9, "note": "fast"}, "oops", {"sped": 1}]
    problems = validate_note(kit, {"sets": rows}, for_signing=False)
    assert [(p.field_path, p.message) for p in problems] == [
        ("sets", "Sets has 4 rows; at most 3 are allowed. Remove 1."),
        ("sets[1].speed", "Sets, row 2: Speed must be between 0.1 and 5 Hz; you entered 9 Hz."),
        ("sets[2]", 'Sets, row 3 must be a set of column values; found "oops".'),
        ("sets[3].sped", "Sets, row 4 has a value 'sped' that is not a column of Sets; remove it."),
    ]
    assert kind_problems(kit, "sets", {"speed": 1}) == [
        'Sets must be a list of rows; you entered {"speed": 1}.'
    ]


# --------------------------------------------------------------------------- derived values


def test_mg_per_kg_is_derived_from_dose_and_weight(bundled: TemplateRegistry) -> None:
    dosing = bundled.latest("dosing")
    note = derive_values(dosing, sample_note("dosing"))
    assert note["mg_per_kg"] == 0.5
    assert validate_note(dosing, note, for_signing=True) == []
    assert "mg_per_kg" not in derive_values(dosing, {"dose_mg": 35})


def test_a_stale_mg_per_kg_is_caught(bundled: TemplateRegistry) -> None:
    dosing = bundled.latest("dosing")
    assert problems_for(dosing, {"dose_mg": 35, "weight_kg": 70, "mg_per_kg": 0.8}) == [
        "Dose per kg is calculated from Dose and Body weight: it should be 0.5, not 0.8. "
        "Recalculate it."
    ]
    assert problems_for(dosing, {"mg_per_kg": 0.8}) == [
        "Dose per kg is calculated from Dose and Body weight; enter both, or clear Dose per kg."
    ]


# --------------------------------------------------------------------------- extraction


def test_extract_emdr_ratings_and_reevaluation(bundled: TemplateRegistry) -> None:
    figures = extract_figures(bundled.latest("emdr"), sample_note("emdr"))
    assert figures.target == TargetRating(
        target_id=12, sud_start=8, sud_end=2, voc_start=3, voc_end=6
    )
    assert figures.reevaluation == Reevaluation(target_id=7, sud=1, voc=6)
    assert figures.vitals == () and figures.self_energy is None


def test_extract_art_ratings_have_no_voc(bundled: TemplateRegistry) -> None:
    figures = extract_figures(bundled.latest("art"), sample_note("art"))
    assert figures.target == TargetRating(target_id=21, sud_start=9, sud_end=1)
    assert figures.reevaluation is None


def test_extract_dosing_vitals_dissociation_and_dose(bundled: TemplateRegistry) -> None:
    note = sample_note("dosing")
    note["vitals"].append({})  # an empty trailing row, as a form may leave it
    figures = extract_figures(bundled.latest("dosing"), note)
    assert figures.vitals == (
        VitalsReading(minutes_from_dose=-10, systolic=128, diastolic=82, heart_rate=74, spo2=98),
        VitalsReading(minutes_from_dose=40, systolic=142, diastolic=90, heart_rate=80),
        VitalsReading(minutes_from_dose=120, systolic=126, diastolic=80, heart_rate=72, spo2=99),
    )
    assert (figures.cadss_total, figures.cadss6, figures.moaas) == (31, 9, 4)
    assert (figures.dose_mg, figures.weight_kg, figures.mg_per_kg) == (35.0, 70.0, 0.5)
    assert figures.target is None


def test_extract_ifs_self_energy_and_part_status(bundled: TemplateRegistry) -> None:
    figures = extract_figures(bundled.latest("ifs"), sample_note("ifs"))
    assert figures.self_energy == 6
    assert figures.parts_worked == (3, 5)
    assert figures.part_status_changes == (
        PartStatusChange(part_id=3, new_status="befriended"),
        PartStatusChange(part_id=5, new_status="witnessed"),
    )


@pytest.mark.parametrize("template_id", ["preparation", "general"])
def test_templates_without_tags_extract_nothing(
    bundled: TemplateRegistry, template_id: str
) -> None:
    template = bundled.latest(template_id)
    assert extract_figures(template, sample_note(template_id)) == ExtractedFigures()


def test_ratings_without_a_target_are_not_extracted(bundled: TemplateRegistry) -> None:
    note = sample_note("emdr")
    del note["target"]
    assert extract_figures(bundled.latest("emdr"), note).target is None


# --------------------------------------------------------------------------- private notes


@pytest.mark.parametrize("template_id", list(EXPECTED_TAGS))
def test_strip_private_drops_only_private_notes(
    bundled: TemplateRegistry, template_id: str
) -> None:
    note = sample_note(template_id)
    stripped = strip_private(bundled.latest(template_id), note)
    assert "private_notes" not in stripped
    assert stripped == {k: v for k, v in note.items() if k != "private_notes"}
    assert "private_notes" in note  # the original is left alone


# --------------------------------------------------------------------------- hashing

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
contents = st.dictionaries(st.text(min_size=1), json_values, min_size=1, max_size=8)


@given(contents, st.randoms())
def test_hash_ignores_key_order(content: dict[str, Any], rnd: Any) -> None:
    keys = list(content)
    rnd.shuffle(keys)
    reordered = {k: content[k] for k in keys}
    assert canonical_json(reordered) == canonical_json(content)
    assert content_hash("emdr", 1, reordered) == content_hash("emdr", 1, content)


@given(contents, st.text(min_size=1))
def test_hash_changes_when_content_changes(content: dict[str, Any], key: str) -> None:
    changed = content | {key: ["changed", content.get(key)]}
    assert content_hash("emdr", 1, changed) != content_hash("emdr", 1, content)


def test_hash_covers_the_template_version() -> None:
    note = sample_note("emdr")
    assert content_hash("emdr", 1, note) != content_hash("emdr", 2, note)
    assert content_hash("emdr", 1, note) != content_hash("art", 1, note)
    assert len(content_hash("emdr", 1, note)) == 64


def test_canonical_json_is_compact_sorted_and_keeps_unicode() -> None:
    value = {"b": 1, "a": [1, {"d": 2.5, "c": "Zoë"}]}
    assert canonical_json(value) == '{"a":[1,{"c":"Zoë","d":2.5}],"b":1}'
    with pytest.raises(ValueError):
        canonical_json({"x": math.nan})


# --------------------------------------------------------------------------- versions


KIT_V2 = KIT.replace("version = 1", "version = 2").replace(
    'label = "Story"\n', 'label = "What happened"\n'
) + textwrap.dedent(
    """
    [[sections]]
    id = "extra"
    title = "Extra"

    [[sections.fields]]
    id = "new_in_v2"
    label = "New in v2"
    kind = "text"
    required = true
    """
)


def test_two_versions_of_a_template_coexist(tmp_path: Path) -> None:
    registry = load_templates(
        write_templates(tmp_path, _common=MINI_COMMON, kit=KIT, **{"kit.v2": KIT_V2})
    )
    old, new = registry.get("kit", 1), registry.get("kit", 2)
    assert registry.versions("kit") == (1, 2)
    assert registry.latest("kit") is new
    assert [t.version for t in registry.all_latest()] == [2]
    assert old.field("story").label == "Story" and new.field("story").label == "What happened"
    assert "new_in_v2" not in {f.id for f in old.fields}
    # An old note keeps validating against the version it was written in.
    assert "new_in_v2" not in [p.field_path for p in validate_note(old, {}, for_signing=True)]
    assert "new_in_v2" in [p.field_path for p in validate_note(new, {}, for_signing=True)]
    assert old.fingerprint != new.fingerprint
    with pytest.raises(
        UnknownTemplateError,
        match=r"version 3, but this installation has "
        r"version\(s\) 1, 2",
    ):
        registry.get("kit", 3)
    with pytest.raises(UnknownTemplateError):
        registry.latest("nothing")


def test_unknown_template_ids_are_listed_after_the_known_ones(tmp_path: Path) -> None:
    general = KIT.replace('id = "kit"', 'id = "general"')
    registry = load_templates(
        write_templates(tmp_path, _common=MINI_COMMON, kit=KIT, general=general)
    )
    assert [t.id for t in registry.all_latest()] == ["general", "kit"]


def test_the_same_version_in_two_files_is_an_error(tmp_path: Path) -> None:
    write_templates(tmp_path, _common=MINI_COMMON, kit=KIT, **{"kit.v2": KIT_V2})
    (tmp_path / "kit.toml").write_text(KIT_V2, encoding="utf-8")
    with pytest.raises(TemplateDefinitionError, match="version 2 is also defined in"):
        load_templates(tmp_path)


# --------------------------------------------------------------------------- malformed files


def load_error(
    tmp_path: Path, text: str, *, stem: str = "kit", common: str = MINI_COMMON
) -> TemplateDefinitionError:
    write_templates(tmp_path, _common=common, **{stem: text})
    with pytest.raises(TemplateDefinitionError) as caught:
        load_templates(tmp_path)
    return caught.value


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing needle."""
    hits = [n for n, line in enumerate(text.split("\n"), start=1) if needle in line]
    return hits[occurrence - 1]


def test_a_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    broken = KIT.replace('label = "Count"', 'label = "Count')
    error = load_error(tmp_path, broken)
    assert error.file.endswith("kit.toml")
    assert error.line == line_of(broken, 'label = "Count')
    assert str(error).startswith(f"{tmp_path / 'kit.toml'}, line {error.line}: TOML syntax error")


def test_an_unknown_kind_names_file_and_line(tmp_path: Path) -> None:
    broken = KIT.replace('kind = "scale"', 'kind = "slider"')
    error = load_error(tmp_path, broken)
    assert error.line == line_of(broken, 'id = "sud"')
    assert "kit.toml" in str(error) and f"line {error.line}" in str(error)
    assert "unknown kind 'slider'; use one of: text, long_text" in error.message


def test_a_duplicate_field_id_is_reported_at_the_second_one(tmp_path: Path) -> None:
    broken = KIT.replace('id = "count"', 'id = "sud"')
    error = load_error(tmp_path, broken)
    assert error.line == line_of(broken, 'id = "sud"', occurrence=2)
    assert "field id 'sud' is already used earlier in this file" in error.message


def test_a_field_id_taken_by_the_common_fields_is_reported(tmp_path: Path) -> None:
    broken = KIT.replace('id = "day"', 'id = "session_date"')
    error = load_error(tmp_path, broken)
    assert error.line == line_of(broken, 'id = "session_date"')
    assert "already used in _common.toml" in error.message


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ("min = 1\nmax = 5", "min = 5\nmax = 1", 'id = "count"', "min (5) is greater than max (1)"),
        (
            'options = [{ value = "calm", label = "Calm" }, { value = "tense", label = "Tense" }]',
            "options = []",
            'id = "mood"',
            "needs at least one entry in 'options'",
        ),
        ('id = "at"\n', 'id = "at"\nrequried = true\n', 'id = "at"', "unknown key 'requried'"),
        ('id = "moods"', 'id = "Moods"', 'id = "Moods"', "must be lower-case letters"),
        ("min = 0\nmax = 10", "min = 0\nmax = 100", 'id = "sud"', "needs min = 0 and max = 10"),
        ('extract = "target"\n', "", 'id = "sud"', "needs a target_ref field tagged 'target'"),
        ('extract = "target"\n', 'extract = "targt"\n', 'id = "target"', "unknown extract tag"),
        ('id = "note"\n', 'id = "speed"\n', 'id = "speed"', "column id 'speed' appears twice"),
        (
            'id = "name"\n',
            'id = "name"\nprivate = true\nextract = "ifs.self_energy"\n',
            'id = "name"',
            "a private field cannot be extracted",
        ),
    ],
)
def test_semantic_errors_name_the_offending_field_line(
    tmp_path: Path, old: str, new: str, needle: str, message: str
) -> None:
    assert old in KIT
    broken = KIT.replace(old, new, 1)
    error = load_error(tmp_path, broken)
    occurrence = 2 if "appears twice" in message else 1
    assert (error.file.endswith("kit.toml"), error.line) == (
        True,
        line_of(broken, needle, occurrence),
    )
    assert message in error.message


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            'kind = "number"\nderived = "dose / weight"',
            "derived from 'weight', which is not an entered number field",
        ),
        (
            'kind = "text"\nrequired_if = { field = "nope", any_of = [true] }',
            "required_if names 'nope', which is not another field",
        ),
        (
            'kind = "text"\nrequired_if = { field = "name", any_of = ["x"] }',
            "required_if can only depend on a choice or yes/no field, not 'name'",
        ),
        (
            'kind = "text"\nrequired_if = { field = "mood", any_of = ["angry"] }',
            "required_if values ['angry'] are not all answers of 'mood'",
        ),
        (
            'kind = "scale"\nmin = 0\nmax = 10\nanchors = { 11 = "Beyond" }',
            "anchor '11' must be a whole number from 0 to 10",
        ),
        ('kind = "group"\ncolumns = []', "needs at least one entry in 'columns'"),
    ],
)
def test_cross_field_rules_are_checked_at_load(tmp_path: Path, extra: str, message: str) -> None:
    broken = (
        KIT
        + textwrap.dedent(
            """
        [[sections]]
        id = "extra"
        title = "Extra"

        [[sections.fields]]
        id = "extra_field"
        label = "Extra field"
        """
        )
        + extra
        + "\n"
    )
    error = load_error(tmp_path, broken)
    assert error.line == line_of(broken, 'id = "extra_field"')
    assert message in error.message


def test_a_template_needs_its_common_fields(tmp_path: Path) -> None:
    (tmp_path / "kit.toml").write_text(
        KIT.replace("version = 1\n", "version = 1\ncommon = 2\n"), encoding="utf-8"
    )
    write_templates(tmp_path, _common=MINI_COMMON)
    with pytest.raises(TemplateDefinitionError) as caught:
        load_templates(tmp_path)
    assert caught.value.line == 3
    assert "uses common fields version 2" in caught.value.message


def test_the_file_name_must_match_the_template(tmp_path: Path) -> None:
    error = load_error(tmp_path, KIT, stem="other")
    assert "id 'kit' does not match the file name 'other.toml'" in error.message
    error = load_error(tmp_path / "b", KIT, stem="kit.v3")
    assert "the file name says v3, the file says 1" in error.message


def test_a_broken_common_file_is_reported_as_itself(tmp_path: Path) -> None:
    broken = MINI_COMMON.replace('kind = "date"', 'kind = "day"')
    error = load_error(tmp_path, KIT, common=broken)
    assert error.file.endswith("_common.toml")
    assert error.line == line_of(broken, 'id = "session_date"')


def test_the_shipped_common_fields_merge_into_any_template(tmp_path: Path) -> None:
    # The shipped _common.toml works with any template, not only the shipped ones.
    common = (BUNDLED / "_common.toml").read_text(encoding="utf-8")
    registry = load_templates(write_templates(tmp_path, _common=common, kit=KIT))
    assert set(COMMON_IDS) <= {f.id for f in registry.latest("kit").fields}
