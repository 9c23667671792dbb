"""The audit trail of one client's record as a document: what a board, an insurer or the
client may ask for. Every event of the period in the order it happened (who did what to
which record, and when), what left the vault (the client's reports, the practice's
exports), and whether the trail's chain holds, with the clinician's signature block."""

from __future__ import annotations

from reportlab.platypus import Flowable

from models.dto import AuditEntry, AuditTrail
from models.formatting import EMPTY, date_text, date_time_text, utc_offset_text
from models.report_data import ReportData
from models.vocabulary import LEAVES_THE_VAULT
from reports.pdf.front import title_block
from reports.pdf.layout import data_table, heading, text
from reports.sections.signature import signature_block

# What a document says about the events it lists, before them.
ABOUT = ("Each event is recorded by the program as it happens, with who did it, and linked "
         "by its hash to the event before it, so a change to any event, or its removal, is "
         "seen. A record is named as it stands now; what the event itself recorded is in the "
         "detail. Clinical text is never part of the trail.")
HEADER = ("When", "Who", "What was done", "Record", "Detail")
WIDTHS = (0.18, 0.14, 0.19, 0.29, 0.2)


def chain_text(trail: AuditTrail) -> str:
    """Whether the chain holds, as the document states it."""
    if trail.intact:
        return (f"The chain of the vault's {trail.events_in_vault:,} audit events holds: "
                "checked when this document was made, no event was changed or removed.")
    return (f"The chain of the vault's audit events does not hold: {trail.problem}. The "
            "events below are shown as they now read.")


def _row(entry: AuditEntry) -> list[str]:
    return [date_time_text(entry.occurred_at), entry.who or EMPTY, entry.what,
            entry.record or "The vault", entry.detail or EMPTY]


def audit_story(data: ReportData) -> list[Flowable]:
    trail = data.audit
    if trail is None:
        raise ValueError("an audit trail report needs the client's audit events")
    story: list[Flowable] = title_block(data)
    story.append(text(chain_text(trail), "body" if trail.intact else "safety"))
    story.append(text(ABOUT, "muted"))
    entries = trail.entries
    left = [e for e in entries if e.action in LEAVES_THE_VAULT]
    story += heading("What left the vault")
    if left:
        story.append(text("The client's reports saved or printed, and each export of the "
                          "whole practice (which holds this record too).", "muted"))
        story.append(data_table(HEADER,
                                [_row(e) for e in left], WIDTHS))
    else:
        story.append(text("No report was saved or printed and the practice was not "
                          "exported in the period.", "muted"))
    story += heading("Every event in the period")
    if not entries:
        story.append(text(f"No event was recorded from {date_text(data.start)} to "
                          f"{date_text(data.end)}.", "muted"))
    else:
        count = len(entries)
        more = (" The newest are shown; the rest were left out, so choose a shorter period."
                if trail.more else "")
        story.append(text(
            f"{count:,} event{'' if count == 1 else 's'}, in the order they happened. Times are "
            f"this computer's local time ({utc_offset_text(entries[0].occurred_at)}).{more}",
            "muted"))
        story.append(data_table(HEADER,
                                [_row(e) for e in entries], WIDTHS))
    story += signature_block(data, statement=(
        f"Made on {date_text(data.made_on)} from the audit trail kept in the practice's "
        "vault, as it stands."))
    return story
