"""The Parts tab: the parts registry beside the map, and the map as it was on any date.

The table lists the parts on the map; the map (ui/parts/map_editor.py) edits them. The
timeline slider below the map steps through the snapshots signed IFS notes kept: a past
map is shown read-only with what differs from today marked, and listed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from models.api import Changes, Kind
from models.clinical.parts_map import (
    MapDifferences,
    burdens_text,
    chart_map,
    difference_lines,
    map_differences,
    snapshot_map,
    snapshot_source,
)
from models.dto import ClientChart, MapSnapshotDTO, PartDTO
from models.formatting import date_text
from models.vocabulary import PART_STATUSES, PART_TYPES, TARGET_KINDS
from reports import palette
from ui.common.style import repolish, set_role
from ui.common.table_model import SortProxy, read_only_table
from ui.common.tables import show_full_text_tips, stretch_at_least
from ui.parts.map_editor import MapEditor
from ui.parts.table_models import ID_ROLE, PartTableModel, StatusHistoryModel
from ui.shell.tasks import TaskRunner, VaultLockedError, report_unexpected

# What a write must touch for this tab to draw again: the parts, the targets they carry,
# the notes (signing an IFS note files statuses and keeps a snapshot).
SHOWS = (Kind.PARTS, Kind.TARGETS, Kind.NOTES)
SNAPSHOTS_CHANGE = (Kind.PARTS, Kind.NOTES)


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    set_role(label, "section")
    label.setStyleSheet("font-weight: 600;")
    return label


_LEFT_MIN, _RIGHT_MIN = 280, 380  # pixels: the table's side and the map's side at least
_BURDENS_MIN = 110  # pixels of the burdens column before the table scrolls sideways
# A long name (up to 120 characters) is cut at about this many, its tooltip whole: the
# table's other columns stay in view.
_NAME_CHARS = 30


class PartsTab(QWidget):
    """Table, details and status history on the left; the map and its timeline on the
    right. `actor` returns the signed-in clinician's id; `today` the runner's date."""

    parts_shown = Signal(int)  # drawn for this client (client id)
    snapshots_loaded = Signal(int)  # the timeline knows this many snapshots
    history_shown = Signal(object)  # the date of the map shown (None: today)

    def __init__(self, runner: TaskRunner, *, actor: Callable[[], int | None] = lambda: None,
                 today: Callable[[], dt.date] = dt.date.today,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.chart: ClientChart | None = None
        self.snapshots: list[MapSnapshotDTO] = []
        self.differences: MapDifferences | None = None
        self._snapshots_for: int | None = None  # the client the snapshots belong to
        self._snapshot_id: int | None = None  # the snapshot shown; None: today
        self._dirty = False
        self._syncing = False
        self._generation = 0

        self.model = PartTableModel(self)
        self.proxy = SortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = read_only_table(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setAccessibleName("Parts registry")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        stretch_at_least(self.table, PartTableModel.BURDENS, _BURDENS_MIN)
        show_full_text_tips(self.table)
        self.table.selectionModel().selectionChanged.connect(self._table_selection)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setMinimumHeight(60)
        self.history_model = StatusHistoryModel(self)
        self.history = read_only_table(self.history_model)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.history.setAccessibleName("Status history of the parts")
        history_header = self.history.horizontalHeader()
        history_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        history_header.setStretchLastSection(True)

        self.differences_label = QLabel()
        self.differences_label.setWordWrap(True)
        self.differences_label.setTextFormat(Qt.TextFormat.PlainText)
        self.differences_label.setAccessibleName("What differs from today")
        self.differences_label.setAlignment(Qt.AlignmentFlag.AlignTop
                                            | Qt.AlignmentFlag.AlignLeft)
        self.differences_label.setObjectName("differences")
        self.differences_label.setStyleSheet(
            f"QLabel#differences {{ background: {palette.WARNING_BG}; border: 1px solid "
            f"{palette.WARNING_EDGE}; border-radius: 4px; padding: 6px 8px; }}")
        self.differences_label.hide()
        registry = QWidget()
        registry_layout = QVBoxLayout(registry)
        registry_layout.setContentsMargins(0, 0, 0, 0)
        registry_layout.setSpacing(6)
        registry_layout.addWidget(self.table, 1)
        registry_layout.addWidget(self.details)
        registry_layout.addWidget(self.differences_label)
        history_box = QWidget()
        history_layout = QVBoxLayout(history_box)
        history_layout.setContentsMargins(0, 0, 0, 0)
        history_layout.setSpacing(4)
        history_layout.addWidget(_heading("Status history"))
        self.history_empty = QLabel("No status changes yet. Signed IFS notes and edits "
                                    "on the map add them here.")
        set_role(self.history_empty, "subtle")
        self.history_empty.setWordWrap(True)
        self.history_empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        history_layout.addWidget(self.history_empty)
        history_layout.addWidget(self.history, 1)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(registry)
        left.addWidget(history_box)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)
        left.setChildrenCollapsible(False)

        self.editor = MapEditor(runner, actor=actor, today=today)
        self.editor.selection_changed.connect(self._map_selection)
        self.table.doubleClicked.connect(
            lambda index: self.editor.edit_part(index.data(ID_ROLE)))
        self.editor.image_context = self._image_context
        self.banner = QFrame()
        self.banner.setObjectName("historyBanner")
        self.banner.setStyleSheet(
            f"QFrame#historyBanner {{ background: {palette.WARNING_BG}; border: 1px solid "
            f"{palette.WARNING_EDGE}; border-radius: 4px; }}")
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.today_button = QPushButton("Back to today")
        self.today_button.clicked.connect(self.show_today)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(10, 6, 8, 6)
        banner_layout.addWidget(self.banner_text, 1)
        banner_layout.addWidget(self.today_button)
        self.banner.hide()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setAccessibleName("Map history: the maps signed IFS notes kept")
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setPageStep(1)
        self.slider.valueChanged.connect(self._slider_moved)
        self.slider_caption = QLabel()
        set_role(self.slider_caption, "subtle")
        self.slider_caption.setMinimumWidth(220)
        timeline = QHBoxLayout()
        timeline.setSpacing(10)
        timeline.addWidget(QLabel("Map history"))
        timeline.addWidget(self.slider, 1)
        timeline.addWidget(self.slider_caption)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(6)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.editor, 1)
        right_layout.addLayout(timeline)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 6)
        self.splitter.setChildrenCollapsible(False)
        # Both fit beside the client list in a 1024-pixel window.
        left.setMinimumWidth(_LEFT_MIN)
        right.setMinimumWidth(_RIGHT_MIN)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 10)
        layout.addWidget(self.splitter)
        self._sized = False  # True once the therapist has moved the divider
        self.splitter.splitterMoved.connect(self._divider_moved)
        self._show_timeline()
        self._show_details()

    # -- public ---------------------------------------------------------------------------

    def set_chart(self, chart: ClientChart, changes: Changes | None = None) -> None:
        """Show this client's parts. `changes` (a write to the same client) says what
        changed: nothing this tab shows, nothing redrawn."""
        same = self.chart is not None and self.chart.client.id == chart.client.id
        if same and changes is not None and not changes.touches(*SHOWS):
            self.chart = chart
            return
        if not same:
            self.editor.flush()
            self._snapshot_id = None
            self.snapshots = []
            self._snapshots_for = None
        elif changes is None or changes.touches(*SNAPSHOTS_CHANGE):
            self._snapshots_for = None  # a signed IFS note may have kept a new one
        self.chart = chart
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def clear(self) -> None:
        """Forget everything clinical this tab holds (on lock, or no client chosen)."""
        self._generation += 1
        self.editor.flush()
        self.editor.clear()
        self.chart = None
        self.snapshots = []
        self._snapshots_for = None
        self._snapshot_id = None
        self.differences = None
        self._dirty = False
        self.model.clear()
        self.history_model.clear()
        self.banner.hide()
        self.differences_label.hide()
        self.details.show()
        self._show_timeline()
        self._show_details()

    def flush(self) -> None:
        """Save map moves not yet sent (before a lock or quit)."""
        self.editor.flush()

    def select_part(self, part_id: int) -> bool:
        row = self.model.row_of(part_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        return True

    @property
    def showing_history(self) -> bool:
        return self._snapshot_id is not None

    def show_today(self) -> None:
        self.slider.setValue(self.slider.maximum())

    def show_snapshot(self, position: int) -> None:
        """Move the timeline to a snapshot (0 the oldest; len(snapshots) is today)."""
        self.slider.setValue(position)

    # -- drawing ---------------------------------------------------------------------------

    def refresh(self) -> None:
        chart = self.chart
        if chart is None:
            return
        self._dirty = False
        on_map = [p for p in chart.parts if p.on_map]
        chosen = self.editor.scene.selected_part_ids()
        self.model.set_rows(on_map)
        for column in range(PartTableModel.BURDENS):  # sized once, not on every layout
            self.table.resizeColumnToContents(column)
        header = self.table.horizontalHeader()
        header.resizeSection(PartTableModel.NAME, min(header.sectionSize(PartTableModel.NAME),
                                                      self._name_width()))
        names = {p.id: p.name for p in chart.parts}
        notes = {n.id: n for n in chart.notes}
        self.history_model.set_history(chart.part_history, names, notes)
        self.history_empty.setVisible(not chart.part_history)
        self.history.setVisible(bool(chart.part_history))
        if self._snapshot_id is None:
            self.editor.show_now(chart)
            self.editor.after_show()
        else:
            self._show_snapshot_map()
        self._sync_table_selection(chosen or self.editor.scene.selected_part_ids())
        self._show_details()
        if self._snapshots_for != chart.client.id:
            self._load_snapshots()
        self.parts_shown.emit(chart.client.id)

    def _load_snapshots(self) -> None:
        chart = self.chart
        if chart is None:
            return
        client_id = chart.client.id
        generation = self._generation
        self._snapshots_for = client_id

        def arrived(snapshots: list[MapSnapshotDTO]) -> None:
            if generation != self._generation or self.chart is None \
                    or self.chart.client.id != client_id:
                return
            self.snapshots = snapshots
            if self._snapshot_id is not None and all(s.id != self._snapshot_id
                                                     for s in snapshots):
                self._snapshot_id = None
            self._show_timeline()
            self.snapshots_loaded.emit(len(snapshots))

        def failed(exc: Exception) -> None:
            self._snapshots_for = None
            if not isinstance(exc, VaultLockedError):
                report_unexpected(exc)

        self.runner.submit(lambda b: b.parts.snapshots(client_id), arrived, failed,
                           owner=self)

    def _show_timeline(self) -> None:
        count = len(self.snapshots)
        self.slider.blockSignals(True)
        self.slider.setRange(0, count)
        position = count
        if self._snapshot_id is not None:
            position = next((i for i, s in enumerate(self.snapshots)
                             if s.id == self._snapshot_id), count)
        self.slider.setValue(position)
        self.slider.setEnabled(count > 0)
        self.slider.blockSignals(False)
        self._caption(position)

    def _caption(self, position: int) -> None:
        if not self.snapshots:
            self.slider_caption.setText("No map kept yet: one is kept with each signed "
                                        "IFS note")
            self.slider_caption.setWordWrap(True)
            return
        self.slider_caption.setWordWrap(False)
        if position >= len(self.snapshots):
            first = self.snapshots[0].taken_on
            self.slider_caption.setText(f"Today (maps kept since {date_text(first)})")
        else:
            snapshot = self.snapshots[position]
            self.slider_caption.setText(f"{date_text(snapshot.taken_on)} "
                                        f"({position + 1} of {len(self.snapshots)})")

    def _slider_moved(self, position: int) -> None:
        if position >= len(self.snapshots):
            self._snapshot_id = None
            self.banner.hide()
            self.differences_label.hide()
            self.details.show()
            self.differences = None
            if self.chart is not None:
                self.editor.show_now(self.chart)
            self.history_shown.emit(None)
        else:
            self._snapshot_id = self.snapshots[position].id
            self._show_snapshot_map()
        self._caption(position)

    def _show_snapshot_map(self) -> None:
        chart = self.chart
        snapshot = next((s for s in self.snapshots if s.id == self._snapshot_id), None)
        if chart is None or snapshot is None:
            return
        then = snapshot_map(snapshot, chart.self_energy)
        now = chart_map(chart)
        self.differences = map_differences(then, now)
        self.editor.show_history(chart, then, self.differences)
        source = snapshot_source(snapshot.note_id, chart.notes)
        self.banner_text.setText(
            f"The map on {date_text(snapshot.taken_on)}, {source}. Read-only.")
        self.banner.show()
        lines = difference_lines(self.differences, then, now)
        self.differences_label.setText(
            f"What differs on {date_text(snapshot.taken_on)} from today:\n"
            + "\n".join(f"• {line}" for line in lines)
            if lines else f"The map on {date_text(snapshot.taken_on)} is the same as today's.")
        self.details.hide()
        self.differences_label.show()
        self.history_shown.emit(snapshot.taken_on)

    def _image_context(self) -> tuple[MapDifferences | None, str]:
        snapshot = next((s for s in self.snapshots if s.id == self._snapshot_id), None)
        if snapshot is None:
            return None, "Parts map"
        return self.differences, f"Parts map as on {date_text(snapshot.taken_on)}"

    # -- selection ------------------------------------------------------------------------

    def _selected_ids(self) -> list[int]:
        return [index.data(ID_ROLE) for index in self.table.selectionModel().selectedRows()]

    def _table_selection(self) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self.editor.select_parts(self._selected_ids())
        finally:
            self._syncing = False
        self._show_details()

    def _map_selection(self, part_ids: list[int]) -> None:
        if self._syncing:
            return
        self._sync_table_selection(part_ids)
        self._show_details()

    def _sync_table_selection(self, part_ids: list[int]) -> None:
        self._syncing = True
        try:
            selection = self.table.selectionModel()
            selection.clearSelection()
            for part_id in part_ids:
                row = self.model.row_of(part_id)
                if row is None:
                    continue
                index = self.proxy.mapFromSource(self.model.index(row, 0))
                selection.select(index, QItemSelectionModel.SelectionFlag.Select
                                 | QItemSelectionModel.SelectionFlag.Rows)
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
                self.table.scrollTo(index)
        finally:
            self._syncing = False

    def _show_details(self) -> None:
        chart = self.chart
        chosen = self._selected_ids()
        part = next((p for p in chart.parts if p.id == chosen[0]), None) \
            if chart is not None and chosen else None
        if chart is None:
            self.details.setText("")
            return
        if part is None:
            # A past map, or a vault open read-only, is not edited: no word of how to.
            editable = not self.editor.read_only
            self.details.setText(
                ("No parts yet." + (" Add part… (Insert) on the map, or add one from an IFS "
                                    "note." if editable else ""))
                if not any(p.on_map for p in chart.parts) else
                "Choose a part here or on the map." + (
                    " Double-click it on the map (or press Enter) to edit it; Shift-drag from "
                    "one part to another to connect them. Right-click the map for all it can "
                    "do." if editable else ""))
            set_role(self.details, "subtle")
            repolish(self.details)
            return
        set_role(self.details, "")
        repolish(self.details)
        self.details.setText(self.describe(part, chart))

    @staticmethod
    def describe(part: PartDTO, chart: ClientChart) -> str:
        """A part's details in a few lines, with the targets it carries."""
        trust = f"; trust in Self {part.trust_in_self}/10" \
            if part.trust_in_self is not None else ""
        lines = [f"{part.name}: {PART_TYPES.label(part.part_type).lower()}, "
                 f"{PART_STATUSES.label(part.status).lower()}{trust}; first seen "
                 f"{date_text(part.first_seen)}"]
        for label, value in (("Role", part.role), ("Fears", part.fears),
                             ("Age or appearance", part.age_appearance),
                             ("In the body", part.body_location),
                             ("Burdens", burdens_text(part))):
            if value.strip():
                lines.append(f"{label}: {value}")
        carried = [t for t in chart.targets if t.part_id == part.id]
        if carried:
            lines.append("Carries: " + "; ".join(
                f"{t.label} ({TARGET_KINDS.short(t.kind)})" for t in carried))
        return "\n".join(lines)

    def _name_width(self) -> int:
        return self.table.fontMetrics().horizontalAdvance("n" * _NAME_CHARS)

    def _table_width(self) -> int:
        """What the parts table needs to show every column but the burdens whole (and the
        burdens a little): the map takes the rest, and fits itself to what it gets."""
        header = self.table.horizontalHeader()
        columns = sum(max(header.sectionSizeHint(c), self.table.sizeHintForColumn(c))
                      for c in range(PartTableModel.BURDENS))
        name = max(header.sectionSizeHint(PartTableModel.NAME),
                   self.table.sizeHintForColumn(PartTableModel.NAME))
        columns -= name - min(name, self._name_width())
        frame = 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()
        return columns + _BURDENS_MIN + frame

    def _size_splitter(self) -> None:
        """The table as wide as its columns want (within 44 to 56% of the tab), the map the
        rest; at every size of the window, until the therapist moves the divider."""
        width = self.splitter.width()
        if self._sized or width <= 0:
            return
        table = min(max(int(width * 0.44), self._table_width()), int(width * 0.56))
        table = max(_LEFT_MIN, min(table, width - _RIGHT_MIN - self.splitter.handleWidth()))
        self.splitter.setSizes([table, width - table])

    def _divider_moved(self, _position: int, _index: int) -> None:
        self._sized = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._size_splitter()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._size_splitter()
        if self._dirty and self.chart is not None:
            self.refresh()

