"""A template's range and consistency checks run over a note, and the reasons given for them.

A check that fires is a `Caution`. A refusal keeps the note from being signed until the
value is corrected (the validation lists it with the other problems). A warning may be
signed past, but only with a reason: the reasons are kept in the note's content under
`acknowledgements`, so they are signed, hashed and locked with it. A reason answers one
warning about one value: change the value and the warning asks again.

The window and the backend both show `Caution.message` and `Caution.why`: one wording.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from models.formatting import number_text
from models.templates.definitions import Check, CheckLevel, FieldDef, FieldKind, Template
from models.templates.loading import ACKNOWLEDGEMENTS
from models.values import is_blank, is_int, is_number

__all__ = [
    "ACKNOWLEDGEMENTS",
    "Caution",
    "CautionKey",
    "acknowledgement_problems",
    "answered",
    "answered_heading",
    "cautions",
    "given_reasons",
    "unacknowledged",
    "with_reasons",
]

CautionKey = tuple[str, int | None, str | None]


@dataclass(frozen=True)
class Caution:
    """One check that fired on one value (one row, for a check over a group)."""

    check_id: str
    level: CheckLevel
    field_path: str  # where to show it: "vitals[1].systolic", "mg_per_kg"
    label: str  # "Vitals, row 2: Systolic BP"
    message: str  # the finding as a sentence, value included
    why: str  # why it matters and what to do
    row: int | None = None
    value: str | None = None  # the value as shown: what a reason answers for

    @property
    def key(self) -> CautionKey:
        return (self.check_id, self.row, self.value)

    @property
    def text(self) -> str:
        """The finding and its reason, as one line (problem lists, tooltips)."""
        return f"{self.message} {self.why}"


def _minutes(value: object) -> float | None:
    """A stored time "14:05" as minutes after midnight."""
    if isinstance(value, str) and len(value) == 5 and value[2] == ":" \
            and value[:2].isdigit() and value[3:].isdigit():
        return int(value[:2]) * 60 + int(value[3:])
    return None


def _number(f: FieldDef, value: object) -> float | None:
    if f.kind is FieldKind.TIME:
        return _minutes(value)
    return float(value) if is_number(value) else None


def _lookup(template: Template, path: str, content: Mapping[str, Any],
            row: Mapping[str, Any] | None) -> object:
    if "." in path:
        return row.get(path.split(".", 1)[1]) if row is not None else None
    return content.get(path)


def _measured(template: Template, check: Check, content: Mapping[str, Any],
              row: Mapping[str, Any] | None) -> float | None:
    """The checked value, or None when not filled."""
    expr = check.value
    if expr is None:
        return None
    left_field = template.path_field(expr.left)
    if expr.aggregate is not None:
        group, column = expr.left.split(".", 1)
        rows = content.get(group)
        found = [_number(left_field, r.get(column)) for r in rows or []
                 if isinstance(r, Mapping)] if isinstance(rows, list) else []
        numbers = [n for n in found if n is not None]
        if not numbers:
            return None
        result = min(numbers) if expr.aggregate == "min" else max(numbers)
    else:
        left = _number(left_field, _lookup(template, expr.left, content, row))
        if left is None:
            return None
        result = left
        if expr.right is not None:
            right = _number(template.path_field(expr.right),
                            _lookup(template, expr.right, content, row))
            if right is None:
                return None
            result = left - right
    return result


def _reading(template: Template, check: Check, result: float) -> str:
    """How a checked value reads in the warning: "184 mmHg", "95 min", "10:40"."""
    expr = check.value
    assert expr is not None  # a value was measured
    left_field = template.path_field(expr.left)
    if left_field.kind is FieldKind.TIME:
        unit = "min" if expr.right is not None else ""
        shown = number_text(result) if expr.right is not None else \
            f"{int(result) // 60:02d}:{int(result) % 60:02d}"
    else:
        unit = left_field.unit or ""
        shown = number_text(result)
    return f"{shown} {unit}".strip()


def _clauses_hold(check: Check, content: Mapping[str, Any],
                  row: Mapping[str, Any] | None) -> bool:
    for clause in check.when:
        if "." in clause.field:
            value = row.get(clause.field.split(".", 1)[1]) if row is not None else None
        else:
            value = content.get(clause.field)
        if not clause.holds_for(value):
            return False
    return True


def cautions(template: Template, content: Mapping[str, Any]) -> list[Caution]:
    """Every check of the template that fires on this content, in the template's order."""
    fired: set[str] = set()
    result: list[Caution] = []
    for check in template.checks:
        if check.after and not fired.intersection(check.after):
            continue
        group = check.group
        if group is None:
            rows: Sequence[tuple[int | None, Mapping[str, Any] | None]] = [(None, None)]
        else:
            raw = content.get(group)
            rows = [(i, r) for i, r in enumerate(raw) if isinstance(r, Mapping)] \
                if isinstance(raw, list) else []
        for index, row in rows:
            if not _clauses_hold(check, content, row):
                continue
            value = _measured(template, check, content, row)
            if check.value is not None and (value is None or not check.limits_hit(value)):
                continue
            # How the value reads is worked out only for a check that fires.
            measured = (value, _reading(template, check, value)) if value is not None else None
            fired.add(check.id)
            result.append(_caution(template, check, index, measured))
    return result


def _caution(template: Template, check: Check, row: int | None,
             measured: tuple[float, str] | None) -> Caution:
    shown = measured[1] if measured is not None else None
    if "." in check.field:
        group_id, column_id = check.field.split(".", 1)
        group = template.field(group_id)
        where = f"{group.label}, row {row + 1}" if row is not None else group.label
        label = f"{where}: {group.column(column_id).label}"
        path = f"{group_id}[{row}].{column_id}" if row is not None else group_id
        lead = f"{where}: " if row is not None else ""
    else:
        label = template.field(check.field).label
        path = check.field
        lead = ""
    found = f" ({shown})" if shown else ""
    message = f"{lead}{check.message}{found}."
    return Caution(check.id, check.level, path, label, message, check.why, row, shown)


# --------------------------------------------------------------------------- reasons


def given_reasons(content: Mapping[str, Any]) -> dict[CautionKey, str]:
    """The reasons stored in a note, by the warning each answers (unreadable ones skipped:
    the validation reports them)."""
    reasons: dict[CautionKey, str] = {}
    raw = content.get(ACKNOWLEDGEMENTS)
    if not isinstance(raw, list):
        return reasons
    for entry in raw:
        if isinstance(entry, Mapping) and isinstance(entry.get("check"), str) \
                and isinstance(entry.get("reason"), str) and entry["reason"].strip():
            row = entry.get("row")
            value = entry.get("value")
            reasons[(entry["check"], row if is_int(row) else None,
                     value if isinstance(value, str) else None)] = entry["reason"]
    return reasons


def unacknowledged(found: Iterable[Caution], content: Mapping[str, Any]) -> list[Caution]:
    """The warnings among `found` that no stored reason answers."""
    reasons = given_reasons(content)
    return [c for c in found if c.level is CheckLevel.WARNING and c.key not in reasons]


def with_reasons(content: Mapping[str, Any], found: Iterable[Caution],
                 reasons: Mapping[CautionKey, str] | None = None) -> dict[str, Any]:
    """A copy of content whose reasons answer exactly the warnings in `found`: new reasons
    (`reasons`) are added, a reason for a warning that no longer fires is dropped, and no
    list is kept when there is nothing to answer."""
    known = given_reasons(content) | dict(reasons or {})
    entries = []
    for caution in found:
        reason = known.get(caution.key, "")
        if caution.level is CheckLevel.WARNING and reason.strip():
            entries.append({"check": caution.check_id, "row": caution.row,
                            "value": caution.value, "reason": reason.strip()})
    result = {k: v for k, v in content.items() if k != ACKNOWLEDGEMENTS}
    if entries:
        result[ACKNOWLEDGEMENTS] = entries
    return result


def answered(template: Template, content: Mapping[str, Any],
             record: Sequence[Caution] = ()) -> list[tuple[Caution, str]]:
    """Each warning a note answers with a reason, with that reason: the template's, and
    those from the rest of the record (`record`) that the caller knows."""
    reasons = given_reasons(content)
    if not reasons:  # most notes: no check needs running to know there is nothing
        return []
    found = {c.key: c for c in (*cautions(template, content), *record)}
    return [(found[key], reason) for key, reason in reasons.items() if key in found]


def answered_heading(count: int, *, signed: bool) -> str:
    """The title over a note's warnings and their reasons: 'Signed past 2 warnings'."""
    return (("Signed past " if signed else "Reasons given for ")
            + f"{count} warning{'s' if count != 1 else ''}")


def acknowledgement_problems(raw: object) -> list[str]:
    """What is wrong with a stored list of reasons ([] when it is absent or right)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        return ["The reasons given for warnings are not readable; give them again."]
    for entry in raw:
        if (not isinstance(entry, Mapping)
                or set(entry) != {"check", "row", "value", "reason"}
                or not isinstance(entry["check"], str)
                or not (entry["row"] is None or is_int(entry["row"]))
                or not (entry["value"] is None or isinstance(entry["value"], str))
                or not isinstance(entry["reason"], str)):
            return ["The reasons given for warnings are not readable; give them again."]
        if is_blank(entry["reason"]):
            return ["A warning was acknowledged without a reason; give the reason."]
    return []
