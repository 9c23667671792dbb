"""The bundled instruments, answer sets with a chosen total, and a minimal definition file."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta

from models.instruments.definitions import Instrument
from models.instruments.loading import load_instruments, parse_instrument
from models.instruments.scoring import Score, score

INSTRUMENTS = load_instruments()
GAD7 = INSTRUMENTS["gad7"]
PHQ9 = INSTRUMENTS["phq9"]
PCL5 = INSTRUMENTS["pcl5"]
CADSS = INSTRUMENTS["cadss"]
CADSS6 = INSTRUMENTS["cadss6"]
DAY0 = date(2025, 1, 6)


def with_total(instrument: Instrument, total: int, **fixed: int | None) -> dict[int, int | None]:
    """Answers adding up to `total`, filling items in order; `item9=2` style overrides first."""
    answers: dict[int, int | None] = {int(k.removeprefix("item")): v for k, v in fixed.items()}
    remaining = total - sum(v for v in answers.values() if v is not None)
    for item in instrument.scored_items:
        if item.number in answers:
            continue
        value = min(item.max_value, max(item.min_value, remaining))
        answers[item.number] = value
        remaining -= value
    assert remaining == 0, "total not reachable with these overrides"
    return answers


def series(instrument: Instrument, totals: list[int | None]) -> list[tuple[date, Score]]:
    """Weekly scores; None makes an administration with item 1 missing."""
    points = []
    for week, total in enumerate(totals):
        if total is None:
            answers = with_total(instrument, 0)
            answers[1] = None
        else:
            answers = with_total(instrument, total)
        points.append((DAY0 + timedelta(weeks=week), score(instrument, answers)))
    return points


MINIMAL = """
schema_version = 1
id = "demo"
version = 1
title = "Demo"
short_name = "DEMO"
timeframe = "Past week"
instructions = "Rate each item."
direction = "lower_is_better"
items = [{ number = 1 }, { number = 2 }, { number = 3 }, { number = 4 }, { number = 5 }]

[sources]
demo2020 = "Demo et al. 2020"

[answers]
min = 0
max = 4

[scoring]
method = "sum"
"""


def demo(extra: str = "") -> Instrument:
    return parse_instrument(tomllib.loads(MINIMAL + extra), "demo.toml")
