"""One course of care painted as lanes over a date axis: doses on top, a lane per modality.

A kind is told apart by its lane label, its marker shape and an Okabe-Ito colour; a hollow
marker is a note not yet signed. Hovering a marker says what it is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from models.clinical.doses import dose_numbers_label
from models.formatting import date_text, date_tick_labels, touching_groups
from reports import palette
from ui.chart.care import CourseLine, DoseMark
from ui.common.markers import draw_marker
from ui.common.style import DOSING, modality

LANE_LABEL_WIDTH = 132
DOSE_LANE = 40
LANE = 26
AXIS = 30
PAD_TOP = 6
PAD_RIGHT = 20
MARKER = 11
TODAY_WORD = "today"


def _month_ticks(start: dt.date, end: dt.date) -> list[dt.date]:
    day = dt.date(start.year, start.month, 1)
    ticks = []
    while day <= end:
        if day >= start:
            ticks.append(day)
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return ticks


def _week_ticks(start: dt.date, end: dt.date) -> list[dt.date]:
    day = start + dt.timedelta(days=(7 - start.weekday()) % 7)  # Mondays
    ticks = []
    while day <= end:
        ticks.append(day)
        day += dt.timedelta(days=7)
    return ticks


class CourseTimeline(QWidget):
    """One course of care painted as lanes over a date axis, with tooltips on markers."""

    def __init__(self, line: CourseLine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._drawn: tuple[object, QPixmap] | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(LANE_LABEL_WIDTH + 240)
        self.set_line(line)

    def set_line(self, line: CourseLine) -> None:
        """Show another course (the Overview keeps its timelines from client to client)."""
        self.line = line
        self._span_start = line.start - dt.timedelta(days=2)
        self._span_days = max(14, (line.end - line.start).days + 4)
        self.setFixedHeight(self._height())
        self.setAccessibleName(f"{line.title} timeline")
        self._drawn = None
        self.update()

    def _height(self) -> int:
        return PAD_TOP + DOSE_LANE + LANE * len(self.line.lanes) + AXIS

    def sizeHint(self) -> QSize:
        return QSize(800, self._height())

    def _x(self, day: dt.date) -> float:
        left = LANE_LABEL_WIDTH
        width = max(1, self.width() - left - PAD_RIGHT)
        return left + width * ((day - self._span_start).days + 0.5) / self._span_days

    def today_x(self) -> float | None:
        """Where today falls on the axis: marked when the course's days reach past it (an
        end still ahead), so the empty days after it read as days to come, not a gap."""
        today = self.line.today
        if today is None or not self.line.start <= today < self.line.end:
            return None
        return self._x(today)

    def _lane_y(self, key: str) -> float:
        if key == "dosing":
            return PAD_TOP + DOSE_LANE * 0.62
        return PAD_TOP + DOSE_LANE + LANE * self.line.lanes.index(key) + LANE / 2

    def paintEvent(self, _event: QPaintEvent) -> None:
        # Drawn once into a pixmap for this course and size; a paint with nothing changed
        # (a tooltip, a scroll, the page repainted round it) copies the pixmap.
        ratio = self.devicePixelRatioF()
        key = (self.line, self.size(), ratio, self.font().key())
        if self._drawn is None or self._drawn[0] != key:
            pixmap = QPixmap(self.size() * ratio)
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            self._draw(painter)
            painter.end()
            self._drawn = (key, pixmap)
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._drawn[1])
        painter.end()

    def _draw(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self.font())
        line = self.line
        width = self.width()
        plot_left = LANE_LABEL_WIDTH
        plot_right = width - PAD_RIGHT
        axis_y = PAD_TOP + DOSE_LANE + LANE * len(line.lanes) + 4
        text_pen = QPen(QColor(palette.INK))
        muted_pen = QPen(QColor(palette.MUTED))
        small_font, bold_font = self._fonts()

        # Integration windows: a light band from each dose to the next, so the sessions
        # that follow a dose sit visibly inside its window.
        doses = list(line.doses)
        for i, dose in enumerate(doses):
            x0 = self._x(dose.day)
            x1 = self._x(doses[i + 1].day) if i + 1 < len(doses) else plot_right
            if i % 2 == 0:
                painter.fillRect(QRectF(x0, PAD_TOP, x1 - x0, axis_y - PAD_TOP),
                                 QColor(213, 94, 0, 14))
            painter.setPen(QPen(QColor(213, 94, 0, 90), 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x0, PAD_TOP + 4), QPointF(x0, axis_y))

        # Lane guides and labels.
        painter.setFont(small_font)
        lane_keys = ["dosing", *line.lanes]
        for key in lane_keys:
            y = self._lane_y(key)
            painter.setPen(QPen(QColor(palette.LINE), 1))
            painter.drawLine(QPointF(plot_left, y), QPointF(plot_right, y))
            look = modality(key)
            label_rect = QRectF(26, y - 10, LANE_LABEL_WIDTH - 32, 20)
            draw_marker(painter, look, QPointF(15, y), 9, True)
            painter.setPen(text_pen)
            painter.drawText(label_rect, Qt.AlignmentFlag.AlignVCenter
                             | Qt.AlignmentFlag.AlignLeft, look.short)

        # Date axis.
        painter.setPen(QPen(QColor(palette.MUTED), 1))
        painter.drawLine(QPointF(plot_left, axis_y), QPointF(plot_right, axis_y))
        span_end = self._span_start + dt.timedelta(days=self._span_days)
        pixels_per_day = (plot_right - plot_left) / self._span_days
        weekly = pixels_per_day * 7 >= 58
        ticks = (_week_ticks if weekly else _month_ticks)(self._span_start, span_end)
        painter.setFont(small_font)
        metrics = painter.fontMetrics()
        last_right = -1e9
        for tick, text in zip(ticks, date_tick_labels(ticks), strict=True):
            x = self._x(tick) - pixels_per_day / 2
            painter.setPen(muted_pen)
            painter.drawLine(QPointF(x, axis_y), QPointF(x, axis_y + 4))
            w = metrics.horizontalAdvance(text)
            if x - w / 2 > last_right + 6 and x + w / 2 < width:
                painter.drawText(QRectF(x - w / 2 - 2, axis_y + 5, w + 4, 18),
                                 Qt.AlignmentFlag.AlignHCenter, text)
                last_right = x + w / 2

        # Today, where the course goes on past it: a dotted line and its word by the axis.
        today_x = self.today_x()
        if today_x is not None:
            painter.setPen(QPen(QColor(palette.MUTED), 1, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(today_x, PAD_TOP + 14), QPointF(today_x, axis_y))
            painter.setFont(small_font)
            painter.setPen(muted_pen)
            word = TODAY_WORD
            w = painter.fontMetrics().horizontalAdvance(word)
            left = today_x + 4 if today_x + 4 + w <= plot_right else today_x - 4 - w
            painter.drawText(QRectF(left, axis_y - 16, w + 2, 14),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, word)

        # Notes, then doses on top.
        for note in line.notes:
            draw_marker(painter, modality(note.modality),
                        QPointF(self._x(note.day), self._lane_y(note.modality)), MARKER,
                        note.signed)
        painter.setFont(bold_font)
        y = self._lane_y("dosing")
        for dose in doses:
            draw_marker(painter, DOSING, QPointF(self._x(dose.day), y), MARKER,
                        dose.status != "draft")

        painter.setPen(text_pen)
        for left, right, text in self.dose_labels():
            painter.drawText(QRectF(left - 0.5, PAD_TOP - 2, right - left + 1, 16),
                             Qt.AlignmentFlag.AlignHCenter, text)

    def _fonts(self) -> tuple[QFont, QFont]:
        """The lanes' and axis's small font, and the dose labels' bold one."""
        small = QFont(self.font())
        small.setPointSizeF(max(7.5, self.font().pointSizeF() * 0.88))
        bold = QFont(small)
        bold.setBold(True)
        return small, bold

    def dose_labels(self) -> list[tuple[float, float, str]]:
        """Each dose's label (left, right, text) at the widget's width: doses too close to
        label apart share one ("D1–2"), as on the charts, never one dropped."""
        metrics = QFontMetricsF(self._fonts()[1])

        def label(group: Sequence[DoseMark]) -> str:
            return dose_numbers_label([d.number for d in group])

        def extent(group: Sequence[DoseMark]) -> tuple[float, float]:
            centre = (self._x(group[0].day) + self._x(group[-1].day)) / 2
            half = metrics.horizontalAdvance(label(group)) / 2 + 1.5
            return centre - half, centre + half

        ordered = sorted(self.line.doses, key=lambda d: (d.day, d.number))
        return [(*extent(group), label(group)) for group in touching_groups(ordered, extent)]

    def tooltip_at(self, x: float, y: float) -> str:
        """What the marker under (x, y) is, in words; "" when there is none."""
        best: tuple[float, str] | None = None
        for dose in self.line.doses:
            d = math.hypot(self._x(dose.day) - x, self._lane_y("dosing") - y)
            if d <= MARKER and (best is None or d < best[0]):
                status = {"signed": "note signed", "draft": "note in draft"}.get(
                    dose.status, "no note yet")
                best = (d, f"Dosing session {dose.label} · {date_text(dose.day)} · {status}")
        for note in self.line.notes:
            d = math.hypot(self._x(note.day) - x, self._lane_y(note.modality) - y)
            if d <= MARKER and (best is None or d < best[0]):
                look = modality(note.modality)
                follows = (f" · {note.days_after} day{'s' if note.days_after != 1 else ''} "
                           f"after {note.follows}") if note.follows else ""
                state = "signed" if note.signed else "draft, not signed"
                best = (d, f"{look.label} · {date_text(note.day)}{follows} · {state}")
        if best is None and self.line.today is not None:
            today_x = self.today_x()
            if today_x is not None and abs(today_x - x) <= 4:
                return (f"Today, {date_text(self.line.today)}: the course is planned to "
                        f"end {date_text(self.line.end)}")
        return best[1] if best else ""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            text = self.tooltip_at(event.pos().x(), event.pos().y())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)
