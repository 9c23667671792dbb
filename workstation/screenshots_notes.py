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
            "dose_mg": 52.5,
            "weight_kg": 70,
            "mg_per_kg": 0.75,
            "boosters": [{"time": "10:10", "dose_mg": 13}],
            "lot_number": "KX-2231-B",
            "intention": "Meet the fear from the accident with curiosity, not a fight.",
            "setting_supports": ["music", "eye_mask"],
            "setting_notes": "Curated instrumental playlist, weighted blanket, dimmed light.",
            "vitals": [
                {"minutes_from_dose": -10, "systolic": 124, "diastolic": 78,
                 "heart_rate": 72, "spo2": 98},
                {"minutes_from_dose": 40, "systolic": 142, "diastolic": 88,
                 "heart_rate": 84, "spo2": 97},
                {"minutes_from_dose": 110, "systolic": 128, "diastolic": 80,
                 "heart_rate": 74, "spo2": 98},
            ],
            "cadss6": 9,
            "moaas": 4,
            "adverse_events_occurred": True,
            "adverse_events": [{"event": "nausea_vomiting", "severity": "mild",
                                "description": "Brief nausea at +25 min",
                                "action_taken": "Ginger lozenge; settled in 10 min"}],
            "discharge_ready_time": "12:15",
            "ride_home_confirmed": True,
            "observations": "Settled within ten minutes; tearful at +35 min, then calm.",
            "client_account": "\"I saw the road from above and it didn't pull at me.\"",
        }
    if template_id == "preparation":
        return {
            **common,
            "preparation_number": 1,
            "intention": "To stop bracing every time a car brakes near me.",
            "psychoeducation_topics": ["ketamine_effects", "dosing_session", "dissociation",
                                       "integration"],
            "psychoeducation_notes": "Asked whether dissociation can be stopped; talked "
                                     "through the stop signal and grounding.",
            "informed_consent_signed": True,
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
            "sud_end": 3,
            "pc_kept_or_revised": "kept",
            "voc_end": 5,
            "body_scan_result": "residual",
            "residual_sensation": "Slight tightness in the throat",
            "closure": "incomplete",
            "containment_used": ["container", "calm_place"],
            "stability": "stable",
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
            _scroll_to_end(editor)
            save(editor, "note-emdr-addenda.png")
            editor.close()
            editor.deleteLater()

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
