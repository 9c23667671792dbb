"""How a target and a part read in a chooser (a stored answer: models.templates.display)."""

from __future__ import annotations

from models.dto import PartDTO, TargetDTO


def _words(value: str) -> str:
    return value.replace("_", " ")


def target_text(t: TargetDTO) -> str:
    """How a target reads in a list: its label, prong and status."""
    return f"{t.label}  ·  {_words(t.prong)}, {_words(t.status)}"


def part_text(p: PartDTO) -> str:
    return f"{p.name}  ·  {p.part_type}"
