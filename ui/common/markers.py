"""The marker of each kind of session: one shape and colour per modality, hollow if unsigned."""

from __future__ import annotations

import functools
import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from reports import palette
from ui.common.style import Modality, modality


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
    painter.setBrush(QBrush(look.colour) if filled else QBrush(QColor(palette.SURFACE)))
    painter.drawPath(path)


@functools.cache
def _sprite(key: str, filled: bool, size: float, ratio: float) -> QPixmap:
    side = math.ceil(size * 1.6) + 4  # room for the widest shape and its outline
    pixmap = QPixmap(math.ceil(side * ratio), math.ceil(side * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    paint_marker(painter, modality(key), QPointF(side / 2, side / 2), size, filled)
    painter.end()
    return pixmap


def draw_marker(painter: QPainter, look: Modality, centre: QPointF, size: float,
                filled: bool) -> None:
    """paint_marker, from a picture drawn once per kind, fill and size: a timeline of a
    long record draws hundreds of markers on every paint."""
    device = painter.device()
    ratio = device.devicePixelRatioF() if device is not None else 1.0
    sprite = _sprite(look.key, filled, size, ratio)
    half = sprite.width() / ratio / 2
    painter.drawPixmap(QPointF(centre.x() - half, centre.y() - half), sprite)


def marker_pixmap(look: Modality, filled: bool = True, size: int = 14) -> QPixmap:
    """A small marker image for legends and table cells."""
    pixmap = QPixmap(size + 4, size + 4)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    paint_marker(painter, look, QPointF((size + 4) / 2, (size + 4) / 2), size - 2, filled)
    painter.end()
    return pixmap
