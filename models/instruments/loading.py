"""Read instrument definitions from TOML, find the bundled ones, and build custom measures."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, NoReturn

import tomli

from models.instruments.change import computed_threshold
from models.instruments.definitions import (
    Band,
    Bands,
    ChangeThreshold,
    Charting,
    Cutoff,
    Direction,
    EndStateRule,
    Instrument,
    InstrumentDefinitionError,
    Item,
    MissingRule,
    MissingRuleKind,
    RemissionRule,
    ResponseRule,
    SafetyItem,
    Source,
    Subscale,
    SymptomRule,
)
from models.values import is_int, is_integral

# The layout of an instrument file this reader understands; a file states the one it uses.
SCHEMA_VERSION = 1

_MISSING: Any = object()


class _Reader:
    """Typed access to a parsed TOML document with errors that name file and field."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.sources: dict[str, Source] = {}

    def fail(self, message: str) -> NoReturn:
        raise InstrumentDefinitionError(f"{self.origin}: {message}")

    def get(
        self, table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str,
        default: Any = _MISSING,
    ) -> Any:
        name = f"{where}.{key}" if where else key
        if key not in table:
            if default is _MISSING:
                self.fail(f"missing required field '{name}'")
            return default
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
        if not ok:
            expected = " or ".join(k.__name__ for k in kinds)
            self.fail(f"'{name}' must be {expected}, got {type(value).__name__} {value!r}")
        return value

    def text(self, table: Mapping[str, Any], key: str, where: str, default: Any = _MISSING) -> Any:
        value = self.get(table, key, str, where, default)
        if isinstance(value, str) and not value.strip():
            self.fail(f"'{where + '.' if where else ''}{key}' must not be empty")
        return value

    def tables(self, table: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
        value: list[Any] = self.get(table, key, list, where, [])
        name = f"{where}.{key}" if where else key
        for index, entry in enumerate(value):
            if not isinstance(entry, dict):
                self.fail(f"'{name}[{index}]' must be a table, got {type(entry).__name__}")
        return value

    def source(self, table: Mapping[str, Any], where: str) -> Source | None:
        """The source a rule cites by key, which must be defined under [sources]."""
        key = self.get(table, "source", str, where, None)
        if key is None:
            return None
        if key not in self.sources:
            known = ", ".join(sorted(self.sources)) or "none defined"
            self.fail(f"'{where}.source' refers to unknown source {key!r} (known: {known})")
        return self.sources[key]

    def check_keys(self, table: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
        unknown = sorted(set(table) - set(allowed))
        if unknown:
            place = f"in '{where}'" if where else "at top level"
            hint = ""
            if where and set(unknown) & _TOP_KEYS:
                hint = (
                    " (in TOML a key written below a [table] header belongs to that table: "
                    "move top-level keys above the first header)"
                )
            self.fail(f"unknown field(s) {', '.join(unknown)} {place}{hint}")


def _answer_labels(r: _Reader, table: Mapping[str, Any], where: str, low: int, high: int
                   ) -> tuple[str, ...]:
    labels = r.get(table, "labels", list, where, [])
    if labels and len(labels) != high - low + 1:
        r.fail(
            f"'{where}.labels' has {len(labels)} labels but answers run {low}..{high} "
            f"({high - low + 1} values)"
        )
    if not all(isinstance(label, str) and label.strip() for label in labels):
        r.fail(f"'{where}.labels' must all be non-empty strings")
    return tuple(labels)


def _range(r: _Reader, table: Mapping[str, Any], where: str, low: Any = _MISSING,
           high: Any = _MISSING) -> tuple[int, int]:
    lo = r.get(table, "min", int, where, low)
    hi = r.get(table, "max", int, where, high)
    if lo >= hi:
        r.fail(f"'{where}' range must have min < max, got {lo}..{hi}")
    return lo, hi


def _parse_sources(r: _Reader, data: Mapping[str, Any]) -> None:
    for key, citation in r.get(data, "sources", dict, "", {}).items():
        if not isinstance(citation, str) or not citation.strip():
            r.fail(f"'sources.{key}' must be a non-empty citation string")
        r.sources[key] = Source(key, citation)


def _parse_items(r: _Reader, data: Mapping[str, Any]) -> tuple[tuple[Item, ...], tuple[str, ...]]:
    answers = r.get(data, "answers", dict, "")
    r.check_keys(answers, {"min", "max", "labels"}, "answers")
    low, high = _range(r, answers, "answers")
    answer_labels = _answer_labels(r, answers, "answers", low, high)
    entries = r.tables(data, "items", "")
    if not entries:
        r.fail("'items' must list at least one item")
    items: list[Item] = []
    for index, entry in enumerate(entries):
        where = f"items[{index}]"
        r.check_keys(entry, {"number", "text", "scored", "min", "max", "labels"}, where)
        number = r.get(entry, "number", int, where)
        if number < 1:
            r.fail(f"'{where}.number' must be 1 or more, got {number}")
        item_low, item_high = _range(r, entry, where, low, high)
        labels = _answer_labels(r, entry, where, item_low, item_high)
        if not labels and (item_low, item_high) == (low, high):
            labels = answer_labels
        items.append(
            Item(number, r.text(entry, "text", where, None), r.get(entry, "scored", bool, where,
                 True), item_low, item_high, labels)
        )
    numbers = [item.number for item in items]
    if len(set(numbers)) != len(numbers):
        duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
        r.fail(f"item number(s) {duplicates} appear more than once")
    if numbers != sorted(numbers):
        r.fail("items must be listed in ascending number order")
    if not any(item.scored for item in items):
        r.fail("at least one item must be scored")
    return tuple(items), answer_labels


def _parse_scoring(r: _Reader, data: Mapping[str, Any], scored_count: int
                   ) -> tuple[MissingRule, Source | None]:
    scoring = r.get(data, "scoring", dict, "")
    r.check_keys(scoring, {"method", "missing", "source"}, "scoring")
    method = r.get(scoring, "method", str, "scoring")
    if method != "sum":
        r.fail(f"'scoring.method' must be 'sum', got {method!r}")
    where = "scoring.missing"
    table = r.get(scoring, "missing", dict, "scoring", {})
    r.check_keys(table, {"rule", "max_missing", "source"}, where)
    try:
        kind = MissingRuleKind(r.get(table, "rule", str, where, MissingRuleKind.INCOMPLETE.value))
    except ValueError:
        r.fail(f"'{where}.rule' must be 'incomplete' or 'prorate'")
    max_missing = r.get(table, "max_missing", int, where, 0)
    if kind is MissingRuleKind.PRORATE and not 1 <= max_missing < scored_count:
        r.fail(
            f"'{where}.max_missing' must be between 1 and {scored_count - 1} for proration, "
            f"got {max_missing}"
        )
    if kind is MissingRuleKind.INCOMPLETE and max_missing:
        r.fail(f"'{where}.max_missing' only applies to the 'prorate' rule")
    return MissingRule(kind, max_missing, r.source(table, where)), r.source(scoring, "scoring")


def _parse_subscales(r: _Reader, data: Mapping[str, Any], scored: set[int]
                     ) -> tuple[Subscale, ...]:
    subscales: list[Subscale] = []
    for index, entry in enumerate(r.tables(data, "subscales", "")):
        where = f"subscales[{index}]"
        r.check_keys(entry, {"key", "label", "items"}, where)
        key = r.text(entry, "key", where)
        numbers = r.get(entry, "items", list, where)
        if not numbers or not all(is_int(n) for n in numbers):
            r.fail(f"'{where}.items' must be a non-empty list of item numbers")
        outside = [n for n in numbers if n not in scored]
        if outside:
            r.fail(f"'{where}.items' names {outside}, which are not scored items")
        if any(s.key == key for s in subscales):
            r.fail(f"subscale key {key!r} appears more than once")
        subscales.append(Subscale(key, r.text(entry, "label", where), tuple(numbers)))
    return tuple(subscales)


def _parse_bands(r: _Reader, data: Mapping[str, Any], total_min: int, total_max: int
                 ) -> Bands | None:
    if "bands" not in data:
        return None
    table = r.get(data, "bands", dict, "")
    r.check_keys(table, {"validated", "source", "levels"}, "bands")
    levels: list[Band] = []
    for index, entry in enumerate(r.tables(table, "levels", "bands")):
        where = f"bands.levels[{index}]"
        r.check_keys(entry, {"key", "label", "min", "max"}, where)
        low, high = r.get(entry, "min", int, where), r.get(entry, "max", int, where)
        if low > high:
            r.fail(f"'{where}' has min {low} above max {high}")
        levels.append(Band(r.text(entry, "key", where), r.text(entry, "label", where), low, high))
    if not levels:
        r.fail("'bands.levels' must list at least one band")
    expected = total_min
    for band in levels:
        if band.min_total != expected:
            r.fail(
                f"bands must cover {total_min}..{total_max} in order without gaps or overlaps: "
                f"band {band.key!r} starts at {band.min_total}, expected {expected}"
            )
        expected = band.max_total + 1
    if expected - 1 != total_max:
        r.fail(f"bands end at {expected - 1} but the total runs to {total_max}")
    return Bands(tuple(levels), r.get(table, "validated", bool, "bands"), r.source(table, "bands"))


def _parse_cutoffs(r: _Reader, data: Mapping[str, Any], total_min: int, total_max: int
                   ) -> tuple[Cutoff, ...]:
    cutoffs: list[Cutoff] = []
    for index, entry in enumerate(r.tables(data, "cutoffs", "")):
        where = f"cutoffs[{index}]"
        r.check_keys(entry, {"key", "label", "at_least", "source"}, where)
        at_least = r.get(entry, "at_least", int, where)
        if not total_min < at_least <= total_max:
            r.fail(f"'{where}.at_least' {at_least} is outside the total range")
        cutoffs.append(Cutoff(r.text(entry, "key", where), r.text(entry, "label", where),
                              at_least, r.source(entry, where)))
    return tuple(cutoffs)


def _parse_symptom_rules(r: _Reader, data: Mapping[str, Any], subscales: tuple[Subscale, ...]
                         ) -> tuple[SymptomRule, ...]:
    keys = {subscale.key for subscale in subscales}
    rules: list[SymptomRule] = []
    for index, entry in enumerate(r.tables(data, "symptom_rules", "")):
        where = f"symptom_rules[{index}]"
        r.check_keys(entry, {"key", "label", "item_at_least", "min_items", "source"}, where)
        min_items = r.get(entry, "min_items", dict, where)
        for key, count in min_items.items():
            if key not in keys:
                r.fail(f"'{where}.min_items' names unknown subscale {key!r}")
            if not is_int(count) or count < 1:
                r.fail(f"'{where}.min_items.{key}' must be a whole number of 1 or more")
        rules.append(
            SymptomRule(r.text(entry, "key", where), r.text(entry, "label", where),
                        r.get(entry, "item_at_least", int, where), tuple(min_items.items()),
                        r.source(entry, where))
        )
    return tuple(rules)


def _parse_safety_items(r: _Reader, data: Mapping[str, Any], items: Mapping[int, Item]
                        ) -> tuple[SafetyItem, ...]:
    safety: list[SafetyItem] = []
    for index, entry in enumerate(r.tables(data, "safety_items", "")):
        where = f"safety_items[{index}]"
        r.check_keys(entry, {"item", "at_least", "label", "source"}, where)
        number = r.get(entry, "item", int, where)
        if number not in items:
            r.fail(f"'{where}.item' names item {number}, which does not exist")
        at_least = r.get(entry, "at_least", int, where)
        if not items[number].min_value < at_least <= items[number].max_value:
            r.fail(f"'{where}.at_least' {at_least} is outside item {number}'s range")
        safety.append(SafetyItem(number, at_least, r.text(entry, "label", where),
                                 r.source(entry, where)))
    return tuple(safety)


def _parse_threshold(r: _Reader, table: Mapping[str, Any], where: str) -> ChangeThreshold:
    r.check_keys(table, {"points", "method", "sd", "reliability", "source"}, where)
    method = r.get(table, "method", str, where, "published")
    source = r.source(table, where)
    if method == "published":
        points = r.get(table, "points", (int, float), where)
        if points <= 0:
            r.fail(f"'{where}.points' must be positive, got {points}")
        return ChangeThreshold(float(points), source)
    if method == "computed":
        if "points" in table:
            r.fail(f"'{where}' is computed: give 'sd' and 'reliability', not 'points'")
        sd = r.get(table, "sd", (int, float), where)
        reliability = r.get(table, "reliability", (int, float), where)
        try:
            return computed_threshold(float(sd), float(reliability), source)
        except ValueError as error:
            r.fail(f"'{where}': {error}")
    r.fail(f"'{where}.method' must be 'published' or 'computed', got {method!r}")


@dataclass(frozen=True)
class _ChangeRules:
    reliable_change: ChangeThreshold | None = None
    clinically_meaningful: ChangeThreshold | None = None
    response: ResponseRule | None = None
    remission: RemissionRule | None = None
    clinically_significant: EndStateRule | None = None


def _min_baseline(r: _Reader, table: Mapping[str, Any], where: str) -> float | None:
    value = r.get(table, "min_baseline", (int, float), where, None)
    return None if value is None else float(value)


def _parse_change(r: _Reader, data: Mapping[str, Any], direction: Direction) -> _ChangeRules:
    change = r.get(data, "change", dict, "", {})
    r.check_keys(
        change,
        {"reliable_change", "clinically_meaningful", "response", "remission",
         "clinically_significant"},
        "change",
    )
    thresholds: dict[str, ChangeThreshold] = {}
    for key in ("reliable_change", "clinically_meaningful"):
        if key in change:
            table = r.get(change, key, dict, "change")
            thresholds[key] = _parse_threshold(r, table, f"change.{key}")
    response = None
    if "response" in change:
        where = "change.response"
        table = r.get(change, "response", dict, "change")
        r.check_keys(table, {"percent_reduction", "min_baseline", "source"}, where)
        percent = r.get(table, "percent_reduction", (int, float), where)
        if not 0 < percent <= 100:
            r.fail(f"'{where}.percent_reduction' must be in (0, 100], got {percent}")
        response = ResponseRule(float(percent), r.source(table, where),
                                _min_baseline(r, table, where))
    remission = None
    if "remission" in change:
        where = "change.remission"
        table = r.get(change, "remission", dict, "change")
        r.check_keys(table, {"below", "min_baseline", "source"}, where)
        below = r.get(table, "below", (int, float), where)
        remission = RemissionRule(float(below), r.source(table, where),
                                  _min_baseline(r, table, where))
    significant = None
    if "clinically_significant" in change:
        where = "change.clinically_significant"
        table = r.get(change, "clinically_significant", dict, "change")
        r.check_keys(table, {"at_most", "source"}, where)
        at_most = r.get(table, "at_most", (int, float), where)
        if "reliable_change" not in thresholds:
            r.fail(f"'{where}' needs a reliable change rule: it is a reliable improvement "
                   "that ends low enough")
        significant = EndStateRule(float(at_most), r.source(table, where))
    if (response or remission or significant) and direction is not Direction.LOWER_IS_BETTER:
        r.fail("response, remission and clinically significant change rules are only defined "
               "for lower-is-better instruments")
    return _ChangeRules(
        thresholds.get("reliable_change"), thresholds.get("clinically_meaningful"), response,
        remission, significant,
    )


_TOP_KEYS = {
    "schema_version", "id", "version", "title", "short_name", "timeframe", "instructions",
    "direction", "charting", "notice", "sources", "answers", "items", "scoring", "subscales",
    "bands", "cutoffs", "symptom_rules", "safety_items", "change", "recall_days",
    "index_event", "validated", "validation_source",
}


def parse_instrument(data: Mapping[str, Any], origin: str) -> Instrument:
    """Build an Instrument from a parsed TOML document; `origin` names it in errors."""
    r = _Reader(origin)
    r.check_keys(data, _TOP_KEYS, "")
    schema = r.get(data, "schema_version", int, "")
    if schema != SCHEMA_VERSION:
        r.fail(f"schema_version {schema} is not supported (expected {SCHEMA_VERSION})")
    version = r.get(data, "version", int, "")
    if version < 1:
        r.fail(f"'version' must be 1 or more, got {version}")
    try:
        direction = Direction(r.get(data, "direction", str, ""))
        charting = Charting(r.get(data, "charting", str, "", Charting.TREND.value))
    except ValueError as error:
        r.fail(f"bad 'direction' or 'charting': {error}")
    _parse_sources(r, data)

    items, answer_labels = _parse_items(r, data)
    scored = [item for item in items if item.scored]
    total_min = sum(item.min_value for item in scored)
    total_max = sum(item.max_value for item in scored)
    missing_rule, scoring_source = _parse_scoring(r, data, len(scored))
    subscales = _parse_subscales(r, data, {item.number for item in scored})
    change = _parse_change(r, data, direction)
    return Instrument(
        id=r.text(data, "id", ""),
        version=version,
        title=r.text(data, "title", ""),
        short_name=r.text(data, "short_name", ""),
        timeframe=r.text(data, "timeframe", ""),
        instructions=r.text(data, "instructions", ""),
        direction=direction,
        charting=charting,
        items=items,
        answer_labels=answer_labels,
        missing_rule=missing_rule,
        subscales=subscales,
        bands=_parse_bands(r, data, total_min, total_max),
        cutoffs=_parse_cutoffs(r, data, total_min, total_max),
        symptom_rules=_parse_symptom_rules(r, data, subscales),
        safety_items=_parse_safety_items(r, data, {item.number: item for item in items}),
        reliable_change=change.reliable_change,
        clinically_meaningful=change.clinically_meaningful,
        response=change.response,
        remission=change.remission,
        clinically_significant=change.clinically_significant,
        scoring_source=scoring_source,
        notice=r.text(data, "notice", "", None),
        recall_days=_recall_days(r, data),
        index_event=r.text(data, "index_event", "", None),
        validated=r.get(data, "validated", bool, "", True),
        validation_source=r.source({"source": data["validation_source"]}, "validation")
        if "validation_source" in data else None,
    )


def _recall_days(r: _Reader, data: Mapping[str, Any]) -> int:
    days = r.get(data, "recall_days", int, "", 0)
    if days < 0:
        r.fail(f"'recall_days' must be 0 or more, got {days}")
    return int(days)


def load_instrument_file(path: Path | Traversable) -> Instrument:
    """Read and check one instrument definition; its id must match the file name."""
    try:
        data = tomli.loads(path.read_text(encoding="utf-8"))
    except tomli.TOMLDecodeError as error:
        raise InstrumentDefinitionError(f"{path.name}: not valid TOML: {error}") from error
    except UnicodeDecodeError as error:
        raise InstrumentDefinitionError(f"{path.name}: not UTF-8 text: {error}") from error
    instrument = parse_instrument(data, path.name)
    stem = path.name.removesuffix(".toml")
    if instrument.id != stem:
        raise InstrumentDefinitionError(
            f"{path.name}: id {instrument.id!r} does not match the file name (expected {stem!r})"
        )
    return instrument


def load_instrument_dir(folder: Path | Traversable) -> dict[str, Instrument]:
    """Every *.toml instrument in a folder, keyed by id (not cached)."""
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".toml")),
        key=lambda entry: entry.name,
    )
    return {instrument.id: instrument for instrument in map(load_instrument_file, files)}


@cache
def _bundled_instruments() -> tuple[Instrument, ...]:
    folder = resources.files("resources") / "instruments"
    return tuple(load_instrument_dir(folder).values())


def load_instruments() -> dict[str, Instrument]:
    """The bundled instruments keyed by id (parsed once, then cached)."""
    return {instrument.id: instrument for instrument in _bundled_instruments()}


def get_instrument(instrument_id: str) -> Instrument:
    for instrument in _bundled_instruments():
        if instrument.id == instrument_id:
            return instrument
    known = ", ".join(instrument.id for instrument in _bundled_instruments())
    raise KeyError(f"no bundled instrument {instrument_id!r} (known: {known})")


def custom_instrument(
    id: str,
    name: str,
    min_value: int | float,
    max_value: int | float,
    higher_is_better: bool,
    *,
    version: int = 1,
    short_name: str | None = None,
    instructions: str = "",
    timeframe: str = "",
    anchors: Sequence[str] = (),
    reliable_change: float | None = None,
    baseline_sd: float | None = None,
    reliability: float | None = None,
    source: str | None = None,
) -> Instrument:
    """A clinician-defined single-number measure: no bands, optional reliable change.

    Give `reliable_change` as points from a published figure, or `baseline_sd` and
    `reliability` to have it computed (Jacobson & Truax); `source` cites either.
    """
    if not id.strip() or not name.strip():
        raise ValueError("a custom measure needs a non-empty id and name")
    if any(instrument.id == id for instrument in _bundled_instruments()):
        raise ValueError(f"{id!r} is the id of a bundled instrument; choose another")
    for bound in (min_value, max_value):
        if not is_integral(bound):
            raise ValueError(f"range bounds must be whole numbers, got {bound!r}")
    min_value, max_value = int(min_value), int(max_value)
    if min_value >= max_value:
        raise ValueError(f"range must have min < max, got {min_value}..{max_value}")
    if anchors and len(anchors) != max_value - min_value + 1:
        raise ValueError(f"{len(anchors)} anchors given for {max_value - min_value + 1} values")
    cited = Source("clinician", source) if source else None
    threshold: ChangeThreshold | None = None
    if reliable_change is not None:
        if baseline_sd is not None or reliability is not None:
            raise ValueError("give reliable_change or baseline_sd and reliability, not both")
        if reliable_change <= 0:
            raise ValueError(f"reliable_change must be positive, got {reliable_change}")
        threshold = ChangeThreshold(float(reliable_change), cited)
    elif baseline_sd is not None or reliability is not None:
        if baseline_sd is None or reliability is None:
            raise ValueError("a computed reliable change needs both baseline_sd and reliability")
        threshold = computed_threshold(baseline_sd, reliability, cited)
    labels = tuple(anchors)
    return Instrument(
        id=id,
        version=version,
        title=name,
        short_name=short_name or name,
        timeframe=timeframe,
        instructions=instructions,
        direction=Direction.HIGHER_IS_BETTER if higher_is_better else Direction.LOWER_IS_BETTER,
        charting=Charting.TREND,
        items=(Item(1, name, True, min_value, max_value, labels),),
        answer_labels=labels,
        reliable_change=threshold,
        custom=True,
    )
