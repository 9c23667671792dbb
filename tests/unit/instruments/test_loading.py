"""Loading instruments: the bundled set, definition files with faults named, custom measures."""

from __future__ import annotations

import math
import tomllib
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from models.instruments.change import (
    ChangeLabel,
    change_summary,
    reliable_change_threshold_computed,
)
from models.instruments.definitions import Charting, Direction, InstrumentDefinitionError
from models.instruments.loading import (
    custom_instrument,
    get_instrument,
    load_instrument_dir,
    load_instrument_file,
    load_instruments,
    parse_instrument,
)
from models.instruments.scoring import score

from .samples import CADSS, CADSS6, DAY0, GAD7, INSTRUMENTS, MINIMAL, PHQ9, demo


def test_bundled_instruments_load_with_their_shape() -> None:
    shape = {
        key: (len(i.items), len(i.scored_items), i.total_min, i.total_max)
        for key, i in INSTRUMENTS.items()
    }
    assert shape == {
        "gad7": (8, 7, 0, 21),  # and the unscored difficulty question
        "phq9": (10, 9, 0, 27),
        "pcl5": (20, 20, 0, 80),
        "cadss": (23, 23, 0, 92),
        "cadss6": (6, 6, 0, 24),
    }
    assert all(i.direction is Direction.LOWER_IS_BETTER for i in INSTRUMENTS.values())
    assert CADSS.charting is Charting.PER_DOSE and CADSS6.charting is Charting.PER_DOSE
    assert GAD7.charting is Charting.TREND


def test_definitions_are_reachable_as_package_resources() -> None:
    folder = resources.files("resources") / "instruments"
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".toml"))
    assert names == ["cadss.toml", "cadss6.toml", "gad7.toml", "pcl5.toml", "phq9.toml"]


def test_load_instruments_is_cached() -> None:
    assert load_instruments()["phq9"] is PHQ9
    assert get_instrument("gad7") is GAD7
    with pytest.raises(KeyError, match="no bundled instrument 'bdi'"):
        get_instrument("bdi")


# --------------------------------------------------------------------------------------
# Definition files
# --------------------------------------------------------------------------------------


def test_computed_rule_in_a_definition_file() -> None:
    instrument = demo(
        '[change.reliable_change]\nmethod = "computed"\nsd = 4.0\nreliability = 0.9\n'
        'source = "demo2020"\n'
    )
    rc = instrument.reliable_change
    assert rc is not None and rc.computed
    assert rc.points == pytest.approx(reliable_change_threshold_computed(4.0, 0.9))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[bands]\nvalidated = true\nlevels = [{ key = "a", label = "A", min = 0, max = 9 },'
         '{ key = "b", label = "B", min = 11, max = 20 }]\n', "band 'b' starts at 11, expected 10"),
        ('[bands]\nvalidated = true\nlevels = [{ key = "a", label = "A", min = 0, max = 15 }]\n',
         "bands end at 15 but the total runs to 20"),
        ('[change.reliable_change]\npoints = 4\nsource = "nobody1999"\n',
         "unknown source 'nobody1999'"),
        ('[change.reliable_change]\nmethod = "computed"\nsd = 4.0\nreliability = 1.2\n',
         "reliability r must be in"),
        ('[[safety_items]]\nitem = 9\nat_least = 1\nlabel = "x"\n', "item 9, which does not exist"),
        ('[[subscales]]\nkey = "A"\nlabel = "A"\nitems = [1, 6]\n', "not scored items"),
        ('[scoring.missing]\nrule = "guess"\n', "'incomplete' or 'prorate'"),
        ('[change.response]\npercent_reduction = 150\n', "percent_reduction"),
        ('[[cutoffs]]\nkey = "c"\nlabel = "C"\nat_least = 99\n', "outside the total range"),
        ("[extra_table]\nx = 1\n", "unknown field(s) extra_table at top level"),
    ],
)
def test_malformed_definition_names_file_and_fault(extra: str, message: str) -> None:
    with pytest.raises(InstrumentDefinitionError, match=r"demo\.toml") as error:
        demo(extra)
    assert message in str(error.value)


def test_missing_field_and_wrong_type(tmp_path: Path) -> None:
    no_title = MINIMAL.replace('title = "Demo"\n', "")
    with pytest.raises(InstrumentDefinitionError, match="missing required field 'title'"):
        parse_instrument(tomllib.loads(no_title), "demo.toml")
    wrong_max = MINIMAL.replace("max = 4", 'max = "4"')
    with pytest.raises(InstrumentDefinitionError, match=r"'answers.max' must be int, got str"):
        parse_instrument(tomllib.loads(wrong_max), "demo.toml")
    labels = MINIMAL.replace("max = 4", 'max = 4\nlabels = ["a", "b"]')
    with pytest.raises(InstrumentDefinitionError, match=r"2 labels but answers run 0\.\.4"):
        parse_instrument(tomllib.loads(labels), "demo.toml")


def test_key_under_the_wrong_table_gets_a_hint() -> None:
    moved = MINIMAL.replace("[answers]\n", "[answers]\nitems = []\n")
    moved = moved.replace("items = [{ number = 1 }", "# items = [{ number = 1 }", 1)
    with pytest.raises(InstrumentDefinitionError, match="belongs to that table"):
        parse_instrument(tomllib.loads(moved), "demo.toml")


def test_broken_file_on_disk_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("id = [unclosed", encoding="utf-8")
    with pytest.raises(InstrumentDefinitionError, match=r"broken\.toml: not valid TOML"):
        load_instrument_file(broken)
    (tmp_path / "other.toml").write_text(MINIMAL, encoding="utf-8")
    with pytest.raises(InstrumentDefinitionError, match="does not match the file name"):
        load_instrument_file(tmp_path / "other.toml")
    with pytest.raises(InstrumentDefinitionError, match=r"broken\.toml"):
        load_instrument_dir(tmp_path)


def test_a_good_directory_loads(tmp_path: Path) -> None:
    (tmp_path / "demo.toml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not an instrument", encoding="utf-8")
    loaded = load_instrument_dir(tmp_path)
    assert list(loaded) == ["demo"]
    assert loaded["demo"].total_max == 20


# --------------------------------------------------------------------------------------
# Custom measures
# --------------------------------------------------------------------------------------


def test_custom_measure_with_computed_reliable_change() -> None:
    measure = custom_instrument("sleep", "Sleep quality", 0, 10, higher_is_better=True,
                                baseline_sd=2.0, reliability=0.75, source="Clinic audit 2024")
    rc = measure.reliable_change
    assert rc is not None and rc.computed
    assert rc.points == pytest.approx(1.96 * math.sqrt(2) * 2.0 * 0.5)
    assert rc.inputs == (("baseline SD", 2.0), ("test-retest r", 0.75))
    assert measure.bands is None and measure.custom
    (note,) = [n for n in measure.footnotes() if n.startswith("Reliable change")]
    assert "computed" in note and "baseline SD 2" in note and "test-retest r 0.75" in note
    assert "(Clinic audit 2024)" in note


def test_custom_measure_direction_sets_the_change_label() -> None:
    mood = custom_instrument("mood", "Mood", 0, 10, higher_is_better=True, reliable_change=2)
    assert mood.direction is Direction.HIGHER_IS_BETTER
    points = [(DAY0, score(mood, {1: 3})), (DAY0 + timedelta(days=7), score(mood, {1: 6}))]
    assert change_summary(mood, points).label is ChangeLabel.RELIABLE_IMPROVEMENT
    points.reverse()
    swapped = [(DAY0, points[0][1]), (DAY0 + timedelta(days=7), points[1][1])]
    assert change_summary(mood, swapped).label is ChangeLabel.RELIABLE_DETERIORATION
    assert score(mood, {1: 7}).band is None


def test_custom_measure_without_reliable_change_has_no_rule() -> None:
    pain = custom_instrument("pain", "Pain", 0, 10, higher_is_better=False)
    points = [(DAY0, score(pain, {1: 9})), (DAY0 + timedelta(days=7), score(pain, {1: 1}))]
    assert change_summary(pain, points).label is ChangeLabel.NO_RULE
    with pytest.raises(ValueError, match=r"0\.\.10"):
        score(pain, {1: 11})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id": "phq9"}, "bundled instrument"),
        ({"min_value": 5, "max_value": 5}, "min < max"),
        ({"reliable_change": 2, "baseline_sd": 1.0, "reliability": 0.8}, "not both"),
        ({"baseline_sd": 1.0}, "both baseline_sd and reliability"),
        ({"anchors": ("low", "high")}, "2 anchors"),
    ],
)
def test_custom_measure_rejects_bad_definitions(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {
        "id": "x", "name": "X", "min_value": 0, "max_value": 10, "higher_is_better": False,
    }
    with pytest.raises(ValueError, match=message):
        custom_instrument(**(arguments | kwargs))
