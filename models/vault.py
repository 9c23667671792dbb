"""The encrypted vault: one SQLCipher 4 file, opened with a passphrase, checked on every connection.

All SQLite- and SQLCipher-specific SQL lives in this module (and in the migrations), so the
services above it speak plain SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import hmac
import math
import os
import shutil
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
from sqlalchemy import Engine, create_engine, event, insert, select, text
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from models import migrations
from models.entities import Base, VaultInfo
from models.errors import VaultError, WrongPassphraseError
from models.inputs import passphrase_problem
from models.safekeeping import files
from models.safekeeping.files import sidecars
from models.vault_key import (
    KEY_BYTES,
    SALT_BYTES,
    SQLITE_PLAIN_HEADER,
    derive_key,
    derive_key_as_typed,
    derived_key,
    prepared,
)

PAGE_SIZE = 4096
# The shortest passphrase a new vault or a passphrase change accepts.

# Below this much free space a failed write is reported as a full disk.
_LOW_SPACE_BYTES = 1 << 20

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


class PassphraseError(VaultError):
    """The passphrase given cannot be used (empty, too short, not text)."""

    exit_code = 2


class VaultStorageError(VaultError):
    """The vault is sound but its storage is not: a folder that cannot be written, a full
    disk, a file that cannot be read, an input/output error."""


class VaultReadOnlyError(VaultStorageError):
    """A write was asked of a vault that is open read-only; nothing was written."""


class VaultBusyError(VaultError):
    """Another program held the vault's write lock for longer than the wait allows, or has
    the vault open where it must be alone (a restore, a passphrase change, a window)."""


def _unencodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_encodable(passphrase: str) -> None:
    if _unencodable(passphrase):
        raise PassphraseError(
            "The passphrase holds a character that is not text (a lone surrogate, often "
            "from bytes that are not UTF-8). Type it again or save its file as UTF-8."
        )


def _quote_sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True, repr=False)
class _RawKey:
    key: bytes
    salt: bytes

    def pragma(self) -> str:
        # A blob literal: SQLCipher takes it as the raw key plus the file's salt.
        return f"PRAGMA key = \"x'{self.key.hex()}{self.salt.hex()}'\""


@dataclass(frozen=True)
class _Access:
    """How the vault file may be opened, and why it is read-only when it is."""

    read_only: bool = False
    # Read the main file alone, without -wal, -shm or locks: for a folder that cannot be
    # written (SQLite could not create the -shm) and a file marked read-only, when no
    # unmerged -wal is waiting.
    immutable: bool = False
    reason: str = ""


_READ_WRITE = _Access()


def _file_uri(path: Path, *, read_only: bool, immutable: bool = False) -> str:
    quoted = urllib.parse.quote(str(path.resolve()))
    if immutable:
        return f"file:{quoted}?mode=ro&immutable=1"
    mode = "ro" if read_only else "rw"
    return f"file:{quoted}?mode={mode}"


def _raw_connect(path: Path, key: _RawKey | None, *, read_only: bool,
                 immutable: bool = False) -> Any:
    conn = sqlcipher3.connect(
        _file_uri(path, read_only=read_only, immutable=immutable),
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


def _configure(conn: Any, *, encrypted: bool, read_only: bool = False) -> None:
    """Apply and then assert the settings every vault connection must have.

    A read-only connection cannot change the journal mode (an immutable one reports
    "delete"), and writes nothing, so its journal mode is not asserted.
    """
    cur = conn.cursor()
    try:
        if encrypted:
            version = cur.execute("PRAGMA cipher_version").fetchone()
            if not version or not str(version[0]).startswith("4."):
                raise VaultConnectionError(
                    "The SQLCipher library is not version 4; reinstall the application."
                )
        if not read_only:
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA secure_delete = ON")
        cur.execute("PRAGMA temp_store = MEMORY")
        for pragma, expected in _REQUIRED_PRAGMAS.items():
            if read_only and pragma == "journal_mode":
                continue
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


# Error codes that say the file's contents are wrong; every other failure of a sound file
# comes from its surroundings (permissions, space, locks, the disk).
_CONTENT_ERRORS = ("SQLITE_NOTADB", "SQLITE_CORRUPT")


def _error_name(exc: BaseException) -> str:
    return str(getattr(exc, "sqlite_errorname", "") or "")


def _is_content_error(exc: BaseException) -> bool:
    name = _error_name(exc)
    return name.startswith(_CONTENT_ERRORS) or (not name and "not a database" in str(exc))


def is_damage(exc: BaseException) -> bool:
    """The error says the file's contents are wrong (not its surroundings)."""
    if isinstance(exc, StatementError) and exc.orig is not None:
        exc = exc.orig
    message = str(exc).lower()
    return _is_content_error(exc) or "malformed" in message or "corrupt" in message


@contextmanager
def _read_only(path: Path, key: _RawKey, access: _Access = _READ_WRITE) -> Iterator[Any]:
    """A read-only connection that creates no file and deletes none.

    In WAL mode even a read-only reader creates -wal and -shm files when they are missing,
    and cannot delete them again; deleting them afterwards would pull them from under
    another process that opened the vault meanwhile (and lose its writes). So when no
    unmerged -wal is waiting, the main file alone is read (SQLite's immutable mode), which
    creates nothing; otherwise the sidecars already exist.
    """
    unmerged = files.unmerged_wal(path.resolve())
    conn = _raw_connect(path, key, read_only=True, immutable=access.immutable or not unmerged)
    try:
        yield conn
    finally:
        conn.close()


def _check_key(path: Path, key: _RawKey, access: _Access = _READ_WRITE) -> None:
    """Read the schema on a read-only connection: a wrong key changes nothing on disk.

    A read-write connection would merge a left-over -wal file into the vault on close, so
    the key is proved on a read-only one first.
    """
    try:
        with _read_only(path, key, access) as conn:
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlcipher3.DatabaseError as exc:
                if not _is_content_error(exc):
                    raise
                raise _classify_unreadable(path, key) from None
    except sqlcipher3.DatabaseError as exc:
        raise _environment_error(path, exc, opening=True) from None


def _proved_key(path: Path, key: _RawKey, passphrase: str, access: _Access) -> _RawKey:
    """`key` (of the prepared passphrase) when it opens the vault; else, for a passphrase
    typed with an uncomposed accent, the key of it as typed, which a vault made before
    passphrases were prepared has; else WrongPassphraseError."""
    try:
        _check_key(path, key, access)
        return key
    except WrongPassphraseError:
        if prepared(passphrase) == passphrase:
            raise
    as_typed = _RawKey(derive_key_as_typed(passphrase, key.salt), key.salt)
    _check_key(path, as_typed, access)
    return as_typed


def _read_salt(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            salt = fh.read(SALT_BYTES)
    except OSError as exc:
        raise _storage_error(path, exc) from None
    if len(salt) < SALT_BYTES:
        raise NotAVaultError(
            f"{path.name} is too short to be a vault. Choose the vault file you created."
        )
    if salt.startswith(SQLITE_PLAIN_HEADER[:SALT_BYTES]):
        raise _plain_sqlite(path)
    return salt


def _storage_error(path: Path, exc: OSError) -> VaultStorageError:
    """An operating-system error on the vault's file or folder, said plainly."""
    reason = {
        errno.EACCES: "permission denied",
        errno.EPERM: "the operation is not permitted",
        errno.EROFS: "the disk is read-only",
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EIO: "a disk input/output error",
        errno.ENAMETOOLONG: "the name is too long",
        errno.ELOOP: "a symbolic link points back at itself",
    }.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        advice = "Free some space and try again; nothing was changed."
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        advice = "Check the permissions of the file and its folder, or choose another place."
    else:
        advice = "Check the disk and try again; nothing was changed."
    return VaultStorageError(f"{path.name}: {reason}. {advice}")


def _low_on_space(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.resolve().parent).free < _LOW_SPACE_BYTES
    except OSError:
        return False


def _environment_error(path: Path | None, exc: BaseException, *,
                       opening: bool = False) -> VaultError:
    """A driver error of a sound vault, as what is true and what to do."""
    name = _error_name(exc)
    where = path.name if path is not None else "The vault"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return VaultBusyError(
            f"{where} is busy: another program (another workstation window, a backup) is "
            "writing to it. Nothing was changed; try again in a moment."
        )
    if name == "SQLITE_FULL" or (path is not None and _low_on_space(path)):
        return VaultStorageError(
            f"The disk holding {where} is full. Nothing of this change was saved and the "
            "vault is intact; free some space and try again."
        )
    if name.startswith("SQLITE_READONLY"):
        return VaultReadOnlyError(
            f"{where} can only be read here (the file, its folder or the disk is "
            "read-only). Nothing was saved."
        )
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return VaultStorageError(
            f"{where} could not be {'opened' if opening else 'written'}: the file or its "
            "folder cannot be used (check their permissions and that the disk is "
            "mounted). The vault was not changed."
        )
    if name.startswith("SQLITE_IOERR"):
        return VaultStorageError(
            f"{where} could not be {'read' if opening else 'written'} because of a disk "
            "input/output error. Nothing of this change was saved. Check the disk (is it "
            "full, removed or failing?) and try again."
        )
    return VaultDamagedError(
        f"{where} could not be read ({name or type(exc).__name__}). Run 'workstation "
        "verify' on it; restore the latest backup only if verify reports damage."
    )


class Vault:
    """An unlocked vault: an engine whose every connection is keyed and checked.

    A read-only vault (`read_only`) says why in `read_only_reason`, a sentence for a person;
    its `transaction()` refuses before anything is written.
    """

    def __init__(self, path: Path, engine: Engine, *, encrypted: bool = True,
                 read_only: bool = False, read_only_reason: str = "",
                 problems: tuple[str, ...] = (), key: _RawKey | None = None) -> None:
        self.path = path
        self.engine = engine
        self.encrypted = encrypted
        self.read_only = read_only
        self.read_only_reason = read_only_reason
        # What the checks made on opening found (damage, tampering); empty when all is well.
        self.problems = problems
        self._key = key
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def read_only_because(self) -> str:
        """Why the vault is open read-only, as a clause for inside a sentence or brackets
        ("the vault file is marked read-only"): `read_only_reason` without its full stop."""
        return self.read_only_reason.rstrip(".")

    def session(self) -> Session:
        return self._sessions()

    def check_writable(self, then: str = "Nothing was saved.") -> None:
        """Refuse (VaultReadOnlyError) when the vault is open read-only, saying why and
        `then`, what that means for what was asked."""
        if self.read_only:
            raise VaultReadOnlyError(f"{self.name} is open read-only: {self.read_only_reason} "
                                     f"{then}")

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A short unit of work: commit on success, roll back on any error."""
        self.check_writable()
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A session that reads one consistent state of the vault, whatever other
        connections commit meanwhile (one read transaction; it writes nothing).

        The driver does not begin a transaction before a SELECT, so without this every
        query of a check would see the vault as it stands at that query.
        """
        with self._sessions() as session:
            session.connection().exec_driver_sql("BEGIN")
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def holding_writers(self) -> Iterator[None]:
        """Keep every other connection, in this process or another, from writing until the
        block ends (this one holds the write lock; reading goes on as usual).

        The backup API cannot copy through the connection that holds the lock (it would
        wait for itself); `copy_into` reads through another one.
        """
        raw = self.engine.raw_connection()
        try:
            holder: Any = raw.driver_connection
            holder.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                holder.rollback()
        finally:
            raw.close()

    def close(self) -> None:
        """Close every pooled connection; nothing of the vault stays open."""
        self.engine.dispose()

    def __repr__(self) -> str:  # never show a key or a client
        return f"<Vault {self.path.name}>"


def _build_engine(connect: Callable[[], Any], *, encrypted: bool,
                  read_only: bool = False) -> Engine:
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
        _configure(dbapi_conn, encrypted=encrypted, read_only=read_only)

    return engine


def _engine_for(path: Path, key: _RawKey, access: _Access = _READ_WRITE) -> Engine:
    def connect() -> Any:
        with files.private_umask():
            return _raw_connect(path, key, read_only=access.read_only,
                                immutable=access.immutable)

    return _build_engine(connect, encrypted=True, read_only=access.read_only)


def plain_engine(path: Path) -> Engine:
    """An unencrypted SQLite engine with the same settings: for benchmarks and tests only."""

    def connect() -> Any:
        return sqlcipher3.connect(
            str(path), check_same_thread=False, isolation_level=""
        )

    return _build_engine(connect, encrypted=False)


def _restrict_sidecars(path: Path) -> None:
    for sidecar in sidecars(path.resolve()):
        if sidecar.exists():
            os.chmod(sidecar, stat.S_IRUSR | stat.S_IWUSR)


def _new_vault_info(app_version: str) -> dict[str, Any]:
    return {"vault_uuid": str(uuid.uuid4()), "created_by_app": app_version[:40]}


def create_vault(path: Path | str, passphrase: str, *, app_version: str = "",
                 populate: Callable[[Session], object] | None = None) -> Vault:
    """Create a new vault at path (which must not exist) and return it unlocked.

    The vault is built under a temporary name beside `path` and renamed into place only
    when its schema, its header row and whatever `populate` adds (in one more transaction)
    are committed: a crash leaves either no vault at `path` or a complete one, never a
    half-made file that would not open again.
    """
    path = Path(path)
    problem = passphrase_problem(passphrase)
    if problem is not None:
        raise PassphraseError(problem)
    if path.is_symlink() and not path.exists():
        raise VaultExistsError(
            f"{path.name} is a link to a file that does not exist. Give the path of the new "
            "vault itself rather than a link."
        )
    if path.exists():
        raise VaultExistsError(
            f"{path.name} already exists. Open it instead, or choose another file name."
        )
    if not path.parent.is_dir():
        raise VaultNotFoundError(
            f"The folder for {path.name} does not exist. Choose an existing folder."
        )
    leftovers = files.leftovers_problem(path)
    if leftovers is not None:
        raise VaultExistsError(leftovers)
    if not files.can_write(path.parent):
        raise VaultStorageError(
            f"Cannot create {path.name}: the folder {path.parent} cannot be written. "
            "Choose a folder you may write to."
        )
    salt = os.urandom(SALT_BYTES)
    key = _RawKey(derive_key(passphrase, salt), salt)
    with files.private_umask():
        files.remove_abandoned(path, "creating")
        try:
            temp = files.new_private_file(path, "creating")
        except OSError as exc:
            raise _storage_error(path, exc) from None
        engine = _engine_for(temp, key)
        try:
            with engine.begin() as conn:
                migrations.upgrade_to_head(conn)
                conn.execute(insert(VaultInfo).values(**_new_vault_info(app_version)))
            if populate is not None:
                with Session(engine, expire_on_commit=False) as session, session.begin():
                    populate(session)
            engine.dispose()
            files.place_new(temp, path)
        except FileExistsError:
            engine.dispose()
            files.remove_with_sidecars(temp)
            raise VaultExistsError(
                f"{path.name} appeared while the vault was being created. Open it instead, "
                "or choose another file name."
            ) from None
        except BaseException as exc:
            engine.dispose()
            files.remove_with_sidecars(temp)
            translated = as_vault_error(exc, path) if isinstance(exc, Exception) else None
            if translated is not None:
                raise translated from None
            if isinstance(exc, OSError):
                raise _storage_error(path, exc) from None
            raise
    return Vault(path, _engine_for(path, key))


def _access_for(path: Path, *, read_only: bool) -> _Access:
    """Read-write when the file and its folder may be written; else read-only, saying why."""
    reason = ""
    if read_only:
        reason = "it was opened read-only on request."
    elif files.marked_read_only(path) or not files.can_write(path):
        reason = "the vault file is marked read-only."
    elif not files.can_write(path.resolve().parent):
        reason = f"its folder ({path.resolve().parent}) cannot be written."
    if not reason:
        return _READ_WRITE
    _wal, shm = sidecars(path.resolve())
    unmerged = files.unmerged_wal(path.resolve())
    if unmerged and not files.can_write(path.resolve().parent) and not shm.exists():
        raise VaultStorageError(
            f"{path.name} has recent changes in its -wal file that can only be read in a "
            "folder that may be written. Make the folder writable (or copy the vault with "
            "its -wal file to one) and open it again."
        )
    # Without an unmerged -wal the main file is the whole vault: read it alone, which
    # creates no -wal or -shm that a read-only connection could not remove again.
    return _Access(read_only=True, immutable=not unmerged, reason=reason)


def open_vault(path: Path | str, passphrase: str, *, read_only: bool = False,
               alone: bool = False) -> Vault:
    """Unlock an existing vault, bring its schema up to date, and return it.

    A vault whose file is marked read-only, or whose folder cannot be written, opens
    read-only and says why (`Vault.read_only_reason`). `alone` (for a window, which keeps
    drafts open for as long as it is unlocked) refuses a vault another program has open:
    two windows on one vault would each save their copy of a draft over the other's.
    Call it with `alone` only when this process has no connection to the vault (see
    `files.in_use`). Raises VaultNotFoundError,
    WrongPassphraseError, NotAVaultError, VaultDamagedError, VaultTooNewError,
    VaultStorageError or VaultBusyError; none of them creates or changes a file.
    """
    path = Path(path)
    if not passphrase:
        raise PassphraseError("The passphrase is empty. Type the vault's passphrase.")
    _check_encodable(passphrase)
    if path.is_symlink() and not path.exists():
        raise VaultNotFoundError(
            f"{path.name} is a link to a file that does not exist. Check the link, or "
            "give the vault's own path."
        )
    if not path.exists():
        raise VaultNotFoundError(
            f"There is no vault at {path}. Check the path, or create a new vault."
        )
    if not path.is_file():
        raise NotAVaultError(f"{path.name} is a folder, not a vault file.")
    if alone and files.in_use(path.resolve()):
        raise VaultBusyError(
            f"{path.name} is already open in another window or program. Use that window, "
            "or close it and unlock here again: a vault is open in one window at a time, "
            "so that an edit made in one is not saved over in the other."
        )
    access = _access_for(path, read_only=read_only)
    salt = _read_salt(path)
    key = _RawKey(derived_key(passphrase, salt), salt)
    with files.private_umask():
        key = _proved_key(path, key, passphrase, access)
        revision = _check_schema_read_only(path, key, access)
        if access.read_only:
            if revision != migrations.HEAD:
                raise VaultStorageError(
                    f"{path.name} was written by an earlier version and must be upgraded "
                    f"before it can be opened, but {access.reason[0].lower()}"
                    f"{access.reason[1:]} Make it writable and open it again."
                )
            engine = _engine_for(path, key, access)
        else:
            engine = _engine_for(path, key)
            try:
                _bring_up_to_date(engine, revision)
            except VaultError:
                engine.dispose()
                raise
            except SQLAlchemyDatabaseError as exc:
                engine.dispose()
                original = exc.orig if exc.orig is not None else exc
                if _is_content_error(original):
                    raise VaultDamagedError(
                        f"{path.name} is damaged and could not be read. Run 'workstation "
                        "verify' on it, and restore the latest backup if it reports damage."
                    ) from None
                raise _environment_error(path, original, opening=True) from None
    if not access.read_only:
        _restrict_sidecars(path)
    vault = Vault(path, engine, read_only=access.read_only, read_only_reason=access.reason,
                  key=key)
    try:
        problems = _opening_problems(vault)
    except BaseException as exc:
        vault.close()
        translated = as_vault_error(exc, path) if isinstance(exc, Exception) else None
        if translated is not None and translated is not exc:
            raise translated from None
        raise
    if not problems:
        return vault
    # Damage or tampering: keep the file exactly as it is. The vault opens read-only, so
    # that the record can still be read, backed up elsewhere or exported, and nothing
    # more is written into it.
    reason = ("the checks made on opening found problems (run 'workstation verify' for "
              "the details; restore the latest backup if it confirms them).")
    if access.read_only:
        vault.problems, vault.read_only_reason = problems, f"{access.reason} Also, {reason}"
        return vault
    vault.close()
    with files.private_umask():
        engine = _engine_for(path, key, _Access(read_only=True, reason=reason))
    return Vault(path, engine, read_only=True, read_only_reason=reason, problems=problems,
                 key=key)


def _opening_problems(vault: Vault) -> tuple[str, ...]:
    from models.safekeeping import seal  # the services it uses need the vault first

    return seal.opening_problems(vault)


def _bring_up_to_date(engine: Engine, revision: str | None) -> None:
    """Run any pending migration, and finish a vault whose creation was cut short (no
    header row), in one transaction."""
    with engine.connect() as conn:
        complete = revision == migrations.HEAD and conn.execute(
            select(VaultInfo.id).limit(1)).first() is not None
    if complete:
        return
    with engine.begin() as conn:
        migrations.upgrade_to_head(conn)
        if conn.execute(select(VaultInfo.id).limit(1)).first() is None:
            conn.execute(insert(VaultInfo).values(**_new_vault_info("")))


def _check_schema_read_only(path: Path, key: _RawKey,
                            access: _Access = _READ_WRITE) -> str | None:
    """Refuse a vault written by a newer version before anything writes to it; return its
    schema revision (None for an empty file)."""
    try:
        with _read_only(path, key, access) as conn:
            tables = {
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            row = (
                conn.execute("SELECT version_num FROM alembic_version").fetchone()
                if "alembic_version" in tables
                else None
            )
    except sqlcipher3.DatabaseError as exc:
        if _is_content_error(exc):
            raise VaultDamagedError(
                f"{path.name} is damaged and could not be read. Restore the latest backup."
            ) from None
        raise _environment_error(path, exc, opening=True) from None
    if "alembic_version" not in tables and tables - {"sqlite_sequence"}:
        raise NotAVaultError(
            f"{path.name} is an encrypted database but not an Integration Workstation "
            "vault. Choose the vault file you created."
        )
    revision = row[0] if row else None
    # The current revision is known without asking Alembic (which takes a fifth of a
    # second to load): only an older or unknown one needs its scripts.
    if (revision is not None and revision != migrations.HEAD
            and revision not in migrations.known_revisions()):
        raise VaultTooNewError(
            f"{path.name} was written by a newer version of Integration Workstation "
            "(its schema is unknown to this one). Update the application to open it; the "
            "vault has not been changed."
        )
    return str(revision) if revision is not None else None


def open_with_key_of(vault: Vault, path: Path | str) -> Vault:
    """Open another vault file read-only with this vault's key: a backup made from it, or a
    copy being checked. Raises WrongPassphraseError when the file was made with another
    passphrase (its salt differs), and the errors of open_vault for a file that is not
    sound."""
    path = Path(path)
    key = vault._key
    if key is None:
        raise VaultError(f"{vault.name} was not opened with a key; open it with its passphrase.")
    if not path.is_file():
        raise VaultNotFoundError(f"There is no vault file at {path}. Check the path.")
    if _read_salt(path) != key.salt:
        raise WrongPassphraseError(
            f"{path.name} does not open with this vault's passphrase: it was made with "
            "another one (before a passphrase change?) or is another vault."
        )
    access = _access_for(path, read_only=True)
    with files.private_umask():
        _check_key(path, key, access)
        _check_schema_read_only(path, key, access)
        engine = _engine_for(path, key, access)
    return Vault(path, engine, read_only=True, read_only_reason=access.reason, key=key)


def _table_counts(conn: Any) -> dict[str, int]:
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def table_counts(vault: Vault) -> dict[str, int]:
    """Rows per table, read in one consistent state."""
    with vault.snapshot() as session:
        conn = session.connection().connection.driver_connection
        return _table_counts(conn)


def copy_into(vault: Vault, dest: Path, *, new_passphrase: str | None = None,
              stamp_backup_at: dt.datetime | None = None,
              progress: Callable[[float], None] | None = None) -> dict[str, int]:
    """Copy the live vault, page by page through SQLCipher, into the empty file `dest`.

    Never a file copy: SQLite's backup API reads one consistent state of the vault (what
    was committed when it began, whatever is written meanwhile, -wal included) and writes
    it encrypted, with this vault's key, or with a key derived from `new_passphrase` and
    a fresh salt. `stamp_backup_at` is written
    into the copy's header row as the time the copy was taken. Returns the rows per table
    of the state that was copied.
    """
    if vault._key is None:
        raise VaultError(f"{vault.name} was not opened with a key; open it with its passphrase.")
    if new_passphrase is not None:
        salt = os.urandom(SALT_BYTES)
        key = _RawKey(derive_key(new_passphrase, salt), salt)
    else:
        key = vault._key
    raw = vault.engine.raw_connection()
    try:
        source: Any = raw.driver_connection
        source.execute("BEGIN")
        try:
            counts = _table_counts(source)
            with files.private_umask():
                target = _raw_connect(dest, key, read_only=False)
            try:
                def step(_status: int, remaining: int, total: int) -> None:
                    if progress is not None and total:
                        progress((total - remaining) / total)

                source.backup(target, pages=256, progress=step, sleep=0.05)
                if stamp_backup_at is not None:
                    target.execute("UPDATE vault_info SET last_backup_at = ?",
                                   (stamp_backup_at.strftime("%Y-%m-%d %H:%M:%S.%f"),))
                    target.commit()
            finally:
                target.close()
        finally:
            source.rollback()
    finally:
        raw.close()
    return counts


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


def integrity_check(vault: Vault, *, pages: bool = True) -> IntegrityReport:
    """SQLCipher's per-page HMAC check (unless `pages` is False: the caller made it),
    SQLite's integrity_check and the foreign keys."""
    checks: list[tuple[str, str, Callable[[Any], str]]] = [
        ("SQLCipher cipher_integrity_check (HMAC of every page)", "PRAGMA cipher_integrity_check",
         lambda r: f"cipher_integrity_check: {r[0]}"),
        ("SQLite integrity_check", "PRAGMA integrity_check",
         lambda r: "" if r[0] == "ok" else f"integrity_check: {r[0]}"),
        ("foreign key check", "PRAGMA foreign_key_check",
         lambda r: f"foreign_key_check: table {r[0]} row {r[1]}"),
    ]
    if not vault.encrypted or not pages:
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


def as_vault_error(exc: BaseException, path: Path | None = None) -> VaultError | None:
    """Translate a storage-level failure met mid-work into the error a person should see:
    damage, a busy vault, a full disk, a read-only file, an input/output error. Returns
    None for anything else (a bug, or a constraint the caller reports itself)."""
    if isinstance(exc, VaultError):
        return exc
    if isinstance(exc, SQLAlchemyDatabaseError | StatementError):
        exc = exc.orig if exc.orig is not None else exc
    if not isinstance(exc, sqlcipher3.DatabaseError) or isinstance(
        exc, sqlcipher3.IntegrityError
    ):
        return None
    if is_damage(exc):
        return VaultDamagedError(
            "The vault is damaged and part of it could not be read. Nothing more was "
            "written. Run 'workstation verify' and restore the latest backup."
        )
    if not _error_name(exc) or _error_name(exc) == "SQLITE_ERROR":
        return None  # an SQL error: a bug, not the surroundings
    return _environment_error(path, exc)


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
