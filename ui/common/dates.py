"""Date and time edits write dates as models.formatting does ("7 Oct 2026", "14:05")."""

from __future__ import annotations

import datetime as dt
from typing import Final

from PySide6.QtCore import QDate

# Qt's spelling of formatting.date_text and formatting.time_text, for setDisplayFormat.
DATE_EDIT_FORMAT: Final = "d MMM yyyy"
TIME_EDIT_FORMAT: Final = "HH:mm"


def to_qdate(day: dt.date) -> QDate:
    """A date as a QDate, for a date edit."""
    return QDate(day.year, day.month, day.day)
