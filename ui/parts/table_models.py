"""The Parts tab's item models: the parts registry and the parts' status history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt

from models.clinical.parts_map import burdens_text, change_source_text, status_change_text
from models.dto import NoteDTO, PartDTO, PartStatusChangeDTO
from models.formatting import EMPTY, date_text
from models.vocabulary import PART_STATUSES, PART_TYPES
from ui.common.table_model import SORT_ROLE, AnyIndex, RowsTableModel

ID_ROLE = Qt.ItemDataRole.UserRole + 2


class PartTableModel(RowsTableModel):
    """The parts on the map: name, type, status, burdens, trust in Self, first seen."""

    # Burdens last: it takes the room that is left, and its tooltip has all of it.
    NAME, TYPE, STATUS, TRUST, FIRST_SEEN, BURDENS = range(6)
    HEADERS = ("Name", "Type", "Status", "Trust in Self", "First seen", "Burdens")
    _rows: list[PartDTO]

    def row_of(self, part_id: int) -> int | None:
        return next((i for i, p in enumerate(self._rows) if p.id == part_id), None)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        part, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                self.NAME: part.name,
                self.TYPE: PART_TYPES.short(part.part_type),
                self.STATUS: PART_STATUSES.label(part.status),
                self.BURDENS: burdens_text(part) or EMPTY,
                self.TRUST: f"{part.trust_in_self}/10" if part.trust_in_self is not None
                else EMPTY,
                self.FIRST_SEEN: date_text(part.first_seen),
            }.get(column)
        if role == SORT_ROLE:
            return {
                self.NAME: part.name.casefold(),
                self.TYPE: PART_TYPES.rank(part.part_type),
                self.STATUS: PART_STATUSES.rank(part.status),
                self.BURDENS: burdens_text(part).casefold(),
                self.TRUST: -1 if part.trust_in_self is None else part.trust_in_self,
                self.FIRST_SEEN: part.first_seen.toordinal(),
            }.get(column)
        if role == ID_ROLE:
            return part.id
        if role == Qt.ItemDataRole.ToolTipRole and column == self.BURDENS:
            return burdens_text(part) or "No burdens recorded"
        if role == Qt.ItemDataRole.ToolTipRole and column == self.TYPE:
            return PART_TYPES.term(part.part_type).description
        return None


class StatusHistoryModel(RowsTableModel):
    """Every part's status changes, newest first, with the note that made each."""

    DATE, PART, CHANGE, SOURCE = range(4)
    HEADERS = ("Date", "Part", "Change", "By")
    _rows: list[PartStatusChangeDTO]

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._names: Mapping[int, str] = {}
        self._notes: Mapping[int, NoteDTO] = {}

    def set_history(self, history: Sequence[PartStatusChangeDTO], names: Mapping[int, str],
                    notes: Mapping[int, NoteDTO]) -> None:
        self._names, self._notes = names, notes
        self.set_rows(sorted(history, key=lambda h: h.changed_on, reverse=True))

    def source_text(self, change: PartStatusChangeDTO, *, full: bool = False) -> str:
        """'IFS note' (of the change's own date) or 'By hand'; `full` adds the date."""
        return change_source_text(change, self._notes, full=full)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        change, column = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            full = role == Qt.ItemDataRole.ToolTipRole
            return {
                self.DATE: date_text(change.changed_on),
                self.PART: self._names.get(change.part_id, f"Part #{change.part_id}"),
                self.CHANGE: status_change_text(change),
                self.SOURCE: self.source_text(change, full=full),
            }.get(column)
        return None

