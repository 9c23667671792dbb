"""A copy of one signed note: what a records request, a board or a court asks for. The
note laid out from its template's definition, as the progress report lays out each note
(reports.sections.sessions), with its signature, its seal and every signed addendum, then
the clinician's signature block."""

from __future__ import annotations

from reportlab.platypus import Flowable

from models.formatting import date_text
from models.report_data import ReportData
from reports.pdf.front import title_block
from reports.pdf.layout import text
from reports.sections.sessions import NoteNames, note_flowables
from reports.sections.signature import signature_block


def note_story(data: ReportData) -> list[Flowable]:
    [note] = data.notes or (None,)
    if note is None or not note.signed:
        raise ValueError("a copy of a note needs the signed note it copies")
    private = ("included at the therapist's request" if data.options.include_private
               else "left out")
    story: list[Flowable] = title_block(data, subtitle=(
        f"The note of {date_text(note.session_date)}, as signed  ·  made "
        f"{date_text(data.made_on)}"))
    story.append(text(
        "The note as it was signed and locked, laid out from the definition of the template "
        f"it was written in, with every signed addendum. Private process notes are {private}. "
        "The seal is the start of the note's content hash: Verify the vault checks that the "
        "stored note still matches it.", "muted"))
    story += note_flowables(note, data, NoteNames(data))
    story += signature_block(data, statement=(
        f"Made on {date_text(data.made_on)} from the note as it is kept, signed and locked, "
        "in the practice's vault. A signed note is never changed: what was added later is in "
        "its addenda, each with its author, time and reason."))
    return story
