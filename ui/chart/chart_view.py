"""The right-hand side: the selected client's chart, in tabs later issues fill."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

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
from ui.common.elided import ElidedLabel

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
CHOOSE_A_CLIENT = "Choose a client on the left to see their course of care."


W = TypeVar("W", bound=QWidget)


class _Deferred(Generic[W]):
    """A tab built the first time it is shown or asked for: until then an empty page
    stands in its place, and a client switch costs it nothing."""

    def __init__(self, name: str, make: Callable[[], W],
                 show: Callable[[W, ClientChart], None]) -> None:
        """`make` builds the tab; `show` gives it the client on screen when it is built."""
        self.name = name
        self.make = make
        self.show = show
        self.tab: W | None = None
        self.stand_in = QWidget()


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
                 targets: Callable[[], TargetsTab], parts: Callable[[], PartsTab],
                 reports: Callable[[], ReportsTab], parent: QWidget | None = None) -> None:
        """`measures` (the Measures tab) and `sparklines` (shown on the Overview) are
        handed in by the main window, which owns their services; `targets`, `parts` and
        `reports` make those tabs, each the first time it is shown or asked for (unlock
        does not wait for them)."""
        super().__init__(parent)
        self.chart: ClientChart | None = None
        self.measures = measures
        self.sparklines = sparklines
        self._targets = _Deferred("Targets", targets, lambda tab, chart: tab.set_chart(chart))
        self._parts = _Deferred("Parts", parts, lambda tab, chart: tab.set_chart(chart))
        self._reports = _Deferred("Reports", reports,
                                  lambda tab, chart: tab.set_chart(chart, self.today()))
        deferred: dict[str, QWidget] = {d.name: d.stand_in
                                        for d in (self._targets, self._parts, self._reports)}
        self.today: Callable[[], dt.date] = dt.date.today
        self.name = ElidedLabel()
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
        self.tabs.currentChanged.connect(self._tab_changed)
        self.overview = OverviewTab()
        self.sessions = SessionsTab()
        self.tabs.addTab(self.overview, "Overview")
        self.tabs.addTab(self.sessions, "Sessions")
        for name in TAB_NAMES[2:]:
            self.tabs.addTab(measures if name == "Measures" else deferred[name], name)
        self.overview.add_panel(sparklines)
        self.overview.targets_requested.connect(
            lambda: self.tabs.setCurrentWidget(self.targets))
        self.overview.unsigned_requested.connect(self._show_unsigned)
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
        self._writable = True
        self._no_clients = False
        self._choose_hint = True  # the empty page asks for a client (not another notice)
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
        self._choose_hint = not text
        if self._no_clients:
            hint = "This vault holds no client yet." + (
                "\nAdd the first with New client (Ctrl+N)." if self._writable else "")
        else:
            hint = CHOOSE_A_CLIENT + (
                "\nAdd a client with New client (Ctrl+N)." if self._writable else "")
        self.empty.setText(text or hint)
        self.stack.setCurrentWidget(self.empty)

    def set_writable(self, writable: bool) -> None:
        """Whether the vault can be written: a read-only one offers no new client."""
        self._writable = writable
        if self.chart is None and self._choose_hint:
            self.show_empty()

    def set_no_clients(self, none: bool) -> None:
        """Whether the vault holds no client at all: the empty page offers the first."""
        self._no_clients = none
        if self.chart is None and self._choose_hint:
            self.show_empty()

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
        # A tab not built yet is given the chart when it is built.
        targets, parts, reports = self._targets.tab, self._parts.tab, self._reports.tab
        if targets is not None and touched(TARGETS_SHOW):
            targets.set_chart(chart, changes)
        if parts is not None and touched(PARTS_SHOW):
            parts.set_chart(chart, changes)
        if reports is not None:
            reports.set_chart(chart, self.today())
        self.stack.setCurrentIndex(1)

    # -- the tabs built when first shown --------------------------------------------------

    @property
    def targets(self) -> TargetsTab:
        """The Targets tab (built now if it was not yet)."""
        return self._built(self._targets)

    @property
    def parts(self) -> PartsTab:
        """The Parts tab (built now if it was not yet)."""
        return self._built(self._parts)

    @property
    def reports(self) -> ReportsTab:
        """The Reports tab (built now if it was not yet)."""
        return self._built(self._reports)

    def is_built(self, name: str) -> bool:
        """Whether the tab called `name` (one of TAB_NAMES) exists yet: the Targets, Parts
        and Reports tabs are built when first shown, the others with the view."""
        for deferred in (self._targets, self._parts, self._reports):
            if deferred.name == name:
                return deferred.tab is not None
        return name in TAB_NAMES

    def flush(self) -> None:
        """Send what a tab holds unsent (map moves on the Parts tab) before a lock or quit."""
        if self._parts.tab is not None:
            self._parts.tab.flush()

    def _built(self, deferred: _Deferred[W]) -> W:
        if deferred.tab is not None:
            return deferred.tab
        tab = deferred.tab = deferred.make()
        if self.chart is not None:  # the client on screen, as the record is now
            deferred.show(tab, self.chart)
        # The tab takes its stand-in's place, current if the stand-in was. It goes in
        # before the stand-in goes out: removing the current page first would show its
        # neighbour for a moment (the Measures tab would draw its chart for nothing).
        index = self.tabs.indexOf(deferred.stand_in)
        was_current = self.tabs.currentIndex() == index
        self.tabs.blockSignals(True)  # the same tab stays current: no change to announce
        self.tabs.insertTab(index, tab, deferred.name)
        if was_current:
            self.tabs.setCurrentIndex(index)
        self.tabs.removeTab(index + 1)
        self.tabs.blockSignals(False)
        deferred.stand_in.deleteLater()
        return tab

    def _tab_changed(self, index: int) -> None:
        page = self.tabs.widget(index)
        if page is self._targets.stand_in:
            self._built(self._targets)
        elif page is self._parts.stand_in:
            self._built(self._parts)
        elif page is self._reports.stand_in:
            self._built(self._reports)
        self._draw_overview()

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

    def _show_unsigned(self) -> None:
        """The Sessions tab, at the oldest unsigned note (Enter opens it)."""
        self.tabs.setCurrentWidget(self.sessions)
        self.sessions.show_oldest_unsigned()

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
        if self._targets.tab is not None:
            self._targets.tab.clear()
        if self._parts.tab is not None:
            self._parts.tab.clear()
        if self._reports.tab is not None:
            self._reports.tab.clear()
        self.show_empty()

    def show_target(self, target_id: int) -> None:
        """Open the Targets tab on one target."""
        self.tabs.setCurrentWidget(self.targets)
        self.targets.select_target(target_id)
