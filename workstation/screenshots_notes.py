"""Render the note editor for every template offscreen: `python -m workstation.screenshots_notes
DIR`.

Builds a throwaway vault with one synthetic demo client in a temporary folder, writes a
realistic note of each template, and saves the editor at 1280x800 as note-<template>.png,
plus the signing checks, a signed note with an addendum, and the new-note dialog.
`note_services()` is the wiring of the note editor's port to the domain services.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from models.dto import NoteDTO, PartDTO, TargetDTO
from ui.notes.note_editor import NoteServices, Run
from workstation.services import build_note_services

SIZE = (1280, 800)
PASSPHRASE = "screenshot demo passphrase"
TODAY = dt.date(2026, 11, 1)


# --------------------------------------------------------------------------- wiring


def note_services() -> NoteServices:
    """The note editor's port, as the application builds it."""
    return build_note_services()


def session_runner(vault: Any) -> Run:
    """A runner that does the work at once on this thread, in one transaction per call.

    For screenshots and tests only: the application uses the task runner's worker.
    """

    def run(fn: Callable[[Any], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[Exception], None] | None = None) -> None:
        try:
            with vault.transaction() as session:
                result = fn(session)
        except Exception as exc:
            if on_error is None:
                raise
            on_error(exc)
            return
        if on_done is not None:
            on_done(result)

    return run


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
    from PySide6.QtWidgets import QApplication

    for _ in range(4):
        QApplication.processEvents()


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
    from models.demo import DemoPlan, generate_demo
    from models.services import clients, clinicians, notes
    from models.services import targets as target_service
    from models.vault import create_vault
    from ui.notes.new_note_dialog import NewNoteDialog
    from ui.notes.note_editor import NoteEditor
    from workstation.gui import application

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = application()
    services = note_services()
    written: list[Path] = []

    def save(widget: Any, name: str) -> None:
        _settle()
        path = out / name
        widget.grab().save(str(path))
        written.append(path)

    with tempfile.TemporaryDirectory(prefix="iw-note-screens-") as tmp:
        vault = create_vault(Path(tmp) / "notes-demo.iwvault", PASSPHRASE)
        try:
            with vault.transaction() as session:
                generate_demo(session, DemoPlan(clients=3, seed=5, today=TODAY))
                summaries = clients.list_clients(session)
                clinician = clinicians.primary_clinician(session)
                assert clinician is not None
                dosing_by_client = {s.id: services.list_dosing_sessions(session, s.id)
                                    for s in summaries}
                client_id = max(dosing_by_client, key=lambda i: len(dosing_by_client[i]))
                dosing = dosing_by_client[client_id]
                if not any(t.kind == "art" for t in target_service.list_targets(
                        session, client_id)):
                    target_service.create_target(session, client_id, target_service.TargetInput(
                        label="The stairwell at the old flat", kind="art", prong="past"))
                targets = services.list_targets(session, client_id)
                parts = services.list_parts(session, client_id)
            last = max(dosing, key=lambda d: (d.session_date, d.number))
            day = last.session_date + dt.timedelta(days=2)
            run = session_runner(vault)

            def new_note(template_id: str, **content_args: Any) -> NoteDTO:
                with vault.transaction() as session:
                    # The dosing note records the next dose, after the integration notes,
                    # which follow the last dose already given.
                    note = notes.create_note(
                        session, client_id, template_id, author_id=clinician.id,
                        session_date=day + dt.timedelta(days=5) if template_id == "dosing"
                        else day,
                        dosing_session_id=last.id if template_id in ("emdr", "art", "ifs",
                                                                     "general") else None)
                    content = sample_content(
                        template_id, note.session_date, targets=targets, parts=parts,
                        dose_number=note.content.get("session_number", 1), **content_args)
                    return notes.save_draft(session, note.id, content)

            def editor_for(note_id: int) -> NoteEditor:
                editor = NoteEditor(note_id, run=run, services=services, clinician=clinician)
                editor.resize(*SIZE)
                editor.show()
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
            with vault.transaction() as session:
                draft = notes.create_note(session, client_id, "emdr", author_id=clinician.id,
                                          session_date=day, dosing_session_id=last.id)
                notes.save_draft(session, draft.id, {
                    "session_date": day.isoformat(), "start_time": "14:00",
                    "phases_covered": ["4"],
                    "bls_sets": [{"passes": 24, "sud": 6}],
                })
            editor = editor_for(draft.id)
            editor.sign()
            _settle()
            save(editor, "note-sign-problems.png")
            editor.close()
            editor.deleteLater()

            # A signed note with a correction.
            signed = new_note("emdr")
            with vault.transaction() as session:
                notes.sign_note(session, signed.id, clinician_id=clinician.id)
                notes.add_addendum(
                    session, signed.id, kind="correction",
                    reason="Second set's speed recorded wrongly",
                    text="The second set ran at 1.0 Hz, not 1.2 Hz.", author_id=clinician.id)
            editor = editor_for(signed.id)
            save(editor, "note-emdr-signed.png")
            _scroll_to_end(editor)
            save(editor, "note-emdr-addenda.png")
            editor.close()
            editor.deleteLater()

            dialog = NewNoteDialog(dosing, today=day, template_id="emdr")
            dialog.show()
            _settle()
            save(dialog, "new-note-dialog.png")
            dialog.close()
        finally:
            vault.close()
    app.processEvents()
    return written


if __name__ == "__main__":
    for written_path in main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"):
        print(written_path)
