"""How long a note form takes to open for each template: build, fill, show (target < 150 ms)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from models.dto import PartDTO, TargetDTO
from models.templates.loading import load_templates
from ui.notes.form import NoteForm
from workstation.screenshots_notes import sample_content

TODAY = dt.date(2026, 11, 1)
TEMPLATE_IDS = [t.id for t in load_templates().all_latest()]
# The offscreen platform reports that it cannot resize a window to its hints (see
# tests/ui/conftest.py); every other Qt warning still fails the benchmark.


def _targets() -> list[TargetDTO]:
    return [
        TargetDTO(id=i, client_id=1, kind=kind, label=f"Target {i}", prong="past",
                  touchstone=False, found_by="direct", image="", negative_cognition="",
                  positive_cognition="", emotions="", body_location="", baseline_sud=8,
                  baseline_voc=2, status="in_processing", part_id=None, identified_on=TODAY)
        for i, kind in ((1, "emdr"), (2, "emdr"), (3, "emdr"), (4, "art"))
    ]


def _parts() -> list[PartDTO]:
    return [
        PartDTO(id=10 + i, client_id=1, name=name, part_type=kind, age_appearance="",
                body_location="", role="", fears="", burdens_personal="", burdens_legacy="",
                trust_in_self=5, status="identified", first_seen=TODAY, map_x=0.0, map_y=0.0)
        for i, (name, kind) in enumerate((("The Planner", "manager"), ("Little One", "exile"),
                                          ("The Numb One", "firefighter"),
                                          ("The Critic", "manager")))
    ]


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_open_note_form(benchmark: Any, qapp: QApplication, template_id: str) -> None:
    template = load_templates().latest(template_id)
    targets, parts = _targets(), _parts()
    content = sample_content(template_id, TODAY, targets=targets, parts=parts)
    opened: list[NoteForm] = []

    def close_previous() -> None:
        while opened:
            form = opened.pop()
            form.close()
            form.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def open_form() -> NoteForm:
        form = NoteForm(template)
        form.resize(1280, 800)
        form.set_choices(targets, parts)
        form.set_content(content)
        form.show()
        QApplication.processEvents()
        opened.append(form)
        return form

    form = benchmark.pedantic(open_form, setup=close_previous, rounds=20, warmup_rounds=2)
    assert form.content() == content
    close_previous()
