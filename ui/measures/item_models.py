"""The Measures tab's item models: the instrument list, administrations, CADSS per dose."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from models.clinical.doses import DoseRef
from models.clinical.measures import (
    MeasuresView,
    ScoredAdministration,
    flags_text,
    score_text,
)
from models.formatting import date_text
from models.instruments.series import DoseDissociation
from models.vocabulary import CARE_RELATIONS
from reports import palette
from reports.palette import SAFETY, SAFETY_BG
from ui.common.table_model import SORT_ROLE, AnyIndex, RowsTableModel

KEY_ROLE = Qt.ItemDataRole.UserRole + 2
SAFETY_ROLE = Qt.ItemDataRole.UserRole + 3

DISSOCIATION_KEY = "dissociation"  # the list entry for CADSS / CADSS-6 per dosing session


# A measure's name in its pill: a longer one is cut, its tooltip whole, so that the pill
# fits beside the tab's buttons in a narrow window.
PILL_NAME_CHARS = 30


@dataclass(frozen=True)
class InstrumentEntry:
    """One entry in the instrument chooser."""

    key: str  # an instrument id, or DISSOCIATION_KEY
    text: str
    tooltip: str
    safety: bool


def instrument_entries(view: MeasuresView) -> list[InstrumentEntry]:
    entries = []
    for series in view.series:
        instrument = series.instrument
        charted = [a for a in series.charted if a.score.total is not None]
        latest = charted[-1].score if charted else None
        flagged = any(a.score.has_safety_flag for a in series.charted)
        name = instrument.short_name  # a custom measure's may be 60 characters long
        text = name if len(name) <= PILL_NAME_CHARS else \
            name[:PILL_NAME_CHARS - 1].rstrip() + "…"
        tip = f"{instrument.title}: {len(series.administrations)} administration(s)"
        if text != name and name not in instrument.title:
            tip = f"{name}. {tip}"
        if latest is not None and latest.total is not None:
            text += f"  ·  {latest.total}"
            if latest.band is not None:
                text += f" {latest.band.label.lower()}"
        if flagged:
            text = "⚠ " + text
            tip += "; a safety item was positive (see the table)"
        entries.append(InstrumentEntry(instrument.id, text, tip, flagged))
    if view.dissociation:
        count = len(view.dissociation)
        entries.append(InstrumentEntry(
            DISSOCIATION_KEY, "CADSS per dose",
            f"CADSS / CADSS-6 at {count} dosing session{'s' if count != 1 else ''}", False))
    return entries


class InstrumentListModel(QAbstractListModel):
    """The client's measured instruments, and dissociation per dose when there is any."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[InstrumentEntry] = []

    def set_entries(self, entries: Sequence[InstrumentEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entry(self, row: int) -> InstrumentEntry:
        return self._entries[row]

    def row_of(self, key: str) -> int | None:
        for row, entry in enumerate(self._entries):
            if entry.key == key:
                return row
        return None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.tooltip
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return entry.text.replace("⚠", "safety flag:")
        if role == KEY_ROLE:
            return entry.key
        if role == SAFETY_ROLE:
            return entry.safety
        if role == Qt.ItemDataRole.ForegroundRole and entry.safety:
            return QColor(SAFETY)
        return None


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


def _italic() -> QFont:
    font = QFont()
    font.setItalic(True)
    return font


class AdministrationTableModel(RowsTableModel):
    """One instrument's administrations: date, relation, total, band, flags, dose."""

    DATE = 0
    RELATION = 1
    TOTAL = 2
    BAND = 3
    DOSE = 4
    FLAGS = 5
    HEADERS = ("Date", "Relation to care", "Total", "Band", "Dose", "Flags")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doses: dict[int, DoseRef] = {}

    def set_rows(self, rows: Sequence[ScoredAdministration],
                 doses: Mapping[int, DoseRef] | None = None) -> None:
        """`doses`: dosing session id -> where it sits in care (models.clinical.doses)."""
        self._doses = dict(doses or {})
        super().set_rows(rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        scored = self._rows[index.row()]
        admin, result, instrument = scored.administration, scored.score, scored.instrument
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.DATE:
                return date_text(admin.administered_on)
            if column == self.RELATION:
                return CARE_RELATIONS.label(admin.relation_to_care)
            if column == self.TOTAL:
                return score_text(result)
            if column == self.BAND:
                if result.band is None:
                    return "—"
                return result.band.label + ("" if result.band.validated else " (not validated)")
            if column == self.FLAGS:
                if admin.entered_in_error:
                    return f"Entered in error: {admin.entered_in_error_reason or ''}"
                return flags_text(result, brief=True)
            if column == self.DOSE:
                dose = self._doses.get(admin.dosing_session_id or -1)
                return dose.label if dose else ""
        elif role == SORT_ROLE:
            if column == self.DATE:
                return admin.administered_on.toordinal() * 1_000_000 + admin.id
            if column == self.RELATION:
                return CARE_RELATIONS.rank(admin.relation_to_care)
            if column == self.TOTAL:
                return result.total if result.total is not None else -1
            if column == self.BAND:
                return result.total if result.band is not None and result.total is not None \
                    else -1
            if column == self.FLAGS:
                return (2 if result.has_safety_flag else 1 if result.flags else 0)
            if column == self.DOSE:
                dose = self._doses.get(admin.dosing_session_id or -1)
                return dose.ordinal if dose else 0
        elif role == SAFETY_ROLE:
            return result.has_safety_flag and not admin.entered_in_error
        elif admin.entered_in_error and role in (Qt.ItemDataRole.ForegroundRole,
                                                 Qt.ItemDataRole.FontRole):
            # Kept for the record, visibly out of the count: grey and struck through.
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(palette.MUTED)
            font = QFont()
            font.setStrikeOut(column != self.FLAGS)
            return font
        elif role == Qt.ItemDataRole.ForegroundRole:
            if column == self.FLAGS and result.has_safety_flag:
                return QColor(SAFETY)
            if column in (self.TOTAL, self.BAND) and result.total is None:
                return QColor(palette.MUTED)
        elif role == Qt.ItemDataRole.BackgroundRole:
            if column == self.FLAGS and result.has_safety_flag and not admin.entered_in_error:
                return QColor(SAFETY_BG)
        elif role == Qt.ItemDataRole.FontRole:
            if column == self.FLAGS and result.has_safety_flag:
                return _bold()
            if column == self.TOTAL and result.total is None:
                return _italic()
        elif role == Qt.ItemDataRole.TextAlignmentRole and column == self.TOTAL:
            return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        elif role == Qt.ItemDataRole.ToolTipRole:
            answers = admin.response_map()
            lines = []
            for item in instrument.items:
                value = answers.get(item.number)
                if value is None:
                    lines.append(f"Item {item.number}: not answered")
                    continue
                label = item.label_for(int(value))
                lines.append(f"Item {item.number}: {int(value)}"
                             + (f" ({label})" if label else "")
                             + ("" if item.scored else " — not scored"))
            flags = flags_text(result)
            return "\n".join(([flags, ""] if flags else []) + lines)
        return None


class DissociationTableModel(RowsTableModel):
    """CADSS (and CADSS-6) per dosing session."""

    DOSE = 0
    DATE = 1
    CADSS = 2
    CADSS6 = 3
    HEADERS = ("Dose", "Date", "CADSS total (0–92)", "CADSS-6 (0–24)")

    _rows: list[DoseDissociation]

    def _value(self, row: DoseDissociation, column: int) -> int | None:
        return row.cadss_total if column == self.CADSS else row.cadss6_total

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        full = row.score.instrument_id == "cadss"
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.DOSE:
                return row.label
            if column == self.DATE:
                return date_text(row.when)
            value = self._value(row, column)
            if value is None:
                if column == self.CADSS and not full:
                    return "not given (CADSS-6 only)"
                return "incomplete, not charted"
            return str(value)
        if role == SORT_ROLE:
            if column == self.DOSE:
                return row.dose_number
            if column == self.DATE:
                return row.when.toordinal() if row.when else 0
            value = self._value(row, column)
            return -1 if value is None else value
        if role == Qt.ItemDataRole.ForegroundRole and column >= self.CADSS \
                and self._value(row, column) is None:
            return QColor(palette.MUTED)
        return None


