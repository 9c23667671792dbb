"""A layout that puts its items in a row and wraps onto more rows when the row is full.

For a legend or a row of small cards that must never be cut off on a narrow window: what
does not fit on one line goes to the next, and the layout asks for the height it needs.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget


class FlowLayout(QLayout):
    """Items left to right, wrapping; `uniform` gives every item of a row the same width,
    stretched to fill it (a row of cards), otherwise items keep their size hint."""

    def __init__(self, parent: QWidget | None = None, *, spacing: int = 8,
                 uniform: bool = False, min_item_width: int = 0) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._uniform = uniform
        self._min_item_width = min_item_width
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    # -- QLayout ------------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(self._item_min(item))
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    # -- layout -------------------------------------------------------------------------

    def _visible(self) -> list[QLayoutItem]:
        visible = []
        for item in self._items:
            widget = item.widget()
            if widget is None or not widget.isHidden():
                visible.append(item)
        return visible

    def _item_min(self, item: QLayoutItem) -> QSize:
        hint = item.sizeHint()
        return QSize(max(hint.width(), self._min_item_width), hint.height())

    def columns_for(self, width: int) -> int:
        """How many uniform items a row holds in `width` (at least one): as many as fit,
        then as few as give the same number of rows, so rows are even (six cards go
        six, three and three, or two by three; never four and two)."""
        items = self._visible()
        if not items:
            return 1
        widest = max(self._item_min(i).width() for i in items)
        fit = max(1, min(len(items), (width + self._spacing) // (widest + self._spacing)))
        rows = -(-len(items) // fit)
        return -(-len(items) // rows)

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        margins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        items = self._visible()
        if not items:
            return 0
        if self._uniform:
            columns = self.columns_for(area.width())
            width = (area.width() - (columns - 1) * self._spacing) // columns
            y = area.y()
            for start in range(0, len(items), columns):
                row = items[start:start + columns]
                height = max(i.sizeHint().height() for i in row)
                for column, item in enumerate(row):
                    if apply:
                        x = area.x() + column * (width + self._spacing)
                        item.setGeometry(QRect(x, y, width, height))
                y += height + self._spacing
            return y - self._spacing - area.y() + margins.top() + margins.bottom()
        x, y, line = area.x(), area.y(), 0
        for item in items:
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._spacing, 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - area.y() + margins.top() + margins.bottom()


def flow_widget(*, spacing: int = 8, uniform: bool = False,
                min_item_width: int = 0) -> tuple[QWidget, FlowLayout]:
    """A widget holding a FlowLayout, sized to the height its rows need."""
    holder = QWidget()
    layout = FlowLayout(holder, spacing=spacing, uniform=uniform,
                        min_item_width=min_item_width)
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    holder.setSizePolicy(policy)
    return holder, layout
