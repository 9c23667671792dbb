"""The parts map on a QGraphicsScene, and the view that zooms, pans and takes the keyboard.

The scene shows a `models.clinical.parts_map.PartsMap` and keeps its items when the map
is shown again (a reload after a write): items are matched by part id, so selection,
zoom and a drag in progress survive. It reports what the therapist does (parts dragged,
a part double-clicked, a Shift-drag from one part to another); the editor turns that
into undoable commands.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QLineF, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsLineItem,
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
    QWidget,
)

from models.clinical.parts_map import (
    EXILE_RING,
    PROTECTOR_RING,
    Box,
    MapDifferences,
    PartsMap,
    labels_collide,
    line_boxes,
    place_labels,
    relation_key,
    relation_lanes,
)
from models.dto import MapRelationDTO
from reports import palette
from ui.parts.map_items import PartItem, RelationItem, SelfItem, label_scale

Positions = dict[int, tuple[float, float]]
NUDGE = 10.0  # map units an arrow key moves a part; Shift: a tenth
ZOOM_STEP = 1.25
ZOOM_RANGE = (0.2, 5.0)


def _line_boxes(relation: RelationItem) -> list[Box]:
    line, bend = relation.line, relation.control
    if line.isNull():
        return []
    return line_boxes((line.x1(), line.y1()), (bend.x(), bend.y()) if bend is not None
                      else None, (line.x2(), line.y2()))


def _box(rect: QRectF) -> Box:
    return (rect.left(), rect.top(), rect.right(), rect.bottom())


class MapScene(QGraphicsScene):
    """Self, the parts and their relations; what the therapist does, as signals."""

    parts_moved = Signal(object, object)  # (positions before, positions after)
    part_activated = Signal(int)  # double-clicked: edit it
    relation_activated = Signal(object)  # double-clicked: its key
    connect_dragged = Signal(int, int, object)  # Shift-drag from a part to another, at
    menu_requested = Signal(QPoint)  # a right-click (or the menu key): where, on screen

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackgroundBrush(QColor(palette.MAP_BACKGROUND))
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)  # few, moving items
        self.self_item = SelfItem()
        self.addItem(self.self_item)
        self.parts: dict[int, PartItem] = {}
        self.relations: dict[tuple[str, int, int], RelationItem] = {}
        self.editable = True
        self.shown: PartsMap | None = None
        self._press: Positions = {}
        self._link: QGraphicsLineItem | None = None
        self._link_from: PartItem | None = None
        self._guides = True
        # The labels' size against 1:1 the view's zoom asks for (a crowded map draws them
        # at 1:1 whatever it asks: settle_labels).
        self.label_scale = 1.0

    # -- showing a map ----------------------------------------------------------------------

    def show_map(self, shown: PartsMap, *, editable: bool,
                 differences: MapDifferences | None = None,
                 keep_positions: Iterable[int] = ()) -> None:
        """Draw `shown`, reusing the items of parts already here. Parts in
        `keep_positions` (moves not saved yet) stay where they are."""
        self.shown = shown
        self.editable = editable
        keep = set(keep_positions)
        self.self_item.set_energy(shown.self_energy)
        later = {p.id: p for p in differences.parts_added} if differences else {}
        changed = {s.part_id: s.now for s in differences.statuses_changed} \
            if differences else {}
        wanted = {p.id: p for p in shown.parts}
        wanted.update({pid: p for pid, p in later.items() if pid not in wanted})
        for part_id in list(self.parts):
            if part_id not in wanted:
                self.removeItem(self.parts.pop(part_id))
        for part_id, part in wanted.items():
            found = self.parts.get(part_id)
            if found is not None:
                item = found
                item.set_part(part, move=part_id not in keep)
                item.set_editable(editable)
            else:
                item = PartItem(part, editable=editable)
                item.set_label_scale(self.label_scale)
                self.parts[part_id] = item
                self.addItem(item)
            item.set_marks(changed.get(part_id), part_id in later)
            if part_id in later:
                item.set_editable(False)
            item.setToolTip(item.tooltip_text())
        self._show_relations(shown.relations, differences)
        self.settle_labels()
        self.update()

    def _show_relations(self, relations: Iterable[MapRelationDTO],
                        differences: MapDifferences | None) -> None:
        selected = {key for key, item in self.relations.items() if item.isSelected()}
        for item in self.relations.values():
            item.detach()
            self.removeItem(item)
        self.relations.clear()
        everything = list(relations)
        added = list(differences.relations_added) if differences else []
        gone = differences.removed_relation_keys() if differences else set()
        lanes = relation_lanes([*everything, *added])
        for relation, is_later in [*((r, False) for r in everything),
                                   *((r, True) for r in added)]:
            source = self.parts.get(relation.from_part_id)
            target = self.parts.get(relation.to_part_id)
            if source is None or target is None:
                continue
            key = relation_key(relation.kind, relation.from_part_id, relation.to_part_id)
            energy = self.shown.self_energy if self.shown is not None else None
            item = RelationItem(relation, source, target, lanes.get(key, 0.0), energy)
            item.set_marks(gone=key in gone, later=is_later)
            item.setFlag(item.GraphicsItemFlag.ItemIsSelectable, self.editable and not is_later)
            self.relations[key] = item
            self.addItem(item)
            item.setSelected(key in selected)

    def set_label_scale(self, scale: float, *, settle: bool = True) -> None:
        """Draw the names and statuses `scale` times their size at 1:1 where they have the
        room (and place them again, unless `settle` is False: a step on the way to
        another scale)."""
        if scale == self.label_scale:
            return
        self.label_scale = scale
        self._draw_labels_at(scale)
        if settle:
            self.settle_labels()

    def _draw_labels_at(self, scale: float) -> None:
        self.self_item.set_label_scale(scale)
        for item in self.parts.values():
            item.set_label_scale(scale)

    def settle_labels(self) -> None:
        """Each part's label where it covers least of the other parts, Self, the other
        labels and the lines (models.clinical.parts_map.place_labels). When the labels,
        grown to stay legible, cannot all find a clear place (a crowded map zoomed out),
        they are drawn at their 1:1 size instead: smaller words rather than words over
        the parts."""
        self._draw_labels_at(self.label_scale)
        if self._place_labels() and self.label_scale > 1.0:
            self._draw_labels_at(1.0)
            self._place_labels()

    def _place_labels(self) -> bool:
        """Place every label; whether any lies over another label, another part or Self."""
        items = list(self.parts.values())
        lines = [box for relation in self.relations.values() for box in _line_boxes(relation)]
        asks = [item.label_ask() for item in items]
        shapes = {item.part_id: _box(item.shape_rect()) for item in items}
        clear = [_box(rect) for rect in self.self_item.text_rects()]
        spots = place_labels(asks, shapes, clear, lines)
        for item in items:
            spot = spots[item.part_id]
            item.set_label_spot(None if spot == item.own_label_spot() else spot)
        return labels_collide(asks, spots, shapes, clear)

    def map_rect(self) -> QRectF:
        """Everything on the map, with a margin: what Fit shows."""
        rect = self.self_item.sceneBoundingRect()
        for item in self.parts.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect.adjusted(-40, -40, 40, 40)

    # -- selection ---------------------------------------------------------------------------

    def selected_part_ids(self) -> list[int]:
        return [pid for pid, item in self.parts.items()
                if item.isSelected() and not item.later]

    def selected_relation_keys(self) -> list[tuple[str, int, int]]:
        return [key for key, item in self.relations.items() if item.isSelected()]

    def select_parts(self, part_ids: Iterable[int]) -> None:
        wanted = set(part_ids)
        for item in self.selectedItems():
            if not isinstance(item, PartItem) or item.part_id not in wanted:
                item.setSelected(False)
        for part_id in wanted:
            part = self.parts.get(part_id)
            if part is not None:
                part.setSelected(True)

    def positions(self, part_ids: Iterable[int]) -> Positions:
        return {pid: (self.parts[pid].pos().x(), self.parts[pid].pos().y())
                for pid in part_ids if pid in self.parts}

    def place(self, positions: Positions) -> None:
        for part_id, (x, y) in positions.items():
            item = self.parts.get(part_id)
            if item is not None:
                item.setPos(x, y)

    # -- the mouse ---------------------------------------------------------------------------

    def _part_at(self, point: QPointF) -> PartItem | None:
        for item in self.items(point):
            if isinstance(item, PartItem) and not item.later:
                return item
        return None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        part = self._part_at(event.scenePos())
        if (self.editable and part is not None
                and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                and event.button() == Qt.MouseButton.LeftButton):
            # Shift-drag from a part draws a relation to the part it ends on.
            self._link_from = part
            self._link = QGraphicsLineItem(QLineF(part.pos(), event.scenePos()))
            self._link.setPen(QPen(QColor(palette.ACCENT), 2.0, Qt.PenStyle.DashLine))
            self._link.setZValue(10)
            self.addItem(self._link)
            event.accept()
            return
        super().mousePressEvent(event)
        if self.editable:
            self._press = self.positions(self.selected_part_ids())

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._link is not None and self._link_from is not None:
            self._link.setLine(QLineF(self._link_from.pos(), event.scenePos()))
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._link is not None and self._link_from is not None:
            start = self._link_from
            self.removeItem(self._link)
            self._link, self._link_from = None, None
            end = self._part_at(event.scenePos())
            if end is not None and end is not start:
                self.connect_dragged.emit(start.part_id, end.part_id, event.screenPos())
            return
        super().mouseReleaseEvent(event)
        if self.editable and self._press:
            after = self.positions(self._press)
            moved = {pid for pid in after if after[pid] != self._press[pid]}
            if moved:
                self.parts_moved.emit({p: self._press[p] for p in moved},
                                      {p: after[p] for p in moved})
        self._press = {}

    def _relation_at(self, point: QPointF) -> RelationItem | None:
        for item in self.items(point):
            if isinstance(item, RelationItem) and not item.later:
                return item
        return None

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        part = self._part_at(event.scenePos())
        if part is not None:
            self.part_activated.emit(part.part_id)
            return
        relation = self._relation_at(event.scenePos())
        if relation is not None:
            self.relation_activated.emit(relation.key)
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:
        """A right-click acts on what it is on: that part or relation is chosen, unless it
        is among those chosen already; on the empty map nothing stays chosen. The menu key
        acts on what is chosen."""
        if event.reason() == QGraphicsSceneContextMenuEvent.Reason.Mouse:
            at = event.scenePos()
            target = self._part_at(at) or self._relation_at(at)
            if target is None or not target.isSelected():
                self.clearSelection()
            if target is not None:
                target.setSelected(True)
        self.menu_requested.emit(event.screenPos())
        event.accept()

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        super().drawBackground(painter, rect)
        if not self._guides:
            return
        # Faint rings where protectors and exiles are placed: a hint, not a rule.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(palette.MAP_GUIDE), 1.0))
        for radius in (PROTECTOR_RING, EXILE_RING):
            painter.drawEllipse(QPointF(0, 0), radius, radius)


class MapView(QGraphicsView):
    """Zoom (Ctrl+wheel, +/−), pan (drag the background, arrows with nothing selected),
    and the keyboard: Tab to the next part, arrows move the chosen parts, Enter edits,
    Delete takes off the map (the editor's actions)."""

    nudged = Signal(object, object)  # arrow keys moved parts: (before, after)
    zoom_changed = Signal(float)

    def __init__(self, scene: MapScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.map_scene = scene
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Parts map")
        self.setSceneRect(QRectF(-3000, -3000, 6000, 6000))
        # The map fits the view, as the view is resized, until the therapist zooms.
        self.auto_fit = True
        self._scrolled_from = (0, 0)

    @property
    def zoom(self) -> float:
        return float(self.transform().m11())

    def set_zoom(self, factor: float) -> None:
        factor = max(ZOOM_RANGE[0], min(ZOOM_RANGE[1], factor))
        self.setTransform(self.transform().fromScale(factor, factor))
        self.map_scene.set_label_scale(label_scale(factor))
        self.zoom_changed.emit(factor)

    def zoom_in(self) -> None:
        self.auto_fit = False
        self.set_zoom(self.zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.auto_fit = False
        self.set_zoom(self.zoom / ZOOM_STEP)

    def fit(self) -> None:
        """The whole map in view (never larger than 1:1, so a small map is not blown up),
        and kept in view as the window is resized, until the next zoom."""
        self.auto_fit = True
        self._fit_now()

    def _fit_now(self) -> None:
        if self.viewport().width() < 20 or self.viewport().height() < 20:
            return
        # Zoomed out, the labels grow in map units (to stay legible), and so does the map.
        # Fit the map with its labels at 1:1, then once more with the labels at the size
        # that zoom gives them. Fitting until nothing moves would shrink the map for the
        # labels' sake; the map's margin takes what they grow by at the second zoom.
        # (Placed at the first zoom, the labels may find no room to grow, and keep their
        # 1:1 size: the second fit is made with the labels as they are drawn.)
        scene = self.map_scene
        scene.set_label_scale(1.0, settle=False)
        for _ in range(2):
            self.fitInView(scene.map_rect(), Qt.AspectRatioMode.KeepAspectRatio)
            self.set_zoom(min(self.zoom, 1.0))
        self.centerOn(scene.map_rect().center())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.auto_fit:
            self._fit_now()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._scrolled_from = (self.horizontalScrollBar().value(),
                               self.verticalScrollBar().value())
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        now = (self.horizontalScrollBar().value(), self.verticalScrollBar().value())
        if now != self._scrolled_from:
            self.auto_fit = False  # panned by hand: leave the view where it was put

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            self.auto_fit = False
            self.set_zoom(self.zoom * (ZOOM_STEP ** steps))
            event.accept()
            return
        super().wheelEvent(event)

    def focus_next_part(self, backwards: bool = False) -> None:
        """Select the next part (by name), and show it."""
        scene = self.map_scene
        items = sorted((i for i in scene.parts.values() if not i.later),
                       key=lambda i: (i.part.name.casefold(), i.part_id))
        if not items:
            return
        chosen = scene.selected_part_ids()
        current = next((n for n, i in enumerate(items) if i.part_id in chosen), None)
        if current is None:
            index = len(items) - 1 if backwards else 0
        else:
            index = (current + (-1 if backwards else 1)) % len(items)
        scene.select_parts([items[index].part_id])
        items[index].setFocus(Qt.FocusReason.TabFocusReason)
        self.ensureVisible(items[index], 60, 60)

    def focusNextPrevChild(self, forward: bool) -> bool:
        # Tab moves between parts while the map has the keyboard; Ctrl+Tab leaves it.
        if self.hasFocus() or any(i.hasFocus() for i in self.map_scene.parts.values()):
            self.focus_next_part(backwards=not forward)
            return True
        return super().focusNextPrevChild(forward)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        steps = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1),
                 Qt.Key.Key_Down: (0, 1)}
        if key in steps:
            dx, dy = steps[Qt.Key(key)]
            chosen = self.map_scene.selected_part_ids()
            if chosen and self.map_scene.editable:
                step = NUDGE / 10 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier \
                    else NUDGE
                before = self.map_scene.positions(chosen)
                after = {pid: (x + dx * step, y + dy * step) for pid, (x, y) in before.items()}
                self.map_scene.place(after)
                self.nudged.emit(before, after)
                event.accept()
                return
            bar = self.horizontalScrollBar() if dx else self.verticalScrollBar()
            self.auto_fit = False
            bar.setValue(bar.value() + (dx or dy) * bar.singleStep() * 3)
            event.accept()
            return
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal) and not event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier):
            self.zoom_in()
            return
        if key == Qt.Key.Key_Minus and not event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier):
            self.zoom_out()
            return
        if key == Qt.Key.Key_Escape:
            self.map_scene.clearSelection()
            return
        super().keyPressEvent(event)
