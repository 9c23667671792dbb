"""Where "today" comes from: the system clock in use, a fixed day in tests and the demo."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    def today(self) -> dt.date: ...


class SystemClock:
    """The computer's local date."""

    def today(self) -> dt.date:
        return dt.date.today()


@dataclass(frozen=True)
class FixedClock:
    """Always the same day: for tests, benchmarks and reproducible demos."""

    day: dt.date

    def today(self) -> dt.date:
        return self.day


SYSTEM_CLOCK = SystemClock()
