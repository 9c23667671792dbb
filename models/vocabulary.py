"""Every code the record stores, with the words the program shows for it and its order.

The database stores codes ("intramuscular", "in_processing"); windows, charts, the PDF and
the command line show labels. Both come from here and nowhere else, so one code never has
two names on two screens. The order of a vocabulary is the order lists and legends use.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One code and how it is shown."""

    code: str
    label: str
    short: str = ""  # where space is tight (a chart lane, a table cell); else the label
    description: str = ""  # a sentence for a chooser, when the label needs one

    @property
    def brief(self) -> str:
        return self.short or self.label


class Vocabulary:
    """An ordered set of terms, looked up by code."""

    def __init__(self, name: str, *terms: Term) -> None:
        self.name = name
        self.terms = terms
        self._by_code = {t.code: t for t in terms}
        if len(self._by_code) != len(terms):
            raise ValueError(f"vocabulary {name} repeats a code")
        self._codes = tuple(t.code for t in terms)
        self._ranks = {code: index for index, code in enumerate(self._codes)}

    @property
    def codes(self) -> tuple[str, ...]:
        return self._codes

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def term(self, code: str) -> Term:
        """The term for a code; an unknown code (from a newer vault) gets a readable one."""
        found = self._by_code.get(code)
        if found is not None:
            return found
        return Term(code, code.replace("_", " ").capitalize() if code else "—")

    def label(self, code: str | None) -> str:
        return self.term(code).label if code is not None else "—"

    def short(self, code: str | None) -> str:
        return self.term(code).brief if code is not None else "—"

    def choices(self) -> tuple[tuple[str, str], ...]:
        """(code, label) pairs in order, for a chooser."""
        return tuple((t.code, t.label) for t in self.terms)

    def rank(self, code: str) -> int:
        """Position in the vocabulary's order; unknown codes sort last."""
        return self._ranks.get(code, len(self.terms))


CLIENT_STATUSES = Vocabulary(
    "client status",
    Term("active", "Active"),
    Term("discharged", "Discharged"),
)

COURSE_KINDS = Vocabulary(
    "course kind",
    Term("intensive", "Intensive retreat", "Intensive",
         "3 to 5 doses a week for 1 to 2 weeks"),
    Term("spaced", "Spaced program", "Spaced", "weekly or fortnightly over months"),
)

NOTE_STATUSES = Vocabulary(
    "note status",
    Term("draft", "Draft"),
    Term("signed", "Signed"),
)

ADDENDUM_KINDS = Vocabulary(
    "addendum kind",
    Term("addendum", "Addendum", description="Adds information to the note"),
    Term("correction", "Correction", description="Corrects something the note says"),
    Term("late_entry", "Late entry", description="Records something not written at the time"),
)

# Note templates as kinds of session, in the order care unfolds: lanes, legends, lists.
MODALITIES = Vocabulary(
    "session kind",
    Term("preparation", "Preparation"),
    Term("dosing", "Dosing"),
    Term("emdr", "EMDR"),
    Term("art", "ART"),
    Term("ifs", "IFS"),
    Term("general", "General integration", "General"),
)

# The templates whose notes follow a dosing session (the integration window).
FOLLOWS_A_DOSE = frozenset({"emdr", "art", "ifs", "general"})
# How many integration sessions a course plans after its first dose and after each later
# one, unless the course says otherwise (CLINICAL.md's course of care: integration after
# each dosing session, at least two after the first). Each course keeps its own plan.
INTEGRATION_AFTER_FIRST_DOSE = 2
INTEGRATION_AFTER_A_DOSE = 1
INTEGRATION_MOST = 10  # a plan's most after one dose

ROUTES = Vocabulary(
    "route",
    Term("sublingual", "Sublingual / buccal lozenge", "Sublingual"),
    Term("oral", "Oral"),
    Term("intramuscular", "Intramuscular", "IM"),
    Term("intravenous", "Intravenous", "IV"),
    Term("intranasal", "Intranasal"),
)

MEDICATIONS = Vocabulary(
    "medication",
    Term("racemic_ketamine", "Racemic ketamine", "Ketamine"),
    Term("esketamine", "Esketamine"),
)

DELIVERY = Vocabulary(
    "delivery",
    Term("in_office", "In office"),
    Term("telehealth", "Telehealth"),
)

DOSING_SETTINGS = Vocabulary(
    "dosing setting",
    Term("in_office", "In office"),
    Term("supervised_home", "Supervised at home"),
)

TARGET_KINDS = Vocabulary(
    "target kind",
    Term("emdr", "EMDR target", "EMDR"),
    Term("art", "ART scene", "ART"),
)
# The kinds rated by VoC as well as SUD: an EMDR note rates the positive cognition's VoC;
# an ART note rates its scene by SUD alone (CLINICAL.md, the EMDR and ART notes).
VOC_TARGET_KINDS = frozenset({"emdr"})

TARGET_PRONGS = Vocabulary(
    "prong",
    Term("past", "Past memory", "Past"),
    Term("present", "Present trigger", "Present"),
    Term("future", "Future template", "Future"),
)

TARGET_STATUSES = Vocabulary(
    "target status",
    Term("identified", "Identified", description="found, not yet processed"),
    Term("in_processing", "In processing", description="being worked in sessions"),
    Term("incomplete", "Incomplete", description="a session ended before it cleared"),
    Term("deferred", "Deferred", description="set aside for now, by the therapist's choice"),
    Term("completed", "Completed", description="SUD 0 and VoC 7, body scan clear"),
    Term("reevaluated_clear", "Reevaluated clear", "Clear",
         description="still clear when checked again later"),
    Term("reopened", "Reopened", description="disturbance came back; worked again"),
)
# A target in one of these states needs no more work unless it is reopened.
CLOSED_TARGET_STATUSES = frozenset({"completed", "reevaluated_clear"})

TARGET_FOUND_BY = Vocabulary(
    "how a target was found",
    Term("float_back", "Float-back"),
    Term("affect_bridge", "Affect bridge"),
    Term("direct", "Direct"),
)

# The fields of a target's definition, as its form and its dated history name them.
TARGET_FIELDS = Vocabulary(
    "target field",
    Term("label", "Label"),
    Term("kind", "Kind"),
    Term("prong", "Prong"),
    Term("touchstone", "Touchstone"),
    Term("found_by", "How it was found"),
    Term("image", "Image"),
    Term("negative_cognition", "Negative cognition", "NC"),
    Term("positive_cognition", "Positive cognition", "PC"),
    Term("emotions", "Emotions"),
    Term("body_location", "Body location"),
    Term("baseline_sud", "Baseline SUD"),
    Term("baseline_voc", "Baseline VoC"),
    Term("status", "Status"),
    Term("part_id", "Carried by part"),
    Term("identified_on", "Identified on"),
)

# A course's fields as the audit trail names a change to them.
COURSE_FIELDS = Vocabulary(
    "course field",
    Term("kind", "Kind"),
    Term("start_date", "Start date"),
    Term("end_date", "End date"),
    Term("goals", "Goals"),
    Term("integration_after_first", "Integration sessions after the first dose"),
    Term("integration_after_each", "Integration sessions after each later dose"),
)

RATING_POINTS = Vocabulary(
    "rating point",
    Term("baseline", "Baseline"),
    Term("start", "Start of session", "Start"),
    Term("set", "During a set", "Set"),
    Term("end", "End of session", "End"),
    Term("reevaluation", "Reevaluation"),
)

PART_TYPES = Vocabulary(
    "part type",
    Term("manager", "Manager", description="a proactive protector"),
    Term("firefighter", "Firefighter", description="a reactive protector"),
    Term("exile", "Exile", description="a young part carrying burdens"),
    Term("unknown", "Not known yet", "Unknown"),
)

PART_STATUSES = Vocabulary(
    "part status",
    Term("identified", "Identified"),
    Term("befriended", "Befriended"),
    Term("witnessed", "Witnessed"),
    Term("unburdened", "Unburdened"),
)

PART_RELATIONS = Vocabulary(
    "relation between parts",
    Term("protects", "Protects", description="a protector guarding another part"),
    Term("polarized", "Polarized", description="two protectors pulling against each other"),
    Term("allied", "Allied", description="two parts working together"),
)
# Relations that go one way (drawn as an arrow); the others have no direction.
DIRECTED_RELATIONS = frozenset({"protects"})
# The types of part each end of a relation takes ("from", the protector of protects, then
# "to"), and why (CLINICAL.md's parts map; Schwartz & Sweezy, Internal Family Systems
# Therapy, 2nd ed., 2020: managers and firefighters protect, and polarize with each other;
# an exile is protected). What a protector guards is most often an exile, but IFS also
# knows protectors of protectors, so protects takes any part at its other end. A part not
# typed yet ("unknown") takes either end; allied takes any part.
PROTECTORS = frozenset({"manager", "firefighter"})
RELATION_ENDS: dict[str, tuple[frozenset[str], frozenset[str], str]] = {
    "protects": (PROTECTORS, frozenset({"manager", "firefighter", "exile"}),
                 "an exile is protected, not a protector: protects goes from a manager or a "
                 "firefighter"),
    "polarized": (PROTECTORS, PROTECTORS, "a polarization is between two protectors "
                  "(managers or firefighters)"),
}

CARE_RELATIONS = Vocabulary(
    "relation to care",
    Term("baseline", "Baseline"),
    Term("before_dose", "Before a dose"),
    Term("after_dose", "After a dose"),
    Term("integration", "Integration"),
    Term("follow_up", "Follow-up"),
)

REPORT_KINDS = Vocabulary(
    "report kind",
    Term("progress", "Progress report", "Progress",
         "for the prescriber, a referring clinician, an insurer or the client"),
    Term("prescriber", "Prescriber's summary", "Prescriber",
         "one or two pages: the dosing sessions, the change in measures, a comment"),
    Term("note", "Copy of a signed note", "Note",
         "one signed note as it was signed, with its addenda: for a records request, a "
         "board or a court"),
    Term("audit", "Audit trail", "Audit",
         "who did what to the record and when: each note started, signed and amended, each "
         "report saved or printed, and whether the trail's chain holds"),
)

# The sections of a progress report, in the order they are printed. The signature block
# always closes the report and is not a choice.
REPORT_SECTIONS = Vocabulary(
    "report section",
    Term("summary", "Summary of care", "Summary",
         "courses and goals, sessions by modality, the dosing sessions"),
    Term("measures", "Measures", description="change from baseline, trend charts, safety flags"),
    Term("targets", "EMDR and ART targets", "Targets",
         "each target's status, first and latest SUD and VoC, and its chart"),
    Term("ifs", "IFS parts", "IFS", "the parts map at the end of the period, status changes"),
    Term("sessions", "Session notes", "Sessions", "each signed note of the period"),
)

REPORT_DETAIL = Vocabulary(
    "session detail",
    Term("full", "Every note in full", "Full",
         "each note laid out section by section, with its addenda"),
    Term("summaries", "Summaries only", "Summaries",
         "one entry per session: its kind, the dose it follows and its ratings"),
)


# What each audit event records, as the audit trail shows it (models/audit.py records the
# codes; `tests/unit/test_audit_trail.py` checks that every code recorded is here).
AUDIT_ACTIONS = Vocabulary(
    "audit action",
    Term("vault.unlock", "Vault unlocked"),
    Term("vault.unlock_failed", "Wrong passphrase typed"),
    Term("vault.lock", "Vault locked"),
    Term("vault.backup", "Backup written"),
    Term("vault.export", "Practice exported (not encrypted)"),
    Term("vault.rekey", "Passphrase changed"),
    Term("clinician.create", "Clinician added"),
    Term("clinician.update", "Clinician's details changed"),
    Term("client.create", "Client added"),
    Term("demo.client", "Demo client created"),
    Term("client.update", "Client's details changed"),
    Term("client.discharge", "Client discharged"),
    Term("client.reactivate", "Client made active again"),
    Term("client.delete", "Client deleted (added by mistake)"),
    Term("course.create", "Course of care started"),
    Term("course.update", "Course of care changed"),
    Term("dosing.create", "Dosing record opened"),
    Term("dosing.update", "Dosing record changed"),
    Term("note.create", "Note started (draft)"),
    Term("note.discard", "Draft discarded"),
    Term("note.sign", "Note signed and locked"),
    Term("note.addendum", "Addendum signed"),
    Term("target.create", "Target added"),
    Term("target.update", "Target changed"),
    Term("part.create", "Part added"),
    Term("part.update", "Part changed"),
    Term("part.move", "Parts moved on the map"),
    Term("part.remove", "Part taken off the map"),
    Term("part.restore", "Part put back on the map"),
    Term("part.relate", "Relation drawn"),
    Term("part.unrelate", "Relation removed"),
    Term("instrument.create", "Custom measure defined"),
    Term("instrument.update", "Custom measure changed"),
    Term("measure.record", "Measure entered"),
    Term("measure.entered_in_error", "Measure marked entered in error"),
    Term("report.saved", "Report saved to a file"),
    Term("report.printed", "Report printed"),
)

# The events by which a record leaves the vault (what an accounting of disclosures lists):
# a client's report saved or printed, and an export of the whole practice, which holds
# every client's record.
LEAVES_THE_VAULT = frozenset({"report.saved", "report.printed", "vault.export"})
PRACTICE_DISCLOSURES = ("vault.export",)

# Why the vault was locked (the `reason` of a vault.lock event).
LOCK_REASONS = Vocabulary(
    "lock reason",
    Term("manual", "Locked by hand"),
    Term("idle", "Locked after the idle time"),
    Term("quit", "Locked on quitting"),
    Term("lost", "Locked: the vault could not be opened again"),
)

# The vocabularies a note template may draw its choices from (`vocabulary = "routes"`).
VOCABULARIES: dict[str, Vocabulary] = {
    "delivery": DELIVERY,
    "routes": ROUTES,
    "medications": MEDICATIONS,
    "dosing_settings": DOSING_SETTINGS,
    "part_statuses": PART_STATUSES,
    "part_types": PART_TYPES,
    "target_prongs": TARGET_PRONGS,
}
