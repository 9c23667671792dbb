"""What a session was about, in one line: the story the Sessions tab tells row by row.

Per kind, what matters: for EMDR and ART the target worked and its SUD from start to end;
for IFS the parts worked with; for a dosing session the dose and the route. Read from the
note through its template's extract tags (so a new template version with the same tags
reads the same); only a dosing draft's route, which no tag carries, is read by its id,
as signing files it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.clinical.doses import booster_doses, given_text
from models.dto import DosingSessionDTO, NoteDTO, PartDTO, TargetDTO
from models.formatting import mg_per_kg_text
from models.templates.definitions import FieldKind, Template
from models.values import is_id, is_int, is_number
from models.vocabulary import ROUTES

_SUMMARY_WORDS = 14  # a free-text line is cut to about this many words
# What the story of a session is headed wherever it is listed (the Sessions tab, a
# report's one-line summaries).
STORY_HEADING = "What was worked"


def _tagged(template: Template, content: Mapping[str, Any], tag: str) -> Any:
    found = template.field_for_tag(tag)
    return content.get(found.id) if found is not None else None


def _sud(value: Any) -> str:
    return str(value) if is_int(value) else "?"


def _target_story(template: Template, content: Mapping[str, Any],
                  targets: Mapping[int, TargetDTO]) -> str:
    target_id = _tagged(template, content, "target")
    start = _tagged(template, content, "target.sud_start")
    end = _tagged(template, content, "target.sud_end")
    parts = []
    if is_id(target_id):
        target = targets.get(target_id)
        parts.append(target.label if target is not None else "a target not in the registry")
    if start is not None or end is not None:
        parts.append(f"SUD {_sud(start)} → {_sud(end)}")
    return " · ".join(parts)


def _parts_story(template: Template, content: Mapping[str, Any],
                 parts: Mapping[int, PartDTO]) -> str:
    worked = _tagged(template, content, "ifs.parts_worked")
    if not isinstance(worked, list):
        return ""
    names = [parts[p].name for p in worked if is_id(p) and p in parts]
    return "Parts: " + ", ".join(names) if names else ""


def _first_words(template: Template, content: Mapping[str, Any]) -> str:
    """The start of the note's first filled-in long text (a general note's data, a
    preparation's intention), when nothing more telling is tagged."""
    for f in template.fields:
        value = content.get(f.id)
        if f.kind is FieldKind.LONG_TEXT and not f.private and isinstance(value, str) \
                and value.strip():
            words = value.split()
            text = " ".join(words[:_SUMMARY_WORDS])
            return text + ("…" if len(words) > _SUMMARY_WORDS else "")
    return ""


def note_story(note: NoteDTO, template: Template | None, targets: Mapping[int, TargetDTO],
               parts: Mapping[int, PartDTO]) -> str:
    """One line on what an integration or preparation note worked on."""
    if template is None:
        return ""
    content = note.content
    story = _target_story(template, content, targets) or _parts_story(template, content, parts)
    return story or _first_words(template, content)


def dosing_story(dose: DosingSessionDTO, note: NoteDTO | None,
                 template: Template | None) -> str:
    """'300 mg · Sublingual', '35 mg · IV · 0.5 mg/kg', '48.6 mg in all · IM · 0.75 mg/kg'
    (a first dose and its boosters): what was given and the route, as the signed note filed
    them, or as the draft says so far."""
    mg: Any
    route: Any
    weight: Any
    if dose.locked or note is None or template is None:
        mg, route, weight = dose.dose_mg, dose.route, dose.weight_kg
        boosters = [b.dose_mg for b in dose.boosters]
    else:
        content = note.content
        mg, route = _tagged(template, content, "dosing.dose_mg"), content.get("route")
        weight = _tagged(template, content, "dosing.weight_kg")
        boosters = booster_doses(_tagged(template, content, "dosing.boosters"))
    if is_number(mg):
        total, given = mg + sum(boosters), given_text(mg, boosters)
    else:
        total, given = None, "dose not recorded"
    parts = [given,
             ROUTES.short(route) if isinstance(route, str) and route else "route not recorded"]
    per_kg = mg_per_kg_text(total, weight if is_number(weight) else None)
    if per_kg:
        parts.append(per_kg)
    return " · ".join(parts)


def addenda_mark(note: NoteDTO | None) -> str:
    """'+1': how many addenda, corrections and late entries a signed note has, or ''."""
    return f"+{len(note.addenda)}" if note is not None and note.addenda else ""

