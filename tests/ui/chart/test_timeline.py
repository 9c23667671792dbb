"""A course's timeline on the Overview: close doses share one label, as on the charts."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

from pytestqt.qtbot import QtBot

from models.formatting import date_text
from ui.chart.care import CourseLine, DoseMark
from ui.chart.timeline import CourseTimeline

START = dt.date(2026, 11, 11)


def _line(*days: int) -> CourseLine:
    doses = tuple(DoseMark(n, START + dt.timedelta(days=day), n, "signed")
                  for n, day in enumerate(days, start=1))
    return CourseLine("Course 2 · Intensive retreat", "", START,
                      START + dt.timedelta(days=48), doses, ())


def test_close_doses_share_a_label_and_none_is_dropped(qtbot: QtBot) -> None:
    """A retreat's doses a day apart drew "D1", then nothing for D2 (its label would have
    touched D1's): a reader counted four doses under five diamonds."""
    timeline = CourseTimeline(_line(13, 14, 16, 18, 20))
    qtbot.addWidget(timeline)
    timeline.resize(840, timeline.height())
    labels = timeline.dose_labels()
    assert [text for *_, text in labels] == ["D1–2", "D3", "D4", "D5"]
    assert all(a[1] <= b[0] for a, b in pairwise(labels))  # none touch
    timeline.resize(400, timeline.height())  # narrower: more of them share
    texts = [text for *_, text in timeline.dose_labels()]
    assert texts[0].startswith("D1–") and texts[-1].endswith("5")
    timeline.resize(3000, timeline.height())  # room for each its own
    assert [text for *_, text in timeline.dose_labels()] == ["D1", "D2", "D3", "D4", "D5"]


def test_today_is_marked_where_the_course_goes_on_past_it(qtbot: QtBot) -> None:
    """A course planned to end weeks ahead drew its axis to that end with nothing to say
    where today was: the days to come read as weeks without a session."""
    from dataclasses import replace

    line = replace(_line(13, 20), today=START + dt.timedelta(days=22))
    timeline = CourseTimeline(line)
    qtbot.addWidget(timeline)
    timeline.resize(840, timeline.height())
    x = timeline.today_x()
    doses = [timeline._x(d.day) for d in line.doses]
    assert x is not None and doses[-1] < x < timeline.width()
    assert timeline.tooltip_at(x + 2, timeline.height() / 2).startswith(
        f"Today, {date_text(line.today)}")
    # A course whose days end with today or before has nothing to come: no mark.
    assert CourseTimeline(replace(line, today=line.end)).today_x() is None
    assert CourseTimeline(replace(line, today=None)).today_x() is None
