"""How dates, times and numbers are written, everywhere: windows, charts, PDF, messages.

One style: "7 Oct 2026" (day without a leading zero, short month, year). strftime's
"%-d" is not portable (it fails on Windows), so the day is formatted here by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

EMPTY = "—"


def counted(count: int, word: str) -> str:
    """'1 note', '2 notes': a count and its word (made plural with an s)."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def sentence(text: str) -> str:
    """Words as a sentence that ends once: 'Rose to 96 %' -> 'Rose to 96 %.'; a full stop,
    question or exclamation mark already there is kept."""
    text = text.strip()
    return text if not text or text[-1] in ".?!…" else f"{text}."


def days_since_text(day: dt.date, today: dt.date) -> str:
    """How long something has waited since its day: 'today', '1 day', '12 days' (and 'in
    2 days' for a day still to come)."""
    days = (today - day).days
    if days < 0:
        return f"in {counted(-days, 'day')}"
    return "today" if days == 0 else counted(days, "day")


def ago_text(day: dt.date, today: dt.date) -> str:
    """When a day was, from today: 'today', '1 day ago', '12 days ago' ('in 2 days' for a
    day still to come)."""
    since = days_since_text(day, today)
    return since if since == "today" or since.startswith("in ") else f"{since} ago"


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


def month(day: dt.date) -> str:
    """Oct: for month ticks where the year is shown on an earlier tick."""
    return f"{day:%b}"


def date_tick_labels(days: Sequence[dt.date]) -> list[str]:
    """Labels of a date axis's ticks (charts and timelines): "Oct" when every tick is the
    first of a month, else "7 Oct"; the year is added on the first tick and wherever it
    changes ("Sep 2026", "Oct", ... or "7 Oct 2026", "14 Oct", ...), so an axis needs no
    year caption and eight months fit on a narrow chart."""
    monthly = bool(days) and all(d.day == 1 for d in days)
    with_year, without = (month_year, month) if monthly else (date_text, day_month)
    return [with_year(day) if index == 0 or days[index - 1].year != day.year
            else without(day) for index, day in enumerate(days)]


T = TypeVar("T")


def touching_groups(items: Sequence[T],
                    extent: Callable[[Sequence[T]], tuple[float, float]]) -> list[list[T]]:
    """Items along an axis (in order), grouped under shared labels: neighbouring groups
    are joined while one group's label (`extent`: its left and right on the axis) would
    touch the next's. The charts and the Overview's timelines label close doses so: 'D1–4'
    rather than D1 with the others' labels dropped or overlapping."""
    groups = [[item] for item in items]
    joined = True
    while joined:
        joined = False
        for index in range(len(groups) - 1):
            if extent(groups[index])[1] > extent(groups[index + 1])[0]:
                groups[index:index + 2] = [groups[index] + groups[index + 1]]
                joined = True
                break
    return groups


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


def utc_offset_text(moment: dt.datetime) -> str:
    """UTC+01:00: the local time's offset at a stored moment (local times are shown)."""
    offset = _local(moment).utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


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


def mg_per_kg_number(value: float) -> str:
    """'0.52': a dose per kilogram is shown to two decimals wherever the program derives it
    (tables, header lines, the Overview); a note's own calculated field keeps what it
    stored."""
    return number_text(value, decimals=2)


def mg_per_kg_figure(value: float) -> str:
    """'0.52 mg/kg'."""
    return f"{mg_per_kg_number(value)} mg/kg"


def mg_per_kg_text(mg: float | None, weight_kg: float | None) -> str:
    """'0.71 mg/kg', or '' when the dose or the weight is not recorded."""
    if mg is None or not weight_kg:
        return ""
    return mg_per_kg_figure(mg / weight_kg)


def signed_number(value: float | int) -> str:
    """+3, −4 (a real minus sign), 0."""
    text = number_text(abs(value))
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return text


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _month(token: str) -> int | None:
    if token.isdigit():
        return int(token) if 1 <= int(token) <= 12 else None
    word = token.casefold()
    if len(word) < 3:
        return None
    found = [n for n, name in enumerate(_MONTHS, start=1) if word.startswith(name)]
    return found[0] if len(found) == 1 else None


def _year(token: str, today: dt.date) -> int | None:
    if not token.isdigit() or len(token) not in (2, 4):
        return None
    year = int(token)
    if len(token) == 2:  # 25 -> 2025, 84 -> 1984: the nearest year not far in the future
        year += 2000 if 2000 + year <= today.year + 10 else 1900
    return year


def parse_date_text(text: str, *, today: dt.date) -> dt.date | None:
    """A date typed the way people type one: "12 Oct 2025" (the house style), "12 oct",
    "12/10/2025", "12.10.25", "2025-10-12", "12102025". Day before month, as the house
    style writes it; a missing year is this year. None when it is not a whole date."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        try:
            return dt.date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
        except ValueError:
            return None
    tokens = [t for t in re.split(r"[\s/.,\-]+", text) if t]
    if len(tokens) == 1 and tokens[0].isdigit() and len(tokens[0]) in (6, 8):
        digits = tokens[0]
        tokens = [digits[:2], digits[2:4], digits[4:]]
    if len(tokens) not in (2, 3):
        return None
    if not tokens[0].isdigit() and tokens[1].isdigit():  # "Oct 12 2025"
        tokens[0], tokens[1] = tokens[1], tokens[0]
    if not tokens[0].isdigit() or len(tokens[0]) > 2:
        return None
    month = _month(tokens[1])
    year = _year(tokens[2], today) if len(tokens) == 3 else today.year
    if month is None or year is None:
        return None
    try:
        return dt.date(year, month, int(tokens[0]))
    except ValueError:
        return None
