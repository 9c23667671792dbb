"""The client list: a table model over ClientSummary, a filter proxy, and the panel."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from models.clinical.waiting import totals_text, waiting_words
from models.dto import ClientSummary, Waits
from models.formatting import counted, date_text
from models.inputs import words_match
from reports import palette
from ui.common.style import wrapped_tip
from ui.common.table_model import (
    SORT_ROLE,
    AnyIndex,
    RowsTableModel,
    change_rows_filter,
    read_only_table,
)
from ui.common.tables import FullTextDelegate, show_full_text_tips

CLIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 2

# What the marks at the end of a client's name say.
MARKS_TIP = ("What waits for you: a red ! marks a safety follow-up still open, an amber disc "
             "the number of notes to sign or to write (a dose on record without its dosing "
             "note). A dose awaiting its integration sessions is the course going as "
             "planned: it is counted under the list, not marked")
_BADGE = 16  # one mark's size in pixels

MARKS_ROLE = Qt.ItemDataRole.UserRole + 3  # how many marks a name ends with
WAITING_LINK = "waiting"


def _marks(client: ClientSummary) -> list[tuple[str, str]]:
    """The marks at the end of a client's name, as (colour, label): an amber disc with the
    number of notes owed, to sign or to write (9+ above nine), then a red "!" for an open
    safety follow-up, which is always last, at the very end."""
    marks = []
    count = client.unsigned_notes + client.notes_to_write
    if count:
        marks.append((WAITS_COLOURS[Waits.TO_SIGN], str(count) if count < 10 else "9+"))
    if client.open_followups:
        marks.append((WAITS_COLOURS[Waits.FOLLOW_UP], "!"))
    return marks


def _marks_width(count: int) -> int:
    return count * _BADGE + max(0, count - 1) * 4


def badges(marks: tuple[tuple[str, str], ...]) -> QIcon:
    """The marks drawn side by side, in their colours on a selected row too, sharp on the
    primary screen."""
    screen = QGuiApplication.primaryScreen()
    return _badges(marks, screen.devicePixelRatio() if screen is not None else 1.0)


@functools.cache
def _badges(marks: tuple[tuple[str, str], ...], ratio: float) -> QIcon:
    pixmap = QPixmap(round(_marks_width(len(marks)) * ratio), round(_BADGE * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPixelSize(10)
    font.setBold(True)
    painter.setFont(font)
    for place, (colour, label) in enumerate(marks):
        disc = QRectF(place * (_BADGE + 4) + 1, 1, _BADGE - 2, _BADGE - 2)
        painter.setBrush(QColor(colour))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(disc)
        painter.setPen(QColor(palette.SURFACE))
        painter.drawText(disc, Qt.AlignmentFlag.AlignCenter, label)
    painter.end()
    icon = QIcon(pixmap)
    icon.addPixmap(pixmap, QIcon.Mode.Selected)
    return icon


def _part(text: str, colour: str, *, bold: bool = False, link: bool = False) -> str:
    """One part of a line of totals in its colour; a link to the list of what waits when
    `link` (the line under the client list)."""
    # A line too narrow breaks between parts, never inside one.
    style = f"color:{colour}{'; font-weight:600' if bold else ''}; white-space:nowrap"
    if link:
        return f'<a href="{WAITING_LINK}" style="{style}; text-decoration:none">{text}</a>'
    return f'<span style="{style}">{text}</span>'


# Each kind of thing that waits in its colour, as the marks are: a safety follow-up in
# red, a note to write or sign in amber, a dose awaiting integration as context.
WAITS_COLOURS: Final = {Waits.FOLLOW_UP: palette.SAFETY, Waits.TO_SIGN: palette.ATTENTION,
                        Waits.TO_WRITE: palette.ATTENTION, Waits.INTEGRATION: palette.INFO}


def totals_parts(counts: Mapping[Waits, int], *, link: bool = False) -> list[str]:
    """The practice's totals of what waits, each in its colour, for the line under the
    client list and the What waits window (a safety follow-up in bold)."""
    return [_part(totals_text(count, kind), WAITS_COLOURS[kind],
                  bold=kind is Waits.FOLLOW_UP, link=link)
            for kind, count in counts.items() if count]


class ClientListModel(RowsTableModel):
    """One row per client; the rows are frozen ClientSummary DTOs."""

    NAME = 0
    RECORD = 1
    LAST_SEEN = 2
    HEADERS = ("Name", "Record", "Last seen")

    _rows: list[ClientSummary]

    def set_clients(self, clients: Sequence[ClientSummary]) -> None:
        self.set_rows(clients)

    def client_at(self, row: int) -> ClientSummary:
        return self._rows[row]

    def row_of(self, client_id: int) -> int | None:
        for row, client in enumerate(self._rows):
            if client.id == client_id:
                return row
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        client = self._rows[index.row()]
        column = index.column()
        discharged = client.status == "discharged"
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NAME:
                name = client.name
                if client.preferred_name:
                    name = f"{name} ({client.preferred_name})"
                return f"{name} · discharged" if discharged else name
            if column == self.RECORD:
                return client.record_number
            if column == self.LAST_SEEN:
                return date_text(client.last_seen)
        elif role == Qt.ItemDataRole.DecorationRole and column == self.NAME:
            marks = _marks(client)
            if not marks:
                return None
            return badges(tuple(marks))
        elif role == MARKS_ROLE:
            return len(_marks(client))
        elif role == Qt.ItemDataRole.AccessibleTextRole and column == self.NAME:
            waiting = waiting_words(client)
            shown = self.data(index, Qt.ItemDataRole.DisplayRole)
            return f"{shown}; {waiting}" if waiting else shown
        elif role == SORT_ROLE:
            if column == self.NAME:
                return client.name.casefold()
            if column == self.RECORD:
                return client.record_number
            if column == self.LAST_SEEN:
                return client.last_seen.toordinal() if client.last_seen else 0
        elif role == CLIENT_ID_ROLE:
            return client.id
        elif role == Qt.ItemDataRole.ForegroundRole and discharged:
            return QColor(palette.MUTED)
        elif role == Qt.ItemDataRole.FontRole and discharged:
            font = QFont()
            font.setItalic(True)
            return font
        elif role == Qt.ItemDataRole.ToolTipRole:
            counts = f"{client.dosing_sessions} dosing sessions, {client.notes} notes"
            said = [f"{counts}; discharged" if discharged else counts]
            waiting = waiting_words(client) if column == self.NAME else ""
            if waiting:
                said.append(waiting)
            return "\n".join(said)
        return None


class _MarksAtTheEnd(FullTextDelegate):
    """A name's marks drawn at its end, right-aligned, taking only their own width: a name
    without any keeps the whole cell."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        super().initStyleOption(option, index)
        option.decorationPosition = QStyleOptionViewItem.Position.Right
        option.decorationAlignment = (Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
        count = index.data(MARKS_ROLE)
        if count:
            option.decorationSize = QSize(_marks_width(count), _BADGE)


class ClientFilterProxy(QSortFilterProxyModel):
    """Filter by the words of the name or record number (models.inputs.words_match, the
    rule the backend's search uses too); hide discharged clients unless asked."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._query = ""
        self._show_discharged = False
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def set_search(self, text: str) -> None:
        self._change_filter(lambda: setattr(self, "_query", text))

    def set_show_discharged(self, show: bool) -> None:
        self._change_filter(lambda: setattr(self, "_show_discharged", show))

    def _change_filter(self, change: Callable[[], None]) -> None:
        change_rows_filter(self, change)

    @property
    def show_discharged(self) -> bool:
        return self._show_discharged

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, ClientListModel):
            return True
        client = model.client_at(source_row)
        if not self._show_discharged and client.status == "discharged":
            return False
        return words_match(self._query, client.name, client.preferred_name,
                              client.record_number)


class ClientListPanel(QWidget):
    """Find box, show-discharged toggle, the table and a New client button."""

    client_selected = Signal(object)  # client id, or None when nothing is selected
    new_client_requested = Signal()
    waiting_requested = Signal()  # the line under the list was clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ClientListModel(self)
        self.proxy = ClientFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find by name or record number  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Find client")
        self.show_discharged = QCheckBox("Show discharged")
        self.view = read_only_table(self.proxy)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(ClientListModel.NAME, Qt.SortOrder.AscendingOrder)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(ClientListModel.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ClientListModel.RECORD,
                                    QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ClientListModel.LAST_SEEN,
                                    QHeaderView.ResizeMode.ResizeToContents)
        header.setHighlightSections(False)
        self.view.setAccessibleName("Clients")
        show_full_text_tips(self.view)
        self.view.setItemDelegateForColumn(ClientListModel.NAME, _MarksAtTheEnd(self.view))
        self.count = QLabel()
        self.count.setProperty("role", "subtle")
        self.count.setWordWrap(True)
        # What waits across the practice: open follow-ups first, then notes to sign.
        self.waiting = QLabel()
        self.waiting.setWordWrap(True)
        self.waiting.setTextFormat(Qt.TextFormat.RichText)
        self.waiting.setToolTip(wrapped_tip(f"{MARKS_TIP}. Click to list them one by one "
                                            "(View › What waits…)."))
        self.waiting.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                             | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.waiting.setCursor(Qt.CursorShape.PointingHandCursor)
        self.waiting.linkActivated.connect(lambda _link: self.waiting_requested.emit())
        self.new_button = QPushButton("New client…")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.show_discharged)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.waiting)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.new_button)
        layout.addLayout(bottom)
        self._selected_id: int | None = None
        self.search.textChanged.connect(self._on_search)
        self.search.installEventFilter(self)
        self.search.returnPressed.connect(self._select_first_if_none)
        self.show_discharged.toggled.connect(self._on_show_discharged)
        self.new_button.clicked.connect(self.new_client_requested)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self._update_count()

    # -- data -----------------------------------------------------------------------------

    def set_clients(self, clients: Sequence[ClientSummary]) -> None:
        """Replace the rows, keeping the selected client selected when it is still shown."""
        keep = self._selected_id
        self.view.selectionModel().blockSignals(True)
        self.model.set_clients(clients)
        self.view.selectionModel().blockSignals(False)
        self._update_count()
        if keep is not None and not self.select_client(keep):
            self._set_selected(None)

    def clear(self) -> None:
        self.view.selectionModel().blockSignals(True)
        self.model.clear()
        self.view.selectionModel().blockSignals(False)
        self.search.clear()
        self._selected_id = None
        self._update_count()

    @property
    def selected_id(self) -> int | None:
        return self._selected_id

    def select_client(self, client_id: int) -> bool:
        """Select and show the client; False when the client is filtered out or unknown."""
        row = self.model.row_of(client_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.view.scrollTo(index)
        if self._selected_id != client_id:
            self._set_selected(client_id)
        return True

    def clear_selection(self) -> None:
        """Select no one (the chart shows its empty state)."""
        self.view.selectionModel().clearCurrentIndex()
        self.view.clearSelection()
        if self._selected_id is not None:
            self._set_selected(None)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # -- reactions ------------------------------------------------------------------------

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._after_filter()

    def _on_show_discharged(self, show: bool) -> None:
        self.proxy.set_show_discharged(show)
        self._after_filter()

    def _after_filter(self) -> None:
        self._update_count()
        if self._selected_id is not None:
            if self.is_shown(self._selected_id):
                self.view.scrollTo(self.view.currentIndex())
            else:
                # The chart on the right never shows a client the list hides.
                self.clear_selection()

    def is_shown(self, client_id: int) -> bool:
        """The client is in the list and not hidden by the find box or the discharged
        filter."""
        row = self.model.row_of(client_id)
        return row is not None and self.proxy.mapFromSource(self.model.index(row, 0)).isValid()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return  # _after_filter decides what a hidden row means
        client_id = current.data(CLIENT_ID_ROLE)
        if client_id != self._selected_id:
            self._set_selected(client_id)

    def _set_selected(self, client_id: int | None) -> None:
        self._selected_id = client_id
        self.client_selected.emit(client_id)

    def _select_first_if_none(self) -> None:
        if self.proxy.rowCount() == 0:
            return
        current = self.view.currentIndex()
        if not current.isValid() or self.proxy.rowCount() == 1:
            first = self.proxy.index(0, 0)
            self.view.selectionModel().setCurrentIndex(
                first, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down arrow in the find box moves into the list, as in a desktop file picker.
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Down and self.proxy.rowCount():
                self.view.setFocus(Qt.FocusReason.OtherFocusReason)
                if not self.view.currentIndex().isValid():
                    self.view.selectionModel().setCurrentIndex(
                        self.proxy.index(0, 0),
                        QItemSelectionModel.SelectionFlag.ClearAndSelect
                        | QItemSelectionModel.SelectionFlag.Rows)
                return True
            if event.key() == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    def waiting_words(self, client_id: int, *, with_integration: bool = True) -> str:
        """What waits in a client's record, in words ("" when nothing, or not listed)."""
        row = self.model.row_of(client_id)
        return "" if row is None else waiting_words(self.model.client_at(row),
                                                    with_integration=with_integration)

    def hidden_discharged_matches(self) -> int:
        """Discharged clients the find box matches but the list hides."""
        if self.proxy.show_discharged:
            return 0
        query = self.search.text()
        return sum(1 for row in range(self.model.rowCount())
                   if (c := self.model.client_at(row)).status == "discharged"
                   and words_match(query, c.name, c.preferred_name, c.record_number))

    def _update_waiting(self) -> None:
        """The practice's open follow-ups and notes to sign, discharged clients included
        (a follow-up stays open after a discharge), saying when the list hides some. Each
        part is a link to the list of what waits (waiting_requested)."""
        clients = [self.model.client_at(row) for row in range(self.model.rowCount())]
        said = totals_parts({Waits.FOLLOW_UP: sum(c.open_followups for c in clients),
                             Waits.TO_SIGN: sum(c.unsigned_notes for c in clients),
                             Waits.TO_WRITE: sum(c.notes_to_write for c in clients),
                             Waits.INTEGRATION: sum(c.awaiting_integration for c in clients)},
                            link=True)
        hidden = [c for c in clients if waiting_words(c) and not self.is_shown(c.id)]
        if said and hidden:
            said.append(_part(f"{counted(len(hidden), 'client')} not shown", palette.MUTED,
                              link=True))
        self.waiting.setText(" · ".join(said))
        self.waiting.setVisible(bool(said))

    def _update_count(self) -> None:
        self._update_waiting()
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        if total == 0:
            self.count.setText("No clients yet.")
        elif self.search.text().strip():
            text = f"{shown} of {total} match" if shown else "No client matches."
            hidden = self.hidden_discharged_matches()
            if hidden:
                who = "1 discharged client matches" if hidden == 1 \
                    else f"{hidden} discharged clients match"
                text += f" {who}: tick Show discharged to see {'them' if hidden > 1 else 'it'}."
            self.count.setText(text)
        else:
            # "(1 discharged)" read as one of those shown: say that they are not.
            self.count.setText(counted(shown, "client") + (
                "" if shown == total else f" · {total - shown} discharged, not shown"))
