"""What waits, across the practice: each safety follow-up still open, then each note to
write or sign, then each dose awaiting its integration sessions, oldest first. Enter opens
the draft (or starts a dosing note not written), or the client's Overview.

The client list marks the same things client by client (a red ! and an amber disc); this
window lists them one by one, so a morning's work is one list. The items come from the
backend (ClientsApi.waiting) and are read again after every write that can change them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from models.api import Changes, Kind
from models.clinical.waiting import NOTHING_WAITS, totals, what_waits, why_it_waits
from models.dto import WaitingItem, Waits
from models.formatting import date_text, days_since_text
from reports import palette
from ui.clients.client_list import WAITS_COLOURS, badges, totals_parts
from ui.common.busy import DelayedBusy
from ui.common.markers import marker_pixmap
from ui.common.style import modality
from ui.common.table_model import (
    SORT_ROLE,
    AnyIndex,
    RowsTableModel,
    SortProxy,
    read_only_table,
)
from ui.common.tables import show_full_text_tips
from ui.shell.tasks import TaskRunner, VaultLockedError, report_unexpected

# What a write must touch for the list to be read again: a note signed, discarded or
# re-dated; a measure entered or marked in error; a client discharged or deleted; a course
# ended or a dose given.
CHANGES_IT: Final = (Kind.CLIENTS, Kind.NOTES, Kind.MEASURES, Kind.CARE)

# What Enter does with each kind.
ENTER_DOES: Final = {Waits.FOLLOW_UP: "Enter shows the client's Overview.",
                     Waits.TO_SIGN: "Enter opens the draft.",
                     Waits.TO_WRITE: "Enter starts the dosing note.",
                     Waits.INTEGRATION: "Enter shows the client's Overview."}


class WaitingModel(RowsTableModel):
    """One row per thing that waits, in the backend's order (follow-ups first)."""

    CLIENT = 0
    DATE = 1
    WHAT = 2
    SINCE = 3
    HEADERS = ("Client", "Date", "What waits", "Waiting")

    _rows: list[WaitingItem]

    def __init__(self, today: Callable[[], dt.date], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self._icons: dict[str, QIcon | QPixmap] = {}

    def item_at(self, row: int) -> WaitingItem:
        return self._rows[row]

    def _icon(self, item: WaitingItem) -> QIcon | QPixmap:
        # Hollow, as a note not signed (or not written) is on the Sessions tab and the
        # timeline: the draft's kind, a dosing note, or an integration session.
        key = {Waits.FOLLOW_UP: "!", Waits.TO_SIGN: item.template_id, Waits.TO_WRITE: "dosing",
               Waits.INTEGRATION: "general"}[item.kind]
        if key not in self._icons:
            if item.is_followup:
                self._icons[key] = badges(((palette.SAFETY, "!"),))
            else:
                self._icons[key] = marker_pixmap(modality(key), False, 12)
        return self._icons[key]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        column = index.column()
        discharged = item.client_status == "discharged"
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.CLIENT:
                who = f"{item.client_name} · {item.record_number}"
                return f"{who} · discharged" if discharged else who
            if column == self.DATE:
                return date_text(item.day)
            if column == self.WHAT:
                return what_waits(item)
            return days_since_text(item.day, self._today())
        if role == SORT_ROLE:
            return (item.client_name.casefold(), item.day.toordinal(),
                    (item.kind.rank, what_waits(item)), -item.day.toordinal(),
                    )[column]
        if role == Qt.ItemDataRole.DecorationRole and column == self.WHAT:
            return self._icon(item)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.WHAT:
                return QColor(WAITS_COLOURS[item.kind])
            if column == self.CLIENT and discharged:
                return QColor(palette.MUTED)
        if role == Qt.ItemDataRole.FontRole and column == self.WHAT and item.is_followup:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.SINCE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{why_it_waits(item)} {ENTER_DOES[item.kind]}"
        return None


class WaitingWindow(QDialog):
    """The list, with a line that counts it; read again after each write that changes it."""

    open_note_requested = Signal(int, int)  # note id, client id
    write_dose_note_requested = Signal(int, int)  # dosing session id, client id
    show_client_requested = Signal(int)  # client id: the Overview shows the follow-up
    shown = Signal()  # the list on screen is the backend's latest (for tests)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("What waits")
        self.setModal(False)
        self.setMinimumSize(640, 320)
        self.resize(900, 480)
        self.runner = runner
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.hint = QLabel("Safety follow-ups first, then the notes to write or sign, then "
                           "the doses awaiting their integration sessions, oldest first. "
                           "Enter or double-click opens a draft (or starts a dosing note), "
                           "or the client's Overview.")
        self.hint.setProperty("role", "subtle")
        self.hint.setWordWrap(True)
        self.loading = QLabel("Reading…")
        self.loading.setProperty("role", "subtle")
        self.loading.hide()
        self.busy = DelayedBusy(self.loading)
        self.model = WaitingModel(runner.opener.today, self)
        self.proxy = SortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = read_only_table(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicatorShown(False)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAccessibleName("What waits")
        show_full_text_tips(self.view)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(WaitingModel.WHAT, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        layout.addWidget(self.summary)
        layout.addWidget(self.hint)
        layout.addWidget(self.loading)
        layout.addWidget(self.view, 1)
        self.view.activated.connect(self._open)
        runner.data_changed.connect(self._data_changed)

    # -- public ---------------------------------------------------------------------------

    def start(self) -> None:
        """Show the window and read the list."""
        self.show()
        self.raise_()
        self.activateWindow()
        self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.refresh()

    def refresh(self) -> None:
        self.busy.start()
        self.runner.submit(lambda b: b.clients.waiting(), self._arrived, self._failed,
                           owner=self)

    def clear(self) -> None:
        """Forget every item (on lock)."""
        self.busy.stop()
        self.model.clear()
        self.summary.clear()

    def item_at(self, proxy_row: int) -> WaitingItem:
        return self.model.item_at(self.proxy.mapToSource(self.proxy.index(proxy_row, 0)).row())

    # -- reading --------------------------------------------------------------------------

    def _arrived(self, items: list[WaitingItem]) -> None:
        self.busy.stop()
        current = self.view.currentIndex()
        kept = self.model.item_at(self.proxy.mapToSource(current).row()) \
            if current.isValid() else None
        self.model.set_rows(items)
        self.proxy.sort(-1)  # the backend's order: follow-ups, notes, integration
        said = totals_parts(totals(items))
        self.summary.setText(" · ".join(said) or NOTHING_WAITS)
        self.hint.setVisible(bool(items))
        self.view.setVisible(bool(items))
        if items:
            row = next((r for r in range(self.proxy.rowCount())
                        if kept is not None and self.item_at(r) == kept), 0)
            self.view.selectRow(row)
        self.shown.emit()

    def _failed(self, exc: Exception) -> None:
        self.busy.stop()
        if not isinstance(exc, VaultLockedError):
            report_unexpected(exc)

    def _data_changed(self, changes: Changes) -> None:
        if self.isVisible() and changes.touches(*CHANGES_IT):
            self.refresh()

    # -- opening --------------------------------------------------------------------------

    def _open(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        item = self.model.item_at(self.proxy.mapToSource(index).row())
        if item.note_id is not None:
            self.open_note_requested.emit(item.note_id, item.client_id)
        elif item.kind is Waits.TO_WRITE and item.dosing_session_id is not None:
            self.write_dose_note_requested.emit(item.dosing_session_id, item.client_id)
        else:
            self.show_client_requested.emit(item.client_id)
