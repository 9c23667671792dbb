"""Search across every note: type words, see each note with its client, date, kind and the
words in context; Enter opens the note.

The search runs on the database worker (models.api.SearchApi) a moment after typing stops;
a query that cannot be read is explained as it is typed (models.inputs.validate_search,
the rule the backend applies too). Private process notes are found here and marked: they
are the therapist's own words, on the therapist's own screen.
"""

from __future__ import annotations

import html
from typing import Any, Final

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QHelpEvent,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QShortcut,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from models.api import Changes, Kind
from models.dto import SearchHit, SearchResults
from models.errors import ValidationError
from models.formatting import date_text
from models.inputs import SEARCH_HELP, validate_search
from models.search_text import hit_kind, plain_snippet, snippet_parts
from reports import palette
from ui.common.busy import DelayedBusy
from ui.common.style import say
from ui.common.table_model import (
    SORT_ROLE,
    AnyIndex,
    RowsTableModel,
    SortProxy,
    read_only_table,
)
from ui.common.tables import show_full_text_tips
from ui.shell.tasks import TaskRunner, VaultLockedError, report_unexpected

DEBOUNCE_MS: Final = 250
# What a write must touch for the shown results to be looked up again.
FINDS: Final = (Kind.NOTES, Kind.DRAFT, Kind.TARGETS, Kind.PARTS, Kind.CLIENTS, Kind.DETAILS)


class SearchResultsModel(RowsTableModel):
    """One row per hit, best match first; the proxy sorts by a column when asked."""

    CLIENT = 0
    DATE = 1
    KIND = 2
    WORDS = 3
    HEADERS = ("Client", "Date", "Kind", "Words in context")

    _rows: list[SearchHit]

    def hit_at(self, row: int) -> SearchHit:
        return self._rows[row]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        hit = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.CLIENT:
                return f"{hit.client_name} · {hit.record_number}"
            if column == self.DATE:
                return date_text(hit.day)
            if column == self.KIND:
                kind = hit_kind(hit)
                return f"{kind} · private notes" if hit.in_private else kind
            return plain_snippet(hit.snippet)
        if role == Qt.ItemDataRole.UserRole:
            return hit.snippet  # the words with their marks, for the delegate
        if role == SORT_ROLE:
            return (hit.client_name.casefold(), hit.day.toordinal() if hit.day else 0,
                    hit_kind(hit), index.row())[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            notes = []
            if hit.client_status == "discharged":
                notes.append("The client is discharged.")
            if hit.in_private:
                notes.append("Found in your private process notes.")
            if hit.note_id is None:
                notes.append("Enter shows the client's record.")
            elif hit.note_status == "draft":
                notes.append("The note is a draft.")
            return " ".join(notes) or None
        if role == Qt.ItemDataRole.ForegroundRole and hit.client_status == "discharged" \
                and column == self.CLIENT:
            return QColor(palette.MUTED)
        return None


class SnippetDelegate(QStyledItemDelegate):
    """The words in context with the matched words in bold, elided to the cell."""

    def _document(self, option: QStyleOptionViewItem, index: AnyIndex) -> QTextDocument:
        snippet = index.data(Qt.ItemDataRole.UserRole)
        text = "".join(f"<b>{html.escape(t)}</b>" if hit else html.escape(t)
                       for t, hit in snippet_parts(snippet if isinstance(snippet, str) else ""))
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(0)
        document.setHtml(f"<span style='white-space: pre'>{text}</span>")
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        document = self._document(option, index)
        rect = option.rect.adjusted(6, 0, -6, 0)
        painter.save()
        painter.translate(rect.left(), rect.top() + (rect.height()
                                                      - document.size().height()) / 2)
        painter.setClipRect(QRectF(0, 0, rect.width(), rect.height()))
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        size = self._document(option, index).size().toSize()
        return QSize(size.width() + 12, max(size.height() + 8, 26))

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView,
                  option: QStyleOptionViewItem, index: AnyIndex) -> bool:
        if event is not None and event.type() == QEvent.Type.ToolTip and index.isValid():
            text = index.data(Qt.ItemDataRole.DisplayRole)
            if isinstance(text, str) and self._document(option, index).idealWidth() \
                    > option.rect.width() - 12:
                QToolTip.showText(event.globalPos(), text, view)
            else:
                QToolTip.hideText()
            return True
        return super().helpEvent(event, view, option, index)


class SearchWindow(QDialog):
    """The query, what is wrong with it or how many were found, and the results."""

    open_note_requested = Signal(int, int)  # note id, client id
    show_client_requested = Signal(int)  # client id (a target or a part was found)
    searched = Signal(str)  # the results of this query are shown (for tests)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Search notes")
        self.setModal(False)
        self.setMinimumSize(720, 420)
        self.resize(980, 600)
        self.runner = runner
        self._asked = ""  # the query last sent to the worker
        self._shown = ""  # the query whose results are on screen
        self.query = QLineEdit()
        self.query.setPlaceholderText("Words to find in every note, addendum, target and part")
        self.query.setClearButtonEnabled(True)
        self.query.setAccessibleName("Search notes")
        self.query.installEventFilter(self)
        self.hint = QLabel(SEARCH_HELP)
        self.hint.setProperty("role", "subtle")
        self.hint.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setProperty("role", "subtle")
        self.loading = QLabel("Searching…")
        self.loading.setProperty("role", "subtle")
        self.loading.hide()
        self.busy = DelayedBusy(self.loading)
        self.model = SearchResultsModel(self)
        self.proxy = SortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = read_only_table(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicatorShown(False)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setDefaultSectionSize(28)
        self.view.setAccessibleName("Search results")
        show_full_text_tips(self.view)
        self.view.setItemDelegateForColumn(SearchResultsModel.WORDS, SnippetDelegate(self.view))
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SearchResultsModel.WORDS, QHeaderView.ResizeMode.Stretch)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.loading)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        layout.addWidget(self.query)
        layout.addWidget(self.hint)
        layout.addLayout(status_row)
        layout.addWidget(self.view, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self.query.textChanged.connect(self._typed)
        self.query.returnPressed.connect(self._enter_in_query)
        self.view.activated.connect(self._open)
        QShortcut(QKeySequence("Ctrl+L"), self, self.query.setFocus)  # as in a browser
        runner.data_changed.connect(self._data_changed)
        self._show_status("")

    # -- public ---------------------------------------------------------------------------

    def start(self, text: str = "") -> None:
        """Show the window with the query field ready (and `text` in it, if given)."""
        if text:
            self.query.setText(text)
        self.show()
        self.raise_()
        self.activateWindow()
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()

    def clear(self) -> None:
        """Forget the query and every result (on lock)."""
        self._timer.stop()
        self.busy.stop()
        self._asked = self._shown = ""
        self.query.blockSignals(True)
        self.query.clear()
        self.query.blockSignals(False)
        self.model.clear()
        self._show_status("")

    def hit_at(self, proxy_row: int) -> SearchHit:
        return self.model.hit_at(self.proxy.mapToSource(self.proxy.index(proxy_row, 0)).row())

    # -- searching ------------------------------------------------------------------------

    def _typed(self, text: str) -> None:
        problem = validate_search(text).get("query", "")
        if problem:
            self._timer.stop()
            self._show_status(problem, error=True)
            return
        if not text.strip():
            self._timer.stop()
            self.model.clear()
            self._shown = ""
            self._show_status("")
            return
        if self.status.property("role") == "error":
            self._show_status("")  # put right: the message goes as it is typed
        self._timer.start()

    def search_now(self) -> None:
        """Look the current query up now (typing waits a moment first)."""
        self._timer.stop()
        text = self.query.text()
        if validate_search(text) or not text.strip():
            return
        self._asked = text
        self.busy.start()
        self.runner.submit(lambda b: b.search.find(text), self._arrived, self._failed,
                           owner=self)

    def _arrived(self, results: SearchResults) -> None:
        if results.query != self._asked:
            return  # typing went on: a newer search is on its way
        self.busy.stop()
        self._shown = results.query
        self.model.set_rows(results.hits)
        self.proxy.sort(-1)  # best match first
        count = len(results.hits)
        if not count:
            self._show_status("No note, addendum, target or part holds all of these words.")
        else:
            more = " (the best matches; add a word to narrow it down)" if results.more else ""
            self._show_status(f"{count} found{more}. Enter or double-click opens a note.")
            self.view.selectRow(0)
        self.searched.emit(results.query)

    def _failed(self, exc: Exception) -> None:
        self.busy.stop()
        if isinstance(exc, ValidationError):
            self._show_status(" ".join(exc.problems.values()), error=True)
        elif not isinstance(exc, VaultLockedError):
            report_unexpected(exc)

    def _show_status(self, text: str, *, error: bool = False) -> None:
        say(self.status, text, "error" if error else "subtle")
        self.status.setVisible(bool(text))

    def _data_changed(self, changes: Changes) -> None:
        if self._shown and self.isVisible() and changes.touches(*FINDS):
            query = self._asked = self._shown
            self.runner.submit(lambda b: b.search.find(query), self._arrived, self._failed,
                               owner=self)

    # -- opening --------------------------------------------------------------------------

    def _enter_in_query(self) -> None:
        if self._timer.isActive():
            self.search_now()
        if self.proxy.rowCount():
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
            if not self.view.currentIndex().isValid():
                self.view.selectRow(0)

    def _open(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        hit = self.model.hit_at(self.proxy.mapToSource(index).row())
        if hit.note_id is not None:
            self.open_note_requested.emit(hit.note_id, hit.client_id)
        else:
            self.show_client_requested.emit(hit.client_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down in the query moves into the results, as in the client list.
        if watched is self.query and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Down and self.proxy.rowCount():
                self.view.setFocus(Qt.FocusReason.OtherFocusReason)
                if not self.view.currentIndex().isValid():
                    self.view.selectRow(0)
                return True
        return super().eventFilter(watched, event)
