"""How dates, times and numbers are written, everywhere: windows, charts, PDF, messages.

One style: "7 Oct 2026" (day without a leading zero, short month, year). strftime's
"%-d" is not portable (it fails on Windows), so the day is formatted here by hand.
"""

from __future__ import annotations

import datetime as dt

EMPTY = "—"


def date_text(day: dt.date | None) -> str:
    """7 Oct 2026; an em dash when there is no date."""
    if day is None:
        return EMPTY
    return f"{day.day} {day:%b %Y}"


def day_month(day: dt.date) -> str:
    """7 Oct: for chart ticks and labels where the year is shown elsewhere."""
    return f"{day.day} {day:%b}"


def month_year(day: dt.date) -> str:
    """Oct 2026: for month ticks."""
    return f"{day:%b %Y}"


def long_date(day: dt.date) -> str:
    """Tuesday 7 October 2026: a note's own date in its header."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def time_text(moment: dt.time | dt.datetime) -> str:
    """14:05."""
    return f"{moment:%H:%M}"


def _local(moment: dt.datetime) -> dt.datetime:
    """A stored moment in local time (a naive value is taken as UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone()


def local_date(moment: dt.datetime) -> dt.date:
    """The local calendar day of a stored moment."""
    return _local(moment).date()


def date_time_text(moment: dt.datetime) -> str:
    """7 Oct 2026, 14:05 in local time (a naive value is taken as UTC, as stored)."""
    local = _local(moment)
    return f"{date_text(local.date())}, {time_text(local)}"


def number_text(value: float | int | None, *, decimals: int = 3) -> str:
    """5 rather than 5.0; at most `decimals` decimals; '' for None."""
    if value is None:
        return ""
    text = f"{float(value):.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def signed_number(value: float | int) -> str:
    """+3, −4 (a real minus sign), 0."""
    text = number_text(abs(value))
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return text
