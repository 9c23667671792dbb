"""The last check before any text reaches the vault: no NUL and no broken characters.

Every service validates its own fields and says what is wrong in its own words; this
check, run before every flush of every session, catches the places that text comes in
without such a check (note content, addenda, registries), so a lone surrogate or a NUL is
a `ValidationError` naming the field, never a driver error, and never stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from models.errors import ValidationError
from models.values import text_problem


def _strings(value: Any) -> Iterator[str]:
    """Every string in a value, including the keys and items of JSON content."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield key
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


@cache
def _columns(mapper: Any) -> frozenset[str]:
    return frozenset(attr.key for attr in mapper.column_attrs)


def _clean_at_a_glance(value: Any) -> bool:
    """True when a JSON value surely holds no NUL and no lone surrogate: its encoding,
    one C-speed pass, shows neither (a NUL is written as the escape, which typed text may
    also hold; then every string is looked at)."""
    try:
        encoded = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return False
    if "\\u0000" in encoded:
        return False
    try:
        encoded.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def problems_in(obj: object) -> dict[str, str]:
    """Field ("table.column") -> what is wrong, for the loaded text of one entity."""
    state = inspect(obj)
    table = state.mapper.local_table
    name = getattr(table, "name", type(obj).__name__)
    columns = _columns(state.mapper)
    changed = columns.intersection(state.committed_state) if state.persistent else columns
    return problems_in_values(name, {key: state.dict.get(key) for key in changed})


def problems_in_values(table: str, values: dict[str, Any]) -> dict[str, str]:
    """Field ("table.column") -> what is wrong, for column values about to be written."""
    found = {}
    for key, value in values.items():
        if value is None or isinstance(value, int | float):
            continue
        if isinstance(value, dict | list) and _clean_at_a_glance(value):
            continue
        for text in _strings(value):
            problem = text_problem(text)
            if problem is not None:
                found[f"{table}.{key}"] = problem
                break
    return found


def check(*objs: object) -> None:
    """Raise ValidationError naming every field of these entities whose text is broken:
    the check of a flush, for a row written without one."""
    problems: dict[str, str] = {}
    for obj in objs:
        problems.update(problems_in(obj))
    if problems:
        raise ValidationError(problems)


def check_values(table: str, values: dict[str, Any]) -> None:
    """The same check for column values written without an entity."""
    problems = problems_in_values(table, values)
    if problems:
        raise ValidationError(problems)


def _check_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    check(*session.new, *session.dirty)


def install() -> None:
    """Check every session's flush (idempotent)."""
    if not event.contains(Session, "before_flush", _check_before_flush):
        event.listen(Session, "before_flush", _check_before_flush)
