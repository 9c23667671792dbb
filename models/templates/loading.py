"""Read the template TOML files, check them line by line, and look templates up by version."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, Final, NoReturn

import tomli

from models.instruments.loading import load_instruments
from models.templates.definitions import (
    CARRY_TAGS,
    COLUMN_TAGS,
    FIELD_TAGS,
    GROUP_NEEDS_COLUMNS,
    TAG_NEEDS,
    Check,
    CheckLevel,
    Clause,
    Condition,
    Derivation,
    FieldDef,
    FieldKind,
    Option,
    RowEntry,
    Section,
    Template,
    TemplateDefinitionError,
    UnknownTemplateError,
    ValueExpr,
)
from models.templates.hashing import canonical_json
from models.values import is_int, is_number
from models.vocabulary import PART_TYPES, TARGET_KINDS, VOCABULARIES

_K = FieldKind

_IDENT_RE = re.compile(r"[a-z][a-z0-9_]*")
_ID_LINE_RE = re.compile(r"""^\s*id\s*=\s*(?:"([^"\\]*)"|'([^']*)')""")
_TOML_POS_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
CARRY_FORWARD_FILE: Final = "carry_forward.toml"
ROW_ENTRY_FILE: Final = "row_entry.toml"
ENTRY_HELP_FILE: Final = "entry_help.toml"
_TEMPLATE_FILE_RE = re.compile(r"([a-z][a-z0-9_]*)(?:\.v([0-9]+))?\.toml")
_COMMON_FILE_RE = re.compile(r"_common(?:\.v([0-9]+))?\.toml")
_PATH = r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?"
_DERIVED_RE = re.compile(rf" *({_PATH}) *([-+*/]) *({_PATH}) *")
_VALUE_RE = re.compile(rf" *(?:(min|max)\( *({_PATH}) *\)|({_PATH})(?: *- *({_PATH}))?) *")
# The content key that holds the reasons given for warnings: no field may take it.
ACKNOWLEDGEMENTS = "acknowledgements"
# A column carrying one of these tags must use this range: the receiving table's.
_COLUMN_RANGES: Final[dict[str, tuple[int, int]]] = {"moaas": (0, 5)}

# The order the therapist meets them in a course of care.
_ORDER: Final[tuple[str, ...]] = ("dosing", "preparation", "emdr", "art", "ifs", "general")

_BASE_KEYS: Final = frozenset({"id", "label", "kind", "help", "required", "private", "extract"})
_KIND_KEYS: Final[dict[FieldKind, frozenset[str]]] = {
    _K.TEXT: frozenset({"max_length"}),
    _K.LONG_TEXT: frozenset({"max_length"}),
    _K.CHOICE: frozenset({"options", "vocabulary"}),
    _K.MULTI_CHOICE: frozenset({"options", "vocabulary"}),
    _K.SCALE: frozenset({"min", "max", "anchors"}),
    _K.INTEGER: frozenset({"min", "max", "unit"}),
    _K.NUMBER: frozenset({"min", "max", "unit", "derived"}),
    _K.DATE: frozenset(),
    _K.TIME: frozenset(),
    _K.YES_NO: frozenset(),
    _K.TARGET_REF: frozenset({"target_kind"}),
    _K.PARTS_REF: frozenset({"multiple", "part_types"}),
    _K.GROUP: frozenset({"columns", "min_rows", "max_rows"}),
    _K.MEASURE: frozenset({"instruments"}),
}
_TARGET_KINDS: Final = TARGET_KINDS.codes


class _Source:
    """One TOML file being read: its name, its text, and where each `id = ...` line is."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.lines = text.split("\n")
        self._id_lines: dict[str, list[int]] = {}
        for number, line in enumerate(self.lines, start=1):
            match = _ID_LINE_RE.match(line)
            if match:
                value = match.group(1) if match.group(1) is not None else match.group(2)
                self._id_lines.setdefault(value, []).append(number)
        self._claimed: Counter[str] = Counter()

    def claim_id_line(self, value: object) -> int:
        """Line of the next `id = "value"`.

        The parser meets ids in reading order (template, section, field, column), so the
        n-th time an id value is met it sits on the n-th line that declares it; that is how
        a duplicate id is reported at its second occurrence, not its first.
        """
        if not isinstance(value, str) or value not in self._id_lines:
            return 1
        lines = self._id_lines[value]
        n = self._claimed[value]
        self._claimed[value] += 1
        return lines[min(n, len(lines) - 1)]

    def key_line(self, key: str) -> int:
        """Line of the first top-level `key = ...`, or 1 when the key is absent."""
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number, line in enumerate(self.lines, start=1):
            if line.lstrip().startswith("["):
                break
            if pattern.match(line):
                return number
        return 1

    def fail(self, line: int, message: str) -> NoReturn:
        raise TemplateDefinitionError(self.name, line, message)


class _Table:
    """Typed, strict reading of one TOML table; every mistake names its file and line."""

    def __init__(
        self, src: _Source, line: int, what: str, data: Mapping[str, Any], allowed: Iterable[str]
    ) -> None:
        self.src, self.line, self.what, self.data = src, line, what, data
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            self.fail(f"unknown key {unknown[0]!r}; allowed here: {', '.join(sorted(allowed))}")

    def fail(self, message: str) -> NoReturn:
        self.src.fail(self.line, f"{self.what}: {message}")

    def text(self, key: str, *, required: bool = True) -> str:
        value = self.data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{key!r} must be non-empty text")
        return value

    def ident(self, key: str = "id") -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not _IDENT_RE.fullmatch(value):
            self.fail(
                f"{key!r} must be lower-case letters, digits and underscores, "
                f"starting with a letter; found {value!r}"
            )
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{key!r} must be true or false; found {value!r}")
        return value

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is not None and not is_int(value):
            self.fail(f"{key!r} must be a whole number; found {value!r}")
        return value

    def number(self, key: str) -> int | float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not is_number(value):
            self.fail(f"{key!r} must be a number; found {value!r}")
        return value

    def tables(self, key: str) -> list[Mapping[str, Any]]:
        value = self.data.get(key)
        if not isinstance(value, list) or not value:
            self.fail(f"needs at least one entry in {key!r}")
        for item in value:
            if not isinstance(item, dict):
                self.fail(f"every entry of {key!r} must be a table; found {item!r}")
        return value


def _parse_options(t: _Table) -> tuple[Option, ...]:
    """The choices: listed in the template, or `vocabulary = "routes"` for the codes and
    words of models.vocabulary (so a route is named the same in a note and everywhere)."""
    name = t.data.get("vocabulary")
    if name is not None:
        if "options" in t.data:
            t.fail("give either 'options' or 'vocabulary', not both")
        vocabulary = VOCABULARIES.get(name) if isinstance(name, str) else None
        if vocabulary is None:
            t.fail(f"unknown vocabulary {name!r}; known: {', '.join(sorted(VOCABULARIES))}")
        return tuple(Option(term.code, term.label) for term in vocabulary)
    options: list[Option] = []
    for raw in t.tables("options"):
        unknown = sorted(set(raw) - {"value", "label"})
        value, label = raw.get("value"), raw.get("label")
        if unknown or not isinstance(value, str) or not value.strip() or not isinstance(label, str):
            t.fail(f"each option needs text 'value' and 'label' and nothing else; found {raw!r}")
        if any(o.value == value for o in options):
            t.fail(f"option value {value!r} appears twice")
        options.append(Option(value, label))
    return tuple(options)


def _spelt_out(raw: Any) -> Any:
    """The raw TOML with every `vocabulary = "name"` replaced by the options it stands for."""
    if isinstance(raw, dict):
        out = {key: _spelt_out(value) for key, value in raw.items() if key != "vocabulary"}
        vocabulary = VOCABULARIES.get(raw.get("vocabulary", ""))
        if vocabulary is not None:
            out["options"] = [{"value": t.code, "label": t.label} for t in vocabulary]
        return out
    if isinstance(raw, list):
        return [_spelt_out(item) for item in raw]
    return raw


def _check_bounds(t: _Table, low: int | float | None, high: int | float | None) -> None:
    if low is not None and high is not None and low > high:
        t.fail(f"min ({low}) is greater than max ({high})")


def _parse_field(
    data: object, src: _Source, where: str, *, group_tag: str | None, in_group: bool
) -> tuple[FieldDef, int]:
    """One field table; returns the field and the line of its `id`."""
    if not isinstance(data, dict):
        src.fail(1, f"{where}: every field must be a table; found {data!r}")
    raw_id = data.get("id")
    line = src.claim_id_line(raw_id)
    what = f"field {raw_id!r}" if isinstance(raw_id, str) else f"a field in {where} without an id"
    kind_raw = data.get("kind")
    if not isinstance(kind_raw, str) or kind_raw not in {k.value for k in FieldKind}:
        src.fail(
            line,
            f"{what}: unknown kind {kind_raw!r}; use one of: "
            + ", ".join(k.value for k in FieldKind),
        )
    kind = FieldKind(kind_raw)
    allowed = _BASE_KEYS | _KIND_KEYS[kind] | ({"required_if"} if not in_group else set())
    t = _Table(src, line, what, data, allowed)
    field_id = t.ident()
    if field_id == ACKNOWLEDGEMENTS:
        t.fail(f"{ACKNOWLEDGEMENTS!r} holds the reasons given for warnings; use another id")
    required = t.flag("required")
    private = t.flag("private")
    extract = data.get("extract")
    if extract is not None and not isinstance(extract, str):
        t.fail(f"'extract' must be text; found {extract!r}")
    if in_group and kind in (FieldKind.GROUP, FieldKind.MEASURE):
        t.fail(f"a group cannot hold a {kind.value} field")
    if in_group and private:
        t.fail("a column cannot be private; make the whole field private instead")
    if private and extract:
        t.fail("a private field cannot be extracted: its figures would leave the private notes")
    if extract is not None and not in_group:
        _check_field_tag_kind(t, extract, kind)

    attrs = _kind_attributes(t, src, kind, field_id, required, extract)
    if in_group:
        _check_column_tag(t, extract, kind, group_tag, attrs)
    elif extract is not None:
        _check_field_tag_range(t, extract, attrs)
    required_if = _parse_condition(t) if "required_if" in data else None
    if required_if is not None and required:
        t.fail("'required_if' makes no sense on a field that is always required")

    definition = FieldDef(
        id=field_id,
        label=t.text("label"),
        kind=kind,
        help=t.text("help", required=False),
        required=required,
        private=private,
        extract=extract,
        required_if=required_if,
        **attrs,
    )
    return definition, line


def _kind_attributes(
    t: _Table, src: _Source, kind: FieldKind, field_id: str, required: bool, tag: str | None
) -> dict[str, Any]:
    """The FieldDef attributes that only some kinds have."""
    data = t.data
    if kind in (FieldKind.CHOICE, FieldKind.MULTI_CHOICE):
        return {"options": _parse_options(t)}
    if kind is FieldKind.SCALE:
        low, high = t.integer("min"), t.integer("max")
        if low is None or high is None:
            t.fail("a scale needs whole-number 'min' and 'max'")
        if low >= high:
            t.fail(f"min ({low}) must be less than max ({high})")
        anchors_raw = data.get("anchors", {})
        if not isinstance(anchors_raw, dict):
            t.fail('\'anchors\' must be a table like { 0 = "None", 10 = "Worst" }')
        anchors: list[tuple[int, str]] = []
        for key, text in anchors_raw.items():
            if not re.fullmatch(r"-?[0-9]+", key) or not low <= int(key) <= high:
                t.fail(f"anchor {key!r} must be a whole number from {low} to {high}")
            if not isinstance(text, str) or not text.strip():
                t.fail(f"anchor {key} needs a text label")
            anchors.append((int(key), text))
        return {"minimum": low, "maximum": high, "anchors": tuple(sorted(anchors))}
    if kind is FieldKind.INTEGER:
        low, high = t.integer("min"), t.integer("max")
        _check_bounds(t, low, high)
        return {"minimum": low, "maximum": high, "unit": t.text("unit", required=False) or None}
    if kind is FieldKind.NUMBER:
        low_n, high_n = t.number("min"), t.number("max")
        _check_bounds(t, low_n, high_n)
        attrs: dict[str, Any] = {
            "minimum": low_n,
            "maximum": high_n,
            "unit": t.text("unit", required=False) or None,
        }
        if "derived" in data:
            expression = data["derived"]
            found = _DERIVED_RE.fullmatch(expression) if isinstance(expression, str) else None
            if found is None:
                t.fail(f"'derived' must look like \"dose_mg / weight_kg\"; found {expression!r}")
            if required:
                t.fail("a derived field is calculated, so it cannot be required")
            attrs["derived"] = Derivation(*found.groups())
        return attrs
    if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
        max_length = t.integer("max_length")
        if max_length is not None and max_length < 1:
            t.fail("'max_length' must be at least 1")
        return {"max_length": max_length}
    if kind is FieldKind.TARGET_REF:
        target_kind = data.get("target_kind")
        if target_kind is not None and target_kind not in _TARGET_KINDS:
            t.fail(
                f"'target_kind' must be one of {', '.join(_TARGET_KINDS)}; found {target_kind!r}"
            )
        return {"target_kind": target_kind}
    if kind is FieldKind.PARTS_REF:
        types = data.get("part_types", [])
        if not isinstance(types, list) or (not types and "part_types" in data) \
                or not all(isinstance(p, str) and p in PART_TYPES for p in types):
            t.fail(f"'part_types' must list part types from {', '.join(PART_TYPES.codes)}, "
                   f"like [\"manager\", \"firefighter\"]; found {types!r}")
        return {"multiple": t.flag("multiple"), "part_types": tuple(types)}
    if kind is FieldKind.MEASURE:
        names = data.get("instruments")
        known = load_instruments()
        if (not isinstance(names, list) or not names
                or not all(isinstance(n, str) and n in known for n in names)):
            t.fail("'instruments' must list the ids of bundled instruments, like [\"cadss\"]; "
                   f"known: {', '.join(sorted(known))}")
        if len(set(names)) != len(names):
            t.fail("'instruments' names an instrument twice")
        return {"instruments": tuple(names)}
    if kind is FieldKind.GROUP:
        return _parse_group(t, src, field_id, required, tag)
    return {}


_CONDITION_HELP = (
    '\'{key}\' must look like {{ field = "other_field", any_of = ["value"] }}, with any_of, '
    "none_of or lacks_any_of (option values, or true/false for a yes/no field) or "
    "filled = true/false; several such tables in a list mean any of them"
)


def parse_clause(raw: object, fail: Callable[[str], NoReturn], key: str) -> Clause:
    """One `{ field = ..., any_of | none_of | lacks_any_of | filled = ... }` table."""
    if not isinstance(raw, dict) or not isinstance(raw.get("field"), str):
        fail(_CONDITION_HELP.format(key=key))
    field_id: str = raw["field"]
    tests = set(raw) - {"field"}
    if len(tests) != 1 or not tests <= {"any_of", "none_of", "lacks_any_of", "filled"}:
        fail(_CONDITION_HELP.format(key=key))
    if "filled" in raw:
        if not isinstance(raw["filled"], bool):
            fail(_CONDITION_HELP.format(key=key))
        return Clause(field_id, filled=raw["filled"])
    name = next(iter(tests))
    values = raw[name]
    if (not isinstance(values, list) or not values
            or not all(isinstance(v, str | bool) for v in values)):
        fail(_CONDITION_HELP.format(key=key))
    wanted = tuple(values)
    if name == "any_of":
        return Clause(field_id, any_of=wanted)
    if name == "none_of":
        return Clause(field_id, none_of=wanted)
    return Clause(field_id, lacks_any_of=wanted)


def _clauses(raw: object, fail: Callable[[str], NoReturn], key: str) -> tuple[Clause, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        fail(_CONDITION_HELP.format(key=key))
    return tuple(parse_clause(item, fail, key) for item in items)


def _parse_condition(t: _Table) -> Condition:
    clauses = _clauses(t.data["required_if"], t.fail, "required_if")
    if any("." in c.field for c in clauses):
        t.fail("required_if names a field of the note, not a column of a group")
    return Condition(clauses)


def _check_field_tag_kind(t: _Table, tag: str, kind: FieldKind) -> None:
    if tag not in FIELD_TAGS:
        t.fail(f"unknown extract tag {tag!r}; use one of: {', '.join(FIELD_TAGS)}")
    kinds = FIELD_TAGS[tag][0]
    if kind not in kinds:
        t.fail(f"extract tag {tag!r} needs kind {_kinds(kinds)}, not {kind.value!r}")


def _check_field_tag_range(t: _Table, tag: str, attrs: Mapping[str, Any]) -> None:
    expected = FIELD_TAGS[tag][1]
    if expected is not None and (attrs.get("minimum"), attrs.get("maximum")) != expected:
        t.fail(
            f"extract tag {tag!r} needs min = {expected[0]} and max = {expected[1]}, "
            "the range of the history it feeds"
        )


def _check_column_tag(
    t: _Table, tag: str | None, kind: FieldKind, group_tag: str | None, attrs: Mapping[str, Any]
) -> None:
    if tag is None:
        return
    allowed = COLUMN_TAGS.get(group_tag or "", {})
    if tag not in allowed:
        if allowed:
            t.fail(
                f"unknown column tag {tag!r}; in a {group_tag!r} group use: {', '.join(allowed)}"
            )
        t.fail(
            f"column tag {tag!r} is only meaningful in an extracted group "
            f"({', '.join(COLUMN_TAGS)})"
        )
    if kind not in allowed[tag]:
        t.fail(f"column tag {tag!r} needs kind {_kinds(allowed[tag])}, not {kind.value!r}")
    if tag == "part" and attrs.get("multiple"):
        t.fail("the 'part' column of a status change holds one part; set multiple = false")
    expected = _COLUMN_RANGES.get(tag)
    if expected is not None and (attrs.get("minimum"), attrs.get("maximum")) != expected:
        t.fail(f"column tag {tag!r} needs min = {expected[0]} and max = {expected[1]}, "
               "the range of the record it feeds")


def _kinds(kinds: frozenset[FieldKind]) -> str:
    return " or ".join(repr(k.value) for k in sorted(kinds))


def _parse_group(
    t: _Table, src: _Source, group_id: str, required: bool, tag: str | None
) -> dict[str, Any]:
    columns: list[FieldDef] = []
    for raw in t.tables("columns"):
        column, line = _parse_field(raw, src, f"group {group_id!r}", group_tag=tag, in_group=True)
        if any(c.id == column.id for c in columns):
            src.fail(line, f"column id {column.id!r} appears twice in group {group_id!r}")
        columns.append(column)
    min_rows = t.integer("min_rows") or 0
    max_rows = t.integer("max_rows")
    if min_rows < 0:
        t.fail("'min_rows' cannot be negative")
    if max_rows is not None and max_rows < max(min_rows, 1):
        t.fail(f"max_rows ({max_rows}) must be at least 1 and at least min_rows ({min_rows})")
    if min_rows > 0 and not required:
        # Otherwise "no rows" and "too few rows" would mean different things to the signer.
        t.fail("min_rows only applies to a required group; add required = true")
    if tag is not None:
        present = {c.extract for c in columns}
        for needed in GROUP_NEEDS_COLUMNS.get(tag, ()):
            if needed not in present:
                t.fail(f"a {tag!r} group needs a column tagged extract = {needed!r}")
    return {
        "columns": tuple(columns),
        "min_rows": max(min_rows, 1) if required else 0,
        "max_rows": max_rows,
    }


def _parse_sections(
    raw: object,
    src: _Source,
    taken: dict[tuple[str, str], str],
    *,
    with_position: bool,
) -> tuple[list[tuple[Section, str]], dict[str, int]]:
    """Sections of one file, with the line of each field id.

    `taken` maps ("section" | "field", id) already used, here or in the common fields, to
    the file that used it.
    """

    def used_in(key: tuple[str, str]) -> str:
        return "earlier in this file" if taken[key] == src.name else f"in {taken[key]}"

    if not isinstance(raw, list) or not raw or not all(isinstance(s, dict) for s in raw):
        src.fail(
            src.key_line("sections") if raw is not None else 1,
            "needs at least one [[sections]] table",
        )
    sections: list[tuple[Section, str]] = []
    field_lines: dict[str, int] = {}
    allowed = {"id", "title", "help", "fields"} | ({"position"} if with_position else set())
    for data in raw:
        raw_id = data.get("id")
        line = src.claim_id_line(raw_id)
        what = f"section {raw_id!r}" if isinstance(raw_id, str) else "a section without an id"
        t = _Table(src, line, what, data, allowed)
        section_id = t.ident()
        if ("section", section_id) in taken:
            t.fail(f"section id {section_id!r} is already used {used_in(('section', section_id))}")
        taken["section", section_id] = src.name
        position = ""
        if with_position:
            position = data.get("position", "")
            if position not in ("first", "last"):
                t.fail(f'\'position\' must be "first" or "last"; found {position!r}')
        fields: list[FieldDef] = []
        for raw_field in t.tables("fields"):
            field, field_line = _parse_field(raw_field, src, what, group_tag=None, in_group=False)
            if ("field", field.id) in taken:
                src.fail(
                    field_line,
                    f"field id {field.id!r} is already used {used_in(('field', field.id))}",
                )
            taken["field", field.id] = src.name
            field_lines[field.id] = field_line
            fields.append(field)
        section = Section(
            id=section_id,
            title=t.text("title"),
            fields=tuple(fields),
            help=t.text("help", required=False),
        )
        sections.append((section, position))
    return sections, field_lines


def _check_cross_references(
    src: _Source,
    own: Sequence[FieldDef],
    everything: Sequence[FieldDef],
    lines: Mapping[str, int],
) -> None:
    """Rules that span fields, reported at the line of the field in this file (`own`).

    Extract tags are used once, ratings come with their target, derivations and
    conditions name fields that exist.
    """
    by_tag: dict[str, FieldDef] = {}
    for f in everything:
        if f.extract is None:
            continue
        if f.extract in by_tag:
            src.fail(
                lines.get(f.id, 1),
                f"field {f.id!r}: extract tag {f.extract!r} is already on {by_tag[f.extract].id!r}",
            )
        by_tag[f.extract] = f
    by_id = {f.id: f for f in everything}
    for f in own:

        def fail(message: str, f: FieldDef = f) -> NoReturn:
            src.fail(lines.get(f.id, 1), f"field {f.id!r}: {message}")

        needed = TAG_NEEDS.get(f.extract or "")
        if needed and needed not in by_tag:
            fail(f"tag {f.extract!r} needs a target_ref field tagged {needed!r}")
        if f.derived is not None:
            for operand in (f.derived.left, f.derived.right):
                source = _path_field(by_id, operand)
                earlier = [g.id for g in everything[: everything.index(f)]] \
                    if f in everything else []
                if (
                    source is None
                    or source.kind not in (FieldKind.NUMBER, FieldKind.INTEGER)
                    or (source.derived is not None and operand not in earlier)
                ):
                    fail(f"derived from {operand!r}, which is not an entered number field, a "
                         "number column of a group, or a derived field above it")
        if f.required_if is not None:
            for clause in f.required_if.clauses:
                trigger = by_id.get(clause.field)
                if trigger is None or trigger is f:
                    fail(f"required_if names {clause.field!r}, which is not another field")
                problem = clause_problem(clause, trigger)
                if problem:
                    fail(f"required_if {problem}")


def _path_field(by_id: Mapping[str, FieldDef], path: str) -> FieldDef | None:
    """The field or group column a path names, or None."""
    if "." not in path:
        return by_id.get(path)
    group, column = path.split(".", 1)
    owner = by_id.get(group)
    if owner is None or owner.kind is not FieldKind.GROUP:
        return None
    return next((c for c in owner.columns if c.id == column), None)


def clause_problem(clause: Clause, trigger: FieldDef) -> str:
    """What is wrong with a clause about `trigger`'s answer, or ''."""
    if clause.filled is not None:
        return ""
    if trigger.kind is FieldKind.YES_NO:
        valid: set[str | bool] = {True, False}
    elif trigger.kind in (FieldKind.CHOICE, FieldKind.MULTI_CHOICE):
        valid = {o.value for o in trigger.options}
    else:
        return (f"can only test the answer of a choice, multi-choice or yes/no field, not "
                f"{trigger.id!r} (test whether it is filled instead)")
    wanted = clause.values
    if clause.lacks_any_of and trigger.kind is not FieldKind.MULTI_CHOICE:
        return f"lacks_any_of tests a multi-choice field, not {trigger.id!r}"
    if not all(any(type(v) is type(w) and v == w for w in valid) for v in wanted):
        return f"values {list(wanted)!r} are not all answers of {trigger.id!r}"
    return ""


_CHECK_KEYS = frozenset({"id", "level", "message", "why", "field", "value", "above", "at_least",
                         "below", "at_most", "when", "after"})
_LIMITS = ("above", "at_least", "below", "at_most")
_VALUE_KINDS = frozenset({FieldKind.NUMBER, FieldKind.INTEGER, FieldKind.SCALE, FieldKind.TIME})


def _parse_checks(raw: object, src: _Source, fields: Sequence[FieldDef],
                  taken: Mapping[str, Check]) -> tuple[Check, ...]:
    """The `[[checks]]` of one file, checked against the fields they name. `taken` holds
    the checks already read (the common fields'), which `after` may name too."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        src.fail(src.key_line("checks"), "'checks' must be a list of [[checks]] tables")
    by_id = {f.id: f for f in fields}
    checks: dict[str, Check] = dict(taken)
    own: list[Check] = []
    for data in raw:
        raw_id = data.get("id")
        line = src.claim_id_line(raw_id)
        what = f"check {raw_id!r}" if isinstance(raw_id, str) else "a check without an id"
        t = _Table(src, line, what, data, _CHECK_KEYS)
        check_id = t.ident()
        if check_id in checks:
            t.fail(f"check id {check_id!r} is used twice")
        level_raw = data.get("level")
        if level_raw not in {level.value for level in CheckLevel}:
            t.fail(f"'level' must be \"warning\" (signing needs a reason) or \"refusal\" "
                   f"(signing is refused); found {level_raw!r}")
        value = None
        if "value" in data:
            expression = data["value"]
            found = _VALUE_RE.fullmatch(expression) if isinstance(expression, str) else None
            if found is None:
                t.fail("'value' must be a field (\"mg_per_kg\"), a group's column "
                       "(\"vitals.spo2\"), a difference (\"a - b\") or min(...)/max(...) of "
                       f"a column; found {expression!r}")
            aggregate, column, left, right = found.groups()
            value = (ValueExpr(column, aggregate=aggregate) if aggregate
                     else ValueExpr(left, right))
            for path in value.paths:
                target = _path_field(by_id, path)
                if target is None:
                    t.fail(f"'value' names {path!r}, which is not a field or a group's column")
                if target.kind not in _VALUE_KINDS:
                    t.fail(f"'value' names {path!r}, which holds no number or time")
            if aggregate and "." not in value.left:
                t.fail(f"{aggregate}(...) takes a group's column, like \"vitals.spo2\"")
            kinds = {_path_field(by_id, p).kind is FieldKind.TIME  # type: ignore[union-attr]
                     for p in value.paths}
            if len(kinds) != 1:
                t.fail("'value' cannot subtract a time from a number")
        limits = {name: t.number(name) for name in _LIMITS if name in data}
        if value is not None and not limits:
            t.fail(f"a check on a value needs a limit: one of {', '.join(_LIMITS)}")
        if value is None and limits:
            t.fail("limits need a 'value' to compare")
        when = _clauses(data["when"], t.fail, "when") if "when" in data else ()
        for clause in when:
            target = _path_field(by_id, clause.field)
            if target is None:
                t.fail(f"'when' names {clause.field!r}, which is not a field or a group's "
                       "column")
            problem = clause_problem(clause, target)
            if problem:
                t.fail(f"'when' {problem}")
        after = data.get("after", [])
        if not isinstance(after, list) or not all(isinstance(a, str) for a in after):
            t.fail("'after' must list the ids of checks above it")
        for name in after:
            if name not in checks:
                t.fail(f"'after' names {name!r}, which is not a check above this one")
        if value is None and not when and not after:
            t.fail("a check needs a 'value' with a limit, 'when' clauses or 'after'")
        shown_at = data.get("field")
        if shown_at is None:
            shown_at = value.left if value is not None else when[0].field if when else None
        if shown_at is None or _path_field(by_id, shown_at) is None:
            t.fail("say which field the check is shown at: 'field' = a field or a group's "
                   "column")
        check = Check(
            id=check_id,
            level=CheckLevel(level_raw),
            message=t.text("message"),
            why=t.text("why"),
            field=shown_at,
            value=value,
            when=when,
            after=tuple(after),
            **{name: float(limit) for name, limit in limits.items() if limit is not None},
        )
        groups = {p.split(".", 1)[0] for p in (
            *(c.field for c in when),
            *(value.paths if value is not None and value.aggregate is None else ()))
            if "." in p}
        if len(groups) > 1:
            t.fail("a check can run over the rows of one group only")
        checks[check_id] = check
        own.append(check)
    return tuple(own)


@dataclass(frozen=True)
class _Common:
    version: int
    first: tuple[Section, ...]
    last: tuple[Section, ...]
    raw: Mapping[str, Any]
    source: str
    checks: tuple[Check, ...] = ()


def _read_toml(entry: Traversable) -> tuple[_Source, dict[str, Any]]:
    name = str(entry)
    data = entry.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateDefinitionError(
            name, data.count(b"\n", 0, exc.start) + 1, "the file is not UTF-8 text"
        ) from None
    src = _Source(name, text)
    try:
        return src, tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POS_RE.search(message)
        if position:
            line = int(position.group(1))
            detail = (
                f"TOML syntax error at column {position.group(2)}: {message[: position.start()]}"
            )
        else:  # tomli says "at end of document" for an unterminated final construct
            line = len(src.lines)
            detail = f"TOML syntax error: {message}"
        raise TemplateDefinitionError(name, line, detail) from None


def _parse_common(entry: Traversable, file_version: int | None) -> _Common:
    src, raw = _read_toml(entry)
    t = _Table(src, 1, "common fields", raw, {"version", "description", "sections", "checks"})
    version = t.integer("version")
    if version is None or version < 1:
        src.fail(src.key_line("version"), "'version' must be a whole number from 1 up")
    if file_version is not None and file_version != version:
        src.fail(
            src.key_line("version"), f"the file name says v{file_version}, the file says {version}"
        )
    sections, lines = _parse_sections(raw.get("sections"), src, {}, with_position=True)
    fields = [f for s, _ in sections for f in s.fields]
    _check_cross_references(src, fields, fields, lines)
    return _Common(
        version=version,
        first=tuple(s for s, pos in sections if pos == "first"),
        last=tuple(s for s, pos in sections if pos == "last"),
        raw=raw,
        source=entry.name,
        checks=_parse_checks(raw.get("checks"), src, fields, {}),
    )


def _parse_template(
    entry: Traversable, stem_id: str, file_version: int | None, commons: Mapping[int, _Common]
) -> Template:
    src, raw = _read_toml(entry)
    allowed = {"id", "version", "title", "description", "common", "sections", "checks"}
    t = _Table(src, src.claim_id_line(raw.get("id")), "template", raw, allowed)
    template_id = t.ident()
    if template_id != stem_id:
        t.fail(f"id {template_id!r} does not match the file name {entry.name!r}")
    version = raw.get("version")
    if not is_int(version) or version < 1:
        src.fail(
            src.key_line("version"),
            f"'version' must be a whole number from 1 up; found {version!r}",
        )
    if file_version is not None and file_version != version:
        src.fail(
            src.key_line("version"), f"the file name says v{file_version}, the file says {version}"
        )
    title = t.text("title")
    description = t.text("description")
    common_version = raw.get("common", 1)
    common = commons.get(common_version) if is_int(common_version) else None
    if common is None:
        src.fail(
            src.key_line("common"),
            f"uses common fields version {common_version!r}, but there is no such _common file",
        )
    common_sections = common.first + common.last
    taken = {("field", f.id): common.source for s in common_sections for f in s.fields}
    taken |= {("section", s.id): common.source for s in common_sections}
    own, lines = _parse_sections(raw.get("sections"), src, taken, with_position=False)
    sections = (*common.first, *(s for s, _ in own), *common.last)
    fields = [f for s in sections for f in s.fields]
    _check_cross_references(src, [f for s, _ in own for f in s.fields], fields, lines)
    own_checks = _parse_checks(raw.get("checks"), src, fields,
                               {c.id: c for c in common.checks})
    # Over the definition as it reads with its vocabularies spelt out: a released version
    # stays pinned even if a vocabulary it draws on were changed.
    fingerprint = hashlib.sha256(canonical_json(
        {"common": _spelt_out(common.raw), "template": _spelt_out(raw)}).encode("utf-8")
    ).hexdigest()
    return Template(
        id=template_id,
        version=version,
        title=title,
        description=description,
        sections=sections,
        source=entry.name,
        fingerprint=fingerprint,
        checks=(*common.checks, *own_checks),
    )


class TemplateRegistry:
    """Every template version found, looked up by id and version."""

    def __init__(self, templates: Iterable[Template]) -> None:
        self._by_key: dict[tuple[str, int], Template] = {}
        for template in templates:
            key = (template.id, template.version)
            if key in self._by_key:
                raise ValueError(f"template {key[0]!r} v{key[1]} given twice")
            self._by_key[key] = template

    def get(self, template_id: str, version: int) -> Template:
        """The exact version a note was written with."""
        try:
            return self._by_key[(template_id, version)]
        except KeyError:
            known = self.versions(template_id)
            have = (
                f"this installation has version(s) {', '.join(map(str, known))}"
                if known
                else "this installation has no template with that id"
            )
            raise UnknownTemplateError(
                f"The note uses template {template_id!r} version {version}, but {have}. "
                "It was probably written with a newer Integration Workstation; update it."
            ) from None

    def find(self, template_id: str, version: int) -> Template | None:
        """The exact version, or None when this installation lacks it (a note written with
        a newer Integration Workstation): for what shows a note's words where it can."""
        return self._by_key.get((template_id, version))

    def latest(self, template_id: str) -> Template:
        """The version new notes are written with."""
        known = self.versions(template_id)
        if not known:
            raise UnknownTemplateError(f"There is no note template {template_id!r}.")
        return self._by_key[(template_id, known[-1])]

    def versions(self, template_id: str) -> tuple[int, ...]:
        return tuple(sorted(v for i, v in self._by_key if i == template_id))

    def all_latest(self) -> tuple[Template, ...]:
        """Newest version of each template, in course-of-care order, unknown ids last."""
        ids = {i for i, _ in self._by_key}
        ordered = [i for i in _ORDER if i in ids] + sorted(ids - set(_ORDER))
        return tuple(self.latest(i) for i in ordered)

    def __iter__(self) -> Iterator[Template]:
        return iter(sorted(self._by_key.values(), key=lambda t: (t.id, t.version)))

    def __len__(self) -> int:
        return len(self._by_key)


def _load_directory(directory: Traversable) -> TemplateRegistry:
    entries = sorted(
        (e for e in directory.iterdir() if e.is_file() and e.name.endswith(".toml")),
        key=lambda e: e.name,
    )
    commons: dict[int, _Common] = {}
    template_entries: list[tuple[Traversable, str, int | None]] = []
    carry_entry: Traversable | None = None
    row_entry: Traversable | None = None
    entry_help: Traversable | None = None
    for entry in entries:
        if entry.name == CARRY_FORWARD_FILE:
            carry_entry = entry
            continue
        if entry.name == ROW_ENTRY_FILE:
            row_entry = entry
            continue
        if entry.name == ENTRY_HELP_FILE:
            entry_help = entry
            continue
        common_match = _COMMON_FILE_RE.fullmatch(entry.name)
        template_match = _TEMPLATE_FILE_RE.fullmatch(entry.name)
        if common_match:
            common = _parse_common(entry, _opt_int(common_match.group(1)))
            if common.version in commons:
                raise TemplateDefinitionError(
                    str(entry),
                    1,
                    f"common fields version {common.version} is also in "
                    f"{commons[common.version].source}",
                )
            commons[common.version] = common
        elif template_match:
            template_entries.append(
                (entry, template_match.group(1), _opt_int(template_match.group(2)))
            )
        else:
            raise TemplateDefinitionError(
                str(entry),
                1,
                "a template file must be named <id>.toml or <id>.v<version>.toml "
                "(lower-case id), or _common.toml for the common fields",
            )
    templates: dict[tuple[str, int], Template] = {}
    for entry, stem_id, file_version in template_entries:
        template = _parse_template(entry, stem_id, file_version, commons)
        key = (template.id, template.version)
        if key in templates:
            raise TemplateDefinitionError(
                str(entry),
                1,
                f"template {key[0]!r} version {key[1]} is also defined in {templates[key].source}; "
                "give the newer one the next version number",
            )
        templates[key] = template
    if carry_entry is not None:
        templates = _with_carry_forward(carry_entry, templates, commons)
    if row_entry is not None:
        templates = _with_row_entries(row_entry, templates)
    if entry_help is not None:
        templates = _with_entry_help(entry_help, templates, commons)
    return TemplateRegistry(templates.values())


def _with_entry_help(entry: Traversable, templates: Mapping[tuple[str, int], Template],
                     commons: Mapping[int, _Common]) -> dict[tuple[str, int], Template]:
    """The templates with the fields and sections entry_help.toml lists for them: [common]
    for the common ones, [<template id>] for a template's own (checked here: each has help
    to hide, where it is listed)."""
    src, raw = _read_toml(entry)
    common_sections = [s for c in commons.values() for s in (*c.first, *c.last)]
    listed: dict[str, dict[str, set[str]]] = {}
    for name, table in raw.items():
        line = next((n for n, text in enumerate(src.lines, start=1)
                     if text.strip() == f"[{name}]"), 1)
        versions = [t for (tid, _v), t in templates.items() if tid == name]
        if name != "common" and not versions:
            src.fail(line, f"[{name}]: there is no note template {name!r} (the common "
                           "fields are listed under [common])")
        t = _Table(src, line, f"[{name}]", table if isinstance(table, dict) else {},
                   {"fields", "sections"})
        own = [s for v in versions for s in v.sections if s not in common_sections]
        sections = common_sections if name == "common" else own
        chosen: dict[str, set[str]] = {}
        for key in ("fields", "sections"):
            ids = t.data.get(key, [])
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                t.fail(f"{key!r} must be a list of {key[:-1]} ids, like [\"target\"]")
            for item in ids:
                helps = ([f.help for s in sections for f in s.fields if f.id == item]
                         if key == "fields" else
                         [s.help for s in sections if s.id == item])
                if not helps:
                    where = "the common fields" if name == "common" else f"{name!r}'s own"
                    t.fail(f"{key!r}: {where} have no {key[:-1]} {item!r}")
                if not any(helps):
                    t.fail(f"{key!r}: {item!r} has no help to hide on a signed note")
            chosen[key] = set(ids)
        listed[name] = chosen
    common = listed.get("common", {})
    result = dict(templates)
    for (tid, version), template in templates.items():
        mine = listed.get(tid, {})

        def ids(key: str, have: set[str], mine: dict[str, set[str]] = mine) -> frozenset[str]:
            return frozenset((common.get(key, set()) | mine.get(key, set())) & have)

        result[tid, version] = dataclasses.replace(
            template, entry_help_fields=ids("fields", {f.id for f in template.fields}),
            entry_help_sections=ids("sections", {s.id for s in template.sections}))
    return result


def _with_row_entries(entry: Traversable, templates: Mapping[tuple[str, int], Template]
                      ) -> dict[tuple[str, int], Template]:
    """The templates with what row_entry.toml says of their groups' tables (checked here:
    a rating is never copied into a new row, a column signing needs is never skipped)."""
    src, raw = _read_toml(entry)
    result = dict(templates)
    for template_id, groups in raw.items():
        line = next((n for n, text in enumerate(src.lines, start=1)
                     if text.strip().startswith(f"[{template_id}.")), 1)
        versions = [t for (tid, _v), t in templates.items() if tid == template_id]
        if not versions:
            src.fail(line, f"[{template_id}]: there is no note template {template_id!r}")
        if not isinstance(groups, dict):
            src.fail(line, f"[{template_id}] must hold one table per group, like "
                           f"[{template_id}.sets]")
        entries: list[RowEntry] = []
        for group_id, table in groups.items():
            what = f"[{template_id}.{group_id}]"
            gline = next((n for n, text in enumerate(src.lines, start=1)
                          if text.strip() == what), line)
            t = _Table(src, gline, what, table if isinstance(table, dict) else {},
                       {"carried", "skipped"})
            found = [f for v in versions for f in v.fields if f.id == group_id]
            if not found or any(f.kind is not FieldKind.GROUP for f in found):
                t.fail(f"no version of {template_id!r} has a group {group_id!r}")
            lists: dict[str, tuple[str, ...]] = {}
            for key in ("carried", "skipped"):
                names = t.data.get(key, [])
                if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                    t.fail(f"{key!r} must be a list of column ids, like [\"bls_type\"]")
                for name in names:
                    columns = [c for f in found for c in f.columns if c.id == name]
                    if not columns:
                        t.fail(f"{key!r}: the group {group_id!r} has no column {name!r}")
                    for column in columns:
                        if key == "carried" and (column.kind is FieldKind.SCALE
                                                 or column.derived is not None):
                            t.fail(f"{name!r} is a rating or derived; each row has its own")
                        if key == "skipped" and column.required:
                            t.fail(f"{name!r} is required in every row; Tab must reach it")
                lists[key] = tuple(names)
            entries.append(RowEntry(group_id, lists["carried"], lists["skipped"]))
        for (tid, version), template in result.items():
            if tid == template_id:
                have = {f.id for f in template.fields}
                result[tid, version] = dataclasses.replace(
                    template, row_entries=tuple(e for e in entries if e.group in have))
    return result


def _with_carry_forward(entry: Traversable, templates: Mapping[tuple[str, int], Template],
                        commons: Mapping[int, _Common]) -> dict[tuple[str, int], Template]:
    """The templates with the fields carry_forward.toml lists for them (checked here, so a
    rating or a risk answer can never be carried into a new session's note)."""
    src, raw = _read_toml(entry)
    common_ids = {f.id for c in commons.values() for s in (*c.first, *c.last) for f in s.fields}
    result = dict(templates)
    for template_id, table in raw.items():
        line = next((n for n, text in enumerate(src.lines, start=1)
                     if text.strip() == f"[{template_id}]"), 1)
        versions = [t for (tid, _v), t in templates.items() if tid == template_id]
        if not versions:
            src.fail(line, f"[{template_id}]: there is no note template {template_id!r}")
        t = _Table(src, line, f"[{template_id}]", table if isinstance(table, dict) else {},
                   {"fields"})
        names = t.data.get("fields")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            t.fail('\'fields\' must be a list of field ids, like ["target", "plan"]')
        for name in names:
            found = [v.field(name) for v in versions if any(f.id == name for f in v.fields)]
            if not found:
                t.fail(f"no version of {template_id!r} has a field {name!r}")
            if name in common_ids:
                t.fail(f"{name!r} is a common field (session facts, risk check, private "
                       "notes): it belongs to the session it was written in")
            for f in found:
                if f.kind is FieldKind.SCALE:
                    t.fail(f"{name!r} is a rating; a rating belongs to the session it was "
                           "taken in")
                if f.private or f.derived is not None:
                    t.fail(f"{name!r} is private or derived and cannot be carried forward")
                if f.extract is not None and f.extract not in CARRY_TAGS:
                    t.fail(f"{name!r} files a figure ({f.extract}) for its own session; "
                           "it cannot be carried forward")
        for (tid, version), template in templates.items():
            if tid == template_id:
                have = {f.id for f in template.fields}
                result[tid, version] = dataclasses.replace(
                    template, carry_forward=tuple(n for n in names if n in have))
    return result


def _opt_int(text: str | None) -> int | None:
    return None if text is None else int(text)


@functools.cache
def _bundled_templates() -> TemplateRegistry:
    return _load_directory(files("resources") / "templates")


def load_templates(directory: Traversable | None = None) -> TemplateRegistry:
    """Read every template; the bundled set is read once and cached.

    `directory` (a Path or any Traversable) reads another folder afresh, for tests.
    """
    if directory is None:
        return _bundled_templates()
    return _load_directory(directory)
