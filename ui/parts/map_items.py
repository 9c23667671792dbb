"""What the parts map is drawn with: Self, a part, a relation, as QGraphicsItems.

Shapes and colours per part type and line styles per relation come from reports.palette
(the matplotlib map in reports/parts_map.py uses the same); sizes, Self's radius, label
sides and relation lanes from models.clinical.parts_map. Scene units are map units.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from models.clinical.parts_map import (
    CHANGED_RING,
    PART_SIZE,
    LabelAsk,
    RelationEnd,
    map_status_text,
    name_lines,
    own_label_spot,
    relation_course,
    relation_key,
    self_energy_text,
    self_radius,
)
from models.dto import MapPartDTO, MapRelationDTO
from models.vocabulary import DIRECTED_RELATIONS, PART_RELATIONS, PART_STATUSES, PART_TYPES
from reports import palette
from reports.palette import label_reach, node_radius, part_look, relation_look

# Below this zoom the names and statuses stop shrinking with the map: they are drawn
# larger in map units, so that on screen they stay as large as at this zoom (as on the
# PDF's map, whose labels keep their size however small the map is drawn). Up to
# MAX_LABEL_SCALE times their size at 1:1 (0.7 of it on screen at the least zoom), so a map
# zoomed far out is not all words.
LEGIBLE_ZOOM = 0.8
MAX_LABEL_SCALE = 3.5


def label_scale(zoom: float) -> float:
    """How much larger than at 1:1 the labels are drawn at a view's `zoom`."""
    if zoom <= 0:
        return 1.0
    return max(1.0, min(MAX_LABEL_SCALE, LEGIBLE_ZOOM / zoom))

PEN_STYLES = {"solid": Qt.PenStyle.SolidLine, "dashed": Qt.PenStyle.DashLine,
               "dotted": Qt.PenStyle.DotLine}
# Items stack: relations at the bottom (a line that crosses the centre passes behind
# Self), then Self, then the parts.
Z_RELATION, Z_SELF, Z_PART = 0.0, 1.0, 2.0


def part_path(shape: str, size: float = PART_SIZE) -> QPainterPath:
    """A part's outline centred on (0, 0): the same shapes as reports/parts_map.py."""
    half = size / 2
    path = QPainterPath()
    if shape == "rounded_square":
        inset = half * 0.82
        path.addRoundedRect(QRectF(-inset, -inset, 2 * inset, 2 * inset), half * 0.3,
                            half * 0.3)
    elif shape == "diamond":
        r = half * 1.12
        path.addPolygon(QPolygonF([QPointF(0, -r), QPointF(r, 0), QPointF(0, r),
                                   QPointF(-r, 0)]))
        path.closeSubpath()
    elif shape == "hexagon":
        r = half * 0.98
        path.addPolygon(QPolygonF([QPointF(r * math.cos(math.radians(90 + 60 * k)),
                                           -r * math.sin(math.radians(90 + 60 * k)))
                                   for k in range(6)]))
        path.closeSubpath()
    else:
        r = half * 0.92
        path.addEllipse(QPointF(0, 0), r, r)
    return path


def _font(point_size: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


NAME_FONT = _font(9.0, bold=True)
STATUS_FONT = _font(7.5)
SELF_FONT = _font(10.0, bold=True)


def _draw_scaled_text(painter: QPainter, rect: QRectF, scale: float,
                      flags: Qt.AlignmentFlag, text: str) -> None:
    """`text` in the painter's font made `scale` times larger, laid out in `rect` (in
    item units, the size it has at that scale)."""
    painter.save()
    painter.translate(rect.topLeft())
    painter.scale(scale, scale)
    painter.drawText(QRectF(0, 0, rect.width() / scale, rect.height() / scale), flags, text)
    painter.restore()


@cache
def _self_width() -> float:
    return QFontMetricsF(SELF_FONT).horizontalAdvance("Self")


@cache
def _metrics(bold: bool) -> QFontMetricsF:
    """Measured once (a map of forty parts lays out eighty labels)."""
    return QFontMetricsF(NAME_FONT if bold else STATUS_FONT)


class SelfItem(QGraphicsItem):
    """Self at the centre: a warm circle sized by the latest Self-energy rating."""

    def __init__(self) -> None:
        super().__init__()
        self.energy: int | None = None
        self.radius = self_radius(None)
        self.label_scale = 1.0
        self.setZValue(Z_SELF)
        self.setToolTip("Self is not a part: the calm centre the work comes from.\n"
                        "Its size follows the latest Self-energy rating, a clinician's "
                        "0–10 rating, not a validated measure.")

    def set_energy(self, energy: int | None) -> None:
        self.prepareGeometryChange()
        self.energy = energy
        self.radius = self_radius(energy)
        self.update()

    def set_label_scale(self, scale: float) -> None:
        if scale != self.label_scale:
            self.prepareGeometryChange()
            self.label_scale = scale
            self.update()

    def text_rects(self) -> list[QRectF]:
        """The circle and the line under it, in the scene: where no part's label goes."""
        r = self.radius
        return [QRectF(-r, -r, 2 * r, 2 * r).translated(self.pos()),
                self._energy_rect().translated(self.pos())]

    def _energy_rect(self) -> QRectF:
        """Where the Self-energy line goes, under the circle (at the labels' scale)."""
        k = self.label_scale
        width = _metrics(False).horizontalAdvance(self_energy_text(self.energy)) + 8
        return QRectF(-width / 2 * k, self.radius + 3, width * k, 16 * k)

    def boundingRect(self) -> QRectF:
        r = self.radius
        return QRectF(-r, -r - 2, 2 * r, 2 * r + 4).united(self._energy_rect())

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(palette.SELF_EDGE), 2.2)
        if self.energy is None:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(QColor(palette.SELF_FILL))
        painter.drawEllipse(QPointF(0, 0), self.radius, self.radius)
        painter.setPen(QColor(palette.INK))
        painter.setFont(SELF_FONT)
        # "Self" grows with the labels while it fits in the circle.
        k = max(1.0, min(self.label_scale, 2 * self.radius * 0.8 / _self_width()))
        _draw_scaled_text(painter, QRectF(-40 * k, -12 * k, 80 * k, 24 * k), k,
                          Qt.AlignmentFlag.AlignCenter, "Self")
        painter.setFont(STATUS_FONT)
        painter.setPen(QColor(palette.CHART_NOTE))
        _draw_scaled_text(painter, self._energy_rect(), self.label_scale,
                          Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                          self_energy_text(self.energy))


class PartItem(QGraphicsItem):
    """One part: its type's shape and colour, its name and status beside it.

    `changed_to` (a past map) marks a status that is different today; `later` draws a
    part added after the date shown, faint and dashed."""

    def __init__(self, part: MapPartDTO, *, editable: bool) -> None:
        super().__init__()
        self.part = part
        self.changed_to: str | None = None
        self.later = False
        self.relations: list[RelationItem] = []
        self._label_rect = QRectF()
        self.label_scale = 1.0
        self.label_spot: str | None = None  # where its label went: its own side was taken
        self.setZValue(Z_PART)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsFocusable, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges, True)
        self.set_editable(editable)
        self.setPos(part.x, part.y)
        self._layout_labels()

    @property
    def part_id(self) -> int:
        return self.part.id

    def set_editable(self, editable: bool) -> None:
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, editable)
        self.setCursor(Qt.CursorShape.OpenHandCursor if editable else Qt.CursorShape.ArrowCursor)

    def set_part(self, part: MapPartDTO, *, move: bool = True) -> None:
        self.prepareGeometryChange()
        self.part = part
        if move and (self.pos().x(), self.pos().y()) != (part.x, part.y):
            self.setPos(part.x, part.y)
        self._layout_labels()
        self.update()

    def set_marks(self, changed_to: str | None, later: bool) -> None:
        if (changed_to, later) == (self.changed_to, self.later):
            return
        self.prepareGeometryChange()
        self.changed_to, self.later = changed_to, later
        self._layout_labels()
        self.update()

    def status_text(self) -> str:
        return map_status_text(self.part.status, later=self.later, now=self.changed_to)

    def set_label_scale(self, scale: float) -> None:
        if scale != self.label_scale:
            self.prepareGeometryChange()
            self.label_scale = scale
            self._layout_labels()
            self.update()

    def set_label_spot(self, spot: str | None) -> None:
        """Put the label at `spot` (parts_map.LABEL_SPOTS); None: on its own side."""
        if spot != self.label_spot:
            self.prepareGeometryChange()
            self.label_spot = spot
            self._layout_labels()
            self.update()

    def own_label_spot(self) -> str:
        return own_label_spot(self.part.part_type, self.pos().y())

    def label_ask(self) -> LabelAsk:
        """The label as models.clinical.parts_map.place_labels places it, in the scene."""
        names, statuses = _metrics(True), _metrics(False)
        k = self.label_scale
        width = (max(*(names.horizontalAdvance(line) for line in self.name_lines),
                     statuses.horizontalAdvance(self.status_text())) + 8) * k
        height = (self._name_height() + statuses.height() + 2) * k
        return LabelAsk(self.part_id, self.pos().x(), self.pos().y(), width, height,
                        label_reach(self.part.part_type, self.changed_to is not None),
                        self.part.part_type)

    @property
    def name_lines(self) -> tuple[str, ...]:
        return name_lines(self.part.name)

    def _name_height(self) -> float:
        """The name's lines, in item units at 1:1."""
        names = _metrics(True)
        return names.height() + (len(self.name_lines) - 1) * names.lineSpacing()

    def label_rect(self, spot: str | None = None) -> QRectF:
        """Where the name and status go at `spot` (by default where they are), in item
        units."""
        ask = self.label_ask()
        left, top, right, bottom = ask.box(spot or self.label_spot or self.own_label_spot())
        return QRectF(left - ask.x, top - ask.y, right - left, bottom - top)

    def shape_rect(self) -> QRectF:
        """The square the part's shape (and a changed status's ring) fits in, in the
        scene."""
        half = CHANGED_RING
        return QRectF(-half, -half, 2 * half, 2 * half).translated(self.pos())

    def _layout_labels(self) -> None:
        self._label_rect = self.label_rect()

    def boundingRect(self) -> QRectF:
        half = PART_SIZE * 0.72
        return QRectF(-half, -half, 2 * half, 2 * half).united(self._label_rect).adjusted(
            -3, -3, 3, 3)

    def shape(self) -> QPainterPath:
        path = part_path(part_look(self.part.part_type).shape)
        path.addRect(self._label_rect)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        look = part_look(self.part.part_type)
        outline = part_path(look.shape)
        if self.isSelected():
            painter.setPen(QPen(QColor(palette.ACCENT), 6.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(outline)
        pen = QPen(QColor(palette.MAP_LATER if self.later else look.edge),
                   1.3 if self.later else 2.0)
        if look.dashed or self.later:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(QColor("white") if self.later else QColor(look.fill))
        painter.drawPath(outline)
        if self.changed_to is not None:
            ring = QPen(QColor(palette.MAP_CHANGED), 2.0, Qt.PenStyle.DashLine)
            painter.setPen(ring)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(0, 0), CHANGED_RING, CHANGED_RING)
        rect, k = self._label_rect, self.label_scale
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(palette.MAP_BACKGROUND)))
        painter.setOpacity(0.85)
        painter.drawRoundedRect(rect, 3 * k, 3 * k)
        painter.setOpacity(1.0)
        # Beside the shape the lines are aligned on the side toward it; else centred.
        across = {"right": Qt.AlignmentFlag.AlignLeft, "left": Qt.AlignmentFlag.AlignRight}.get(
            self.label_spot or "", Qt.AlignmentFlag.AlignHCenter)
        text = rect.adjusted(4 * k, 0, -4 * k, 0)
        painter.setFont(NAME_FONT)
        painter.setPen(QColor(palette.MAP_LATER if self.later else palette.INK))
        name_rect = QRectF(text.left(), text.top(), text.width(), self._name_height() * k)
        _draw_scaled_text(painter, name_rect, k, across | Qt.AlignmentFlag.AlignVCenter,
                          "\n".join(self.name_lines))
        painter.setFont(STATUS_FONT)
        painter.setPen(QColor(palette.MAP_CHANGED if self.changed_to else
                              palette.MAP_LATER if self.later else palette.MUTED))
        _draw_scaled_text(painter, QRectF(text.left(), name_rect.bottom() + k, text.width(),
                                          text.bottom() - name_rect.bottom() - k), k,
                          across | Qt.AlignmentFlag.AlignTop, self.status_text())

    def tooltip_text(self) -> str:
        part = self.part
        lines = [f"{part.name}: {PART_TYPES.label(part.part_type).lower()}, "
                 f"{PART_STATUSES.label(part.status).lower()}"]
        if part.trust_in_self is not None:
            lines.append(f"Trust in Self {part.trust_in_self}/10")
        return "\n".join(lines)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for relation in self.relations:
                relation.adjust()
            if self.label_spot is None and (
                    (self.own_label_spot() == "below") != (self._label_rect.top() > 0)):
                self.prepareGeometryChange()
                self._layout_labels()
        return super().itemChange(change, value)


class RelationItem(QGraphicsItem):
    """A relation between two parts: an arrow (protects) or a line (polarized, allied),
    in its kind's colour and style; beside any other relation between the same two."""

    def __init__(self, relation: MapRelationDTO, source: PartItem, target: PartItem,
                 lane: float = 0.0, self_energy: int | None = None) -> None:
        super().__init__()
        self.relation = relation
        self.source, self.target = source, target
        self.lane = lane
        self.self_energy = self_energy  # Self's size: a line that would cross it bends
        self.gone = False  # on a past map: this relation is not on the map today
        self.later = False  # on a past map: a relation added since
        self.line = QLineF()  # from where it leaves one part to where it reaches the other
        self.control: QPointF | None = None  # the bend round Self, if it needs one
        self.path = QPainterPath()
        self.setZValue(Z_RELATION)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        source.relations.append(self)
        target.relations.append(self)
        look = relation_look(relation.kind)
        self.setToolTip(PART_RELATIONS.label(relation.kind))
        self._pen = QPen(QColor(look.colour), look.width, PEN_STYLES[look.style],
                         Qt.PenCapStyle.RoundCap)
        self.adjust()

    @property
    def key(self) -> tuple[str, int, int]:
        r = self.relation
        return relation_key(r.kind, r.from_part_id, r.to_part_id)

    def detach(self) -> None:
        for end in (self.source, self.target):
            if self in end.relations:
                end.relations.remove(self)

    def set_marks(self, *, gone: bool = False, later: bool = False) -> None:
        self.gone, self.later = gone, later
        self.update()

    def adjust(self) -> None:
        """Follow the two parts: from outside one shape to outside the other, beside any
        other relation between them, and round Self rather than across it."""
        a, b = self.source.pos(), self.target.pos()
        self.prepareGeometryChange()
        self.path = QPainterPath()
        self.control = None
        course = relation_course(
            RelationEnd(self.source.part_id, a.x(), a.y(),
                        node_radius(self.source.part.part_type)),
            RelationEnd(self.target.part_id, b.x(), b.y(),
                        node_radius(self.target.part.part_type)),
            self.lane, self.self_energy)
        if course is None:
            self.line = QLineF()
            return
        start, bend, end = course
        p1, p2 = QPointF(*start), QPointF(*end)
        if bend is not None:
            self.control = QPointF(*bend)
        self.line = QLineF(p1, p2)
        self.path.moveTo(p1)
        if self.control is not None:
            self.path.quadTo(self.control, p2)
        else:
            self.path.lineTo(p2)

    def _head(self) -> QPolygonF:
        tip = self.line.p2()
        before = self.control if self.control is not None else self.line.p1()
        angle = math.atan2(tip.y() - before.y(), tip.x() - before.x())
        size = 11.0
        left = QPointF(tip.x() - size * math.cos(angle - 0.42),
                       tip.y() - size * math.sin(angle - 0.42))
        right = QPointF(tip.x() - size * math.cos(angle + 0.42),
                        tip.y() - size * math.sin(angle + 0.42))
        return QPolygonF([tip, left, right])

    def middle(self) -> QPointF:
        return self.path.pointAtPercent(0.5) if not self.path.isEmpty() else QPointF()

    def boundingRect(self) -> QRectF:
        return self.path.boundingRect().adjusted(-14, -14, 14, 14)

    def shape(self) -> QPainterPath:
        if self.path.isEmpty():
            return QPainterPath()
        stroker = QPainterPathStroker()
        stroker.setWidth(12.0)  # easy to click, thin to see
        return stroker.createStroke(self.path)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if self.line.isNull():
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self.isSelected():
            painter.setPen(QPen(QColor(palette.ACCENT), 7.0, Qt.PenStyle.SolidLine,
                                Qt.PenCapStyle.RoundCap))
            painter.setOpacity(0.35)
            painter.drawPath(self.path)
            painter.setOpacity(1.0)
        pen = QPen(self._pen)
        if self.later:
            pen = QPen(QColor(palette.MAP_LATER), 1.4, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawPath(self.path)
        if self.relation.kind in DIRECTED_RELATIONS:
            painter.setPen(QPen(pen.color(), 1.0))
            painter.setBrush(pen.color())
            painter.drawPolygon(self._head())
        if self.gone:
            middle = self.middle()
            painter.setPen(QPen(QColor(palette.MAP_CHANGED), 2.6))
            for dx, dy in ((-6, -6), (-6, 6)):
                painter.drawLine(QLineF(middle.x() + dx, middle.y() + dy,
                                        middle.x() - dx, middle.y() - dy))
