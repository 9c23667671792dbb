"""The Parts tab with the real worker: the map editor's edits, undo and redo, the keyboard,
positions kept across a reopened vault, and the map as it was on an older date."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from models.api import Backend
from models.dto import ClientChart
from models.inputs import PartInput
from ui.chart.chart_view import TAB_NAMES
from ui.parts.dialogs import PartDialog
from ui.parts.map_items import LEGIBLE_ZOOM, MAX_LABEL_SCALE, PartItem, RelationItem
from ui.parts.parts_tab import _BURDENS_MIN, PartsTab
from ui.parts.table_models import PartTableModel
from ui.shell.main_window import MainWindow
from ui.shell.settings import Settings
from ui.shell.tasks import TaskRunner


def _client_with_a_map(worker: Any) -> int:
    def richest(b: Backend) -> int:
        scored = []
        for summary in b.clients.summaries():
            chart = b.clients.chart(summary.id)
            scored.append(((len(b.parts.snapshots(summary.id)) > 0, len(chart.part_history),
                            len(chart.parts) + len(chart.relations)), summary.id))
        return max(scored)[1]
    return int(worker.run(richest))


def _open_tab(qtbot: QtBot, window: MainWindow, client_id: int) -> PartsTab:
    window.client_list.show_discharged.setChecked(True)
    tab = window.parts_tab
    with qtbot.waitSignal(window.chart_shown, timeout=10_000):
        assert window.client_list.select_client(client_id)
    with qtbot.waitSignal(tab.snapshots_loaded, timeout=10_000):
        window.chart_view.tabs.setCurrentIndex(TAB_NAMES.index("Parts"))
    return tab


def _chart(window: MainWindow) -> ClientChart:
    chart = window.chart_view.chart
    assert chart is not None
    return chart


def _drag(view: Any, item: PartItem, by: QPoint) -> None:
    """Press on a part, move, release: the mouse as a therapist uses it."""
    start = view.mapFromScene(item.scenePos())
    end = start + by
    viewport = view.viewport()
    for kind, at, buttons in (
        (QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseMove, start + QPoint(4, 4), Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseMove, end, Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton),
    ):
        event = QMouseEvent(kind, QPointF(at), QPointF(viewport.mapToGlobal(at)),
                            Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, event)


def test_the_table_and_the_map_show_the_parts_on_the_map(
        qtbot: QtBot, qtmodeltester: Any, main_window: MainWindow, worker: Any) -> None:
    tab = _open_tab(qtbot, main_window, _client_with_a_map(worker))
    chart = _chart(main_window)
    qtmodeltester.check(tab.model)
    qtmodeltester.check(tab.history_model)
    on_map = [p for p in chart.parts if p.on_map]
    assert tab.model.rowCount() == len(on_map)
    scene = tab.editor.scene
    assert set(scene.parts) == {p.id for p in on_map}
    assert len(scene.relations) == len(chart.relations)
    assert scene.self_item.energy == (chart.self_energy[-1].rating if chart.self_energy
                                      else None)
    assert tab.history_model.rowCount() == len(chart.part_history)
    # Choosing in the table chooses on the map, and the details name what it carries.
    first = on_map[0]
    assert tab.select_part(first.id)
    assert scene.selected_part_ids() == [first.id]
    assert tab.details.text().startswith(first.name)
    types = {tab.model.index(r, PartTableModel.TYPE).data() for r in range(tab.model.rowCount())}
    assert types <= {"Manager", "Firefighter", "Exile", "Unknown"}


def test_add_a_part_and_a_relation_then_undo_and_redo_both(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    client_id = _client_with_a_map(worker)
    tab = _open_tab(qtbot, main_window, client_id)
    editor, scene = tab.editor, tab.editor.scene
    before = set(scene.parts)
    dialog = editor.add_part()
    assert isinstance(dialog, PartDialog)
    qtbot.keyClicks(dialog.name, "The Judge")
    dialog.part_type.setCurrentIndex(dialog.part_type.findData("manager"))
    # Ctrl+Enter adds it from any field, as in every dialog; Enter in a field of several
    # lines starts a new line.
    burdens = dialog.texts["burdens_personal"]
    qtbot.keyClicks(burdens, "Never good enough")
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(burdens, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(scene.parts) == len(before) + 1, timeout=10_000)
    judge = next(pid for pid in scene.parts if pid not in before)
    x, y = scene.parts[judge].pos().x(), scene.parts[judge].pos().y()
    assert math.hypot(x, y) > 100  # placed on its ring, not on Self
    exile = next((p.id for p in _chart(main_window).parts if p.part_type == "exile"),
                 next(iter(before)))
    editor.relate("protects", judge, exile)
    key = ("protects", judge, exile)
    qtbot.waitUntil(lambda: key in scene.relations, timeout=10_000)
    assert isinstance(scene.relations[key], RelationItem)

    editor.undo()  # the relation goes
    qtbot.waitUntil(lambda: key not in scene.relations, timeout=10_000)
    editor.undo()  # the part goes off the map (and is kept in the record)
    qtbot.waitUntil(lambda: judge not in scene.parts, timeout=10_000)
    stored = worker.run(lambda b: b.parts.of_client(client_id))
    assert judge not in {p.id for p in stored}
    editor.redo()
    qtbot.waitUntil(lambda: judge in scene.parts, timeout=10_000)
    editor.redo()
    qtbot.waitUntil(lambda: key in scene.relations, timeout=10_000)
    relations = worker.run(lambda b: b.clients.chart(client_id).relations)
    assert any((r.kind, r.from_part_id, r.to_part_id) == key for r in relations)


def test_a_moved_part_is_still_there_when_the_vault_is_opened_again(
        qtbot: QtBot, main_window: MainWindow, worker: Any, runner: TaskRunner,
        settings: Settings, demo_vault: Path) -> None:
    client_id = _client_with_a_map(worker)
    tab = _open_tab(qtbot, main_window, client_id)
    scene, view = tab.editor.scene, tab.editor.view
    part_id = next(iter(scene.parts))
    item = scene.parts[part_id]
    view.centerOn(item)
    start = item.pos()
    with qtbot.waitSignal(tab.editor.wrote, timeout=10_000):
        _drag(view, item, QPoint(60, 40))
    moved = item.pos()
    assert moved != start
    assert tab.editor.undo_stack.count() == 1
    main_window.close()
    with qtbot.waitSignal(runner.vault_closed, timeout=10_000):
        pass
    worker.open(demo_vault)
    stored = next(p for p in worker.run(lambda b: b.parts.of_client(client_id))
                  if p.id == part_id)
    assert (stored.map_x, stored.map_y) == (moved.x(), moved.y())
    reopened = MainWindow(runner, settings, demo_vault, worker.run(
        lambda b: b.practice.clinician()), idle_ms=3_600_000)
    qtbot.addWidget(reopened)
    with qtbot.waitSignal(reopened.clients_loaded, timeout=10_000):
        reopened.show()
    tab = _open_tab(qtbot, reopened, client_id)
    shown = tab.editor.scene.parts[part_id].pos()
    assert (shown.x(), shown.y()) == (moved.x(), moved.y())
    reopened.close()


def test_the_keyboard_chooses_moves_and_undoes(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    client_id = _client_with_a_map(worker)
    tab = _open_tab(qtbot, main_window, client_id)
    editor, scene, view = tab.editor, tab.editor.scene, tab.editor.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    chosen = scene.selected_part_ids()
    assert len(chosen) == 1
    part_id = chosen[0]
    x0 = scene.parts[part_id].pos().x()
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Right)
    assert scene.parts[part_id].pos().x() == x0 + 30
    assert editor.undo_stack.count() == 1  # three presses, one step
    with qtbot.waitSignal(editor.wrote, timeout=10_000):
        editor.flush()
    stored = next(p for p in worker.run(lambda b: b.parts.of_client(client_id))
                  if p.id == part_id)
    assert stored.map_x == x0 + 30
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert scene.parts[part_id].pos().x() == x0
    qtbot.waitUntil(lambda: next(p for p in worker.run(lambda b: b.parts.of_client(client_id))
                                 if p.id == part_id).map_x == x0, timeout=10_000)
    zoom = view.zoom
    qtbot.keyClick(view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom > zoom


def test_taking_a_part_off_asks_first_and_undo_puts_it_back(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    client_id = _client_with_a_map(worker)
    tab = _open_tab(qtbot, main_window, client_id)
    editor, scene = tab.editor, tab.editor.scene
    part_id = next(iter(scene.parts))
    scene.select_parts([part_id])
    box = editor.delete_selected()
    assert isinstance(box, QMessageBox) and "off the map" in box.text()
    box.reject()  # Cancel: nothing happens
    assert part_id in scene.parts and editor.undo_stack.count() == 0
    box = editor.delete_selected()
    assert box is not None
    take_off = next(b for b in box.buttons() if b.text() == "Take off the map")
    take_off.click()
    qtbot.waitUntil(lambda: part_id not in scene.parts, timeout=10_000)
    assert tab.model.row_of(part_id) is None
    editor.undo()
    qtbot.waitUntil(lambda: part_id in scene.parts, timeout=10_000)
    assert tab.model.row_of(part_id) is not None


def test_the_slider_shows_an_older_map_read_only_with_its_differences(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    client_id = _client_with_a_map(worker)
    worker.run(lambda b: b.parts.create(client_id, PartInput("Late Arrival", "firefighter"),
                                        actor_id=None))
    tab = _open_tab(qtbot, main_window, client_id)
    assert tab.snapshots
    assert tab.slider.value() == tab.slider.maximum()  # today
    with qtbot.waitSignal(tab.history_shown, timeout=10_000):
        tab.show_snapshot(0)
    assert tab.showing_history and tab.editor.read_only
    assert tab.banner.isVisibleTo(tab)
    assert not tab.editor.actions_by_name["add"].isEnabled()
    late = next(p for p in _chart(main_window).parts if p.name == "Late Arrival")
    item = tab.editor.scene.parts[late.id]
    assert item.later and not item.flags() & item.GraphicsItemFlag.ItemIsMovable
    assert "Added since: Late Arrival (firefighter)" in tab.differences_label.text()
    assert tab.differences is not None and not tab.differences.empty
    tab.show_today()
    assert not tab.showing_history and not tab.banner.isVisibleTo(tab)
    assert not tab.editor.scene.parts[late.id].later


def test_the_map_saves_as_png_and_svg(
        qtbot: QtBot, main_window: MainWindow, worker: Any, tmp_path: Path) -> None:
    tab = _open_tab(qtbot, main_window, _client_with_a_map(worker))
    tab.editor.save_image_to(tmp_path / "parts-map.png")
    tab.editor.save_image_to(tmp_path / "parts-map.svg")
    assert (tmp_path / "parts-map.png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in (tmp_path / "parts-map.svg").read_bytes()[:400]


def _right_click(view: Any, at: QPoint) -> QMenu:
    """Right-click the map where a therapist would, and return the menu it opens."""
    viewport = view.viewport()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, viewport.mapToGlobal(at))
    QApplication.sendEvent(viewport, event)
    menus = [m for m in QApplication.topLevelWidgets()
             if isinstance(m, QMenu) and m.isVisible()]
    assert len(menus) == 1
    return menus[0]


def test_a_right_click_on_the_map_offers_every_action_for_what_it_is_on(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    """The toolbar's last actions can be behind its » button in a narrow pane: the menu
    always has them all, and acts on the part or relation clicked."""
    from ui.parts.dialogs import RelationDialog

    tab = _open_tab(qtbot, main_window, _client_with_a_map(worker))
    editor, scene, view = tab.editor, tab.editor.scene, tab.editor.view
    first, second = list(scene.parts)[:2]
    scene.select_parts([first])
    menu = _right_click(view, view.mapFromScene(scene.parts[second].scenePos()))
    assert scene.selected_part_ids() == [second]  # the part clicked, not the one chosen
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Edit…", "Connect…", "Take off", "Add part…", "Undo", "Redo", "Fit",
                     "Zoom in", "Zoom out", "Tidy up", "Save image…"]
    assert all(a.isEnabled() for a in menu.actions()
               if a.text() in ("Edit…", "Take off", "Save image…"))
    menu.close()
    # On a relation (clear of both its parts): Edit… changes that relation.
    key, relation = next(iter(scene.relations.items()))
    middle = relation.mapToScene(relation.path.pointAtPercent(0.5))
    menu = _right_click(view, view.mapFromScene(middle))
    assert scene.selected_relation_keys() == [key] and not scene.selected_part_ids()
    edit = next(a for a in menu.actions() if a.text() == "Edit…")
    assert edit.isEnabled()
    menu.close()
    edit.trigger()
    dialogs = [w for w in editor.findChildren(RelationDialog) if w.isVisible()]
    assert len(dialogs) == 1
    dialogs[0].reject()
    # On the empty map: nothing stays chosen, and what needs a choice is off.
    corner = view.mapFromScene(scene.map_rect().topLeft() + QPointF(2, 2))
    menu = _right_click(view, corner)
    assert not scene.selected_part_ids() and not scene.selected_relation_keys()
    states = {a.text(): a.isEnabled() for a in menu.actions() if not a.isSeparator()}
    assert not states["Edit…"] and not states["Take off"]
    assert states["Add part…"] and states["Save image…"]
    menu.close()


def test_a_relation_is_changed_in_one_step_and_a_lock_closes_the_maps_dialogs(
        qtbot: QtBot, main_window: MainWindow, worker: Any, runner: TaskRunner) -> None:
    from ui.parts.dialogs import RelationDialog

    tab = _open_tab(qtbot, main_window, _client_with_a_map(worker))
    editor, scene = tab.editor, tab.editor.scene
    key = next(iter(scene.relations))
    dialog = editor.edit_relation(key)
    assert isinstance(dialog, RelationDialog)
    new_kind = "allied" if key[0] != "allied" else "polarized"
    dialog.kind.setCurrentIndex(dialog.kind.findData(new_kind))
    dialog.accept()
    low, high = sorted(key[1:])
    new_key = (new_kind, low, high)
    qtbot.waitUntil(lambda: new_key in scene.relations and key not in scene.relations,
                    timeout=10_000)
    assert editor.undo_stack.count() == 1
    editor.undo()
    qtbot.waitUntil(lambda: key in scene.relations and new_key not in scene.relations,
                    timeout=10_000)
    # A dialog about the map does not outlive the lock that hides the records.
    dialog = editor.add_part()
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(runner.vault_closed, timeout=10_000):
        main_window.lock("manual")
    assert not isValid(dialog) or not dialog.isVisible()  # closed (and deleted)
    assert not scene.parts


def test_the_table_shows_its_columns_and_the_map_its_side_at_every_window_size(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    main_window.resize(1920, 1080)
    main_window.show()
    tab = _open_tab(qtbot, main_window, _client_with_a_map(worker))
    table = tab.table
    header = table.horizontalHeader()
    for width, height in ((1280, 800), (1180, 800), (1024, 640), (1920, 1080)):
        main_window.resize(width, height)
        qtbot.waitUntil(lambda w=width: main_window.width() == w, timeout=5_000)
        QApplication.processEvents()
        # The burdens keep a readable width, their heading whole; where the other
        # columns leave less, the table scrolls sideways.
        assert header.sectionSize(PartTableModel.BURDENS) >= _BURDENS_MIN, width
        if header.length() > table.viewport().width():
            assert table.horizontalScrollBar().isVisible(), width
        left, right = tab.splitter.sizes()
        # Nothing pushed out of the window: both sides at least their least width.
        assert left + right + tab.splitter.handleWidth() <= tab.splitter.width()
        assert right >= tab.splitter.widget(1).minimumWidth()
        if width >= 1280:  # every column but the burdens whole, without scrolling sideways
            header = table.horizontalHeader()
            shown = sum(header.sectionSize(c) for c in range(PartTableModel.BURDENS))
            assert shown <= table.viewport().width() - 60, width
    # Once the therapist moves the divider, a resize leaves it where they put it.
    total = sum(tab.splitter.sizes())
    tab.splitter.setSizes([300, total - 300])
    tab.splitter.splitterMoved.emit(300, 1)  # as a drag of the handle says
    main_window.resize(1920, 1000)
    qtbot.waitUntil(lambda: main_window.height() == 1000, timeout=5_000)
    QApplication.processEvents()
    assert tab.splitter.sizes()[0] == 300


def test_the_names_on_the_map_stay_legible_and_apart_in_the_smallest_window(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    client_id = _client_with_a_map(worker)

    def crowd(b: Backend) -> None:
        # Two firefighters side by side under Self: their names' own place (over them,
        # toward Self) is the same place.
        for name, x in (("The One Who Scrolls All Night", -60.0), ("The Numbing One", 60.0)):
            b.parts.create(client_id, PartInput(name, "firefighter", map_x=x, map_y=175.0),
                           actor_id=None)
    worker.run(crowd)
    main_window.resize(1024, 640)
    main_window.show()
    tab = _open_tab(qtbot, main_window, client_id)
    view, scene = tab.editor.view, tab.editor.scene
    qtbot.waitUntil(lambda: view.viewport().height() > 100, timeout=5_000)
    view.fit()
    QApplication.processEvents()
    assert view.zoom < LEGIBLE_ZOOM  # the whole map is drawn small here ...
    items = list(scene.parts.values())
    assert len(items) >= 3
    for item in items:  # ... but its words as large on screen as at LEGIBLE_ZOOM
        assert item.label_scale * view.zoom == pytest.approx(LEGIBLE_ZOOM)
    labels = [item.label_rect().translated(item.pos()) for item in items]
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    for n, (item, label) in enumerate(zip(items, labels, strict=True)):
        assert shown.contains(label), item.part.name  # in view, whole
        for other, other_label in zip(items[n + 1:], labels[n + 1:], strict=True):
            assert not label.intersects(other_label), (item.part.name, other.part.name)
            assert not label.intersects(other.shape_rect()), (item.part.name, other.part.name)
            assert not other_label.intersects(item.shape_rect())
        for words in scene.self_item.text_rects():
            assert not label.intersects(words), item.part.name
    # Zoomed in to 1:1 the labels are their own size again; zoomed far out they stop
    # growing (the map is not all words).
    view.set_zoom(1.0)
    assert all(item.label_scale == 1.0 for item in items)
    view.set_zoom(0.2)
    assert all(item.label_scale == MAX_LABEL_SCALE for item in items)


def test_a_long_name_keeps_the_table_s_columns_in_view_and_the_map_s_label_by_its_part(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    """A name of 80 characters pushed the table's other columns out of view, and ran
    across the whole map on one line."""
    client_id = _client_with_a_map(worker)
    name = ("The Very Protective Older Sister Who Keeps Everyone Safe From Harm At All "
            "Costs And Never Rests")
    worker.run(lambda b: b.parts.create(client_id, PartInput(name, "manager"), actor_id=None))
    main_window.resize(1280, 800)
    tab = _open_tab(qtbot, main_window, client_id)
    header = tab.table.horizontalHeader()
    width = header.sectionSize(PartTableModel.NAME)
    assert width <= tab.table.fontMetrics().horizontalAdvance("n" * 30)
    assert width < tab.table.fontMetrics().horizontalAdvance(name)  # cut, its tooltip whole
    item = next(i for i in tab.editor.scene.parts.values() if i.part.name == name)
    short = next(i for i in tab.editor.scene.parts.values() if i.part.name != name)
    assert len(short.name_lines) == 1 and len(item.name_lines) == 3
    ask, short_ask = item.label_ask(), short.label_ask()
    assert ask.height > short_ask.height * 1.5  # three lines of name over the status
    assert ask.width < tab.editor.view.fontMetrics().horizontalAdvance(name)
    assert name in item.tooltip_text()


def test_the_map_offers_only_the_relations_the_parts_types_can_take(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    """Connect…, a Shift-drag's menu and a part's new type all ask the rule the backend
    keeps (an exile protects no part; polarized is between two protectors)."""
    tab = _open_tab(qtbot, main_window, _client_with_a_map(worker))
    editor = tab.editor
    chart = _chart(main_window)
    on_map = {p.id: p for p in chart.parts if p.on_map}
    guard = next(r for r in chart.relations if r.kind == "protects"
                 and {r.from_part_id, r.to_part_id} <= set(on_map)
                 and on_map[r.to_part_id].part_type == "exile")
    protector, exile = on_map[guard.from_part_id], on_map[guard.to_part_id]

    dialog = editor.connect_parts("protects", exile.id, protector.id)
    assert dialog is not None
    assert dialog.first_label.buddy() is dialog.first  # "&Protector": Alt+P, not an "&"
    assert not dialog.ok.isEnabled()
    assert dialog.error.text().startswith(f"{exile.name} is an exile, and an exile is "
                                          "protected, not a protector")
    dialog.kind.setCurrentIndex(dialog.kind.findData("polarized"))
    assert not dialog.ok.isEnabled() and "between two protectors" in dialog.error.text()
    dialog.kind.setCurrentIndex(dialog.kind.findData("allied"))
    assert dialog.ok.isEnabled() and not dialog.error.isVisibleTo(dialog)
    dialog.reject()

    editor._connect_dragged(exile.id, protector.id, QPoint(10, 10))
    menu = editor._menu
    assert isinstance(menu, QMenu)
    states = {a.text(): a.isEnabled() for a in menu.actions()}
    assert states == {f"{exile.name} protects {protector.name}": False,
                      f"{exile.name} and {protector.name}: polarized": False,
                      f"{exile.name} and {protector.name}: allied": True}
    blocked = next(a for a in menu.actions() if not a.isEnabled())
    assert "an exile is protected, not a protector" in blocked.toolTip()
    menu.close()

    # Typed an exile, the protector would no longer fit its relation: Save waits.
    part_dialog = editor.edit_part(protector.id)
    assert part_dialog is not None
    assert protector.name not in part_dialog.windowTitle()  # a title reaches the desktop
    part_dialog.part_type.setCurrentIndex(part_dialog.part_type.findData("exile"))
    error = part_dialog.errors["part_type"]
    assert error.isVisibleTo(part_dialog) and error.text().startswith("On the map, ")
    assert f"{protector.name} protects" in error.text()
    assert not part_dialog.save_button.isEnabled()
    part_dialog.part_type.setCurrentIndex(part_dialog.part_type.findData("firefighter"))
    assert part_dialog.save_button.isEnabled() and not error.isVisibleTo(part_dialog)
    part_dialog.reject()
