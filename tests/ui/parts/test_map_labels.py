"""The map's names as the view zooms: legible where there is room, their own size where a
crowded map has none (words over the parts would hide the map)."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from models.clinical.parts_map import EXILE_RING, PROTECTOR_RING, PartsMap
from models.dto import MapPartDTO, MapRelationDTO
from ui.parts.map_items import LEGIBLE_ZOOM
from ui.parts.map_scene import MapScene, MapView


def _ring_of_parts(count: int) -> PartsMap:
    """`count` parts round Self, every other one an exile further out, each protecting
    the next."""
    parts = []
    for pid in range(1, count + 1):
        exile = pid % 2 == 0
        radius = EXILE_RING if exile else PROTECTOR_RING
        angle = 2 * math.pi * pid / count
        parts.append(MapPartDTO(pid, f"Part number {pid}", "exile" if exile else "manager",
                                "identified", None, radius * math.cos(angle),
                                radius * math.sin(angle)))
    relations = tuple(MapRelationDTO("protects", pid, pid + 1) for pid in range(1, count, 2))
    return PartsMap(tuple(parts), relations, 5)


def _fitted(qtbot: QtBot, shown: PartsMap, width: int, height: int) -> MapView:
    view = MapView(MapScene())
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    QApplication.processEvents()
    view.map_scene.show_map(shown, editable=True)
    view.fit()
    return view


def _drawn_scales(view: MapView) -> set[float]:
    return {item.label_scale for item in view.map_scene.parts.values()}


def test_names_grow_where_there_is_room_and_keep_their_size_on_a_crowded_map(
        qtbot: QtBot, qapp: Any) -> None:
    few = _fitted(qtbot, _ring_of_parts(6), 420, 300)
    assert few.zoom < LEGIBLE_ZOOM
    assert _drawn_scales(few) == {few.map_scene.label_scale} and few.map_scene.label_scale > 1
    # Forty parts in the same room: grown, their names would lie over one another and
    # over the parts; they are drawn at their own size.
    crowded = _fitted(qtbot, _ring_of_parts(40), 420, 300)
    assert crowded.map_scene.label_scale > 1
    assert _drawn_scales(crowded) == {1.0}
