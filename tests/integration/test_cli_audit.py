"""`workstation audit` as a subprocess: the trail in words, its choices, its JSON, and a
chain that no longer holds."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

from models.formatting import date_time_text
from tests.integration.bad_day import run_cli

pytestmark = pytest.mark.integration

PASSPHRASE = "cli audit passphrase"
CHAIN_HOLDS = "The audit chain holds: every event is linked to the one before it."
LEFT_OUT = ("older events were left out: narrow with --from/--to or --client, or raise "
            "--limit")
EVENT_KEYS = {"id", "at", "who", "action", "what", "record", "client", "client_name",
              "detail"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, passphrase=PASSPHRASE)


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audit") / "demo.iwvault"
    result = run("demo", "--vault", str(path), "--clients", "3", "--seed", "4")
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def vault_copy(vault: Path, tmp_path: Path) -> Path:
    path = tmp_path / "copy.iwvault"
    shutil.copy2(vault, path)
    return path


def audit(vault: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run("audit", "--vault", str(vault), *args)


def audit_json(vault: Path, *args: str) -> dict[str, Any]:
    result = audit(vault, *args, "--json")
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def event_lines(stdout: str) -> list[str]:
    """The lines of the events: indented, between the heading and the closing lines."""
    return [line for line in stdout.splitlines() if line.startswith("  ")]


def test_audit_prints_each_event_in_words_and_says_the_chain_holds(vault: Path) -> None:
    result = audit(vault)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Audit trail of the whole vault, newest first:"
    events = event_lines(result.stdout)
    everything = audit_json(vault)
    assert everything["events"] and len(events) == len(everything["events"])
    assert len(events) == everything["events_in_vault"]  # the demo's events, none left out
    signed = [line for line in events if "Note signed and locked" in line]
    assert signed and all("C-000" in line and "note of" in line and "Content hash" in line
                          for line in signed)
    assert any("Demo client created" in line for line in events)
    # Who, or a dash for what no clinician did by hand (the demo draws its relations so).
    assert any("Dr. Demo Clinician" in line for line in events)
    assert any(event["who"] is None for event in everything["events"])
    # Words, never the codes the log stores.
    for code in ("note.sign", "note.create", "demo.client", "sha256="):
        assert code not in result.stdout
    # Newest first, the words of each line those of its event.
    for line, event in zip(events, everything["events"], strict=True):
        assert line.startswith(f"  {date_time_text(dt.datetime.fromisoformat(event['at']))}")
        assert f"  {event['who'] or '—'}  " in line
        assert all(words in line for words in (event["what"], event["record"],
                                                event["client"], event["detail"]) if words)
    assert lines[-2] == f"{len(events)} events shown, of {len(events)} events in the vault."
    assert lines[-1] == CHAIN_HOLDS
    assert LEFT_OUT not in result.stdout
    assert result.stderr == ""


def test_audit_of_one_client_shows_only_that_clients_events(vault: Path) -> None:
    everything = audit_json(vault)
    theirs = [e for e in everything["events"] if e["client"] == "C-0002"]
    assert theirs and len(theirs) < len(everything["events"])
    one = audit_json(vault, "--client", "c-0002")  # found however it is typed
    assert one["client"] == "C-0002"
    assert [e["id"] for e in one["events"]] == [e["id"] for e in theirs]
    result = audit(vault, "--client", "C-0002")
    assert result.returncode == 0, result.stderr
    name = theirs[0]["client_name"]
    assert result.stdout.splitlines()[0] == f"Audit trail of C-0002 {name}, newest first:"
    assert len(event_lines(result.stdout)) == len(theirs)
    assert "C-0001" not in result.stdout and "C-0003" not in result.stdout
    assert result.stdout.splitlines()[-1] == CHAIN_HOLDS


def test_audit_of_an_unknown_client_says_so(vault: Path) -> None:
    result = audit(vault, "--client", "C-9999")
    assert result.returncode == 1
    assert "No client has the record number" in result.stderr
    assert result.stdout == ""


def test_audit_from_a_day_after_today_shows_no_event(vault: Path) -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    result = audit(vault, "--from", tomorrow)
    assert result.returncode == 0, result.stderr
    assert event_lines(result.stdout) == []
    assert "No event matches this choice" in result.stdout
    assert result.stdout.splitlines()[-1] == CHAIN_HOLDS
    document = audit_json(vault, "--from", tomorrow)
    assert document["events"] == [] and document["from"] == tomorrow
    assert document["events_in_vault"] > 0
    # The demo's events were all recorded today: a period that holds today shows them all.
    today = dt.date.today().isoformat()
    both = audit_json(vault, "--from", today, "--to", today)
    assert both["to"] == today and len(both["events"]) == both["events_in_vault"]


def test_audit_choices_that_cannot_be_are_usage_errors(vault: Path) -> None:
    result = audit(vault, "--from", "2026-10-07", "--to", "2026-10-06")
    assert result.returncode == 2
    assert "--to: The period ends before it starts" in result.stderr
    assert result.stdout == ""
    wrong = audit(vault, "--from", "07/10/2026")
    assert wrong.returncode == 2 and "--from takes a date as YYYY-MM-DD" in wrong.stderr
    none = audit(vault, "--limit", "0")
    assert none.returncode == 2 and "--limit: Show between 1 and" in none.stderr


def test_audit_limit_shows_the_newest_and_says_older_ones_were_left_out(vault: Path) -> None:
    result = audit(vault, "--limit", "2")
    assert result.returncode == 0, result.stderr
    assert len(event_lines(result.stdout)) == 2
    lines = result.stdout.splitlines()
    assert lines[-2].startswith("2 events shown, of ") and lines[-2].endswith(f"; {LEFT_OUT}.")
    assert lines[-1] == CHAIN_HOLDS
    newest = audit_json(vault, "--limit", "2")
    everything = audit_json(vault)
    assert newest["more"] and not everything["more"]
    assert [e["id"] for e in newest["events"]] == [e["id"] for e in everything["events"][:2]]


def test_audit_json_is_one_document_with_the_documented_keys(vault: Path) -> None:
    document = audit_json(vault)
    assert set(document) == {"client", "from", "to", "events_in_vault", "chain_intact",
                             "chain_problem", "more", "events"}
    assert document["client"] is None and document["from"] is None and document["to"] is None
    assert document["chain_intact"] is True and document["chain_problem"] is None
    assert document["more"] is False
    events = document["events"]
    assert len(events) == document["events_in_vault"]
    assert all(set(event) == EVENT_KEYS for event in events)
    ids = [event["id"] for event in events]
    assert ids == sorted(ids, reverse=True)  # newest first
    for event in events:
        at = dt.datetime.fromisoformat(event["at"])
        assert at.utcoffset() == dt.timedelta(0)
    signed = [event for event in events if event["action"] == "note.sign"]
    assert signed and all(event["what"] == "Note signed and locked"
                          and event["client"].startswith("C-000") and event["client_name"]
                          and " note of " in event["record"] for event in signed)


def test_audit_reads_a_vault_open_read_only(vault_copy: Path) -> None:
    before = vault_copy.read_bytes()
    vault_copy.chmod(stat.S_IRUSR)
    try:
        result = audit(vault_copy, "--limit", "3")
    finally:
        vault_copy.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert result.returncode == 0, result.stderr
    assert "read-only" in result.stderr
    assert len(event_lines(result.stdout)) == 3
    assert result.stdout.splitlines()[-1] == CHAIN_HOLDS
    assert vault_copy.read_bytes() == before


def test_an_altered_chain_is_shown_with_a_warning_and_exits_1(vault_copy: Path) -> None:
    # Someone with the passphrase drops the lock and edits an event, as an SQLite tool can.
    conn = sqlcipher3.connect(str(vault_copy))
    conn.execute("PRAGMA key = '" + PASSPHRASE.replace("'", "''") + "'")
    conn.execute("DROP TRIGGER trg_audit_event_no_update")
    altered = conn.execute("SELECT min(id) FROM audit_event WHERE action = 'note.sign'"
                           ).fetchone()[0]
    conn.execute("UPDATE audit_event SET detail = 'sha256=forged' WHERE id = ?", (altered,))
    conn.commit()
    conn.close()
    result = audit(vault_copy)
    assert result.returncode == 1
    assert (f"WARNING: the audit chain does not hold: event {altered} was altered after it "
            "was written. Run `workstation verify` and restore the latest backup that "
            "verifies.") in result.stderr
    # The events are still shown, as they now read, but the chain is not said to hold.
    assert any("Content hash forged" in line for line in event_lines(result.stdout))
    assert "The audit chain holds" not in result.stdout
    # Every event of the vault is counted, those after the break too.
    shown = len(event_lines(result.stdout))
    assert result.stdout.splitlines()[-1] == f"{shown} events shown, of {shown} events in " \
        "the vault."
    as_json = audit(vault_copy, "--json")
    assert as_json.returncode == 1 and "WARNING: the audit chain does not hold" in \
        as_json.stderr
    document = json.loads(as_json.stdout)
    assert document["chain_intact"] is False
    assert f"event {altered} was altered" in document["chain_problem"]
