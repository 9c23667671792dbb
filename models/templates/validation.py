"""What keeps a note from saving or signing, said so the therapist can fix it."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from models.instruments.loading import load_instruments
from models.templates.checks import (
    ACKNOWLEDGEMENTS,
    Caution,
    acknowledgement_problems,
    cautions,
)
from models.templates.definitions import (
    DERIVED_DIGITS,
    RESERVED_KEYS,
    TAG_NEEDS,
    CheckLevel,
    Clause,
    FieldDef,
    FieldKind,
    Template,
)
from models.values import is_blank, is_id, is_int, is_number


@dataclass(frozen=True)
class Problem:
    """One thing that keeps a note from saving or signing, said so the user can fix it."""

    field_path: str
    label: str
    message: str


@dataclass(frozen=True)
class SigningCheck:
    """What stands between a note and its signature: problems to fix (refusals), and the
    warnings it raises, each answered by a reason or not yet."""

    problems: tuple[Problem, ...] = ()
    cautions: tuple[Caution, ...] = ()  # every warning, answered or not
    unanswered: tuple[Caution, ...] = ()  # the warnings still waiting for a reason

    @property
    def ready(self) -> bool:
        return not self.problems and not self.unanswered


# Used with fullmatch and ASCII digits only: "12:30\n" or Arabic-Indic digits are not times.
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME_RE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def _not_entered(value: object) -> bool:
    """Blank, except an empty mapping: no field kind stores a mapping, so `{}` is reported as
    a value of the wrong kind rather than passed as "not filled in" into a signed note."""
    return is_blank(value) and not isinstance(value, dict)


def _shown(value: object) -> str:
    """A value as the user would recognise it in a message."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _answer(f: FieldDef, value: object) -> str:
    """A yes/no or choice answer as its label: 'Yes', 'Present, with plan'."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return f.option_label(value) if isinstance(value, str) else _shown(value)


def _num(value: int | float | None) -> str:
    """A bound or entry in a message: 5 rather than 5.0, and never rounded."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _range_text(f: FieldDef) -> str:
    unit = f" {f.unit}" if f.unit else ""
    if f.minimum is not None and f.maximum is not None:
        return f"between {_num(f.minimum)} and {_num(f.maximum)}{unit}"
    if f.minimum is not None:
        return f"at least {_num(f.minimum)}{unit}"
    if f.maximum is not None:
        return f"at most {_num(f.maximum)}{unit}"
    return ""


def _fill_hint(f: FieldDef) -> str:
    match f.kind:
        case FieldKind.TEXT | FieldKind.LONG_TEXT:
            return "fill it in"
        case FieldKind.CHOICE:
            return "choose one option"
        case FieldKind.MULTI_CHOICE:
            return "choose at least one option"
        case FieldKind.SCALE:
            return f"pick a rating from {_num(f.minimum)} to {_num(f.maximum)}"
        case FieldKind.INTEGER | FieldKind.NUMBER:
            limits = _range_text(f)
            return f"enter a number {limits}" if limits else "enter a number"
        case FieldKind.DATE:
            return "enter a date"
        case FieldKind.TIME:
            return "enter a time"
        case FieldKind.YES_NO:
            return "answer yes or no"
        case FieldKind.TARGET_REF:
            return "choose a target memory (or add a new one)"
        case FieldKind.PARTS_REF:
            return "choose at least one part" if f.multiple else "choose a part"
        case FieldKind.GROUP:
            rows = max(f.min_rows, 1)
            return f"add at least {rows} row{'s' if rows != 1 else ''}"
        case FieldKind.MEASURE:
            return "answer its items"
    return "fill it in"  # pragma: no cover - every kind is matched above


def _check_value(
    f: FieldDef, value: object, path: str, label: str, *, for_signing: bool
) -> list[Problem]:
    """Problems with one present (non-blank) value of field `f`."""

    def problem(message: str) -> list[Problem]:
        return [Problem(path, label, message)]

    def entered() -> str:  # worked out only for a message: most values are fine
        return f"you entered {_shown(value)}"
    match f.kind:
        case FieldKind.TEXT | FieldKind.LONG_TEXT:
            if not isinstance(value, str):
                return problem(f"{label} must be text; {entered()}.")
            if f.max_length is not None and len(value) > f.max_length:
                return problem(
                    f"{label} is {len(value)} characters long; shorten it to at most "
                    f"{f.max_length}."
                )
        case FieldKind.CHOICE:
            if not isinstance(value, str) or value not in {o.value for o in f.options}:
                choices = ", ".join(o.label for o in f.options)
                return problem(
                    f"{label} must be one of: {choices}; {entered()}. Choose one of them.")
        case FieldKind.MULTI_CHOICE:
            if not isinstance(value, list):
                return problem(f"{label} must be a list of options; {entered()}.")
            known = {o.value for o in f.options}
            for item in value:
                if not isinstance(item, str) or item not in known:
                    choices = ", ".join(o.label for o in f.options)
                    return problem(
                        f"{label}: {_shown(item)} is not one of the options ({choices}); "
                        "choose from them."
                    )
            repeated = [v for v, n in Counter(value).items() if n > 1]
            if repeated:
                return problem(
                    f"{label}: {f.option_label(repeated[0])} is chosen more than once; "
                    "choose it once."
                )
        case FieldKind.SCALE | FieldKind.INTEGER:
            if not is_int(value):
                limits = _range_text(f)
                return problem(
                    f"{label} must be a whole number{' ' + limits if limits else ''}; {entered()}."
                )
            return _check_range(f, value, path, label)
        case FieldKind.NUMBER:
            if not is_number(value):
                limits = _range_text(f)
                return problem(
                    f"{label} must be a number{' ' + limits if limits else ''}; {entered()}."
                )
            return _check_range(f, value, path, label)
        case FieldKind.DATE:
            if (
                not isinstance(value, str)
                or not _DATE_RE.fullmatch(value)
                or not _valid_date(value)
            ):
                return problem(
                    f"{label} must be a real date written YYYY-MM-DD, like 2024-03-09; {entered()}."
                )
        case FieldKind.TIME:
            if not isinstance(value, str) or not _TIME_RE.fullmatch(value):
                return problem(
                    f"{label} must be a time written HH:MM on the 24-hour clock, like 09:30 "
                    f"or 14:05; {entered()}."
                )
        case FieldKind.YES_NO:
            if not isinstance(value, bool):
                return problem(f"{label} must be answered yes or no (true or false); {entered()}.")
        case FieldKind.TARGET_REF:
            if not is_id(value):
                return problem(
                    f"{label} must be the id of a target memory (a whole number above 0); "
                    f"{entered()}. Choose the target from the list."
                )
        case FieldKind.PARTS_REF:
            if not isinstance(value, list) or not all(is_id(v) for v in value):
                return problem(
                    f"{label} must be a list of part ids (whole numbers above 0); {entered()}. "
                    "Choose the parts from the list."
                )
            if not f.multiple and len(value) > 1:
                return problem(f"{label} takes one part; you chose {len(value)}. Keep one.")
            if len(set(value)) != len(value):
                return problem(f"{label} lists the same part more than once; list it once.")
        case FieldKind.GROUP:
            return _check_group(f, value, path, label, for_signing=for_signing)
        case FieldKind.MEASURE:
            return _check_measure(f, value, path, label, for_signing=for_signing)
    return []


def _check_measure(
    f: FieldDef, value: object, path: str, label: str, *, for_signing: bool
) -> list[Problem]:
    """An instrument's item answers: {"instrument": id, "minutes_from_dose": n,
    "answers": {"1": 0..4, ...}}. To sign, every item is answered and the time is given."""

    def problem(message: str) -> list[Problem]:
        return [Problem(path, label, message)]

    known = load_instruments()
    names = " or ".join(known[i].short_name for i in f.instruments if i in known)
    if not isinstance(value, Mapping) or set(value) - {"instrument", "minutes_from_dose",
                                                        "answers"}:
        return problem(f"{label} must hold an instrument, its time and its item answers; "
                       f"found {_shown(value)}.")
    chosen = value.get("instrument")
    instrument = known.get(chosen) if isinstance(chosen, str) and chosen in f.instruments \
        else None
    if instrument is None:
        return problem(f"{label}: choose {names}.")
    answers = value.get("answers", {})
    if not isinstance(answers, Mapping):
        return problem(f"{label}: the item answers are not readable; enter them again.")
    problems: list[Problem] = []
    for key, answer in answers.items():
        number = int(key) if isinstance(key, str) and key.isdigit() else None
        item = instrument.items_by_number.get(number) if number is not None else None
        if item is None:
            return problem(f"{label}: {instrument.short_name} has no item {key}.")
        if answer is not None and (not is_int(answer)
                                   or not item.min_value <= answer <= item.max_value):
            problems.append(Problem(path, label,
                                    f"{label}: {instrument.short_name} item {number} must be a "
                                    f"whole number from {item.min_value} to {item.max_value}; "
                                    f"you entered {_shown(answer)}."))
    minutes = value.get("minutes_from_dose")
    if minutes is not None and (not is_int(minutes) or not -240 <= minutes <= 720):
        problems.append(Problem(path, label, f"{label}: minutes from the dose must be a whole "
                                f"number from -240 to 720; you entered {_shown(minutes)}."))
    if for_signing and not problems:
        missing = [item.number for item in instrument.items
                   if answers.get(str(item.number)) is None]
        if missing:
            listed = ", ".join(map(str, missing[:6])) + ("…" if len(missing) > 6 else "")
            problems.append(Problem(path, label,
                                    f"{label}: {instrument.short_name} item"
                                    f"{'s' if len(missing) > 1 else ''} {listed} "
                                    f"{'are' if len(missing) > 1 else 'is'} not answered; "
                                    "answer every item, or clear the reading."))
        if minutes is None:
            problems.append(Problem(path, label, f"{label}: say when it was given, in "
                                    "minutes from the dose."))
    return problems


def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _check_range(f: FieldDef, value: float, path: str, label: str) -> list[Problem]:
    too_low = f.minimum is not None and value < f.minimum
    too_high = f.maximum is not None and value > f.maximum
    if too_low or too_high:
        unit = f" {f.unit}" if f.unit else ""
        return [
            Problem(
                path, label, f"{label} must be {_range_text(f)}; you entered {_num(value)}{unit}."
            )
        ]
    return []


def _check_group(
    f: FieldDef, value: object, path: str, label: str, *, for_signing: bool
) -> list[Problem]:
    if not isinstance(value, list):
        return [
            Problem(path, label, f"{label} must be a list of rows; you entered {_shown(value)}.")
        ]
    problems: list[Problem] = []
    if f.max_rows is not None and len(value) > f.max_rows:
        extra = len(value) - f.max_rows
        problems.append(
            Problem(
                path,
                label,
                f"{label} has {len(value)} rows; at most {f.max_rows} are allowed. Remove {extra}.",
            )
        )
    if for_signing and len(value) < f.min_rows:
        problems.append(
            Problem(
                path,
                label,
                f"{label} has {len(value)} row{'s' if len(value) != 1 else ''}; at least "
                f"{f.min_rows} are needed to sign. Add {f.min_rows - len(value)} more.",
            )
        )
    known = {c.id for c in f.columns}
    for index, row in enumerate(value):
        row_path, row_label = f"{path}[{index}]", f"{label}, row {index + 1}"
        if not isinstance(row, Mapping):
            problems.append(
                Problem(
                    row_path,
                    row_label,
                    f"{row_label} must be a set of column values; found {_shown(row)}.",
                )
            )
            continue
        for key in row:
            if key not in known:
                problems.append(
                    Problem(
                        f"{row_path}.{key}",
                        row_label,
                        f"{row_label} has a value {key!r} that is not a column of {label}; "
                        "remove it.",
                    )
                )
        for column in f.columns:
            problems.extend(
                _check_field(
                    column,
                    row.get(column.id),
                    f"{row_path}.{column.id}",
                    f"{row_label}: {column.label}",
                    for_signing=for_signing,
                    required=column.required,
                )
            )
    return problems


def _check_field(
    f: FieldDef,
    value: object,
    path: str,
    label: str,
    *,
    for_signing: bool,
    required: bool,
    because: str = "",
) -> list[Problem]:
    if _not_entered(value):
        if for_signing and required:
            message = f"{label} is required to sign this note{because}; {_fill_hint(f)}."
            return [Problem(path, label, message)]
        return []
    return _check_value(f, value, path, label, for_signing=for_signing)


def _check_derived(template: Template, content: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    fresh = derive_values(template, content)
    for f in template.fields:
        value = content.get(f.id)
        if f.derived is None or not is_number(value):  # blank is not a number either
            continue
        expected = fresh.get(f.id)
        inputs = " and ".join(template.path_label(i) for i in (f.derived.left, f.derived.right))
        if expected is None:
            problems.append(
                Problem(
                    f.id,
                    f.label,
                    f"{f.label} is calculated from {inputs}; enter both, or clear {f.label}.",
                )
            )
        elif round(float(value), DERIVED_DIGITS) != expected:
            problems.append(
                Problem(
                    f.id,
                    f.label,
                    f"{f.label} is calculated from {inputs}: it should be "
                    f"{_num(expected)}, not {_num(value)}. Recalculate it.",
                )
            )
    return problems


def _check_links(template: Template, content: Mapping[str, Any]) -> list[Problem]:
    """A rating can only be filed under a target; say so before signing, not after."""
    problems: list[Problem] = []
    for owner_tag in ("target", "reeval.target"):
        owner = template.field_for_tag(owner_tag)
        if owner is None or not _not_entered(content.get(owner.id)):
            continue
        rated = [
            f.label
            for f in template.fields
            if f.extract
            and TAG_NEEDS.get(f.extract) == owner_tag
            and not _not_entered(content.get(f.id))
        ]
        if rated:
            problems.append(
                Problem(
                    owner.id,
                    owner.label,
                    f"{owner.label} is needed because {', '.join(rated)} "
                    f"{'is' if len(rated) == 1 else 'are'} recorded; choose the target "
                    "memory the ratings belong to, or clear the ratings.",
                )
            )
    return problems


def validate_note(
    template: Template, content: Mapping[str, Any], *, for_signing: bool,
    fired: Sequence[Caution] | None = None,
) -> list[Problem]:
    """Everything wrong with a note's content, in form order.

    A draft (for_signing=False) may be incomplete: only the values present are checked.
    Signing also requires every required field, minimum group rows, and a target for
    any SUD/VoC rating. `fired`: the template's checks that fire on this content, when
    the caller has them already (checks.cautions).
    """
    problems: list[Problem] = []
    for f in template.fields:
        required, because = f.required, ""
        clause = f.required_if.holding(content) if f.required_if is not None else None
        if clause is not None:
            trigger = template.field(clause.field)
            required = True
            because = f" because {_because(trigger, clause, content)}"
        problems.extend(
            _check_field(
                f,
                content.get(f.id),
                f.id,
                f.label,
                for_signing=for_signing,
                required=required,
                because=because,
            )
        )
    problems.extend(_check_derived(template, content))
    problems.extend(_refusals(cautions(template, content) if fired is None else fired))
    if for_signing:
        problems.extend(_check_links(template, content))
    problems.extend(Problem(ACKNOWLEDGEMENTS, "Reasons for warnings", message)
                    for message in acknowledgement_problems(content.get(ACKNOWLEDGEMENTS)))
    known = {f.id for f in template.fields} | RESERVED_KEYS | {ACKNOWLEDGEMENTS}
    for key in content:
        if key not in known:
            problems.append(
                Problem(
                    key,
                    key,
                    f"{key!r} is not a field of {template.title} "
                    f"(version {template.version}); remove it.",
                )
            )
    return problems


def _refusals(fired: Sequence[Caution]) -> list[Problem]:
    """The template's refusal checks that fire: values no one could have measured."""
    return [Problem(c.field_path, c.label, c.text) for c in fired
            if c.level is CheckLevel.REFUSAL]


def _because(trigger: FieldDef, clause: Clause, content: Mapping[str, Any]) -> str:
    """Why a field is required: 'Suicidal ideation is Present', 'Steps done is filled in'."""
    value = content.get(trigger.id)
    if clause.filled is not None:
        return f"{trigger.label} is {'filled in' if clause.filled else 'not filled in'}"
    if isinstance(value, list):
        return f"{trigger.label} includes " + ", ".join(
            trigger.option_label(v) for v in value if isinstance(v, str)
            and any(v == w for w in clause.any_of))
    return f"{trigger.label} is {_answer(trigger, value)}"


def derive_values(template: Template, content: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of content with every derived field freshly calculated (dropped if it can't be),
    in form order, so a derived field may build on one above it."""
    result = dict(content)
    for f in template.fields:
        if f.derived is None:
            continue
        value = f.derived.value_in(result)
        if value is None:
            result.pop(f.id, None)
        else:
            result[f.id] = value
    return result


def strip_private(template: Template, content: Mapping[str, Any]) -> dict[str, Any]:
    """Content without the private fields, for reports and exports."""
    private = {f.id for f in template.fields if f.private}
    return {k: v for k, v in content.items() if k not in private}
