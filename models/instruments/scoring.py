"""Score one administration of a measure: total, proration, band, subscales and flags."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import cast

from models.instruments.definitions import Instrument, MissingRuleKind
from models.values import is_int, is_integral


class FlagKind(StrEnum):
    SAFETY = "safety"
    CUTOFF = "cutoff"
    SYMPTOM_RULE = "symptom_rule"


@dataclass(frozen=True)
class Flag:
    kind: FlagKind
    key: str
    label: str
    item: int | None = None
    value: int | None = None

    def describe(self) -> str:
        if self.item is not None:
            return f"{self.label} (item {self.item} = {self.value})"
        return self.label


@dataclass(frozen=True)
class ScoreBand:
    key: str
    label: str
    validated: bool


@dataclass(frozen=True)
class SubscaleScore:
    key: str
    label: str
    total: int | None


@dataclass(frozen=True)
class Score:
    """A derived score: never stored as the truth, always recomputed from the responses.

    `missing_items` lists scored items without an answer; `answered_items` every item
    answered (including unscored ones). `total` is None when incomplete and not prorated.
    """

    instrument_id: str
    instrument_version: int
    total: int | None
    complete: bool
    prorated: bool
    answered_items: tuple[int, ...]
    missing_items: tuple[int, ...]
    band: ScoreBand | None
    subscales: tuple[SubscaleScore, ...]
    flags: tuple[Flag, ...]

    @property
    def safety_flags(self) -> tuple[Flag, ...]:
        return tuple(flag for flag in self.flags if flag.kind is FlagKind.SAFETY)

    @property
    def has_safety_flag(self) -> bool:
        return any(flag.kind is FlagKind.SAFETY for flag in self.flags)

    def has_flag(self, key: str) -> bool:
        return any(flag.key == key for flag in self.flags)

    def subscale_total(self, key: str) -> int | None:
        for subscale in self.subscales:
            if subscale.key == key:
                return subscale.total
        raise KeyError(f"no subscale {key!r} in this score")

    @property
    def subscale_totals(self) -> dict[str, int | None]:
        return {subscale.key: subscale.total for subscale in self.subscales}


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def score(instrument: Instrument, responses: Mapping[int, int | float | None]) -> Score:
    """Score one administration; raise ValueError for unknown items or out-of-range answers.

    Answers are whole numbers; a float such as 2.0 (as a database may return it) is
    accepted, 2.5 is not. None, or an item left out, is a missing answer.
    """
    items = instrument.items_by_number
    name = instrument.short_name
    converted = False
    for number, value in responses.items():
        item = items.get(number)
        if item is None:
            known = ", ".join(str(n) for n in items)
            raise ValueError(f"{name} has no item {number!r} (items: {known})")
        if value is None:
            continue
        if not is_int(value):
            if not is_integral(value):
                # The answer itself stays out of the message: it is client data.
                raise ValueError(
                    f"{name} item {number}: the answer must be a whole number from "
                    f"{item.min_value} to {item.max_value}"
                )
            converted = True
        if not item.min_value <= value <= item.max_value:
            raise ValueError(
                f"{name} item {number}: the answer is outside the allowed range "
                f"{item.min_value}..{item.max_value}"
            )

    answers: Mapping[int, int | None]
    if converted:
        # Stored answers may come back as floats (2.0); they are whole numbers by now.
        answers = {n: None if v is None else int(v) for n, v in responses.items()}
    else:
        answers = cast(Mapping[int, int | None], responses)
    raw = 0
    floor_of_missing = 0
    missing: list[int] = []
    for item in instrument.scored_items:
        value = answers.get(item.number)
        if value is None:
            missing.append(item.number)
            floor_of_missing += item.min_value
        else:
            raw += value
    answered = tuple(n for n in items if answers.get(n) is not None)
    complete = not missing

    total: int | None = raw if complete else None
    prorated = False
    rule = instrument.missing_rule
    if not complete and rule.kind is MissingRuleKind.PRORATE and len(missing) <= rule.max_missing:
        scored_count = len(instrument.scored_items)
        total = _round_half_up(raw * scored_count / (scored_count - len(missing)))
        prorated = True

    band: ScoreBand | None = None
    if total is not None and instrument.bands is not None:
        found = instrument.bands.band_for(total)
        if found is not None:
            band = ScoreBand(found.key, found.label, instrument.bands.validated)

    subscales = []
    for subscale in instrument.subscales:
        values = [answers.get(n) for n in subscale.items]
        sub_total = None if None in values else sum(v for v in values if v is not None)
        subscales.append(SubscaleScore(subscale.key, subscale.label, sub_total))

    flags: list[Flag] = []
    for safety in instrument.safety_items:
        value = answers.get(safety.item)
        if value is not None and value >= safety.at_least:
            flags.append(Flag(FlagKind.SAFETY, f"safety:item{safety.item}", safety.label,
                              safety.item, value))
    # A cut-off is met when even the lowest possible total reaches it, so a partly
    # answered form that already meets it is flagged; one that might meet it is not.
    lowest_total = total if total is not None else raw + floor_of_missing
    for cutoff in instrument.cutoffs:
        if lowest_total >= cutoff.at_least:
            flags.append(Flag(FlagKind.CUTOFF, cutoff.key, cutoff.label))
    for rule_ in instrument.symptom_rules:
        met = True
        for key, needed in rule_.min_items:
            count = 0
            for n in instrument.subscale(key).items:
                value = answers.get(n)
                if value is not None and value >= rule_.item_at_least:
                    count += 1
            if count < needed:
                met = False
                break
        if met:
            flags.append(Flag(FlagKind.SYMPTOM_RULE, rule_.key, rule_.label))

    return Score(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        total=total,
        complete=complete,
        prorated=prorated,
        answered_items=answered,
        missing_items=tuple(missing),
        band=band,
        subscales=tuple(subscales),
        flags=tuple(flags),
    )


def total_text(instrument: Instrument, result: Score) -> str:
    """An administration's total as the note form and the report write it: 'Total 23 (of
    92)  ·  CADSS-6 8', or how many items are still unanswered."""
    if result.total is None:
        missing = len(result.missing_items)
        return f"{missing} item{'s' if missing != 1 else ''} not answered"
    parts = [f"Total {result.total} (of {instrument.total_max})"]
    parts += [f"{s.label} {s.total}" for s in result.subscales if s.total is not None]
    return "  ·  ".join(parts)
