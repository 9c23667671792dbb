"""Safety follow-ups: a positive safety item on a measure stays open until a note answers it.

A PHQ-9 item 9 above 0 (or any instrument's safety item) opens a follow-up, whether the
measure was given at a session or entered between sessions. The next note of the client
shows it at the top and asks for the risk check; the first signed note dated on or after
the measure, and signed after the measure was entered, with its risk check answered,
addresses it. Until then it shows as open on the Overview.

Derived, never stored: every signed note carries a risk check (the common fields require
it), so whether a follow-up is open is a fact of the record, worked out the same way by
the note window, the Overview and the command line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from models.clinical.measures import score_administration
from models.dto import AdministrationDTO, ClientChart, NoteDTO
from models.formatting import counted, date_text
from models.instruments.definitions import Instrument
from models.instruments.loading import load_instruments
from models.templates.checks import ACKNOWLEDGEMENTS, Caution, answered
from models.templates.definitions import CheckLevel, Template
from models.templates.loading import load_templates
from models.values import is_blank
from models.vocabulary import MODALITIES

# How an open follow-up is closed, wherever one is shown.
HOW_ANSWERED = "the next note's risk check answers it"


def followups_open_text(count: int) -> str:
    """'2 safety follow-ups open'."""
    return f"{counted(count, 'safety follow-up')} open"


def to_sign_text(count: int) -> str:
    """'7 notes to sign'."""
    return f"{counted(count, 'note')} to sign"


# The risk check every note carries (the common fields, resources/templates/_common.toml):
# answered, it answers a follow-up; the answer that means no ideation.
RISK_CHECK_FIELDS = ("suicidal_ideation", "homicidal_ideation")
NO_IDEATION = "denied"
# What the latest risk check is summed up by, when answered: the ideation, then what a
# present ideation asks for.
RISK_SUMMARY_FIELDS = (*RISK_CHECK_FIELDS, "risk_level", "risk_follow_up")


@dataclass(frozen=True)
class SafetyFollowUp:
    """One administration with a positive safety item, and the note that answered it."""

    administration_id: int
    instrument: str  # the short name: "PHQ-9"
    given_on: dt.date
    items: str  # "item 9 = 2 (Thoughts of death or self-harm)"
    addressed_by: int | None = None  # the note's id
    addressed_on: dt.date | None = None  # that note's date

    @property
    def open(self) -> bool:
        return self.addressed_by is None

    @property
    def what(self) -> str:
        """'PHQ-9 item 9 = 2 (Thoughts of death or self-harm)'."""
        return f"{self.instrument} {self.items}"

    @property
    def finding(self) -> str:
        """'PHQ-9 item 9 = 2 (Thoughts of death or self-harm) on 3 Oct 2026'."""
        return f"{self.what} on {date_text(self.given_on)}"

    @property
    def status(self) -> str:
        """'addressed in the note of 5 Oct 2026', or 'open: needs a risk check'."""
        if self.addressed_on is not None:
            return f"addressed in the note of {date_text(self.addressed_on)}"
        return f"open: {HOW_ANSWERED}"

    @property
    def text(self) -> str:
        return f"Safety follow-up: {self.finding}, {self.status}."


def answers_risk_check(note: NoteDTO) -> bool:
    """A signed note whose risk check is answered."""
    return note.signed and all(not is_blank(note.content.get(f)) for f in RISK_CHECK_FIELDS)


def _answers(note: NoteDTO, administration: AdministrationDTO) -> bool:
    if not answers_risk_check(note) or note.session_date < administration.administered_on:
        return False
    if note.session_date == administration.administered_on \
            and administration.created_at is not None and note.signed_at is not None:
        # The same day: only a note signed after the measure was entered could answer it.
        return note.signed_at >= administration.created_at
    return True


def _may_flag(instrument: Instrument, administration: AdministrationDTO) -> bool:
    """A quick look at the safety items' answers before scoring the whole administration."""
    if not instrument.safety_items:
        return False
    answers = dict(administration.responses)
    return any((answers.get(item.item) or 0) >= item.at_least
               for item in instrument.safety_items)


def safety_followups(
    chart: ClientChart, instruments: Mapping[str, Instrument] | None = None
) -> tuple[SafetyFollowUp, ...]:
    """Every safety follow-up of the client, oldest first, with the note that answered it."""
    return followups_of(chart.notes, chart.administrations, instruments)


def followups_of(
    notes: Sequence[NoteDTO], administrations: Sequence[AdministrationDTO],
    instruments: Mapping[str, Instrument] | None = None, *, open_only: bool = False,
) -> tuple[SafetyFollowUp, ...]:
    """`safety_followups` from a client's notes and administrations; `open_only`, only
    those no note answered (what is answered is then not scored at all)."""
    known = instruments if instruments is not None else load_instruments()
    answering = _answering(notes)
    result = []
    for administration in sorted(administrations, key=lambda a: (a.administered_on, a.id)):
        instrument = known.get(administration.instrument_id)
        if administration.entered_in_error or instrument is None \
                or not _may_flag(instrument, administration):
            continue  # most administrations: no need to score them at all
        note = _first_answer(answering, administration)
        if open_only and note is not None:
            continue
        scored = score_administration(administration, known)
        if scored is None or not scored.score.has_safety_flag:
            continue
        items = "; ".join(f"item {f.item} = {f.value} ({f.label})"
                          for f in scored.score.safety_flags)
        result.append(SafetyFollowUp(
            administration.id, scored.instrument.short_name, administration.administered_on,
            items, note.id if note is not None else None,
            note.session_date if note is not None else None))
    return tuple(result)


def _answering(notes: Iterable[NoteDTO]) -> list[NoteDTO]:
    return sorted((n for n in notes if answers_risk_check(n)),
                  key=lambda n: (n.session_date, n.signed_at or dt.datetime.min, n.id))


def _first_answer(answering: Sequence[NoteDTO],
                  administration: AdministrationDTO) -> NoteDTO | None:
    return next((n for n in answering if _answers(n, administration)), None)


def unanswered(notes: Iterable[NoteDTO],
               administrations: Iterable[AdministrationDTO]) -> list[AdministrationDTO]:
    """The administrations no note answers, whether or not they flag: a quick first look
    (no answer is read) before followups_of scores the few that are left."""
    answering = _answering(notes)
    return [a for a in administrations if _first_answer(answering, a) is None]


@dataclass(frozen=True)
class RiskCheck:
    """The latest signed risk check of a client: which note, and its answers in words."""

    note_id: int
    day: dt.date
    template_id: str
    answers: tuple[str, ...]  # "Suicidal ideation: Denied", "Risk level: Moderate", ...
    concern: bool  # ideation other than denied

    @property
    def where(self) -> str:
        """'EMDR note of 25 Nov 2026'."""
        return f"{MODALITIES.label(self.template_id)} note of {date_text(self.day)}"

    @property
    def heading(self) -> str:
        """'Latest risk check, EMDR note of 25 Nov 2026'."""
        return f"Latest risk check, {self.where}"

    @property
    def said(self) -> str:
        """'Suicidal ideation: Denied · Homicidal ideation: Denied' (a follow-up's own
        words may hold a semicolon, so the answers are parted by a dot)."""
        return " · ".join(self.answers)

    @property
    def text(self) -> str:
        return f"{self.heading}: {self.said}"


NO_RISK_CHECK = "No signed note records a risk check yet."


def ask_again_text(risk: RiskCheck) -> str:
    """What a draft says of an earlier risk check that found ideation."""
    return (f"The last risk check ({risk.where}) found ideation: {risk.said.rstrip('.')}. "
            "Ask about it again in this note's risk check.")


def latest_risk_check(notes: Iterable[NoteDTO]) -> RiskCheck | None:
    """The risk check of the latest signed note that answers one (by session date, then
    signing): its ideation, and the risk level and follow-up when given, as the note's own
    template words them."""
    answering = _answering(notes)
    if not answering:
        return None
    note = answering[-1]
    template = load_templates().find(note.template_id, note.template_version)
    fields = {f.id: f for f in template.fields} if template is not None else {}
    answers = [f"{field.label}: {field.option_label(str(value))}"
               for field_id in RISK_SUMMARY_FIELDS
               if (field := fields.get(field_id)) is not None
               and not is_blank(value := note.content.get(field_id))]
    concern = any(note.content.get(f) != NO_IDEATION for f in RISK_CHECK_FIELDS)
    return RiskCheck(note.id, note.session_date, note.template_id, tuple(answers), concern)


def open_followups(followups: Sequence[SafetyFollowUp]) -> tuple[SafetyFollowUp, ...]:
    return tuple(f for f in followups if f.open)


def followups_for_note(
    followups: Sequence[SafetyFollowUp], note: NoteDTO
) -> tuple[SafetyFollowUp, ...]:
    """What a note shows at its top: a draft, every open follow-up; a signed note, the
    follow-ups it answered."""
    if note.signed:
        return tuple(f for f in followups if f.addressed_by == note.id)
    return open_followups(followups)


def draft_answers(followup: SafetyFollowUp, note: NoteDTO) -> bool:
    """Whether signing this draft (on its date) would answer the follow-up."""
    return not note.signed and note.session_date >= followup.given_on


# --------------------------------------------------------------------------- preparation

# The first dosing note of a course looks for a signed preparation note with a clearance.
CLEARANCE_CHECK = "preparation_clearance"
CLEARANCE_GIVEN = ("cleared", "cleared_with_conditions")
CLEARANCE_MESSAGE = ("This is the first dose of the course, and no signed preparation note "
                     "records the prescriber's medical clearance.")
CLEARANCE_WHY = ("Dosing normally waits for the clearance: say where it is recorded (or why "
                 "the dose went ahead without it).")


def clearance_caution() -> Caution:
    """The warning a first dose without a signed preparation clearance raises."""
    return Caution(CLEARANCE_CHECK, CheckLevel.WARNING, "session_number",
                   "Preparation and clearance", CLEARANCE_MESSAGE, CLEARANCE_WHY)


def signed_record_cautions(content: Mapping[str, Any]) -> list[Caution]:
    """The warnings from the rest of the record that a stored note answers with a reason
    (the first dose's clearance): a signed note shows them with its reasons, whatever the
    record holds now."""
    stored = content.get(ACKNOWLEDGEMENTS)
    if isinstance(stored, list) and any(isinstance(entry, Mapping)
                                        and entry.get("check") == CLEARANCE_CHECK
                                        for entry in stored):
        return [clearance_caution()]
    return []


def signed_past(template: Template, content: Mapping[str, Any]) -> list[tuple[Caution, str]]:
    """Each warning a note was signed past, with the reason signed with it: its template's
    checks and the record's. The note window and the report show these."""
    return answered(template, content, signed_record_cautions(content))


def has_clearance(note: NoteDTO) -> bool:
    """A signed preparation note that records the prescriber's clearance."""
    return (note.signed and note.template_id == "preparation"
            and note.content.get("medical_clearance") in CLEARANCE_GIVEN)


def cleared_for_first_dose(notes: Iterable[NoteDTO], day: dt.date, course_id: int) -> bool:
    """A course's first dose on this day has its clearance: a signed preparation note of
    that course (or of none), written on or before the day, records it."""
    return any(has_clearance(n) and n.session_date <= day and n.course_id in (course_id, None)
               for n in notes)
