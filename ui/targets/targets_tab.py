"""The Targets tab: the client's EMDR targets and ART scenes, each editable with its dated
history and its SUD/VoC chart, and all of them side by side as small multiples.

Figures (baseline, latest, sessions worked, what a status offer says) come from
models.clinical.targets; the charts from reports.targets, the same figures the progress
report draws. matplotlib is imported the first time a chart is drawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.api import Changes, Done, Kind
from models.clinical.doses import dosing_markers
from models.clinical.targets import status_offer, summarise_target
from models.dto import ClientChart, TargetDTO
from models.errors import ValidationError
from models.vocabulary import TARGET_KINDS, TARGET_PRONGS, TARGET_STATUSES
from reports import palette
from ui.common.chart_host import ChartHost
from ui.common.style import set_role
from ui.common.table_model import read_only_table
from ui.common.tables import stretch_at_least
from ui.shell.tasks import TaskRunner, is_refusal, refusal, refused_read_only, report_unexpected
from ui.targets.table_models import (
    ALL,
    ID_ROLE,
    OPEN,
    HistoryTableModel,
    TargetFilterProxy,
    TargetRow,
    TargetTableModel,
    make_row,
)
from ui.targets.target_form import TargetForm

# What a write must touch for this tab to draw again: the targets, the parts that carry
# them, the notes that rated them (their dates name the history's sources), the doses.
SHOWS = (Kind.TARGETS, Kind.PARTS, Kind.NOTES, Kind.CARE)
# A chart follows the table and the details by this much: the tab opens at once, and
# moving through the rows with the keyboard builds only the chart of the row it stops on.
CHART_DELAY_MS = 60
# A target is read by its label: a narrow window scrolls the registry sideways rather than
# cut the label shorter than about this many characters.
_LABEL_CHARS = 22

_STYLE = f"""
QFrame#offer {{
    background: {palette.OFFER_BG};
    border: 1px solid {palette.ADDRESSED_EDGE};
    border-radius: 5px;
}}
QLabel#offerText {{ color: {palette.INK}; }}
QLabel#detailTitle {{ font-size: 13pt; font-weight: 600; color: {palette.INK}; }}
QPushButton[role="segment"] {{
    border: 1px solid {palette.LINE};
    padding: 4px 12px;
    background: {palette.SURFACE};
}}
QPushButton[role="segment"]:checked {{
    background: {palette.ACCENT};
    border-color: {palette.ACCENT};
    color: white;
}}
"""


def target_rows(chart: ClientChart) -> list[TargetRow]:
    names = {p.id: p.name for p in chart.parts}
    return [make_row(t, summarise_target(t), status_offer(t),
                     names.get(t.part_id, f"Part #{t.part_id}") if t.part_id else "")
            for t in chart.targets]


class _Pages(QStackedWidget):
    """Sized to the space given, not to the tallest page's wish."""

    def sizeHint(self) -> QSize:
        return QSize(400, 300)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 200)


class TargetsTab(QWidget):
    """Filters and views above; the registry table; the chosen target's definition beside
    its chart and history. `actor` returns the signed-in clinician's id."""

    targets_shown = Signal(int)  # the table shows this client's targets (client id)
    target_saved = Signal(int)  # a target was added or changed (target id)
    chart_drawn = Signal()  # the chart on screen was (re)built

    def __init__(self, runner: TaskRunner, *, actor: Callable[[], int | None] = lambda: None,
                 today: Callable[[], dt.date] = dt.date.today,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.actor = actor
        self.today = today
        self.chart: ClientChart | None = None
        self._editing: int | None = None  # the target in the form; None: a new one
        self._filled_from: TargetDTO | None = None  # the target as the form was filled
        self._form_dirty = False
        self._saving = False
        self._dirty = False  # the chart changed while the tab was hidden
        self._wanted: int | None = None  # the target to select once rows arrive
        self._generation = 0
        self.setStyleSheet(_STYLE)
        self._chart_timer = QTimer(self)
        self._chart_timer.setSingleShot(True)
        self._chart_timer.setInterval(CHART_DELAY_MS)
        self._chart_timer.timeout.connect(self._draw_charts_now)

        # -- the toolbar ---------------------------------------------------------------
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Show targets of status")
        self.status_filter.addItem("All statuses", ALL)
        self.status_filter.addItem("Open (not completed or clear)", OPEN)
        for code, label in TARGET_STATUSES.choices():
            self.status_filter.addItem(label, code)
        self.kind_filter = QComboBox()
        self.kind_filter.setAccessibleName("Show targets of kind")
        self.kind_filter.addItem("EMDR and ART", ALL)
        for code, label in TARGET_KINDS.choices():
            self.kind_filter.addItem(label, code)
        self.registry_button = QPushButton("Registry")
        self.charts_button = QPushButton("Charts side by side")
        self.view_group = QButtonGroup(self)
        for index, button in enumerate((self.registry_button, self.charts_button)):
            button.setCheckable(True)
            set_role(button, "segment")
            self.view_group.addButton(button, index)
        self.registry_button.setChecked(True)
        self.registry_button.setToolTip("The table, and the chosen target's details")
        self.charts_button.setToolTip("SUD and VoC of every target shown, on one time axis")
        self.new_action = QAction("&New target…", self)
        self.new_action.setShortcut(QKeySequence("Ctrl+Shift+T"))
        self.new_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.new_action.triggered.connect(lambda _c=False: self.new_target())
        self.addAction(self.new_action)
        self.new_button = QPushButton("New target…")
        self.new_button.setToolTip("Add a target memory or ART scene (Ctrl+Shift+T)")
        self.new_button.clicked.connect(lambda: self.new_target())
        toolbar = QHBoxLayout()
        toolbar.setSpacing(8)
        toolbar.addWidget(self.status_filter)
        toolbar.addWidget(self.kind_filter)
        toolbar.addStretch(1)
        segments = QHBoxLayout()
        segments.setSpacing(0)
        segments.addWidget(self.registry_button)
        segments.addWidget(self.charts_button)
        toolbar.addLayout(segments)
        toolbar.addSpacing(8)
        toolbar.addWidget(self.new_button)

        # -- the registry page -----------------------------------------------------------
        self.model = TargetTableModel(self)
        self.proxy = TargetFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = read_only_table(self.proxy)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.setAccessibleName("Target registry")
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # identified order
        header = self.table.horizontalHeader()
        # Sized to their contents once per client (refresh), not on every layout pass.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        stretch_at_least(self.table, TargetTableModel.LABEL,
                         self.table.fontMetrics().horizontalAdvance("n" * _LABEL_CHARS))
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        self.detail_title = QLabel()
        self.detail_title.setObjectName("detailTitle")
        self.detail_title.setWordWrap(True)
        self.detail_subtitle = QLabel()
        set_role(self.detail_subtitle, "subtle")
        self.detail_subtitle.setWordWrap(True)
        self.save_button = QPushButton("Save changes")
        set_role(self.save_button, "primary")
        self.save_button.setShortcut(QKeySequence("Ctrl+S"))
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Forget the changes not saved yet")
        self.revert_button.clicked.connect(self.revert)
        self.save_state = QLabel()
        set_role(self.save_state, "subtle")
        self.save_state.setWordWrap(True)
        self.offer = QFrame()
        self.offer.setObjectName("offer")
        self.offer_text = QLabel()
        self.offer_text.setObjectName("offerText")
        self.offer_text.setWordWrap(True)
        self.offer_button = QPushButton()
        self.offer_button.clicked.connect(self._accept_offer)
        offer_layout = QHBoxLayout(self.offer)
        offer_layout.setContentsMargins(10, 6, 8, 6)
        offer_layout.addWidget(self.offer_text, 1)
        offer_layout.addWidget(self.offer_button)
        self.offer.hide()
        self.form = TargetForm()
        self.form.changed.connect(self._form_changed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_state, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(2, 2, 10, 8)
        detail_layout.setSpacing(8)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(self.detail_subtitle)
        detail_layout.addWidget(self.offer)
        detail_layout.addWidget(self.form)
        detail_layout.addLayout(buttons)
        detail_layout.addStretch(1)
        self.detail_scroll = QScrollArea()
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.detail_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail_scroll.setWidget(detail)
        # Room for the form at its narrowest (its long rows under their labels) and its
        # scroll bar; with the chart's least width it fits a window 1024 pixels wide.
        self.detail_scroll.setMinimumWidth(372)
        self.detail_scroll.viewport().setAutoFillBackground(False)
        detail.setAutoFillBackground(False)

        self.chart_host = ChartHost(QSize(296, 240))
        self.history_model = HistoryTableModel(self)
        self.history = read_only_table(self.history_model)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.history.setAccessibleName("Definition history")
        self.history.setWordWrap(True)
        history_header = self.history.horizontalHeader()
        history_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        history_header.setSectionResizeMode(HistoryTableModel.CHANGE,
                                            QHeaderView.ResizeMode.Stretch)
        self.history.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.history_empty = QLabel("No change to this target's definition yet.")
        set_role(self.history_empty, "placeholder")
        self.history_empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        history_page = QWidget()
        history_layout = QVBoxLayout(history_page)
        history_layout.setContentsMargins(0, 6, 0, 0)
        history_layout.addWidget(self.history_empty)
        history_layout.addWidget(self.history, 1)
        self.side = QTabWidget()
        self.side.addTab(self.chart_host, "SUD and VoC")
        self.side.addTab(history_page, "History")
        self.side.currentChanged.connect(lambda _i: self._draw_target_chart())

        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.detail_scroll)
        lower.addWidget(self.side)
        lower.setStretchFactor(0, 5)
        lower.setStretchFactor(1, 6)
        lower.setChildrenCollapsible(False)
        self.detail_split = lower
        self.registry = QSplitter(Qt.Orientation.Vertical)
        self.registry.addWidget(self.table)
        self.registry.addWidget(lower)
        self.registry.setStretchFactor(0, 2)
        self.registry.setStretchFactor(1, 5)
        self.registry.setChildrenCollapsible(False)
        self.table.setMinimumHeight(110)

        # -- the charts page -------------------------------------------------------------
        self.multiples_host = ChartHost(QSize(480, 320))
        self.multiples_scroll = QScrollArea()
        self.multiples_scroll.setWidgetResizable(True)
        self.multiples_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.multiples_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.multiples_scroll.setWidget(self.multiples_host)

        self.empty = QLabel()
        set_role(self.empty, "placeholder")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty.setMaximumWidth(640)
        self.pages = _Pages()
        self.pages.addWidget(self.registry)
        self.pages.addWidget(self.multiples_scroll)
        self.pages.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 10)
        layout.setSpacing(10)
        layout.addLayout(toolbar)
        layout.addWidget(self.pages, 1)

        self.status_filter.currentIndexChanged.connect(self._filters_changed)
        self.kind_filter.currentIndexChanged.connect(self._filters_changed)
        self.view_group.idClicked.connect(lambda _id: self._show_page())
        self._show_detail(None)
        self._update_buttons()

    # -- public ---------------------------------------------------------------------------

    def set_chart(self, chart: ClientChart, changes: Changes | None = None) -> None:
        """Show this client's targets. `changes` says what a write changed in the same
        client: nothing this tab shows, nothing redrawn."""
        same = self.chart is not None and self.chart.client.id == chart.client.id
        if same and changes is not None and not changes.touches(*SHOWS):
            self.chart = chart
            return
        if not same:
            self._reset_editing()
        self.chart = chart
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def clear(self) -> None:
        """Forget everything clinical this tab holds (on lock, or no client chosen)."""
        self._generation += 1
        self._chart_timer.stop()
        self.chart = None
        self._reset_editing()
        self._dirty = False
        self.model.clear()
        self.history_model.clear()
        if self.chart_host.view is not None:
            self.chart_host.view.clear()
        if self.multiples_host.view is not None:
            self.multiples_host.view.clear()
        self.form.fill(None, self.today())
        self.detail_title.clear()
        self.detail_subtitle.clear()
        self.offer.hide()
        self._update_buttons()

    def select_target(self, target_id: int) -> bool:
        """Show a target in the registry (clearing filters that hide it)."""
        self.registry_button.setChecked(True)
        self._show_page()
        row = self.model.row_of(target_id)
        if row is None:
            self._wanted = target_id  # selected when the chart that has it arrives
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.status_filter.setCurrentIndex(0)
            self.kind_filter.setCurrentIndex(0)
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    @property
    def current_target(self) -> TargetDTO | None:
        chart = self.chart
        if chart is None or self._editing is None:
            return None
        return next((t for t in chart.targets if t.id == self._editing), None)

    @property
    def target_figure(self) -> Any:
        view = self.chart_host.view
        return view.figure if view is not None else None

    @property
    def multiples_figure(self) -> Any:
        view = self.multiples_host.view
        return view.figure if view is not None else None

    def show_charts(self, on: bool = True) -> None:
        (self.charts_button if on else self.registry_button).setChecked(True)
        self._show_page()

    def new_target(self) -> None:
        """An empty form for a new target (saved with Add target)."""
        if self.chart is None or refused_read_only(self.runner, self, "New target") \
                or not self._leave_current():
            return
        self.registry_button.setChecked(True)
        self._show_page()
        self.table.selectionModel().clearSelection()
        self.table.selectionModel().setCurrentIndex(QModelIndex(),
                                                    QItemSelectionModel.SelectionFlag.Clear)
        self._show_detail(None, new=True)
        self.form.label.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- drawing ---------------------------------------------------------------------------

    def refresh(self) -> None:
        chart = self.chart
        if chart is None:
            return
        self._dirty = False
        keep = self._wanted or self._editing
        new_form = self._editing is None and self._form_dirty
        self.model.set_rows(target_rows(chart))
        for column in range(1, self.model.columnCount()):
            self.table.resizeColumnToContents(column)
        self._update_buttons()
        if not chart.targets:
            self.empty.setText(
                "No targets in this client's registry yet. Add one with New target… "
                "(Ctrl+Shift+T), or from an EMDR or ART note, where a target can be added "
                "as the session is written.")
        if keep is not None and self.model.row_of(keep) is not None:
            self._wanted = None
            self.select_target(keep)
            if keep == self._editing:
                self._show_detail(self.current_target, keep_edits=self._form_dirty)
        elif not new_form and self.proxy.rowCount():
            self.table.selectionModel().setCurrentIndex(
                self.proxy.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        elif not new_form:
            self._show_detail(None)
        self._show_page()
        self.targets_shown.emit(chart.client.id)

    def _show_page(self) -> None:
        chart = self.chart
        if chart is not None and not chart.targets and not (
                self._editing is None and self._form_dirty) and not self._new_form_open:
            self.pages.setCurrentWidget(self.empty)
            return
        if self.charts_button.isChecked():
            self.pages.setCurrentWidget(self.multiples_scroll)
            self._chart_timer.start()
        else:
            self.pages.setCurrentWidget(self.registry)

    @property
    def _new_form_open(self) -> bool:
        return self.chart is not None and self._editing is None and \
            self.detail_title.text() == "New target"

    def _visible_targets(self) -> list[TargetDTO]:
        rows = []
        for r in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(r, 0))
            rows.append(self.model.row_at(source.row()).target)
        return rows

    def _draw_charts_now(self) -> None:
        if self.charts_button.isChecked():
            self._draw_multiples()
        else:
            self._draw_target_chart_now()

    def _draw_multiples(self) -> None:
        chart = self.chart
        if chart is None:
            return
        shown = self._visible_targets()
        view = self.multiples_host.ensure_view()
        if not shown:
            view.set_builder(None, "No target matches these filters.")
            return
        from reports.targets import build_target_small_multiples, needed_height

        dosing = dosing_markers(chart.courses)

        def build(width: float, height: float, dpi: float) -> Any:
            # Many targets in a narrow window: taller than the view, and the page scrolls.
            tall = max(height, needed_height(len(shown), width))
            return build_target_small_multiples(shown, dosing, width=width, height=tall,
                                                dpi=dpi)

        view.set_builder(build)

    def _draw_target_chart(self) -> None:
        """Draw the chosen target's chart a moment after the details (CHART_DELAY_MS)."""
        self._chart_timer.start()

    def _draw_target_chart_now(self) -> None:
        chart, target = self.chart, self.current_target
        if chart is None or self.side.currentWidget() is not self.chart_host:
            return
        view = self.chart_host.ensure_view()
        if target is None:
            view.set_builder(None, "Choose a target to see its SUD and VoC.")
            return
        from reports.targets import build_target_chart

        dosing = dosing_markers(chart.courses)

        def build(width: float, height: float, dpi: float) -> Any:
            # The label and figures are in the pane beside it: the plot takes the room.
            return build_target_chart(target, dosing, width=width, height=height, dpi=dpi,
                                      titles=False)

        view.set_builder(build)
        self.chart_drawn.emit()

    def _show_detail(self, target: TargetDTO | None, *, new: bool = False,
                     keep_edits: bool = False) -> None:
        chart = self.chart
        self._editing = target.id if target is not None else None
        changed_elsewhere = keep_edits and target is not None \
            and self._filled_from is not None and target != self._filled_from
        if not keep_edits:
            self._form_dirty = False
            self.form.fill(target, self.today())
            self._filled_from = target
        parts = chart.parts if chart is not None else ()
        if not keep_edits:
            self.form.set_parts(parts, target.part_id if target else None)
        self.form.setEnabled(target is not None or new)
        self.form.set_read_only(self.runner.read_only)
        if target is None:
            self.detail_title.setText("New target" if new else "")
            self.detail_subtitle.setText(
                "Fill in what is known; the rest can follow from the notes." if new else
                "Choose a target in the table.")
            self.offer.hide()
            self.history_model.clear()
        else:
            self.detail_title.setText(target.label)
            summary = summarise_target(target)
            sessions = summary.sessions_worked
            self.detail_subtitle.setText(
                f"{TARGET_KINDS.label(target.kind)} · {TARGET_PRONGS.label(target.prong)} · "
                f"{sessions} session{'s' if sessions != 1 else ''} worked")
            offer = status_offer(target)
            self.offer.setVisible(offer is not None)
            if offer is not None:
                verb = TARGET_STATUSES.label(offer.status)
                self.offer_text.setText(f"{offer.reason} Mark the target "
                                        f"{verb.lower()}?")
                self.offer_button.setText(f"Mark {verb.lower()}")
            notes = {n.id: n for n in chart.notes} if chart is not None else {}
            names = {p.id: p.name for p in parts}
            self.history_model.set_history(target.history, names, notes)
        count = self.history_model.rowCount()
        self.side.setTabText(1, f"History ({count})" if count else "History")
        self.history_empty.setVisible(count == 0)
        self.history.setVisible(count > 0)
        self.save_button.setText("Add target" if new else "Save changes")
        self.save_state.setText(
            "This target was changed elsewhere (a signed note, or another window) while "
            "you were editing. Saving keeps what this form shows; Revert shows the "
            "saved target." if changed_elsewhere else
            "Changes not saved yet (Ctrl+S saves)" if keep_edits and self._form_dirty
            else "")
        self._update_buttons()
        self._draw_target_chart()

    def _update_buttons(self) -> None:
        has_client = self.chart is not None
        self.new_button.setEnabled(has_client)
        self.new_action.setEnabled(has_client)
        editing = self._editing is not None or self._new_form_open
        self.save_button.setEnabled(editing and self._form_dirty and not self._saving)
        self.revert_button.setEnabled(editing and self._form_dirty and not self._saving)
        for button in (self.save_button, self.revert_button):
            button.setVisible(not self.runner.read_only)

    # -- reacting -------------------------------------------------------------------------

    def _filters_changed(self) -> None:
        self.proxy.set_filters(self.status_filter.currentData(), self.kind_filter.currentData())
        if self.charts_button.isChecked():
            self._chart_timer.start()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        target_id = current.data(ID_ROLE)
        if target_id == self._editing:
            return
        if not self._leave_current(then_select=target_id):
            return
        chart = self.chart
        target = next((t for t in chart.targets if t.id == target_id), None) if chart else None
        self._show_detail(target)

    def _leave_current(self, then_select: int | None = None) -> bool:
        """Before the form shows another target: save what was typed. Edits with
        problems are not lost: the form stays on them, saying what to fix."""
        if not self._form_dirty:
            return True
        if self.form.check():
            self._reselect_editing()
            self.save_state.setText("This target's changes have problems: fix what is "
                                    "marked, or Revert, before choosing another.")
            return False
        self.save()
        return True

    def _reselect_editing(self) -> None:
        if self._editing is None:
            self.table.selectionModel().clearSelection()
            return
        row = self.model.row_of(self._editing)
        if row is not None:
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            self.table.selectionModel().blockSignals(True)
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.table.selectionModel().blockSignals(False)

    def _form_changed(self) -> None:
        self._form_dirty = True
        self.save_state.setText("Changes not saved yet (Ctrl+S saves)")
        self._update_buttons()

    def revert(self) -> None:
        self._form_dirty = False
        self._show_detail(self.current_target, new=self._new_form_open)

    def save(self) -> None:
        """Add the new target or save the changes; every changed field goes into its
        history, by hand."""
        chart = self.chart
        if chart is None or not self._form_dirty or self._saving:
            return
        if self.form.check():
            self.save_state.setText("Not saved: fix what is marked first.")
            return
        data = self.form.value()
        actor = self.actor()
        target_id = self._editing
        client_id = chart.client.id
        self._saving = True
        self._update_buttons()
        generation = self._generation

        def done(result: Done[TargetDTO]) -> None:
            if generation != self._generation:
                return
            self._saving = False
            if self._editing == target_id:
                self._form_dirty = False
            self._wanted = result.value.id if target_id is None else None
            if target_id is None:
                self._editing = result.value.id
            self.save_state.setText("Saved.")
            self._update_buttons()
            self.target_saved.emit(result.value.id)

        def failed(exc: Exception) -> None:
            if generation != self._generation:
                return
            self._saving = False
            self._update_buttons()
            if isinstance(exc, ValidationError):
                self.form.show_problems(exc.problems)
                self.save_state.setText("Not saved: fix what is marked first.")
            elif (problems := refusal(exc)) is not None:
                self.save_state.setText(f"Not saved: {' '.join(problems.values())}")

        if target_id is None:
            self.runner.submit(lambda b: b.targets.create(client_id, data, actor_id=actor),
                               done, failed, owner=self)
        else:
            self.runner.submit(lambda b: b.targets.update(target_id, data, actor_id=actor),
                               done, failed, owner=self)

    def _accept_offer(self) -> None:
        target = self.current_target
        offer = status_offer(target) if target is not None else None
        if target is None or offer is None or refused_read_only(
                self.runner, self, f"Mark {TARGET_STATUSES.label(offer.status).lower()}"):
            return
        self.set_status(target.id, offer.status)

    def set_status(self, target_id: int, status: str) -> None:
        """Move a target to a status now (kept in its history, by hand)."""
        actor = self.actor()
        generation = self._generation

        def done(result: Done[TargetDTO]) -> None:
            if generation == self._generation:
                self.save_state.setText(
                    f"Marked {TARGET_STATUSES.label(result.value.status).lower()}.")
                self.target_saved.emit(result.value.id)

        def failed(exc: Exception) -> None:
            if is_refusal(exc):
                self.save_state.setText(f"Not changed: {exc}")
            else:
                report_unexpected(exc)

        self.runner.submit(lambda b: b.targets.set_status(target_id, status, actor_id=actor),
                           done, failed, owner=self)

    def _reset_editing(self) -> None:
        self._editing = None
        self._filled_from = None
        self._form_dirty = False
        self._saving = False
        self._wanted = None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty and self.chart is not None:
            self.refresh()

