"""Files beside the vault: private temporary names, atomic placement, sidecars, locks.

A temporary file is always created in the folder of the file it will become, so that the
final rename is atomic, with mode 0600 and a hidden name made of the target's own name
(chosen by the person) and a random token: never anything from inside the vault.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SIDECAR_SUFFIXES = ("-wal", "-shm")
# A new file being filled by SQLite's backup API has a rollback journal until the copied
# first page switches it to WAL.
_LEFTOVER_SUFFIXES = (*SIDECAR_SUFFIXES, "-journal")
# A temporary file younger than this may belong to an operation still starting up (it
# opens its SQLite connection a moment after creating the file); it is never removed.
ABANDONED_AFTER_SECONDS = 60.0

# SQLite's unix VFS: every connection to a WAL database holds a shared lock on this byte
# of the -shm file (the "dead man switch") for as long as it is open.
_SHM_DMS_BYTE = 128


@contextmanager
def private_umask() -> Iterator[None]:
    """Files created inside (the vault, its -wal and -shm, copies) are 0600, folders 0700."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def sidecars(path: Path) -> tuple[Path, Path]:
    """The -wal and -shm files SQLite keeps beside a database in WAL mode."""
    wal, shm = (path.with_name(path.name + s) for s in SIDECAR_SUFFIXES)
    return wal, shm


def unmerged_wal(path: Path) -> bool:
    """The -wal beside `path` holds changes SQLite has not yet merged into the file."""
    wal, _shm = sidecars(path)
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False


def leftovers_problem(path: Path) -> str | None:
    """Why a new database may not be put at `path`, where there is no file now: SQLite
    would take the -wal left there by an earlier database of that name for its own and
    read the earlier one's pages as the new one's (which then cannot be opened), or join
    the connections of a program that still has the earlier one open."""
    wal, _shm = sidecars(path)
    if in_use(path):
        return (f"A vault called {path.name} is still open in another program, although "
                "its file is gone. Close that program, or choose another file name.")
    if unmerged_wal(path):
        return (f"An earlier vault called {path.name} was not closed properly and left its "
                f"last changes here, in {wal.name}. They would damage a new vault of that "
                f"name. If that vault was moved, move {wal.name} beside it; if it was "
                f"deleted, delete {wal.name} too. Or choose another file name.")
    return None


def remove_with_sidecars(path: Path) -> None:
    """Remove a database file and every file SQLite keeps beside it."""
    for suffix in ("", *_LEFTOVER_SUFFIXES):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def temp_prefix(target: Path, purpose: str) -> str:
    return f".{target.name}.{purpose}-"


def new_private_file(target: Path, purpose: str) -> Path:
    """Create an empty 0600 file beside `target` under a fresh hidden name, and return it."""
    for _ in range(20):
        candidate = target.with_name(temp_prefix(target, purpose) + secrets.token_hex(4))
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                         stat.S_IRUSR | stat.S_IWUSR)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target.parent))


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def place_new(temp: Path, final: Path) -> None:
    """Rename `temp` to `final`, which must not exist; never replaces a file.

    A hard link fails atomically when `final` exists; where links are not supported
    (some network and FAT file systems) the name is checked first and then renamed.
    """
    try:
        os.link(temp, final)
    except FileExistsError:
        raise
    except OSError:
        if final.exists() or final.is_symlink():
            raise FileExistsError(errno.EEXIST, "exists", str(final)) from None
        os.replace(temp, final)
    else:
        temp.unlink()
    fsync_folder(final.parent)


def replace(temp: Path, final: Path) -> None:
    """Atomically put `temp` in the place of `final` (whether or not it exists)."""
    os.replace(temp, final)
    fsync_folder(final.parent)


def in_use(path: Path) -> bool:
    """True when another process has the SQLite database at `path` open.

    Call it only when this process holds no connection to that database: releasing the
    probe's lock would release this process's SQLite locks on the same file too. Where
    POSIX locks are not available the answer is False.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return False
    _wal, shm = sidecars(path)
    try:
        fd = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False  # no connection in WAL mode runs without its -shm
    except OSError:
        return True  # cannot tell: assume the worst
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_BYTE, os.SEEK_SET)
        except OSError:
            return True
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, _SHM_DMS_BYTE, os.SEEK_SET)
        return False
    finally:
        os.close(fd)


def remove_abandoned(target: Path, purpose: str, *,
                     older_than: float = ABANDONED_AFTER_SECONDS) -> list[Path]:
    """Remove temporary files for `target` left by an operation that was killed.

    A file counts as abandoned when no process has it open and it is older than
    `older_than` seconds. Returns what was removed.
    """
    prefix = temp_prefix(target, purpose)
    removed = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return []
    now = time.time()
    for entry in entries:
        name = entry.name
        if not name.startswith(prefix) or name.endswith(_LEFTOVER_SUFFIXES):
            continue
        try:
            age = now - entry.lstat().st_mtime
        except OSError:
            continue
        if age < older_than or in_use(entry):
            continue
        try:
            remove_with_sidecars(entry)
        except OSError:
            continue
        removed.append(entry)
    return removed


def marked_read_only(path: Path) -> bool:
    """The file has no write permission bit: someone marked it read-only on purpose.

    Checked on the mode rather than with access(), so that the mark is honoured even for
    an administrator, whom the system would let write anyway.
    """
    try:
        return not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    except OSError:
        return False


def can_write(path: Path) -> bool:
    return os.access(path, os.W_OK)
