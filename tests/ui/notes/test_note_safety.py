"""The safety rules in the note window, driven as a therapist would: choices typed into a
table, the CADSS items, the risk check, warnings and their reasons, and the follow-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from models.inputs import MeasureInput
from models.templates.checks import ACKNOWLEDGEMENTS
from models.templates.loading import load_templates
from tests.conftest import TODAY
from tests.ui.notes.test_note_form import Practice, make_form, practice, show  # noqa: F401
from ui.notes.cautions import ReasonsDialog
from ui.notes.group_table import GroupField
from ui.notes.measure_field import MeasureField
from workstation.screenshots_notes import risk_check_content, sample_content, warning_vitals

DOSING = load_templates().latest("dosing")
GENERAL = load_templates().latest("general")


def _type_into_cell(qtbot: QtBot, group: GroupField, row: int, column: str, keys: str) -> None:
    view = group.view
    view.setFocus()
    view.setCurrentIndex(group.model.index(row, group.model.column_index(column)))
    # Each key goes where the keyboard focus is, as a person's typing does: the first opens
    # the cell's editor, the rest go to it.
    for key in keys:
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, key)
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, Qt.Key.Key_Return)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("Nausea", "nausea"), ("vom", "vomiting"), ("Blood", "blood_pressure_rise"),
     ("resp", "oversedation"), ("other", "other")],
)
def test_typing_in_the_event_cell_picks_what_was_typed(
    qtbot: QtBot, typed: str, stored: str
) -> None:
    form = make_form(qtbot, DOSING)
    show(qtbot, form)
    events = form.editor("adverse_events")
    assert isinstance(events, GroupField)
    qtbot.mouseClick(events.add_button, Qt.MouseButton.LeftButton)
    _type_into_cell(qtbot, events, 0, "event", typed)
    qtbot.waitUntil(lambda: "event" in events.model.rows()[0], timeout=5_000)  # queued commit
    assert events.model.rows()[0]["event"] == stored


def test_the_cadss_is_entered_item_by_item_with_its_total(qtbot: QtBot) -> None:
    form = make_form(qtbot, DOSING)
    show(qtbot, form)
    field = form.editor("dissociation")
    assert isinstance(field, MeasureField)
    assert field.value() is None and not field.spins
    qtbot.mouseClick(field.buttons[1], Qt.MouseButton.LeftButton)  # CADSS-6
    assert sorted(field.spins) == [1, 2, 6, 7, 15, 22]
    assert "not yet validated" in field.buttons[1].text()
    for number, answer in zip((1, 2, 6, 7, 15, 22), (2, 1, 2, 1, 2, 0), strict=True):
        field.spins[number].setFocus()
        field.spins[number].selectAll()
        qtbot.keyClicks(field.spins[number], str(answer))
    assert field.total.text() == "Total 8 (of 24)"
    field.minutes.setFocus()
    field.minutes.selectAll()
    qtbot.keyClicks(field.minutes, "40")
    assert form.content()["dissociation"] == {
        "instrument": "cadss6", "minutes_from_dose": 40,
        "answers": {"1": 2, "2": 1, "6": 2, "7": 1, "15": 2, "22": 0}}
    # Switching to the full CADSS keeps the six answers given and asks for the rest.
    qtbot.mouseClick(field.buttons[0], Qt.MouseButton.LeftButton)
    assert len(field.spins) == 23 and field.spins[6].optional_value() == 2
    assert field.total.text() == ("17 items not answered: the total is worked out when every "
                                  "item is.")


def test_suicidal_ideation_present_marks_the_risk_questions_required(qtbot: QtBot) -> None:
    form = make_form(qtbot, GENERAL)
    show(qtbot, form)
    assert "*" not in form._labels["risk_level"].text()
    present = form.editor("suicidal_ideation")
    qtbot.mouseClick(present.buttons[1], Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    for field_id in ("risk_intent", "risk_means_access", "risk_recent_self_harm",
                     "risk_level", "risk_actions", "risk_follow_up"):
        assert "*" in form._labels[field_id].text(), field_id
    assert "*" not in form._labels["hi_identified_person"].text()
    homicidal = form.editor("homicidal_ideation")
    qtbot.mouseClick(homicidal.buttons[1], Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert "*" in form._labels["hi_protective_actions"].text()


def test_a_warning_shows_at_its_field_and_signing_asks_for_its_reason(
    qtbot: QtBot, practice: Practice  # noqa: F811
) -> None:
    day = TODAY
    note_id = practice.new_note("dosing", day=day)
    number = practice.note(note_id).content["session_number"]
    content = warning_vitals(sample_content("dosing", day, dose_number=number))
    practice.worker.run(lambda b: b.notes.save_draft(note_id, content))
    editor = practice.editor(qtbot, note_id)
    form = editor.form
    assert form is not None
    check = practice.worker.run(lambda b: b.notes.check(note_id))
    expected = [c.message for c in check.unanswered]
    assert len(expected) == 4
    shown = form._cells["vitals"].warning_text()
    assert expected[0] in shown and expected[1] in shown  # the backend's words, at the field
    vitals = form.editor("vitals")
    assert isinstance(vitals, GroupField)
    assert vitals.model.data(vitals.model.index(1, vitals.model.column_index("systolic")),
                             Qt.ItemDataRole.ToolTipRole).startswith("⚠ Vitals, row 2")

    editor.sign()
    qtbot.waitUntil(lambda: isinstance(editor.dialog(), ReasonsDialog), timeout=10_000)
    dialog = editor.dialog()
    assert isinstance(dialog, ReasonsDialog)
    assert [c.message for c in dialog.cautions] == expected
    assert not dialog.ok.isEnabled(), "every warning needs its reason"
    for edit in dialog.edits:
        qtbot.keyClicks(edit, "Rechecked and settled; prescriber told.")
    assert dialog.ok.isEnabled()
    dialog.accept()
    qtbot.waitUntil(lambda: editor.confirmation() is not None, timeout=10_000)
    box = editor.confirmation()
    assert isinstance(box, QMessageBox)
    with qtbot.waitSignal(editor.note_signed, timeout=10_000):
        next(b for b in box.buttons() if b.text() == "Sign").click()
    signed = practice.note(note_id)
    assert signed.signed
    assert [a["reason"] for a in signed.content[ACKNOWLEDGEMENTS]] == [
        "Rechecked and settled; prescriber told."] * 4
    assert "Signed past 4 warnings" in " ".join(
        label.text() for label in form.findChildren(type(form._legend)))


def test_an_open_follow_up_shows_at_the_top_of_the_next_note_until_it_is_answered(
    qtbot: QtBot, practice: Practice  # noqa: F811
) -> None:
    client_id = practice.client_id
    answers: dict[int, Any] = dict.fromkeys(range(1, 9), 1) | {9: 2}
    practice.worker.run(lambda b: b.measures.record(client_id, MeasureInput(
        "phq9", TODAY, "integration", answers, repeat_confirmed=True), actor_id=None))
    content = sample_content("general", TODAY) | risk_check_content()
    note_id = practice.new_note("general", content, day=TODAY)
    editor = practice.editor(qtbot, note_id)
    editor.show()
    qtbot.waitExposed(editor)
    banner = editor.safety_banner
    assert banner.isVisible()
    assert banner.title.text() == "⚠ Safety follow-up open"
    assert banner.body.text().startswith(
        "PHQ-9 item 9 = 2 (Thoughts of death or self-harm) on 1 Nov 2026.")
    qtbot.mouseClick(banner.button, Qt.MouseButton.LeftButton)
    assert editor.form is not None
    risk = editor.form.editor("suicidal_ideation")
    qtbot.waitUntil(lambda: risk.isAncestorOf(QApplication.focusWidget()), timeout=5_000)
    # The whole risk check comes into view from its title, not only its first question.
    area = editor.form.scroll_area
    section = risk.parentWidget()
    while section.objectName() != "section_risk_check":
        section = section.parentWidget()
    top = section.mapTo(area.viewport(), section.rect().topLeft()).y()
    assert 0 <= top <= 24, top

    editor.sign()
    qtbot.waitUntil(lambda: editor.confirmation() is not None, timeout=10_000)
    box = editor.confirmation()
    assert isinstance(box, QMessageBox)
    with qtbot.waitSignal(editor.note_signed, timeout=10_000):
        next(b for b in box.buttons() if b.text() == "Sign").click()
    qtbot.waitUntil(lambda: banner.title.text() == "This note answered a safety follow-up",
                    timeout=10_000)
    chart = practice.worker.run(lambda b: b.clients.chart(client_id))
    from models.clinical.safety import safety_followups

    [followup] = [f for f in safety_followups(chart) if f.given_on == TODAY]
    assert followup.addressed_by == note_id
    assert followup.status == "addressed in the note of 1 Nov 2026"
    assert dt.date(2026, 11, 1) == TODAY


def test_a_draft_shows_an_earlier_risk_check_that_found_ideation_to_ask_again(
    qtbot: QtBot, practice: Practice  # noqa: F811
) -> None:
    """The latest signed risk check before the draft, when it found ideation: said at the
    top of the draft, in the Overview's words; gone once the draft is signed."""
    earlier = practice.new_note("general", sample_content("general", TODAY - dt.timedelta(
        days=3)) | risk_check_content(), day=TODAY - dt.timedelta(days=3))
    doc_id = practice.clinician.id
    practice.worker.run(lambda b: b.notes.sign(earlier, clinician_id=doc_id))
    note_id = practice.new_note("general", sample_content("general", TODAY), day=TODAY)
    editor = practice.editor(qtbot, note_id)
    editor.show()
    qtbot.waitExposed(editor)
    notice = editor.previous_risk
    qtbot.waitUntil(notice.isVisible, timeout=10_000)
    assert notice.text().startswith(
        "The last risk check (General integration note of 29 Oct 2026) found ideation: "
        "Suicidal ideation: Present · Homicidal ideation: Denied · Risk level: Moderate")
    assert notice.text().endswith(
        "session on Thursday. Ask about it again in this note's risk check.")
    editor.grab().save(str(practice.path.with_name("previous-risk.png")))
    # Signed with its own risk check, the note shows none: it is the record now.
    practice.worker.run(lambda b: b.notes.save_draft(
        note_id, sample_content("general", TODAY) | risk_check_content()))
    practice.worker.run(lambda b: b.notes.sign(note_id, clinician_id=doc_id))
    signed = practice.editor(qtbot, note_id)
    signed.show()
    qtbot.waitUntil(lambda: signed.note is not None and signed.note.signed, timeout=10_000)
    assert not signed.previous_risk.isVisible()


def test_a_draft_after_a_risk_check_that_found_none_says_nothing(
    qtbot: QtBot, practice: Practice  # noqa: F811
) -> None:
    doc_id = practice.clinician.id
    earlier = practice.new_note("general", sample_content("general", TODAY - dt.timedelta(
        days=3)), day=TODAY - dt.timedelta(days=3))
    practice.worker.run(lambda b: b.notes.sign(earlier, clinician_id=doc_id))
    editor = practice.editor(qtbot, practice.new_note("general", day=TODAY))
    editor.show()
    qtbot.waitUntil(lambda: editor.note is not None, timeout=10_000)
    assert not editor.previous_risk.isVisible()


def test_a_dosing_draft_recalls_the_dose_before_it(
    qtbot: QtBot, practice: Practice  # noqa: F811
) -> None:
    """The backend's words for the client's last dose, at the top of a dosing draft: amber
    when that dose had a vital out of range or an adverse event, else as context; an
    integration draft shows none."""
    note_id = practice.new_note("dosing", day=TODAY)
    context = practice.worker.run(lambda b: b.notes.context(note_id))
    assert context.last_dose.startswith("The last dose, ")
    editor = practice.editor(qtbot, note_id)
    editor.show()
    qtbot.waitExposed(editor)
    qtbot.waitUntil(editor.last_dose.isVisible, timeout=10_000)
    assert editor.last_dose.text() == context.last_dose
    assert editor.last_dose.property("role") == (
        "notice" if context.last_dose_concern else "dosing-context-box")
    general = practice.editor(qtbot, practice.new_note("general", day=TODAY))
    general.show()
    qtbot.waitUntil(lambda: general.note is not None, timeout=10_000)
    assert not general.last_dose.isVisible()
