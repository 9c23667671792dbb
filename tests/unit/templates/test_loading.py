"""Loading templates: the bundled set, versions side by side, and faults named by file and line."""

from __future__ import annotations

import textwrap
from importlib.resources import files
from pathlib import Path

import pytest

from models.templates.definitions import FieldKind, TemplateDefinitionError, UnknownTemplateError
from models.templates.loading import TemplateRegistry, load_templates
from models.templates.validation import validate_note
from models.vocabulary import ROUTES

from .samples import KIT, MINI_COMMON, write_templates

BUNDLED = files("resources") / "templates"
COMMON_IDS = (
    "session_date",
    "start_time",
    "duration_minutes",
    "delivery",
    "suicidal_ideation",
    "homicidal_ideation",
    "risk_intent",
    "risk_plan",
    "risk_means_access",
    "risk_recent_self_harm",
    "risk_level",
    "risk_actions",
    "risk_follow_up",
    "hi_identified_person",
    "hi_protective_actions",
    "risk_notes",
    "private_notes",
)


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
    latest = {"ifs": 3}  # the main protector is never an exile
    for template in bundled.all_latest():
        version = latest.get(template.id, 2)
        assert template.version == version
        # The earlier versions stay for the notes written in them.
        assert bundled.versions(template.id) == tuple(range(1, version + 1))
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
        "session_number dosing_setting medication route dose_time dose_mg weight_kg mg_per_kg "
        "boosters cumulative_mg cumulative_mg_per_kg lot_number prescriber "
        "monitoring_clinician intention setting_supports vitals dissociation "
        "adverse_events_occurred adverse_events rescue_medications prescriber_notified "
        "discharge_ready_time discharge_criteria discharged_by escort escort_name "
        "escort_relationship no_escort_reason told_not_to_drive observations client_account"
    ),
    "preparation": (
        "intention contraindications contraindication_notes medical_clearance clearance_by "
        "clearance_date baseline_weight_kg baseline_systolic baseline_diastolic "
        "suicide_screen_tool suicide_screen_result written_safety_plan psychoeducation_topics "
        "informed_consent_signed consent_topics fasting_instructions_given "
        "ride_home_arranged medications_reviewed emergency_contact_recorded baseline_measures"
    ),
    "emdr": (
        "phases_covered readiness_checked dissociation_screen readiness_notes target image "
        "negative_cognition positive_cognition voc_start emotions sud_start body_location "
        "bls_sets interweaves_used interweaves_notes processing_flow processing_handling "
        "in_session_reaction reaction_handling pc_kept_or_revised revised_pc voc_end "
        "body_scan_result residual_sensation closure containment_used stability "
        "between_session_instructions reeval_target reeval_sud reeval_voc sud_end "
        "integration_themes plan next_target"
    ),
    "art": (
        "art_session_number scene content_disclosed sud_before art_sets desensitization_reached "
        "image_replacement_done image_replacement_words sud_after scene_recheck future_rehearsal "
        "closure"
    ),
    "ifs": (
        "trailhead parts_worked main_protector six_fs_step eight_cs self_energy blending_noticed "
        "protector_permission unburdening_steps unburdening_element qualities_invited "
        "backlash_check backlash_plan part_status_changes plan"
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
        "respiratory_rate",
        "spo2",
        "moaas",
    }
    assert vitals.column("respiratory_rate").required
    scale = bundled.latest("emdr").field("sud_end")
    assert (scale.minimum, scale.maximum) == (0, 10)
    assert dict(scale.anchors) == {0: "No disturbance", 10: "Worst imaginable"}


EXPECTED_TAGS = {
    "dosing": {
        "dosing.dose_time",
        "dosing.dose_mg",
        "dosing.weight_kg",
        "dosing.mg_per_kg",
        "dosing.boosters",
        "dosing.vitals",
        "dosing.dissociation",
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
    ("dosing", 2): "c4fedfa9382ba9fc4d94bc25dbe080b54379245b358b6fcd2bb2e49cc4680223",
    ("preparation", 2): "3f46abd37a10ec85391056525dd206e6538cd1a0588cc38359a643bdbfe5b119",
    ("emdr", 2): "919ce271e795b39a05f2f43e2b5b48045255c6ea3528df0615901908086311b1",
    ("art", 2): "c880171c3ea40523a6b332e62630e365f2862c9e43f6c2c3216bfe3c31d43b43",
    ("ifs", 2): "32fc45e90b003d5fa6d5efff9c4528cdef8fb1915652e29c94780e80ffe97261",
    ("general", 2): "6cab63fbbc722c21b9903f09d4afbc23666b44006a7f4ab16818791b2d5fb640",
}


@pytest.mark.parametrize(("template_id", "version"), list(PINNED_FINGERPRINTS))
def test_released_template_versions_are_not_edited_in_place(
    bundled: TemplateRegistry, template_id: str, version: int
) -> None:
    template = bundled.get(template_id, version)
    assert template.fingerprint == PINNED_FINGERPRINTS[(template_id, version)], (
        f"{template.source} v{version} changed; see the comment above PINNED_FINGERPRINTS"
    )


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
    # Where a note's words are shown if they can be: the version, or nothing.
    assert registry.find("kit", 1) is old and registry.find("kit", 3) is None
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
            "required_if can only test the answer of a choice, multi-choice or yes/no field, "
            "not 'name'",
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
    # The shipped common fields work with any template, not only the shipped ones.
    common = (BUNDLED / "_common.v2.toml").read_text(encoding="utf-8")
    kit_v = KIT.replace("version = 1", "version = 1\ncommon = 2")
    registry = load_templates(write_templates(tmp_path, **{"_common.v2": common}, kit=kit_v))
    kit = registry.latest("kit")
    assert set(COMMON_IDS) <= {f.id for f in kit.fields}
    assert [c.id for c in kit.checks] == ["high_risk_without_urgent_action"]


# --------------------------------------------------------------------------- vocabularies


def test_a_choice_can_take_its_options_from_the_vocabulary(tmp_path: Path) -> None:
    kit = KIT.replace(
        'options = [{ value = "calm", label = "Calm" }, { value = "tense", label = "Tense" }]',
        'vocabulary = "routes"')
    registry = load_templates(write_templates(tmp_path, _common=MINI_COMMON, kit=kit))
    options = registry.latest("kit").field("mood").options
    assert [(o.value, o.label) for o in options] == list(ROUTES.choices())


def test_the_dosing_note_names_routes_as_every_screen_does(bundled: TemplateRegistry) -> None:
    route = bundled.latest("dosing").field("route")
    assert [(o.value, o.label) for o in route.options] == list(ROUTES.choices())


@pytest.mark.parametrize(("replacement", "message"), [
    ('vocabulary = "colours"', "unknown vocabulary 'colours'"),
    ('vocabulary = "routes"\noptions = [{ value = "a", label = "A" }]', "not both"),
])
def test_a_wrong_vocabulary_is_named(tmp_path: Path, replacement: str, message: str) -> None:
    kit = KIT.replace(
        'options = [{ value = "calm", label = "Calm" }, { value = "tense", label = "Tense" }]',
        replacement)
    with pytest.raises(TemplateDefinitionError, match=message):
        load_templates(write_templates(tmp_path, _common=MINI_COMMON, kit=kit))
