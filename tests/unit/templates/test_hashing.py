"""Hashing: one JSON spelling of a note, and a seal that covers its template version."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.templates.hashing import canonical_json, content_hash

from .samples import sample_note

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
contents = st.dictionaries(st.text(min_size=1), json_values, min_size=1, max_size=8)


@given(contents, st.randoms())
def test_hash_ignores_key_order(content: dict[str, Any], rnd: Any) -> None:
    keys = list(content)
    rnd.shuffle(keys)
    reordered = {k: content[k] for k in keys}
    assert canonical_json(reordered) == canonical_json(content)
    assert content_hash("emdr", 1, reordered) == content_hash("emdr", 1, content)


@given(contents, st.text(min_size=1))
def test_hash_changes_when_content_changes(content: dict[str, Any], key: str) -> None:
    changed = content | {key: ["changed", content.get(key)]}
    assert content_hash("emdr", 1, changed) != content_hash("emdr", 1, content)


def test_hash_covers_the_template_version() -> None:
    note = sample_note("emdr")
    assert content_hash("emdr", 1, note) != content_hash("emdr", 2, note)
    assert content_hash("emdr", 1, note) != content_hash("art", 1, note)
    assert len(content_hash("emdr", 1, note)) == 64


def test_canonical_json_is_compact_sorted_and_keeps_unicode() -> None:
    value = {"b": 1, "a": [1, {"d": 2.5, "c": "Zoë"}]}
    assert canonical_json(value) == '{"a":[1,{"c":"Zoë","d":2.5}],"b":1}'
    with pytest.raises(ValueError):
        canonical_json({"x": math.nan})
