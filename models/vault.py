"""The encrypted vault: one SQLCipher 4 file, opened with a passphrase, checked on every connection.

All SQLite- and SQLCipher-specific SQL lives in this module (and in the migrations), so the
services above it speak plain SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import stat
import threading
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from models import migrations
from models.entities import Base, VaultInfo
from models.errors import VaultError, WrongPassphraseError
from models.inputs import passphrase_problem

# SQLCipher 4 defaults; we derive the key ourselves once per unlock so that every further
# connection opens with the raw key and does not pay the key derivation again.
KDF_ITERATIONS = 256_000
KEY_BYTES = 32
SALT_BYTES = 16
PAGE_SIZE = 4096
SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"

_REQUIRED_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL
    "foreign_keys": 1,
    "secure_delete": 1,
    "temp_store": 2,  # MEMORY: FILE would write plaintext temporary files
}


class VaultNotFoundError(VaultError):
    exit_code = 4


class VaultExistsError(VaultError):
    exit_code = 1


class NotAVaultError(VaultError):
    exit_code = 4


class VaultDamagedError(VaultError):
    exit_code = 4


class VaultTooNewError(VaultError):
    exit_code = 4


class VaultConnectionError(VaultError):
    """A connection did not come up with the settings the vault requires."""


def _quote_sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def derive_key(passphrase: str, salt: bytes) -> bytes:
    """PBKDF2-HMAC-SHA512 exactly as SQLCipher 4 derives its key from a passphrase."""
    return hashlib.pbkdf2_hmac(
        "sha512", passphrase.encode("utf-8"), salt, KDF_ITERATIONS, KEY_BYTES
    )


@dataclass(frozen=True, repr=False)
class _RawKey:
    key: bytes
    salt: bytes

    def pragma(self) -> str:
        # A blob literal: SQLCipher takes it as the raw key plus the file's salt.
        return f"PRAGMA key = \"x'{self.key.hex()}{self.salt.hex()}'\""


def _file_uri(path: Path, *, read_only: bool) -> str:
    quoted = urllib.parse.quote(str(path.resolve()))
    mode = "ro" if read_only else "rw"
    return f"file:{quoted}?mode={mode}"


def _raw_connect(path: Path, key: _RawKey | None, *, read_only: bool) -> Any:
    conn = sqlcipher3.connect(
        _file_uri(path, read_only=read_only),
        uri=True,
        check_same_thread=False,
        isolation_level="",
    )
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        if key is not None:
            conn.execute(key.pragma())
    except Exception:
        conn.close()
        raise
    return conn


def _configure(conn: Any, *, encrypted: bool) -> None:
    """Apply and then assert the settings every vault connection must have."""
    cur = conn.cursor()
    try:
        if encrypted:
            version = cur.execute("PRAGMA cipher_version").fetchone()
            if not version or not str(version[0]).startswith("4."):
                raise VaultConnectionError(
                    "The SQLCipher library is not version 4; reinstall the application."
                )
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA secure_delete = ON")
        cur.execute("PRAGMA temp_store = MEMORY")
        for pragma, expected in _REQUIRED_PRAGMAS.items():
            row = cur.execute(f"PRAGMA {pragma}").fetchone()
            actual = row[0] if row else None
            if isinstance(actual, str):
                actual = actual.lower()
            if actual != expected:
                raise VaultConnectionError(
                    f"The vault connection refused the required setting {pragma}={expected}."
                )
    finally:
        cur.close()


def _looks_encrypted(header: bytes) -> bool:
    """SQLCipher pages are indistinguishable from random; most other files are not."""
    if not header:
        return False
    counts = [0] * 256
    for byte in header:
        counts[byte] += 1
    n = len(header)
    entropy = -sum(c / n * math.log2(c / n) for c in counts if c)
    return entropy > 7.0


# SQLCipher 4 page layout: each page ends in a reserve of a 16-byte IV and a 64-byte
# HMAC-SHA512 over the encrypted page, its IV and the page number (little-endian); page 1
# starts with the 16-byte salt. The HMAC key is PBKDF2-HMAC-SHA512 of the key, with the
# salt XOR 0x3a, 2 iterations.
_RESERVE = 80
_IV_BYTES = 16
_HMAC_BYTES = 64


def _key_fits(path: Path, key: _RawKey, pages: int = 8) -> bool:
    """True when the key authenticates at least one of the file's first pages.

    This tells a wrong passphrase from a right one whose first page is damaged, without
    decrypting anything.
    """
    hmac_salt = bytes(b ^ 0x3A for b in key.salt)
    hmac_key = hashlib.pbkdf2_hmac("sha512", key.key, hmac_salt, 2, KEY_BYTES)
    with path.open("rb") as fh:
        for number in range(1, pages + 1):
            page = fh.read(PAGE_SIZE)
            if len(page) < PAGE_SIZE:
                return False
            start = SALT_BYTES if number == 1 else 0
            end = PAGE_SIZE - _RESERVE + _IV_BYTES
            digest = hmac.new(hmac_key, page[start:end] + number.to_bytes(4, "little"),
                              hashlib.sha512).digest()
            if hmac.compare_digest(digest, page[end:end + _HMAC_BYTES]):
                return True
    return False


def _plain_sqlite(path: Path) -> NotAVaultError:
    return NotAVaultError(
        f"{path.name} is an unencrypted SQLite database, not a vault. "
        "Choose the vault file (.iwvault) or create a new vault."
    )


def _classify_unreadable(path: Path, key: _RawKey) -> VaultError:
    """Decide whether a file that would not decrypt is not a vault, is damaged, or was
    given the wrong key."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        header = fh.read(PAGE_SIZE)
    if header.startswith(SQLITE_PLAIN_HEADER):
        return _plain_sqlite(path)
    if size == 0 or size % 512 != 0 or not _looks_encrypted(header):
        return NotAVaultError(
            f"{path.name} is not an Integration Workstation vault. "
            "Choose the vault file you created, or restore one from a backup."
        )
    if _key_fits(path, key):
        return VaultDamagedError(
            f"The passphrase is right, but {path.name} is damaged at its start and cannot "
            "be read. Keep the file as it is and restore the latest backup."
        )
    return WrongPassphraseError(
        "The passphrase does not open this vault. Check Caps Lock and the keyboard layout, "
        "and try again."
    )


@contextmanager
def _read_only(path: Path, key: _RawKey) -> Iterator[Any]:
    """A read-only connection that leaves no new file behind.

    In WAL mode even a read-only reader creates empty -wal and -shm files when they are
    missing, and cannot delete them; a failed or refused unlock must not leave them.
    """
    sidecars = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
    existed = [f.exists() for f in sidecars]
    conn = _raw_connect(path, key, read_only=True)
    try:
        yield conn
    finally:
        conn.close()
        wal, shm = sidecars
        if not existed[0] and wal.exists() and wal.stat().st_size == 0:
            wal.unlink(missing_ok=True)
            if not existed[1]:
                shm.unlink(missing_ok=True)


def _check_key(path: Path, key: _RawKey) -> None:
    """Read the schema on a read-only connection: a wrong key changes nothing on disk.

    A read-write connection would merge a left-over -wal file into the vault on close, so
    the key is proved on a read-only one first.
    """
    try:
        with _read_only(path, key) as conn:
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlcipher3.DatabaseError:
                raise _classify_unreadable(path, key) from None
    except sqlcipher3.DatabaseError as exc:
        raise VaultDamagedError(
            f"{path.name} could not be opened ({type(exc).__name__}). "
            "Check the disk and permissions, or restore from a backup."
        ) from None


def _read_salt(path: Path) -> bytes:
    with path.open("rb") as fh:
        salt = fh.read(SALT_BYTES)
    if len(salt) < SALT_BYTES:
        raise NotAVaultError(
            f"{path.name} is too short to be a vault. Choose the vault file you created."
        )
    if salt.startswith(SQLITE_PLAIN_HEADER[:SALT_BYTES]):
        raise _plain_sqlite(path)
    return salt


class Vault:
    """An unlocked vault: an engine whose every connection is keyed and checked."""

    def __init__(self, path: Path, engine: Engine, *, encrypted: bool = True) -> None:
        self.path = path
        self.engine = engine
        self.encrypted = encrypted
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.path.name

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A short unit of work: commit on success, roll back on any error."""
        with self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        """Close every pooled connection; nothing of the vault stays open."""
        self.engine.dispose()

    def __repr__(self) -> str:  # never show a key or a client
        return f"<Vault {self.path.name}>"


def _build_engine(connect: Callable[[], Any], *, encrypted: bool) -> Engine:
    engine = create_engine(
        "sqlite+pysqlite://",
        creator=connect,
        module=sqlcipher3.dbapi2,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=4,
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        _configure(dbapi_conn, encrypted=encrypted)

    return engine


def _engine_for(path: Path, key: _RawKey) -> Engine:
    return _build_engine(lambda: _raw_connect(path, key, read_only=False), encrypted=True)


def plain_engine(path: Path) -> Engine:
    """An unencrypted SQLite engine with the same settings: for benchmarks and tests only."""

    def connect() -> Any:
        return sqlcipher3.connect(
            str(path), check_same_thread=False, isolation_level=""
        )

    return _build_engine(connect, encrypted=False)


def _create_file_0600(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    os.close(fd)


def _restrict_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        sidecar = path.with_name(path.name + suffix)
        if sidecar.exists():
            os.chmod(sidecar, stat.S_IRUSR | stat.S_IWUSR)


def create_vault(path: Path | str, passphrase: str, *, app_version: str = "") -> Vault:
    """Create a new, empty vault at path (which must not exist) and return it unlocked."""
    path = Path(path)
    problem = passphrase_problem(passphrase)
    if problem:
        raise VaultError(problem)
    if path.exists():
        raise VaultExistsError(
            f"{path.name} already exists. Open it instead, or choose another file name."
        )
    if not path.parent.is_dir():
        raise VaultNotFoundError(
            f"The folder for {path.name} does not exist. Choose an existing folder."
        )
    salt = os.urandom(SALT_BYTES)
    key = _RawKey(derive_key(passphrase, salt), salt)
    old_umask = os.umask(0o077)  # the -wal and -shm files are created 0600 too
    try:
        _create_file_0600(path)
        engine = _engine_for(path, key)
        try:
            with engine.begin() as conn:
                migrations.upgrade_to_head(conn)
            with Session(engine) as session, session.begin():
                session.add(VaultInfo(vault_uuid=str(uuid.uuid4()), created_by_app=app_version))
        except Exception:
            engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            raise
    finally:
        os.umask(old_umask)
    _restrict_sidecars(path)
    return Vault(path, engine)


def open_vault(path: Path | str, passphrase: str) -> Vault:
    """Unlock an existing vault, bring its schema up to date, and return it.

    Raises VaultNotFoundError, WrongPassphraseError, NotAVaultError, VaultDamagedError or
    VaultTooNewError; none of them creates or changes a file.
    """
    path = Path(path)
    if not path.exists():
        raise VaultNotFoundError(
            f"There is no vault at {path}. Check the path, or create a new vault."
        )
    if not path.is_file():
        raise NotAVaultError(f"{path.name} is a folder, not a vault file.")
    salt = _read_salt(path)
    key = _RawKey(derive_key(passphrase, salt), salt)
    _check_key(path, key)
    _check_schema_read_only(path, key)
    engine = _engine_for(path, key)
    try:
        with engine.begin() as conn:
            if migrations.current_revision(conn) != migrations.HEAD:
                migrations.upgrade_to_head(conn)
    except VaultError:
        engine.dispose()
        raise
    except sqlcipher3.DatabaseError:
        engine.dispose()
        raise VaultDamagedError(
            f"{path.name} is damaged and could not be read. Run 'workstation verify' on it, "
            "and restore the latest backup if it reports damage."
        ) from None
    _restrict_sidecars(path)
    return Vault(path, engine)


def _check_schema_read_only(path: Path, key: _RawKey) -> None:
    """Refuse a vault written by a newer version before anything writes to it."""
    try:
        with _read_only(path, key) as conn:
            tables = {
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            row = (
                conn.execute("SELECT version_num FROM alembic_version").fetchone()
                if "alembic_version" in tables
                else None
            )
    except sqlcipher3.DatabaseError:
        raise VaultDamagedError(
            f"{path.name} is damaged and could not be read. Restore the latest backup."
        ) from None
    if "alembic_version" not in tables and tables - {"sqlite_sequence"}:
        raise NotAVaultError(
            f"{path.name} is an encrypted database but not an Integration Workstation "
            "vault. Choose the vault file you created."
        )
    revision = row[0] if row else None
    if revision is not None and revision not in migrations.known_revisions():
        raise VaultTooNewError(
            f"{path.name} was written by a newer version of Integration Workstation "
            "(its schema is unknown to this one). Update the application to open it; the "
            "vault has not been changed."
        )


def vault_info(vault: Vault) -> VaultInfo | None:
    with vault.session() as session:
        return session.scalars(select(VaultInfo).limit(1)).first()


@dataclass(frozen=True)
class IntegrityReport:
    """What `verify` checked and what it found; `problems` is empty when all is well."""

    checks: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def integrity_check(vault: Vault) -> IntegrityReport:
    """SQLCipher's per-page HMAC check, SQLite's integrity_check and the foreign keys."""
    checks: list[tuple[str, str, Callable[[Any], str]]] = [
        ("SQLCipher cipher_integrity_check (HMAC of every page)", "PRAGMA cipher_integrity_check",
         lambda r: f"cipher_integrity_check: {r[0]}"),
        ("SQLite integrity_check", "PRAGMA integrity_check",
         lambda r: "" if r[0] == "ok" else f"integrity_check: {r[0]}"),
        ("foreign key check", "PRAGMA foreign_key_check",
         lambda r: f"foreign_key_check: table {r[0]} row {r[1]}"),
    ]
    if not vault.encrypted:
        checks = checks[1:]
    done: list[str] = []
    problems: list[str] = []
    for label, pragma, describe in checks:
        done.append(label)
        try:
            with vault.engine.connect() as conn:
                rows = conn.execute(text(pragma)).fetchall()
        except SQLAlchemyDatabaseError:
            problems.append(f"{label} could not finish: the file is damaged")
            continue
        problems.extend(p for p in (describe(r) for r in rows[:20]) if p)
    return IntegrityReport(tuple(done), tuple(problems))


def as_vault_error(exc: BaseException) -> VaultError | None:
    """Translate a storage-level failure met mid-work into the error a person should see."""
    if isinstance(exc, SQLAlchemyDatabaseError):
        exc = exc.orig if exc.orig is not None else exc
    if isinstance(exc, sqlcipher3.DatabaseError) and not isinstance(
        exc, sqlcipher3.IntegrityError
    ):
        message = str(exc).lower()
        if "malformed" in message or "not a database" in message or "corrupt" in message:
            return VaultDamagedError(
                "The vault is damaged and part of it could not be read. Nothing more was "
                "written. Run 'workstation verify' and restore the latest backup."
            )
    return None


def create_plain_database(path: Path) -> Engine:
    """Create an unencrypted database with the vault's schema: for the encryption benchmark."""
    engine = plain_engine(path)
    with engine.begin() as conn:
        migrations.upgrade_to_head(conn)
    return engine


__all__ = [
    "Base",
    "IntegrityReport",
    "NotAVaultError",
    "Vault",
    "VaultDamagedError",
    "VaultError",
    "VaultExistsError",
    "VaultNotFoundError",
    "VaultTooNewError",
    "WrongPassphraseError",
    "create_plain_database",
    "create_vault",
    "derive_key",
    "integrity_check",
    "open_vault",
    "plain_engine",
]
