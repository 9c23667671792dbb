"""The Measures tab's pages: one instrument's trend and table, CADSS per dose and its table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QMenu,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.clinical.doses import DoseRef
from models.clinical.measures import (
    BASELINE_RULE,
    InstrumentSeries,
    ScoredAdministration,
    change_lines,
    change_sentence,
    safety_text,
)
from models.clinical.safety import SafetyFollowUp
from models.formatting import date_text
from models.instruments.change import ChangeLabel, ChangeSummary
from models.instruments.definitions import Instrument
from models.instruments.series import OverlaySeries
from reports.palette import DETERIORATED, IMPROVED
from ui.common.chart_host import ChartHost
from ui.common.style import wrapped_tip
from ui.common.table_model import SortProxy, read_only_table
from ui.common.tables import show_full_text_tips
from ui.measures.item_models import AdministrationTableModel, DissociationTableModel

if TYPE_CHECKING:
    pass

WIDE = 1250  # at this width and more the table sits beside the chart, not under it
TABLE_MIN_HEIGHT = 108  # a header and three rows


def _sortable_table(model: QAbstractTableModel, sort_column: int,
                    order: Qt.SortOrder) -> QTableView:
    """A read-only table view of `model`, sorted through a SortProxy, one row selected."""
    proxy = SortProxy(model)
    proxy.setSourceModel(model)
    view = read_only_table(proxy)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setSortingEnabled(True)
    view.sortByColumn(sort_column, order)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # The last column (flags) takes what is left and elides; its tooltip has the rest.
    header.setSectionResizeMode(model.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
    show_full_text_tips(view)
    return view


class ChangeSummaryCard(QFrame):
    """The change summary: the outcome labels in bold, then baseline, latest and change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("changeCard")
        self.outcome = QLabel()
        self.outcome.setObjectName("changeOutcome")
        self.outcome.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setObjectName("changeDetail")
        self.detail.setWordWrap(True)
        for label in (self.outcome, self.detail):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 7, 14, 8)
        layout.setSpacing(2)
        layout.addWidget(self.outcome)
        layout.addWidget(self.detail)

    def set_summary(self, instrument: Instrument, summary: ChangeSummary) -> None:
        outcome, detail = change_lines(instrument, summary)
        colour = {ChangeLabel.RELIABLE_IMPROVEMENT: IMPROVED,
                  ChangeLabel.RELIABLE_DETERIORATION: DETERIORATED}.get(summary.label)
        self.outcome.setStyleSheet(f"color: {colour};" if colour else "")
        self.outcome.setText(outcome)
        self.detail.setText(detail)
        self.detail.setToolTip(wrapped_tip(BASELINE_RULE + "."))
        self.setAccessibleName("Change summary")
        self.setAccessibleDescription(change_sentence(instrument, summary))

    def text(self) -> str:
        return f"{self.outcome.text()}\n{self.detail.text()}"


# Shared with the other screens' charts (ui.common.chart_host).
_ChartHost = ChartHost


class _ChartTablePage(QWidget):
    """A chart above its table, or beside it once the page is wide enough."""

    WIDE_FROM = WIDE
    TABLE_SHARE, TABLE_MIN = 0.42, 460

    def _place(self, chart: QWidget, table: QWidget) -> QVBoxLayout:
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(chart)
        self.splitter.addWidget(table)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.splitter, 1)
        self._wide: bool | None = None
        return layout

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        wide = self.width() >= self.WIDE_FROM
        if wide == self._wide:
            return
        self._wide = wide
        if wide:
            self.splitter.setOrientation(Qt.Orientation.Horizontal)
            table = max(self.TABLE_MIN, int(self.width() * self.TABLE_SHARE))
            self.splitter.setSizes([self.width() - table, table])
        else:
            # The table starts at its minimum (about three rows) so the chart gets the
            # height; the handle between them moves if the therapist wants more rows.
            self.splitter.setOrientation(Qt.Orientation.Vertical)
            self.splitter.setSizes([1_000_000, 1])


class TrendPage(_ChartTablePage):
    """One instrument: change summary, safety flags, overlays, the chart and the table."""

    overlays_changed = Signal()
    error_requested = Signal(int)  # administration id to mark entered in error

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.overlay_menu = QMenu(self)
        self.overlay_button = QToolButton()
        self.overlay_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.overlay_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.overlay_button.setMenu(self.overlay_menu)
        self.overlay_button.setToolTip("Lay IFS Self-energy or a target's SUD over this chart, "
                                       "on a right-hand 0–10 axis")
        self.overlay_actions: dict[str, QAction] = {}
        self.card = ChangeSummaryCard()
        self.safety = QLabel()
        self.safety.setObjectName("safetyBanner")
        self.safety.setWordWrap(True)
        self.safety.hide()
        self.chart = _ChartHost(QSize(460, 300))
        self.model = AdministrationTableModel(self)
        self.table = _sortable_table(self.model, AdministrationTableModel.DATE,
                                     Qt.SortOrder.DescendingOrder)
        self.table.setMinimumHeight(TABLE_MIN_HEIGHT)
        self.table.setAccessibleName("Administrations")
        self.error_action = QAction("Mark as entered in error…", self.table)
        self.error_action.setStatusTip("Keep the entry for the record but leave it out of "
                                       "scores, charts and the change summary")
        self.error_action.triggered.connect(lambda _c=False: self._request_error())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addAction(self.error_action)
        layout = self._place(self.chart, self.table)
        layout.insertWidget(0, self.card)
        layout.insertWidget(1, self.safety)
        self.set_overlays([], set())

    @property
    def proxy(self) -> QSortFilterProxyModel:
        model = self.table.model()
        assert isinstance(model, QSortFilterProxyModel)
        return model

    def current_administration(self) -> ScoredAdministration | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        row = self.proxy.mapToSource(index).row()
        scored: ScoredAdministration = self.model.row_at(row)
        return scored

    def _request_error(self) -> None:
        scored = self.current_administration()
        if scored is not None and not scored.administration.entered_in_error:
            self.error_requested.emit(scored.administration.id)

    def show_series(self, series: InstrumentSeries, doses: Mapping[int, DoseRef],
                    followups: Sequence[SafetyFollowUp] = ()) -> None:
        instrument = series.instrument
        self.card.set_summary(instrument, series.summary)
        flagged = [a for a in series.charted if a.score.has_safety_flag]
        status = {f.administration_id: f.status for f in followups}
        if flagged:
            flagged.sort(key=lambda a: (a.administration.administered_on, a.administration.id),
                         reverse=True)
            first = flagged[0].score.safety_flags[0]
            shown = [f"{safety_text(a.score)} on {date_text(a.administration.administered_on)}"
                     + (f" ({status[a.administration.id]})"
                        if a.administration.id in status else "")
                     for a in flagged[:4]]
            more = len(flagged) - len(shown)
            text = (f"⚠ Safety item positive ({first.label.lower()}): " + "; ".join(shown)
                    + (f"; and {more} earlier" if more > 0 else "") + ".")
            self.safety.setText(text)
        self.safety.setVisible(bool(flagged))
        self.model.set_rows(series.administrations, doses)
        linked = any(a.administration.dosing_session_id for a in series.administrations)
        self.table.setColumnHidden(AdministrationTableModel.DOSE, not linked)

    def set_overlays(self, overlays: Sequence[OverlaySeries], checked: set[str]) -> None:
        """Offer each overlay (IFS Self-energy, a target's SUD) as a checkable menu entry."""
        self.overlay_menu.clear()
        self.overlay_actions = {}
        for series in overlays:
            action = QAction(f"{series.label}  ({series.min_value:g}–{series.max_value:g})",
                             self.overlay_menu)
            action.setCheckable(True)
            action.setChecked(series.label in checked)
            action.toggled.connect(self._overlay_toggled)
            self.overlay_menu.addAction(action)
            self.overlay_actions[series.label] = action
        self.overlay_button.setEnabled(bool(overlays))
        self._update_overlay_button()

    def _overlay_toggled(self) -> None:
        self._update_overlay_button()
        self.overlays_changed.emit()

    def _update_overlay_button(self) -> None:
        on = len(self.checked_overlays())
        if not self.overlay_actions:
            self.overlay_button.setText("No overlays")
            self.overlay_button.setToolTip(wrapped_tip(
                "Self-energy ratings from signed IFS notes and SUD from EMDR/ART notes can be "
                "laid over this chart"))
            return
        self.overlay_button.setText(f"Overlays: {on} of {len(self.overlay_actions)}  ")

    def checked_overlays(self) -> set[str]:
        return {label for label, action in self.overlay_actions.items() if action.isChecked()}

    def clear(self) -> None:
        self.model.set_rows([], {})
        self.set_overlays([], set())
        self.chart.set_footnote("")
        if self.chart.view is not None:
            self.chart.view.clear()



class DissociationPage(_ChartTablePage):
    """CADSS per dosing session: bars by dose, not a weekly trend, and the table."""

    WIDE_FROM = WIDE - 250
    TABLE_SHARE, TABLE_MIN = 0.32, 380

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = _ChartHost(QSize(420, 300))
        self.model = DissociationTableModel(self)
        self.table = _sortable_table(self.model, DissociationTableModel.DOSE,
                                     Qt.SortOrder.AscendingOrder)
        self.table.setMinimumHeight(TABLE_MIN_HEIGHT)
        self.table.setAccessibleName("Dissociation per dose")
        self._place(self.chart, self.table)

    def clear(self) -> None:
        self.model.set_rows([])
        if self.chart.view is not None:
            self.chart.view.clear()
