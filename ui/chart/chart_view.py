"""The right-hand side: the selected client's chart, in tabs later issues fill."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.api import Changes, Kind
from models.dto import ClientChart, ClientDetail
from models.formatting import date_text
from ui.chart.overview import OverviewTab
from ui.chart.sessions_tab import SessionsTab
from ui.common.busy import DelayedBusy

if TYPE_CHECKING:
    from ui.measures.measures_tab import MeasuresTab
    from ui.measures.sparklines import MeasureSparklines
    from ui.parts.parts_tab import PartsTab
    from ui.reports.reports_tab import ReportsTab
    from ui.targets.targets_tab import TargetsTab

# What each tab that later issues fill says until then: plainly, with nothing fake in it.
COMING: dict[str, str] = {
}
TAB_NAMES = ("Overview", "Sessions", "Targets", "Parts", "Measures", "Reports")


def _placeholder(text: str) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(28, 28, 28, 28)
    label = QLabel(text)
    label.setProperty("role", "placeholder")
    label.setWordWrap(True)
    label.setMaximumWidth(560)
    layout.addWidget(label, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    layout.addStretch(1)
    return page


def describe(client: ClientDetail, today: dt.date) -> str:
    """The line under the client's name: record number, pronouns, age, status."""
    parts = [client.record_number]
    if client.pronouns:
        parts.append(client.pronouns)
    if client.date_of_birth:
        born = client.date_of_birth
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        parts.append(f"born {date_text(born)} ({age})")
    if client.status == "discharged":
        off = client.discharged_on
        when = f" on {date_text(off)}" if off else ""
        change = client.last_status_change
        why = f": {change.reason}" if change is not None and change.reason else ""
        parts.append(f"discharged{when}{why}")
    else:
        parts.append("active")
    return " · ".join(parts)


# The kinds of record a client's chart shows: a write touching one of them reloads it.
CHART_KINDS = (Kind.DETAILS, Kind.CARE, Kind.NOTES, Kind.MEASURES, Kind.TARGETS, Kind.PARTS)
# What each part of the view shows; it is redrawn only when a write touches that.
HEADER_SHOWS = (Kind.DETAILS,)
# The Overview's safety follow-ups come from measures and are answered by notes.
OVERVIEW_SHOWS = (Kind.CARE, Kind.NOTES, Kind.TARGETS, Kind.MEASURES)
SESSIONS_SHOWS = (Kind.CARE, Kind.NOTES)
SPARKLINES_SHOW = (Kind.MEASURES,)
TARGETS_SHOW = (Kind.TARGETS, Kind.PARTS, Kind.NOTES, Kind.CARE)
PARTS_SHOW = (Kind.PARTS, Kind.TARGETS, Kind.NOTES)


class ChartView(QWidget):
    """Header with the client's name, then the tabs; an empty state when no one is chosen."""

    edit_requested = Signal()
    status_change_requested = Signal()  # discharge an active client, reactivate another

    def __init__(self, measures: MeasuresTab, sparklines: MeasureSparklines,
                 targets: TargetsTab, parts: PartsTab, reports: ReportsTab,
                 parent: QWidget | None = None) -> None:
        """`measures` (the Measures tab), `sparklines` (shown on the Overview), `targets`,
        `parts` and `reports` (their tabs) are handed in by the main window, which owns
        their services."""
        super().__init__(parent)
        self.chart: ClientChart | None = None
        self.measures = measures
        self.sparklines = sparklines
        self.targets = targets
        self.parts = parts
        self.reports = reports
        self.today: Callable[[], dt.date] = dt.date.today
        self.name = QLabel()
        self.name.setProperty("role", "title")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel()
        self.details.setProperty("role", "subtle")
        self.edit_button = QPushButton("Edit client…")
        self.edit_button.clicked.connect(self.edit_requested)
        self.status_button = QPushButton("Discharge…")
        self.status_button.setToolTip("Discharge this client (the date and the reason are kept)")
        self.status_button.clicked.connect(self.status_change_requested)
        # Shown when a chart takes a moment to arrive (ui.common.busy).
        self.loading = QLabel("Loading…")
        self.loading.setProperty("role", "subtle")
        self.busy = DelayedBusy(self.loading)
        header = QHBoxLayout()
        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.name)
        names.addWidget(self.details)
        header.addLayout(names, 1)
        header.addWidget(self.loading, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.status_button, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(False)
        self._overview_due = self._sparklines_due = False
        self.tabs.currentChanged.connect(lambda _i: self._draw_overview())
        self.overview = OverviewTab()
        self.sessions = SessionsTab()
        self.tabs.addTab(self.overview, "Overview")
        self.tabs.addTab(self.sessions, "Sessions")
        built: dict[str, QWidget] = {"Targets": targets, "Parts": parts, "Measures": measures,
                                     "Reports": reports}
        for name in TAB_NAMES[2:]:
            self.tabs.addTab(built.get(name) or _placeholder(COMING[name]), name)
        self.overview.add_panel(sparklines)
        self.overview.targets_requested.connect(lambda: self.tabs.setCurrentWidget(targets))
        chart_page = QWidget()
        chart_layout = QVBoxLayout(chart_page)
        chart_layout.setContentsMargins(12, 10, 10, 10)
        chart_layout.setSpacing(10)
        chart_layout.addLayout(header)
        chart_layout.addWidget(self.tabs, 1)
        self.empty = QLabel()
        self.empty.setProperty("role", "placeholder")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(chart_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.show_empty()

    def show_empty(self, text: str = "") -> None:
        self.busy.stop()
        self.chart = None
        self.empty.setText(text or "Choose a client on the left to see their course of care.\n"
                           "Add a client with New client (Ctrl+N).")
        self.stack.setCurrentWidget(self.empty)

    def set_chart(self, chart: ClientChart, changes: Changes | None = None) -> None:
        """Show a client's chart. `changes` (a write to the client already shown) says
        what changed: only the parts that show it are drawn again."""
        self.chart = chart

        def touched(kinds: tuple[Kind, ...]) -> bool:
            return changes is None or changes.touches(*kinds)

        self.busy.stop()
        if touched(HEADER_SHOWS):
            self.name.setText(chart.client.name + (
                f" ({chart.client.preferred_name})" if chart.client.preferred_name else ""))
            self.details.setText(describe(chart.client, self.today()))
            discharged = chart.client.status == "discharged"
            self.status_button.setText("Reactivate…" if discharged else "Discharge…")
            self.status_button.setToolTip(
                "Take this client back into care" if discharged
                else "Discharge this client (the date and the reason are kept)")
        # The Overview is drawn now only when it is the tab on screen; else when it is
        # next shown (a switch of client on the Measures tab draws the chart alone).
        self._overview_due |= touched(OVERVIEW_SHOWS)
        self._sparklines_due |= touched(SPARKLINES_SHOW)
        if touched(SESSIONS_SHOWS):
            self.sessions.set_chart(chart)
        self._draw_overview()
        self.measures.set_chart(chart, changes)
        if touched(TARGETS_SHOW):
            self.targets.set_chart(chart, changes)
        if touched(PARTS_SHOW):
            self.parts.set_chart(chart, changes)
        self.reports.set_chart(chart, self.today())
        self.stack.setCurrentIndex(1)

    def _draw_overview(self) -> None:
        chart = self.chart
        if chart is None or self.tabs.currentWidget() is not self.overview:
            return
        if self._overview_due:
            self._overview_due = False
            self.overview.set_chart(chart, self.today())
        if self._sparklines_due:
            self._sparklines_due = False
            self.sparklines.set_chart(chart)

    def practice_changed(self) -> None:
        """Something of the whole vault changed (a custom instrument): the measures."""
        if self.chart is not None:
            self.measures.set_chart(self.chart, Changes.of(self.chart.client.id,
                                                           Kind.PRACTICE))

    def clear(self) -> None:
        """Forget everything clinical that this view holds."""
        self.chart = None
        self._overview_due = self._sparklines_due = False
        self.name.clear()
        self.details.clear()
        self.overview.clear()
        self.sessions.clear()
        self.sparklines.clear()
        self.measures.clear()
        self.targets.clear()
        self.parts.clear()
        self.reports.clear()
        self.show_empty()

    def show_target(self, target_id: int) -> None:
        """Open the Targets tab on one target."""
        self.tabs.setCurrentWidget(self.targets)
        self.targets.select_target(target_id)
