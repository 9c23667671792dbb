"""The Overview tab: the counts that matter and each course of care as a timeline.

Each course is drawn as lanes on a shared date axis: dosing sessions (D1..Dn) on the top
lane, then one lane per kind of session (preparation, EMDR, ART, IFS, general). A kind is
told apart by its lane label, its marker shape and an Okabe-Ito colour; a hollow marker
is a note not yet signed.
"""

from __future__ import annotations

import datetime as dt
import math

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QHelpEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from models.dto import ClientChart
from models.formatting import date_text, day_month, month_year
from ui.chart.care import CourseLine, Figures, course_lines, figures
from ui.common import style
from ui.common.style import DOSING, MODALITIES, MODALITY_ORDER, Modality

LANE_LABEL_WIDTH = 132
DOSE_LANE = 40
LANE = 26
AXIS = 30
PAD_TOP = 6
PAD_RIGHT = 20
MARKER = 11


def marker_path(shape: str, centre: QPointF, size: float) -> QPainterPath:
    """The outline of one marker shape, `size` pixels across, centred on `centre`."""
    r = size / 2
    x, y = centre.x(), centre.y()
    path = QPainterPath()
    if shape == "circle":
        path.addEllipse(centre, r, r)
    elif shape == "square":
        path.addRect(QRectF(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8))
    elif shape == "diamond":
        path.addPolygon(QPolygonF([QPointF(x, y - r * 1.25), QPointF(x + r * 1.25, y),
                                   QPointF(x, y + r * 1.25), QPointF(x - r * 1.25, y)]))
        path.closeSubpath()
    elif shape in ("triangle", "triangle_down"):
        s = -1 if shape == "triangle" else 1
        path.addPolygon(QPolygonF([QPointF(x, y + s * r * 1.15),
                                   QPointF(x + r * 1.1, y - s * r * 0.85),
                                   QPointF(x - r * 1.1, y - s * r * 0.85)]))
        path.closeSubpath()
    else:  # hexagon
        points = [QPointF(x + r * math.cos(math.pi / 3 * k), y + r * math.sin(math.pi / 3 * k))
                  for k in range(6)]
        path.addPolygon(QPolygonF(points))
        path.closeSubpath()
    return path


def paint_marker(painter: QPainter, look: Modality, centre: QPointF, size: float,
                 filled: bool) -> None:
    path = marker_path(look.shape, centre, size)
    painter.setPen(QPen(look.colour.darker(125), 1.6))
    painter.setBrush(QBrush(look.colour) if filled else QBrush(QColor(style.SURFACE)))
    painter.drawPath(path)


def marker_pixmap(look: Modality, filled: bool = True, size: int = 14) -> QPixmap:
    """A small marker image for legends and table cells."""
    pixmap = QPixmap(size + 4, size + 4)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    paint_marker(painter, look, QPointF((size + 4) / 2, (size + 4) / 2), size - 2, filled)
    painter.end()
    return pixmap


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
        self.line = line
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(LANE_LABEL_WIDTH + 240)
        self._span_start = line.start - dt.timedelta(days=2)
        span = max(14, (line.end - line.start).days + 4)
        self._span_days = span
        self.setFixedHeight(self._height())
        self.setAccessibleName(f"{line.title} timeline")

    def _height(self) -> int:
        return PAD_TOP + DOSE_LANE + LANE * len(self.line.lanes) + AXIS

    def sizeHint(self) -> QSize:
        return QSize(800, self._height())

    def _x(self, day: dt.date) -> float:
        left = LANE_LABEL_WIDTH
        width = max(1, self.width() - left - PAD_RIGHT)
        return left + width * ((day - self._span_start).days + 0.5) / self._span_days

    def _lane_y(self, key: str) -> float:
        if key == "dosing":
            return PAD_TOP + DOSE_LANE * 0.62
        return PAD_TOP + DOSE_LANE + LANE * self.line.lanes.index(key) + LANE / 2

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        line = self.line
        width = self.width()
        plot_left = LANE_LABEL_WIDTH
        plot_right = width - PAD_RIGHT
        axis_y = PAD_TOP + DOSE_LANE + LANE * len(line.lanes) + 4
        text_pen = QPen(QColor(style.INK))
        muted_pen = QPen(QColor(style.MUTED))
        base_font = QFont(self.font())
        small_font = QFont(base_font)
        small_font.setPointSizeF(max(7.5, base_font.pointSizeF() * 0.88))
        bold_font = QFont(small_font)
        bold_font.setBold(True)

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
            painter.setPen(QPen(QColor(style.LINE), 1))
            painter.drawLine(QPointF(plot_left, y), QPointF(plot_right, y))
            look = DOSING if key == "dosing" else MODALITIES[key]
            label_rect = QRectF(26, y - 10, LANE_LABEL_WIDTH - 32, 20)
            paint_marker(painter, look, QPointF(15, y), 9, True)
            painter.setPen(text_pen)
            painter.drawText(label_rect, Qt.AlignmentFlag.AlignVCenter
                             | Qt.AlignmentFlag.AlignLeft, look.short)

        # Date axis.
        painter.setPen(QPen(QColor(style.MUTED), 1))
        painter.drawLine(QPointF(plot_left, axis_y), QPointF(plot_right, axis_y))
        span_end = self._span_start + dt.timedelta(days=self._span_days)
        pixels_per_day = (plot_right - plot_left) / self._span_days
        weekly = pixels_per_day * 7 >= 58
        ticks = (_week_ticks if weekly else _month_ticks)(self._span_start, span_end)
        tick_text = day_month if weekly else month_year
        painter.setFont(small_font)
        metrics = painter.fontMetrics()
        last_right = -1e9
        for tick in ticks:
            x = self._x(tick) - pixels_per_day / 2
            painter.setPen(muted_pen)
            painter.drawLine(QPointF(x, axis_y), QPointF(x, axis_y + 4))
            text = tick_text(tick)
            w = metrics.horizontalAdvance(text)
            if x - w / 2 > last_right + 6 and x + w / 2 < width:
                painter.drawText(QRectF(x - w / 2 - 2, axis_y + 5, w + 4, 18),
                                 Qt.AlignmentFlag.AlignHCenter, text)
                last_right = x + w / 2

        # Notes, then doses on top.
        for note in line.notes:
            paint_marker(painter, MODALITIES[note.modality],
                         QPointF(self._x(note.day), self._lane_y(note.modality)), MARKER,
                         note.signed)
        painter.setFont(bold_font)
        metrics = painter.fontMetrics()
        y = self._lane_y("dosing")
        last_right = -1e9
        for dose in doses:
            x = self._x(dose.day)
            paint_marker(painter, DOSING, QPointF(x, y), MARKER, dose.status != "draft")
            w = metrics.horizontalAdvance(dose.label)
            if x - w / 2 > last_right + 3:
                painter.setPen(text_pen)
                painter.drawText(QRectF(x - w / 2 - 2, PAD_TOP - 2, w + 4, 16),
                                 Qt.AlignmentFlag.AlignHCenter, dose.label)
                last_right = x + w / 2
        painter.end()

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
                look = MODALITIES[note.modality]
                follows = (f" · {note.days_after} day{'s' if note.days_after != 1 else ''} "
                           f"after {note.follows}") if note.follows else ""
                state = "signed" if note.signed else "draft, not signed"
                best = (d, f"{look.label} · {date_text(note.day)}{follows} · {state}")
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


class FigureTile(QFrame):
    """One count, large, with what it counts underneath."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.setProperty("role", "figure")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(0)
        self.value = QLabel("—")
        self.value.setProperty("role", "figure-value")
        self.label = QLabel(label)
        self.label.setProperty("role", "figure-label")
        layout.addWidget(self.value)
        layout.addWidget(self.label)

    def set_value(self, text: str, *, attention: bool = False) -> None:
        self.value.setText(text)
        role = "figure-value-attention" if attention else "figure-value"
        if self.value.property("role") != role:
            self.value.setProperty("role", role)
            self.value.style().unpolish(self.value)
            self.value.style().polish(self.value)


class Legend(QWidget):
    """Marker, colour and name for each kind of session, and what hollow means."""

    def __init__(self) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        for look in (DOSING, *(MODALITIES[k] for k in MODALITY_ORDER)):
            layout.addWidget(self._item(look, True, look.label))
        layout.addWidget(self._item(MODALITIES["emdr"], False, "Hollow: note not signed"))
        layout.addStretch(1)

    @staticmethod
    def _item(look: Modality, filled: bool, text: str) -> QWidget:
        item = QWidget()
        row = QHBoxLayout(item)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        icon = QLabel()
        icon.setPixmap(marker_pixmap(look, filled))
        label = QLabel(text)
        label.setProperty("role", "subtle")
        row.addWidget(icon)
        row.addWidget(label)
        return item


class OverviewTab(QWidget):
    """Counts at the top, then one timeline card per course of care."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles = {
            "dosing": FigureTile("Dosing sessions"),
            "other": FigureTile("Other sessions"),
            "signed": FigureTile("Signed notes"),
            "unsigned": FigureTile("Unsigned notes"),
            "targets": FigureTile("Open targets"),
            "last_dose": FigureTile("Last dose"),
        }
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        for column, tile in enumerate(self.tiles.values()):
            grid.addWidget(tile, 0, column)
            grid.setColumnStretch(column, 1)
        self.legend = Legend()
        self.courses_box = QWidget()
        self.courses_layout = QVBoxLayout(self.courses_box)
        self.courses_layout.setContentsMargins(0, 0, 0, 0)
        self.courses_layout.setSpacing(12)
        self.courses_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(self.courses_box)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Let the white tab page show through behind the cards.
        self.scroll_area.viewport().setAutoFillBackground(False)
        self.courses_box.setAutoFillBackground(False)
        self.empty = QLabel()
        self.empty.setProperty("role", "placeholder")
        self.empty.setWordWrap(True)
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 8)
        layout.setSpacing(12)
        layout.addLayout(grid)
        layout.addWidget(self.legend)
        layout.addWidget(self.empty)
        layout.addWidget(self.scroll_area, 1)
        self.timelines: list[CourseTimeline] = []

    def add_panel(self, widget: QWidget) -> None:
        """Place a panel (the measure sparklines) between the counts and the timelines."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, widget)

    def clear(self) -> None:
        for tile in self.tiles.values():
            tile.set_value("—")
        self._clear_courses()

    def _clear_courses(self) -> None:
        self.timelines = []
        while self.courses_layout.count() > 1:
            item = self.courses_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def set_chart(self, chart: ClientChart, today: dt.date | None = None) -> None:
        self._show_figures(figures(chart))
        self._clear_courses()
        lines = course_lines(chart, today)
        self.empty.setVisible(not lines)
        self.empty.setText(
            "No course of care has been started for this client yet. Courses, dosing "
            "sessions and notes will appear here as a timeline.")
        for index, line in enumerate(lines):
            self.courses_layout.insertWidget(index, self._card(line))
        self.scroll_area.verticalScrollBar().setValue(0)

    def _card(self, line: CourseLine) -> QFrame:
        card = QFrame()
        card.setProperty("role", "card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(4)
        header = QHBoxLayout()
        title = QLabel(line.title)
        title.setProperty("role", "heading")
        subtitle = QLabel(line.subtitle)
        subtitle.setProperty("role", "subtle")
        header.addWidget(title)
        header.addSpacing(12)
        header.addWidget(subtitle, 1, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(header)
        timeline = CourseTimeline(line)
        self.timelines.append(timeline)
        layout.addWidget(timeline)
        return card

    def _show_figures(self, f: Figures) -> None:
        self.tiles["dosing"].set_value(str(f.dosing_sessions))
        self.tiles["other"].set_value(str(f.other_sessions))
        self.tiles["signed"].set_value(str(f.signed_notes))
        self.tiles["unsigned"].set_value(str(f.unsigned_notes), attention=f.unsigned_notes > 0)
        self.tiles["targets"].set_value(str(f.open_targets))
        self.tiles["last_dose"].set_value(date_text(f.last_dose))
