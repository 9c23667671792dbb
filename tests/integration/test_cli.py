"""The command line as a subprocess: demo, clients, verify, passphrase sources, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.integration.bad_day import run_cli

pytestmark = pytest.mark.integration


run = run_cli  # the installed command, with the passphrase "cli passphrase" by default


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "demo.iwvault"
    result = run("demo", "--vault", str(path), "--clients", "6", "--seed", "4")
    assert result.returncode == 0, result.stderr
    assert "6 clients" in result.stdout
    return path


def test_clients_lists_one_line_per_client(demo_vault: Path) -> None:
    result = run("clients", "--vault", str(demo_vault))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 6
    assert lines[0].startswith("C-000") and "dosing" in lines[0] and "notes" in lines[0]
    assert result.stderr == ""


@pytest.fixture
def flagged_vault(tmp_path: Path, demo_vault: Path) -> tuple[Path, dict[str, Any], list[Any]]:
    """A copy of the demo vault with a safety follow-up opened today, and a client whose
    dose is on record without its note (and waits for integration): the vault, the client
    list's rows by record number, and what waits across the practice."""
    import datetime as dt
    import shutil

    from models.backend import open_backend
    from models.inputs import ClientInput, CourseInput, MeasureInput

    vault = tmp_path / "copy.iwvault"
    shutil.copy2(demo_vault, vault)
    backend = open_backend(vault, "cli passphrase")
    try:
        flagged = backend.clients.summaries()[-1]
        backend.measures.record(flagged.id, MeasureInput(
            "phq9", backend.today, "integration", {i: 1 for i in range(1, 10)},
            repeat_confirmed=True), actor_id=None)
        dosed = backend.clients.create(ClientInput(name="Dose Fixture"), actor_id=None).value
        backend.care.add_course(dosed.id, CourseInput(
            "spaced", backend.today - dt.timedelta(days=9)), actor_id=None)
        dosing = backend.notes.create(dosed.id, "dosing", author_id=None,
                                      session_date=backend.today - dt.timedelta(days=3)).value
        backend.notes.create(dosed.id, "emdr", author_id=None, session_date=backend.today)
        backend.notes.discard_draft(dosing.id, actor_id=None)
        rows = {r.record_number: r for r in backend.clients.summaries()}
        waiting = backend.clients.waiting()
    finally:
        backend.close()
    assert rows[flagged.record_number].open_followups >= 1
    assert [r for r in rows.values() if r.unsigned_notes], "the demo leaves notes unsigned"
    return vault, rows, waiting


def test_clients_says_what_waits_in_each_record(
    flagged_vault: tuple[Path, dict[str, Any], list[Any]],
) -> None:
    """A safety follow-up still open and the notes to sign, as the client list marks them."""
    from models.clinical.waiting import waiting_words

    vault, rows, _waiting = flagged_vault
    result = run("clients", "--vault", str(vault))
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        said = waiting_words(rows[line.split()[0]])
        if said:
            assert line.endswith(f"  ({said})"), line
        else:
            assert line.rstrip()[-1].isdigit(), line  # ends with the count of notes


def test_waiting_lists_each_follow_up_then_each_note_then_each_dose_awaiting_integration(
    flagged_vault: tuple[Path, dict[str, Any], list[Any]],
) -> None:
    """What the window's What waits lists, one line each, in its words and order."""
    from models.clinical.waiting import totals, totals_text
    from models.dto import Waits

    vault, rows, waiting = flagged_vault
    result = run("waiting", "--vault", str(vault))
    assert result.returncode == 0, result.stderr
    heading, *lines = result.stdout.strip().splitlines()
    followups = sum(r.open_followups for r in rows.values())
    unsigned = sum(r.unsigned_notes for r in rows.values())
    assert heading == (f"{followups} safety follow-up{'s' if followups > 1 else ''} open · "
                       f"{unsigned} note{'s' if unsigned > 1 else ''} to sign · "
                       "1 dosing note to write · 1 dose awaiting integration")
    assert heading == " · ".join(totals_text(n, kind) for kind, n in totals(waiting).items())
    assert [line.split()[0] for line in lines] == [w.record_number for w in waiting]
    assert "Safety follow-up: PHQ-9 item 9 = 1" in lines[0] and "today" in lines[0]
    assert all(line.endswith("note to sign") or "Dosing note to write: D1" in line
               for line in lines[followups:-1])
    assert lines[-1].endswith("Integration after D1: 1 of the 2 sessions planned")
    assert "3 days" in lines[-1]
    document = json.loads(run("waiting", "--vault", str(vault), "--json").stdout)
    assert (document["safety_follow_ups_open"], document["notes_to_sign"],
            document["dosing_notes_to_write"], document["doses_awaiting_integration"]) \
        == (followups, unsigned, 1, 1)
    assert [(i["kind"], i["client"], i["date"], i["note_id"], i["dose"])
            for i in document["items"]] == [
        (w.kind.value, w.record_number, w.day.isoformat(), w.note_id, w.dose_label or None)
        for w in waiting]
    assert document["items"][0]["days_waiting"] == 0
    assert document["items"][-1]["kind"] == Waits.INTEGRATION.value == "integration_due"
    assert (document["items"][-1]["sessions_held"], document["items"][-1]["sessions_planned"]) \
        == (1, 2)
    assert document["items"][0]["sessions_planned"] is None


def test_verify_says_what_it_checked(demo_vault: Path) -> None:
    result = run("verify", "--vault", str(demo_vault))
    assert result.returncode == 0, result.stderr
    for checked in ("integrity_check", "cipher_integrity_check", "audit chain",
                    "no problems found"):
        assert checked in result.stdout


def test_verify_finds_a_damaged_page(tmp_path: Path, demo_vault: Path) -> None:
    damaged = tmp_path / "damaged.iwvault"
    data = bytearray(demo_vault.read_bytes())
    data[4096 * 3 + 100] ^= 0xFF  # flip a byte inside page 4
    damaged.write_bytes(bytes(data))
    result = run("verify", "--vault", str(damaged))
    assert result.returncode == 4
    assert "PROBLEM" in result.stdout or "damaged" in result.stderr


def test_wrong_passphrase_exits_3(demo_vault: Path) -> None:
    result = run("clients", "--vault", str(demo_vault), passphrase="not it")
    assert result.returncode == 3
    assert "passphrase does not open" in result.stderr
    assert result.stdout == ""


def test_passphrase_file_is_read_without_its_newline(tmp_path: Path, demo_vault: Path) -> None:
    secret = tmp_path / "pass.txt"
    secret.write_text("cli passphrase\n")
    result = run("clients", "--vault", str(demo_vault), "--passphrase-file", str(secret),
                 passphrase=None)
    assert result.returncode == 0, result.stderr


def test_no_passphrase_source_is_a_usage_error(demo_vault: Path) -> None:
    result = run("clients", "--vault", str(demo_vault), passphrase=None)
    assert result.returncode == 2
    assert "WORKSTATION_PASSPHRASE" in result.stderr


def test_a_passphrase_is_never_taken_as_an_argument(demo_vault: Path) -> None:
    result = run("clients", "--vault", str(demo_vault), "--passphrase", "x", passphrase=None)
    assert result.returncode == 2


def test_not_a_vault_and_missing_exit_4(tmp_path: Path) -> None:
    junk = tmp_path / "junk.iwvault"
    junk.write_text("hello\n" * 1000)
    assert run("clients", "--vault", str(junk)).returncode == 4
    missing = run("clients", "--vault", str(tmp_path / "missing.iwvault"))
    assert missing.returncode == 4 and "no vault" in missing.stderr
    assert not (tmp_path / "missing.iwvault").exists()


def test_demo_refuses_to_overwrite(demo_vault: Path) -> None:
    before = demo_vault.read_bytes()
    result = run("demo", "--vault", str(demo_vault))
    assert result.returncode == 1 and "already exists" in result.stderr
    assert demo_vault.read_bytes() == before


def test_usage_errors_exit_2() -> None:
    assert run("clients").returncode == 2
    assert run("nonsense", "--vault", "x").returncode == 2


def test_measures_lists_every_administration_and_the_change(demo_vault: Path) -> None:
    result = run("measures", "--vault", str(demo_vault), "--client", "c-0001")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Measures for C-0001")
    for expected in ("PHQ-9", "GAD-7", "PCL-5", "CADSS", "Baseline", "After a dose",
                     "answers", "change"):
        assert expected in out
    # Words, not the codes of the JSON document.
    for code in ("phq9", "after_dose", "cadss6"):
        assert code not in out


def test_measures_json_is_one_document_with_the_documented_keys(demo_vault: Path) -> None:
    import json

    result = run("measures", "--vault", str(demo_vault), "--client", "C-0001", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) == {"client", "administrations", "summaries", "dissociation_per_dose"}
    first = doc["administrations"][0]
    assert set(first) == {"date", "instrument", "instrument_version", "relation_to_care",
                          "answers", "total", "complete", "band", "band_validated", "flags",
                          "safety_flag", "subscales", "dosing_session_id", "dose",
                          "entered_in_error", "entered_in_error_reason", "index_event",
                          "safety_follow_up"}
    phq9 = [a for a in doc["administrations"] if a["instrument"] == "phq9"]
    for a in phq9:
        scored = sum(v for k, v in a["answers"].items() if int(k) <= 9)
        assert a["total"] == scored  # derived from the items, item 10 unscored
        assert a["safety_flag"] == (a["answers"]["9"] > 0)
        # Every positive item 9 opens a follow-up that a note's risk check answers.
        assert (a["safety_follow_up"] is not None) == a["safety_flag"]
        if a["safety_follow_up"] and not a["safety_follow_up"]["open"]:
            assert a["safety_follow_up"]["status"].startswith("addressed in the note of")
    assert set(doc["summaries"]["phq9"]) == {
        "baseline", "latest", "change", "label", "sentence", "reliable_change_points",
        "response", "remission", "clinically_meaningful", "clinically_significant",
        "not_judged"}
    assert all(a["index_event"] for a in doc["administrations"] if a["instrument"] == "pcl5")
    # Doses are numbered within their course, as every screen numbers them.
    labels = [d["dose"] for d in doc["dissociation_per_dose"]]
    assert labels and all(label.split()[-1].startswith("D") for label in labels)
    dosed = [a for a in doc["administrations"] if a["instrument"] == "cadss"]
    assert all(a["dose"] in labels for a in dosed if a["dosing_session_id"] is not None)


def test_measures_for_an_unknown_client_says_so(demo_vault: Path) -> None:
    result = run("measures", "--vault", str(demo_vault), "--client", "C-9999")
    assert result.returncode == 1
    assert "No client has the record number" in result.stderr


def _json(*args: str) -> dict[str, Any]:
    result = run(*args, "--json")
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_targets_json_has_every_target_with_its_ratings_oldest_first(demo_vault: Path) -> None:
    documents = [_json("targets", "--vault", str(demo_vault), "--client", f"C-000{n}")
                 for n in range(1, 7)]
    targets = [t for d in documents for t in d["targets"]]
    assert targets and all(set(TARGET_KEYS) <= set(t) for t in targets)
    rated = [t for t in targets if t["ratings"]]
    assert rated
    for target in rated:
        days = [(r["date"], r["point"]) for r in target["ratings"]]
        assert [d for d, _ in days] == sorted(d for d, _ in days)
        assert {r["point"] for r in target["ratings"]} <= {"baseline", "start", "set", "end",
                                                         "reevaluation"}
        assert target["sessions_worked"] >= 1 and target["last_worked"] is not None
    linked = [t for t in targets if t["part"] is not None]
    assert linked and all(t["part"]["name"] for t in linked)
    text = run("targets", "--vault", str(demo_vault), "--client", "C-0001")
    assert text.returncode == 0 and text.stdout.startswith("Targets for C-0001")


def test_parts_json_now_and_as_the_map_stood_on_a_date(demo_vault: Path) -> None:
    for n in range(1, 7):
        client = f"C-000{n}"
        now = _json("parts", "--vault", str(demo_vault), "--client", client)
        assert set(PARTS_KEYS) <= set(now) and now["snapshot"] is None
        ids = {p["id"] for p in now["parts"]}
        assert all(r["from"] in ids and r["to"] in ids for r in now["relations"])
        by_note = [h for h in now["status_history"] if h["note_id"]]
        if not by_note:
            continue
        day = by_note[0]["date"]
        then = _json("parts", "--vault", str(demo_vault), "--client", client, "--at", day)
        assert then["at"] == day and then["snapshot"]["taken_on"] <= day
        assert all(h["date"] <= day for h in then["status_history"])
        assert {"id", "name", "type", "status", "x", "y"} <= set(then["parts"][0])
        break
    else:
        pytest.fail("no demo client has a signed IFS note")
    early = run("parts", "--vault", str(demo_vault), "--client", "C-0001", "--at", "2001-01-01")
    assert early.returncode == 1 and "No parts map was kept on or before" in early.stderr
    wrong = run("parts", "--vault", str(demo_vault), "--client", "C-0001", "--at", "01/02/2026")
    assert wrong.returncode == 2 and "YYYY-MM-DD" in wrong.stderr


TARGET_KEYS = ("id", "label", "kind", "prong", "touchstone", "found_by", "image",
               "negative_cognition", "positive_cognition", "emotions", "body_location",
               "baseline_sud", "baseline_voc", "latest_sud", "latest_voc", "sessions_worked",
               "last_worked", "status", "identified_on", "part", "offer", "ratings", "history")
PARTS_KEYS = ("client", "at", "snapshot", "self_energy", "parts", "relations",
              "status_history")


def test_search_prints_each_hit_with_its_client_date_kind_and_words(demo_vault: Path) -> None:
    result = run("search", "--vault", str(demo_vault), "calm*")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("C-000") and " note" in lines[0]
    assert "[calm" in lines[1]
    assert lines[-1] == "(Private process notes were not searched; add --private to " \
        "include them.)"
    assert "found" in lines[-2]


def test_search_json_and_private_notes_only_when_asked(demo_vault: Path) -> None:
    import json

    plain = json.loads(run("search", "--vault", str(demo_vault), "rescue", "--json").stdout)
    assert plain["results"] == []  # the demo's "urge to rescue" is in private notes
    private = json.loads(run("search", "--vault", str(demo_vault), "rescue", "--json",
                             "--private").stdout)
    assert private["results"] and all(r["private_notes"] for r in private["results"])
    hit = private["results"][0]
    start, end = hit["matches"][0]
    assert hit["snippet"][start:end].lower() == "rescue"
    assert hit["client"].startswith("C-") and hit["date"] and hit["note_id"]


def test_a_search_that_cannot_be_read_is_a_usage_error(demo_vault: Path) -> None:
    result = run("search", "--vault", str(demo_vault), '"calm place')
    assert result.returncode == 2
    assert "closing quote" in result.stderr
    # No words: not "no note holds all of these words", as if it had searched.
    result = run("search", "--vault", str(demo_vault), "  ")
    assert result.returncode == 2 and "Give the words to find" in result.stderr
    assert not result.stdout
