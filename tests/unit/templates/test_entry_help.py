"""entry_help.toml: the help lines that say how to enter a value, left out of a signed
note; checked on load, and kept out of every released template's fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.templates.definitions import TemplateDefinitionError
from models.templates.loading import load_templates
from tests.unit.templates.samples import bundled_with


def test_how_to_choose_a_target_is_entry_help_and_what_a_rating_means_is_not() -> None:
    emdr = load_templates().latest("emdr")
    assert "target" in emdr.entry_help_fields  # "Choose from the client's target registry"
    assert "voc_end" not in emdr.entry_help_fields  # "After installation."
    assert "risk_means_notes" in emdr.entry_help_fields  # a common field, in every template
    assert "risk_check" in emdr.entry_help_sections
    assert "private_notes" not in emdr.entry_help_fields  # "Kept apart from the record"
    assert load_templates().latest("general").entry_help_fields == {
        "risk_means_notes", "hi_identified_person"}


@pytest.mark.parametrize(("text", "says"), [
    ('[emdr]\nfields = ["nope"]\n', "'emdr''s own have no field 'nope'"),
    ('[emdr]\nfields = ["risk_level"]\n', "'emdr''s own have no field 'risk_level'"),
    ('[common]\nfields = ["target"]\n', "the common fields have no field 'target'"),
    ('[emdr]\nfields = ["sud_end"]\n', "'sud_end' has no help to hide"),
    ('[common]\nsections = ["nope"]\n', "have no section 'nope'"),
    ('[nosuch]\nfields = []\n', "no note template 'nosuch'"),
    ('[emdr]\nfields = "target"\n', "must be a list"),
    ('[emdr]\nhelp = ["target"]\n', "unknown key 'help'"),
])
def test_the_loader_refuses_an_id_that_is_not_there_or_has_no_help(
        tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(TemplateDefinitionError, match=says) as info:
        load_templates(bundled_with(tmp_path, "entry_help.toml", text))
    assert info.value.file.endswith("entry_help.toml")


def test_entry_help_leaves_every_released_fingerprint_as_it_was(tmp_path: Path) -> None:
    bundled = {(t.id, t.version): t.fingerprint for t in load_templates()}
    without = load_templates(bundled_with(tmp_path, "entry_help.toml", None))
    assert bundled == {(t.id, t.version): t.fingerprint for t in without}
    assert not any(t.entry_help_fields or t.entry_help_sections for t in without)
