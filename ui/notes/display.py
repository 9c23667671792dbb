"""How a target and a part read in a chooser (a stored answer: models.templates.display)."""

from __future__ import annotations

from models.dto import PartDTO, TargetDTO
from models.vocabulary import PART_TYPES, TARGET_PRONGS, TARGET_STATUSES


def target_text(t: TargetDTO) -> str:
    """How a target reads in a list: its label, prong and status."""
    return (f"{t.label}  ·  {TARGET_PRONGS.short(t.prong).lower()}, "
            f"{TARGET_STATUSES.label(t.status).lower()}")


def part_text(p: PartDTO) -> str:
    """How a part reads in a list: its name and type (and if it is off the map)."""
    text = f"{p.name}  ·  {PART_TYPES.label(p.part_type).lower()}"
    return text if p.on_map else f"{text} (taken off the map)"
