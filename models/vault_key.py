"""The vault's key, derived from its passphrase as SQLCipher 4 derives it; a command may start
the derivation on a thread while it loads the rest of its modules.

This module imports neither SQLAlchemy nor the models, so that a command can call
`start_deriving` before it loads them (half a second or more): hashlib lets go of the
interpreter's lock while it derives, and the key is ready by the time `open_vault` asks.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

# SQLCipher 4 defaults; we derive the key ourselves once per unlock so that every further
# connection opens with the raw key and does not pay the key derivation again.
KDF_ITERATIONS = 256_000
KEY_BYTES = 32
SALT_BYTES = 16
SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"


def prepared(passphrase: str) -> str:
    """The passphrase as its key is made from it: in Unicode's composed form (NFC), so
    that an accent typed as one code point or as two (some keyboards, a pasted passphrase)
    makes the same key. A passphrase typed on an ordinary keyboard is already composed:
    a SQLCipher tool opens the vault with it as typed."""
    return unicodedata.normalize("NFC", passphrase)


def derive_key(passphrase: str, salt: bytes) -> bytes:
    """PBKDF2-HMAC-SHA512 exactly as SQLCipher 4 derives its key from a passphrase (the
    prepared one)."""
    return derive_key_as_typed(prepared(passphrase), salt)


def derive_key_as_typed(passphrase: str, salt: bytes) -> bytes:
    """The key of the passphrase exactly as typed: what a vault made before passphrases
    were prepared (and made with an uncomposed accent) was encrypted with."""
    return _derive(passphrase.encode("utf-8"), salt)


def _derive(secret: bytes, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha512", secret, salt, KDF_ITERATIONS, KEY_BYTES)


@dataclass(repr=False)
class _Early:
    passphrase: bytes
    salt: bytes
    key: list[bytes] = field(default_factory=list)
    thread: threading.Thread | None = None

    def run(self) -> None:
        self.key.append(_derive(self.passphrase, self.salt))


_early: _Early | None = None
_lock = threading.Lock()


def start_deriving(path: Path | str, passphrase: str) -> None:
    """Start deriving, on a thread, the key that `passphrase` gives the vault at `path`.
    Anything unusual (no such file, one too short, a plain SQLite file, a passphrase that
    is not text) starts nothing: `open_vault` finds it again and says what is wrong."""
    global _early
    try:
        secret = prepared(passphrase).encode("utf-8")
        with Path(path).open("rb") as fh:
            salt = fh.read(SALT_BYTES)
    except (OSError, UnicodeEncodeError):
        return
    if not secret or len(salt) < SALT_BYTES or salt == SQLITE_PLAIN_HEADER[:SALT_BYTES]:
        return
    early = _Early(secret, salt)
    early.thread = threading.Thread(target=early.run, name="vault key", daemon=True)
    with _lock:
        _early = early
    early.thread.start()


def derived_key(passphrase: str, salt: bytes) -> bytes:
    """The key for `passphrase` and `salt`: the one started early when it is for these
    (it is handed out once), else derived now."""
    global _early
    with _lock:
        early, _early = _early, None
    if early is not None and early.thread is not None:
        early.thread.join()
        if (early.key and early.salt == salt
                and hmac.compare_digest(early.passphrase,
                                        prepared(passphrase).encode("utf-8"))):
            return early.key[0]
    return derive_key(passphrase, salt)
