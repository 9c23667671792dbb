"""Validating a note: what keeps it from saving or signing, said so the therapist can fix it."""

from __future__ import annotations

import math
from datetime import date, time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.templates.definitions import Template
from models.templates.loading import TemplateRegistry
from models.templates.validation import derive_values, strip_private, validate_note

from .samples import TEMPLATE_IDS, sample_note

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


def problems_for(template: Template, content: dict[str, Any], **kw: bool) -> list[str]:
    return [p.message for p in validate_note(template, content, for_signing=kw.get("sign", False))]


# --------------------------------------------------------------------------- bundled templates


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_an_empty_draft_is_valid(bundled: TemplateRegistry, template_id: str) -> None:
    assert validate_note(bundled.latest(template_id), {}, for_signing=False) == []


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_signing_an_empty_note_lists_every_required_field(
    bundled: TemplateRegistry, template_id: str
) -> None:
    template = bundled.latest(template_id)
    problems = validate_note(template, {}, for_signing=True)
    assert [p.field_path for p in problems] == [f.id for f in template.fields if f.required]
    assert all("required to sign" in p.message for p in problems)


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_a_complete_sample_note_signs(bundled: TemplateRegistry, template_id: str) -> None:
    template = bundled.latest(template_id)
    assert validate_note(template, sample_note(template_id), for_signing=True) == []


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
        "50 and 300 mmHg."
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


def test_version_1_asks_for_the_safety_plan_when_suicidal_ideation_is_present(
    bundled: TemplateRegistry,
) -> None:
    general = bundled.get("general", 1)
    note = sample_note("general", 1) | {"suicidal_ideation": "present_with_plan"}
    problems = validate_note(general, note, for_signing=True)
    assert [p.field_path for p in problems] == ["safety_plan_reviewed"]
    assert "because Suicidal ideation is Present, with plan" in problems[0].message
    assert validate_note(general, note | {"safety_plan_reviewed": True}, for_signing=True) == []


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_every_released_version_still_signs_its_own_sample(
    bundled: TemplateRegistry, template_id: str
) -> None:
    assert validate_note(bundled.get(template_id, 1), sample_note(template_id, 1),
                         for_signing=True) == []


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


# --------------------------------------------------------------------------- private notes


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_strip_private_drops_only_private_notes(
    bundled: TemplateRegistry, template_id: str
) -> None:
    note = sample_note(template_id)
    stripped = strip_private(bundled.latest(template_id), note)
    assert "private_notes" not in stripped
    assert stripped == {k: v for k, v in note.items() if k != "private_notes"}
    assert "private_notes" in note  # the original is left alone
