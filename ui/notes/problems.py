"""What keeps a note from signing: field paths, the problem list model and its panel."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QVBoxLayout,
    QWidget,
)

from models.templates.validation import Problem
from ui.common.style import set_role
from ui.notes.inputs import RoomyDelegate

_PATH_RE: Final = re.compile(r"([a-z][a-z0-9_]*)(?:\[(\d+)\](?:\.([a-z][a-z0-9_]*))?)?")
_NO_PARENT: Final = QModelIndex()
# From anywhere in a note, to the first problem that stops it being signed.
FIRST_PROBLEM_KEYS: Final = "Ctrl+Shift+E"


def parse_path(path: str) -> tuple[str, int | None, str | None]:
    """Split a problem's field path: "sets[1].sud" -> ("sets", 1, "sud"); "plan" -> ("plan",
    None, None). A path the form does not understand gives its text back as the field."""
    match = _PATH_RE.fullmatch(path)
    if match is None:
        return path, None, None
    row = match.group(2)
    return match.group(1), int(row) if row is not None else None, match.group(3)


class ProblemListModel(QAbstractListModel):
    """The problems that keep a note from signing, one line each: "Label: message"."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._problems: list[Problem] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._problems)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._problems):
            return None
        problem = self._problems[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"•  {problem.message}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{problem.label}: click to go to the field"
        if role == Qt.ItemDataRole.UserRole:
            return problem.field_path
        return None

    def problems(self) -> list[Problem]:
        return list(self._problems)

    def set_problems(self, problems: Iterable[Problem]) -> None:
        self.beginResetModel()
        self._problems = list(problems)
        self.endResetModel()

    def drop_field(self, field_id: str) -> None:
        """Forget the problems of one field (the person is fixing it)."""
        keep = [p for p in self._problems if parse_path(p.field_path)[0] != field_id]
        if len(keep) != len(self._problems):
            self.set_problems(keep)


class ProblemPanel(QFrame):
    """A list of problems above the form; activating one jumps to its field."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "problems")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(4)
        top = QHBoxLayout()
        self.title = QLabel(self)
        set_role(self.title, "problems-title")
        self.hint = QLabel("Click a line, or press Enter on it, to go to the field "
                           f"({FIRST_PROBLEM_KEYS}: the first one).", self)
        set_role(self.hint, "help")
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.hint)
        layout.addLayout(top)
        self.model = ProblemListModel(self)
        self.view = QListView(self)
        set_role(self.view, "problems")
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(True)
        self.view.setUniformItemSizes(True)
        self.view.setItemDelegate(RoomyDelegate(self.view, extra=6))
        self.view.setCursor(Qt.CursorShape.PointingHandCursor)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.view)
        self.model.modelReset.connect(self._fit)

    def _fit(self) -> None:
        rows = self.model.rowCount()
        line = self.fontMetrics().height() + 6
        self.view.setFixedHeight(min(rows, 7) * line + 4)
