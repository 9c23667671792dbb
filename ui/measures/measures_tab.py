"""The Measures tab: each instrument's administrations, change summary and trend chart.

Scores, bands and change labels come from the measures service (derived, never stored);
this tab shows them. matplotlib is imported the first time a chart is drawn, which is the
first time the tab is shown, so it costs nothing at start-up.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.dto import AdministrationDTO, ClientChart
from models.formatting import date_text
from models.instruments import (
    ChangeLabel,
    ChangeSummary,
    Charting,
    DoseDissociation,
    Instrument,
    OverlaySeries,
)
from ui.common import style
from ui.common.signals import emit
from ui.common.table_model import RowsTableModel
from ui.measures.entry_dialog import (
    SAFETY,
    SAFETY_BG,
    CustomMeasureDialog,
    MeasureEntryDialog,
    MeasuresServices,
    MeasuresViewLike,
    ScoredLike,
    SeriesLike,
    Submitter,
    dose_numbers,
    flags_text,
    safety_text,
    score_text,
)
from ui.shell.tasks import Changed, VaultLockedError, report_unexpected

if TYPE_CHECKING:
    from ui.common.chart_canvas import FigureView

AnyIndex = QModelIndex | QPersistentModelIndex

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2
SAFETY_ROLE = Qt.ItemDataRole.UserRole + 3

DISSOCIATION_KEY = "dissociation"  # the list entry for CADSS / CADSS-6 per dosing session
WIDE = 1250  # at this width and more the table sits beside the chart, not under it
TABLE_MIN_HEIGHT = 108  # a header and three rows
IMPROVED = "#0072B2"
DETERIORATED = "#D55E00"


# --------------------------------------------------------------------------------------
# Words for the change summary
# --------------------------------------------------------------------------------------


def _signed(change: int) -> str:
    if change == 0:
        return "0 points"
    sign = "−" if change < 0 else "+"
    return f"{sign}{abs(change)} point{'s' if abs(change) != 1 else ''}"


def change_label_text(summary: ChangeSummary) -> str:
    if summary.label is ChangeLabel.NOT_ENOUGH_DATA:
        return "Needs a later complete administration"
    if summary.label is ChangeLabel.NO_RULE:
        return "No reliable-change rule for this measure"
    return summary.label.value.capitalize()


def change_lines(instrument: Instrument, summary: ChangeSummary) -> tuple[str, str]:
    """The change summary in two lines of plain words: the outcome labels first, then
    baseline, latest and change with the rules they were judged by."""
    base, latest = summary.baseline, summary.latest
    if base is None:
        return ("No complete administration yet",
                "A total with a missing item is kept but not charted or compared.")
    if latest is None or summary.change is None:
        return ("Baseline only: change needs a later complete administration",
                f"Baseline {base.total} ({date_text(base.when)}).")
    outcome = [change_label_text(summary)]
    if summary.clinically_meaningful is not None:
        outcome.append("Clinically meaningful change" if summary.clinically_meaningful
                       else "Not a clinically meaningful change")
    if summary.response is not None:
        outcome.append("Response" if summary.response else "No response")
    if summary.remission is not None:
        outcome.append("Remission" if summary.remission else "Not in remission")
    rules = []
    if instrument.reliable_change is not None:
        rules.append(f"reliable change is {instrument.reliable_change.points:.3g} or more points")
    if instrument.clinically_meaningful is not None:
        rules.append(f"clinically meaningful {instrument.clinically_meaningful.points:.3g} or "
                     "more")
    if instrument.response is not None:
        rules.append(f"response a {instrument.response.percent_reduction:g}% drop from baseline")
    if instrument.remission is not None:
        rules.append(f"remission below {instrument.remission.below:g}")
    detail = (f"Baseline {base.total} ({date_text(base.when)}) → latest {latest.total} "
              f"({date_text(latest.when)}): {_signed(summary.change)}.")
    if rules:
        text = "; ".join(rules)
        detail += f" {text[0].upper()}{text[1:]}."
    return "  ·  ".join(outcome), detail


def describe_change(instrument: Instrument, summary: ChangeSummary) -> str:
    """The change summary as one sentence."""
    base, latest = summary.baseline, summary.latest
    if base is None:
        return f"{instrument.short_name}: no complete administration yet."
    if latest is None or summary.change is None:
        return (f"{instrument.short_name}: baseline {base.total} on {date_text(base.when)}; "
                "change needs a later complete administration.")
    words = [f"{instrument.short_name}: baseline {base.total} on {date_text(base.when)}, "
             f"latest {latest.total} on {date_text(latest.when)}, change {_signed(summary.change)}",
             change_label_text(summary).lower()]
    if summary.clinically_meaningful is not None:
        words.append("clinically meaningful change" if summary.clinically_meaningful
                     else "not a clinically meaningful change")
    if summary.response is not None:
        words.append("response" if summary.response else "no response")
    if summary.remission is not None:
        words.append("remission" if summary.remission else "not in remission")
    return "; ".join(words) + "."


# --------------------------------------------------------------------------------------
# Item models
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstrumentEntry:
    """One entry in the instrument chooser."""

    key: str  # an instrument id, or DISSOCIATION_KEY
    text: str
    tooltip: str
    safety: bool


def instrument_entries(view: MeasuresViewLike) -> list[InstrumentEntry]:
    entries = []
    for series in view.series:
        instrument = series.instrument
        charted = [a for a in series.charted if a.score.total is not None]
        latest = charted[-1].score if charted else None
        flagged = any(a.score.has_safety_flag for a in series.charted)
        text = instrument.short_name
        tip = f"{instrument.title}: {len(series.administrations)} administration(s)"
        if latest is not None and latest.total is not None:
            text += f"  ·  {latest.total}"
            if latest.band is not None:
                text += f" {latest.band.label.lower()}"
        if flagged:
            text = "⚠ " + text
            tip += "; a safety item was positive (see the table)"
        entries.append(InstrumentEntry(instrument.id, text, tip, flagged))
    if view.dissociation:
        count = len(view.dissociation)
        entries.append(InstrumentEntry(
            DISSOCIATION_KEY, "CADSS per dose",
            f"CADSS / CADSS-6 at {count} dosing session{'s' if count != 1 else ''}", False))
    return entries


class InstrumentListModel(QAbstractListModel):
    """The client's measured instruments, and dissociation per dose when there is any."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[InstrumentEntry] = []

    def set_entries(self, entries: Sequence[InstrumentEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entry(self, row: int) -> InstrumentEntry:
        return self._entries[row]

    def row_of(self, key: str) -> int | None:
        for row, entry in enumerate(self._entries):
            if entry.key == key:
                return row
        return None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.tooltip
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return entry.text.replace("⚠", "safety flag:")
        if role == KEY_ROLE:
            return entry.key
        if role == SAFETY_ROLE:
            return entry.safety
        if role == Qt.ItemDataRole.ForegroundRole and entry.safety:
            return QColor(SAFETY)
        return None


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


def _italic() -> QFont:
    font = QFont()
    font.setItalic(True)
    return font


class AdministrationTableModel(RowsTableModel):
    """One instrument's administrations: date, relation, total, band, flags, dose."""

    DATE = 0
    RELATION = 1
    TOTAL = 2
    BAND = 3
    DOSE = 4
    FLAGS = 5
    HEADERS = ("Date", "Relation to care", "Total", "Band", "Dose", "Flags")

    def __init__(self, relation_labels: Mapping[str, str],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relations = dict(relation_labels)
        self._doses: dict[int, int] = {}

    def set_rows(self, rows: Sequence[ScoredLike],
                 dose_numbers: Mapping[int, int] | None = None) -> None:
        self._doses = dict(dose_numbers or {})
        super().set_rows(rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        scored = self._rows[index.row()]
        admin, result, instrument = scored.administration, scored.score, scored.instrument
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.DATE:
                return date_text(admin.administered_on)
            if column == self.RELATION:
                return self._relations.get(admin.relation_to_care, admin.relation_to_care)
            if column == self.TOTAL:
                return score_text(instrument, result)
            if column == self.BAND:
                if result.band is None:
                    return "—"
                return result.band.label + ("" if result.band.validated else " (not validated)")
            if column == self.FLAGS:
                if admin.entered_in_error:
                    return f"Entered in error: {admin.entered_in_error_reason or ''}"
                return flags_text(result, brief=True)
            if column == self.DOSE:
                number = self._doses.get(admin.dosing_session_id or -1)
                return f"D{number}" if number else ""
        elif role == SORT_ROLE:
            if column == self.DATE:
                return admin.administered_on.toordinal() * 1_000_000 + admin.id
            if column == self.RELATION:
                return list(self._relations).index(admin.relation_to_care) \
                    if admin.relation_to_care in self._relations else 99
            if column == self.TOTAL:
                return result.total if result.total is not None else -1
            if column == self.BAND:
                return result.total if result.band is not None and result.total is not None \
                    else -1
            if column == self.FLAGS:
                return (2 if result.has_safety_flag else 1 if result.flags else 0)
            if column == self.DOSE:
                return self._doses.get(admin.dosing_session_id or -1, 0)
        elif role == SAFETY_ROLE:
            return result.has_safety_flag and not admin.entered_in_error
        elif admin.entered_in_error and role in (Qt.ItemDataRole.ForegroundRole,
                                                 Qt.ItemDataRole.FontRole):
            # Kept for the record, visibly out of the count: grey and struck through.
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(style.MUTED)
            font = QFont()
            font.setStrikeOut(column != self.FLAGS)
            return font
        elif role == Qt.ItemDataRole.ForegroundRole:
            if column == self.FLAGS and result.has_safety_flag:
                return QColor(SAFETY)
            if column in (self.TOTAL, self.BAND) and result.total is None:
                return QColor(style.MUTED)
        elif role == Qt.ItemDataRole.BackgroundRole:
            if column == self.FLAGS and result.has_safety_flag and not admin.entered_in_error:
                return QColor(SAFETY_BG)
        elif role == Qt.ItemDataRole.FontRole:
            if column == self.FLAGS and result.has_safety_flag:
                return _bold()
            if column == self.TOTAL and result.total is None:
                return _italic()
        elif role == Qt.ItemDataRole.TextAlignmentRole and column == self.TOTAL:
            return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        elif role == Qt.ItemDataRole.ToolTipRole:
            answers = admin.response_map()
            lines = []
            for item in instrument.items:
                value = answers.get(item.number)
                if value is None:
                    lines.append(f"Item {item.number}: not answered")
                    continue
                label = item.label_for(int(value))
                lines.append(f"Item {item.number}: {int(value)}"
                             + (f" ({label})" if label else "")
                             + ("" if item.scored else " — not scored"))
            flags = flags_text(result)
            return "\n".join(([flags, ""] if flags else []) + lines)
        return None


class DissociationTableModel(RowsTableModel):
    """CADSS (and CADSS-6) per dosing session."""

    DOSE = 0
    DATE = 1
    CADSS = 2
    CADSS6 = 3
    HEADERS = ("Dose", "Date", "CADSS total (0–92)", "CADSS-6 (0–24)")

    _rows: list[DoseDissociation]

    def _value(self, row: DoseDissociation, column: int) -> int | None:
        return row.cadss_total if column == self.CADSS else row.cadss6_total

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        full = row.score.instrument_id == "cadss"
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.DOSE:
                return f"D{row.dose_number}"
            if column == self.DATE:
                return date_text(row.when)
            value = self._value(row, column)
            if value is None:
                if column == self.CADSS and not full:
                    return "not given (CADSS-6 only)"
                return "incomplete, not charted"
            return str(value)
        if role == SORT_ROLE:
            if column == self.DOSE:
                return row.dose_number
            if column == self.DATE:
                return row.when.toordinal() if row.when else 0
            value = self._value(row, column)
            return -1 if value is None else value
        if role == Qt.ItemDataRole.ForegroundRole and column >= self.CADSS \
                and self._value(row, column) is None:
            return QColor(style.MUTED)
        return None


class SortProxy(QSortFilterProxyModel):
    """Sorts by SORT_ROLE (dates and totals as numbers, not as text)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)


def _table(model: QAbstractTableModel, sort_column: int, order: Qt.SortOrder) -> QTableView:
    proxy = SortProxy(model)
    proxy.setSourceModel(model)
    view = QTableView()
    view.setModel(proxy)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSortingEnabled(True)
    view.sortByColumn(sort_column, order)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setHighlightSections(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # The last column (flags) takes what is left and elides; its tooltip has the rest.
    header.setSectionResizeMode(model.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    return view


# --------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------

_TAB_STYLE = f"""
QListView#instrumentChooser {{
    background: transparent;
    border: none;
}}
QListView#instrumentChooser::item {{
    border: 1px solid {style.LINE};
    border-radius: 11px;
    padding: 4px 10px;
    margin: 2px 5px 2px 0px;
    background: {style.SURFACE};
    color: {style.INK};
}}
QListView#instrumentChooser::item:hover {{
    border-color: {style.ACCENT};
}}
QListView#instrumentChooser::item:selected {{
    background: {style.ACCENT};
    border-color: {style.ACCENT};
    color: white;
}}
QFrame#changeCard {{
    background: {style.SURFACE};
    border: 1px solid {style.LINE};
    border-radius: 6px;
}}
QLabel#changeOutcome {{
    color: {style.INK};
    font-weight: 600;
    font-size: 11pt;
}}
QLabel#changeDetail {{
    color: {style.INK};
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
        self.setAccessibleName("Change summary")
        self.setAccessibleDescription(describe_change(instrument, summary))

    def text(self) -> str:
        return f"{self.outcome.text()}\n{self.detail.text()}"


class _ChartHost(QWidget):
    """Holds a FigureView, created (and matplotlib imported) only when first needed."""

    def __init__(self, minimum: QSize, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.minimum = minimum
        self.view: FigureView | None = None  # it carries the minimum size, and may grow it
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def ensure_view(self) -> FigureView:
        if self.view is None:
            from ui.common.chart_canvas import FigureView

            self.view = FigureView(minimum=self.minimum)
            self._layout.addWidget(self.view)
            self.view.show()  # now, not on the layout's queued show: draws at once if visible
        return self.view


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

    def __init__(self, relation_labels: Mapping[str, str],
                 parent: QWidget | None = None) -> None:
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
        self.model = AdministrationTableModel(relation_labels, self)
        self.table = _table(self.model, AdministrationTableModel.DATE,
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

    def current_administration(self) -> ScoredLike | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        row = self.proxy.mapToSource(index).row()
        scored: ScoredLike = self.model.row_at(row)
        return scored

    def _request_error(self) -> None:
        scored = self.current_administration()
        if scored is not None and not scored.administration.entered_in_error:
            emit(self.error_requested, scored.administration.id)

    def show_series(self, series: SeriesLike, doses: Mapping[int, int]) -> None:
        instrument = series.instrument
        self.card.set_summary(instrument, series.summary)
        flagged = [a for a in series.charted if a.score.has_safety_flag]
        if flagged:
            flagged.sort(key=lambda a: (a.administration.administered_on, a.administration.id),
                         reverse=True)
            first = flagged[0].score.safety_flags[0]
            shown = [f"{safety_text(a.score)} on {date_text(a.administration.administered_on)}"
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
        emit(self.overlays_changed)

    def _update_overlay_button(self) -> None:
        on = len(self.checked_overlays())
        if not self.overlay_actions:
            self.overlay_button.setText("No overlays")
            self.overlay_button.setToolTip("Self-energy ratings from signed IFS notes and SUD "
                                           "from EMDR/ART notes can be laid over this chart")
            return
        self.overlay_button.setText(f"Overlays: {on} of {len(self.overlay_actions)}  ")

    def checked_overlays(self) -> set[str]:
        return {label for label, action in self.overlay_actions.items() if action.isChecked()}

    def clear(self) -> None:
        self.model.set_rows([], {})
        self.set_overlays([], set())
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
        self.table = _table(self.model, DissociationTableModel.DOSE, Qt.SortOrder.AscendingOrder)
        self.table.setMinimumHeight(TABLE_MIN_HEIGHT)
        self.table.setAccessibleName("Dissociation per dose")
        self._place(self.chart, self.table)

    def clear(self) -> None:
        self.model.set_rows([])
        if self.chart.view is not None:
            self.chart.view.clear()


# --------------------------------------------------------------------------------------
# The tab
# --------------------------------------------------------------------------------------


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
    taller height-for-width their wrapped labels would ask for."""

    def hasHeightForWidth(self) -> bool:
        return False


def _measure_parts(chart: ClientChart) -> tuple[Any, ...]:
    """What the measures view is derived from; other changes need no rebuild."""
    return (chart.client.id, chart.administrations, chart.dosing_sessions, chart.self_energy,
            tuple((t.id, t.label, t.ratings) for t in chart.targets))


class MeasuresTab(QWidget):
    """Instrument chooser, then per instrument its change summary, trend chart and table.

    `runner` is the TaskRunner (or anything with its `submit`); `services` the measures
    functions from the composition root; `actor` returns the signed-in clinician's id.
    """

    measures_shown = Signal(int)  # the tab shows this client's measures (client id)
    administration_recorded = Signal(int)  # a measure was saved for this client (client id)
    instrument_created = Signal(object)  # a custom Instrument was defined

    def __init__(
        self,
        runner: Submitter,
        services: MeasuresServices,
        *,
        actor: Callable[[], int | None] = lambda: None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.services = services
        self.actor = actor
        self.chart: ClientChart | None = None
        self.view: MeasuresViewLike | None = None
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
        self.trend = TrendPage(services.relation_labels)
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
        toolbar.addWidget(self.trend.overlay_button)
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

    def set_chart(self, chart: ClientChart) -> None:
        """Show this client's measures (drawn when the tab is visible)."""
        unchanged = (self.chart is not None and self.view is not None
                     and _measure_parts(self.chart) == _measure_parts(chart))
        if self.chart is not None and self.chart.client.id != chart.client.id:
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
            dialog.close()
        self._dialogs.clear()
        self.chart = None
        self.view = None
        self.known = None
        self._after_known.clear()
        self._loading_known = False
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
        if chart is None:
            return None
        if self.known is None:
            def later() -> None:
                self.open_entry(instrument_id)

            self._with_known(later)
            return None
        chosen = instrument_id or self._selected
        if chosen == DISSOCIATION_KEY:
            chosen = "cadss"
        dialog = MeasureEntryDialog(self.runner, self.services, chart, self.known,
                                    actor_id=self.actor(), instrument_id=chosen, parent=self)
        dialog.recorded.connect(self._recorded)
        dialog.instrument_created.connect(self._custom_created)
        self._open(dialog)
        return dialog

    def open_custom(self) -> CustomMeasureDialog:
        """Define a custom measure (the entry dialog offers this too)."""
        dialog = CustomMeasureDialog(self.runner, self.services, actor_id=self.actor(),
                                     parent=self)
        dialog.created.connect(self._custom_created)
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
        self.view = self.services.build_measures_view(self.chart, self.known)
        entries = instrument_entries(self.view)
        self.instrument_model.set_entries(entries)
        self.chooser.fit()
        if not entries:
            self._set_empty("No measures have been recorded for this client yet. Use Enter "
                            "measure… (Ctrl+M) to record a PHQ-9, GAD-7, PCL-5 or CADSS item "
                            "by item.")
            emit(self.measures_shown, self.chart.client.id)
            return
        keys = [e.key for e in entries]
        self.select_instrument(self._selected if self._selected in keys else keys[0])
        emit(self.measures_shown, self.chart.client.id)

    def _with_known(self, then: Callable[[], None]) -> None:
        self._after_known.append(then)
        if self._loading_known:
            return
        self._loading_known = True
        services, generation = self.services, self._generation
        self.runner.submit(lambda s: dict(services.available_instruments(s)),
                           lambda known: self._known_arrived(known, generation),
                           lambda exc: self._known_failed(exc, generation))

    def _known_arrived(self, known: dict[str, Instrument], generation: int) -> None:
        if generation != self._generation:
            return  # asked for before clear(): another vault, or none
        self._loading_known = False
        self.known = known
        waiting, self._after_known = self._after_known, []
        for then in waiting:
            then()

    def _known_failed(self, exc: Exception, generation: int) -> None:
        if generation != self._generation:
            return
        self._loading_known = False
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
        self.trend.show_series(series, dose_numbers(chart))
        self.trend.set_overlays(view.overlays, self._overlays_on)
        self.stack.setCurrentWidget(self.trend)
        self._draw_trend()

    def _draw_trend(self) -> None:
        view, key = self.view, self._selected
        series = next((s for s in view.series if s.instrument.id == key), None) \
            if view is not None else None
        if view is None or series is None:
            return
        from reports.charts import build_trend_chart

        overlays = tuple(o for o in view.overlays if o.label in self._overlays_on)
        instrument, points, dosing = series.instrument, tuple(series.points), tuple(view.dosing)
        baseline = _baseline_index(series)

        def build(width: float, height: float, dpi: float) -> Any:
            return build_trend_chart(instrument, points, dosing, overlays, width=width,
                                     height=height, dpi=dpi, baseline_index=baseline,
                                     header=False)

        self.trend.chart.ensure_view().set_builder(build)

    def _show_dissociation(self, view: MeasuresViewLike) -> None:
        from reports.charts import build_cadss_chart

        rows = tuple(sorted(view.dissociation, key=lambda d: (d.dose_number, d.when or 0)))
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

    def _recorded(self, result: ScoredLike) -> None:
        chart = self.chart
        admin = result.administration
        if chart is None or chart.client.id != admin.client_id:
            return
        administrations = tuple(sorted((*chart.administrations, admin),
                                       key=lambda a: (a.administered_on, a.id)))
        per_dose = result.instrument.charting is Charting.PER_DOSE
        self._selected = DISSOCIATION_KEY if per_dose else result.instrument.id
        self.set_chart(dataclasses.replace(chart, administrations=administrations))
        emit(self.administration_recorded, admin.client_id)

    def mark_entered_in_error(self, administration_id: int, reason: str | None = None) -> None:
        """Ask why (unless given), then keep the entry but leave it out of every count."""
        if reason is None:
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
        mark, actor = self.services.mark_entered_in_error, self.actor()
        client_id = self.chart.client.id

        def done(updated: AdministrationDTO) -> None:
            chart = self.chart
            if chart is None or chart.client.id != client_id:
                return
            administrations = tuple(updated if a.id == updated.id else a
                                    for a in chart.administrations)
            self.set_chart(dataclasses.replace(chart, administrations=administrations))
            emit(self.administration_recorded, client_id)

        self.runner.submit(
            lambda session: mark(session, administration_id, reason, actor_id=actor),
            done, report_unexpected, changes=lambda _a: Changed("client", client_id))

    def _custom_created(self, instrument: Instrument) -> None:
        if self.known is not None:
            self.known[instrument.id] = instrument
        emit(self.instrument_created, instrument)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty and self.chart is not None:
            self.refresh()


def _baseline_index(series: SeriesLike) -> int | None:
    """The administration the service took as baseline: the first complete one tagged so."""
    for index, scored in enumerate(series.charted):
        if scored.administration.relation_to_care == "baseline" and scored.score.complete:
            return index
    return None
