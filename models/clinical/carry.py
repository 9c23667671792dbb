"""Carry forward: a new note starts from the client's last signed note of the same kind.

Which fields travel is data (resources/templates/carry_forward.toml, on each Template as
`carry_forward`): the targets and parts still being worked and the ongoing plan, never a
rating or a risk answer. The new note records which fields came over and from which note
(content key CARRIED_FORWARD_KEY); each stays marked until the therapist edits it, and the
mark is signed with the note, so the record says what was carried and left as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from models.dto import NoteDTO
from models.templates.definitions import CARRIED_FORWARD_KEY, Template
from models.values import is_blank


def carry_source(notes: Iterable[NoteDTO], template_id: str,
                 on: dt.date | None = None) -> NoteDTO | None:
    """The last signed note of this kind (on or before `on`, when given): the one a new
    note starts from."""
    signed = [n for n in notes if n.signed and n.template_id == template_id
              and (on is None or n.session_date <= on)]
    return max(signed, key=lambda n: (n.session_date, n.id), default=None)


def carried_values(template: Template, source: NoteDTO) -> dict[str, Any]:
    """What the new note takes from the source: the carried fields it has filled in."""
    return {name: source.content[name] for name in template.carry_forward
            if name in source.content and not is_blank(source.content[name])}


def carried_content(template: Template, source: NoteDTO) -> dict[str, Any]:
    """The carried values, with the mark saying where they came from."""
    values = carried_values(template, source)
    if not values:
        return {}
    return {**values, CARRIED_FORWARD_KEY: {
        "from_note": source.id, "from_date": source.session_date.isoformat(),
        "fields": list(values)}}


def carried_fields(content: Mapping[str, Any]) -> tuple[str, ...]:
    """The fields of a note still marked as carried forward (not edited since)."""
    mark = content.get(CARRIED_FORWARD_KEY)
    fields = mark.get("fields") if isinstance(mark, dict) else None
    return tuple(f for f in fields if isinstance(f, str)) if isinstance(fields, list) else ()


def carried_from(content: Mapping[str, Any]) -> int | None:
    """The note the carried fields came from."""
    mark = content.get(CARRIED_FORWARD_KEY)
    source = mark.get("from_note") if isinstance(mark, dict) else None
    return source if type(source) is int else None


def carried_on(content: Mapping[str, Any]) -> dt.date | None:
    """The session date of the note the carried fields came from."""
    mark = content.get(CARRIED_FORWARD_KEY)
    day = mark.get("from_date") if isinstance(mark, dict) else None
    try:
        return dt.date.fromisoformat(day) if isinstance(day, str) else None
    except ValueError:
        return None


def without_carried(mark: Any, field_id: str) -> Any:
    """The mark once `field_id` has been edited (None when no carried field is left)."""
    if not isinstance(mark, dict):
        return mark
    fields = [f for f in mark.get("fields") or [] if f != field_id]
    return {**mark, "fields": fields} if fields else None
