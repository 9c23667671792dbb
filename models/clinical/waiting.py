"""What waits for the therapist across the practice, in words: the What waits window, the
line that counts it and `workstation waiting` say each thing the same way.

The backend lists the items (models.services.clients.waiting): each safety follow-up still
open (models.clinical.safety), each note to write or sign, and each dose whose integration
window still waits for the sessions the course's plan sets (models.clinical.doses).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from models.clinical.safety import HOW_ANSWERED, followups_open_text, to_sign_text
from models.dto import ClientSummary, WaitingItem, Waits
from models.formatting import counted, date_text
from models.vocabulary import MODALITIES

# What the list says when nothing waits.
NOTHING_WAITS: Final = ("Nothing waits: every safety follow-up is answered, every note "
                        "written and signed, and every dose has its integration sessions.")


def to_write_text(count: int) -> str:
    """'1 dosing note to write'."""
    return f"{counted(count, 'dosing note')} to write"


def integration_text(count: int) -> str:
    """'2 doses awaiting integration'."""
    return f"{counted(count, 'dose')} awaiting integration"


def waiting_words(client: ClientSummary, *, with_integration: bool = True) -> str:
    """What waits for the therapist in a client's record, in words: the safety follow-ups
    still open, the notes to sign and the date of the oldest, a dosing note to write, and
    (unless left out: a discharge ends it) a dose awaiting integration ("" when nothing)."""
    said = []
    if client.open_followups:
        said.append(f"{followups_open_text(client.open_followups)}: {HOW_ANSWERED}")
    if client.unsigned_notes:
        oldest = client.oldest_unsigned
        since = "" if oldest is None else (
            f", of {date_text(oldest)}" if client.unsigned_notes == 1
            else f", the oldest of {date_text(oldest)}")
        said.append(f"{to_sign_text(client.unsigned_notes)}{since}")
    if client.notes_to_write:
        said.append(to_write_text(client.notes_to_write))
    if client.awaiting_integration and with_integration:
        said.append(integration_text(client.awaiting_integration))
    return "; ".join(said)


def what_waits(item: WaitingItem) -> str:
    """One thing that waits, in words: 'Safety follow-up: PHQ-9 item 9 = 2 (Thoughts of
    death or self-harm)', 'EMDR note to sign', 'Dosing note to write: D2', 'Integration
    after D1: 1 of the 2 sessions planned'."""
    if item.kind is Waits.FOLLOW_UP:
        return f"Safety follow-up: {item.finding}"
    if item.kind is Waits.TO_SIGN:
        return f"{MODALITIES.label(item.template_id)} note to sign"
    if item.kind is Waits.TO_WRITE:
        return f"Dosing note to write: {item.dose_label}"
    return integration_words(item.dose_label, item.held, item.planned)


def integration_words(label: str, held: int, planned: int) -> str:
    """'Integration after D1: 1 of the 2 sessions planned', 'Integration after D4: none yet
    (1 session planned)'."""
    if held:
        return f"Integration after {label}: {held} of the {planned} sessions planned"
    return f"Integration after {label}: none yet ({counted(planned, 'session')} planned)"


def why_it_waits(item: WaitingItem) -> str:
    """What the item means and what ends it, for a tooltip."""
    if item.kind is Waits.FOLLOW_UP:
        return f"Open since the measure of {date_text(item.day)}: {HOW_ANSWERED}."
    if item.kind is Waits.TO_SIGN:
        return "A draft: sign it once it says what the session was."
    if item.kind is Waits.TO_WRITE:
        return (f"{item.dose_label} of {date_text(item.day)} is on record without its "
                "dosing note (its draft was discarded while other records refer to the "
                "dose). Write it so the dose has its record.")
    return (f"The course plans {counted(item.planned, 'integration session')} after "
            f"{item.dose_label}. It waits until they are held (a draft counts), a later dose "
            "is given, or the course ends.")


def totals(items: Sequence[WaitingItem]) -> dict[Waits, int]:
    """How many of each kind, in the list's order."""
    return {kind: sum(1 for item in items if item.kind is kind) for kind in Waits}


def totals_text(count: int, kind: Waits) -> str:
    """'2 safety follow-ups open', '7 notes to sign', '1 dosing note to write', '2 doses
    awaiting integration'."""
    return {Waits.FOLLOW_UP: followups_open_text, Waits.TO_SIGN: to_sign_text,
            Waits.TO_WRITE: to_write_text, Waits.INTEGRATION: integration_text}[kind](count)
