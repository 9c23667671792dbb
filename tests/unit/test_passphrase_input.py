"""The passphrase as it comes in: a file of any bytes, and the rule for a new one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.inputs import MIN_PASSPHRASE, passphrase_problem
from workstation.cli import UsageError, read_passphrase_file


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=64))
def test_a_passphrase_file_of_any_bytes_gives_its_first_line_or_a_usage_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("pass") / "pass.txt"
    path.write_bytes(data)
    try:
        passphrase = read_passphrase_file(path)
    except UsageError as exc:
        assert "not UTF-8" in str(exc)
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        return
    text = data.decode("utf-8").removeprefix("\ufeff")
    assert passphrase == text.split("\n", 1)[0].removesuffix("\r")
    assert "\n" not in passphrase


def test_the_first_line_keeps_its_spaces_and_drops_only_the_line_ending(
    tmp_path: Path
) -> None:
    path = tmp_path / "pass.txt"
    path.write_bytes(b"  two words  \r\nsecond line\n")
    assert read_passphrase_file(path) == "  two words  "


@settings(max_examples=150, deadline=None)
@given(passphrase=st.text(st.characters(codec=None, categories=None), max_size=30))
def test_the_rule_for_a_new_passphrase(passphrase: str) -> None:
    problem = passphrase_problem(passphrase)
    try:
        passphrase.encode("utf-8")
        encodable = True
    except UnicodeEncodeError:
        encodable = False
    ok = encodable and len(passphrase) >= MIN_PASSPHRASE
    assert (problem is None) == ok
    if problem is not None and len(passphrase) >= 4:
        assert passphrase not in problem
