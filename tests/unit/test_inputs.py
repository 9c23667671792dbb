"""The checks the windows and the backend share."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.errors import VaultError
from models.inputs import MIN_PASSPHRASE, client_matches, passphrase_problem
from models.vault import create_vault


def test_the_passphrase_minimum_is_one_rule() -> None:
    problem = passphrase_problem("x" * (MIN_PASSPHRASE - 1))
    assert problem is not None and f"use at least {MIN_PASSPHRASE} characters" in problem
    assert passphrase_problem("correct horse battery") is None


def test_client_search_needs_every_word_in_any_order_and_case() -> None:
    fields = ("Ada Example", "Ada", "C-0001")
    assert client_matches("", *fields)
    assert client_matches("example ADA", *fields)
    assert client_matches("c-0001", *fields)
    assert not client_matches("ada sample", *fields)


def test_the_vault_refuses_a_short_passphrase_as_the_window_does(tmp_path: Path) -> None:
    with pytest.raises(VaultError) as info:
        create_vault(tmp_path / "v.iwvault", "short")
    assert str(info.value) == passphrase_problem("short")
    assert not (tmp_path / "v.iwvault").exists()
