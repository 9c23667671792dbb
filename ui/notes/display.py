"""How a stored answer reads to a person: option labels, Yes/No, numbers, dates, names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from models.dto import PartDTO, TargetDTO
from models.formatting import date_text, number_text
from models.templates.definitions import FieldDef, FieldKind
from models.values import is_blank, is_int, is_number
from models.vocabulary import PART_TYPES, TARGET_PRONGS, TARGET_STATUSES


def target_text(t: TargetDTO) -> str:
    """How a target reads in a list: its label, prong and status."""
    return (f"{t.label}  ·  {TARGET_PRONGS.short(t.prong).lower()}, "
            f"{TARGET_STATUSES.label(t.status).lower()}")


def part_text(p: PartDTO) -> str:
    """How a part reads in a list: its name and type (and if it is off the map)."""
    text = f"{p.name}  ·  {PART_TYPES.label(p.part_type).lower()}"
    return text if p.on_map else f"{text} (taken off the map)"


def display_value(
    f: FieldDef,
    value: Any,
    targets: Mapping[int, TargetDTO] | None = None,
    parts: Mapping[int, PartDTO] | None = None,
) -> str:
    """A stored value as a person reads it: option labels, Yes/No, names for ids."""
    if is_blank(value):
        return ""
    kind = f.kind
    if kind is FieldKind.CHOICE and isinstance(value, str):
        return f.option_label(value)
    if kind is FieldKind.MULTI_CHOICE and isinstance(value, list):
        return ", ".join(f.option_label(v) if isinstance(v, str) else str(v) for v in value)
    if kind is FieldKind.YES_NO and isinstance(value, bool):
        return "Yes" if value else "No"
    if kind is FieldKind.NUMBER and is_number(value):
        return number_text(value)
    if kind is FieldKind.DATE and isinstance(value, str):
        try:
            return date_text(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if kind is FieldKind.TARGET_REF and is_int(value):
        found = (targets or {}).get(value)
        return found.label if found is not None else f"Target #{value}"
    if kind is FieldKind.PARTS_REF and isinstance(value, list):
        names = []
        for v in value:
            part = (parts or {}).get(v) if is_int(v) else None
            names.append(part.name if part is not None else f"Part #{v}")
        return ", ".join(names)
    return str(value)
