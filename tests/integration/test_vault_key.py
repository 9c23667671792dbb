"""A key derived early (models.vault_key) opens the vault it was started for, and only that."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import vault_key
from models.vault import VaultNotFoundError, WrongPassphraseError, create_vault, open_vault

pytestmark = pytest.mark.integration

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    path = tmp_path / "early.iwvault"
    create_vault(path, PASSPHRASE).close()
    return path


def _no_derivation_now(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def derive(passphrase: str, salt: bytes) -> bytes:
        calls.append(passphrase)
        raise AssertionError("derived again although a key was started early")

    monkeypatch.setattr(vault_key, "derive_key", derive)
    return calls


def test_the_key_started_early_opens_the_vault(vault_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    vault_key.start_deriving(vault_path, PASSPHRASE)
    calls = _no_derivation_now(monkeypatch)
    vault = open_vault(vault_path, PASSPHRASE)
    vault.close()
    assert calls == []


def test_a_key_started_for_another_passphrase_is_not_used(vault_path: Path) -> None:
    vault_key.start_deriving(vault_path, "not the passphrase at all")
    open_vault(vault_path, PASSPHRASE).close()

    vault_key.start_deriving(vault_path, PASSPHRASE)
    with pytest.raises(WrongPassphraseError):
        open_vault(vault_path, "not the passphrase at all")


def test_a_key_started_early_is_handed_out_once(vault_path: Path) -> None:
    vault_key.start_deriving(vault_path, PASSPHRASE)
    salt = vault_path.read_bytes()[:vault_key.SALT_BYTES]
    first = vault_key.derived_key(PASSPHRASE, salt)
    assert first == vault_key.derive_key(PASSPHRASE, salt)
    assert vault_key._early is None


def test_nothing_starts_for_a_missing_or_plain_file(tmp_path: Path) -> None:
    vault_key.start_deriving(tmp_path / "missing.iwvault", PASSPHRASE)
    assert vault_key._early is None
    plain = tmp_path / "plain.db"
    plain.write_bytes(vault_key.SQLITE_PLAIN_HEADER + bytes(100))
    vault_key.start_deriving(plain, PASSPHRASE)
    assert vault_key._early is None
    with pytest.raises(VaultNotFoundError):
        open_vault(tmp_path / "missing.iwvault", PASSPHRASE)
