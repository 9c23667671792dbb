"""The Measures tab: each instrument's administrations, change summary and trend chart.

Scores, bands and change labels come from the measures service (derived, never stored);
this tab shows them. matplotlib is imported the first time a chart is drawn, which is the
first time the tab is shown, so it costs nothing at start-up.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from models.api import Changes, Done, Kind
from models.clinical.doses import dose_refs
from models.clinical.measures import MeasuresView, ScoredAdministration, build_measures_view
from models.clinical.safety import safety_followups
from models.dto import AdministrationDTO, ClientChart
from models.instruments.definitions import Charting, Instrument
from reports import palette
from reports.palette import SAFETY, SAFETY_BG
from ui.common.busy import DelayedBusy
from ui.common.dialogs import close_now
from ui.measures.chart_pages import DissociationPage, TrendPage
from ui.measures.custom_dialog import CustomMeasureDialog
from ui.measures.entry_dialog import MeasureEntryDialog
from ui.measures.item_models import (
    DISSOCIATION_KEY,
    KEY_ROLE,
    InstrumentListModel,
    instrument_entries,
)
from ui.shell.tasks import TaskRunner, VaultLockedError, refused_read_only, report_unexpected

_TAB_STYLE = f"""
QListView#instrumentChooser {{
    background: transparent;
    border: none;
}}
QListView#instrumentChooser::item {{
    border: 1px solid {palette.LINE};
    border-radius: 11px;
    padding: 4px 10px;
    margin: 2px 5px 2px 0px;
    background: {palette.SURFACE};
    color: {palette.INK};
}}
QListView#instrumentChooser::item:hover {{
    border-color: {palette.ACCENT};
}}
QListView#instrumentChooser::item:selected {{
    background: {palette.ACCENT};
    border-color: {palette.ACCENT};
    color: white;
}}
QFrame#changeCard {{
    background: {palette.SURFACE};
    border: 1px solid {palette.LINE};
    border-radius: 6px;
}}
QLabel#changeOutcome {{
    color: {palette.INK};
    font-weight: 600;
    font-size: 11pt;
}}
QLabel#changeDetail {{
    color: {palette.INK};
}}
QLabel#safetyBanner {{
    color: {SAFETY};
    background: {SAFETY_BG};
    border: 1px solid {SAFETY};
    border-radius: 4px;
    padding: 5px 10px;
    font-weight: 600;
}}
"""


class InstrumentChooser(QListView):
    """The client's measures as a row of pills that wraps onto more rows when narrow,
    so no measure is ever scrolled out of sight and the tab never forces its width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("instrumentChooser")
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(160)
        self.setViewportMargins(0, 2, 0, 2)  # centred on the buttons beside it
        self.setAccessibleName("Measures")
        self.setFixedHeight(self._row_height())

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 22

    def fit(self) -> None:
        """Take the height the entries need at the current width."""
        model = self.model()
        rows = model.rowCount() if model is not None else 0
        if not rows:
            self.setFixedHeight(self._row_height())
            return
        self.doItemsLayout()
        bottom = max(self.visualRect(model.index(row, 0)).bottom() for row in range(rows))
        frame = 2 * self.frameWidth()
        self.setFixedHeight(max(self._row_height(), bottom + 1 + frame + 4))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()


class _Pages(QStackedWidget):
    """The pages, sized to the scroll area's viewport (or their minimum), never to the
    taller height-for-width their wrapped labels would ask for.

    The minimum is the current page's at its present width, wrapped labels included:
    otherwise a summary that wraps onto a third line takes its height from the chart,
    and the chart's last line (the rules and their sources) is cut by the table."""

    def hasHeightForWidth(self) -> bool:
        return False

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        page = self.currentWidget()
        layout = page.layout() if page is not None else None
        if layout is not None and layout.hasHeightForWidth() and self.width() > 0:
            hint.setHeight(max(hint.height(), layout.totalMinimumHeightForWidth(self.width())))
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()  # the wrapped labels' minimum changes with the width


# What a write must touch for this tab to draw again.
SHOWS = (Kind.MEASURES, Kind.CARE, Kind.TARGETS, Kind.NOTES, Kind.PRACTICE)
# How many times the layout is settled before a chart is drawn: each pass may ask for
# another (four settle every page seen), and a pass with nothing to do costs nothing.
_LAYOUT_PASSES = 6


def _measure_parts(chart: ClientChart) -> tuple[Any, ...]:
    """What the measures view is derived from; other changes need no rebuild."""
    return (chart.client.id, chart.administrations, chart.dosing_sessions, chart.self_energy,
            tuple((t.id, t.label, t.ratings) for t in chart.targets))


class MeasuresTab(QWidget):
    """Instrument chooser, then per instrument its change summary, trend chart and table.

    `runner` is the TaskRunner; `actor` returns the signed-in clinician's id.
    """

    measures_shown = Signal(int)  # the tab shows this client's measures (client id)
    administration_recorded = Signal(int)  # a measure was saved for this client (client id)
    instrument_created = Signal(object)  # a custom Instrument was defined

    def __init__(
        self,
        runner: TaskRunner,
        *,
        actor: Callable[[], int | None] = lambda: None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.actor = actor
        self.chart: ClientChart | None = None
        self.view: MeasuresView | None = None
        self.known: dict[str, Instrument] | None = None
        self._dirty = False
        self._loading_known = False
        self._after_known: list[Callable[[], None]] = []
        self._generation = 0  # bumped by clear(): results asked for before it are dropped
        self._selected: str | None = None
        self._overlays_on: set[str] = set()
        self._dialogs: list[QDialog] = []
        self.setStyleSheet(_TAB_STYLE)

        self.instrument_model = InstrumentListModel(self)
        self.chooser = InstrumentChooser()
        self.chooser.setModel(self.instrument_model)
        self.chooser.selectionModel().currentChanged.connect(self._chooser_moved)

        self.enter_action = QAction("&Enter measure…", self)
        self.enter_action.setShortcut(QKeySequence("Ctrl+M"))
        self.enter_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.enter_action.setStatusTip("Record a measure for this client, item by item")
        self.enter_action.triggered.connect(lambda _c=False: self.open_entry())
        self.addAction(self.enter_action)
        self.enter_button = QPushButton("Enter measure…")
        self.enter_button.setProperty("role", "primary")
        self.enter_button.setToolTip("Record a measure item by item (Ctrl+M)")
        self.enter_button.clicked.connect(lambda: self.open_entry())
        self.edit_custom_button = QPushButton("Edit measure…")
        self.edit_custom_button.setToolTip("Change this custom measure's name, range, "
                                           "direction or reliable change")
        self.edit_custom_button.clicked.connect(lambda: self.open_custom(editing=True))
        self.edit_custom_button.hide()
        self.custom_action = QAction("New &custom measure…", self)
        self.custom_action.setStatusTip("Define a single-number measure of your own")
        self.custom_action.triggered.connect(lambda _c=False: self.open_custom())

        self.empty = QLabel()
        self.empty.setProperty("role", "placeholder")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty.setMaximumWidth(620)
        empty_page = QWidget()
        empty_layout = QVBoxLayout(empty_page)
        empty_layout.setContentsMargins(4, 18, 4, 4)
        empty_layout.addWidget(self.empty)
        empty_layout.addStretch(1)
        # Waiting for the instruments (the first view after unlock): said past a moment.
        self.loading = QLabel("Loading the measures…")
        self.loading.setProperty("role", "subtle")
        self.busy = DelayedBusy(self.loading)
        self.trend = TrendPage()
        self.trend.overlays_changed.connect(self._overlays_toggled)
        self.trend.error_requested.connect(self.mark_entered_in_error)
        self.dissociation = DissociationPage()
        self.stack = _Pages()
        self.stack.addWidget(empty_page)
        self.stack.addWidget(self.trend)
        self.stack.addWidget(self.dissociation)
        self.stack.currentChanged.connect(self._page_changed)
        # On a small screen the page scrolls rather than squeezing the chart.
        self.page_scroll = QScrollArea()
        self.page_scroll.setWidgetResizable(True)
        self.page_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.page_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget()  # its layout asks no height-for-width of the scroll area
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(self.stack)
        self.page_scroll.setWidget(holder)
        self.page_scroll.viewport().setAutoFillBackground(False)
        holder.setAutoFillBackground(False)

        toolbar = QHBoxLayout()
        toolbar.setSpacing(8)
        toolbar.addWidget(self.chooser, 1)
        toolbar.addWidget(self.loading)
        toolbar.addWidget(self.trend.overlay_button)
        toolbar.addWidget(self.edit_custom_button)
        toolbar.addWidget(self.enter_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 10)
        layout.setSpacing(10)
        layout.addLayout(toolbar)
        layout.addWidget(self.page_scroll, 1)
        self._set_empty("")
        self._page_changed(self.stack.currentIndex())
        self._update_buttons()

    # -- public ---------------------------------------------------------------------------

    def set_chart(self, chart: ClientChart, changes: Changes | None = None) -> None:
        """Show this client's measures (drawn when the tab is visible). `changes` says
        what a write changed in the same client's chart: nothing measured, nothing drawn."""
        same_client = self.chart is not None and self.chart.client.id == chart.client.id
        unchanged = same_client and self.view is not None and (
            (changes is not None and not changes.touches(*SHOWS))
            or _measure_parts(self.chart) == _measure_parts(chart))  # type: ignore[arg-type]
        if self.chart is not None and not same_client:
            self._selected = None
            self._overlays_on = set()
        self.chart = chart
        self._update_buttons()
        if unchanged:
            return
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def clear(self) -> None:
        """Forget everything clinical this tab holds (on lock, or no client chosen)."""
        for dialog in list(self._dialogs):
            close_now(dialog)  # the answers given are not asked about: the lock
        self._dialogs.clear()
        self.chart = None
        self.view = None
        self.known = None
        self._after_known.clear()
        self._loading_known = False
        self.busy.stop()
        self._generation += 1
        self._dirty = False
        self._selected = None
        self._overlays_on = set()
        self.instrument_model.set_entries([])
        self.trend.clear()
        self.dissociation.clear()
        self._set_empty("")
        self._update_buttons()

    def select_instrument(self, key: str) -> bool:
        """Show an instrument (an id, or DISSOCIATION_KEY); False if the client has none."""
        row = self.instrument_model.row_of(key)
        if row is None:
            return False
        index = self.instrument_model.index(row, 0)
        if self.chooser.currentIndex() == index:
            self._show(key)  # already current: no signal, so draw it here
        else:
            self.chooser.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)  # -> _show
        return True

    @property
    def selected_instrument(self) -> str | None:
        return self._selected

    @property
    def trend_figure(self) -> Any:
        """The trend chart's matplotlib Figure on screen, or None."""
        view = self.trend.chart.view
        return view.figure if view is not None else None

    @property
    def dissociation_figure(self) -> Any:
        view = self.dissociation.chart.view
        return view.figure if view is not None else None

    def open_entry(self, instrument_id: str | None = None) -> MeasureEntryDialog | None:
        """The entry dialog for the current client (opens after the instruments load)."""
        chart = self.chart
        if chart is None or refused_read_only(self.runner, self, "Enter measure"):
            return None
        if self.known is None:
            def later() -> None:
                self.open_entry(instrument_id)

            self._with_known(later)
            return None
        chosen = instrument_id or self._selected
        if chosen == DISSOCIATION_KEY:
            chosen = "cadss"
        dialog = MeasureEntryDialog(self.runner, chart, self.known,
                                    actor_id=self.actor(), instrument_id=chosen, parent=self)
        dialog.recorded.connect(self._recorded)
        dialog.instrument_created.connect(self._custom_created)
        self._open(dialog)
        return dialog

    def open_custom(self, *, editing: bool = False) -> CustomMeasureDialog | None:
        """Define a custom measure (the entry dialog offers this too); `editing`, change
        the custom measure shown."""
        instrument = self._shown_custom() if editing else None
        if editing and instrument is None:
            return None
        if refused_read_only(self.runner, self, "Edit custom measure" if editing
                             else "New custom measure"):
            return None
        dialog = CustomMeasureDialog(self.runner, actor_id=self.actor(), editing=instrument,
                                     parent=self)
        dialog.created.connect(self._custom_changed if editing else self._custom_created)
        self._open(dialog)
        return dialog

    # -- loading and drawing --------------------------------------------------------------

    def refresh(self) -> None:
        """Derive the view from the chart and draw it."""
        if self.chart is None:
            return
        if self.known is None:
            self._with_known(self.refresh)
            return
        self._dirty = False
        self.view = build_measures_view(self.chart, self.known)
        entries = instrument_entries(self.view)
        self.instrument_model.set_entries(entries)
        self.chooser.fit()
        if not entries:
            self._set_empty("No measures have been recorded for this client yet. Use Enter "
                            "measure… (Ctrl+M) to record a PHQ-9, GAD-7, PCL-5 or CADSS item "
                            "by item.")
            self.measures_shown.emit(self.chart.client.id)
            return
        keys = [e.key for e in entries]
        self.select_instrument(self._selected if self._selected in keys else keys[0])
        self.measures_shown.emit(self.chart.client.id)

    def _with_known(self, then: Callable[[], None]) -> None:
        self._after_known.append(then)
        if self._loading_known:
            return
        self._loading_known = True
        self.busy.start()
        generation = self._generation
        self.runner.submit(lambda b: b.measures.instruments(),
                           lambda known: self._known_arrived(known, generation),
                           lambda exc: self._known_failed(exc, generation), owner=self)

    def _known_arrived(self, known: dict[str, Instrument], generation: int) -> None:
        if generation != self._generation:
            return  # asked for before clear(): another vault, or none
        self._loading_known = False
        self.busy.stop()
        self.known = known
        waiting, self._after_known = self._after_known, []
        for then in waiting:
            then()

    def _known_failed(self, exc: Exception, generation: int) -> None:
        if generation != self._generation:
            return
        self._loading_known = False
        self.busy.stop()
        self._after_known.clear()
        if isinstance(exc, VaultLockedError):
            return
        report_unexpected(exc)

    def _chooser_moved(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        self._show(self.instrument_model.data(current, KEY_ROLE))

    def _show(self, key: str) -> None:
        self._selected = key
        view, chart = self.view, self.chart
        if view is None or chart is None:
            return
        if key == DISSOCIATION_KEY:
            self._show_dissociation(view)
            return
        series = next((s for s in view.series if s.instrument.id == key), None)
        if series is None:
            return
        # Scored with the bundled instruments: only they have safety items.
        self.trend.show_series(series, dose_refs(chart.courses), safety_followups(chart))
        self.trend.set_overlays(view.overlays, self._overlays_on)
        self.stack.setCurrentWidget(self.trend)
        self._update_edit_custom()
        self._draw_trend()

    def _draw_trend(self) -> None:
        view, key = self.view, self._selected
        series = next((s for s in view.series if s.instrument.id == key), None) \
            if view is not None else None
        if view is None or series is None:
            return
        from reports.charts import build_trend_chart, trend_footnote

        overlays = tuple(o for o in view.overlays if o.label in self._overlays_on)
        instrument, points, dosing = series.instrument, tuple(series.points), tuple(view.dosing)
        baseline = series.baseline
        self.trend.chart.set_footnote(trend_footnote(instrument, points))
        chart_view = self.trend.chart.ensure_view()
        # The summary, the safety line and the footnote take their new heights now, and
        # the page's scroll bar comes or goes with them, so the chart is drawn once at
        # its final size, not again when the layout catches up. A pass lays out what was
        # asked before it, and the scroll bar and the wrapped labels ask again: with one
        # pass, one switch in three drew the chart at a height the layout then left (a
        # second draw, and a rebuild after the resize pause).
        for _ in range(_LAYOUT_PASSES):
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

        def build(width: float, height: float, dpi: float) -> Any:
            # Into the figure on screen: its axes and ticks are kept (reports.charts).
            return build_trend_chart(instrument, points, dosing, overlays, width=width,
                                     height=height, dpi=dpi, baseline_index=baseline,
                                     header=False, footnote=False, into=chart_view.figure)

        chart_view.set_builder(build)

    def _show_dissociation(self, view: MeasuresView) -> None:
        from reports.charts import build_cadss_chart

        rows = tuple(sorted(view.dissociation, key=lambda d: (d.dose_number, d.label)))
        self.dissociation.model.set_rows(rows)
        self.stack.setCurrentWidget(self.dissociation)

        def build(width: float, height: float, dpi: float) -> Any:
            return build_cadss_chart(rows, width=width, height=height, dpi=dpi)

        self.dissociation.chart.ensure_view().set_builder(build)

    def _overlays_toggled(self) -> None:
        self._overlays_on = self.trend.checked_overlays()
        self._draw_trend()

    def _page_changed(self, index: int) -> None:
        self.trend.overlay_button.setVisible(self.stack.widget(index) is self.trend)
        self._update_edit_custom()

    def _update_edit_custom(self) -> None:
        """Edit measure… beside a custom measure's chart, and only there."""
        self.edit_custom_button.setVisible(self.stack.currentWidget() is self.trend
                                           and self._shown_custom() is not None)

    def _set_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.stack.setCurrentIndex(0)

    def _update_buttons(self) -> None:
        has_client = self.chart is not None
        self.enter_button.setEnabled(has_client)
        self.enter_action.setEnabled(has_client)

    # -- dialogs --------------------------------------------------------------------------

    def _open(self, dialog: QDialog) -> None:
        self._dialogs.append(dialog)
        dialog.finished.connect(lambda _r, d=dialog: self._forget(d))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _forget(self, dialog: QDialog) -> None:
        if dialog in self._dialogs:
            self._dialogs.remove(dialog)

    def _recorded(self, result: ScoredAdministration) -> None:
        chart = self.chart
        admin = result.administration
        if chart is None or chart.client.id != admin.client_id:
            return
        administrations = tuple(sorted((*chart.administrations, admin),
                                       key=lambda a: (a.administered_on, a.id)))
        per_dose = result.instrument.charting is Charting.PER_DOSE
        self._selected = DISSOCIATION_KEY if per_dose else result.instrument.id
        self.set_chart(dataclasses.replace(chart, administrations=administrations))
        self.administration_recorded.emit(admin.client_id)

    def mark_entered_in_error(self, administration_id: int, reason: str | None = None) -> None:
        """Ask why (unless given), then keep the entry but leave it out of every count."""
        if reason is None:
            if refused_read_only(self.runner, self, "Mark as entered in error"):
                return
            dialog = QInputDialog(self)
            dialog.setWindowTitle("Mark as entered in error")
            dialog.setLabelText("Why is this entry wrong? (kept with it, for the record)")
            dialog.setTextValue("")
            self._dialogs.append(dialog)
            dialog.finished.connect(lambda _r: self._forget(dialog))
            dialog.textValueSelected.connect(
                lambda text: self.mark_entered_in_error(administration_id, text))
            dialog.open()
            return
        if not reason.strip() or self.chart is None:
            return
        actor = self.actor()
        client_id = self.chart.client.id

        def done(result: Done[AdministrationDTO]) -> None:
            updated = result.value
            chart = self.chart
            if chart is None or chart.client.id != client_id:
                return
            administrations = tuple(updated if a.id == updated.id else a
                                    for a in chart.administrations)
            self.set_chart(dataclasses.replace(chart, administrations=administrations))
            self.administration_recorded.emit(client_id)

        self.runner.submit(
            lambda b: b.measures.mark_entered_in_error(administration_id, reason, actor_id=actor),
            done, report_unexpected, owner=self)

    def _shown_custom(self) -> Instrument | None:
        """The custom measure whose chart is shown, if one is."""
        known, key = self.known, self._selected
        instrument = known.get(key) if known is not None and key is not None else None
        return instrument if instrument is not None and instrument.custom else None

    def _custom_changed(self, instrument: Instrument) -> None:
        """A custom measure changed: drawn again with its new name, range or direction."""
        if self.known is not None:
            self.known[instrument.id] = instrument
        if self.chart is not None:
            self.refresh()

    def _custom_created(self, instrument: Instrument) -> None:
        if self.known is not None:
            self.known[instrument.id] = instrument
        self.instrument_created.emit(instrument)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty and self.chart is not None:
            self.refresh()
