"""The note form, the note editor and the new-note dialog, driven as a therapist would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QPoint, QPointF, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from models.api import Backend
from models.clinical.doses import NO_DOSE, dose_refs
from models.clinical.signing import SIGNING_MEANS, sign_question
from models.dto import ClinicianDTO, CourseDTO, NoteDTO, PartDTO, TargetDTO
from models.formatting import date_text
from models.inputs import PartInput, TargetInput
from models.services.notes import verify_note_hash
from models.templates.definitions import FieldKind, Template
from models.templates.loading import load_templates
from models.templates.validation import Problem, validate_note
from models.vault import open_vault
from models.vocabulary import ROUTES
from tests.conftest import TODAY
from tests.ui.conftest import Worker
from ui.common.style import wrapped_tip
from ui.notes.dialogs import AddendumDialog
from ui.notes.display import target_text
from ui.notes.form import NoteForm
from ui.notes.group_table import GroupRowsModel
from ui.notes.inputs import CHOOSE, NOT_GIVEN, NOT_RATED, UNANSWERED
from ui.notes.new_note_dialog import NewNoteDialog
from ui.notes.note_editor import NoteEditor
from ui.notes.problems import ProblemListModel
from ui.shell.tasks import TaskRunner
from workstation.offscreen import build_demo_vault
from workstation.screenshots_notes import sample_content

PASSPHRASE = "note form test passphrase"
TEMPLATES = load_templates().all_latest()


# --------------------------------------------------------------------------- fixtures


def _target(target_id: int, label: str, kind: str = "emdr") -> TargetDTO:
    return TargetDTO(id=target_id, client_id=1, kind=kind, label=label, prong="past",
                     touchstone=False, found_by="direct", image="", negative_cognition="",
                     positive_cognition="", emotions="", body_location="", baseline_sud=8,
                     baseline_voc=2, status="identified", part_id=None, identified_on=TODAY)


def _part(part_id: int, name: str, part_type: str) -> PartDTO:
    return PartDTO(id=part_id, client_id=1, name=name, part_type=part_type,
                   age_appearance="", body_location="", role="", fears="",
                   burdens_personal="", burdens_legacy="", trust_in_self=None,
                   status="identified", first_seen=TODAY, map_x=0.0, map_y=0.0)


TARGETS = [_target(11, "Car accident"), _target(12, "Hospital corridor"),
           _target(13, "The stairwell", "art")]
PARTS = [_part(21, "The Planner", "manager"), _part(22, "Little One", "exile"),
         _part(23, "The Numb One", "firefighter")]


def make_form(qtbot: QtBot, template: Template) -> NoteForm:
    form = NoteForm(template)
    qtbot.addWidget(form)
    form.resize(1200, 800)
    form.set_choices(TARGETS, PARTS)
    return form


def show(qtbot: QtBot, widget: QWidget) -> None:
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)


@dataclass
class Practice:
    """A real encrypted vault with one synthetic client who has doses, targets and parts,
    open on the real task runner: the editor's saves run on its worker thread."""

    path: Path
    client_id: int
    clinician: ClinicianDTO
    runner: TaskRunner
    worker: Worker
    jobs: int = 0  # how many jobs the windows (not the test) have asked of the runner

    def new_note(self, template_id: str, content: dict[str, Any] | None = None,
                 day: dt.date = TODAY) -> int:
        client_id, author_id = self.client_id, self.clinician.id

        def write(b: Backend) -> int:
            note = b.notes.create(client_id, template_id, author_id=author_id,
                                  session_date=day).value
            if content is not None:
                b.notes.save_draft(note.id, content)
            return note.id

        return self.worker.run(write)

    def note(self, note_id: int) -> NoteDTO:
        return self.worker.run(lambda b: b.notes.get(note_id))

    def targets(self) -> list[TargetDTO]:
        return self.worker.run(lambda b: b.targets.of_client(self.client_id))

    def parts(self) -> list[PartDTO]:
        return self.worker.run(lambda b: b.parts.of_client(self.client_id))

    def editor(self, qtbot: QtBot, note_id: int, autosave_ms: int = 60_000,
               parent: QWidget | None = None) -> NoteEditor:
        editor = NoteEditor(note_id, runner=self.runner, clinician=self.clinician,
                            autosave_ms=autosave_ms, parent=parent)
        if parent is None:
            qtbot.addWidget(editor)
            editor.resize(1280, 800)
        qtbot.waitUntil(lambda: editor.form is not None, timeout=10_000)  # loaded on the worker
        return editor


@pytest.fixture
def practice(tmp_path: Path, runner: TaskRunner, worker: Worker) -> Practice:
    path = tmp_path / "notes.iwvault"
    build_demo_vault(path, PASSPHRASE, clients=1, seed=5, today=TODAY)
    clinician = worker.open(path, PASSPHRASE)
    assert clinician is not None
    client_id = 1
    if not any(t.kind == "emdr" for t in worker.run(lambda b: b.targets.of_client(client_id))):
        worker.run(lambda b: b.targets.create(client_id, TargetInput(label="Junction"),
                                              actor_id=None))
    if not worker.run(lambda b: b.parts.of_client(client_id)):
        worker.run(lambda b: b.parts.create(client_id, PartInput("The Planner", "manager"),
                                            actor_id=None))
    practice = Practice(path, client_id, clinician, runner, worker)
    submit = runner.submit

    def counting(*args: Any, **kwargs: Any) -> int:
        if kwargs.get("owner") is not None:  # a window's job, not the test's own reads
            practice.jobs += 1
        return submit(*args, **kwargs)

    runner.submit = counting  # type: ignore[method-assign]
    return practice


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.id for t in TEMPLATES])
def test_every_template_renders_and_round_trips_its_content(
    qtbot: QtBot, template: Template
) -> None:
    form = make_form(qtbot, template)
    assert form.content() == {}, "an untouched form holds nothing"
    content = sample_content(template.id, TODAY, targets=TARGETS, parts=PARTS)
    assert validate_note(template, content, for_signing=True) == [], "the sample is complete"
    form.set_content(content)
    show(qtbot, form)
    assert form.content() == content
    # Every field has its editor, with its label and required marker.
    for f in template.fields:
        label = form._labels[f.id].text()
        assert f.label.replace("&", "&amp;") in label
        required = f.required or (f.required_if is not None and f.required_if.holds(content))
        assert ("*" in label) == required, f.id
        if f.help:
            assert form.editor(f.id).toolTip() == wrapped_tip(f.help)


def test_the_sample_notes_cover_every_field_kind() -> None:
    kinds = set()
    for template in TEMPLATES:
        content = sample_content(template.id, TODAY, targets=TARGETS, parts=PARTS)
        for f in template.fields:
            if f.id in content:
                kinds.add(f.kind)
                kinds.update(c.kind for c in f.columns)
    assert kinds == set(FieldKind)


KINDS_TOML = '''
id = "kinds"
version = 1
common = 1
title = "Every kind"
description = "One field of each kind."

[[sections]]
id = "all"
title = "All kinds"

[[sections.fields]]
id = "text"
label = "Text"
kind = "text"

[[sections.fields]]
id = "long"
label = "Long text"
kind = "long_text"

[[sections.fields]]
id = "short_choice"
label = "Short choice"
kind = "choice"
options = [{ value = "a", label = "Alpha" }, { value = "b", label = "Beta" }]

[[sections.fields]]
id = "long_choice"
label = "Long choice"
kind = "choice"
options = [
    { value = "one", label = "One" }, { value = "two", label = "Two" },
    { value = "three", label = "Three" }, { value = "four", label = "Four" },
    { value = "five", label = "Five" },
]

[[sections.fields]]
id = "multi"
label = "Multi"
kind = "multi_choice"
options = [
    { value = "x", label = "Ex" }, { value = "y", label = "Why" }, { value = "z", label = "Zed" },
]

[[sections.fields]]
id = "scale"
label = "Scale"
kind = "scale"
min = 0
max = 10
anchors = { 0 = "None", 10 = "Worst" }

[[sections.fields]]
id = "count"
label = "Count"
kind = "integer"
min = 1
max = 600
unit = "min"

[[sections.fields]]
id = "dose"
label = "Dose"
kind = "number"
min = 1
max = 1000
unit = "mg"

[[sections.fields]]
id = "weight"
label = "Weight"
kind = "number"
min = 20
max = 350
unit = "kg"

[[sections.fields]]
id = "per_kg"
label = "Per kg"
kind = "number"
derived = "dose / weight"

[[sections.fields]]
id = "day"
label = "Day"
kind = "date"

[[sections.fields]]
id = "at"
label = "At"
kind = "time"

[[sections.fields]]
id = "ok"
label = "OK"
kind = "yes_no"

[[sections.fields]]
id = "target"
label = "Target"
kind = "target_ref"
target_kind = "emdr"

[[sections.fields]]
id = "parts"
label = "Parts"
kind = "parts_ref"
multiple = true

[[sections.fields]]
id = "one_part"
label = "One part"
kind = "parts_ref"

[[sections.fields]]
id = "rows"
label = "Rows"
kind = "group"
max_rows = 2

[[sections.fields.columns]]
id = "what"
label = "What"
kind = "text"

[[sections.fields.columns]]
id = "sud"
label = "SUD"
kind = "scale"
min = 0
max = 10
'''

COMMON_TOML = '''
version = 1
description = "Nothing in common."

[[sections]]
id = "common"
title = "Common"
position = "last"

[[sections.fields]]
id = "remark"
label = "Remark"
kind = "text"
'''


@pytest.fixture
def kinds_template(tmp_path: Path) -> Template:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "_common.toml").write_text(COMMON_TOML, encoding="utf-8")
    (folder / "kinds.toml").write_text(KINDS_TOML, encoding="utf-8")
    return load_templates(folder).latest("kinds")


def _edit_cell(qtbot: QtBot, form: NoteForm, group: str, row: int, column: str,
               keys: str) -> None:
    editor: Any = form.editor(group)
    view = editor.view
    index = editor.model.index(row, editor.model.column_index(column))
    view.setCurrentIndex(index)
    view.setFocus()
    view.edit(index)
    cell_editor = QApplication.focusWidget()
    assert cell_editor is not None and cell_editor is not view
    if isinstance(cell_editor, QLineEdit):
        cell_editor.selectAll()
    else:
        cell_editor.lineEdit().selectAll()  # type: ignore[attr-defined]
    qtbot.keyClicks(cell_editor, keys)
    qtbot.keyClick(cell_editor, Qt.Key.Key_Return)
    # The delegate commits a Return on the next turn of the event loop.
    qtbot.waitUntil(lambda: view.state() != QAbstractItemView.State.EditingState)


def test_each_field_kind_gives_its_stored_type(qtbot: QtBot, kinds_template: Template) -> None:
    form = make_form(qtbot, kinds_template)
    show(qtbot, form)
    ed: Any = form.editor
    changes: list[None] = []
    form.changed.connect(lambda: changes.append(None))

    qtbot.keyClicks(ed("text").edit, "I am safe now")
    ed("long").edit.setFocus()
    qtbot.keyClicks(ed("long").edit, "Line one")
    qtbot.mouseClick(ed("short_choice").buttons[1], Qt.MouseButton.LeftButton)
    ed("long_choice").combo.setFocus()
    qtbot.keyClick(ed("long_choice").combo, Qt.Key.Key_Down)
    qtbot.keyClick(ed("long_choice").combo, Qt.Key.Key_Down)
    qtbot.mouseClick(ed("multi").boxes[2], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(ed("multi").boxes[0], Qt.MouseButton.LeftButton)
    ed("scale").slider.setFocus()
    qtbot.keyClick(ed("scale").slider, Qt.Key.Key_7)
    for field_id, keys in (("count", "45"), ("dose", "52.5"), ("weight", "70")):
        spin = ed(field_id).spin
        spin.setFocus()
        spin.selectAll()
        qtbot.keyClicks(spin, keys)
    ed("day").edit.setFocus()
    qtbot.keyClick(ed("day").edit, Qt.Key.Key_Up)  # from "not given": today
    ed("at").edit.setFocus()
    qtbot.keyClicks(ed("at").edit, "0930")
    qtbot.mouseClick(ed("ok").buttons[1], Qt.MouseButton.LeftButton)  # No
    ed("target").combo.setFocus()
    qtbot.keyClick(ed("target").combo, Qt.Key.Key_Down)
    parts_list = ed("parts").list
    first = ed("parts").model.item(1)
    first.setCheckState(Qt.CheckState.Checked)  # as the delegate does on a click
    ed("one_part").combo.setFocus()
    qtbot.keyClick(ed("one_part").combo, Qt.Key.Key_Down)
    qtbot.mouseClick(ed("rows").add_button, Qt.MouseButton.LeftButton)
    _edit_cell(qtbot, form, "rows", 0, "what", "tapping")
    _edit_cell(qtbot, form, "rows", 0, "sud", "4")

    content = form.content()
    expected = {
        "text": "I am safe now",
        "long": "Line one",
        "short_choice": "b",
        "long_choice": "two",
        "multi": ["x", "z"],
        "scale": 7,
        "count": 45,
        "dose": 52.5,
        "weight": 70,
        "per_kg": 0.75,
        "day": QDate.currentDate().toString("yyyy-MM-dd"),
        "at": "09:30",
        "ok": False,
        "target": 11,
        "parts": [22],
        "one_part": [21],
        "rows": [{"what": "tapping", "sud": 4}],
    }
    assert content == expected
    for key, value in expected.items():
        assert type(content[key]) is type(value), key
    assert type(content["rows"][0]["sud"]) is int
    assert form.editor("per_kg").shown.text() == "0.75"  # derived, shown live
    assert changes, "changed() fires on a person's edits"
    assert parts_list.isVisible()
    assert validate_note(kinds_template, content, for_signing=True) == []


def test_unset_answers_show_as_unset_and_can_be_cleared(
    qtbot: QtBot, kinds_template: Template
) -> None:
    form = make_form(qtbot, kinds_template)
    show(qtbot, form)
    ed: Any = form.editor
    assert ed("scale").value_label.text() == NOT_RATED
    assert ed("count").spin.text() == NOT_GIVEN
    assert ed("day").edit.text() == NOT_GIVEN
    assert ed("at").edit.text() == NOT_GIVEN
    assert ed("long_choice").combo.currentText() == CHOOSE
    assert all(not b.isChecked() for b in ed("ok").buttons)

    form.set_content({"scale": 0, "ok": True, "at": "00:00", "count": 1})
    assert form.content() == {"scale": 0, "ok": True, "at": "00:00", "count": 1}, \
        "0, midnight and the minimum are answers, not blanks"
    for field_id in ("scale", "ok", "at", "count"):
        widget = ed(field_id)
        target = getattr(widget, "slider", None) or getattr(widget, "edit", None) \
            or getattr(widget, "spin", None) or widget.buttons[0]
        target.setFocus()
        qtbot.keyClick(target, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert form.content() == {}
    assert ed("scale").value_label.text() == NOT_RATED


def test_a_value_the_form_cannot_show_is_kept_until_changed(
    qtbot: QtBot, kinds_template: Template
) -> None:
    form = make_form(qtbot, kinds_template)
    stored = {"short_choice": "retired_option", "count": 9999, "unknown_key": "kept"}
    form.set_content(stored)
    show(qtbot, form)
    assert form.content() == stored
    assert "cannot be shown" in form._cells["short_choice"]._kept.text()  # type: ignore
    qtbot.mouseClick(form.editor("short_choice").buttons[0],  # type: ignore[attr-defined]
                     Qt.MouseButton.LeftButton)
    assert form.content() == {"short_choice": "a", "count": 9999, "unknown_key": "kept"}


def test_group_rows_respect_min_and_max(qtbot: QtBot, kinds_template: Template) -> None:
    form = make_form(qtbot, kinds_template)
    show(qtbot, form)
    rows: Any = form.editor("rows")
    qtbot.mouseClick(rows.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(rows.add_button, Qt.MouseButton.LeftButton)
    assert rows.model.rowCount() == 2
    assert not rows.add_button.isEnabled(), "max_rows = 2"
    qtbot.keyClick(rows.view, Qt.Key.Key_Insert)
    assert rows.model.rowCount() == 2

    dosing = make_form(qtbot, load_templates().latest("dosing"))
    show(qtbot, dosing)
    vitals: Any = dosing.editor("vitals")
    assert vitals.model.rowCount() == 2, "a group needing 2 rows starts with 2"
    vitals.view.setCurrentIndex(vitals.model.index(0, 0))
    assert not vitals.remove_button.isEnabled()
    qtbot.mouseClick(vitals.add_button, Qt.MouseButton.LeftButton)
    assert vitals.remove_button.isEnabled()
    qtbot.mouseClick(vitals.remove_button, Qt.MouseButton.LeftButton)
    assert vitals.model.rowCount() == 2
    assert dosing.content() == {}, "empty rows are not content"


def test_item_models_pass_the_model_tester(qtmodeltester: Any, qtbot: QtBot) -> None:
    template = load_templates().latest("emdr")
    form = make_form(qtbot, template)
    form.set_content(sample_content("emdr", TODAY, targets=TARGETS, parts=PARTS))
    group: Any = form.editor("bls_sets")
    assert isinstance(group.model, GroupRowsModel)
    qtmodeltester.check(group.model)
    problems = ProblemListModel()
    problems.set_problems([Problem("plan", "Plan", "Plan is required to sign this note.")])
    qtmodeltester.check(problems)


def test_tab_order_follows_the_form(qtbot: QtBot) -> None:
    template = load_templates().latest("emdr")
    form = make_form(qtbot, template)
    show(qtbot, form)
    form.focus_field("session_date")
    seen: list[str] = []
    for _ in range(200):
        widget = QApplication.focusWidget()
        while widget is not None and not widget.objectName().startswith("field_"):
            widget = widget.parentWidget()
        if widget is not None and (not seen or seen[-1] != widget.objectName()):
            seen.append(widget.objectName())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if seen and seen[-1] == "field_private_notes":
            break
    # Every field in order, but those an earlier answer (none yet) made not applicable.
    ids = [f"field_{f.id}" for f in template.fields
           if f.derived is None and f.required_if is None]
    assert seen == ids


def test_new_target_and_new_part_buttons_ask_for_the_right_kind(qtbot: QtBot) -> None:
    art = make_form(qtbot, load_templates().latest("art"))
    with qtbot.waitSignal(art.new_target_requested) as blocker:
        qtbot.mouseClick(art.editor("scene").new_button,  # type: ignore[attr-defined]
                         Qt.MouseButton.LeftButton)
    assert blocker.args == ["art"]
    ifs = make_form(qtbot, load_templates().latest("ifs"))
    with qtbot.waitSignal(ifs.new_part_requested):
        qtbot.mouseClick(ifs.editor("parts_worked").new_button,  # type: ignore[attr-defined]
                         Qt.MouseButton.LeftButton)
    # Only the client's targets of the field's kind are offered.
    combo = art.editor("scene").combo  # type: ignore[attr-defined]
    offered = [combo.itemData(i) for i in range(1, combo.count())]
    assert offered == [13]
    # The main protector is offered the protectors, never an exile; every part may be
    # among those worked with.
    protector = ifs.editor("main_protector").combo  # type: ignore[attr-defined]
    assert [protector.itemData(i) for i in range(1, protector.count())] == [21, 23]
    worked = ifs.editor("parts_worked").model  # type: ignore[attr-defined]
    assert [worked.item(r).data(Qt.ItemDataRole.UserRole)
            for r in range(worked.rowCount())] == [21, 22, 23]
    # An exile chosen before (a draft of an earlier version) stays shown, to be changed.
    ifs.set_content({"main_protector": [22]})
    assert protector.currentData() == 22


def test_read_only_form_cannot_be_changed(qtbot: QtBot) -> None:
    template = load_templates().latest("emdr")
    form = make_form(qtbot, template)
    content = sample_content("emdr", TODAY, targets=TARGETS, parts=PARTS)
    form.set_content(content)
    form.set_read_only(True)
    show(qtbot, form)
    edit = form.editor("negative_cognition").edit  # type: ignore[attr-defined]
    edit.setFocus()
    qtbot.keyClicks(edit, "changed")
    qtbot.mouseClick(form.editor("stability").buttons[2],  # type: ignore[attr-defined]
                     Qt.MouseButton.LeftButton)
    sets: Any = form.editor("bls_sets")
    assert not sets.add_button.isVisible()
    assert not form.editor("target").new_button.isVisible()  # type: ignore[attr-defined]
    assert form.content() == content


def test_a_signed_note_shows_what_a_field_means_not_how_to_enter_it(qtbot: QtBot) -> None:
    """"Choose from the client's target registry, or add a new target" is no part of a
    record a board reads; "After installation" says when the VoC was taken, and stays."""
    form = make_form(qtbot, load_templates().latest("emdr"))
    show(qtbot, form)

    def shown() -> set[str]:
        return {label.text() for label in form.findChildren(QLabel) if label.isVisible()}

    entering = "Choose from the client's target registry, or add a new target."
    meaning = "After installation."
    risk = "Ask about suicidal and homicidal ideation at every session."
    sets: Any = form.editor("bls_sets")
    assert {entering, meaning} <= shown() and any(t.startswith(risk) for t in shown())
    assert "(at most 100)" in sets.count_label.text()
    form.set_read_only(True)
    assert meaning in shown() and entering not in shown()
    assert not any(t.startswith(risk) for t in shown())
    # No limits or keys for entering rows; an empty table reads as a field unanswered.
    assert sets.count_label.text() == UNANSWERED and not sets.view.isVisible()
    form.set_read_only(False)  # a signed note never turns back; a form may be reused
    assert entering in shown()


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.id for t in TEMPLATES])
def test_a_signed_note_marks_nothing_required(qtbot: QtBot, template: Template) -> None:
    """"* required to sign" is left out of a signed note, and so is every label's *: a
    record has nothing left to require. A draft has them back."""
    form = make_form(qtbot, template)
    form.set_content(sample_content(template.id, TODAY, targets=TARGETS, parts=PARTS))
    show(qtbot, form)

    def marked() -> set[str]:
        labels = {f.id for f in template.fields if "*" in form._labels[f.id].text()}
        headers = {f"{f.id}.{c.id}" for f in template.fields if f.kind is FieldKind.GROUP
                   for i, c in enumerate(f.columns)
                   if "*" in form.editor(f.id).model.headerData(  # type: ignore[attr-defined]
                       i, Qt.Orientation.Horizontal)}
        return labels | headers

    required = marked()
    assert required >= {f.id for f in template.fields if f.required}
    form.set_read_only(True)
    assert marked() == set()
    form.set_read_only(False)
    assert marked() == required


def test_a_signed_note_lists_the_parts_it_worked_with_and_no_others(qtbot: QtBot) -> None:
    """A signed IFS note listed every part of the registry, those it did not choose as empty
    boxes, parts found weeks after the session among them: no part of what it recorded."""
    form = make_form(qtbot, load_templates().latest("ifs"))
    content = sample_content("ifs", TODAY, targets=TARGETS, parts=PARTS)
    content["parts_worked"] = [21, 23]
    content["main_protector"] = [23]
    form.set_content(content)
    show(qtbot, form)
    worked: Any = form.editor("parts_worked")

    def listed() -> list[str]:
        return [worked.model.item(r).text() for r in range(worked.model.rowCount())]

    assert len(listed()) == len(PARTS)
    form.set_read_only(True)
    assert listed() == ["The Planner", "The Numb One"]  # named, as in its PDF
    protector: Any = form.editor("main_protector").combo  # type: ignore[attr-defined]
    assert protector.currentText() == "The Numb One"  # by name, as the list
    assert form.value("parts_worked") == [21, 23]
    form.set_choices(TARGETS, [*PARTS, _part(24, "Found later", "exile")])
    assert len(listed()) == 2
    form.set_read_only(False)
    assert len(listed()) == len(PARTS) + 1 and form.value("parts_worked") == [21, 23]


def test_a_signed_note_names_its_target_without_the_status_it_has_now(qtbot: QtBot) -> None:
    """A signed EMDR note read "Car accident · past, identified": the target's status today,
    not the one the session worked it in. It names the target as its PDF does; a draft
    still shows prong and status to choose by."""
    form = make_form(qtbot, load_templates().latest("emdr"))
    content = sample_content("emdr", TODAY, targets=TARGETS, parts=PARTS)
    content["target"] = 11
    form.set_content(content)
    show(qtbot, form)
    combo: Any = form.editor("target").combo  # type: ignore[attr-defined]
    assert combo.currentText() == target_text(TARGETS[0])
    form.set_read_only(True)
    assert combo.currentText() == "Car accident"
    form.set_read_only(False)
    assert combo.currentText() == target_text(TARGETS[0])


def test_a_signed_note_leaves_out_the_questions_its_answers_made_not_applicable(
        qtbot: QtBot) -> None:
    """Ideation denied: the risk check's follow-ups were not asked, and a signed note
    showed them as blank radio buttons a reader could take for questions skipped. They
    are left out, as the PDF leaves them out; an answered one stays, and a draft shows
    them all (a click reaches them)."""
    form = make_form(qtbot, load_templates().latest("emdr"))
    content = sample_content("emdr", TODAY, targets=TARGETS, parts=PARTS)
    content.update({"suicidal_ideation": "denied", "homicidal_ideation": "denied",
                    "risk_level": "low"})
    for follow_up in ("risk_intent", "risk_plan", "risk_means_access"):
        content.pop(follow_up, None)
    form.set_content(content)
    show(qtbot, form)

    def visible(field_id: str) -> bool:
        return form._cells[field_id].isVisible() and form._labels[field_id].isVisible()

    assert visible("risk_intent") and visible("risk_level")
    form.set_read_only(True)
    assert not visible("risk_intent") and not visible("risk_plan")
    assert visible("risk_level")  # answered all the same: on record
    assert visible("suicidal_ideation") and visible("homicidal_ideation")
    form.set_read_only(False)
    assert visible("risk_intent")
    content["suicidal_ideation"] = "present_with_plan"  # now they were asked: all shown
    form.set_content(content)
    form.set_read_only(True)
    assert visible("risk_intent") and visible("risk_plan")


def test_the_wheel_scrolls_a_signed_note_wherever_the_pointer_is(qtbot: QtBot) -> None:
    """Its inert controls swallowed the wheel: a signed note scrolled only with the
    pointer in its margins or on its text. The wheel still changes none of them."""
    from PySide6.QtTest import QTest

    template = load_templates().latest("emdr")
    form = make_form(qtbot, template)
    form.resize(1200, 500)
    content = sample_content("emdr", TODAY, targets=TARGETS, parts=PARTS)
    form.set_content(content)
    form.set_read_only(True)
    show(qtbot, form)
    bar = form.scroll_area.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    editors: Any = {f: form.editor(f) for f in ("phases_covered", "negative_cognition")}
    # A tick box (inert when signed) and a text answer (read-only).
    targets = [editors["phases_covered"].boxes[0], editors["negative_cognition"].edit]
    window = form.window().windowHandle()
    for target in targets:
        form.scroll_area.ensureWidgetVisible(target)
        before = bar.value()
        at = target.mapTo(form.window(), target.rect().center())
        QTest.wheelEvent(window, QPointF(at), QPoint(0, -120))  # as the mouse sends it
        qtbot.waitUntil(lambda b=before: bar.value() > b, timeout=2_000)
    assert form.content() == content


# --------------------------------------------------------------------------- editor


def test_write_an_emdr_note_with_two_sets_sign_it_and_add_an_addendum(
    qtbot: QtBot, practice: Practice
) -> None:
    emdr_targets = [t for t in practice.targets() if t.kind == "emdr"]
    note_id = practice.new_note("emdr")
    editor = practice.editor(qtbot, note_id)
    show(qtbot, editor)
    form = editor.form
    assert form is not None
    assert editor.dosing_label.text().startswith("Follows D")

    content = sample_content("emdr", TODAY, targets=emdr_targets, parts=practice.parts())
    sets = content.pop("bls_sets")
    form.set_content(content)
    group: Any = form.editor("bls_sets")
    for row, values in enumerate(sets):
        qtbot.mouseClick(group.add_button, Qt.MouseButton.LeftButton)
        _edit_cell(qtbot, form, "bls_sets", row, "passes", str(values["passes"]))
        _edit_cell(qtbot, form, "bls_sets", row, "client_report", values["client_report"])
        _edit_cell(qtbot, form, "bls_sets", row, "sud", str(values["sud"]))
        group.model.setData(group.model.index(row, group.model.column_index("bls_type")),
                            values["bls_type"])
        group.model.setData(group.model.index(row, group.model.column_index("speed_hz")),
                            values["speed_hz"])
    assert form.content()["bls_sets"] == sets

    editor.sign()
    qtbot.waitUntil(lambda: editor.confirmation() is not None, timeout=10_000)
    box = editor.confirmation()
    assert isinstance(box, QMessageBox)
    # Who signs, and what signing means, in the one wording.
    assert box.text() == sign_question(practice.clinician)
    assert practice.clinician.display in box.text()
    assert box.informativeText() == SIGNING_MEANS
    assert "SHA-256" in SIGNING_MEANS and "addendum" in SIGNING_MEANS
    with qtbot.waitSignal(editor.note_signed):
        sign_button = next(b for b in box.buttons() if b.text() == "Sign")
        qtbot.mouseClick(sign_button, Qt.MouseButton.LeftButton)

    stored = practice.note(note_id)
    assert stored.signed
    assert stored.content["bls_sets"] == sets
    assert verify_note_hash(stored)
    assert form.is_read_only()
    assert not editor.save_button.isVisible() and not editor.sign_button.isVisible()
    signature = editor.signature_label.text()
    assert signature.startswith(f"Signed by {practice.clinician.display} at ")
    assert f"SHA-256 {stored.content_hash[:16]}" in signature
    ratings = next(t for t in practice.targets() if t.id == content["target"]).ratings
    assert {(r.point, r.sud, r.voc) for r in ratings if r.note_id == note_id} == \
        {("start", 8, 2), ("end", 3, 5)}

    # Escape with words written asks first, and keeping them is its own answer.
    editor.add_addendum()
    dialog = editor.dialog()
    assert isinstance(dialog, AddendumDialog)
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.text, "Half a thought")
    qtbot.keyClick(dialog.text, Qt.Key.Key_Escape)
    box = dialog.confirmation()
    assert box is not None and box.text() == "Discard this addendum?"
    box.escapeButton().click()
    qtbot.waitUntil(lambda: dialog.confirmation() is None)
    assert dialog.isVisible() and dialog.text.toPlainText() == "Half a thought"
    dialog.reject()
    box = dialog.confirmation()
    assert box is not None
    with qtbot.waitSignal(dialog.finished, timeout=5_000):
        next(b for b in box.buttons() if b.text() == "Discard addendum").click()
    assert practice.note(note_id).addenda == ()

    editor.add_addendum()
    dialog = editor.dialog()
    assert isinstance(dialog, AddendumDialog)
    assert not dialog.sign_button.isEnabled(), "reason and text are required"
    dialog.kind.setCurrentIndex(dialog.kind.findData("correction"))
    qtbot.keyClicks(dialog.reason, "Second set's speed recorded wrongly")
    assert not dialog.sign_button.isEnabled()
    qtbot.keyClicks(dialog.text, "The second set ran at 1.0 Hz.")
    with qtbot.waitSignal(editor.addendum_added):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)

    addenda = practice.note(note_id).addenda
    assert [(a.kind, a.reason, a.text, a.author_id) for a in addenda] == [
        ("correction", "Second set's speed recorded wrongly", "The second set ran at 1.0 Hz.",
         practice.clinician.id)]
    panel = editor.findChild(QWidget, "addenda")
    assert panel is not None and panel.isVisible()
    texts = " ".join(w.text() for w in panel.findChildren(type(editor.title_label)))
    assert "Correction" in texts and "Second set's speed recorded wrongly" in texts
    assert practice.clinician.display in texts


def test_signing_with_missing_fields_lists_them_and_jumps_to_them(
    qtbot: QtBot, practice: Practice
) -> None:
    note_id = practice.new_note("emdr", {"session_date": TODAY.isoformat(),
                                         "bls_sets": [{"passes": 24}]})
    editor = practice.editor(qtbot, note_id)
    show(qtbot, editor)
    form = editor.form
    assert form is not None
    expected = practice.worker.run(lambda b: b.notes.problems(note_id))
    assert {p.field_path for p in expected} >= {"start_time", "plan", "bls_sets[0].bls_type"}

    editor.sign()
    panel = form.problem_panel
    qtbot.waitUntil(panel.isVisible, timeout=10_000)
    assert editor.confirmation() is None, "nothing to confirm while fields are missing"
    assert not practice.note(note_id).signed
    assert form.problems() == expected
    assert "To sign" in panel.title.text()
    for problem in expected:
        assert problem.message in form.field_error(problem.field_path.split("[")[0])

    # Clicking a line puts the keyboard in that field.
    row = next(i for i, p in enumerate(expected) if p.field_path == "plan")
    index = panel.model.index(row, 0)
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.view.visualRect(index).center())
    plan_edit = form.editor("plan").edit  # type: ignore[attr-defined]
    assert plan_edit.hasFocus()
    # A cell in a group: the table's current cell is the one named.
    row = next(i for i, p in enumerate(expected) if p.field_path == "bls_sets[0].bls_type")
    panel.view.setCurrentIndex(panel.model.index(row, 0))
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    table: Any = form.editor("bls_sets")
    assert table.view.hasFocus()
    assert (table.view.currentIndex().row(), table.view.currentIndex().column()) == \
        (0, table.model.column_index("bls_type"))
    assert table.model.index(0, 0).data(GroupRowsModel.ProblemRole)

    # Fixing a field takes its problem off the list.
    plan_edit.setFocus()
    qtbot.keyClicks(plan_edit, "Continue next week.")
    assert "plan" not in {p.field_path for p in form.problems()}
    assert form.field_error("plan") == ""


def test_autosave_after_a_change(qtbot: QtBot, practice: Practice) -> None:
    note_id = practice.new_note("general")
    editor = practice.editor(qtbot, note_id, autosave_ms=150)
    show(qtbot, editor)
    form = editor.form
    assert form is not None
    saves: list[int] = []
    editor.note_saved.connect(saves.append)
    meta = editor.meta_label.text()
    assert "Draft" in meta and "template version 2" in meta
    data = form.editor("data").edit  # type: ignore[attr-defined]
    data.setFocus()
    qtbot.keyClicks(data, "Slept through")
    qtbot.keyClicks(data, " three nights.")
    assert saves == [] and editor.is_dirty(), "not saved on every keystroke"
    assert "Unsaved" in editor.save_state.text()
    qtbot.waitUntil(lambda: saves == [note_id], timeout=10_000)
    assert not editor.is_dirty()
    assert practice.note(note_id).content["data"] == "Slept through three nights."
    assert "saved" in editor.save_state.text()
    assert editor.meta_label.text() == meta  # a save lost the template's version once


def test_leaving_the_editor_saves_at_once(qtbot: QtBot, practice: Practice) -> None:
    note_id = practice.new_note("general")
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    editor = practice.editor(qtbot, note_id, autosave_ms=3_600_000, parent=window)
    elsewhere = QLineEdit()
    layout.addWidget(editor)
    layout.addWidget(elsewhere)
    window.resize(1280, 800)
    show(qtbot, window)
    assert editor.form is not None
    plan = editor.form.editor("plan").edit  # type: ignore[attr-defined]
    plan.setFocus()
    qtbot.keyClicks(plan, "Graded driving practice.")
    assert "plan" not in practice.note(note_id).content
    with qtbot.waitSignal(editor.note_saved, timeout=10_000):
        elsewhere.setFocus()
    assert practice.note(note_id).content["plan"] == "Graded driving practice."


def test_flush_saves_what_is_pending(qtbot: QtBot, practice: Practice) -> None:
    note_id = practice.new_note("general")
    editor = practice.editor(qtbot, note_id, autosave_ms=3_600_000)
    assert editor.form is not None
    editor.form.set_content({"session_date": TODAY.isoformat()})
    editor.form.editor("assessment").edit.setPlainText("Early gains")  # type: ignore
    jobs = practice.jobs
    editor.flush()
    # The note is read after the save, on the same worker: the save is in.
    assert practice.note(note_id).content["assessment"] == "Early gains"
    editor.flush()
    assert practice.jobs == jobs + 1, "nothing left to save the second time"


def test_a_crash_after_autosave_keeps_the_draft(qtbot: QtBot, practice: Practice) -> None:
    note_id = practice.new_note("ifs")
    editor = practice.editor(qtbot, note_id, autosave_ms=100)
    show(qtbot, editor)
    assert editor.form is not None
    trailhead = editor.form.editor("trailhead").edit  # type: ignore[attr-defined]
    trailhead.setFocus()
    qtbot.keyClicks(trailhead, "A hollow feeling after the dose")
    self_energy = editor.form.editor("self_energy").slider  # type: ignore[attr-defined]
    self_energy.setFocus()
    with qtbot.waitSignal(editor.note_saved, timeout=10_000):
        qtbot.keyClick(self_energy, Qt.Key.Key_6)
    qtbot.keyClicks(trailhead, " -- typed after the last save")

    # The process dies: nothing more reaches the vault and the editor is never flushed.
    practice.runner.submit = lambda *_a, **_k: 0  # type: ignore[method-assign]
    editor.hide()
    editor.deleteLater()
    with qtbot.waitSignal(practice.runner.vault_closed, timeout=10_000):
        practice.runner.close_vault()

    vault = open_vault(practice.path, PASSPHRASE)
    try:
        with vault.transaction() as session:
            from models.services.notes import get_note

            recovered = get_note(session, note_id)
        assert recovered.status == "draft"
        assert recovered.content["trailhead"] == "A hollow feeling after the dose"
        assert recovered.content["self_energy"] == 6
    finally:
        vault.close()


def test_a_signed_note_opens_read_only(qtbot: QtBot, practice: Practice) -> None:
    content = sample_content("general", TODAY)
    note_id = practice.new_note("general", content)
    practice.worker.run(lambda b: b.notes.sign(note_id, clinician_id=practice.clinician.id))
    editor = practice.editor(qtbot, note_id)
    show(qtbot, editor)
    assert editor.form is not None and editor.form.is_read_only()
    assert editor.addendum_button.isVisible()
    assert not editor.sign_button.isVisible()
    assert "Signed by" in editor.signature_label.text()
    jobs = practice.jobs
    editor.flush()
    editor.save()
    assert practice.jobs == jobs, "a signed note is never written"


def test_new_target_from_the_form_goes_to_the_registry_and_is_chosen(
    qtbot: QtBot, practice: Practice
) -> None:
    note_id = practice.new_note("emdr")
    editor = practice.editor(qtbot, note_id)
    show(qtbot, editor)
    form = editor.form
    assert form is not None
    qtbot.mouseClick(form.editor("target").new_button,  # type: ignore[attr-defined]
                     Qt.MouseButton.LeftButton)
    dialog: Any = editor.dialog()
    assert dialog is not None
    qtbot.keyClicks(dialog.name, "Loud voices in the hallway")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "target" in form.content(), timeout=10_000)
    created = next(t for t in practice.targets() if t.label == "Loud voices in the hallway")
    assert created.kind == "emdr"
    assert form.content()["target"] == created.id
    assert editor.is_dirty()


# --------------------------------------------------------------------------- new note dialog


def test_new_note_dialog_preselects_the_latest_dose_and_shows_days(
    qtbot: QtBot, practice: Practice
) -> None:
    courses = practice.worker.run(lambda b: b.care.courses(practice.client_id))
    dosing = [d for c in courses for d in c.dosing_sessions]
    assert len(dosing) >= 2
    ordered = sorted(dosing, key=lambda d: d.session_date)
    latest, earlier = ordered[-1], ordered[-2]
    day = latest.session_date + dt.timedelta(days=2)
    dialog = NewNoteDialog(courses, today=day, template_id="emdr")
    qtbot.addWidget(dialog)
    show(qtbot, dialog)

    assert [t.id for t in dialog._templates] == [
        "dosing", "preparation", "emdr", "art", "ifs", "general"]
    assert dialog.dosing_combo.isVisible()
    assert dialog.dosing_session_id() == latest.id
    line = dialog.dosing_combo.currentText()
    assert line.startswith(f"{dose_refs(courses)[latest.id].label}  ·")
    assert ROUTES.label(latest.route) in line and f"{latest.dose_mg:g} mg" in line
    assert date_text(latest.session_date) in line and "2 days before" in line
    assert dialog.dosing_combo.itemText(0) == NO_DOSE

    # An earlier date preselects the dose before it.
    before = latest.session_date - dt.timedelta(days=1)
    dialog.date_edit.setDate(QDate(before.year, before.month, before.day))
    assert dialog.dosing_session_id() == earlier.id

    # A preparation note follows no dose.
    preparation = dialog.template_buttons["preparation"]
    qtbot.mouseClick(preparation, Qt.MouseButton.LeftButton,
                     pos=QPoint(8, preparation.height() // 2))
    assert not dialog.dosing_combo.isVisible()
    choice = dialog.choice()
    assert (choice.template_id, choice.session_date, choice.dosing_session_id) == \
        ("preparation", before, None)


def test_new_note_dialog_keeps_the_dose_the_person_chose(qtbot: QtBot) -> None:
    from models.dto import DosingSessionDTO

    def dose(dose_id: int, number: int, day: dt.date) -> DosingSessionDTO:
        return DosingSessionDTO(
            id=dose_id, course_id=1, number=number, session_date=day, start_time=None,
            setting="in_office", medication="racemic_ketamine", route="sublingual",
            dose_mg=300.0, weight_kg=70.0, infusion_minutes=None, lot_number="",
            prescriber="", monitoring_clinician="", intention="", set_and_setting="",
            cadss_total=None, cadss6_total=None, moaas=None, adverse_events="",
            ready_for_discharge=None, ride_home_confirmed=None, observations="",
            client_account="", locked=True)

    doses = (dose(1, 1, TODAY - dt.timedelta(days=9)), dose(2, 2, TODAY - dt.timedelta(days=2)))
    course = CourseDTO(id=1, client_id=1, kind="spaced", start_date=TODAY - dt.timedelta(days=30),
                       end_date=None, goals="", dosing_sessions=doses)
    dialog = NewNoteDialog([course], today=TODAY, template_id="art")
    qtbot.addWidget(dialog)
    assert dialog.dosing_session_id() == 2
    # The whole line is read: the days since the dose, last, were cut off.
    show(qtbot, dialog)
    combo = dialog.dosing_combo
    line = combo.currentText()
    assert line.endswith("2 days before") and "Sublingual / buccal lozenge" in line
    assert combo.width() >= combo.fontMetrics().horizontalAdvance(line) + 20
    dialog.dosing_combo.setCurrentIndex(dialog.dosing_combo.findData(1))
    dialog.dosing_combo.activated.emit(dialog.dosing_combo.currentIndex())
    dialog.date_edit.setDate(dialog.date_edit.date().addDays(1))
    assert dialog.dosing_session_id() == 1
    assert "10 days before" in dialog.dosing_combo.currentText()


def test_the_wheel_changes_only_the_control_that_has_focus(
        qtbot: QtBot, kinds_template: Template) -> None:
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    form = make_form(qtbot, kinds_template)
    show(qtbot, form)
    ed: Any = form.editor
    form.set_content({"count": 10, "scale": 3})

    def wheel(widget: Any) -> None:
        centre = QPointF(widget.width() / 2, widget.height() / 2)
        event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                            QPoint(0, 120), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(widget, event)

    ed("text").edit.setFocus()  # the pointer passes over the others while scrolling
    for field_id, control in (("count", "spin"), ("scale", "slider")):
        wheel(getattr(ed(field_id), control))
    assert form.content()["count"] == 10 and form.content()["scale"] == 3
    ed("count").spin.setFocus()
    qtbot.waitUntil(ed("count").spin.hasFocus)
    wheel(ed("count").spin)
    assert form.content()["count"] == 11


def test_a_required_mark_is_never_alone_on_its_labels_last_line(qtbot: QtBot) -> None:
    """"Readiness for processing checked" (required once a processing phase is ticked)
    fills its column: its * went down to a line of its own, under the label. Every label
    of every template, as it shows when the field is required."""
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QLabel

    from ui.notes.form import LABEL_WIDTH, _label_html

    probe = QLabel()
    qtbot.addWidget(probe)
    probe.setProperty("role", "field-label")
    probe.ensurePolished()
    wrapped = 0
    for template in load_templates().all_latest():
        for section in template.sections:
            for f in section.fields:
                doc = QTextDocument()
                doc.setDefaultFont(probe.font())
                doc.setDocumentMargin(0)
                doc.setHtml(_label_html(f, True))
                doc.setTextWidth(LABEL_WIDTH)
                doc.documentLayout().documentSize()  # lays the text out into lines
                block = doc.firstBlock()
                lines = block.layout()
                last = lines.lineAt(lines.lineCount() - 1)
                tail = block.text()[last.textStart():last.textStart() + last.textLength()]
                assert tail.strip() != "*", (template.id, f.id)
                wrapped += lines.lineCount() > 1
    assert wrapped > 5  # long labels were tried
