"""What a note template says: field kinds, fields, sections, and the extract-tag tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any, Final

from models.values import is_blank, is_number


class FieldKind(StrEnum):
    """What a field holds; decides its widget, its JSON shape and its checks."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    SCALE = "scale"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    TIME = "time"
    YES_NO = "yes_no"
    TARGET_REF = "target_ref"
    PARTS_REF = "parts_ref"
    GROUP = "group"
    MEASURE = "measure"  # an instrument's item answers, filed in Measures when signed


@dataclass(frozen=True)
class Option:
    """One answer of a choice or multi-choice field: the stored value and the shown label."""

    value: str
    label: str


# A derived value is kept to this many decimals: 35 mg / 70.5 kg is stored as 0.496, and an
# entered value is compared with the calculation at the same precision.
DERIVED_DIGITS: Final = 3


def operand_value(content: Mapping[str, Any], operand: str) -> float | None:
    """A derivation's operand: a number field's value, or the sum of a group's column."""
    if "." in operand:
        group, column = operand.split(".", 1)
        rows = content.get(group)
        if not isinstance(rows, list):
            return 0.0
        return float(sum(row[column] for row in rows
                         if isinstance(row, Mapping) and is_number(row.get(column))))
    value = content.get(operand)
    return float(value) if is_number(value) else None


@dataclass(frozen=True)
class Derivation:
    """A number worked out from two other number fields, e.g. mg/kg = dose_mg / weight_kg."""

    left: str
    operator: str
    right: str

    def value_in(self, content: Mapping[str, Any]) -> float | None:
        """The value for this note's content; None until both inputs are numbers, or when the
        result is undefined (a division by zero). An operand "group.column" is the sum of that
        column over the group's rows (0 with no rows: no boosters add nothing)."""
        left, right = operand_value(content, self.left), operand_value(content, self.right)
        if left is None or right is None:
            return None
        result = self.compute(left, right)
        return None if result is None else round(result, DERIVED_DIGITS)

    def compute(self, left: float, right: float) -> float | None:
        if self.operator == "/":
            return None if right == 0 else left / right
        if self.operator == "*":
            return left * right
        if self.operator == "+":
            return left + right
        return left - right

    def __str__(self) -> str:
        return f"{self.left} {self.operator} {self.right}"


def _same(value: object, wanted: str | bool) -> bool:
    # Compare types too: True == 1 in Python, but a yes/no answer is not a number.
    return type(value) is type(wanted) and value == wanted


@dataclass(frozen=True)
class Clause:
    """One test of one field's answer: it is one of `any_of`, none of `none_of`, it lacks
    one or more of `lacks_any_of` (a multi-choice not ticked through), or (with `filled`) it
    is or is not filled in. A multi-choice answer holds a value when that value is among
    those chosen. `field` may name a column of a group ("vitals.spo2"), tested row by row.
    An unanswered field holds none of these except `filled = false`."""

    field: str
    any_of: tuple[str | bool, ...] = ()
    none_of: tuple[str | bool, ...] = ()
    lacks_any_of: tuple[str | bool, ...] = ()
    filled: bool | None = None

    def holds_for(self, value: object) -> bool:
        if self.filled is not None:
            return is_blank(value) != self.filled
        if is_blank(value):  # an unanswered field neither has nor lacks a value
            return False
        chosen = value if isinstance(value, list) else [value]
        if self.any_of and not any(_same(v, w) for v in chosen for w in self.any_of):
            return False
        if self.lacks_any_of and all(any(_same(v, w) for v in chosen)
                                     for w in self.lacks_any_of):
            return False
        return not (self.none_of and any(_same(v, w) for v in chosen for w in self.none_of))

    @property
    def values(self) -> tuple[str | bool, ...]:
        return self.any_of or self.none_of or self.lacks_any_of

    def holds(self, content: Mapping[str, Any]) -> bool:
        return self.holds_for(content.get(self.field))


@dataclass(frozen=True)
class Condition:
    """`required_if`: a field becomes required to sign when any of its clauses holds."""

    clauses: tuple[Clause, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.field for c in self.clauses))

    def holding(self, content: Mapping[str, Any]) -> Clause | None:
        """The first clause that holds, if any (it says why the field is required)."""
        return next((c for c in self.clauses if c.holds(content)), None)

    def holds(self, content: Mapping[str, Any]) -> bool:
        return self.holding(content) is not None


class CheckLevel(StrEnum):
    """What a check does when it fires."""

    WARNING = "warning"  # signing needs it acknowledged, with a reason
    REFUSAL = "refusal"  # the note cannot be signed until the value is corrected


@dataclass(frozen=True)
class ValueExpr:
    """What a check compares: a field ("mg_per_kg"), a column per row ("vitals.spo2"), the
    difference of two ("discharge_ready_time - dose_time", in minutes for times), or the
    lowest or highest of a column over all rows ("min(vitals.minutes_from_dose)")."""

    left: str
    right: str | None = None
    aggregate: str | None = None  # "min" or "max"

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.left,) if self.right is None else (self.left, self.right)

    def __str__(self) -> str:
        if self.aggregate:
            return f"{self.aggregate}({self.left})"
        return self.left if self.right is None else f"{self.left} - {self.right}"


@dataclass(frozen=True)
class Check:
    """A range or consistency check written in the template, with its reason.

    It fires when every `when` clause holds, when (with `after`) one of those checks fired
    too, and when its value is `above`, `at_least`, `below` or `at_most` its limit (any one
    of those it gives). A check on a group's column runs once per row. A check whose value
    is not filled in does not fire: a missing value is the required-field rule's business.
    """

    id: str
    level: CheckLevel
    message: str  # what was found, as a phrase: "Systolic BP at or above 180 mmHg"
    why: str  # why it matters and what to do
    field: str  # where it is shown: a field id or "group.column"
    value: ValueExpr | None = None
    above: float | None = None
    at_least: float | None = None
    below: float | None = None
    at_most: float | None = None
    when: tuple[Clause, ...] = ()
    after: tuple[str, ...] = ()

    @property
    def group(self) -> str | None:
        """The group whose rows this check runs over, if it names a column per row."""
        paths = [c.field for c in self.when]
        if self.value is not None and self.value.aggregate is None:
            paths.extend(self.value.paths)
        groups = {p.split(".", 1)[0] for p in paths if "." in p}
        return next(iter(groups)) if groups else None

    def limits_hit(self, value: float) -> bool:
        return ((self.above is not None and value > self.above)
                or (self.at_least is not None and value >= self.at_least)
                or (self.below is not None and value < self.below)
                or (self.at_most is not None and value <= self.at_most))


@dataclass(frozen=True)
class FieldDef:
    """One field of a template, or one column of a repeating group."""

    id: str
    label: str
    kind: FieldKind
    help: str = ""
    required: bool = False
    private: bool = False
    extract: str | None = None
    options: tuple[Option, ...] = ()
    minimum: int | float | None = None
    maximum: int | float | None = None
    unit: str | None = None
    anchors: tuple[tuple[int, str], ...] = ()
    max_length: int | None = None
    target_kind: str | None = None  # a target_ref: the kind of target it takes
    multiple: bool = False
    part_types: tuple[str, ...] = ()  # a parts_ref: the types of part it takes (all if none)
    columns: tuple[FieldDef, ...] = ()
    min_rows: int = 0
    max_rows: int | None = None
    derived: Derivation | None = None
    required_if: Condition | None = None
    instruments: tuple[str, ...] = ()  # a measure field: the instruments it may record

    def takes_target(self, kind: str) -> bool:
        """Whether this field takes a target of this kind (an ART note's scene is an ART
        target): the note window's choices and the signing check both ask."""
        return self.target_kind is None or kind == self.target_kind

    def takes_part(self, part_type: str) -> bool:
        """Whether this field takes a part of this type (a main protector is never an
        exile): the note window's choices and the signing check both ask."""
        return not self.part_types or part_type in self.part_types

    def option_label(self, value: str) -> str:
        """The label shown for a stored choice value (the value itself if it is unknown)."""
        return next((o.label for o in self.options if o.value == value), value)

    def column(self, column_id: str) -> FieldDef:
        for col in self.columns:
            if col.id == column_id:
                return col
        raise KeyError(f"group {self.id!r} has no column {column_id!r}")


@dataclass(frozen=True)
class RowEntry:
    """How a group's table takes a new row (resources/templates/row_entry.toml): the columns
    a new row copies from the row above, and the rarely used ones Tab passes over."""

    group: str
    carried: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A titled block of fields; the form, the PDF and the validation follow this layout."""

    id: str
    title: str
    fields: tuple[FieldDef, ...]
    help: str = ""


@dataclass(frozen=True)
class Template:
    """One version of a note template, common fields already merged in."""

    id: str
    version: int
    title: str
    description: str
    sections: tuple[Section, ...]
    source: str
    # SHA-256 of the definition as read (template + common fields): a note can record it
    # and a test can pin it, so a released version is never edited in place.
    fingerprint: str
    # The fields a new note may take from the client's last signed note of this kind
    # (resources/templates/carry_forward.toml; not part of the fingerprint).
    carry_forward: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()
    # How each group's table takes new rows (resources/templates/row_entry.toml; not part of
    # the fingerprint either).
    row_entries: tuple[RowEntry, ...] = ()
    # The fields and sections whose help says how to enter a value, not what it means: shown
    # while a note is written, not on a signed one (resources/templates/entry_help.toml;
    # not part of the fingerprint).
    entry_help_fields: frozenset[str] = frozenset()
    entry_help_sections: frozenset[str] = frozenset()

    def row_entry(self, group_id: str) -> RowEntry:
        """The row-entry aids of a group (none for a group the file does not list)."""
        return next((e for e in self.row_entries if e.group == group_id), RowEntry(group_id))

    # Worked out once per template (validation, extraction and the windows ask often).
    @cached_property
    def fields(self) -> tuple[FieldDef, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    @cached_property
    def _by_id(self) -> dict[str, FieldDef]:
        return {f.id: f for f in self.fields}

    @cached_property
    def _by_tag(self) -> dict[str, FieldDef]:
        tagged: dict[str, FieldDef] = {}
        for f in self.fields:
            if f.extract is not None:
                tagged.setdefault(f.extract, f)
        return tagged

    def field(self, field_id: str) -> FieldDef:
        found = self._by_id.get(field_id)
        if found is None:
            raise KeyError(f"template {self.id!r} v{self.version} has no field {field_id!r}")
        return found

    def path_field(self, path: str) -> FieldDef:
        """The field a path names: "mg_per_kg", or a group's column "vitals.spo2"."""
        if "." in path:
            group, column = path.split(".", 1)
            return self.field(group).column(column)
        return self.field(path)

    def path_label(self, path: str) -> str:
        """A path as the therapist reads it: "Vitals: SpO2", "Dose per kg"."""
        if "." in path:
            group, column = path.split(".", 1)
            return f"{self.field(group).label}: {self.field(group).column(column).label}"
        return self.field(path).label

    def field_for_tag(self, tag: str) -> FieldDef | None:
        """The top-level field carrying an extract tag, if this template has one."""
        return self._by_tag.get(tag)


# A note's content may hold this key beside its fields: which fields were carried forward
# from an earlier note and not yet edited ({"from_note": id, "fields": [...]}).
CARRIED_FORWARD_KEY: Final = "_carried_forward"
# Content keys that are no field of any template (a field id never starts with "_").
RESERVED_KEYS: Final = frozenset({CARRIED_FORWARD_KEY})


class TemplateDefinitionError(ValueError):
    """A template file cannot be used; the message names the file and the line."""

    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(f"{file}, line {line}: {message}")
        self.file = file
        self.line = line
        self.message = message


class UnknownTemplateError(LookupError):
    """A note asks for a template id or version this installation does not have."""


# --------------------------------------------------------------------------- extract tags

_K = FieldKind

# Tag -> (kinds allowed, the range the receiving table expects or None). The ranges are
# fixed because the figures land in shared histories: a target's SUD chart is 0..10
# whichever template wrote it.
FIELD_TAGS: Final[dict[str, tuple[frozenset[FieldKind], tuple[int, int] | None]]] = {
    "target": (frozenset({_K.TARGET_REF}), None),
    "target.sud_start": (frozenset({_K.SCALE}), (0, 10)),
    "target.sud_end": (frozenset({_K.SCALE}), (0, 10)),
    "target.voc_start": (frozenset({_K.SCALE}), (1, 7)),
    "target.voc_end": (frozenset({_K.SCALE}), (1, 7)),
    "reeval.target": (frozenset({_K.TARGET_REF}), None),
    "reeval.sud": (frozenset({_K.SCALE}), (0, 10)),
    "reeval.voc": (frozenset({_K.SCALE}), (1, 7)),
    "dosing.dose_mg": (frozenset({_K.NUMBER}), None),
    "dosing.weight_kg": (frozenset({_K.NUMBER}), None),
    "dosing.mg_per_kg": (frozenset({_K.NUMBER}), None),
    "dosing.dose_time": (frozenset({_K.TIME}), None),
    "dosing.boosters": (frozenset({_K.GROUP}), None),
    "dosing.vitals": (frozenset({_K.GROUP}), None),
    "dosing.dissociation": (frozenset({_K.MEASURE}), None),
    "dosing.cadss_total": (frozenset({_K.INTEGER}), (0, 92)),
    "dosing.cadss6": (frozenset({_K.INTEGER}), (0, 24)),
    "dosing.moaas": (frozenset({_K.SCALE}), (0, 5)),
    "ifs.self_energy": (frozenset({_K.SCALE}), (0, 10)),
    "ifs.parts_worked": (frozenset({_K.PARTS_REF}), None),
    "ifs.part_status_changes": (frozenset({_K.GROUP}), None),
}

# Column tags, valid only inside a group carrying the given tag.
COLUMN_TAGS: Final[dict[str, dict[str, frozenset[FieldKind]]]] = {
    "dosing.vitals": {
        "minutes_from_dose": frozenset({_K.INTEGER}),
        "systolic": frozenset({_K.INTEGER}),
        "diastolic": frozenset({_K.INTEGER}),
        "heart_rate": frozenset({_K.INTEGER}),
        "respiratory_rate": frozenset({_K.INTEGER}),
        "spo2": frozenset({_K.INTEGER}),
        "moaas": frozenset({_K.SCALE}),
    },
    "dosing.boosters": {
        "minutes_from_dose": frozenset({_K.INTEGER}),
        "dose_mg": frozenset({_K.NUMBER}),
    },
    "ifs.part_status_changes": {
        "part": frozenset({_K.PARTS_REF}),
        "status": frozenset({_K.CHOICE}),
    },
}

# A rating means nothing without the thing it rates.
TAG_NEEDS: Final[dict[str, str]] = {
    "target.sud_start": "target",
    "target.sud_end": "target",
    "target.voc_start": "target",
    "target.voc_end": "target",
    "reeval.sud": "reeval.target",
    "reeval.voc": "reeval.target",
}

# An extracted group is useless without these columns: a status change names a part and a status.
GROUP_NEEDS_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "ifs.part_status_changes": ("part", "status"),
    "dosing.boosters": ("minutes_from_dose", "dose_mg"),
}

EXTRACT_TAGS: Final[tuple[str, ...]] = tuple(FIELD_TAGS)

# A carried field may be tagged only as a reference (the target or parts still being
# worked); every other tag marks a figure that belongs to the session that measured it.
CARRY_TAGS: Final = frozenset({"target", "reeval.target", "ifs.parts_worked"})

