"""Field editors that refer to the client's registry: a target memory, IFS parts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLabel,
    QListView,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from models.dto import PartDTO, TargetDTO
from models.templates.definitions import FieldDef
from models.values import is_id
from ui.common.inert import make_read_only
from ui.common.style import set_role
from ui.notes.display import part_text, target_text
from ui.notes.fields import Field, row_layout
from ui.notes.inputs import CHOOSE, UNANSWERED, Combo, RoomyDelegate

# "New target…" and "New part…" are out of the Tab order (a Tab per note to pass them);
# from the list itself this key asks for a new one.
NEW_KEYS: Final = "Ctrl+N"


def _is_new_key(watched: QObject, event: QEvent) -> bool:
    return event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
        and QKeySequence(event.keyCombination()) == QKeySequence(NEW_KEYS)


def _mouse_button(button: QPushButton, tip: str) -> None:
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setToolTip(f"{tip} ({NEW_KEYS} in the list)")


class TargetRefField(Field):
    """A target memory from the client's registry (of the template's kind), or a new one."""

    new_requested = Signal(str)

    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        layout = row_layout(self)
        self.combo = Combo(self)
        self.combo.setMinimumContentsLength(34)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMaximumWidth(520)
        self.combo.addItem(CHOOSE, None)
        self.combo.activated.connect(lambda _i: self._user_edit())
        self._watch(self.combo)
        self.new_button = QPushButton("New target…", self)
        _mouse_button(self.new_button, "Add a target to this client's registry and choose it "
                      "here")
        self.new_button.clicked.connect(lambda: self.new_requested.emit(f.target_kind or "emdr"))
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.new_button)
        layout.addWidget(self._make_clear_button())
        layout.addStretch(0)
        self._targets: Mapping[int, TargetDTO] = {}

    def set_choices(
        self, targets: Mapping[int, TargetDTO], parts: Mapping[int, PartDTO]
    ) -> None:
        current = self.value()
        self._targets = targets
        self._quiet = True
        try:
            self.combo.clear()
            self.combo.addItem(UNANSWERED if self._read_only else CHOOSE, None)
            for target in targets.values():
                if self.f.takes_target(target.kind) or target.id == current:
                    self.combo.addItem(self._item_text(target), target.id)
            self._select(current)
        finally:
            self._quiet = False

    def _item_text(self, target: TargetDTO) -> str:
        """A draft chooses among the targets by label, prong and status as they are now; a
        signed note names its target by label alone, as its PDF does: the status now is
        not the status the session worked it in."""
        return target.label if self._read_only else target_text(target)

    def _select(self, value: int | None) -> None:
        if value is None:
            self.combo.setCurrentIndex(0)
            return
        index = self.combo.findData(value)
        if index < 0:  # not (yet) in the list: keep it, say what it is
            self.combo.addItem(f"Target #{value} (not in this client's list)", value)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)

    def value(self) -> Any:
        return self.combo.currentData()

    def _show(self, value: Any) -> bool:
        if not is_id(value):
            return False
        self._select(value)
        return True

    def _clear(self) -> None:
        self.combo.setCurrentIndex(0)

    def choose(self, target_id: int) -> None:
        """Select a target just added to the registry, as the person's own choice."""
        self._select(target_id)
        self._user_edit()

    def _apply_read_only(self, read_only: bool) -> None:
        make_read_only(self.combo, read_only)
        self.combo.setItemText(0, UNANSWERED if read_only else CHOOSE)
        for index in range(1, self.combo.count()):
            target = self._targets.get(self.combo.itemData(index))
            if target is not None:
                self.combo.setItemText(index, self._item_text(target))
        self.new_button.setVisible(not read_only)

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        self.combo.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if _is_new_key(watched, event) and not self._read_only:
            self.new_button.click()
            return True
        return super().eventFilter(watched, event)


class PartsRefField(Field):
    """Parts from the client's registry: a checkable list, or one part from a drop-down."""

    new_requested = Signal()

    VISIBLE_ROWS: Final = 6

    def __init__(self, f: FieldDef, parent: QWidget | None = None) -> None:
        super().__init__(f, parent)
        layout = row_layout(self)
        self._ids: list[int] = []  # chosen ids the registry does not list (kept)
        self._parts: Mapping[int, PartDTO] = {}
        self.list: QListView | None = None
        self.combo: Combo | None = None
        self.model = QStandardItemModel(self)
        if f.multiple:
            self.list = QListView(self)
            self.list.setModel(self.model)
            self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            self.list.setMaximumWidth(420)
            self.list.setUniformItemSizes(True)
            self.list.setItemDelegate(RoomyDelegate(self.list))
            self.list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.model.itemChanged.connect(lambda _item: self._user_edit())
            self._watch(self.list)
            layout.addWidget(self.list, 1, Qt.AlignmentFlag.AlignTop)
            self._placeholder = QLabel("No parts in this client's registry yet.", self)
            set_role(self._placeholder, "help")
            layout.addWidget(self._placeholder, 0, Qt.AlignmentFlag.AlignTop)
        else:
            self.combo = Combo(self)
            self.combo.setMinimumContentsLength(24)
            self.combo.addItem(CHOOSE, None)
            self.combo.activated.connect(lambda _i: self._user_edit())
            self._watch(self.combo)
            layout.addWidget(self.combo)
        self.new_button = QPushButton("New part…", self)
        _mouse_button(self.new_button, "Add a part to this client's registry and choose it "
                      "here")
        self.new_button.clicked.connect(self.new_requested.emit)
        layout.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignTop)
        if self.combo is not None:
            layout.addWidget(self._make_clear_button())
        layout.addStretch(1)
        self._rebuild([])

    def set_choices(
        self, targets: Mapping[int, TargetDTO], parts: Mapping[int, PartDTO]
    ) -> None:
        current = self.value() or []
        self._parts = parts
        self._quiet = True
        try:
            self._rebuild(current)
        finally:
            self._quiet = False

    def _rebuild(self, chosen: Sequence[int]) -> None:
        unknown = [i for i in chosen if i not in self._parts]
        if self.list is not None:
            self.model.clear()
            for part in self._offered(chosen):
                item = QStandardItem(self._item_text(part))
                item.setData(part.id, Qt.ItemDataRole.UserRole)
                item.setCheckable(True)
                item.setEditable(False)
                item.setCheckState(Qt.CheckState.Checked if part.id in chosen
                                   else Qt.CheckState.Unchecked)
                self.model.appendRow(item)
            for part_id in unknown:
                item = QStandardItem(f"Part #{part_id} (not in this client's list)")
                item.setData(part_id, Qt.ItemDataRole.UserRole)
                item.setCheckable(True)
                item.setEditable(False)
                item.setCheckState(Qt.CheckState.Checked)
                self.model.appendRow(item)
            self._apply_item_flags()
            rows = self.model.rowCount()
            self._placeholder.setVisible(rows == 0)
            self.list.setVisible(rows > 0)
            row_height = self.fontMetrics().height() + 10
            frame = 2 * self.list.frameWidth()
            self.list.setFixedHeight(min(rows, self.VISIBLE_ROWS) * row_height + frame + 2)
        elif self.combo is not None:
            self.combo.clear()
            self.combo.addItem(UNANSWERED if self._read_only else CHOOSE, None)
            for part in self._offered(chosen):
                self.combo.addItem(self._item_text(part), part.id)
            for part_id in unknown:
                self.combo.addItem(f"Part #{part_id} (not in this client's list)", part_id)
            index = self.combo.findData(chosen[0]) if chosen else 0
            self.combo.setCurrentIndex(max(index, 0))

    def _item_text(self, part: PartDTO) -> str:
        """A draft chooses among the parts by name and type as they are now (and whether
        they are on the map); a signed note names its parts, as its PDF does."""
        return part.name if self._read_only else part_text(part)

    def _offered(self, chosen: Sequence[int]) -> list[PartDTO]:
        """The parts this field takes (a main protector is never an exile), and any chosen
        already, which stay to be seen (signing says what is wrong with them). A signed
        note lists the parts it chose and no others: the registry's other parts, some
        found after the session, were never a choice it made."""
        if self._read_only:
            return [p for p in self._parts.values() if p.id in chosen]
        return [p for p in self._parts.values()
                if self.f.takes_part(p.part_type) or p.id in chosen]

    def _apply_item_flags(self) -> None:
        for row in range(self.model.rowCount()):
            item = self.model.item(row)
            item.setCheckable(not self._read_only)
            item.setEnabled(True)

    def value(self) -> Any:
        if self.list is not None:
            chosen = [
                self.model.item(row).data(Qt.ItemDataRole.UserRole)
                for row in range(self.model.rowCount())
                if self.model.item(row).checkState() == Qt.CheckState.Checked
            ]
            return chosen or None
        assert self.combo is not None
        data = self.combo.currentData()
        return None if data is None else [data]

    def _show(self, value: Any) -> bool:
        if not isinstance(value, list) or not all(is_id(v) for v in value):
            return False
        if len(set(value)) != len(value) or (not self.f.multiple and len(value) != 1):
            return False
        self._rebuild(value)
        return True

    def _clear(self) -> None:
        self._rebuild([])

    def choose(self, part_id: int) -> None:
        """Tick (or select) a part just added to the registry."""
        current = self.value() or []
        self._rebuild([*current, part_id] if self.f.multiple else [part_id])
        self._user_edit()

    def _apply_read_only(self, read_only: bool) -> None:
        self.new_button.setVisible(not read_only)
        self._quiet = True
        try:
            # The parts chosen alone and by name, or all again to choose among.
            self._rebuild(self.value() or [])
        finally:
            self._quiet = False
        if self.combo is not None:
            make_read_only(self.combo, read_only)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if _is_new_key(watched, event) and not self._read_only:
            self.new_button.click()
            return True
        return super().eventFilter(watched, event)

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        widget: QWidget | None = self.list if self.list is not None else self.combo
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
