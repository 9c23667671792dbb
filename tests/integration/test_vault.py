"""The vault on real SQLCipher files: creation, keys, damage, versions, pragmas, secrecy."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import models.vault as vault_module
from models import audit, migrations
from models.entities import Base, Client
from models.errors import ValidationError
from models.inputs import ClientInput
from models.search_text import bracketed_snippet
from models.services import clients
from models.vault import (
    NotAVaultError,
    VaultConnectionError,
    VaultExistsError,
    VaultNotFoundError,
    VaultTooNewError,
    WrongPassphraseError,
    _configure,
    create_vault,
    integrity_check,
    open_vault,
)
from models.vault_key import derive_key_as_typed
from tests.conftest import TODAY
from tests.integration.bad_day import older_vault

pytestmark = pytest.mark.integration


def _digests(path: Path) -> dict[str, str]:
    found = {}
    for suffix in ("", "-wal"):
        f = path.with_name(path.name + suffix)
        if f.exists():
            found[suffix or "main"] = hashlib.sha256(f.read_bytes()).hexdigest()
    return found


def _leave_unmerged_wal(path: Path, passphrase: str) -> None:
    """Write in a child process that dies without closing, as a crash would."""
    script = textwrap.dedent(
        """
        import os, sys
        from models.vault import open_vault
        import datetime as dt
        from models.inputs import ClientInput
        from models.services import clients
        TODAY = dt.date(2026, 11, 1)
        vault = open_vault(sys.argv[1], sys.argv[2])
        with vault.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
            conn.commit()
        with vault.transaction() as s:
            clients.create_client(s, today=TODAY, data=ClientInput(name="Crash Fixture"))
        os._exit(0)
        """
    )
    subprocess.run([sys.executable, "-c", script, str(path), passphrase], check=True)


def test_create_makes_a_private_file_and_open_finds_it(vault_path: Path, passphrase: str) -> None:
    vault = create_vault(vault_path, passphrase)
    vault.close()
    assert stat.S_IMODE(vault_path.stat().st_mode) == 0o600
    vault = open_vault(vault_path, passphrase)
    with vault.session() as s:
        assert clients.list_clients(s, today=dt.date.today()) == []
    vault.close()


def test_opening_a_missing_path_says_so_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.iwvault"
    with pytest.raises(VaultNotFoundError, match="no vault"):
        open_vault(missing, "anything")
    assert list(tmp_path.iterdir()) == []


def test_create_refuses_an_existing_file(vault_path: Path, passphrase: str) -> None:
    vault_path.write_bytes(b"keep me")
    with pytest.raises(VaultExistsError):
        create_vault(vault_path, passphrase)
    assert vault_path.read_bytes() == b"keep me"


def test_wrong_passphrase_has_its_own_error_and_changes_nothing(
    vault_path: Path, passphrase: str
) -> None:
    create_vault(vault_path, passphrase).close()
    before = _digests(vault_path)
    with pytest.raises(WrongPassphraseError):
        open_vault(vault_path, passphrase + "x")
    assert _digests(vault_path) == before


def test_wrong_passphrase_leaves_an_unmerged_wal_untouched(
    vault_path: Path, passphrase: str
) -> None:
    create_vault(vault_path, passphrase).close()
    _leave_unmerged_wal(vault_path, passphrase)
    before = _digests(vault_path)
    assert "-wal" in before and os.path.getsize(str(vault_path) + "-wal") > 0
    with pytest.raises(WrongPassphraseError):
        open_vault(vault_path, "not the passphrase")
    assert _digests(vault_path) == before
    # and the right passphrase still finds the client written before the crash
    vault = open_vault(vault_path, passphrase)
    with vault.session() as s:
        assert [c.name for c in clients.list_clients(s, today=dt.date.today())] == ["Crash Fixture"]
    vault.close()


def test_a_text_file_is_not_a_vault(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Dear diary, this is not a database.\n" * 200)
    before = path.read_bytes()
    with pytest.raises(NotAVaultError, match="not an Integration Workstation vault"):
        open_vault(path, "anything")
    assert path.read_bytes() == before


def test_a_plain_sqlite_database_is_not_a_vault(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (a)")
    conn.commit()
    conn.close()
    with pytest.raises(NotAVaultError, match="unencrypted SQLite"):
        open_vault(path, "anything")


def test_a_vault_from_a_newer_version_is_refused_and_left_alone(
    vault_path: Path, passphrase: str
) -> None:
    vault = create_vault(vault_path, passphrase)
    with vault.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    vault.close()
    before = _digests(vault_path)
    with pytest.raises(VaultTooNewError, match="newer version"):
        open_vault(vault_path, passphrase)
    assert _digests(vault_path) == before


@pytest.mark.parametrize(
    "odd_passphrase",
    [
        "it's \"quoted\"",
        "back\\slash\\\\and'; DROP TABLE client; --",
        "ünïcödé ✓ パスワード 🔐",
        "x" * 200,
        " leading and trailing spaces ",
    ],
)
def test_any_passphrase_works_and_opens_in_plain_sqlcipher(
    tmp_path: Path, odd_passphrase: str
) -> None:
    path = tmp_path / "odd.iwvault"
    vault = create_vault(path, odd_passphrase)
    with vault.transaction() as s:
        clients.create_client(s, today=TODAY, data=ClientInput(name="Quote Fixture"))
    vault.close()
    vault = open_vault(path, odd_passphrase)
    vault.close()
    # No lock-in: any SQLCipher 4 tool opens it with the passphrase alone.
    conn = sqlcipher3.connect(str(path))
    conn.execute("PRAGMA key = '" + odd_passphrase.replace("'", "''") + "'")
    assert conn.execute("SELECT name FROM client").fetchall() == [("Quote Fixture",)]
    conn.close()


def test_every_connection_has_the_required_settings(vault_path: Path, passphrase: str) -> None:
    vault = create_vault(vault_path, passphrase)
    expected = {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "secure_delete": 1,
        "temp_store": 2,
    }
    # Two connections at once: both come from the creator and both are checked.
    with vault.engine.connect() as a, vault.engine.connect() as b:
        for conn in (a, b):
            assert str(conn.exec_driver_sql("PRAGMA cipher_version").scalar()).startswith("4.")
            for pragma, value in expected.items():
                got = conn.exec_driver_sql(f"PRAGMA {pragma}").scalar()
                assert (got.lower() if isinstance(got, str) else got) == value, pragma
    vault.close()


def test_a_connection_that_refuses_a_setting_is_rejected() -> None:
    class StubbornCursor:
        def execute(self, sql: str) -> StubbornCursor:
            self.sql = sql
            return self

        def fetchone(self) -> tuple[object]:
            if "cipher_version" in self.sql:
                return ("4.19.0 community",)
            # temp_store stays FILE (1): plaintext temporary files must never be allowed
            return (1,) if "temp_store" in self.sql else ({
                "journal_mode": "wal", "synchronous": 2, "foreign_keys": 1,
                "secure_delete": 1}[self.sql.split()[1]],)

        def close(self) -> None:
            pass

    class StubbornConnection:
        def cursor(self) -> StubbornCursor:
            return StubbornCursor()

    with pytest.raises(VaultConnectionError, match="temp_store"):
        _configure(StubbornConnection(), encrypted=True)


def test_sqlcipher_does_not_log_a_wrong_key(
    vault_path: Path, passphrase: str, capfd: pytest.CaptureFixture[str]
) -> None:
    create_vault(vault_path, passphrase).close()
    with pytest.raises(WrongPassphraseError):
        open_vault(vault_path, "wrong")
    out, err = capfd.readouterr()
    assert "hmac" not in (out + err).lower()
    assert "ERROR" not in out + err


def test_a_failed_insert_never_shows_the_values(vault_path: Path, passphrase: str) -> None:
    vault = create_vault(vault_path, passphrase)
    with vault.transaction() as s:
        clients.create_client(s, today=TODAY, data=ClientInput(name="Unique Secretname"),
                              record_number="C-0042")
    # The service refuses a taken record number itself, without quoting it...
    with pytest.raises(ValidationError) as refused, vault.transaction() as s:
        clients.create_client(s, today=TODAY,
                              data=ClientInput(name="Hidden Valuename", diagnoses="Private Dx"),
            record_number="C-0042",
        )
    # ...and a constraint the database enforces never shows the values either.
    with pytest.raises(IntegrityError) as info, vault.transaction() as s:
        s.add(Client(record_number="C-0042", name="Hidden Valuename", diagnoses="Private Dx"))
        s.flush()
    message = str(info.value)
    assert "UNIQUE" in message
    for secret in ("Hidden Valuename", "Private Dx", "C-0042"):
        assert secret not in message
        assert secret not in str(refused.value)
    vault.close()


def test_client_text_is_not_readable_on_disk(vault_path: Path, passphrase: str) -> None:
    vault = create_vault(vault_path, passphrase)
    with vault.transaction() as s:
        clients.create_client(s, today=TODAY, data=ClientInput(name="Plaintext Canary",
                                                     diagnoses="Canary diagnosis"))
    raw = b"".join(
        p.read_bytes() for p in vault_path.parent.iterdir() if p.name.startswith(vault_path.name)
    )
    vault.close()
    raw += vault_path.read_bytes()
    assert b"Plaintext Canary" not in raw and b"Canary diagnosis" not in raw
    assert not raw.startswith(b"SQLite format 3")


def test_the_audit_log_is_append_only_and_chained(vault_path: Path, passphrase: str) -> None:
    vault = create_vault(vault_path, passphrase)
    with vault.transaction() as s:
        for name in ("Audit One", "Audit Two", "Audit Three"):
            clients.create_client(s, today=TODAY, data=ClientInput(name=name))
    with vault.session() as s:
        report = audit.verify_chain(s)
        assert report.ok and report.events == 3
    for sql in ("UPDATE audit_event SET action = 'x' WHERE id = 2",
                "DELETE FROM audit_event WHERE id = 2"):
        with pytest.raises(Exception, match="append-only"), vault.engine.begin() as conn:
            conn.execute(text(sql))
    # Someone with the key who drops the trigger and edits a row is caught by the chain.
    with vault.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER trg_audit_event_no_update"))
        conn.execute(text("UPDATE audit_event SET detail = 'forged' WHERE id = 2"))
    with vault.session() as s:
        report = audit.verify_chain(s)
    assert not report.ok and report.first_broken_id == 2
    vault.close()


def test_audit_events_hold_no_client_text(vault_path: Path, passphrase: str) -> None:
    vault = create_vault(vault_path, passphrase)
    with vault.transaction() as s:
        c = clients.create_client(s, today=TODAY, data=ClientInput(name="Quiet Person",
                                                         diagnoses="Something private"))
        clients.update_client(s, c.id, today=TODAY, data=ClientInput(name="Quiet Personrenamed"))
    with vault.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit_event")).fetchall()
    vault.close()
    flat = " ".join(str(v) for row in rows for v in row)
    assert "Quiet" not in flat and "private" not in flat
    assert "fields=name,diagnoses" in flat


def test_integrity_check_passes_on_a_healthy_vault(vault_path: Path, passphrase: str) -> None:
    vault = create_vault(vault_path, passphrase)
    report = integrity_check(vault)
    vault.close()
    assert report.ok
    assert any("cipher_integrity_check" in c for c in report.checks)


def test_the_migrations_build_exactly_the_entities(vault_path: Path, passphrase: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    assert migrations.script_head() == migrations.HEAD
    vault = create_vault(vault_path, passphrase)
    with vault.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": migrations.include_name})
        diff = compare_metadata(context, Base.metadata)
    vault.close()
    assert diff == []


def test_a_vault_of_the_first_schema_is_upgraded_on_open_and_keeps_its_locks(
    vault_path: Path, passphrase: str
) -> None:
    # Build a vault at revision 0001, as the first release wrote it.
    engine = older_vault(vault_path, passphrase, "0001")()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO client (record_number, name, preferred_name, pronouns, "
                          "contact, emergency_contact, diagnoses, status, created_at, "
                          "updated_at) VALUES ('C-0001', 'Old Fixture', '', '', '', '', '', "
                          "'active', '2025-01-01', '2025-01-01')"))
    engine.dispose()
    vault = open_vault(vault_path, passphrase)
    with vault.engine.connect() as conn:
        assert migrations.current_revision(conn) == migrations.HEAD == "0010"
        columns = {r[1] for r in conn.execute(text("PRAGMA table_info(measure_administration)"))}
        vitals = {r[1] for r in conn.execute(text("PRAGMA table_info(dosing_vital)"))}
        dosing = {r[1] for r in conn.execute(text("PRAGMA table_info(dosing_session)"))}
        triggers = {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
    assert {"entered_in_error_at", "entered_in_error_reason", "index_event"} <= columns
    assert {"respiratory_rate", "moaas"} <= vitals and "dose_time" in dosing
    assert {"trg_measure_administration_no_update", "trg_audit_event_no_delete",
            "trg_dosing_vital_no_update", "trg_dosing_session_no_update"} <= triggers
    with vault.session() as s:
        assert [c.name for c in clients.list_clients(s, today=dt.date.today())] == ["Old Fixture"]
    vault.close()


def test_a_damaged_first_page_is_told_apart_from_a_wrong_passphrase(
    vault_path: Path, passphrase: str
) -> None:
    from models.vault import VaultDamagedError

    vault = create_vault(vault_path, passphrase)
    with vault.transaction() as s:
        clients.create_client(s, today=TODAY, data=ClientInput(name="Damage Fixture"))
    vault.close()
    data = bytearray(vault_path.read_bytes())
    data[200] ^= 0xFF  # inside page 1, after the salt
    vault_path.write_bytes(bytes(data))
    before = _digests(vault_path)
    with pytest.raises(VaultDamagedError, match="passphrase is right"):
        open_vault(vault_path, passphrase)
    with pytest.raises(WrongPassphraseError):
        open_vault(vault_path, "not the passphrase")
    assert _digests(vault_path) == before


def test_upgrading_to_0004_keeps_every_rating_and_lock_and_allows_deferred(
    vault_path: Path, passphrase: str
) -> None:
    from models.services.notes import signed_content_hash

    # A vault at 0002 whose target has a rating from a signed note: widening the status
    # check must not copy and drop the target table (that would cascade into the rating).
    keyed = older_vault(vault_path, passphrase, "0002")
    engine = keyed()
    with engine.begin() as conn:
        for statement in (
            "INSERT INTO client (id, record_number, name, preferred_name, pronouns, contact, "
            "emergency_contact, diagnoses, status, created_at, updated_at) VALUES (1, 'C-0001',"
            " 'Old Fixture', '', '', '', '', '', 'active', '2025-01-01', '2025-01-01')",
            "INSERT INTO target_memory (id, client_id, kind, label, prong, touchstone, found_by,"
            " image, negative_cognition, positive_cognition, emotions, body_location, status, "
            "identified_on, created_at) VALUES (1, 1, 'emdr', 'Hallway', 'past', 0, '', '', '',"
            " '', '', '', 'in_processing', '2025-01-01', '2025-01-01')",
            "INSERT INTO note (id, client_id, template_id, template_version, session_date, "
            "content, status, created_at, updated_at) VALUES (1, 1, 'emdr', 1, '2025-01-02', "
            "'{}', 'draft', '2025-01-02', '2025-01-02')",
            "INSERT INTO target_rating (target_id, note_id, rated_on, point, sud, voc) VALUES "
            "(1, 1, '2025-01-02', 'end', 2, 6)",
            "UPDATE note SET status = 'signed', signed_at = '2025-01-02', content_hash = :hash "
            "WHERE id = 1",
        ):
            # The note's real hash: a vault whose signed notes do not match their hashes
            # opens read-only (tampering), and this one must be writable.
            conn.execute(text(statement),
                         {"hash": signed_content_hash("emdr", 1, 1, None, {})})
    engine.dispose()
    # Opening upgrades it. (It opens read-only: a note signed by SQL has no signing in the
    # audit log, which the opening checks see; the checks below write with the key.)
    open_vault(vault_path, passphrase).close()
    engine = keyed()
    with engine.begin() as conn:
        assert migrations.current_revision(conn) == migrations.HEAD
        assert conn.execute(text("SELECT sud, voc FROM target_rating")).all() == [(2, 6)]
        conn.execute(text("UPDATE target_memory SET status = 'deferred'"))
        columns = {r[1] for r in conn.execute(text("PRAGMA table_info(ifs_part)"))}
        triggers = {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert "removed_at" in columns
    assert {"trg_target_rating_no_delete", "trg_target_definition_change_no_update"} <= triggers
    with engine.begin() as conn, pytest.raises(IntegrityError):
        conn.execute(text("DELETE FROM target_rating"))
    engine.dispose()


def test_0004_goes_down_and_up_again_without_touching_signed_history() -> None:
    from alembic import command
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import StaticPool

    engine = create_engine("sqlite://", poolclass=StaticPool)

    @event.listens_for(engine, "connect")
    def _foreign_keys(dbapi_conn: object, _record: object) -> None:
        dbapi_conn.execute("PRAGMA foreign_keys = ON")  # type: ignore[attr-defined]

    with engine.begin() as conn:
        migrations.upgrade_to_head(conn)
        for statement in (
            "INSERT INTO client (id, record_number, name, preferred_name, pronouns, contact, "
            "emergency_contact, diagnoses, status, created_at, updated_at) VALUES (1, 'C-0001',"
            " 'Old Fixture', '', '', '', '', '', 'active', '2025-01-01', '2025-01-01')",
            "INSERT INTO ifs_part (id, client_id, name, part_type, age_appearance, "
            "body_location, role, fears, burdens_personal, burdens_legacy, status, first_seen,"
            " map_x, map_y, created_at) VALUES (1, 1, 'Planner', 'manager', '', '', '', '', "
            "'', '', 'befriended', '2025-01-01', 0, -190, '2025-01-01')",
            "INSERT INTO note (id, client_id, template_id, template_version, session_date, "
            "content, status, created_at, updated_at) VALUES (1, 1, 'ifs', 1, '2025-01-02', "
            "'{}', 'draft', '2025-01-02', '2025-01-02')",
            "INSERT INTO part_status_change (part_id, note_id, changed_on, old_status, "
            "new_status) VALUES (1, 1, '2025-01-02', 'identified', 'befriended')",
            "UPDATE note SET status = 'signed', signed_at = '2025-01-02', content_hash = 'h' "
            "WHERE id = 1",
        ):
            conn.execute(text(statement))
    with engine.begin() as conn:
        command.downgrade(migrations._config(conn), "0002")
        assert "removed_at" not in {r[1] for r in conn.execute(text(
            "PRAGMA table_info(ifs_part)"))}
    with engine.begin() as conn:
        migrations.upgrade_to_head(conn)
        assert conn.execute(text("SELECT count(*) FROM part_status_change")).scalar() == 1
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()


# Client 1 as an older release wrote it, for a vault made at an older revision.
_OLD_CLIENT = text(
    "INSERT INTO client (id, record_number, name, preferred_name, pronouns, contact, "
    "emergency_contact, diagnoses, status, created_at, updated_at) VALUES (1, 'C-0001', "
    "'Old Fixture', '', '', '', '', '', 'active', '2025-01-01', '2025-01-01')")


def test_a_vault_of_the_last_release_gets_its_notes_indexed_when_it_opens(
    vault_path: Path, passphrase: str
) -> None:
    """Migration 0006 adds the search index and fills it from the notes already there."""
    engine = older_vault(vault_path, passphrase, "0002")()
    with engine.begin() as conn:
        conn.execute(_OLD_CLIENT)
        conn.execute(text(
            "INSERT INTO note (client_id, template_id, template_version, session_date, "
            "content, status, created_at, updated_at) VALUES (1, 'general', 1, "
            "'2025-02-03', :content, 'draft', '2025-02-03', '2025-02-03')"),
            {"content": '{"data": "An albatross circled the pier.", '
                        '"private_notes": "My own unease."}'})
    engine.dispose()
    vault = open_vault(vault_path, passphrase)
    try:
        with vault.transaction() as session:
            from models.services import search

            hits = search.search(session, "albatross").hits
            private = search.search(session, "unease", include_private=False).hits
        assert [(h.record_number, h.template_id) for h in hits] == [("C-0001", "general")]
        assert private == ()
        with vault.engine.connect() as conn:
            assert migrations.current_revision(conn) == migrations.HEAD
            triggers = {r[0] for r in conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
        assert {"trg_note_no_update", "trg_audit_event_no_delete"} <= triggers
    finally:
        vault.close()


# A draft of the client above, for an index row to point at (rowid 9: note 1).
_OLD_NOTE = text(
    "INSERT INTO note (id, client_id, template_id, template_version, session_date, "
    "content, status, created_at, updated_at) VALUES (1, 1, 'general', 1, "
    "'2025-02-03', '{}', 'draft', '2025-02-03', '2025-02-03')")


def test_a_vault_indexed_with_vowel_marks_finds_its_words_without_them_once_opened(
    vault_path: Path, passphrase: str
) -> None:
    """Migration 0008 stores again, without their vowel marks, the index rows that a vault
    of 0007 kept with them: a pointed Hebrew or Arabic word is found typed without them."""
    engine = older_vault(vault_path, passphrase, "0007")()
    with engine.begin() as conn:
        conn.execute(_OLD_CLIENT)
        conn.execute(_OLD_NOTE)
        # As 0007 indexed it: the words with their marks, and a Latin accent.
        conn.execute(text("INSERT INTO search_index (rowid, body, private, client_id) "
                          "VALUES (9, :body, '', 1)"),
                     {"body": "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd and "
                              "\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f at the café"})
    engine.dispose()
    vault = open_vault(vault_path, passphrase)
    try:
        with vault.transaction() as session:
            from models.services import search

            for words in ("\u05e9\u05dc\u05d5\u05dd", "\u0645\u062d\u0645\u062f",
                          "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd", "cafe"):
                hits = search.search(session, words).hits
                assert [h.note_id for h in hits] == [1], words
            snippet = search.search(session, "cafe").hits[0].snippet
        assert "café" in snippet  # a Latin accent is kept
    finally:
        vault.close()


def test_a_vault_indexed_before_stemming_finds_every_form_of_a_word_once_opened(
    vault_path: Path, passphrase: str
) -> None:
    """Migration 0010 makes the index again with the Porter stemmer and keeps every row it
    held: in a vault of 0009, "sleep" found nothing in "sleeping better"."""
    engine = older_vault(vault_path, passphrase, "0009")()
    with engine.begin() as conn:
        conn.execute(_OLD_CLIENT)
        conn.execute(_OLD_NOTE)
        conn.execute(text("INSERT INTO search_index (rowid, body, private, client_id) "
                          "VALUES (9, 'Sleeping better; vivid dreams.', 'I felt triggered.', 1)"))
        from models.services import search

        with Session(bind=conn) as session:
            assert not search.search(session, "sleep").hits  # as 0009 read it
    engine.dispose()
    vault = open_vault(vault_path, passphrase)
    try:
        with vault.transaction() as session:
            from models.services import search

            for words in ("sleep", "sleeping", "dream", "trigger", "better"):
                hits = search.search(session, words).hits
                assert [h.note_id for h in hits] == [1], words
            assert not search.search(session, "trigger", include_private=False).hits
            snippet = search.search(session, "sleep").hits[0].snippet
        assert bracketed_snippet(snippet).startswith("[Sleeping] better")
    finally:
        vault.close()


def test_a_passphrase_opens_however_its_accents_were_typed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An accent is one code point or two (e and a combining acute), by the keyboard or
    the place the passphrase was pasted from. The key was made from the bytes as typed,
    so the same passphrase typed the other way did not open the vault."""
    decomposed, composed = "cafe\u0301 au lait 2026", "caf\u00e9 au lait 2026"
    path = tmp_path / "accent.iwvault"
    create_vault(path, decomposed).close()
    for typed in (composed, decomposed):
        open_vault(path, typed).close()
    with pytest.raises(WrongPassphraseError):
        open_vault(path, "cafe\u0301 au lait 2025")
    # A vault made before passphrases were prepared has the key of the bytes as typed: it
    # still opens with them.
    older = tmp_path / "older.iwvault"
    monkeypatch.setattr(vault_module, "derive_key", derive_key_as_typed)
    create_vault(older, decomposed).close()
    monkeypatch.undo()
    open_vault(older, decomposed).close()
    # And a SQLCipher tool opens a new one with the passphrase typed as a keyboard gives it.
    conn = sqlcipher3.connect(str(path))
    conn.execute(f"PRAGMA key = '{composed}'")
    assert conn.execute("SELECT count(*) FROM client").fetchone() == (0,)
    conn.close()
