"""Small trend lines of a client's main measures, with the latest total and band.

Drawn with QPainter from the charted totals, so the Overview needs no matplotlib: a row
paints in well under a millisecond.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from models.clinical.measures import (
    MAIN_INSTRUMENTS,
    InstrumentSeries,
    MeasuresView,
    build_measures_view,
)
from models.clinical.safety import SafetyFollowUp, safety_followups
from models.dto import ClientChart
from models.formatting import date_text
from models.instruments.change import ChangeLabel
from models.instruments.definitions import Instrument
from models.instruments.scoring import FlagKind
from reports import palette
from reports.palette import DETERIORATED, IMPROVED, NEUTRAL, SAFETY

LINE_WIDTH = 150
LINE_HEIGHT = 30


@dataclass(frozen=True)
class SparklineRow:
    """What one sparkline shows: the charted totals and the latest in words."""

    instrument_id: str
    name: str
    totals: tuple[tuple[dt.date, int], ...]  # charted totals, oldest first
    low: int
    high: int
    latest: str  # "7 · Mild", or "—"
    trend: ChangeLabel | None  # the change summary's label: latest against its baseline
    safety: str  # "⚠ item 9 = 1" when the latest administration raised a safety flag
    tooltip: str


def sparkline_row(series: InstrumentSeries,
                  followups: Sequence[SafetyFollowUp] = ()) -> SparklineRow:
    """The sparkline for one instrument's series (with the state of the safety follow-up
    of its newest administration, when it has one)."""
    instrument = series.instrument
    charted = sorted(
        ((a.administration.administered_on, a.administration.id, a.score)
         for a in series.administrations if a.score.total is not None),
        key=lambda entry: (entry[0], entry[1]),
    )
    totals = tuple((day, result.total) for day, _, result in charted
                   if result.total is not None)
    latest_text, trend = "—", None
    if charted:
        _, _, last = charted[-1]
        assert last.total is not None
        latest_text = str(last.total)
        if last.band is not None:
            latest_text += f" · {last.band.label}"
        else:
            met = [f.label for f in last.flags if f.kind is FlagKind.CUTOFF]
            if met:  # no validated bands (PCL-5): say whether the cut-off is met
                latest_text += f" · {met[0]}"
    newest = max(series.administrations,
                 key=lambda a: (a.administration.administered_on, a.administration.id),
                 default=None)
    safety = ""
    if newest is not None and newest.score.has_safety_flag:
        items = ", ".join(f"item {f.item} = {f.value}" for f in newest.score.safety_flags)
        safety = f"⚠ {items}"
        followup = next((f for f in followups
                         if f.administration_id == newest.administration.id), None)
        if followup is not None:
            safety += ", open" if followup.open else \
                f", addressed {date_text(followup.addressed_on)}"
    summary = series.summary
    if summary.latest is not None:
        # The same baseline and rule as the change summary: one judgement, not two.
        trend = summary.label
    tip = [instrument.title]
    if charted:
        tip.append(f"Latest {latest_text} on {date_text(totals[-1][0])}")
    if summary.baseline is not None:
        tip.append(f"Baseline {summary.baseline.total} on {date_text(summary.baseline.when)}")
    if summary.label not in (ChangeLabel.NOT_ENOUGH_DATA, ChangeLabel.NO_RULE):
        tip.append(summary.label.value.capitalize())
    if newest is not None and newest.score.total is None:
        tip.append(f"Most recent ({date_text(newest.administration.administered_on)}) is "
                   "incomplete, not charted")
    if safety:
        tip.append(f"Safety flag on the most recent administration: {safety[2:]}")
    return SparklineRow(instrument.id, instrument.short_name, totals, instrument.total_min,
                        instrument.total_max, latest_text, trend, safety, "\n".join(tip))


def sparkline_rows(view: MeasuresView,
                   instrument_ids: Sequence[str] = MAIN_INSTRUMENTS,
                   followups: Sequence[SafetyFollowUp] = ()) -> list[SparklineRow]:
    """Rows for the main measures the client has, in the usual order."""
    by_id = {s.instrument.id: s for s in view.series}
    return [sparkline_row(by_id[key], followups) for key in instrument_ids if key in by_id]


class Sparkline(QWidget):
    """One small line: totals over time on the instrument's full range, last point marked."""

    def __init__(self, row: SparklineRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.setFixedSize(LINE_WIDTH, LINE_HEIGHT)


    def points(self) -> list[QPointF]:
        """Where each total is drawn, in widget coordinates."""
        row = self.row
        if row is None or not row.totals:
            return []
        pad = 4.0
        width, height = self.width() - 2 * pad, self.height() - 2 * pad
        first, last = row.totals[0][0], row.totals[-1][0]
        days = max((last - first).days, 1)
        span = max(row.high - row.low, 1)
        result = []
        for day, total in row.totals:
            x = pad + (width * (day - first).days / days if len(row.totals) > 1 else width / 2)
            y = pad + height * (1 - (total - row.low) / span)
            result.append(QPointF(x, y))
        return result

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(palette.LINE), 1))
        bottom = self.height() - 3.5
        painter.drawLine(QPointF(2, bottom), QPointF(self.width() - 2, bottom))
        points = self.points()
        if points:
            path = QPainterPath(points[0])
            for point in points[1:]:
                path.lineTo(point)
            painter.setPen(QPen(QColor(NEUTRAL), 1.4))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
            trend = self.row.trend if self.row is not None else None
            colour = {ChangeLabel.RELIABLE_IMPROVEMENT: IMPROVED,
                      ChangeLabel.RELIABLE_DETERIORATION: DETERIORATED}.get(
                trend, NEUTRAL) if trend is not None else NEUTRAL
            painter.setPen(QPen(QColor("white"), 1))
            painter.setBrush(QColor(colour))
            painter.drawEllipse(points[-1], 3.6, 3.6)
        painter.end()


class _SparklineItem(QFrame):
    """A row: name, line, latest total and band, any safety flag. Click to open it."""

    activated = Signal(str)

    def __init__(self, row: SparklineRow) -> None:
        super().__init__()
        self.setObjectName("sparklineItem")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.name = QLabel()
        self.name.setObjectName("sparklineName")
        self.name.setFixedWidth(58)
        self.line = Sparkline()
        self.latest = QLabel()
        self.latest.setObjectName("sparklineLatest")
        self.safety = QLabel()
        self.safety.setObjectName("sparklineSafety")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(10)
        layout.addWidget(self.name)
        layout.addWidget(self.line)
        layout.addWidget(self.latest)
        layout.addWidget(self.safety)
        layout.addStretch(1)
        self.set_row(row)

    def set_row(self, row: SparklineRow) -> None:
        self.row = row
        self.setToolTip(row.tooltip)
        self.setAccessibleName(f"{row.name}: latest {row.latest}"
                               + (f", safety flag {row.safety[2:]}" if row.safety else ""))
        self.name.setText(row.name)
        self.line.row = row
        self.line.update()
        self.latest.setText(row.latest)
        self.safety.setText(row.safety)
        self.safety.setVisible(bool(row.safety))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.activated.emit(self.row.instrument_id)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit(self.row.instrument_id)
            return
        super().keyPressEvent(event)


_STYLE = f"""
QFrame#sparklineItem {{
    border-radius: 4px;
}}
QFrame#sparklineItem:hover, QFrame#sparklineItem:focus {{
    background: {palette.FOCUS_BG};
}}
QLabel#sparklineName {{
    font-weight: 600;
    color: {palette.INK};
}}
QLabel#sparklineLatest {{
    color: {palette.INK};
}}
QLabel#sparklineSafety {{
    color: {SAFETY};
    font-weight: 700;
}}
"""


class MeasureSparklines(QWidget):
    """The client's main measures as small trend lines, for the Overview tab.

    Scored with the bundled instruments unless `known` is given: the main measures are
    all bundled."""

    instrument_activated = Signal(str)  # an instrument id: show it on the Measures tab

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[SparklineRow] = []
        self.items: list[_SparklineItem] = []
        self.setStyleSheet(_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.empty = QLabel("No measures recorded yet.")
        self.empty.setProperty("role", "subtle")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self._layout.addWidget(self.empty)

    def set_chart(self, chart: ClientChart,
                  known: Mapping[str, Instrument] | None = None) -> None:
        """Build the rows from a client's chart."""
        self.set_view(build_measures_view(chart, known), safety_followups(chart, known))

    def set_view(self, view: MeasuresView,
                 followups: Sequence[SafetyFollowUp] = ()) -> None:
        self.set_rows(sparkline_rows(view, followups=followups))

    def set_rows(self, rows: Sequence[SparklineRow]) -> None:
        """One item per row; the items on screen are kept and given the new rows (a switch
        of client changes their words and lines, not the widgets)."""
        self.rows = list(rows)
        while len(self.items) > len(self.rows):
            item = self.items.pop()
            self._layout.removeWidget(item)
            item.hide()
            item.deleteLater()
        for index, row in enumerate(self.rows):
            if index < len(self.items):
                self.items[index].set_row(row)
            else:
                item = _SparklineItem(row)
                item.activated.connect(self.instrument_activated)
                self._layout.addWidget(item)
                self.items.append(item)
        self.empty.setVisible(not self.rows)

    def clear(self) -> None:
        self.set_rows([])

    def sizeHint(self) -> QSize:
        rows = max(len(self.rows), 1)
        return QSize(LINE_WIDTH + 260, rows * (LINE_HEIGHT + 6))

