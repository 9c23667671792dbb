"""row_entry.toml: which columns a new row copies and which Tab passes over, checked on
load, and kept out of every released template's fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.templates.definitions import TemplateDefinitionError
from models.templates.loading import load_templates
from tests.unit.templates.samples import bundled_with


def test_the_set_tables_carry_type_and_speed_and_tab_passes_over_seconds() -> None:
    emdr = load_templates().latest("emdr").row_entry("bls_sets")
    assert emdr.carried == ("bls_type", "speed_hz") and emdr.skipped == ("seconds",)
    assert load_templates().latest("art").row_entry("art_sets").carried == ("eye_movements",)
    assert load_templates().latest("dosing").row_entry("vitals").carried == ()


def _templates_with(tmp_path: Path, text: str | None) -> Path:
    return bundled_with(tmp_path, "row_entry.toml", text)


@pytest.mark.parametrize(("text", "says"), [
    ('[emdr.bls_sets]\ncarried = ["sud"]\n', "rating"),
    ('[emdr.bls_sets]\nskipped = ["bls_type"]\n', "required in every row"),
    ('[emdr.bls_sets]\ncarried = ["nope"]\n', "has no column 'nope'"),
    ('[emdr.plan]\ncarried = []\n', "has a group 'plan'"),
    ('[nosuch.sets]\ncarried = []\n', "no note template 'nosuch'"),
    ('[emdr.bls_sets]\ncarried = "bls_type"\n', "must be a list"),
    ('[emdr.bls_sets]\ncopied = ["bls_type"]\n', "unknown key 'copied'"),
])
def test_the_loader_refuses_what_a_new_row_must_not_take(
        tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(TemplateDefinitionError, match=says) as info:
        load_templates(_templates_with(tmp_path, text))
    assert info.value.file.endswith("row_entry.toml")


def test_row_entry_leaves_every_released_fingerprint_as_it_was(tmp_path: Path) -> None:
    bundled = {(t.id, t.version): t.fingerprint for t in load_templates()}
    without = {(t.id, t.version): t.fingerprint
               for t in load_templates(_templates_with(tmp_path, None))}
    assert bundled == without
