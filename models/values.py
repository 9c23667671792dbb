"""What a stored value is: the predicates every layer uses on note content and answers.

Note content is JSON: a whole number is stored as an int, and `True` is not a number.
Measure answers may arrive as floats from a spin box, so "integral" is a separate test.
"""

from __future__ import annotations

import math
import unicodedata
from typing import TypeGuard


def is_blank(value: object) -> bool:
    """Nothing was entered: None, only whitespace, or an empty list, tuple or mapping."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple | dict) and not value


def is_int(value: object) -> TypeGuard[int]:
    """A whole number as JSON stores it: an int and not a bool."""
    return type(value) is int


def is_number(value: object) -> TypeGuard[int | float]:
    """A finite int or float, and not a bool."""
    return (type(value) is int or type(value) is float) and math.isfinite(value)


def is_integral(value: object) -> bool:
    """A number with no fractional part, whether stored as int (not bool) or float."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


def is_id(value: object) -> TypeGuard[int]:
    """A database id: a positive int."""
    return type(value) is int and value > 0


def stored_number(value: float) -> int | float:
    """What a number field stores: an int when whole (300 mg stays 300), else 3 decimals."""
    rounded = round(value, 3)
    return int(rounded) if rounded.is_integer() else rounded


# Characters that show nothing on their own: controls (NUL among them), format characters
# (zero-width space and joiners, the byte-order mark, soft hyphen), lone surrogates and
# every kind of space.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})


def has_visible_text(value: str) -> bool:
    """At least one character that shows: a name of zero-width spaces is no name."""
    return any(unicodedata.category(ch) not in _INVISIBLE for ch in value)


def text_problem(value: str) -> str | None:
    """Why a text cannot be stored as typed, or None. The message never quotes the text."""
    if "\x00" in value:
        return "holds a NUL character, which cannot be stored; type it again."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return ("holds a broken character (a lone surrogate, usually from pasting) that "
                "cannot be stored; type it again.")
    return None
