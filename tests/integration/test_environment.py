"""A healthy vault in a hard place: read-only, full disk, busy, unreadable, odd paths.

Each says what is true and what to do, with its exit code, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from models import migrations
from models.inputs import ClientInput
from models.services import clients
from models.vault import (
    VaultReadOnlyError,
    VaultStorageError,
    as_vault_error,
    create_vault,
    open_vault,
)
from tests.conftest import TODAY
from tests.integration.bad_day import as_ordinary_user, build_first_schema_vault, digests, run_cli

pytestmark = pytest.mark.integration

PASSPHRASE = "cli passphrase"


@pytest.fixture
def small_vault(tmp_path: Path) -> Path:
    folder = tmp_path / "records"
    folder.mkdir()
    path = folder / "practice.iwvault"
    vault = create_vault(path, PASSPHRASE)
    with vault.transaction() as s:
        clients.create_client(s, ClientInput(name="Ada Example"), today=TODAY)
    vault.close()
    return path


@pytest.fixture
def read_only_folder(small_vault: Path) -> Iterator[Path]:
    folder = small_vault.parent
    folder.chmod(0o555)
    yield small_vault
    folder.chmod(0o755)


def test_a_vault_in_a_read_only_folder_opens_read_only_and_says_so(
    read_only_folder: Path
) -> None:
    path = read_only_folder
    before = digests(path)
    result = run_cli("clients", "--vault", str(path), preexec_fn=as_ordinary_user)
    assert result.returncode == 0, result.stderr
    assert "Ada Example" in result.stdout
    assert "read-only" in result.stderr and "cannot be written" in result.stderr
    assert "damaged" not in result.stderr and "backup" not in result.stderr
    verify = run_cli("verify", "--vault", str(path), preexec_fn=as_ordinary_user)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert digests(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_a_vault_file_marked_read_only_opens_read_only_and_refuses_to_write(
    small_vault: Path
) -> None:
    small_vault.chmod(0o400)
    before = digests(small_vault)
    vault = open_vault(small_vault, PASSPHRASE)
    try:
        assert vault.read_only and "marked read-only" in vault.read_only_reason
        with vault.session() as s:
            listed = clients.list_clients(s, today=dt.date.today())
            assert [c.name for c in listed] == ["Ada Example"]
        with pytest.raises(VaultReadOnlyError, match=r"read-only.*Nothing was saved"), \
                vault.transaction() as s:
            clients.create_client(s, ClientInput(name="Never Written"), today=TODAY)
    finally:
        vault.close()
    assert digests(small_vault) == before
    assert sorted(p.name for p in small_vault.parent.iterdir()) == [small_vault.name]


def test_a_full_disk_is_said_to_be_full_and_the_vault_stays_whole(small_vault: Path) -> None:
    vault = open_vault(small_vault, PASSPHRASE)

    @event.listens_for(vault.engine, "connect")
    def _tiny(dbapi_conn: object, _record: object) -> None:
        # SQLite reports "database or disk is full" exactly as for a full disk.
        dbapi_conn.execute("PRAGMA max_page_count = 1")  # type: ignore[attr-defined]

    vault.engine.dispose()
    try:
        with pytest.raises(Exception) as info, vault.transaction() as s:
            clients.create_client(s, ClientInput(name="B" * 150, diagnoses="x" * 9000), today=TODAY)
        translated = as_vault_error(info.value, small_vault)
        assert isinstance(translated, VaultStorageError)
        assert "disk holding practice.iwvault is full" in str(translated)
        assert "damaged" not in str(translated) and "restore" not in str(translated)
    finally:
        vault.close()
    vault = open_vault(small_vault, PASSPHRASE)
    with vault.session() as s:
        assert [c.name for c in clients.list_clients(s, today=dt.date.today())] == ["Ada Example"]
    vault.close()


def _no_bigger_files(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_an_upgrade_that_cannot_write_says_so_plainly_and_leaves_the_old_vault(
    tmp_path: Path
) -> None:
    path = tmp_path / "old.iwvault"
    build_first_schema_vault(path, PASSPHRASE)
    before = digests(path)
    result = run_cli("clients", "--vault", str(path),
                     preexec_fn=lambda: _no_bigger_files(4096))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "input/output error" in result.stderr
    assert "Traceback" not in result.stderr and "damaged" not in result.stderr
    assert digests(path)["main"] == before["main"]
    vault = open_vault(path, PASSPHRASE)  # with room again, the upgrade runs
    with vault.engine.connect() as conn:
        assert migrations.current_revision(conn) == migrations.HEAD
    vault.close()


_HOLD_THE_WRITE_LOCK = textwrap.dedent("""
    import sys, time
    from models.vault import open_vault
    import sqlcipher3
    from models.vault import _raw_connect, _RawKey, derive_key
    from pathlib import Path
    path = Path(sys.argv[1])
    salt = path.read_bytes()[:16]
    conn = _raw_connect(path, _RawKey(derive_key(sys.argv[2], salt), salt), read_only=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN IMMEDIATE")
    print("holding", flush=True)
    time.sleep(float(sys.argv[3]))
    conn.rollback()
""")


def test_a_busy_vault_says_it_is_busy_and_nothing_is_half_written(tmp_path: Path) -> None:
    path = tmp_path / "old.iwvault"
    build_first_schema_vault(path, PASSPHRASE)
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_THE_WRITE_LOCK, str(path),
                               PASSPHRASE, "40"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        result = run_cli("clients", "--vault", str(path), timeout=60)
        assert time.monotonic() - started < 40  # it gave up while the lock was held
    finally:
        holder.kill()
        holder.wait(timeout=20)
        if holder.stdout is not None:
            holder.stdout.close()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "is busy" in result.stderr and "try again" in result.stderr
    assert "locked" not in result.stderr and "Traceback" not in result.stderr
    vault = open_vault(path, PASSPHRASE)
    with vault.session() as s:
        assert len(clients.list_clients(s, today=dt.date.today())) == 3
    vault.close()


def test_an_unreadable_vault_file_is_said_to_be_unreadable(small_vault: Path) -> None:
    small_vault.chmod(0)
    try:
        result = run_cli("clients", "--vault", str(small_vault), preexec_fn=as_ordinary_user)
    finally:
        small_vault.chmod(0o600)
    assert result.returncode == 1, result.stderr
    assert "permission denied" in result.stderr and "permissions" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_passphrase_file_that_is_not_utf8_is_a_usage_error(
    tmp_path: Path, small_vault: Path
) -> None:
    secret = tmp_path / "pass.txt"
    secret.write_bytes(b"cli p\xe4ssphrase\n")
    result = run_cli("clients", "--vault", str(small_vault), "--passphrase-file", str(secret),
                     passphrase=None)
    assert result.returncode == 2
    assert "not UTF-8" in result.stderr and "Traceback" not in result.stderr


def test_only_the_first_line_of_the_passphrase_file_is_the_passphrase(
    tmp_path: Path, small_vault: Path
) -> None:
    secret = tmp_path / "pass.txt"
    secret.write_text(f"{PASSPHRASE}\r\nsecond line: a note to self\n")
    result = run_cli("clients", "--vault", str(small_vault), "--passphrase-file", str(secret),
                     passphrase=None)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("argv", [["--passphrase", "Sekrit-Value"],
                                  ["--passphrase=Sekrit-Value"],
                                  ["--passphrase-f", "Sekrit-Value"]])
def test_no_option_is_taken_by_an_abbreviation_and_no_value_is_echoed(
    small_vault: Path, argv: list[str]
) -> None:
    result = run_cli("clients", "--vault", str(small_vault), *argv, passphrase=None)
    assert result.returncode == 2
    assert "Sekrit-Value" not in result.stderr + result.stdout


def test_demo_through_a_dangling_link_is_refused_plainly(tmp_path: Path) -> None:
    link = tmp_path / "demo.iwvault"
    link.symlink_to(tmp_path / "elsewhere" / "missing.iwvault")
    result = run_cli("demo", "--vault", str(link), "--clients", "1")
    assert result.returncode == 1
    assert "link to a file that does not exist" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.iwvault"]


def test_through_a_link_a_refused_unlock_leaves_no_files_and_sidecars_are_private(
    tmp_path: Path, small_vault: Path
) -> None:
    link = tmp_path / "link.iwvault"
    link.symlink_to(small_vault)
    result = run_cli("clients", "--vault", str(link), passphrase="not the passphrase")
    assert result.returncode == 3
    assert sorted(p.name for p in small_vault.parent.iterdir()) == [small_vault.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.iwvault", "records"]
    vault = open_vault(link, PASSPHRASE)
    try:
        with vault.session() as s:
            clients.list_clients(s, today=dt.date.today())
        for sidecar in small_vault.parent.iterdir():
            assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600, sidecar.name
    finally:
        vault.close()
    assert not any(p.name.endswith(("-wal", "-shm")) for p in tmp_path.iterdir())


def test_opening_creates_sidecars_0600_even_with_a_permissive_umask(small_vault: Path) -> None:
    old = os.umask(0o022)
    try:
        vault = open_vault(small_vault, PASSPHRASE)
        with vault.transaction() as s:
            clients.create_client(s, ClientInput(name="Umask Fixture"), today=TODAY)
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in small_vault.parent.iterdir()}
        vault.close()
    finally:
        os.umask(old)
    assert set(modes.values()) == {0o600}, modes
