"""The parts map editor: the map, its toolbar and legend, and every edit undoable.

Each edit is written to the vault at once (through the task runner) and pushed on a
QUndoStack as a command (ui/parts/commands.py) that can write it back. What the map shows
comes from the chart the main window reloads after each write; a drag is shown at once
and the part stays where it was dropped while its move is being saved.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from models.api import Done
from models.clinical.parts_map import (
    MapDifferences,
    PartsMap,
    arrange,
    chart_map,
    relation_key,
    relation_text,
)
from models.dto import ClientChart, MapRelationDTO, PartDTO
from models.inputs import PartInput, relation_problems
from models.vocabulary import PART_RELATIONS
from ui.common.style import set_role, wrapped_tip
from ui.parts.commands import (
    AddPart,
    AddRelation,
    Compound,
    EditPart,
    MoveParts,
    Positions,
    RelationKey,
    RemoveParts,
    RemoveRelations,
)
from ui.parts.dialogs import PartDialog, RelationDialog, part_input
from ui.parts.legend import MapLegend
from ui.parts.map_scene import MapScene, MapView
from ui.shell.tasks import TaskRunner, refusal

NUDGE_SAVE_MS = 400  # arrow-key moves are saved once the keys rest this long
DEFAULT_IMAGE_NAME = "parts-map"  # never the client's name: the file may travel


class MapEditor(QWidget):
    """The map with Add, Connect, Edit, Take off, Undo, Redo, Zoom, Fit and Save image.

    `actor` returns the signed-in clinician's id, `today` the runner's date."""

    selection_changed = Signal(list)  # the part ids chosen on the map
    wrote = Signal()  # a write to the vault finished (for tests and the status line)
    failed = Signal(str)  # a write could not be done: what happened

    def __init__(self, runner: TaskRunner, *, actor: Callable[[], int | None],
                 today: Callable[[], dt.date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.actor = actor
        self.today = today
        self.chart: ClientChart | None = None
        self.shown: PartsMap | None = None
        self.read_only = False  # a past map, or a vault open read-only: nothing is edited
        self._pending: Positions = {}  # arrow-key moves not yet sent
        self._in_flight: dict[int, int] = {}  # part id -> moves sent, not yet saved
        self._generation = 0
        self._fitted_for: int | None = None  # the client whose map was last fitted
        self._select_when_shown: int | None = None  # a part just added
        self._menu: QMenu | None = None
        self._open: list[QWidget] = []  # dialogs and menus: closed on lock with the map
        # What a saved picture marks and its title: the Parts tab says (a past map).
        self.image_context: Callable[[], tuple[MapDifferences | None, str]] = \
            lambda: (None, "")

        self.undo_stack = QUndoStack(self)
        self.scene = MapScene(self)
        self.view = MapView(self.scene)
        self.legend = MapLegend()
        self.message = QLabel()
        set_role(self.message, "error")
        self.message.setWordWrap(True)
        self.message.hide()
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(NUDGE_SAVE_MS)
        self._save_timer.timeout.connect(self.flush)

        self.actions_by_name: dict[str, QAction] = {}
        self.toolbar = QToolBar("Map")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._build_actions()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.legend)

        self.scene.parts_moved.connect(self._dragged)
        self.view.nudged.connect(self._nudged)
        self.scene.part_activated.connect(self.edit_part)
        self.scene.relation_activated.connect(self.edit_relation)
        self.scene.connect_dragged.connect(self._connect_dragged)
        self.scene.menu_requested.connect(self.show_menu)
        self.scene.selectionChanged.connect(self._selection_changed)
        self._update_actions()

    # -- actions ----------------------------------------------------------------------------

    def _action(self, name: str, text: str, slot: Callable[[], Any],
                shortcuts: Sequence[str | QKeySequence.StandardKey] = (), tip: str = "",
                toolbar: bool = True) -> QAction:
        action = QAction(text, self)
        keys = [QKeySequence(k) for k in shortcuts]
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shown = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        action.setToolTip(wrapped_tip(f"{tip or text} ({shown})" if shown else tip or text))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        if toolbar:
            self.toolbar.addAction(action)
        self.actions_by_name[name] = action
        return action

    def _build_actions(self) -> None:
        self._action("add", "Add part…", self.add_part, ("Ins", "Ctrl+Shift+A"),
                     "Add a part to the map")
        self._action("connect", "Connect…", self.connect_parts, ("C",),
                     "Connect two parts: protects, polarized or allied (or Shift-drag "
                     "from one part to another)")
        self._action("edit", "Edit…", self.edit_selected, ("Return", "F2"),
                     "Edit the chosen part or relation (or double-click it)")
        self._action("delete", "Take off", self.delete_selected, ("Del", "Backspace"),
                     "Take the chosen parts or relations off the map (Undo puts them back)")
        self.toolbar.addSeparator()
        self._action("undo", "Undo", self.undo, (QKeySequence.StandardKey.Undo,),
                     "Undo the last change to the map")
        self._action("redo", "Redo", self.redo, (QKeySequence.StandardKey.Redo,
                                                 "Ctrl+Shift+Z"), "Redo what was undone")
        self.undo_stack.indexChanged.connect(lambda _i: self._update_actions())
        self.toolbar.addSeparator()
        self._action("fit", "Fit", self.view.fit, ("Ctrl+0",), "Show the whole map")
        self._action("zoom_in", "Zoom in", self.view.zoom_in, ("Ctrl++", "Ctrl+="))
        self._action("zoom_out", "Zoom out", self.view.zoom_out, ("Ctrl+-",))
        self._action("arrange", "Tidy up", self.tidy, ("Ctrl+Shift+L",),
                     "Managers above Self, firefighters below, each exile behind its "
                     "protectors (Undo puts them back)")
        self._action("save_image", "Save image…", self.save_image, ("Ctrl+Shift+S",),
                     "Save the map as a PNG or SVG picture, e.g. to give the client")

    # What the map's menu holds, in groups: what acts on the chosen part or relation, adding,
    # undoing, the view, the picture. The toolbar holds the same actions; in a narrow pane
    # its last ones are behind its » button, and this menu still shows them all.
    MENU: tuple[tuple[str, ...], ...] = (
        ("edit", "connect", "delete"), ("add",), ("undo", "redo"),
        ("fit", "zoom_in", "zoom_out", "arrange"), ("save_image",))

    def show_menu(self, where: QPoint) -> QMenu:
        """The map's menu at `where` (on screen): every action of the toolbar."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for group in self.MENU:
            if not menu.isEmpty():
                menu.addSeparator()
            menu.addActions([self.actions_by_name[name] for name in group])
        self._track(menu)
        menu.popup(where)
        return menu

    def _update_actions(self) -> None:
        has_map = self.chart is not None
        editable = has_map and not self.read_only
        chosen = bool(self.scene.selected_part_ids() or self.scene.selected_relation_keys())
        for name in ("add", "connect", "arrange"):
            self.actions_by_name[name].setEnabled(editable)
        self.actions_by_name["edit"].setEnabled(editable and chosen)
        self.actions_by_name["delete"].setEnabled(editable and chosen)
        self.actions_by_name["save_image"].setEnabled(has_map)
        # A past map is not edited: nothing is undone while one is shown.
        stack = self.undo_stack
        undo, redo = self.actions_by_name["undo"], self.actions_by_name["redo"]
        undo.setEnabled(editable and stack.canUndo())
        redo.setEnabled(editable and stack.canRedo())
        undo.setStatusTip(f"Undo: {stack.undoText()}" if stack.canUndo() else "")
        redo.setStatusTip(f"Redo: {stack.redoText()}" if stack.canRedo() else "")

    def undo(self) -> None:
        if self._editable() and self.undo_stack.canUndo():
            self.flush()
            self.undo_stack.undo()

    def redo(self) -> None:
        if self._editable() and self.undo_stack.canRedo():
            self.flush()
            self.undo_stack.redo()

    # -- showing --------------------------------------------------------------------------

    def show_now(self, chart: ClientChart) -> None:
        """The client's map as it is, to edit."""
        first = self.chart is None or self.chart.client.id != chart.client.id
        if first:
            self.undo_stack.clear()
            self._pending.clear()
            self._in_flight.clear()
        self.chart = chart
        # Today's map is edited, unless the vault is open read-only (the bar says why).
        self.read_only = self.runner.read_only
        self.shown = chart_map(chart)
        self.scene.show_map(self.shown, editable=not self.read_only,
                            keep_positions={*self._pending, *self._in_flight})
        self.legend.set_history(False)
        self._update_actions()
        if first or self._fitted_for != chart.client.id:
            self._fitted_for = chart.client.id
            self.view.fit()

    def show_history(self, chart: ClientChart, then: PartsMap,
                     differences: MapDifferences) -> None:
        """A map of a past date, read-only, with what differs from today marked."""
        self.flush()
        self.chart = chart
        self.read_only = True
        self.shown = then
        self.scene.show_map(then, editable=False, differences=differences)
        self.legend.set_history(True)
        self._update_actions()

    def _track(self, widget: QWidget) -> None:
        """Keep an open dialog or menu, to close it when the map is cleared (a lock)."""
        self._open.append(widget)
        widget.destroyed.connect(lambda _o=None, w=widget: self._open.remove(w)
                                 if w in self._open else None)

    def clear(self) -> None:
        """Forget the client's map (on lock, or when no client is chosen), and close any
        dialog about it."""
        for widget in list(self._open):
            widget.close()
        self._open.clear()
        self._generation += 1
        self._save_timer.stop()
        self._pending.clear()
        self._in_flight.clear()
        self.undo_stack.clear()
        self.chart = None
        self.shown = None
        self._fitted_for = None
        self.scene.show_map(PartsMap((), (), None), editable=False)
        self.message.hide()
        self._update_actions()

    def select_parts(self, part_ids: Sequence[int]) -> None:
        self.scene.select_parts(part_ids)
        for part_id in part_ids:
            item = self.scene.parts.get(part_id)
            if item is not None:
                self.view.ensureVisible(item, 40, 40)

    def _selection_changed(self) -> None:
        self._update_actions()
        self.selection_changed.emit(self.scene.selected_part_ids())

    # -- what the commands write ------------------------------------------------------------

    def _run(self, work: Callable[[Any], Any], done: Callable[[Any], None] | None = None
             ) -> None:
        generation = self._generation

        def finished(result: Any) -> None:
            if generation != self._generation:
                return
            if done is not None:
                done(result)
            self.message.hide()
            self.wrote.emit()

        def failed(exc: Exception) -> None:
            if generation != self._generation:
                return
            self._failed(exc)

        self.runner.submit(work, finished, failed, owner=self)

    def _failed(self, exc: Exception) -> None:
        problems = refusal(exc)
        text = " ".join(problems.values()) if problems is not None else "Something went wrong."
        # The undo history no longer matches what is saved: start it afresh.
        self.undo_stack.clear()
        self._in_flight.clear()
        self._pending.clear()
        self.message.setText(f"That was not saved: {text} The map shows what is saved.")
        self.message.show()
        if self.chart is not None and not self.read_only:
            self.shown = chart_map(self.chart)
            self.scene.show_map(self.shown, editable=True)
        self.failed.emit(text)

    def write_positions(self, positions: Positions) -> None:
        self.scene.place(positions)
        self._send_positions(dict(positions))

    def _send_positions(self, positions: Positions) -> None:
        chart = self.chart
        if chart is None or not positions:
            return
        client_id, actor = chart.client.id, self.actor()
        for part_id in positions:
            self._in_flight[part_id] = self._in_flight.get(part_id, 0) + 1

        def saved(_done: Done[list[PartDTO]]) -> None:
            for part_id in positions:
                left = self._in_flight.get(part_id, 1) - 1
                if left > 0:
                    self._in_flight[part_id] = left
                else:
                    self._in_flight.pop(part_id, None)

        self._run(lambda b: b.parts.move(client_id, positions, actor_id=actor), saved)

    def write_removed(self, part_ids: list[int], removed: bool) -> None:
        actor = self.actor()

        def work(b: Any) -> Any:
            done = None
            for part_id in part_ids:
                done = (b.parts.remove if removed else b.parts.restore)(part_id,
                                                                      actor_id=actor)
            return done

        self._run(work)

    def write_relation(self, key: RelationKey, present: bool) -> None:
        chart = self.chart
        if chart is None:
            return
        client_id, actor = chart.client.id, self.actor()
        kind, first, second = key
        if present:
            self._run(lambda b: b.parts.relate(client_id, kind, first, second, actor_id=actor))
        else:
            self._run(lambda b: b.parts.unrelate(client_id, kind, first, second,
                                                 actor_id=actor))

    def write_part(self, part_id: int, data: PartInput) -> None:
        actor = self.actor()
        self._run(lambda b: b.parts.update(part_id, data, actor_id=actor))

    def flush(self) -> None:
        """Send arrow-key moves now (before a lock, a quit, another client)."""
        self._save_timer.stop()
        pending, self._pending = self._pending, {}
        self._send_positions(pending)

    # -- the therapist's edits --------------------------------------------------------------

    def _editable(self) -> bool:
        return self.chart is not None and not self.read_only

    def _names(self) -> dict[int, str]:
        return {p.id: p.name for p in self.chart.parts} if self.chart is not None else {}

    def _dragged(self, before: Positions, after: Positions) -> None:
        if not self._editable():
            return
        names = self._names()
        text = f"Move {names.get(next(iter(after)), 'a part')}" if len(after) == 1 \
            else f"Move {len(after)} parts"
        self._send_positions(after)
        self.undo_stack.push(MoveParts(self, before, after, text=text))

    def _nudged(self, before: Positions, after: Positions) -> None:
        if not self._editable():
            return
        self._pending.update(after)
        self._save_timer.start()
        names = self._names()
        text = f"Move {names.get(next(iter(after)), 'a part')}" if len(after) == 1 \
            else f"Move {len(after)} parts"
        command = MoveParts(self, before, after, text=text, merge=True)
        self.undo_stack.push(command)

    def _part(self, part_id: int) -> PartDTO | None:
        chart = self.chart
        return next((p for p in chart.parts if p.id == part_id), None) if chart else None

    def add_part(self, at: tuple[float, float] | None = None) -> PartDialog | None:
        """Ask for the new part's description, then add it (where it was asked for, or
        where a part of its type goes)."""
        chart = self.chart
        if chart is None or self.read_only:
            return None
        self.flush()
        dialog = PartDialog(None, today=self.today(), parent=self)
        client_id, actor = chart.client.id, self.actor()

        def accepted() -> None:
            data = dialog.value()
            if at is not None:
                data = dataclasses.replace(data, map_x=at[0], map_y=at[1])

            def added(done: Done[PartDTO]) -> None:
                self.undo_stack.push(AddPart(self, done.value.id, done.value.name))
                self._select_when_shown = done.value.id

            self._run(lambda b: b.parts.create(client_id, data, actor_id=actor), added)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self._track(dialog)
        dialog.open()
        return dialog

    def after_show(self) -> None:
        """Select a part just added, once the reloaded map shows it."""
        wanted = self._select_when_shown
        if wanted is not None and wanted in self.scene.parts:
            self._select_when_shown = None
            self.select_parts([wanted])

    def edit_selected(self) -> None:
        """Edit the chosen part, or else the chosen relation."""
        parts, relations = self.scene.selected_part_ids(), self.scene.selected_relation_keys()
        if parts:
            self.edit_part(parts[0])
        elif relations:
            self.edit_relation(relations[0])

    def edit_part(self, part_id: int) -> PartDialog | None:
        part = self._part(part_id)
        if part is None or self.read_only:
            return None
        self.flush()
        chart = self.chart
        assert chart is not None
        dialog = PartDialog(part, today=self.today(), relations=chart.relations,
                            parts={p.id: p for p in chart.parts}, parent=self)
        before = part_input(part)

        def accepted() -> None:
            after = dialog.value()
            if after == before:
                return
            actor = self.actor()

            def saved(_done: Done[PartDTO]) -> None:
                self.undo_stack.push(EditPart(self, part_id, before, after,
                                              f"Edit {after.name}"))

            self._run(lambda b: b.parts.update(part_id, after, actor_id=actor), saved)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self._track(dialog)
        dialog.open()
        return dialog

    def delete_selected(self) -> QMessageBox | None:
        """Ask, then take the chosen parts (with their relations) or relations off."""
        if not self._editable():
            return None
        parts = self.scene.selected_part_ids()
        keys = [k for k in self.scene.selected_relation_keys()
                if k[1] not in parts and k[2] not in parts]
        if not parts and not keys:
            return None
        names = self._names()
        if parts:
            listed = ", ".join(names.get(p, f"Part #{p}") for p in parts)
            question = f"Take {listed} off the map?"
            detail = ("Their relations go with them. The parts stay in the record (their "
                      "history, the notes and the older maps name them). Undo (Ctrl+Z) puts "
                      "them back." if len(parts) > 1 else
                      "Its relations go with it. The part stays in the record (its history, "
                      "the notes and the older maps name it). Undo (Ctrl+Z) puts it back.")
        else:
            shown = self.shown
            texts = [relation_text(r, names) for r in (shown.relations if shown else ())
                     if relation_key(r.kind, r.from_part_id, r.to_part_id) in keys]
            question = "Remove " + ("; ".join(texts) if texts else "the relation") + "?"
            detail = "Undo (Ctrl+Z) brings it back."
        box = QMessageBox(QMessageBox.Icon.Question, "Take off the map", question,
                          QMessageBox.StandardButton.NoButton, self)
        box.setInformativeText(detail)
        remove = box.addButton("Take off the map" if parts else "Remove",
                               QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def answered(_result: int) -> None:
            if box.clickedButton() is remove:
                if parts:
                    self.remove_parts(parts, keys)
                else:
                    self.remove_relations(keys, confirmed=True)
            box.deleteLater()

        box.finished.connect(answered)
        self._track(box)
        box.open()
        return box

    def remove_parts(self, part_ids: list[int],
                     keys: Sequence[RelationKey] = ()) -> None:
        names = self._names()
        text = ("Take " + ", ".join(names.get(p, "a part") for p in part_ids) + " off")
        self.write_removed(part_ids, True)
        commands: list[Any] = [RemoveParts(self, part_ids, text)]
        for key in keys:
            self.write_relation(key, False)
            commands.append(RemoveRelations(self, [key], "Remove a relation"))
        self.undo_stack.push(commands[0] if len(commands) == 1 else Compound(text, commands))

    def remove_relations(self, keys: list[RelationKey], *, confirmed: bool = False) -> None:
        if not self._editable() or not keys:
            return
        if not confirmed:
            self.scene.clearSelection()
            for key in keys:
                item = self.scene.relations.get(key)
                if item is not None:
                    item.setSelected(True)
            self.delete_selected()
            return
        for key in keys:
            self.write_relation(key, False)
        label = PART_RELATIONS.label(keys[0][0]).lower()
        self.undo_stack.push(RemoveRelations(self, keys, f"Remove {label}"))

    def connect_parts(self, kind: str = "protects", first: int | None = None,
                      second: int | None = None) -> RelationDialog | None:
        """Ask which two parts and which kind (the keyboard's Connect)."""
        chart = self.chart
        if chart is None or self.read_only:
            return None
        chosen = self.scene.selected_part_ids()
        if first is None and chosen:
            first = chosen[0]
        if second is None and len(chosen) > 1:
            second = chosen[1]
        parts = [p for p in chart.parts if p.on_map]
        dialog = RelationDialog(parts, kind=kind, from_part=first, to_part=second,
                                parent=self)

        def accepted() -> None:
            kind_, a, b = dialog.value()
            if a is not None and b is not None:
                self.relate(kind_, a, b)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self._track(dialog)
        dialog.open()
        return dialog

    def edit_relation(self, key: RelationKey) -> RelationDialog | None:
        """Change a relation's kind or its parts (double-click): one undoable step."""
        chart = self.chart
        if chart is None or self.read_only:
            return None
        kind, first, second = key
        parts = [p for p in chart.parts if p.on_map]
        dialog = RelationDialog(parts, kind=kind, from_part=first, to_part=second,
                                parent=self)
        dialog.setWindowTitle("Change the relation")
        dialog.ok.setText("Change")

        def accepted() -> None:
            new_kind, a, b = dialog.value()
            if a is None or b is None:
                return
            new = relation_key(new_kind, a, b)
            if new == key:
                return
            names = self._names()
            self.write_relation(key, False)
            self.write_relation(new, True)
            text = f"Change the relation of {names.get(a, 'a part')} and " \
                   f"{names.get(b, 'a part')}"
            self.undo_stack.push(Compound(text, [RemoveRelations(self, [key], text),
                                                 AddRelation(self, new, text)]))

        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self._track(dialog)
        dialog.open()
        return dialog

    def relate(self, kind: str, first: int, second: int) -> None:
        chart = self.chart
        if chart is None or self.read_only:
            return
        client_id, actor = chart.client.id, self.actor()
        names = self._names()
        key = relation_key(kind, first, second)

        def added(_done: Done[Any]) -> None:
            text = f"Connect {names.get(first, 'a part')} and {names.get(second, 'a part')}"
            self.undo_stack.push(AddRelation(self, key, text))

        self._run(lambda b: b.parts.relate(client_id, kind, first, second, actor_id=actor),
                  added)

    def _connect_dragged(self, first: int, second: int, where: QPoint) -> None:
        """A Shift-drag ended on another part: ask which kind of relation."""
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        names = self._names()
        parts = {p.id: p for p in self.chart.parts} if self.chart is not None else {}
        for term in PART_RELATIONS:
            action = menu.addAction(relation_text(
                MapRelationDTO(term.code, first, second), names))
            problems = relation_problems(term.code, first, second, parts)
            action.setEnabled(not problems)
            action.setToolTip(wrapped_tip(" ".join(problems.values()) or term.description))
            action.triggered.connect(
                lambda _c=False, code=term.code: self.relate(code, first, second))
        self._track(menu)
        menu.popup(where)
        self._menu = menu

    def tidy(self) -> None:
        """Lay the map out by type (one undoable move of every part)."""
        shown = self.shown
        if shown is None or not self._editable() or not shown.parts:
            return
        after = arrange(shown.parts, shown.relations)
        before = self.scene.positions(after)
        moved = {pid: pos for pid, pos in after.items() if before.get(pid) != pos}
        if not moved:
            return
        self.write_positions(moved)
        self.undo_stack.push(MoveParts(self, {p: before[p] for p in moved}, moved,
                                       text="Tidy up the map"))
        self.view.fit()

    # -- saving a picture -------------------------------------------------------------------

    def image_bytes(self, kind: str, differences: MapDifferences | None = None,
                    title: str = "") -> bytes:
        """The map shown, drawn by reports/parts_map.py (as the PDF draws it)."""
        from reports.charts import figure_to_png_bytes, figure_to_svg_bytes
        from reports.parts_map import build_parts_map

        shown = self.shown or PartsMap((), (), None)
        figure = build_parts_map(shown, width=8.0, height=7.0, differences=differences,
                                 title=title or None)
        return figure_to_svg_bytes(figure) if kind == "svg" else figure_to_png_bytes(figure)

    def save_image(self) -> None:
        if self.chart is None:
            return
        path, chosen = QFileDialog.getSaveFileName(
            self, "Save the parts map", f"{DEFAULT_IMAGE_NAME}.png",
            "PNG picture (*.png);;SVG drawing (*.svg)")
        if path:
            self.save_image_to(Path(path), "svg" if "svg" in chosen.lower() else None)

    def save_image_to(self, path: Path, kind: str | None = None) -> None:
        """Write the map shown as a PNG or SVG (by `kind`, else by the file's ending)."""
        kind = kind or ("svg" if path.suffix.lower() == ".svg" else "png")
        if path.suffix.lower() != f".{kind}":
            path = path.with_suffix(f".{kind}")
        differences, title = self.image_context()
        try:
            path.write_bytes(self.image_bytes(kind, differences, title))
        except OSError as exc:
            self.message.setText(f"The picture was not saved: {exc.strerror}. Choose "
                                 "another folder.")
            self.message.show()
