"""A target's figures: sessions from start/end ratings, baseline and latest, the offers."""

from __future__ import annotations

import dataclasses
import datetime as dt

from models.clinical.targets import (
    as_signed,
    change_text,
    status_offer,
    summarise_target,
    target_on,
    target_sessions,
    value_text,
)
from models.dto import NoteDTO, TargetDefinitionChangeDTO, TargetDTO, TargetRatingDTO

D = dt.date(2026, 3, 1)


Rating = tuple[int, int | None, str, int | None, int | None]  # day, note, point, SUD, VoC


def _target(ratings: list[Rating], *, kind: str = "emdr",
            status: str = "in_processing", baseline: tuple[int | None, int | None] = (None, None),
            history: tuple[TargetDefinitionChangeDTO, ...] = ()) -> TargetDTO:
    return TargetDTO(
        id=1, client_id=1, kind=kind, label="Hallway", prong="past", touchstone=False,
        found_by="", image="", negative_cognition="", positive_cognition="", emotions="",
        body_location="", baseline_sud=baseline[0], baseline_voc=baseline[1], status=status,
        part_id=None, identified_on=D,
        ratings=tuple(TargetRatingDTO(i, 1, note, D + dt.timedelta(days=day), point, sud, voc)
                      for i, (day, note, point, sud, voc) in enumerate(ratings, start=1)),
        history=history)


def test_sessions_pair_the_start_and_end_of_each_note() -> None:
    target = _target([(10, 7, "end", 3, 5), (10, 7, "start", 8, 2),
                      (3, None, "start", 9, 1), (17, 9, "reevaluation", 2, None)])
    sessions = target_sessions(target)
    assert [(s.day.day, s.sud_start, s.sud_end, s.voc_start, s.voc_end) for s in sessions] == [
        (4, 9, None, 1, None), (11, 8, 3, 2, 5)]


def test_the_summary_takes_the_targets_baseline_else_the_first_rating() -> None:
    rated = [(3, 5, "start", 9, 1), (3, 5, "end", 4, 4), (9, 6, "reevaluation", 2, 6)]
    summary = summarise_target(_target(rated))
    assert (summary.baseline_sud, summary.baseline_voc) == (9, 1)
    latest = (summary.latest_sud, summary.latest_voc, summary.latest_on)
    assert latest == (2, 6, D + dt.timedelta(9))
    assert (summary.sessions_worked, summary.last_worked) == (1, D + dt.timedelta(3))
    own = summarise_target(_target(rated, baseline=(7, 2)))
    assert (own.baseline_sud, own.baseline_voc) == (7, 2)
    assert change_text(8, 2) == "8 → 2" and change_text(3, 3) == "3"
    assert change_text(None, None) == "—" and change_text(None, 4) == "4"


def test_only_a_session_ending_at_0_and_7_offers_completed() -> None:
    assert status_offer(_target([(1, 5, "start", 6, 3), (1, 5, "end", 1, 6)])) is None
    offer = status_offer(_target([(1, 5, "start", 3, 5), (1, 5, "end", 0, 7)]))
    assert offer is not None and (offer.status, offer.note_id) == ("completed", 5)
    # A later reevaluation that found disturbance: nothing to offer yet.
    assert status_offer(_target([(1, 5, "end", 0, 7), (8, 6, "reevaluation", 3, 5)])) \
        is None
    # ART rates no VoC: SUD 0 at the end is enough.
    art = status_offer(_target([(1, 5, "start", 4, None), (1, 5, "end", 0, None)], kind="art"))
    assert art is not None and art.reason.endswith("ended at SUD 0.")
    assert status_offer(_target([(1, 5, "end", 0, None)])) is None  # EMDR needs VoC 7
    # Already completed: not offered again.
    assert status_offer(_target([(1, 5, "end", 0, 7)], status="completed")) is None


def test_disturbance_after_completion_offers_reopening() -> None:
    closed = TargetDefinitionChangeDTO(dt.datetime(2026, 3, 2, 12), "status", "in_processing",
                                       "completed", None)
    ratings = [(1, 5, "end", 0, 7), (20, 8, "reevaluation", 3, 6)]
    offer = status_offer(_target(ratings, status="completed", history=(closed,)))
    assert offer is not None and offer.status == "reopened" and "SUD 3" in offer.reason
    calm = [(1, 5, "end", 0, 7), (20, 8, "reevaluation", 0, 7)]
    assert status_offer(_target(calm, status="completed", history=(closed,))) is None


def test_history_values_read_as_words() -> None:
    names = {4: "Little One"}
    assert value_text("status", "in_processing", names) == "In processing"
    assert value_text("part_id", "4", names) == "Little One"
    assert value_text("part_id", None, names) == "—"
    assert value_text("touchstone", "True", names) == "Yes"
    assert value_text("found_by", "affect_bridge", names) == "Affect bridge"
    assert value_text("identified_on", "2026-03-01", names) == "1 Mar 2026"
    assert value_text("image", "The corridor", names) == "The corridor"


def _status_change(day: int, old: str, new: str, note_id: int | None) -> TargetDefinitionChangeDTO:
    # Signed a week after the session: the change counts from the session's day.
    return TargetDefinitionChangeDTO(dt.datetime.combine(D + dt.timedelta(days=day + 7),
                                                         dt.time(12)), "status", old, new,
                                     note_id)


def test_a_target_on_a_past_day_has_that_day_s_ratings_and_status() -> None:
    target = _target([(0, 10, "start", 8, 2), (0, 10, "end", 5, 4),
                      (14, 11, "start", 5, 4), (14, 11, "end", 0, 7)],
                     status="completed",
                     history=(_status_change(0, "identified", "in_processing", 10),
                              _status_change(14, "in_processing", "completed", 11)))
    note_days = {10: D, 11: D + dt.timedelta(days=14)}
    then = target_on(target, D + dt.timedelta(days=7), note_days)
    assert then.status == "in_processing"
    assert [r.rated_on for r in then.ratings] == [D, D]
    summary = summarise_target(then)
    assert (summary.baseline_sud, summary.latest_sud, summary.sessions_worked) == (8, 5, 1)
    assert len(then.history) == 1
    # The day before anything happened: as identified, nothing rated.
    before = target_on(target, D - dt.timedelta(days=1), note_days)
    assert before.status == "identified" and before.ratings == ()
    # On the day of the last session the target is as it is now.
    assert target_on(target, D + dt.timedelta(days=14), note_days) == target


def _rename(at: dt.datetime, old: str, new: str,
            note_id: int | None = None) -> TargetDefinitionChangeDTO:
    return TargetDefinitionChangeDTO(at, "label", old, new, note_id)


def test_a_signed_note_names_a_target_as_it_read_when_the_note_was_signed() -> None:
    """Renamed twice since by hand: the note of 1 Mar reads its first label; a change the
    note itself made at signing stands; a draft reads the label now."""
    signed_at = dt.datetime(2026, 3, 1, 15)
    target = dataclasses.replace(_target([]), label="Hallway, the slammed door", history=(
        _rename(signed_at, "Corridor", "Hallway", note_id=7),
        _rename(signed_at + dt.timedelta(days=3), "Hallway", "Hallway at night"),
        _rename(signed_at + dt.timedelta(days=9), "Hallway at night",
                "Hallway, the slammed door")))
    note = NoteDTO(id=7, client_id=1, course_id=None, dosing_session_id=None,
                   template_id="emdr", template_version=2, session_date=D, status="signed",
                   author_id=None, signed_at=signed_at, signed_by_id=None, content_hash="x",
                   updated_at=signed_at)
    assert as_signed({1: target}, note)[1].label == "Hallway"
    later = dataclasses.replace(note, id=8, signed_at=signed_at + dt.timedelta(days=5))
    assert as_signed({1: target}, later)[1].label == "Hallway at night"
    draft = dataclasses.replace(note, status="draft", signed_at=None)
    assert as_signed({1: target}, draft)[1] is target
    # The report's target on a past day reads the label of that day too.
    assert target_on(target, D + dt.timedelta(days=4), {7: D}).label == "Hallway at night"
