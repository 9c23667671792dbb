"""The zygote of the bad-day tests: imports the application once, forks a worker per job.

Run as a script by `bad_day.Zygote`. Each stdin line is {"job": name, "args": {...}}; the
zygote answers {"pid": n} and the worker prints one JSON object per line as it goes
(flushed at once, so the test knows exactly what was acknowledged before the kill).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from models.inputs import AddendumInput, ClientInput, CourseInput
from models.services import care, clients, notes, security
from models.vault import create_vault, open_vault

TODAY = dt.date(2026, 11, 1)

_WRITES = ("CREATE", "ALTER", "INSERT", "UPDATE", "DROP", "DELETE")


def say(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def _announce_writes(pause: float) -> None:
    """Print every write statement's number before it runs, then pause a moment: the test
    kills the worker between any two statements it chooses."""
    count = 0

    @event.listens_for(Engine, "before_cursor_execute")
    def step(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal count
        if statement.lstrip().upper().startswith(_WRITES):
            count += 1
            say(step=count)
            time.sleep(pause)


def create_in_steps(path: str, passphrase: str, pause: float = 0.01) -> None:
    _announce_writes(pause)
    create_vault(Path(path), passphrase).close()
    say(done=True)


def open_in_steps(path: str, passphrase: str, pause: float = 0.01) -> None:
    _announce_writes(pause)
    open_vault(Path(path), passphrase).close()
    say(done=True)


def lock_and_unlock(path: str, passphrase: str, rounds: int) -> None:
    """What two windows do at once: record unlocks and locks, each in its own commit."""
    vault = open_vault(Path(path), passphrase)
    say(started=True)
    for _ in range(rounds):
        with vault.transaction() as session:
            security.record_unlock(session, actor_id=None)
        with vault.transaction() as session:
            security.record_lock(session, actor_id=None, reason="manual")
    vault.close()
    say(done=True)


def save_notes(path: str, passphrase: str, seed: int, clinician_id: int) -> None:
    """Write notes as a therapist would, acknowledging each commit the moment it returns:
    a draft saved (its content), a note signed (its hash), an addendum, a new client."""
    rng = random.Random(seed)
    vault = open_vault(Path(path), passphrase)
    with vault.session() as session:
        client_ids = [c.id for c in clients.list_clients(session, today=dt.date.today())]
    say(started=True)
    n = 0
    while True:
        n += 1
        client_id = rng.choice(client_ids)
        with vault.transaction() as session:
            note = notes.create_note(session, client_id, "general", author_id=clinician_id,
                                     session_date=dt.date(2026, 1, 1), today=TODAY)
        say(kind="draft", note=note.id, content=None)
        for revision in range(rng.randint(1, 3)):
            content = {"session_date": "2026-01-01", "start_time": "10:00",
                       "duration_minutes": 50, "delivery": "in_office",
                       "suicidal_ideation": "denied", "homicidal_ideation": "denied",
                       "data": f"seed {seed} note {n} revision {revision}",
                       "assessment": "steady", "plan": "continue"}
            with vault.transaction() as session:
                notes.save_draft(session, note.id, content)
            say(kind="draft", note=note.id, content=content)
        if rng.random() < 0.6:
            with vault.transaction() as session:
                signed = notes.sign_note(session, note.id, clinician_id=clinician_id)
            say(kind="signed", note=note.id, hash=signed.content_hash)
            if rng.random() < 0.3:
                with vault.transaction() as session:
                    added = notes.add_addendum(session, note.id, AddendumInput(
                        "addendum", f"r{n}", f"t{n}"), author_id=clinician_id)
                say(kind="addendum", note=note.id, addendum=added.id)
        if rng.random() < 0.2:
            with vault.transaction() as session:
                client = clients.create_client(session, ClientInput(
                    name=f"Kill Fixture {seed}-{n}"), today=TODAY)
                care.add_course(session, client.id, CourseInput(
                    "spaced", dt.date(2025, 6, 1), None, ""), actor_id=clinician_id)
            client_ids.append(client.id)
            say(kind="client", client=client.id)


def backup(path: str, passphrase: str, out: str) -> None:
    from models.safekeeping import backup as backup_module

    vault = open_vault(Path(path), passphrase)
    say(started=True)
    report = backup_module.backup_vault(vault, Path(out),
                                        progress=lambda f: say(progress=round(f, 4)))
    vault.close()
    say(done=True, file=str(report.path))


def rekey(path: str, old: str, new: str) -> None:
    from models.safekeeping import rekey as rekey_module

    say(started=True)
    rekey_module.change_passphrase(Path(path), old, new,
                                   progress=lambda f: say(progress=round(f, 4)))
    say(done=True)


JOBS: dict[str, Callable[..., None]] = {
    "create_in_steps": create_in_steps,
    "open_in_steps": open_in_steps,
    "lock_and_unlock": lock_and_unlock,
    "save_notes": save_notes,
    "backup": backup,
    "rekey": rekey,
}


def main() -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the system
    say(ready=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                JOBS[request["job"]](**request["args"])
            except BaseException as exc:
                say(error=type(exc).__name__, message=str(exc))
                code = 1
            finally:
                sys.stdout.flush()
                os._exit(code)
        say(pid=pid)


if __name__ == "__main__":
    main()
