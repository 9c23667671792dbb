"""A target's course in figures: its sessions, baseline and latest SUD/VoC, what to offer.

The Targets tab, the per-target charts (reports/targets.py), the PDF and the command
line all read a target through these functions, so "latest SUD" or "sessions worked"
means one thing everywhere. SUD runs 0 (no disturbance) to 10; VoC 1 (completely false)
to 7 (completely true). A session's start and end ratings come from its signed note.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from models.dto import NoteDTO, TargetDefinitionChangeDTO, TargetDTO, TargetRatingDTO
from models.formatting import EMPTY, date_text, local_date
from models.vocabulary import (
    CLOSED_TARGET_STATUSES,
    RATING_POINTS,
    TARGET_FOUND_BY,
    TARGET_KINDS,
    TARGET_PRONGS,
    TARGET_STATUSES,
    VOC_TARGET_KINDS,
)

SUD_RANGE = (0, 10)
VOC_RANGE = (1, 7)
# A session that ends here has cleared the target: the therapist is offered "completed".
CLEARED_SUD = 0
CLEARED_VOC = 7


def _order(rating: TargetRatingDTO) -> tuple[dt.date, int, int]:
    return rating.rated_on, RATING_POINTS.rank(rating.point), rating.id


@dataclass(frozen=True)
class SessionRatings:
    """The SUD and VoC at the start and end of one session that worked the target."""

    day: dt.date
    note_id: int | None
    sud_start: int | None = None
    sud_end: int | None = None
    voc_start: int | None = None
    voc_end: int | None = None


def target_sessions(target: TargetDTO) -> tuple[SessionRatings, ...]:
    """The sessions that worked the target (start and end ratings), oldest first. Ratings
    of one note are one session; ratings entered without a note, one per day."""
    groups: dict[tuple[int | None, dt.date | None], list[TargetRatingDTO]] = {}
    for rating in sorted(target.ratings, key=_order):
        if rating.point in ("start", "end"):
            key = (rating.note_id, None) if rating.note_id is not None \
                else (None, rating.rated_on)
            groups.setdefault(key, []).append(rating)
    sessions = []
    for (note_id, _day), rows in groups.items():
        start = next((r for r in rows if r.point == "start"), None)
        end = next((r for r in reversed(rows) if r.point == "end"), None)
        sessions.append(SessionRatings(
            rows[0].rated_on, note_id,
            sud_start=start.sud if start else None, sud_end=end.sud if end else None,
            voc_start=start.voc if start else None, voc_end=end.voc if end else None))
    return tuple(sorted(sessions, key=lambda s: (s.day, s.note_id or 0)))


def reevaluations(target: TargetDTO) -> tuple[TargetRatingDTO, ...]:
    """Later checks of the target (EMDR phase 8), oldest first."""
    return tuple(r for r in sorted(target.ratings, key=_order) if r.point == "reevaluation")


@dataclass(frozen=True)
class TargetSummary:
    """One row of the registry: baseline and latest ratings and how much it was worked."""

    baseline_sud: int | None
    baseline_voc: int | None
    latest_sud: int | None
    latest_voc: int | None
    latest_on: dt.date | None
    sessions_worked: int
    last_worked: dt.date | None


def summarise_target(target: TargetDTO) -> TargetSummary:
    """Baseline: the target's own baseline, else the first rating. Latest: the most
    recent rating of any kind (a session's end, a reevaluation)."""
    ordered = sorted(target.ratings, key=_order)
    sessions = target_sessions(target)
    baseline_sud = target.baseline_sud
    baseline_voc = target.baseline_voc
    if baseline_sud is None:
        baseline_sud = next((r.sud for r in ordered if r.sud is not None), None)
    if baseline_voc is None:
        baseline_voc = next((r.voc for r in ordered if r.voc is not None), None)
    latest_sud = next((r.sud for r in reversed(ordered) if r.sud is not None), None)
    latest_voc = next((r.voc for r in reversed(ordered) if r.voc is not None), None)
    return TargetSummary(
        baseline_sud=baseline_sud,
        baseline_voc=baseline_voc,
        latest_sud=latest_sud,
        latest_voc=latest_voc,
        latest_on=ordered[-1].rated_on if ordered else None,
        sessions_worked=len(sessions),
        last_worked=sessions[-1].day if sessions else None,
    )


def as_signed(targets: Mapping[int, TargetDTO], note: NoteDTO) -> Mapping[int, TargetDTO]:
    """The targets as a signed note names them: each by its label when the note was
    signed (a later change undone; one the note itself made at signing stands), so a
    target renamed since reads in the record as the session knew it. `targets` itself for
    a draft, or when none was renamed since."""
    signed_at = note.signed_at
    if not note.signed or signed_at is None:
        return targets
    renamed = {}
    for target_id, target in targets.items():
        label = _before(target, "label", lambda h: h.changed_at > signed_at
                        and h.note_id != note.id)
        if label is not None and label != target.label:
            renamed[target_id] = dataclasses.replace(target, label=label)
    return {**targets, **renamed} if renamed else targets


def _before(target: TargetDTO, name: str,
            later: Callable[[TargetDefinitionChangeDTO], bool],
            order: Callable[[TargetDefinitionChangeDTO], Any] = lambda h: h.changed_at,
            ) -> str | None:
    """A definition field's value before the first (by `order`) of its changes that
    `later` picks out: its history undone back to then. None when none of them is later."""
    changes = [h for h in target.history if h.field == name and later(h)]
    if not changes:
        return None
    return min(changes, key=order).old_value


def rated_by_voc(target: TargetDTO) -> bool:
    """Whether the target's VoC is shown: a kind rated by VoC, or a target that holds a
    VoC all the same (one entered in the registry is never hidden)."""
    return (target.kind in VOC_TARGET_KINDS or target.baseline_voc is not None
            or any(r.voc is not None for r in target.ratings))


# How a report words the two figures of summarise_target.
FIRST_LATEST_RULE = ("First: the baseline recorded when the target was identified, else its "
                     "first rating. Latest: its most recent rating (a session's end or a "
                     "reevaluation)")
SCALES_TEXT = ("SUD runs 0 (no disturbance) to 10 (the worst imaginable); VoC 1 (completely "
               "false) to 7 (completely true)")


def change_day(change: TargetDefinitionChangeDTO, note_days: Mapping[int, dt.date]) -> dt.date:
    """The day a change to a target's definition took effect: the session of the note that
    made it (a note may be signed days later), else the day it was made by hand."""
    if change.note_id is not None and change.note_id in note_days:
        return note_days[change.note_id]
    return local_date(change.changed_at)


def target_on(target: TargetDTO, day: dt.date,
              note_days: Mapping[int, dt.date]) -> TargetDTO:
    """The target as it stood at the end of `day`: its ratings up to then, and the status
    and label it had then (its history undone back to that day). `note_days` maps a note's
    id to its session date."""
    ratings = tuple(r for r in target.ratings if r.rated_on <= day)

    def later(h: TargetDefinitionChangeDTO) -> bool:
        return change_day(h, note_days) > day

    def order(h: TargetDefinitionChangeDTO) -> tuple[dt.date, dt.datetime]:
        return change_day(h, note_days), h.changed_at

    status = _before(target, "status", later, order) or target.status
    label = _before(target, "label", later, order) or target.label
    history = tuple(h for h in target.history if not later(h))
    return dataclasses.replace(target, ratings=ratings, status=status, label=label,
                               history=history)


def change_text(baseline: int | None, latest: int | None) -> str:
    """'8 → 2'; one number when nothing changed or only one is known; '—' for none."""
    if baseline is None and latest is None:
        return EMPTY
    if baseline is None or latest is None or baseline == latest:
        return str(latest if latest is not None else baseline)
    return f"{baseline} → {latest}"


@dataclass(frozen=True)
class StatusOffer:
    """A status the signed notes suggest; the therapist decides."""

    status: str
    reason: str
    day: dt.date
    note_id: int | None


def _closed_since(target: TargetDTO) -> dt.date | None:
    """When the target was last moved to a closed status (from its history)."""
    closing = [h.changed_at.date() for h in target.history
               if h.field == "status" and h.new_value in CLOSED_TARGET_STATUSES]
    return max(closing) if closing else None


def status_offer(target: TargetDTO) -> StatusOffer | None:
    """What the ratings suggest, if anything:

    - a session that ended at SUD 0 and VoC 7 (SUD 0 for an ART scene, which rates no
      VoC) offers "completed" for a target not yet closed;
    - a completed (or clear) target whose latest reading since then shows disturbance
      (SUD above 0) offers "reopened".
    """
    ordered = sorted(target.ratings, key=_order)
    if not ordered:
        return None
    if target.status not in CLOSED_TARGET_STATUSES:
        sessions = target_sessions(target)
        last = sessions[-1] if sessions else None
        # ART rates no VoC: for an ART scene an end at SUD 0 is enough.
        needs_voc = target.kind in VOC_TARGET_KINDS
        if (last is not None and last.sud_end == CLEARED_SUD
                and (last.voc_end == CLEARED_VOC or not needs_voc)
                and not any(r.rated_on > last.day and r.sud for r in ordered)):
            ended = f"SUD {CLEARED_SUD} and VoC {CLEARED_VOC}" if needs_voc \
                else f"SUD {CLEARED_SUD}"
            return StatusOffer("completed", f"The session of {date_text(last.day)} ended at "
                               f"{ended}.", last.day, last.note_id)
        return None
    since = _closed_since(target)
    disturbed = [r for r in ordered if r.sud and (
        r.rated_on > since if since is not None else r.point == "reevaluation")]
    if disturbed:
        latest = disturbed[-1]
        what = RATING_POINTS.short(latest.point).lower()
        return StatusOffer(
            "reopened", f"The {what} rating of {date_text(latest.rated_on)} found SUD "
            f"{latest.sud}.", latest.rated_on, latest.note_id)
    return None


def value_text(field: str, value: str | None, part_names: Mapping[int, str]) -> str:
    """A stored value of a target's field as words: its history shows old and new."""
    if value is None or value == "":
        return EMPTY
    if field == "status":
        return TARGET_STATUSES.label(value)
    if field == "prong":
        return TARGET_PRONGS.label(value)
    if field == "kind":
        return TARGET_KINDS.label(value)
    if field == "found_by":
        return TARGET_FOUND_BY.label(value)
    if field == "touchstone":
        return "Yes" if value in ("True", "1", "true") else "No"
    if field == "part_id":
        try:
            part_id = int(value)
        except ValueError:
            return value
        return part_names.get(part_id, f"Part #{part_id}")
    if field == "identified_on":
        try:
            return date_text(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return value


def dose_axis_span(targets: Sequence[TargetDTO]) -> tuple[dt.date, dt.date] | None:
    """The first and last day any of these targets was rated (for a shared time axis)."""
    days = [r.rated_on for t in targets for r in t.ratings]
    return (min(days), max(days)) if days else None
