"""The audit trail: who did what to which record and when, for one client or the whole
vault, newest first; and whether the chain of events still holds.

A board, an insurer or the client may ask what was done to a record and when: a note
started, signed and locked, an addendum, a report saved or printed, the vault unlocked. The
events come from the backend in words (models.api.AuditApi.trail); the chain is checked
each time they are read. A filter box narrows what is shown without asking again.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any, Final

from PySide6.QtCore import QEvent, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.api import Changes, Kind
from models.dto import AuditEntry, AuditTrail
from models.errors import NotFoundError, ValidationError
from models.formatting import EMPTY, date_time_text, local_date
from models.inputs import AUDIT_TRAIL_LIMIT, words_match
from ui.common.busy import DelayedBusy
from ui.common.style import say, wrapped_tip
from ui.common.table_model import (
    SORT_ROLE,
    AnyIndex,
    RowsTableModel,
    change_rows_filter,
    read_only_table,
)
from ui.common.tables import show_full_text_tips
from ui.shell.tasks import TaskRunner, VaultLockedError, report_unexpected

# The periods to choose from: (label, days back from today, None for every event).
PERIODS: Final = (("All time", None), ("Today", 0), ("Last 7 days", 6),
                  ("Last 30 days", 29), ("Last 12 months", 364))
# Writes record events; the trail on screen is read again a moment after the last one.
REFRESH_MS: Final = 400


@dataclass(frozen=True)
class ClientChoice:
    """The client whose events the window can show: their id and how they are named."""

    client_id: int
    label: str  # "Greta Example · C-0007"


class AuditTrailModel(RowsTableModel):
    """One row per event, newest first."""

    WHEN, WHO, WHAT, CLIENT, RECORD, DETAIL = range(6)
    HEADERS = ("When", "Who", "What was done", "Client", "Record", "Detail")

    _rows: list[AuditEntry]

    def entry_at(self, row: int) -> AuditEntry:
        return self._rows[row]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(entry, column)
        if role == SORT_ROLE:
            if column == self.WHEN:
                return entry.id  # the chain's order: the order the events happened
            return self.text(entry, column).casefold()
        if role == Qt.ItemDataRole.ToolTipRole and column == self.WHEN:
            return f"{entry.occurred_at.isoformat(timespec='seconds')} (UTC) · event {entry.id}"
        return None

    @classmethod
    def text(cls, entry: AuditEntry, column: int) -> str:
        if column == cls.WHEN:
            return date_time_text(entry.occurred_at)
        if column == cls.WHO:
            return entry.who or EMPTY
        if column == cls.WHAT:
            return entry.what
        if column == cls.CLIENT:
            return (f"{entry.client_name} · {entry.record_number}" if entry.record_number
                    else EMPTY)
        if column == cls.RECORD:
            return entry.record or "The vault"
        return entry.detail


class _Filter(QSortFilterProxyModel):
    """Rows holding every word typed in the filter box, in any column."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.query = ""

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not self.query.strip():
            return True
        model = self.sourceModel()
        assert isinstance(model, AuditTrailModel)
        entry = model.entry_at(source_row)
        return words_match(self.query, *(model.text(entry, column)
                                         for column in range(len(model.HEADERS))))


class AuditTrailWindow(QDialog):
    """Whose events (one client or the whole vault), which period, a filter, the events."""

    shown_trail = Signal()  # a trail arrived and is on screen (for tests)
    # The client whose trail is to be a document, and the first day of the period shown.
    document_requested = Signal(int, object)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit trail")
        self.setModal(False)
        self.setMinimumSize(760, 420)
        self.resize(1240, 660)
        self.runner = runner
        self._asked = 0  # the number of the request whose answer is wanted
        self._more = False  # the trail on screen left older events out
        self._read_at = -1.0  # time.monotonic() of the last request
        self.scope = QComboBox()
        self.scope.setAccessibleName("Whose events")
        self.period = QComboBox()
        self.period.setAccessibleName("Period")
        for period_name, _days in PERIODS:
            self.period.addItem(period_name)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter the events shown: a name, a kind of record, "
                                       "an action…")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("Filter the events shown")
        self.document = QPushButton("Make a document…")
        self.document.setToolTip(wrapped_tip(
            "The client's audit trail as a PDF to print or save, with its period and signature "
            "(Reports tab: Audit trail)"))
        self.document.hide()
        self.chain = QLabel()
        self.chain.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setProperty("role", "subtle")
        self.loading = QLabel("Reading the audit trail…")
        self.loading.setProperty("role", "subtle")
        self.busy = DelayedBusy(self.loading)
        self.model = AuditTrailModel(self)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        self.view = read_only_table(self.proxy)
        self.view.setAccessibleName("Audit events")
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(AuditTrailModel.WHEN, Qt.SortOrder.DescendingOrder)
        show_full_text_tips(self.view)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # Widths from the words they hold (measuring thousands of rows would be slow).
        metrics = self.view.fontMetrics()
        for column, sample in ((AuditTrailModel.WHEN, "30 Sep 2026, 23:59"),
                               (AuditTrailModel.WHO, "Dr. Demo Clinician"),
                               (AuditTrailModel.WHAT, "Measure marked entered in error"),
                               (AuditTrailModel.CLIENT, "Clementine Placeholder · C-0003"),
                               (AuditTrailModel.RECORD,
                                "General integration note of 30 Sep 2026")):
            self.view.setColumnWidth(column, metrics.horizontalAdvance(sample) + 24)
        self._widths = {column: self.view.columnWidth(column)
                        for column in (AuditTrailModel.CLIENT, AuditTrailModel.RECORD)}

        choices = QHBoxLayout()
        choices.setSpacing(8)
        for caption, box in (("&Show", self.scope), ("&Period", self.period)):
            label = QLabel(caption)
            label.setBuddy(box)
            choices.addWidget(label)
            choices.addWidget(box)
            choices.addSpacing(8)
        choices.addWidget(self.filter, 1)
        choices.addWidget(self.document)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.loading)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        layout.addLayout(choices)
        layout.addWidget(self.chain)
        layout.addLayout(status_row)
        layout.addWidget(self.view, 1)

        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(REFRESH_MS)
        self._refresh.timeout.connect(self.read)
        self.scope.activated.connect(lambda _index: self.read())
        self.scope.currentIndexChanged.connect(
            lambda _index: self.document.setVisible(isinstance(self.scope.currentData(), int)))
        self.document.clicked.connect(self._document)
        self.period.activated.connect(lambda _index: self.read())
        self.filter.textChanged.connect(self._filter_changed)
        QShortcut(QKeySequence("Ctrl+L"), self, self.filter.setFocus)  # as in search
        runner.data_changed.connect(self._data_changed)

    # -- public ---------------------------------------------------------------------------

    def start(self, client: ClientChoice | None) -> None:
        """Show the window on `client`'s events (the whole vault's when None) and read them."""
        self.scope.clear()
        self.scope.addItem("Every record in the vault", None)
        if client is not None:
            self.scope.addItem(client.label, client.client_id)
            self.scope.setCurrentIndex(1)
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is not None and not self.isVisible():
            self.resize(self.size().boundedTo(screen.size()))
        self.show()
        self.raise_()
        self.activateWindow()
        self.read()
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def choose(self, *, scope: int | None = None, period: int | None = None) -> None:
        """Choose whose events (0: the whole vault) or the period, as a person does, and
        read them."""
        if scope is not None:
            self.scope.setCurrentIndex(scope)
        if period is not None:
            self.period.setCurrentIndex(period)
        self.read()

    def clear(self) -> None:
        """Forget every event shown (on lock and on quitting)."""
        self._refresh.stop()
        self.busy.stop()
        self._asked += 1  # an answer on its way is no longer wanted
        self.scope.clear()
        self.filter.clear()
        self.model.clear()
        self.chain.clear()
        self.status.clear()

    def choice(self) -> tuple[int | None, dt.date | None, dt.date]:
        """The client (None: the whole vault) and the period chosen, as local days."""
        client_id = self.scope.currentData()
        today = self.runner.opener.today()
        days = PERIODS[max(0, self.period.currentIndex())][1]
        start = None if days is None else today - dt.timedelta(days=days)
        return (client_id if isinstance(client_id, int) else None), start, today

    def read(self) -> None:
        """Ask the backend for the events chosen."""
        self._refresh.stop()
        self._read_at = time.monotonic()
        client_id, start, today = self.choice()
        end = None if start is None else today
        self._asked += 1
        asked = self._asked
        self.busy.start()
        self.runner.submit(
            lambda b: b.audit.trail(client_id=client_id, start=start, end=end),
            lambda trail: self._arrived(asked, trail), lambda exc: self._failed(asked, exc),
            owner=self)

    # -- answers --------------------------------------------------------------------------

    def _arrived(self, asked: int, trail: AuditTrail) -> None:
        if asked != self._asked:
            return  # a newer choice was made meanwhile
        self.busy.stop()
        self.model.set_rows(trail.entries)
        # One client's events: their name on every row would say nothing; the record and
        # the detail share its room.
        one_client = self.choice()[0] is not None
        self.view.setColumnHidden(AuditTrailModel.CLIENT, one_client)
        self.view.setColumnWidth(AuditTrailModel.RECORD, self._widths[AuditTrailModel.RECORD]
                                 + (self._widths[AuditTrailModel.CLIENT] // 2 if one_client
                                    else 0))
        self._show_chain(trail)
        self._show_count(trail)
        self.shown_trail.emit()

    def _failed(self, asked: int, exc: Exception) -> None:
        if asked != self._asked:
            return
        self.busy.stop()
        if isinstance(exc, NotFoundError):  # the client is no longer in the vault
            self.model.clear()
            self._set_status(str(exc), error=True)
        elif isinstance(exc, ValidationError):
            self._set_status(" ".join(exc.problems.values()), error=True)
        elif not isinstance(exc, VaultLockedError):
            report_unexpected(exc)

    def _show_chain(self, trail: AuditTrail) -> None:
        if trail.intact:
            text = (f"The audit chain holds: each of the vault's {trail.events_in_vault:,} "
                    "events is linked to the one before it, and none was changed or removed "
                    "(each checked in this session; Verify the vault checks them all again).")
        else:
            text = (f"The audit chain does not hold: {trail.problem}. Run File › Verify the "
                    "vault, and restore the latest backup that verifies.")
        say(self.chain, text, "subtle" if trail.intact else "error")

    def _show_count(self, trail: AuditTrail | None = None) -> None:
        total = self.model.rowCount()
        if total == 0:
            self._set_status("No event in this period." if self.period.currentIndex()
                             else "No event yet.")
            return
        shown = self.proxy.rowCount()
        what = f"{total:,} event{'' if total == 1 else 's'}, newest first"
        if shown != total:
            what = (f"{shown:,} of {total:,} event{'' if total == 1 else 's'} match the "
                    "filter, newest first")
        if trail is not None:
            self._more = trail.more
        if self._more:
            what += (f". Only the newest {AUDIT_TRAIL_LIMIT:,} are shown: choose a shorter "
                     "period or one client to see older ones")
        self._set_status(what + ".")

    def _set_status(self, text: str, *, error: bool = False) -> None:
        say(self.status, text, "error" if error else "subtle")

    def _filter_changed(self, text: str) -> None:
        change_rows_filter(self.proxy, lambda: setattr(self.proxy, "query", text))
        if self.model.rowCount():
            self._show_count()

    def _document(self) -> None:
        client_id, start, today = self.choice()
        if client_id is None:
            return
        if start is None:  # all time: from the oldest event shown, the client's first
            entries = [self.model.entry_at(r) for r in range(self.model.rowCount())]
            start = (local_date(min(e.occurred_at for e in entries)) if entries and
                     not self._more else today)
        self.document_requested.emit(client_id, start)

    def _data_changed(self, changes: Changes) -> None:
        # A write records an event: the trail on screen is out of date. A draft's words,
        # saved as they are typed, record none.
        if self.isVisible() and self.scope.count() and changes.kinds - {Kind.DRAFT}:
            self._refresh.start()

    def changeEvent(self, event: QEvent) -> None:
        # Events that change no screen (a report saved, a backup, a lock) are recorded too:
        # coming back to the window reads the trail again.
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() \
                and self.scope.count() and time.monotonic() - self._read_at > 1.0:
            self._refresh.start()
