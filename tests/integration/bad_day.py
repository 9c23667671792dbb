"""Helpers for the bad-day tests: the installed command, killed workers, older vaults.

Killing a fresh Python process per trial would spend most of each trial importing
SQLAlchemy; a `Zygote` imports everything once and forks one worker per trial, and the
test kills that worker with SIGKILL exactly as a crash or a power cut would.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

HERE = Path(__file__).resolve().parent
WORKSTATION = Path(sys.executable).with_name("workstation")
KILL_WAIT_SECONDS = 20.0


def cli_env(passphrase: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("WORKSTATION_PASSPHRASE", "WORKSTATION_NEW_PASSPHRASE")}
    if passphrase is not None:
        env["WORKSTATION_PASSPHRASE"] = passphrase
    env.update(extra or {})
    return env


def run_cli(*args: str, passphrase: str | None = "cli passphrase",
            env_extra: dict[str, str] | None = None, timeout: float = 120,
            preexec_fn: Callable[[], None] | None = None,
            ) -> subprocess.CompletedProcess[str]:
    """The installed `workstation` command, as a person would run it."""
    return subprocess.run([str(WORKSTATION), *args], env=cli_env(passphrase, env_extra),
                          capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=timeout, preexec_fn=preexec_fn)


def as_ordinary_user() -> None:
    """preexec_fn: an administrator gives up overriding file permissions, so that a
    read-only folder or an unreadable file is as read-only as it is for anyone else."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "cannot drop the file-permission override")


def digests(path: Path) -> dict[str, str]:
    found = {}
    for suffix in ("", "-wal"):
        f = path.with_name(path.name + suffix)
        if f.exists():
            found[suffix or "main"] = hashlib.sha256(f.read_bytes()).hexdigest()
    return found


def older_vault(path: Path, passphrase: str, revision: str) -> Callable[[], Engine]:
    """A new vault file whose schema stops at `revision`, as an older release wrote it.
    Returns a factory of keyed engines on it (one key derivation), for the test to fill
    the old schema by SQL and later look inside without opening the vault."""
    from alembic import command

    from models import migrations
    from models.vault import _engine_for, _RawKey, derive_key

    salt = os.urandom(16)
    key = _RawKey(derive_key(passphrase, salt), salt)
    path.touch(mode=0o600)
    engine = _engine_for(path, key)
    with engine.begin() as conn:
        command.upgrade(migrations._config(conn), revision)
    engine.dispose()
    return lambda: _engine_for(path, key)


def build_first_schema_vault(path: Path, passphrase: str, clients: int = 3) -> None:
    """A vault at revision 0001, as the first release wrote it, holding a few clients."""
    engine = older_vault(path, passphrase, "0001")()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO vault_info (vault_uuid, created_at, created_by_app) "
                          "VALUES ('00000000-0000-4000-8000-000000000001', '2025-01-01', "
                          "'0.0.1')"))
        for i in range(1, clients + 1):
            conn.execute(text(
                "INSERT INTO client (record_number, name, preferred_name, pronouns, contact, "
                "emergency_contact, diagnoses, status, created_at, updated_at) VALUES "
                f"('C-{i:04d}', 'Old Fixture {i}', '', '', '', '', '', 'active', "
                "'2025-01-01', '2025-01-01')"))
    engine.dispose()


class Zygote:
    """A process that has imported the application and forks workers on request.

    Worker lines arrive on `lines` as dicts: {"pid": n} from the zygote, and whatever the
    job prints (one JSON object per line) from the worker.
    """

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "bad_day_jobs.py")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, cwd=str(HERE), env=cli_env(None),
        )
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        ready = self.next_line(timeout=60)
        assert ready == {"ready": True}, ready

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))

    def next_line(self, timeout: float = 30) -> dict[str, Any]:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            raise AssertionError(f"no line from the worker within {timeout} s {err}") from None

    def start(self, job: str, **kwargs: Any) -> int:
        """Fork a worker running `job`; returns its pid."""
        while not self.lines.empty():  # lines of an earlier, killed worker
            self.lines.get_nowait()
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"job": job, "args": kwargs}) + "\n")
        self.proc.stdin.flush()
        while True:
            line = self.next_line()
            if "pid" in line:
                return int(line["pid"])
            self.lines.put(line)

    def lines_until(self, predicate: Callable[[dict[str, Any]], bool],
                    timeout: float = 30) -> Iterator[dict[str, Any]]:
        """Worker lines up to and including the first that satisfies predicate."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(timeout=max(0.1, deadline - time.monotonic()))
            yield line
            if predicate(line):
                return

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if self.proc.stdout:
            self.proc.stdout.close()
        if self.proc.stderr:
            self.proc.stderr.close()


def kill9(pid: int) -> None:
    """SIGKILL a worker and wait (bounded) until it is gone."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + KILL_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().split()[2] == "Z":
                    return
        except OSError:
            return
        time.sleep(0.01)
    raise AssertionError(f"worker {pid} did not die within {KILL_WAIT_SECONDS} s")
