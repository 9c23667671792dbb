"""Carry forward: a new note starts from the last signed note of the same kind, with the
fields the templates' data names, each marked until edited; never a rating or a risk answer."""

from __future__ import annotations

import datetime as dt
import shutil
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from models.backend import Backend
from models.clinical.carry import carried_fields, carried_from, carried_on, carry_source
from models.inputs import ClientInput, CourseInput, DosingInput, TargetInput
from models.services import care
from models.templates.definitions import CARRIED_FORWARD_KEY, TemplateDefinitionError
from models.templates.loading import load_templates
from tests.unit.templates.samples import emdr_process_fields

FIRST = dt.date(2026, 10, 1)
LATER = dt.date(2026, 10, 8)
COMMON = {
    "start_time": "10:00", "duration_minutes": 60, "delivery": "in_office",
    "suicidal_ideation": "denied", "homicidal_ideation": "denied",
    "risk_notes": "Denies; safety plan reviewed.",
}


@pytest.fixture
def world(backend: Backend, session: Session) -> dict[str, Any]:
    doc = backend.practice.create_clinician("Dr Carry", "PsyD").value
    client = backend.clients.create(ClientInput(name="Carry Fixture"), actor_id=None).value
    course = backend.care.add_course(client.id, CourseInput(
        "spaced", FIRST - dt.timedelta(days=7)), actor_id=None).value
    care.add_dosing_session(session, course.id, DosingInput(
        session_date=FIRST - dt.timedelta(days=1), route="sublingual", dose_mg=300))
    session.commit()
    target = backend.targets.create(client.id, TargetInput(label="Stairwell, age 9"),
                                    actor_id=None).value
    return {"doc": doc, "client": client, "target": target}


def _emdr(backend: Backend, world: dict[str, Any], day: dt.date, *, sign: bool,
          **extra: Any) -> int:
    note = backend.notes.create(world["client"].id, "emdr", author_id=None,
                                session_date=day).value
    content = {**COMMON, **emdr_process_fields(), "session_date": day.isoformat(),
               "phases_covered": ["3", "4"],
               "target": world["target"].id, "sud_start": 8, "sud_end": 3, "voc_start": 2,
               "voc_end": 5, "closure": "incomplete", "stability": "stable",
               "image": "The stairwell light", "plan": "Return to the stairwell; container "
               "practice daily.", **extra}
    backend.notes.save_draft(note.id, content)
    if sign:
        backend.notes.sign(note.id, clinician_id=world["doc"].id)
    return note.id


def test_a_new_note_takes_the_targets_and_plan_of_the_last_signed_one_marked(
        backend: Backend, world: dict[str, Any]) -> None:
    first = _emdr(backend, world, FIRST, sign=True)
    note = backend.notes.create(world["client"].id, "emdr", author_id=None,
                                session_date=LATER, carry_forward=True).value
    content = note.content
    assert content["target"] == world["target"].id
    assert content["plan"].startswith("Return to the stairwell")
    assert set(carried_fields(content)) == {"target", "plan"}
    assert carried_from(content) == first and carried_on(content) == FIRST
    # Never the old session's ratings, risk answers, facts or assessment of "now".
    for gone in ("sud_start", "sud_end", "voc_start", "voc_end", "suicidal_ideation",
                 "safety_plan_reviewed", "risk_notes", "start_time", "image", "closure"):
        assert gone not in content
    assert content["session_date"] == LATER.isoformat()


def test_the_source_is_the_last_signed_note_of_that_kind_on_or_before_the_day(
        backend: Backend, world: dict[str, Any]) -> None:
    _emdr(backend, world, FIRST, sign=True, plan="First plan.")
    _emdr(backend, world, LATER, sign=False, plan="A draft's plan.")  # a draft: not a source
    notes = backend.notes.of_client(world["client"].id)
    source = carry_source(notes, "emdr", LATER)
    assert source is not None and source.session_date == FIRST
    assert carry_source(notes, "emdr", FIRST - dt.timedelta(1)) is None  # nothing before
    assert carry_source(notes, "ifs") is None
    note = backend.notes.create(world["client"].id, "emdr", author_id=None,
                                session_date=LATER, carry_forward=True).value
    assert note.content["plan"] == "First plan."


def test_without_a_source_or_without_asking_nothing_is_carried(
        backend: Backend, world: dict[str, Any]) -> None:
    note = backend.notes.create(world["client"].id, "emdr", author_id=None,
                                session_date=LATER, carry_forward=True).value
    assert carried_fields(note.content) == () and "plan" not in note.content
    _emdr(backend, world, FIRST, sign=True)
    plain = backend.notes.create(world["client"].id, "emdr", author_id=None,
                                 session_date=LATER).value
    assert CARRIED_FORWARD_KEY not in plain.content and "target" not in plain.content


def test_the_mark_is_kept_through_drafts_and_signed_with_the_note(
        backend: Backend, world: dict[str, Any]) -> None:
    _emdr(backend, world, FIRST, sign=True)
    note = backend.notes.create(world["client"].id, "emdr", author_id=None,
                                session_date=LATER, carry_forward=True).value
    content = {**note.content, **COMMON, **emdr_process_fields(), "phases_covered": ["3"],
               "closure": "complete", "stability": "stable",
               "plan": "A new plan, written today."}
    # The form drops an edited field from the mark; the target was left as it came.
    content[CARRIED_FORWARD_KEY] = {**content[CARRIED_FORWARD_KEY], "fields": ["target"]}
    assert backend.notes.problems(note.id, content) == []  # the mark is no stray field
    signed = backend.notes.sign(note.id, clinician_id=world["doc"].id).value
    assert carried_fields(signed.content) == ("target",)
    assert carried_from(signed.content) is not None


def test_every_template_names_only_fields_it_may_carry() -> None:
    templates = {t.id: t for t in load_templates().all_latest()}
    assert templates["emdr"].carry_forward == ("target", "plan")
    assert templates["ifs"].carry_forward == ("parts_worked", "main_protector", "plan")
    assert "route" in templates["dosing"].carry_forward
    for template in templates.values():
        for name in template.carry_forward:
            field = template.field(name)
            assert field.kind.value != "scale" and not field.private


def _templates_with(tmp_path: Path, carry: str) -> Path:
    folder = tmp_path / "templates"
    with as_file(files("resources") / "templates") as bundled:
        shutil.copytree(bundled, folder)
    (folder / "carry_forward.toml").write_text(carry, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("carry", "says"), [
    ('[emdr]\nfields = ["sud_start"]\n', "is a rating"),
    ('[emdr]\nfields = ["suicidal_ideation"]\n', "common field"),
    ('[emdr]\nfields = ["no_such_field"]\n', "no version of 'emdr' has a field"),
    ('[nosuch]\nfields = ["plan"]\n', "no note template 'nosuch'"),
    ('[dosing]\nfields = ["dose_mg"]\n', "files a figure"),
    ('[emdr]\nfields = "plan"\n', "must be a list"),
])
def test_the_loader_refuses_a_field_that_must_not_travel(
        tmp_path: Path, carry: str, says: str) -> None:
    with pytest.raises(TemplateDefinitionError, match=says) as info:
        load_templates(_templates_with(tmp_path, carry))
    assert info.value.file.endswith("carry_forward.toml")


def test_the_carry_data_leaves_every_released_fingerprint_as_it_was(tmp_path: Path) -> None:
    bundled = {(t.id, t.version): t.fingerprint for t in load_templates()}
    without = load_templates(_templates_with(tmp_path, ""))
    assert {(t.id, t.version): t.fingerprint for t in without} == bundled
    assert all(t.carry_forward == () for t in without)
