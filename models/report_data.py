"""Everything one report needs, read from the vault in one unit of work (a frozen DTO).

The backend's `reports.data(client_id, options)` fills it; reports/ renders it to PDF
bytes without touching the database. The period's notes, doses and flags are derived here
by the pure functions of models.clinical.period, so every section sees the same ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from models.clinical.doses import DoseRef, integration_after_doses
from models.clinical.measures import MeasuresView
from models.clinical.parts_map import MapOnDay, map_on_day, status_changes_between
from models.clinical.period import (
    LeftOut,
    SafetyFlag,
    SessionCount,
    doses_in_period,
    entered_in_error,
    measure_safety_flags,
    notes_in_period,
    risk_flags,
    session_counts,
    unsigned_in_period,
)
from models.clinical.safety import RiskCheck, latest_risk_check, safety_followups
from models.clinical.targets import target_on
from models.dto import (
    AuditTrail,
    ClientChart,
    ClientDetail,
    ClinicianDTO,
    DosingSessionDTO,
    MapSnapshotDTO,
    NoteDTO,
    PartStatusChangeDTO,
    TargetDTO,
)
from models.inputs import ReportOptions
from models.templates.definitions import Template


@dataclass(frozen=True, eq=False)
class ReportData:
    """One client's record for one report: the whole chart (a baseline or a course may
    precede the period), the measures as they stood at the period's end, and the template
    of every note in the period."""

    options: ReportOptions
    start: dt.date
    end: dt.date
    made_on: dt.date
    clinician: ClinicianDTO | None
    chart: ClientChart
    measures: MeasuresView  # administrations and doses up to `end`
    templates: Mapping[tuple[str, int], Template]  # (template id, version) of every note
    # The last parts map kept on or before `end` (read only when the IFS section is asked
    # for and the period ends before today; see `parts_map`).
    parts_snapshot: MapSnapshotDTO | None = None
    # The client's audit events in the period, oldest first (an audit trail report only).
    audit: AuditTrail | None = None

    @property
    def client(self) -> ClientDetail:
        return self.chart.client

    def template(self, note: NoteDTO) -> Template | None:
        """The template version the note was written in (None if this installation lacks
        it)."""
        return self.templates.get((note.template_id, note.template_version))

    @cached_property
    def notes(self) -> tuple[NoteDTO, ...]:
        """The notes the report shows: signed ones of the period, drafts when asked; the
        one note a copy of a note is made of."""
        if self.options.kind == "note":
            return tuple(n for n in self.chart.notes if n.id == self.options.note_id)
        return tuple(notes_in_period(self.chart, self.start, self.end,
                                     include_drafts=self.options.include_drafts))

    @cached_property
    def doses(self) -> tuple[tuple[DoseRef, DosingSessionDTO], ...]:
        return tuple(doses_in_period(self.chart, self.start, self.end))

    @cached_property
    def integration(self) -> dict[int, tuple[int, int]]:
        """Each dose's integration sessions signed by the period's end, and how many its
        course plans after it, by dose id."""
        return integration_after_doses(
            self.chart.courses, (n for n in self.chart.notes
                                 if n.signed and n.session_date <= self.end))

    @cached_property
    def session_counts(self) -> tuple[SessionCount, ...]:
        return tuple(session_counts(self.chart, self.start, self.end))

    @property
    def unsigned_notes(self) -> int:
        """Notes of the period not yet signed (not counted, not shown unless asked)."""
        return unsigned_in_period(self.chart, self.start, self.end)

    @cached_property
    def entered_in_error(self) -> tuple[LeftOut, ...]:
        return tuple(entered_in_error(self.measures, self.start, self.end))

    @cached_property
    def safety_flags(self) -> tuple[SafetyFlag, ...]:
        """Every safety flag of the period: positive safety items of the measures (each with
        the status of its follow-up, as the record stands) and ideation in a note's risk
        check, in date order."""
        flags = [*measure_safety_flags(self.measures, self.start, self.end,
                                       safety_followups(self.chart)),
                 *risk_flags(self.notes, self.templates)]
        return tuple(sorted(flags, key=lambda f: (f.when, f.source)))

    @cached_property
    def latest_risk_check(self) -> RiskCheck | None:
        """The latest signed risk check by the end of the period (before it, if none falls
        in it): what a reader asks first about risk now."""
        return latest_risk_check(n for n in self.chart.notes if n.session_date <= self.end)

    @cached_property
    def targets(self) -> tuple[TargetDTO, ...]:
        """The EMDR and ART targets identified by the end of the period, as they stood
        then (ratings up to `end`, the status of that day), in the order they were found."""
        days = {n.id: n.session_date for n in self.chart.notes}
        found = sorted((t for t in self.chart.targets if t.identified_on <= self.end),
                       key=lambda t: (t.identified_on, t.id))
        return tuple(target_on(t, self.end, days) for t in found)

    @cached_property
    def parts_map(self) -> MapOnDay:
        """The IFS parts map as it stood at the end of the period, and where it is from."""
        return map_on_day(self.chart, self.parts_snapshot, self.end, self.made_on)

    @cached_property
    def part_changes(self) -> tuple[PartStatusChangeDTO, ...]:
        """The parts' status changes in the period, oldest first."""
        return status_changes_between(self.chart.part_history, self.start, self.end)
