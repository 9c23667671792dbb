"""How a stored answer reads to a person: option labels, Yes/No, numbers, dates, names.

The note form, its group tables and the PDF report all write a stored value this way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from models.dto import PartDTO, TargetDTO
from models.formatting import date_text, number_text
from models.instruments.loading import load_instruments
from models.instruments.scoring import score, total_text
from models.templates.definitions import FieldDef, FieldKind
from models.templates.extraction import measure_reading
from models.values import is_blank, is_int, is_number


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
    if kind is FieldKind.MEASURE:
        return measure_text(value)
    if kind is FieldKind.PARTS_REF and isinstance(value, list):
        names = []
        for v in value:
            part = (parts or {}).get(v) if is_int(v) else None
            names.append(part.name if part is not None else f"Part #{v}")
        return ", ".join(names)
    return str(value)


def measure_text(value: Any, *, answers: bool = True) -> str:
    """A measure given in a note, in words: 'CADSS, 40 min after the dose: Total 7 (of 92)
    ·  CADSS-6 1. Answers by item (item=answer): 1=1, 2=0, ...' (without the answers when
    `answers` is False); '' when nothing was answered. A pair is written without a space
    so that no line breaks inside it."""
    reading = measure_reading(value)
    if reading is None:
        return ""
    instrument = load_instruments().get(reading.instrument_id)
    name, total = reading.instrument_id, "a form this version does not know"
    if instrument is not None:
        name = instrument.short_name
        try:
            total = total_text(instrument, score(instrument, dict(reading.responses)))
        except ValueError:
            total = "answers that do not fit the form"
    minutes = reading.minutes_from_dose
    when = ("" if minutes is None else ", at the dose" if minutes == 0
            else f", {abs(minutes)} min {'after' if minutes > 0 else 'before'} the dose")
    text = f"{name}{when}: {total}"
    if not answers:
        return text
    pairs = ", ".join(f"{number}={'–' if answer is None else answer}"
                      for number, answer in reading.responses)
    return f"{text}. Answers by item (item=answer): {pairs}."
