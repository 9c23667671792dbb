"""Tampering with the locks dropped, and a flipped byte: verify reports each one, and the
application opens such a vault read-only and writes nothing into it.

The tampering is done as someone with the passphrase and an SQLite tool would: keyed with
the passphrase, foreign keys off, the immutability triggers dropped first.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import text

from models.demo import DemoPlan, generate_demo
from models.inputs import ClientInput
from models.safekeeping.seal import EXPECTED_TRIGGERS
from models.safekeeping.verify import verify_vault
from models.services import clients
from models.vault import VaultReadOnlyError, create_vault, open_vault
from tests.conftest import TODAY
from tests.integration.bad_day import digests, run_cli

pytestmark = pytest.mark.integration

PASSPHRASE = "cli passphrase"


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import datetime as dt

    path = tmp_path_factory.mktemp("tamper") / "practice.iwvault"
    create_vault(path, PASSPHRASE, populate=lambda s: generate_demo(
        s, DemoPlan(clients=4, seed=5, today=dt.date(2026, 11, 1)))).close()
    return path


@pytest.fixture
def vault_copy(practice: Path, tmp_path: Path) -> Path:
    path = tmp_path / "practice.iwvault"
    shutil.copy2(practice, path)
    return path


def _one(path: Path, sql: str) -> int:
    vault = open_vault(path, PASSPHRASE)
    try:
        with vault.engine.connect() as conn:
            value = conn.execute(text(sql)).scalar()
    finally:
        vault.close()
    assert value is not None, sql
    return int(value)


def outside_tool(path: Path, *statements: str, drop: tuple[str, ...] | None = None) -> None:
    """Change the vault as an SQLite tool with the passphrase would, locks dropped."""
    conn = sqlcipher3.connect(str(path))
    conn.execute("PRAGMA key = '" + PASSPHRASE.replace("'", "''") + "'")
    for name in EXPECTED_TRIGGERS if drop is None else drop:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


SIGNED_GENERAL = ("SELECT id FROM note WHERE status = 'signed' AND template_id = 'general' "
                  "ORDER BY id LIMIT 1")
SIGNED_DOSING = ("SELECT n.id FROM note n JOIN dosing_session d ON d.locked_by_note_id = n.id "
                 "WHERE d.dose_mg IS NOT NULL ORDER BY n.id LIMIT 1")

Scenario = Callable[[Path], tuple[list[str], str]]


def text_changed(path: Path) -> tuple[list[str], str]:
    n = _one(path, SIGNED_GENERAL)
    return ([f"UPDATE note SET content = json_set(content, '$.plan', 'rewritten') "
             f"WHERE id = {n}"], f"note #{n}: its content no longer matches")


def note_deleted(path: Path) -> tuple[list[str], str]:
    n = _one(path, SIGNED_GENERAL)
    return [f"DELETE FROM addendum WHERE note_id = {n}", f"DELETE FROM note WHERE id = {n}"], \
        f"note #{n} was signed (the audit log says so) but is no longer in the vault"


def dose_changed(path: Path) -> tuple[list[str], str]:
    n = _one(path, SIGNED_DOSING)
    d = _one(path, f"SELECT id FROM dosing_session WHERE locked_by_note_id = {n}")
    return [f"UPDATE dosing_session SET dose_mg = dose_mg / 10 WHERE id = {d}"], \
        f"dosing session #{d}: dose_mg no longer match what signed note #{n} recorded"


def vitals_changed(path: Path) -> tuple[list[str], str]:
    v = _one(path, "SELECT id FROM dosing_vital WHERE note_id IS NOT NULL ORDER BY id LIMIT 1")
    d = _one(path, f"SELECT dosing_session_id FROM dosing_vital WHERE id = {v}")
    return [f"UPDATE dosing_vital SET heart_rate = 199 WHERE id = {v}"], \
        f"dosing session #{d}: the vitals no longer match"


def rating_changed(path: Path) -> tuple[list[str], str]:
    r = _one(path, "SELECT id FROM target_rating WHERE note_id IS NOT NULL AND sud IS NOT NULL "
                   "ORDER BY id LIMIT 1")
    n = _one(path, f"SELECT note_id FROM target_rating WHERE id = {r}")
    return [f"UPDATE target_rating SET sud = (sud + 3) % 11 WHERE id = {r}"], \
        f"note #{n}: the SUD/VoC ratings it filed were changed"


def addendum_changed(path: Path) -> tuple[list[str], str]:
    a = _one(path, "SELECT id FROM addendum ORDER BY id LIMIT 1")
    return [f"UPDATE addendum SET text = 'rewritten' WHERE id = {a}"], f"addendum #{a} to note"


def made_draft(path: Path) -> tuple[list[str], str]:
    n = _one(path, SIGNED_GENERAL)
    return [f"UPDATE note SET status = 'draft' WHERE id = {n}"], \
        f"note #{n} was signed but is now marked as a draft"


def newest_events_cut(path: Path) -> tuple[list[str], str]:
    return ["DELETE FROM audit_event WHERE id > (SELECT max(id) - 3 FROM audit_event)"], \
        "its newest events were removed"


@pytest.mark.parametrize("scenario", [text_changed, note_deleted, dose_changed, vitals_changed,
                                      rating_changed, addendum_changed, made_draft,
                                      newest_events_cut])
def test_verify_sees_each_change_made_with_the_locks_dropped(
    vault_copy: Path, scenario: Scenario
) -> None:
    statements, expected = scenario(vault_copy)
    outside_tool(vault_copy, *statements)
    vault = open_vault(vault_copy, PASSPHRASE)
    try:
        assert vault.read_only and vault.problems  # the dropped locks are seen on opening
        report = verify_vault(vault)
    finally:
        vault.close()
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems
    assert any("lock trg_note_no_update is missing" in p for p in report.problems)


def test_the_figures_are_checked_even_when_the_locks_are_put_back(vault_copy: Path) -> None:
    statements, expected = dose_changed(vault_copy)
    # The lock is dropped, the dose changed, and the lock put back word for word.
    outside_tool(vault_copy, *statements, EXPECTED_TRIGGERS["trg_dosing_session_no_update"],
                 drop=("trg_dosing_session_no_update",))
    vault = open_vault(vault_copy, PASSPHRASE)
    report = verify_vault(vault)
    vault.close()
    assert [p for p in report.problems if expected in p], report.problems
    assert all("lock" not in p for p in report.problems)


def test_a_missing_or_reworded_lock_is_named(vault_copy: Path) -> None:
    reworded = EXPECTED_TRIGGERS["trg_note_no_update"].replace("a signed note is locked",
                                                               "fine to change")
    outside_tool(vault_copy, reworded, drop=("trg_note_no_update", "trg_addendum_no_delete"))
    result = run_cli("verify", "--vault", str(vault_copy))
    assert result.returncode == 4
    assert "PROBLEM: the lock trg_note_no_update was changed" in result.stdout
    assert "PROBLEM: the lock trg_addendum_no_delete is missing" in result.stdout
    assert "read-only" in result.stderr


def test_cutting_events_and_mending_the_anchor_is_seen_against_a_backup(
    vault_copy: Path, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    assert run_cli("backup", "--vault", str(vault_copy), "--out", str(backups)).returncode == 0
    backup = next(backups.iterdir())
    outside_tool(vault_copy,
                 "DELETE FROM audit_event WHERE id > (SELECT max(id) - 5 FROM audit_event)",
                 "UPDATE vault_info SET audit_events = (SELECT count(*) FROM audit_event), "
                 "audit_head = (SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1)")
    result = run_cli("verify", "--vault", str(vault_copy), "--backup", str(backup))
    assert result.returncode == 4
    assert f"does not continue the log in {backup.name}" in result.stdout or \
        "events were removed" in result.stdout


def test_a_fresh_demo_vault_verifies_clean(practice: Path, tmp_path: Path) -> None:
    result = run_cli("verify", "--vault", str(practice))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PROBLEM" not in result.stdout and "dosing records, vitals" in result.stdout


def test_a_flipped_byte_is_reported_and_the_vault_is_not_written(
    vault_copy: Path, tmp_path: Path
) -> None:
    data = bytearray(vault_copy.read_bytes())
    late_page = (len(data) // 4096 - 2) * 4096 + 1000  # a data page, not the schema
    data[late_page] ^= 0x01
    vault_copy.write_bytes(bytes(data))
    before = digests(vault_copy)
    result = run_cli("verify", "--vault", str(vault_copy))
    assert result.returncode == 4
    assert "PROBLEM: page check" in result.stdout
    vault = open_vault(vault_copy, PASSPHRASE)
    try:
        assert vault.read_only and any("page check" in p for p in vault.problems)
        with pytest.raises(VaultReadOnlyError), vault.transaction() as s:
            clients.create_client(s, ClientInput(name="Never Written"), today=TODAY)
    finally:
        vault.close()
    out = tmp_path / "backups"
    out.mkdir()
    refused = run_cli("backup", "--vault", str(vault_copy), "--out", str(out))
    assert refused.returncode == 4 and "no backup was made" in refused.stderr
    assert list(out.iterdir()) == []
    assert digests(vault_copy)["main"] == before["main"]
