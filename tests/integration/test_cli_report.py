"""`workstation report` as a subprocess: the file, its password, the audit, the errors."""

from __future__ import annotations

import io
import stat
import subprocess
from pathlib import Path

import pypdf
import pytest

from tests.integration.bad_day import run_cli

pytestmark = pytest.mark.integration

PASSPHRASE = "cli report passphrase"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, passphrase=PASSPHRASE, timeout=180)


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "demo.iwvault"
    result = run("demo", "--vault", str(path), "--clients", "2", "--seed", "5")
    assert result.returncode == 0, result.stderr
    return path


def text_of(path: Path, password: str | None = None) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    if password is not None:
        assert reader.decrypt(password)
    return "\n".join(page.extract_text() for page in reader.pages)


def test_writes_the_progress_report_readable_by_its_owner_only(vault: Path,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = run("report", "--vault", str(vault), "--client", "C-0001", "--from", "2020-01-01",
                 "--out", str(out), "--practice", "Harbour Light Practice")
    assert result.returncode == 0, result.stderr
    assert "Wrote report.pdf" in result.stdout and "C-0001" in result.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = text_of(out)
    assert "Progress report" in text and "Harbour Light Practice" in text
    assert "Record C-0001" in text and "Summary of care" in text and "Session notes" in text


def test_a_password_file_protects_the_prescriber_s_summary(vault: Path, tmp_path: Path) -> None:
    secret = tmp_path / "password.txt"
    secret.write_text("a long report password\n", encoding="utf-8")
    comment = tmp_path / "comment.txt"
    comment.write_text("Ask about the evening doses.", encoding="utf-8")
    out = tmp_path / "summary.pdf"
    result = run("report", "--vault", str(vault), "--client", "C-0002", "--kind", "prescriber",
                 "--out", str(out), "--password-file", str(secret),
                 "--comment-file", str(comment))
    assert result.returncode == 0, result.stderr
    reader = pypdf.PdfReader(io.BytesIO(out.read_bytes()))
    assert reader.is_encrypted and not reader.decrypt("a wrong password")
    text = text_of(out, "a long report password")
    assert "Prescriber's summary" in text and "Ask about the evening doses." in text


def test_the_audit_trail_of_a_client_lists_its_events_and_the_reports_that_left(
        vault: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.pdf"
    assert run("report", "--vault", str(vault), "--client", "C-0002", "--kind", "prescriber",
               "--out", str(first)).returncode == 0
    out = tmp_path / "trail.pdf"
    result = run("report", "--vault", str(vault), "--client", "C-0002", "--kind", "audit",
                 "--from", "2020-01-01", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Wrote trail.pdf: audit trail for C-0002" in result.stdout
    words = " ".join(text_of(out).split())
    assert "Audit trail" in words and "Record C-0002" in words
    assert "audit events holds" in words
    assert "Report saved to a file" in words and "Prescriber's summary" in words
    assert "Note signed and locked" in words and "Record C-0001" not in words


def test_saving_is_audited(vault: Path, tmp_path: Path) -> None:
    from models.backend import open_backend

    out = tmp_path / "audited.pdf"
    result = run("report", "--vault", str(vault), "--client", "C-0001", "--sections",
                 "measures", "--out", str(out))
    assert result.returncode == 0, result.stderr
    backend = open_backend(vault, PASSPHRASE)
    try:
        events = backend.audit.events(action_prefix="report.saved")
        assert events and "sections=measures" in events[-1].detail
        assert "audited" not in events[-1].detail  # never the file's name
    finally:
        backend.close()


@pytest.mark.parametrize(("extra", "words"), [
    (("--from", "7 Oct 2026"), "--from takes a date as YYYY-MM-DD"),
    (("--from", "2026-10-05", "--to", "2026-10-01"), "--from: The period starts after it ends"),
    (("--to", "2999-01-01"), "--to: The period ends after today"),
    (("--sections", "summary,appendix"), "--sections: There is no report section 'appendix'"),
])
def test_bad_options_are_usage_errors(vault: Path, tmp_path: Path, extra: tuple[str, ...],
                                      words: str) -> None:
    """Named by the option that gives them (the report service's field names, "start",
    are not the command's), as usage errors, by the rules the service checks."""
    out = tmp_path / "never.pdf"
    result = run("report", "--vault", str(vault), "--client", "C-0001", "--out", str(out), *extra)
    assert result.returncode == 2
    assert words in result.stderr
    assert not out.exists()


def test_a_short_password_and_an_unknown_client_say_what_to_do(vault: Path,
                                                               tmp_path: Path) -> None:
    secret = tmp_path / "short.txt"
    secret.write_text("abc\n", encoding="utf-8")
    result = run("report", "--vault", str(vault), "--client", "C-0001",
                 "--out", str(tmp_path / "x.pdf"), "--password-file", str(secret))
    assert result.returncode == 2 and "at least 8 characters" in result.stderr
    result = run("report", "--vault", str(vault), "--client", "C-9999",
                 "--out", str(tmp_path / "y.pdf"))
    # What was typed is not repeated (it may be anything); the message says what to check.
    assert result.returncode == 1 and "No client has the record number given" in result.stderr
    assert "C-9999" not in result.stderr


def test_a_read_only_vault_makes_no_report_it_could_not_audit(vault: Path,
                                                              tmp_path: Path) -> None:
    """The file was written, and then the audit trail's refusal made the command fail:
    a report on disk that the vault has no record of. It is refused before it is made."""
    import shutil

    copy = tmp_path / "read-only.iwvault"
    for suffix in ("", "-wal"):
        if Path(f"{vault}{suffix}").exists():
            shutil.copy2(f"{vault}{suffix}", f"{copy}{suffix}")
    copy.chmod(0o444)
    out = tmp_path / "report.pdf"
    result = run("report", "--vault", str(copy), "--client", "C-0001", "--out", str(out))
    assert result.returncode == 1
    assert "is open read-only: the vault file is marked read-only." in result.stderr
    assert "recorded in the vault's audit trail" in result.stderr
    assert not out.exists()


def test_a_copy_of_a_signed_note_is_found_by_its_date(vault: Path, tmp_path: Path) -> None:
    from models.backend import open_backend

    backend = open_backend(vault, PASSPHRASE)
    try:
        chart = backend.clients.chart(backend.clients.find("C-0001").id)
    finally:
        backend.close()
    days: dict[str, list[str]] = {}
    for note in chart.notes:
        if note.signed:
            days.setdefault(note.session_date.isoformat(), []).append(note.template_id)
    single = next(day for day, kinds in days.items() if len(kinds) == 1)
    out = tmp_path / "note.pdf"
    result = run("report", "--vault", str(vault), "--client", "C-0001", "--kind", "note",
                 "--note", single, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "copy of a signed note for C-0001, the note of" in result.stdout
    text = text_of(out)
    assert "Copy of a signed note" in text and "as signed" in text
    # A day without a signed note, and --note without --kind note, name the option.
    empty = run("report", "--vault", str(vault), "--client", "C-0001", "--kind", "note",
                "--note", "2001-01-01", "--out", str(tmp_path / "none.pdf"))
    assert empty.returncode == 2 and "--note: C-0001 has no signed note dated 2001-01-01" \
        in empty.stderr
    assert not (tmp_path / "none.pdf").exists()
    stray = run("report", "--vault", str(vault), "--client", "C-0001", "--note", single,
                "--out", str(tmp_path / "stray.pdf"))
    assert stray.returncode == 2 and "--note:" in stray.stderr
    several = next((day for day, kinds in days.items() if len(set(kinds)) > 1), None)
    if several is not None:
        ambiguous = run("report", "--vault", str(vault), "--client", "C-0001", "--kind",
                        "note", "--note", several, "--out", str(tmp_path / "two.pdf"))
        assert ambiguous.returncode == 2 and "add --modality" in ambiguous.stderr
        chosen = run("report", "--vault", str(vault), "--client", "C-0001", "--kind", "note",
                     "--note", several, "--modality", days[several][0],
                     "--out", str(tmp_path / "two.pdf"))
        assert chosen.returncode == 0, chosen.stderr


def test_a_blank_questionnaire_needs_no_vault_and_names_no_client(tmp_path: Path) -> None:
    """The Blank questionnaire window's form from the command line: the questionnaire in
    its own words, the practice's name at its head; a wrong id is answered with the list."""
    out = tmp_path / "pcl5.pdf"
    result = run_cli("blank", "--instrument", "pcl5", "--out", str(out),
                     "--practice", "Harbour Light Practice", passphrase=None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Wrote pcl5.pdf: a blank PCL-5 form."
    words = " ".join(" ".join(page.extract_text() for page in
                              pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages).split())
    assert "Harbour Light Practice" in words and "PTSD Checklist for DSM-5" in words
    assert "Repeated, disturbing, and unwanted memories of the stressful experience" in words
    wrong = run_cli("blank", "--instrument", "cadss", "--out", str(out), passphrase=None)
    assert wrong.returncode == 2
    assert "no blank form of 'cadss'; choose phq9 or gad7 or pcl5" in wrong.stderr
