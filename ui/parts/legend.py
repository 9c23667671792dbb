"""The map's legend: Self, each type's shape and colour, each relation's line, and what
marks a past map; laid out in as many rows as the width needs."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from models.clinical.parts_map import SELF_ENERGY_NOTE
from models.vocabulary import DIRECTED_RELATIONS, PART_RELATIONS, PART_TYPES
from reports import palette
from reports.palette import part_look, relation_look
from ui.parts.map_items import PEN_STYLES, part_path

_SWATCH = 18
_GAP = 16
_ROW = 22
_WRAP = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap)


@dataclass(frozen=True)
class _Entry:
    kind: str  # "self", "part", "relation", "changed", "later"
    code: str
    text: str


class MapLegend(QWidget):
    """Wraps its entries to the width it is given; the Self-energy note closes it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = False
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.setAccessibleName("Legend")
        self._update_text()

    def set_history(self, history: bool) -> None:
        """Show, or leave out, what marks a past map."""
        if history != self.history:
            self.history = history
            self._update_text()
            self.updateGeometry()
            self.update()

    def entries(self) -> list[_Entry]:
        items = [_Entry("self", "", "Self (size: Self-energy)")]
        items += [_Entry("part", t.code, t.label) for t in PART_TYPES]
        items += [_Entry("relation", t.code, t.label + (" →" if t.code in DIRECTED_RELATIONS
                                                       else "")) for t in PART_RELATIONS]
        if self.history:
            items += [_Entry("changed", "", "Status changed since"),
                      _Entry("gone", "", "Relation gone since"),
                      _Entry("later", "", "Added later")]
        return items

    def _update_text(self) -> None:
        self.setToolTip(SELF_ENERGY_NOTE)
        self.setAccessibleDescription(", ".join(e.text for e in self.entries())
                                      + ". " + SELF_ENERGY_NOTE)

    def _layout(self, width: int) -> list[tuple[_Entry, QRectF]]:
        metrics = QFontMetrics(self.font())
        x, y = 0.0, 0.0
        placed = []
        for entry in self.entries():
            w = _SWATCH + 6 + metrics.horizontalAdvance(entry.text)
            if x and x + w > width:
                x, y = 0.0, y + _ROW
            placed.append((entry, QRectF(x, y, w, _ROW)))
            x += w + _GAP
        return placed

    def hasHeightForWidth(self) -> bool:
        return True

    def _note_font(self) -> QFont:
        font = QFont(self.font())
        font.setItalic(True)
        return font

    def _note_rect(self, width: int) -> QRect:
        """Where the Self-energy note goes under the entries: as many lines as it needs
        (cut short, it read "not a validated measu…")."""
        placed = self._layout(width)
        top = int(placed[-1][1].bottom()) if placed else 0
        lines = QFontMetrics(self._note_font()).boundingRect(
            QRect(0, 0, max(width, 1), 10_000), _WRAP, SELF_ENERGY_NOTE)
        return QRect(0, top, max(width, 1), max(lines.height() + 4, _ROW))

    def heightForWidth(self, width: int) -> int:
        return self._note_rect(width).bottom() + 2

    def sizeHint(self) -> QSize:
        return QSize(400, self.heightForWidth(max(self.width(), 400)))

    def minimumSizeHint(self) -> QSize:
        return QSize(120, self.heightForWidth(max(self.width(), 120)))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for entry, rect in self._layout(self.width()):
            centre = QPointF(rect.left() + _SWATCH / 2, rect.top() + _ROW / 2)
            painter.save()
            painter.translate(centre)
            self._swatch(painter, entry)
            painter.restore()
            painter.setPen(QColor(palette.MUTED))
            painter.drawText(QRectF(rect.left() + _SWATCH + 6, rect.top(), rect.width(),
                                    _ROW), Qt.AlignmentFlag.AlignVCenter, entry.text)
        painter.setPen(QColor(palette.MUTED))
        painter.setFont(self._note_font())
        painter.drawText(self._note_rect(self.width()), _WRAP, SELF_ENERGY_NOTE)
        painter.end()

    @staticmethod
    def _swatch(painter: QPainter, entry: _Entry) -> None:
        if entry.kind == "self":
            painter.setPen(QPen(QColor(palette.SELF_EDGE), 1.6))
            painter.setBrush(QColor(palette.SELF_FILL))
            painter.drawEllipse(QPointF(0, 0), 7.5, 7.5)
        elif entry.kind == "part":
            look = part_look(entry.code)
            pen = QPen(QColor(look.edge), 1.5)
            if look.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(QColor(look.fill))
            painter.drawPath(part_path(look.shape, 15))
        elif entry.kind == "relation":
            line = relation_look(entry.code)
            painter.setPen(QPen(QColor(line.colour), line.width, PEN_STYLES[line.style]))
            painter.drawLine(QPointF(-9, 0), QPointF(9, 0))
        elif entry.kind == "changed":
            painter.setPen(QPen(QColor(palette.MAP_CHANGED), 1.6, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(0, 0), 7.5, 7.5)
        elif entry.kind == "gone":
            painter.setPen(QPen(QColor(palette.MAP_CHANGED), 2.2))
            painter.drawLine(QPointF(-5, -5), QPointF(5, 5))
            painter.drawLine(QPointF(-5, 5), QPointF(5, -5))
        else:
            painter.setPen(QPen(QColor(palette.MAP_LATER), 1.4, Qt.PenStyle.DashLine))
            painter.setBrush(QColor("white"))
            painter.drawRoundedRect(QRectF(-7, -7, 14, 14), 3, 3)
