"""The Sessions tab: every dosing session and note of the client in a sortable table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QObject,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.clinical.sessions import STORY_HEADING
from models.dto import ClientChart
from models.formatting import date_text
from reports import palette
from reports.palette import ATTENTION
from ui.chart.care import SessionRow, session_rows
from ui.common.markers import marker_pixmap
from ui.common.style import modality
from ui.common.table_model import SORT_ROLE, AnyIndex, RowsTableModel, read_only_table
from ui.common.tables import show_full_text_tips


class SessionsModel(RowsTableModel):
    """One row per dosing session or note, oldest first; the proxy sorts."""

    DATE = 0
    KIND = 1
    STORY = 2
    STATUS = 3
    FOLLOWS = 4
    DAYS_SINCE = 5
    HEADERS = ("Date", "Kind", STORY_HEADING, "Status", "Follows", "Days after")

    _rows: list[SessionRow]

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icons: dict[tuple[str, bool], QPixmap] = {}

    def set_chart(self, chart: ClientChart) -> None:
        self.set_rows(session_rows(chart))

    def row_at(self, row: int) -> SessionRow:
        return self._rows[row]

    def _icon(self, kind: str, filled: bool) -> QPixmap:
        key = (kind, filled)
        if key not in self._icons:
            self._icons[key] = marker_pixmap(modality(kind), filled, 12)
        return self._icons[key]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                date_text(row.day),
                row.kind_label,
                row.story or "—",
                f"{row.status} {row.addenda}" if row.addenda else row.status,
                row.follows or "—",
                "—" if row.days_since is None else str(row.days_since),
            )[column]
        if role == SORT_ROLE:
            return (
                row.day.toordinal() * 10_000_000 + row.order,
                row.kind_label,
                row.story,
                row.status,
                row.follows,
                -1 if row.days_since is None else row.days_since,
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == self.STATUS:
            if row.note_to_write:
                return (f"{row.kind_label} is on record without its dosing note. Enter (or "
                        f"{WRITE_DOSE_NOTE}) starts it.")
            return row.addenda_detail or None
        if role == Qt.ItemDataRole.FontRole and column == self.STATUS and row.addenda:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and column == self.KIND:
            return self._icon(row.kind, row.status not in ("Draft",))
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STATUS and \
                row.status != "Signed":
            return QColor(ATTENTION)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.DAYS_SINCE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


OPEN_NOTE = "Open note"
WRITE_DOSE_NOTE = "Write dosing note"


class SessionsProxy(QSortFilterProxyModel):
    """Sorts by each column's sort value (dates as day numbers, counts as numbers)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)


class SessionsTab(QWidget):
    """The table, with New note and Open note; a double-click or Enter opens a note."""

    new_note_requested = Signal()
    open_note_requested = Signal(int)  # note id
    write_dose_note_requested = Signal(int)  # the dosing session of a "No note yet" row

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pending: ClientChart | None = None
        self.model = SessionsModel(self)
        self.proxy = SessionsProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = read_only_table(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(SessionsModel.DATE, Qt.SortOrder.DescendingOrder)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SessionsModel.STORY, QHeaderView.ResizeMode.Stretch)
        show_full_text_tips(self.view)
        self.view.setAccessibleName("Sessions")
        self.new_button = QPushButton("New note…")
        self.new_button.setToolTip("Write a dosing, preparation or integration note (Ctrl+Shift+N)")
        self.new_button.clicked.connect(self.new_note_requested)
        self.open_button = QPushButton(OPEN_NOTE)
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open_current)
        hint = QLabel("Double-click or press Enter to open a session's note.")
        hint.setProperty("role", "subtle")
        bar = QHBoxLayout()
        bar.addWidget(self.new_button)
        bar.addWidget(self.open_button)
        bar.addSpacing(12)
        bar.addWidget(hint)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 14)
        layout.setSpacing(10)
        layout.addLayout(bar)
        layout.addWidget(self.view)
        self.view.activated.connect(lambda _index: self._open_current())
        self.view.selectionModel().currentRowChanged.connect(
            lambda _cur, _prev: self._update_open_button())
        self.model.modelReset.connect(self._update_open_button)
        self.view.setStyleSheet(f"QTableView {{ border: 1px solid {palette.LINE}; }}")

    def current_row(self) -> SessionRow | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return self.model.row_at(self.proxy.mapToSource(index).row())

    def current_note_id(self) -> int | None:
        row = self.current_row()
        return row.note_id if row is not None else None

    def _update_open_button(self) -> None:
        row = self.current_row()
        to_write = row is not None and row.note_to_write
        self.open_button.setText(WRITE_DOSE_NOTE if to_write else OPEN_NOTE)
        self.open_button.setEnabled(row is not None and (row.note_id is not None or to_write))

    def _open_current(self) -> None:
        row = self.current_row()
        if row is None:
            return
        if row.note_id is not None:
            self.open_note_requested.emit(row.note_id)
        elif row.note_to_write and row.dosing_session_id is not None:
            self.write_dose_note_requested.emit(row.dosing_session_id)

    def show_oldest_unsigned(self) -> bool:
        """Select the oldest draft, with the keyboard on the table (Enter opens it); False
        when every note is signed."""
        self._fill()
        rows = [(self.model.row_at(r), r) for r in range(self.model.rowCount())]
        waiting = [(row.day, row.order, r) for row, r in rows
                   if row.note_id is not None and not row.signed]
        if not waiting:
            return False
        index = self.proxy.mapFromSource(self.model.index(min(waiting)[2], 0))
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.view.scrollTo(index)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def set_chart(self, chart: ClientChart) -> None:
        """Remember the chart; the table is filled when the tab is first shown."""
        self._pending = chart
        if self.isVisible():
            self._fill()

    def _fill(self) -> None:
        if self._pending is not None:
            chart, self._pending = self._pending, None
            self.model.set_chart(chart)

    def showEvent(self, event: QShowEvent) -> None:
        self._fill()
        super().showEvent(event)

    def clear(self) -> None:
        self._pending = None
        self.model.clear()
