"""What a symptom measure is: items, answers, bands, cut-offs, flags and change rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property


class InstrumentDefinitionError(ValueError):
    """An instrument definition file is malformed; the message names the file and the fault."""


class Direction(StrEnum):
    LOWER_IS_BETTER = "lower_is_better"
    HIGHER_IS_BETTER = "higher_is_better"


class Charting(StrEnum):
    """How an instrument is charted: as a trend over dates, or one value per dosing session."""

    TREND = "trend"
    PER_DOSE = "per_dose"


class MissingRuleKind(StrEnum):
    INCOMPLETE = "incomplete"
    PRORATE = "prorate"


@dataclass(frozen=True)
class Source:
    """A published (or clinician-given) source for a rule, cited as author and year."""

    key: str
    citation: str


@dataclass(frozen=True)
class Rule:
    """One scoring or change rule described in words, for footnotes and reports."""

    name: str
    text: str
    source: Source | None = None
    computed: bool = False
    inputs: tuple[tuple[str, float], ...] = ()
    brief: str = ""

    def footnote(self) -> str:
        line = f"{self.name}: {self.text}"
        if self.computed and self.inputs:
            named = ", ".join(f"{name} {value:g}" for name, value in self.inputs)
            line += f" [computed, Jacobson & Truax 1991; inputs: {named}]"
        if self.source is not None:
            line += f" ({self.source.citation})"
        return line + "."


@dataclass(frozen=True)
class Item:
    number: int
    text: str | None
    scored: bool
    min_value: int
    max_value: int
    labels: tuple[str, ...] = ()

    @property
    def display_text(self) -> str:
        return self.text if self.text is not None else f"Item {self.number}"

    def label_for(self, value: int) -> str | None:
        """The answer label for a value, or None where the item has no labels."""
        if not self.labels or not self.min_value <= value <= self.max_value:
            return None
        return self.labels[value - self.min_value]


@dataclass(frozen=True)
class Subscale:
    key: str
    label: str
    items: tuple[int, ...]


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    min_total: int
    max_total: int

    def contains(self, total: float) -> bool:
        return self.min_total <= total <= self.max_total


@dataclass(frozen=True)
class Bands:
    levels: tuple[Band, ...]
    validated: bool
    source: Source | None

    def band_for(self, total: float) -> Band | None:
        for band in self.levels:
            if band.contains(total):
                return band
        return None


@dataclass(frozen=True)
class Cutoff:
    """A total at or above `at_least` meets the cut-off (e.g. provisional PTSD)."""

    key: str
    label: str
    at_least: int
    source: Source | None


@dataclass(frozen=True)
class SymptomRule:
    """An item rated `item_at_least` or more counts as a symptom; each subscale needs a count."""

    key: str
    label: str
    item_at_least: int
    min_items: tuple[tuple[str, int], ...]
    source: Source | None


@dataclass(frozen=True)
class SafetyItem:
    """An answer of `at_least` or more on this item raises a safety flag, whatever the total."""

    item: int
    at_least: int
    label: str
    source: Source | None


@dataclass(frozen=True)
class MissingRule:
    kind: MissingRuleKind = MissingRuleKind.INCOMPLETE
    max_missing: int = 0
    source: Source | None = None


@dataclass(frozen=True)
class ChangeThreshold:
    """A change of at least `points` counts (reliable change, clinically meaningful change).

    A computed one (change.computed_threshold) keeps its inputs, which its footnote cites.
    """

    points: float
    source: Source | None
    computed: bool = False
    inputs: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class ResponseRule:
    """Response: the total fell by at least `percent_reduction` % of the baseline total.
    Judged only from a baseline of at least `min_baseline`, where one is given."""

    percent_reduction: float
    source: Source | None
    min_baseline: float | None = None


@dataclass(frozen=True)
class RemissionRule:
    """Remission: the latest total is below `below`. Judged only from a baseline of at
    least `min_baseline`, where one is given."""

    below: float
    source: Source | None
    min_baseline: float | None = None


@dataclass(frozen=True)
class EndStateRule:
    """Clinically significant change: a reliable improvement that ends at or below
    `at_most` (the score after treatment that marks the change as clinically significant)."""

    at_most: float
    source: Source | None


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    title: str
    short_name: str
    timeframe: str
    instructions: str
    direction: Direction
    charting: Charting
    items: tuple[Item, ...]
    answer_labels: tuple[str, ...] = ()
    missing_rule: MissingRule = MissingRule()
    subscales: tuple[Subscale, ...] = ()
    bands: Bands | None = None
    cutoffs: tuple[Cutoff, ...] = ()
    symptom_rules: tuple[SymptomRule, ...] = ()
    safety_items: tuple[SafetyItem, ...] = ()
    reliable_change: ChangeThreshold | None = None
    clinically_meaningful: ChangeThreshold | None = None
    response: ResponseRule | None = None
    remission: RemissionRule | None = None
    clinically_significant: EndStateRule | None = None
    scoring_source: Source | None = None
    notice: str | None = None
    custom: bool = False
    # How many days the questions look back ("last 2 weeks": 14); 0 for "right now" or
    # unknown. A second administration inside it overlaps the first.
    recall_days: int = 0
    # The event the client rates (PCL-5: the worst event), as the entry asks for it.
    index_event: str | None = None
    # False for a form its own authors call not yet validated (CADSS-6).
    validated: bool = True
    validation_source: Source | None = None

    @cached_property
    def items_by_number(self) -> Mapping[int, Item]:
        return {item.number: item for item in self.items}

    @property
    def has_wording(self) -> bool:
        """Every item's words are bundled (instruments free to reproduce): a blank form of it
        can be printed for the client (reports.form)."""
        return not self.custom and bool(self.items) and all(i.text for i in self.items)

    @cached_property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scored)

    @cached_property
    def total_min(self) -> int:
        return sum(item.min_value for item in self.scored_items)

    @cached_property
    def total_max(self) -> int:
        return sum(item.max_value for item in self.scored_items)

    @property
    def lower_is_better(self) -> bool:
        return self.direction is Direction.LOWER_IS_BETTER

    @property
    def item_text_included(self) -> bool:
        return all(item.text is not None for item in self.items)

    def subscale(self, key: str) -> Subscale:
        for subscale in self.subscales:
            if subscale.key == key:
                return subscale
        raise KeyError(f"{self.short_name} has no subscale {key!r}")

    def rules(self) -> tuple[Rule, ...]:
        """Every scoring, band, flag and change rule, each with its source."""
        rules: list[Rule] = []
        unscored = [item.number for item in self.items if not item.scored]
        text = f"sum of {len(self.scored_items)} items ({self.total_min}–{self.total_max})"
        if unscored:
            text += f"; item {', '.join(map(str, unscored))} not scored"
        rules.append(Rule("Total", text, self.scoring_source, brief="scoring"))
        if not self.validated:
            rules.append(Rule("Validation", "not yet validated", self.validation_source,
                              brief="not yet validated"))
        if self.index_event:
            rules.append(Rule("Index event", "the client rates one event, the same at every "
                              "administration, so the totals compare", self.scoring_source,
                              brief="one index event"))
        missing = self.missing_rule
        if missing.kind is MissingRuleKind.PRORATE:
            text = (
                f"prorated when at most {missing.max_missing} item(s) are missing; "
                "otherwise incomplete and not charted"
            )
            brief = f"proration (up to {missing.max_missing} missing)"
        else:
            text = "a total with any item missing is incomplete and not charted"
            brief = "incomplete totals not charted"
        rules.append(Rule("Missing items", text, missing.source, brief=brief))
        if self.bands is not None:
            text = ", ".join(
                f"{band.label.lower()} {band.min_total}–{band.max_total}"
                for band in self.bands.levels
            )
            brief = "severity bands"
            if not self.bands.validated:
                text += " (not validated)"
                brief += " (not validated)"
            rules.append(Rule("Severity bands", text, self.bands.source, brief=brief))
        for cutoff in self.cutoffs:
            rules.append(
                Rule(cutoff.label, f"total {cutoff.at_least} or above", cutoff.source,
                     brief=f"cut-off ≥ {cutoff.at_least}")
            )
        for symptom in self.symptom_rules:
            needs = ", ".join(f"≥{count} {key}" for key, count in symptom.min_items)
            text = f"an item rated {symptom.item_at_least}+ counts as a symptom; needs {needs}"
            rules.append(Rule(symptom.label, text, symptom.source, brief="DSM-5 symptom rule"))
        for item in self.safety_items:
            text = f"item {item.item} at {item.at_least} or above raises a flag whatever the total"
            rules.append(
                Rule("Safety flag", text, item.source, brief=f"item {item.item} safety flag")
            )
        for name, threshold in (
            ("Reliable change", self.reliable_change),
            ("Clinically meaningful change (minimal important difference)",
             self.clinically_meaningful),
        ):
            if threshold is None:
                continue
            points = f"{threshold.points:.3g}"
            rules.append(
                Rule(
                    name,
                    f"a change of {points} or more points from baseline",
                    threshold.source,
                    threshold.computed,
                    threshold.inputs,
                    brief=f"{name.split(' (')[0].lower()} {points} points",
                )
            )
        if self.clinically_significant is not None:
            end = f"{self.clinically_significant.at_most:g}"
            rules.append(
                Rule("Clinically significant change",
                     f"a reliable improvement ending at {end} or below",
                     self.clinically_significant.source, brief=f"end score ≤ {end}")
            )
        if self.response is not None:
            percent = f"{self.response.percent_reduction:g}%"
            text = f"total {percent} or more below baseline"
            if self.response.min_baseline is not None:
                text += f", judged from a baseline of {self.response.min_baseline:g} or more"
            rules.append(
                Rule("Response", text, self.response.source, brief=f"response ≥ {percent} drop")
            )
        if self.remission is not None:
            below = f"{self.remission.below:g}"
            text = f"total below {below}"
            if self.remission.min_baseline is not None:
                text += f", judged from a baseline of {self.remission.min_baseline:g} or more"
            rules.append(
                Rule("Remission", text, self.remission.source, brief=f"remission < {below}")
            )
        return tuple(rules)

    def footnotes(self) -> list[str]:
        return [rule.footnote() for rule in self.rules()]
