"""What signing a note means and who signs it, in the words every screen uses."""

from __future__ import annotations

from typing import Final

from models.dto import ClinicianDTO

# Said once: the note window's question, its locked state and the tests read these.
SIGNING_MEANS: Final = ("Signing locks the note and seals its content with a SHA-256 hash. "
                        "After that it changes only by an addendum, which is signed and kept "
                        "with it.")
LOCKED_STATE: Final = "Signed and locked: it changes only by an addendum."


def signer_text(clinician: ClinicianDTO) -> str:
    """Who signs, as the signature will name them: name, credentials and licence."""
    licence = f" (licence {clinician.licence})" if clinician.licence.strip() else ""
    return f"{clinician.display}{licence}"


def sign_question(clinician: ClinicianDTO) -> str:
    """The question asked before a note is signed: it names the person signing."""
    return f"Sign this note as {signer_text(clinician)}?"


def seal_text(content_hash: str | None) -> str:
    """A signed record's seal as a reader is shown it: 'SHA-256 ee12586e37471db2…' (the
    first 16 hex digits, enough to match it with `workstation verify`); '' without one."""
    return f"SHA-256 {content_hash[:16]}…" if content_hash else ""
