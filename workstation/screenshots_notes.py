"""Render the note editor for every template offscreen: `python -m workstation.screenshots_notes
DIR`.

Builds a throwaway vault with one synthetic demo client in a temporary folder, writes a
realistic note of each template, and saves the editor at 1280x800 as note-<template>.png,
plus the signing checks, a signed note with an addendum, and the new-note dialog. Every
note is written and shown through the real task runner, as in the application.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from models.api import Backend
from models.dto import NoteDTO, PartDTO, TargetDTO
from models.inputs import AddendumInput, TargetInput
from workstation.offscreen import (
    build_demo_vault,
    fixed_runner,
    open_now,
    pause,
    run_now,
    settle,
    wait_for,
)
from workstation.screenshots import PASSPHRASE, TODAY

SIZE = (1280, 800)


# --------------------------------------------------------------------------- sample notes


def sample_content(
    template_id: str,
    session_date: dt.date,
    *,
    targets: Sequence[TargetDTO] = (),
    parts: Sequence[PartDTO] = (),
    dose_number: int = 1,
) -> dict[str, Any]:
    """A filled, signable note of each template, in the stored content format."""
    emdr = [t for t in targets if t.kind == "emdr"]
    art = [t for t in targets if t.kind == "art"]
    common: dict[str, Any] = {
        "session_date": session_date.isoformat(),
        "start_time": "10:00",
        "duration_minutes": 60,
        "delivery": "in_office",
        "suicidal_ideation": "denied",
        "homicidal_ideation": "denied",
        "risk_notes": "Asked directly about thoughts of self-harm since the dose; denied. "
                      "Sleep better than last week.",
    }
    if template_id == "dosing":
        return {
            **common,
            "start_time": "09:30",
            "duration_minutes": 180,
            "session_number": dose_number,
            "dosing_setting": "in_office",
            "prescriber": "Dr. Prescriber (demo)",
            "monitoring_clinician": "Nurse Monitor (demo)",
            "medication": "racemic_ketamine",
            "route": "intramuscular",
            "dose_time": "09:50",
            "dose_mg": 52.5,
            "weight_kg": 70,
            "mg_per_kg": 0.75,
            "boosters": [{"minutes_from_dose": 20, "dose_mg": 13}],
            "cumulative_mg": 65.5,
            "cumulative_mg_per_kg": 0.936,
            "lot_number": "KX-2231-B",
            "intention": "Meet the fear from the accident with curiosity, not a fight.",
            "setting_supports": ["music", "eye_mask"],
            "setting_notes": "Curated instrumental playlist, weighted blanket, dimmed light.",
            "vitals": [
                {"minutes_from_dose": -10, "systolic": 124, "diastolic": 78,
                 "heart_rate": 72, "respiratory_rate": 14, "spo2": 98, "moaas": 5},
                {"minutes_from_dose": 40, "systolic": 142, "diastolic": 88,
                 "heart_rate": 84, "respiratory_rate": 12, "spo2": 97, "moaas": 3},
                {"minutes_from_dose": 110, "systolic": 128, "diastolic": 80,
                 "heart_rate": 74, "respiratory_rate": 14, "spo2": 98, "moaas": 5},
            ],
            "dissociation": {"instrument": "cadss6", "minutes_from_dose": 40,
                             "answers": {"1": 2, "2": 1, "6": 2, "7": 1, "15": 2, "22": 1}},
            "adverse_events_occurred": True,
            "adverse_events": [{"event": "nausea", "description": "Brief nausea",
                                "onset_minutes": 25, "severity": "mild", "serious": False,
                                "action_taken": "Ginger lozenge, fresh air",
                                "outcome": "resolved", "resolved_minutes": 35}],
            "rescue_medications": [{"drug": "Ondansetron", "dose": "4 mg",
                                    "route": "sublingual", "minutes_from_dose": 27}],
            "prescriber_notified": True,
            "discharge_ready_time": "12:15",
            "discharge_criteria": ["vitals_near_baseline", "alert_oriented", "steady_gait",
                                   "nausea_controlled", "dissociation_resolved",
                                   "no_suicidal_ideation"],
            "discharged_by": "Nurse Monitor (demo)",
            "escort": "escorted",
            "escort_name": "Sam",
            "escort_relationship": "Partner",
            "told_not_to_drive": True,
            "observations": "Settled within ten minutes; tearful at +35 min, then calm.",
            "client_account": "\"I saw the road from above and it didn't pull at me.\"",
        }
    if template_id == "preparation":
        return {
            **common,
            "preparation_number": 1,
            "intention": "To stop bracing every time a car brakes near me.",
            "contraindications": ["none_found"],
            "medical_clearance": "cleared",
            "clearance_by": "Dr. Prescriber (demo)",
            "clearance_date": (session_date - dt.timedelta(days=2)).isoformat(),
            "baseline_weight_kg": 70,
            "baseline_systolic": 124,
            "baseline_diastolic": 78,
            "suicide_screen_tool": "cssrs_screener",
            "suicide_screen_result": "negative",
            "written_safety_plan": True,
            "psychoeducation_topics": ["ketamine_effects", "dosing_session", "dissociation",
                                       "integration"],
            "psychoeducation_notes": "Asked whether dissociation can be stopped; talked "
                                     "through the stop signal and grounding.",
            "informed_consent_signed": True,
            "consent_topics": ["off_label_use", "abuse_liability", "no_driving",
                               "side_effects", "right_to_stop"],
            "fasting_instructions_given": True,
            "ride_home_arranged": True,
            "medications_reviewed": True,
            "medication_notes": "Sertraline 100 mg continues; prescriber aware.",
            "emergency_contact_recorded": True,
            "baseline_measures": ["gad7", "phq9", "pcl5"],
            "plan": "First dosing session next Tuesday; bring the playlist.",
        }
    if template_id == "emdr":
        content: dict[str, Any] = {
            **common,
            "phases_covered": ["3", "4", "5", "7"],
            "resources_used": ["container"],
            "readiness_checked": True,
            "dissociation_screen": "no_concerns",
            "image": "Headlights coming through the windscreen.",
            "negative_cognition": "I am in danger",
            "positive_cognition": "I am safe now",
            "voc_start": 2,
            "emotions": "Fear, some anger",
            "sud_start": 8,
            "body_location": "Chest and throat",
            "bls_sets": [
                {"bls_type": "eye_movements", "speed_hz": 1.2, "passes": 24,
                 "client_report": "The sound of the brakes, very loud", "sud": 7},
                {"bls_type": "eye_movements", "speed_hz": 1.2, "passes": 28,
                 "client_report": "Quieter now; I am standing by the car", "sud": 4},
            ],
            "interweaves_used": True,
            "interweaves_notes": "\"Whose job was it to keep the road safe?\"",
            "processing_flow": "looping",
            "processing_handling": "Changed the direction of the sets; the interweave shifted "
                                   "it.",
            "in_session_reaction": "abreaction",
            "reaction_handling": "Slowed the sets, grounding through the feet; settled in a "
                                 "few minutes.",
            "sud_end": 3,
            "pc_kept_or_revised": "kept",
            "voc_end": 5,
            "body_scan_result": "residual",
            "residual_sensation": "Slight tightness in the throat",
            "closure": "incomplete",
            "containment_used": ["container", "calm_place"],
            "stability": "stable",
            "between_session_instructions": "Keep a short log of what comes up; use the "
                                            "container; call if it feels too much.",
            "integration_themes": "The view from above during the dose came back as a "
                                  "resource: distance without numbness.",
            "plan": "Continue the target next session; check the throat sensation first.",
        }
        if emdr:
            content["target"] = emdr[0].id
        if len(emdr) > 1:
            content["reeval_target"] = emdr[1].id
            content["reeval_sud"] = 2
            content["reeval_voc"] = 6
            content["reeval_notes"] = "Holding at SUD 2; no new material."
            content["phases_covered"] = [*content["phases_covered"], "8"]
        return content
    if template_id == "art":
        content = {
            **common,
            "art_session_number": 2,
            "content_disclosed": False,
            "sud_before": 7,
            "art_sets": [
                {"purpose": "relaxation", "eye_movements": 40, "sud": 7},
                {"purpose": "first_run", "eye_movements": 40,
                 "sensations": "Heat in the face", "sud": 6},
                {"purpose": "second_run", "eye_movements": 40,
                 "sensations": "Stomach tight", "sud": 4},
                {"purpose": "image_replacement", "eye_movements": 40, "sud": 1},
            ],
            "desensitization_reached": True,
            "image_replacement_done": True,
            "image_replacement_words": "The door opens onto a garden.",
            "sud_after": 1,
            "scene_recheck": "clear",
            "closure": "Positive close with the garden image; grounded and smiling.",
            "plan": "Session 3: future rehearsal of driving past the junction.",
        }
        if art:
            content["scene"] = art[0].id
        return content
    if template_id == "ifs":
        managers = [p for p in parts if p.part_type == "manager"]
        exiles = [p for p in parts if p.part_type == "exile"]
        content = {
            **common,
            "trailhead": "A hollow feeling in the belly after the dose, \"like being left "
                         "at the school gate\".",
            "six_fs_step": "befriend",
            "eight_cs": ["calm", "curiosity", "compassion", "connectedness"],
            "self_energy": 6,
            "blending_noticed": True,
            "blending_notes": "The Planner blended when the exile came close; it stepped "
                              "back when thanked.",
            "protector_permission": True,
            "unburdening_steps": ["witnessing", "retrieval"],
            "qualities_invited": "Playfulness",
            "backlash_check": "Checked back with the Planner: watchful, not alarmed.",
            "backlash_plan": "If the Planner tightens up, write it down and bring it next "
                             "time; call if it becomes too much.",
            "integration_themes": "The dose loosened the Planner's grip; curiosity easier.",
            "plan": "Check back with the Planner; return to Little One if it agrees.",
        }
        if parts:
            content["parts_worked"] = [p.id for p in parts[:3]]
        if managers:
            content["main_protector"] = [managers[0].id]
        if parts:
            change = exiles[0] if exiles else parts[0]
            content["part_status_changes"] = [
                {"part": [change.id], "new_status": "witnessed",
                 "note": "Showed the gate scene"}]
        return content
    return {
        **common,
        "data": "Reports three nights of full sleep since the dose. Drove to work once "
                "without stopping.",
        "assessment": "Early gains in avoidance; hyperarousal still high in traffic.",
        "plan": "Graded driving practice; EMDR on the junction trigger next week.",
    }


def risk_check_content() -> dict[str, Any]:
    """A risk check when suicidal ideation is present: every question it asks, answered."""
    return {
        "suicidal_ideation": "present",
        "homicidal_ideation": "denied",
        "risk_intent": False,
        "risk_means_access": True,
        "risk_means_notes": "Sleeping tablets at home: partner is keeping them this week.",
        "risk_recent_self_harm": False,
        "risk_level": "moderate",
        "risk_actions": ["safety_plan_reviewed", "means_restriction", "prescriber_contacted",
                         "increased_contact"],
        "risk_follow_up": "Phone check tomorrow at 10:00 (me); session on Thursday.",
        "risk_notes": "PHQ-9 item 9 answered 'more than half the days'. Passive thoughts of "
                      "not waking up since the weekend, no plan or intent; reasons for living "
                      "named (daughter, dog). Prescriber told the same day.",
    }


def warning_vitals(content: dict[str, Any]) -> dict[str, Any]:
    """The sample dosing note with a blood-pressure spike and a low SpO2 at +40 minutes,
    no adverse events recorded, and an early discharge: the warnings a nurse must answer."""
    changed = dict(content)
    vitals = [dict(row) for row in content["vitals"]]
    vitals[1].update(systolic=186, diastolic=104, spo2=91)
    changed.update(vitals=vitals, adverse_events_occurred=False, discharge_ready_time="11:35")
    for key in ("adverse_events", "rescue_medications", "prescriber_notified"):
        changed.pop(key, None)
    return changed


# --------------------------------------------------------------------------- rendering


def _settle() -> None:
    settle(4)


def _scroll_to(editor: Any, section_id: str) -> None:
    from PySide6.QtWidgets import QFrame

    form = editor.form
    section = form.findChild(QFrame, f"section_{section_id}")
    if section is not None:
        _settle()
        y = section.mapTo(form.scroll_area.widget(), section.rect().topLeft()).y()
        form.scroll_area.verticalScrollBar().setValue(max(0, y - 10))
        _settle()


def _scroll_to_end(editor: Any) -> None:
    bar = editor.form.scroll_area.verticalScrollBar()
    _settle()
    bar.setValue(bar.maximum())
    _settle()


def _set_entry(editor: Any) -> None:
    """Two sets typed by keys and a third row just added, as a person would leave it."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    form = editor.form
    assert form is not None
    editor.window().activateWindow()
    for _ in range(100):  # keys go where the focus is, in the active window
        if editor.window().isActiveWindow():
            break
        pause(10)
    form.focus_field("bls_sets")
    sets = form.editor("bls_sets")

    def keys(*strokes: Any) -> None:
        for stroke in strokes:
            widget = QApplication.focusWidget()
            assert widget is not None and sets.isAncestorOf(widget), "keys for the table"
            if isinstance(stroke, str):
                QTest.keyClicks(widget, stroke)
            else:
                QTest.keyClick(widget, stroke[0], stroke[1])
            _settle()

    tab = (Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    more = (Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    keys((Qt.Key.Key_Insert, Qt.KeyboardModifier.NoModifier), "t", tab, "1", tab, "24", tab,
         "Brakes, very loud", tab, "7", more, "26", tab, "Quieter; standing by the car", tab,
         "4", more)
    sets.view.scrollTo(sets.view.currentIndex())
    _settle()


def _safety_screens(runner: Any, client_id: int, clinician_id: int, dose_id: int,
                    editor_for: Any, save: Any) -> None:
    """The follow-up banner, the risk check, and a dosing note's warnings and reasons."""
    from models.inputs import MeasureInput
    from ui.notes.cautions import ReasonsDialog

    # A PHQ-9 entered between sessions with item 9 positive opens a follow-up...
    answers: dict[int, int | float | None] = {1: 2, 2: 2, 3: 1, 4: 2, 5: 1, 6: 2, 7: 1, 8: 0,
                                               9: 2, 10: 1}
    run_now(runner, lambda b: b.measures.record(client_id, MeasureInput(
        "phq9", TODAY, "integration", answers, repeat_confirmed=True),
        actor_id=clinician_id))

    # ...which the client's next note shows at its top, and asks for the risk check.
    def follow_up_note(b: Backend) -> NoteDTO:
        note = b.notes.create(client_id, "general", author_id=clinician_id,
                              session_date=TODAY, dosing_session_id=dose_id).value
        content = sample_content("general", TODAY) | risk_check_content()
        return b.notes.save_draft(note.id, content).value

    note = run_now(runner, follow_up_note)
    editor = editor_for(note.id)
    save(editor, "note-followup.png")
    _scroll_to(editor, "risk_check")
    save(editor, "note-risk-check.png")
    editor.close()
    editor.deleteLater()

    # A dosing note with values out of range: each warning under its field, and a reason
    # asked for each before it can be signed.
    def dosing_note(b: Backend) -> NoteDTO:
        note = b.notes.create(client_id, "dosing", author_id=clinician_id,
                              session_date=TODAY).value
        content = warning_vitals(sample_content(
            "dosing", TODAY, dose_number=note.content.get("session_number", 1)))
        return b.notes.save_draft(note.id, content).value

    dosing = run_now(runner, dosing_note)
    editor = editor_for(dosing.id)
    _scroll_to(editor, "monitoring")
    save(editor, "note-dosing-warnings.png")
    editor.sign()
    for _ in range(100):  # the check runs on the worker
        if editor.dialog() is not None:
            break
        pause(20)
    dialog = editor.dialog()
    if isinstance(dialog, ReasonsDialog):
        dialog.adjustSize()
        save(dialog, "note-dosing-reasons.png")
        reasons = ("Rechecked at +50 min: 152/92; prescriber told at the time.",
                   "Dozing; rose to 96 % on rousing, no oxygen needed.",
                   "Prescriber reviewed at +100 min and agreed; escorted home by partner.",
                   "No symptoms with either reading; both settled within 15 minutes.")
        for edit, reason in zip(dialog.edits, reasons, strict=False):
            edit.setText(reason)
        dialog.accept()
        for _ in range(200):  # saved and checked again on the worker, then confirmed
            if editor.confirmation() is not None:
                break
            pause(20)
        box = editor.confirmation()
        if box is not None:
            wait_for(lambda: next(b for b in box.buttons() if b.text() == "Sign").click(),
                     editor.note_signed)
            _scroll_to_end(editor)
            save(editor, "note-dosing-signed-warnings.png")
    editor.close()
    editor.deleteLater()

    # The next dose's draft recalls that dose: its figures, and the warnings it was signed
    # past with the reasons given.
    following = run_now(runner, lambda b: b.notes.create(
        client_id, "dosing", author_id=clinician_id, session_date=TODAY).value)
    editor = editor_for(following.id)
    save(editor, "note-dosing-recall.png")
    editor.close()
    editor.deleteLater()


def main(out_dir: str | Path = "docs/screenshots") -> list[Path]:
    """Write the note screenshots into out_dir; returns the files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from models.clinical.doses import follows_a_dose
    from ui.notes.new_note_dialog import NewNoteDialog
    from ui.notes.note_editor import NoteEditor
    from workstation.gui import application

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = application()
    written: list[Path] = []

    def save(widget: Any, name: str) -> None:
        _settle()
        path = out / name
        widget.grab().save(str(path))
        written.append(path)

    with tempfile.TemporaryDirectory(prefix="iw-note-screens-") as tmp:
        path = Path(tmp) / "notes-demo.iwvault"
        build_demo_vault(path, PASSPHRASE, clients=3, seed=5, today=TODAY)
        runner = fixed_runner(TODAY)
        try:
            clinician = open_now(runner, path, PASSPHRASE, lambda b: b.practice.clinician())
            assert clinician is not None

            def most_doses(b: Backend) -> int:
                return max(b.clients.summaries(), key=lambda c: c.dosing_sessions).id

            client_id = run_now(runner, most_doses)
            if not any(t.kind == "art" for t in run_now(
                    runner, lambda b: b.targets.of_client(client_id))):
                run_now(runner, lambda b: b.targets.create(client_id, TargetInput(
                    label="The stairwell at the old flat", kind="art", prong="past"),
                    actor_id=clinician.id))
            chart = run_now(runner, lambda b: b.clients.chart(client_id))
            targets, parts = chart.targets, chart.parts
            last = max(chart.dosing_sessions, key=lambda d: (d.session_date, d.number))
            day = last.session_date + dt.timedelta(days=2)

            def new_note(template_id: str, **content_args: Any) -> NoteDTO:
                # The dosing note records the next dose, after the integration notes,
                # which follow the last dose already given.
                def write(b: Backend) -> NoteDTO:
                    note = b.notes.create(
                        client_id, template_id, author_id=clinician.id,
                        session_date=day + dt.timedelta(days=5) if template_id == "dosing"
                        else day,
                        dosing_session_id=last.id if follows_a_dose(template_id)
                        else None).value
                    content = sample_content(
                        template_id, note.session_date, targets=targets, parts=parts,
                        dose_number=note.content.get("session_number", 1), **content_args)
                    return b.notes.save_draft(note.id, content).value
                return run_now(runner, write)

            def editor_for(note_id: int) -> NoteEditor:
                editor = NoteEditor(note_id, runner=runner, clinician=clinician)
                editor.resize(*SIZE)
                wait_for(editor.show, editor.loaded)
                _settle()
                return editor

            focus_section = {"dosing": "medication", "emdr": "desensitization",
                             "ifs": "parts", "art": "sets"}
            for template_id in ("dosing", "preparation", "emdr", "art", "ifs", "general"):
                note = new_note(template_id)
                editor = editor_for(note.id)
                if template_id in focus_section:
                    _scroll_to(editor, focus_section[template_id])
                save(editor, f"note-{template_id}.png")
                if template_id == "emdr" and editor.form is not None:
                    editor.form.scroll_area.verticalScrollBar().setValue(0)
                    save(editor, "note-emdr-top.png")
                if template_id == "dosing":
                    _scroll_to(editor, "monitoring")
                    save(editor, "note-dosing-vitals.png")
                editor.close()
                editor.deleteLater()

            # Sets typed by keyboard: the third row opened by Ctrl+Enter carries the BLS and
            # speed of the row above, and the cursor waits in its first free cell.
            entry = new_note("emdr")
            run_now(runner, lambda b: b.notes.save_draft(entry.id, {
                k: v for k, v in entry.content.items() if k != "bls_sets"}))
            editor = editor_for(entry.id)
            _set_entry(editor)
            save(editor, "note-emdr-set-entry.png")
            editor.close()
            editor.deleteLater()

            # Signing an incomplete note lists what is missing.
            def incomplete(b: Backend) -> NoteDTO:
                draft = b.notes.create(client_id, "emdr", author_id=clinician.id,
                                       session_date=day, dosing_session_id=last.id).value
                return b.notes.save_draft(draft.id, {
                    "session_date": day.isoformat(), "start_time": "14:00",
                    "phases_covered": ["4"],
                    "bls_sets": [{"passes": 24, "sud": 6}],
                }).value

            draft = run_now(runner, incomplete)
            editor = editor_for(draft.id)
            editor.sign()
            for _ in range(50):  # the check runs on the worker
                if editor.form is not None and editor.form.problem_panel.isVisible():
                    break
                pause(20)
            _settle()
            save(editor, "note-sign-problems.png")
            editor.close()
            editor.deleteLater()

            # A signed note with a correction.
            signed = new_note("emdr")
            run_now(runner, lambda b: b.notes.sign(signed.id, clinician_id=clinician.id))
            run_now(runner, lambda b: b.notes.add_addendum(signed.id, AddendumInput(
                "correction", "Second set's speed recorded wrongly",
                "The second set ran at 1.0 Hz, not 1.2 Hz."), author_id=clinician.id))
            editor = editor_for(signed.id)
            save(editor, "note-emdr-signed.png")
            _scroll_to(editor, "assessment")
            save(editor, "note-emdr-signed-sets.png")
            _scroll_to_end(editor)
            save(editor, "note-emdr-addenda.png")
            editor.close()
            editor.deleteLater()

            _safety_screens(runner, client_id, clinician.id, last.id, editor_for, save)

            # New note, offering to start from the EMDR note just signed.
            notes = run_now(runner, lambda b: b.notes.of_client(client_id))
            later = day + dt.timedelta(days=7)
            dialog = NewNoteDialog(chart.courses, today=later, template_id="emdr",
                                   notes=notes)
            dialog.show()
            _settle()
            save(dialog, "new-note-dialog.png")
            dialog.close()

            # ...and the note it starts: the carried fields marked until edited.
            carried = run_now(runner, lambda b: b.notes.create(
                client_id, "emdr", author_id=clinician.id, session_date=later,
                dosing_session_id=last.id, carry_forward=True).value)
            editor = editor_for(carried.id)
            _scroll_to(editor, "assessment")
            save(editor, "note-emdr-carried-forward.png")
            editor.close()
            editor.deleteLater()
        finally:
            runner.shutdown()
    app.processEvents()
    return written


if __name__ == "__main__":
    for written_path in main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"):
        print(written_path)
