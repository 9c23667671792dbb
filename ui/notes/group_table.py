"""A repeating group as an editable table: its rows model, typed cell editors, the field."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.dto import PartDTO, TargetDTO
from models.templates.definitions import FieldDef, FieldKind, RowEntry
from models.templates.display import display_value
from models.values import is_blank, is_int, is_number
from reports.palette import PROBLEM_BG, WARNING_BG
from ui.common.style import set_role
from ui.notes.display import part_text
from ui.notes.fields import Field
from ui.notes.inputs import (
    UNANSWERED,
    Combo,
    OptionalDateEdit,
    OptionalDoubleSpin,
    OptionalSpin,
    OptionalTimeEdit,
    parse_hhmm,
)

_NO_PARENT: Final = QModelIndex()
# The keys that add a row, said once: the table's hint line shows them and the table (and
# any cell being typed in) acts on them.
ADD_ROW_KEYS: Final = "Insert or Ctrl+Enter"


def is_add_row_key(event: QKeyEvent) -> bool:
    """Insert, or Ctrl with either Enter key: add a row after the last."""
    key, mods = event.key(), event.modifiers()
    if key == Qt.Key.Key_Insert and not mods & ~Qt.KeyboardModifier.KeypadModifier:
        return True
    return key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and bool(
        mods & Qt.KeyboardModifier.ControlModifier) and not mods & (
        Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier)


class GroupRowsModel(QAbstractTableModel):
    """The rows of a repeating group: one dict per row, one column per column field."""

    ProblemRole: Final = Qt.ItemDataRole.UserRole + 1
    cell_edited = Signal(int, str)  # row, column id: a person changed a cell

    def __init__(
        self,
        group: FieldDef,
        names: Callable[[], tuple[Mapping[int, TargetDTO], Mapping[int, PartDTO]]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.group = group
        self.columns = group.columns
        self._names = names
        self._rows: list[dict[str, Any]] = []
        self._problems: dict[tuple[int, str], str] = {}
        self._warnings: dict[tuple[int, str], str] = {}  # values that need a reason to sign
        self.read_only = False

    # -- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(section + 1)
            return None
        if not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        # A signed note's table requires nothing more: no mark, no rule in its tooltip.
        required = column.required and not self.read_only
        if role == Qt.ItemDataRole.DisplayRole:
            text = column.label + ("\u00a0*" if required else "")
            return f"{text}\n{column.unit}" if column.unit else text
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [column.label]
            if required:
                parts.append("Required in every row to sign.")
            if column.help:
                parts.append(column.help)
            return "\n".join(parts)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self.read_only:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(self.columns):
            return None
        column = self.columns[index.column()]
        value = self._rows[index.row()].get(column.id)
        if role == Qt.ItemDataRole.DisplayRole:
            targets, parts = self._names()
            return display_value(column, value, targets, parts)
        if role == Qt.ItemDataRole.EditRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.kind in (FieldKind.INTEGER, FieldKind.NUMBER, FieldKind.SCALE,
                               FieldKind.TIME):
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            key = (index.row(), column.id)
            return self._problems.get(key) or self._warnings.get(key) or column.help or None
        if role == Qt.ItemDataRole.BackgroundRole:
            if (index.row(), column.id) in self._problems:
                return QBrush(QColor(PROBLEM_BG))
            if (index.row(), column.id) in self._warnings:
                return QBrush(QColor(WARNING_BG))
            return None
        if role == self.ProblemRole:
            return self._problems.get((index.row(), column.id))
        return None

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.read_only:
            return False
        column = self.columns[index.column()]
        row = self._rows[index.row()]
        if is_blank(value):
            if column.id not in row:
                return False
            del row[column.id]
        else:
            if row.get(column.id) == value and type(row.get(column.id)) is type(value):
                return False
            row[column.id] = value
        self._problems.pop((index.row(), column.id), None)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole,
                                             Qt.ItemDataRole.EditRole])
        self.cell_edited.emit(index.row(), column.id)
        return True

    # -- rows ------------------------------------------------------------------------------

    def rows(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self._rows]

    def set_rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = [dict(row) for row in rows]
        self._problems.clear()
        self.endResetModel()

    def add_row(self, values: Mapping[str, Any] | None = None) -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(dict(values or {}))
        self.endInsertRows()
        return row

    def remove_row(self, row: int) -> None:
        if not 0 <= row < len(self._rows):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()
        # Problems name rows by position; once the rows move they no longer line up.
        self._problems.clear()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.columns) - 1))

    def set_problems(self, problems: Mapping[tuple[int, str], str]) -> None:
        self._problems = dict(problems)
        if self._rows and self.columns:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.columns) - 1),
                                  [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole])

    def set_warnings(self, warnings: Mapping[tuple[int, str], str]) -> None:
        if warnings == self._warnings:
            return
        self._warnings = dict(warnings)
        if self._rows and self.columns:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.columns) - 1),
                                  [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole])

    def row_values(self, row: int) -> dict[str, Any]:
        """One row's filled cells (empty for a row that does not exist)."""
        if not 0 <= row < len(self._rows):
            return {}
        return {k: v for k, v in self._rows[row].items() if not is_blank(v)}

    def column_index(self, column_id: str) -> int:
        for index, column in enumerate(self.columns):
            if column.id == column_id:
                return index
        return -1

    def refresh_names(self) -> None:
        if self._rows and self.columns:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.columns) - 1),
                                  [Qt.ItemDataRole.DisplayRole])


class TypeAheadCombo(Combo):
    """A choice in a table cell that picks what is typed: "Nausea" picks Nausea, whatever
    comes after N in the list. The first option whose label starts with the letters typed
    so far is chosen (else the first that contains them); Backspace takes a letter back,
    the arrows move, and nothing is kept until Enter, Tab, leaving the cell, or a click in
    the list. (A plain combo box searches afresh on every key and keeps each guess.)"""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.typed = ""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text = event.key(), event.text()
        control = event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                       | Qt.KeyboardModifier.AltModifier)
        if key == Qt.Key.Key_Backspace and not control:
            self.typed = self.typed[:-1]
            self._pick()
            return
        if text and text.isprintable() and not control:
            self.typed += text
            self._pick()
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not control:
            step = -1 if key == Qt.Key.Key_Up else 1
            self.setCurrentIndex(max(0, min(self.count() - 1, self.currentIndex() + step)))
            self.typed = ""
            return
        super().keyPressEvent(event)

    def _pick(self) -> None:
        typed = " ".join(self.typed.casefold().split())
        if not typed:
            return
        labels = [(i, self.itemText(i).casefold()) for i in range(1, self.count())]
        found = next((i for i, label in labels if label.startswith(typed)), None)
        if found is None:
            found = next((i for i, label in labels if typed in label), None)
        if found is not None:
            self.setCurrentIndex(found)


class _CellDelegate(QStyledItemDelegate):
    """Typed editors for group cells, built from the column's FieldDef."""

    def __init__(
        self,
        model: GroupRowsModel,
        names: Callable[[], tuple[Mapping[int, TargetDTO], Mapping[int, PartDTO]]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._names = names

        self.add_requested: Callable[[], None] | None = None

    def _column(self, index: QModelIndex | QPersistentModelIndex) -> FieldDef:
        return self._model.columns[index.column()]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The add-row keys work while a cell is being typed in: what is typed is kept, the
        # cell closes, and the new row opens (without leaving the keyboard for the mouse).
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and isinstance(watched, QWidget) and is_add_row_key(event) \
                and self.add_requested is not None:
            self.commitData.emit(watched)
            self.closeEditor.emit(watched, QAbstractItemDelegate.EndEditHint.NoHint)
            self.add_requested()
            return True
        return super().eventFilter(watched, event)

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        column = self._column(index)
        kind = column.kind
        if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.MULTI_CHOICE):
            edit = QLineEdit(parent)
            if column.max_length:
                edit.setMaxLength(column.max_length)
            if kind is FieldKind.MULTI_CHOICE:
                edit.setPlaceholderText(", ".join(o.label for o in column.options))
            return edit
        if kind in (FieldKind.CHOICE, FieldKind.YES_NO, FieldKind.TARGET_REF,
                    FieldKind.PARTS_REF):
            combo = TypeAheadCombo(parent)
            combo.setMinimumContentsLength(8)
            combo.addItem(UNANSWERED, None)
            targets, parts = self._names()
            if kind is FieldKind.CHOICE:
                for o in column.options:
                    combo.addItem(o.label, o.value)
            elif kind is FieldKind.YES_NO:
                combo.addItem("Yes", True)
                combo.addItem("No", False)
            elif kind is FieldKind.TARGET_REF:
                for t in targets.values():
                    if column.takes_target(t.kind):
                        combo.addItem(t.label, t.id)
            else:
                for p in parts.values():
                    # A part taken off the map is not offered again.
                    if p.on_map and column.takes_part(p.part_type):
                        combo.addItem(part_text(p), p.id)
            # A choice is made the moment it is picked, without a second Enter.
            combo.activated.connect(lambda _i, c=combo: self._commit(c))
            return combo
        if kind in (FieldKind.INTEGER, FieldKind.SCALE):
            return OptionalSpin(column, parent)
        if kind is FieldKind.NUMBER:
            return OptionalDoubleSpin(column, parent)
        if kind is FieldKind.DATE:
            return OptionalDateEdit(parent)
        if kind is FieldKind.TIME:
            return OptionalTimeEdit(parent)
        return super().createEditor(parent, option, index)

    def _commit(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        column = self._column(index)
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QLineEdit):
            if column.kind is FieldKind.MULTI_CHOICE and isinstance(value, list):
                editor.setText(display_value(column, value))
            else:
                editor.setText(value if isinstance(value, str) else "")
        elif isinstance(editor, QComboBox):
            wanted = value[0] if column.kind is FieldKind.PARTS_REF and isinstance(value, list) \
                and value else value
            found = 0
            for i in range(1, editor.count()):
                data = editor.itemData(i)
                if type(data) is type(wanted) and data == wanted:
                    found = i
                    break
            editor.setCurrentIndex(found)
        elif isinstance(editor, OptionalSpin):
            if is_int(value) and editor.minimum() < value <= editor.maximum():
                editor.setValue(value)
            else:
                editor.clear_value()
        elif isinstance(editor, OptionalDoubleSpin):
            if is_number(value) and editor.minimum() < value <= editor.maximum():
                editor.setValue(float(value))
            else:
                editor.clear_value()
        elif isinstance(editor, OptionalDateEdit):
            date = QDate.fromString(value, "yyyy-MM-dd") if isinstance(value, str) else QDate()
            if date.isValid():
                editor.setDate(date)
            else:
                editor.clear_value()
        elif isinstance(editor, OptionalTimeEdit):
            hhmm = parse_hhmm(value)
            if hhmm is not None:
                editor.set_hhmm(*hhmm)
            else:
                editor.clear_value()
        else:
            super().setEditorData(editor, index)

    def setModelData(
        self,
        editor: QWidget,
        model: Any,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        column = self._column(index)
        value: Any
        if isinstance(editor, QLineEdit):
            text = editor.text()
            if column.kind is FieldKind.MULTI_CHOICE:
                by_label = {o.label.casefold(): o.value for o in column.options}
                picked = [by_label.get(t.strip().casefold(), t.strip())
                          for t in text.split(",") if t.strip()]
                value = [o.value for o in column.options if o.value in picked] + \
                    [p for p in picked if p not in {o.value for o in column.options}]
            else:
                value = text if text.strip() else None
        elif isinstance(editor, QComboBox):
            value = editor.currentData()
            if column.kind is FieldKind.PARTS_REF and value is not None:
                value = [value]
        elif isinstance(editor, OptionalSpin | OptionalDoubleSpin):
            editor.interpretText()
            value = editor.optional_value()
        elif isinstance(editor, OptionalDateEdit):
            value = editor.date().toString("yyyy-MM-dd") if editor.is_set() else None
        elif isinstance(editor, OptionalTimeEdit):
            value = editor.hhmm()
        else:
            super().setModelData(editor, model, index)
            return
        model.setData(index, value, Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self,
        editor: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        rect = option.rect
        hint = editor.sizeHint()
        editor.setGeometry(QRect(rect.topLeft(), QSize(max(rect.width(), min(hint.width(), 260)),
                                                       rect.height())))


class _GroupTable(QTableView):
    """The group's table: Insert or Ctrl+Enter adds a row, Delete clears a cell, Tab passes
    over the columns the template says are rarely used and leaves the table at its end."""

    add_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.skipped: frozenset[int] = frozenset()  # columns Tab passes over

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if is_add_row_key(event) and self.editTriggers() != \
                QAbstractItemView.EditTrigger.NoEditTriggers:
            self.add_requested.emit()
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) \
                and not event.modifiers() & Qt.KeyboardModifier.ControlModifier \
                and self.state() != QAbstractItemView.State.EditingState:
            index = self.currentIndex()
            if index.isValid() and index.flags() & Qt.ItemFlag.ItemIsEditable:
                self.model().setData(index, None, Qt.ItemDataRole.EditRole)
                return
        super().keyPressEvent(event)

    def commit_open_editor(self) -> None:
        """Store what is typed in a cell that is still being edited."""
        if self.state() != QAbstractItemView.State.EditingState:
            return
        editor = QApplication.focusWidget()
        while editor is not None and editor.parentWidget() is not self.viewport():
            editor = editor.parentWidget()
        if editor is not None:
            self.commitData(editor)

    def tab_step(self, index: QModelIndex, forward: bool) -> QModelIndex | None:
        """The cell Tab (Shift+Tab) goes to from `index`, row by row, passing over the
        skipped columns; None past the last cell (before the first)."""
        model = self.model()
        columns, rows = model.columnCount(), model.rowCount()
        if not index.isValid() or not columns:
            return None
        position = index.row() * columns + index.column()
        step = 1 if forward else -1
        position += step
        while 0 <= position < rows * columns:
            if position % columns not in self.skipped:
                return model.index(position // columns, position % columns)
            position += step
        return None

    def moveCursor(self, cursorAction: QAbstractItemView.CursorAction,
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        action = QAbstractItemView.CursorAction
        if cursorAction in (action.MoveNext, action.MovePrevious):
            found = self.tab_step(self.currentIndex(), cursorAction == action.MoveNext)
            return found if found is not None else self.currentIndex()
        return super().moveCursor(cursorAction, modifiers)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        # Tab in the last cell (Shift+Tab in the first) closes it and leaves the table for
        # the next field, instead of wrapping round to set 1 and opening its cell.
        end = QAbstractItemDelegate.EndEditHint
        if hint in (end.EditNextItem, end.EditPreviousItem):
            forward = hint == end.EditNextItem
            if self.tab_step(self.currentIndex(), forward) is None:
                super().closeEditor(editor, end.NoHint)
                QWidget.focusNextPrevChild(self, forward)
                return
        super().closeEditor(editor, hint)

    def focusNextPrevChild(self, next: bool) -> bool:
        # Tab moves from cell to cell; from the last cell (Shift+Tab: the first) it leaves
        # the table for the next field instead of wrapping round.
        if self.tab_step(self.currentIndex(), next) is None:
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)


class GroupField(Field):
    """A repeating group as an editable table with Add row / Remove row."""

    VISIBLE_ROWS: Final = 8

    def __init__(
        self,
        f: FieldDef,
        names: Callable[[], tuple[Mapping[int, TargetDTO], Mapping[int, PartDTO]]],
        parent: QWidget | None = None,
        entry: RowEntry | None = None,
    ) -> None:
        super().__init__(f, parent)
        self.entry = entry or RowEntry(f.id)
        self.model = GroupRowsModel(f, names, self)
        self.view = _GroupTable(self)
        self.view.setModel(self.model)
        self.view.skipped = frozenset(self.model.column_index(c) for c in self.entry.skipped)
        delegate = _CellDelegate(self.model, names, self.view)
        delegate.add_requested = self.add_row
        self.view.setItemDelegate(delegate)
        self.confirmation: QMessageBox | None = None  # the open "Remove row?" question
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(True)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        header = self.view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setMinimumSectionSize(64)
        wide = (FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.MULTI_CHOICE)
        has_text = any(c.kind in wide for c in f.columns)
        for index, column in enumerate(f.columns):
            if column.kind in wide or not has_text:
                header.setSectionResizeMode(index, QHeaderView.ResizeMode.Stretch)
            else:
                header.setSectionResizeMode(index, QHeaderView.ResizeMode.ResizeToContents)
        vertical = self.view.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 14)
        vertical.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        vertical.setMinimumWidth(28)
        if not has_text:
            # Only numbers and short answers: a table as wide as the page would scatter
            # them; give each column a comfortable width instead.
            self.view.setMaximumWidth(28 + 150 * len(f.columns) + 2 * self.view.frameWidth())
        self.view.add_requested.connect(self.add_row)

        # The buttons are for the mouse: the keyboard has the add-row keys in the table, and
        # a stray Space on a focused "Remove row" must not cost a set.
        self.add_button = QPushButton("Add row", self)
        self.add_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = QPushButton("Remove row", self)
        self.remove_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.remove_button.clicked.connect(self.remove_current_row)
        self.count_label = QLabel(self)
        set_role(self.count_label, "help")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.view)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addSpacing(8)
        buttons.addWidget(self.count_label)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.model.cell_edited.connect(lambda *_a: self._user_edit())
        self.model.rowsInserted.connect(lambda *_a: self._rows_changed())
        self.model.rowsRemoved.connect(lambda *_a: self._rows_changed())
        self.model.modelReset.connect(self._rows_changed)
        self.view.selectionModel().currentChanged.connect(lambda *_a: self._update_buttons())
        self.view.selectionModel().currentChanged.connect(self._follow_current)
        self._pad()
        self._rows_changed()

    def _pad(self) -> None:
        """A group that needs rows to sign starts with that many empty rows."""
        while self.model.rowCount() < self.f.min_rows:
            self.model.add_row()

    def _rows_changed(self) -> None:
        self._fit_height()
        self._update_buttons()
        count = self.model.rowCount()
        limits = []
        if self.f.min_rows:
            limits.append(f"at least {self.f.min_rows}")
        if self.f.max_rows is not None:
            limits.append(f"at most {self.f.max_rows}")
        text = f"{count} row{'s' if count != 1 else ''}"
        # A signed note's empty table reads as any field left unanswered, not as a grid.
        empty_record = self._read_only and count == 0
        self.view.setHidden(empty_record)
        if empty_record:
            text = UNANSWERED
        elif not self._read_only:  # the limits and the keys are for entering rows
            if limits:
                text += f" ({', '.join(limits)})"
            text += f"  ·  {ADD_ROW_KEYS} adds a row"
            if self.entry.carried:
                labels = [self.f.column(c).label for c in self.entry.carried]
                carried = " and ".join([", ".join(labels[:-1]), labels[-1]] if len(labels) > 1
                                       else labels)
                text += f" with {carried} from the row above"
        self.count_label.setText(text)

    def _fit_height(self) -> None:
        rows = min(max(self.model.rowCount(), 1), self.VISIBLE_ROWS)
        header = self.view.horizontalHeader().sizeHint().height()
        row_height = self.view.verticalHeader().defaultSectionSize()
        scroll = self.view.horizontalScrollBar().sizeHint().height() \
            if self.view.horizontalScrollBar().isVisible() else 0
        self.view.setFixedHeight(header + rows * row_height + 2 * self.view.frameWidth()
                                 + scroll + 2)

    def _update_buttons(self) -> None:
        count = self.model.rowCount()
        can_add = self.f.max_rows is None or count < self.f.max_rows
        current = self.view.currentIndex()
        can_remove = current.isValid() and count > self.f.min_rows
        self.add_button.setEnabled(can_add and not self._read_only)
        self.remove_button.setEnabled(can_remove and not self._read_only)
        self.add_button.setVisible(not self._read_only)
        self.remove_button.setVisible(not self._read_only)
        self.add_button.setToolTip(
            f"Add a row ({ADD_ROW_KEYS} in the table)" if can_add
            else f"{self.f.label} takes at most {self.f.max_rows} rows"
        )
        self.remove_button.setToolTip(
            "Remove the selected row" if count > self.f.min_rows
            else f"{self.f.label} needs at least {self.f.min_rows} rows to sign"
        )

    def add_row(self) -> None:
        """A row after the last, with the carried columns of the row above, and the cursor
        typing in its first free cell."""
        if self._read_only or (self.f.max_rows is not None
                               and self.model.rowCount() >= self.f.max_rows):
            return
        above = self.model.row_values(self.model.rowCount() - 1)
        row = self.model.add_row({c: above[c] for c in self.entry.carried if c in above})
        filled = self.model.row_values(row)
        first_free = next((i for i, c in enumerate(self.model.columns)
                           if c.id not in filled and i not in self.view.skipped), 0)
        index = self.model.index(row, first_free)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        self._user_edit()
        self.view.edit(index)

    def remove_current_row(self) -> None:
        """Remove the current row; one with something in it only once the person says so."""
        index = self.view.currentIndex()
        if self._read_only or not index.isValid() or self.model.rowCount() <= self.f.min_rows:
            return
        row = index.row()
        if not self.model.row_values(row):
            self._remove(row)
            return
        box = QMessageBox(QMessageBox.Icon.Question, f"Remove row {row + 1}?",
                          f"Remove row {row + 1} of {self.f.label}?",
                          QMessageBox.StandardButton.NoButton, self)
        box.setInformativeText(f"What is written in row {row + 1} is deleted with it.")
        remove = box.addButton(f"Remove row {row + 1}", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.confirmation = box

        def answered(_result: int) -> None:
            chosen = box.clickedButton()
            self.confirmation = None
            box.deleteLater()
            if chosen is remove:
                self._remove(row)

        box.finished.connect(answered)
        box.open()

    def _remove(self, row: int) -> None:
        if 0 <= row < self.model.rowCount() and self.model.rowCount() > self.f.min_rows:
            self.model.remove_row(row)
            self._user_edit()

    def _follow_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        """Keep the current cell in view on the page as Tab and the arrows move it."""
        if not current.isValid():
            return
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        content = area.widget() if area is not None else None
        if area is None or content is None:
            return
        rect = self.view.visualRect(current)
        if not rect.isValid():
            return
        centre = self.view.viewport().mapTo(content, rect.center())
        area.ensureVisible(centre.x(), centre.y(), rect.width() // 2 + 24,
                           rect.height() // 2 + 48)

    def value(self) -> Any:
        rows = [{k: v for k, v in row.items() if not is_blank(v)} for row in self.model.rows()]
        return rows if any(rows) else None

    def _show(self, value: Any) -> bool:
        if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
            return False
        self.model.set_rows(value)
        self._pad()
        return True

    def _clear(self) -> None:
        self.model.set_rows([])
        self._pad()

    def set_choices(
        self, targets: Mapping[int, TargetDTO], parts: Mapping[int, PartDTO]
    ) -> None:
        self.model.refresh_names()

    def set_cell_problems(self, problems: Mapping[tuple[int, str], str]) -> None:
        self.model.set_problems(problems)

    def set_cell_warnings(self, warnings: Mapping[tuple[int, str], str]) -> None:
        self.model.set_warnings(warnings)

    def commit_pending_edit(self) -> None:
        self.view.commit_open_editor()

    def _apply_read_only(self, read_only: bool) -> None:
        self.model.read_only = read_only
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0,
                                          max(0, self.model.columnCount() - 1))
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.NoEditTriggers if read_only
            else QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self._rows_changed()

    def focus_editor(self, row: int | None = None, column: str | None = None) -> None:
        col = self.model.column_index(column) if column else 0
        if row is not None and 0 <= row < self.model.rowCount():
            index = self.model.index(row, max(col, 0))
        elif self.model.rowCount():
            index = self.model.index(0, 0)
        else:  # no rows yet: the table itself, where Insert or Ctrl+Enter adds one
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
