"""The Targets tab's item models: the registry table (with its filter) and the history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from models.clinical.targets import StatusOffer, TargetSummary, change_text, value_text
from models.dto import NoteDTO, TargetDefinitionChangeDTO, TargetDTO
from models.formatting import EMPTY, date_text, date_time_text, day_month, local_date
from models.vocabulary import (
    CLOSED_TARGET_STATUSES,
    MODALITIES,
    TARGET_FIELDS,
    TARGET_KINDS,
    TARGET_PRONGS,
    TARGET_STATUSES,
)
from reports import palette
from ui.common.table_model import (
    SORT_ROLE,
    AnyIndex,
    RowsTableModel,
    SortProxy,
    change_rows_filter,
)

ID_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class TargetRow:
    """One target with the figures its row shows (worked out once, in models.clinical),
    and its cells' text and sort keys, made once when the rows are set."""

    target: TargetDTO
    summary: TargetSummary
    offer: StatusOffer | None
    part_name: str  # "" for none
    texts: tuple[str, ...] = ()
    keys: tuple[Any, ...] = ()


def _sort_number(value: int | None) -> int:
    return -1 if value is None else value


def make_row(target: TargetDTO, summary: TargetSummary, offer: StatusOffer | None,
             part_name: str) -> TargetRow:
    """A row with the text and sort key of each column (TargetTableModel's order)."""
    t, s = target, summary
    status = TARGET_STATUSES.label(t.status)
    if offer is not None:
        status += f" → {TARGET_STATUSES.label(offer.status).lower()}?"
    texts = (t.label, TARGET_KINDS.short(t.kind), TARGET_PRONGS.short(t.prong),
             "Yes" if t.touchstone else "", status,
             change_text(s.baseline_sud, s.latest_sud), change_text(s.baseline_voc, s.latest_voc),
             str(s.sessions_worked), date_text(s.last_worked), part_name or EMPTY)
    keys = (t.label.casefold(), TARGET_KINDS.rank(t.kind), TARGET_PRONGS.rank(t.prong),
            int(t.touchstone), TARGET_STATUSES.rank(t.status), _sort_number(s.latest_sud),
            _sort_number(s.latest_voc), s.sessions_worked,
            s.last_worked.toordinal() if s.last_worked else 0, part_name.casefold())
    return TargetRow(target, summary, offer, part_name, texts, keys)


class TargetTableModel(RowsTableModel):
    """The registry: label, kind, prong, touchstone, status, SUD, VoC, sessions, last
    worked, part."""

    LABEL, KIND, PRONG, TOUCHSTONE, STATUS, SUD, VOC, SESSIONS, LAST, PART = range(10)
    HEADERS = ("Label", "Kind", "Prong", "Touchstone", "Status", "SUD", "VoC", "Sessions",
               "Last worked", "Part")
    _rows: list[TargetRow]

    def row_of(self, target_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.target.id == target_id), None)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[column]
        if role == SORT_ROLE:
            return row.keys[column]
        if role == ID_ROLE:
            return row.target.id
        t = row.target
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.STATUS and row.offer is not None:
                return (f"{row.offer.reason} Offered: "
                        f"{TARGET_STATUSES.label(row.offer.status).lower()}.")
            if column == self.LABEL:
                return t.label
            if column in (self.SUD, self.VOC):
                return "Baseline → latest rating"
        if role == Qt.ItemDataRole.ForegroundRole and t.status in CLOSED_TARGET_STATUSES:
            return QColor(palette.MUTED)
        if role == Qt.ItemDataRole.FontRole and column == self.LABEL and t.touchstone:
            font = QFont()
            font.setBold(True)
            return font
        return None


# The status filter's choices beyond each status: every target, or those still open.
ALL = ""
OPEN = "open"


class TargetFilterProxy(SortProxy):
    """Sorts by SORT_ROLE; shows the targets of one status (or open ones) and one kind."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._status = ALL
        self._kind = ALL

    def set_filters(self, status: str, kind: str) -> None:
        def change() -> None:
            self._status, self._kind = status, kind

        change_rows_filter(self, change)

    def filterAcceptsRow(self, source_row: int,
                         source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, TargetTableModel):
            return True
        target = model.row_at(source_row).target
        if self._kind and target.kind != self._kind:
            return False
        if self._status == OPEN:
            return bool(target.is_open)
        return not self._status or target.status == self._status


class HistoryTableModel(RowsTableModel):
    """A target's definition history, newest first: when, what, was → became, by what."""

    WHEN, CHANGE, SOURCE = range(3)
    HEADERS = ("When", "Change", "By")  # a cell reads "Status: Identified → In processing"
    _rows: list[TargetDefinitionChangeDTO]

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._part_names: Mapping[int, str] = {}
        self._notes: Mapping[int, NoteDTO] = {}

    def set_history(self, history: Sequence[TargetDefinitionChangeDTO],
                    part_names: Mapping[int, str], notes: Mapping[int, NoteDTO]) -> None:
        self._part_names, self._notes = part_names, notes
        # Newest first; changes made together (one note) keep the order they were made.
        ordered = sorted(enumerate(history), key=lambda item: (item[1].changed_at, item[0]),
                         reverse=True)
        self.set_rows([change for _index, change in ordered])

    def source_text(self, change: TargetDefinitionChangeDTO, *, full: bool = False) -> str:
        """'EMDR note, 14 Oct' ('… of 14 Oct 2026' in full) or 'By hand'."""
        if change.note_id is None:
            return "By hand"
        note = self._notes.get(change.note_id)
        if note is None:
            return f"Note #{change.note_id}"
        kind = MODALITIES.short(note.template_id)
        if full:
            return f"{kind} note of {date_text(note.session_date)}"
        return f"{kind} note, {day_month(note.session_date)}"

    def change_text(self, change: TargetDefinitionChangeDTO) -> str:
        names = self._part_names
        return (f"{value_text(change.field, change.old_value, names)} → "
                f"{value_text(change.field, change.new_value, names)}")

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        change = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                self.WHEN: date_text(local_date(change.changed_at)),
                self.CHANGE: f"{TARGET_FIELDS.label(change.field)}: "
                             f"{self.change_text(change)}",
                self.SOURCE: self.source_text(change),
            }.get(column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{TARGET_FIELDS.label(change.field)} changed "
                    f"{date_time_text(change.changed_at)} "
                    f"({self.source_text(change, full=True)}):\n"
                    f"{self.change_text(change)}")
        return None
