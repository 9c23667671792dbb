"""The order measures are offered in, and the numbers doses go by on the measures screens."""

from __future__ import annotations

from collections.abc import Mapping

from models.dto import ClientChart
from models.instruments import Instrument

# The order instruments are offered and listed in: the main measures, dissociation, custom.
MAIN_INSTRUMENTS = ("phq9", "gad7", "pcl5")
DISSOCIATION_INSTRUMENTS = ("cadss", "cadss6")


def instrument_order(instruments: Mapping[str, Instrument]) -> list[Instrument]:
    """Main measures first, then dissociation, then custom measures by name."""
    fixed = [instruments[key] for key in (*MAIN_INSTRUMENTS, *DISSOCIATION_INSTRUMENTS)
             if key in instruments]
    rest = sorted((i for i in instruments.values() if i not in fixed),
                  key=lambda i: i.title.casefold())
    return fixed + rest


def dose_numbers(chart: ClientChart) -> dict[int, int]:
    """Dosing session id -> its number across the client's care (D1, D2 ... by date),
    the numbering the charts use."""
    ordered = sorted(chart.dosing_sessions, key=lambda d: (d.session_date, d.id))
    return {d.id: index for index, d in enumerate(ordered, start=1)}
