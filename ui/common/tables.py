"""What every table on screen shares: a cell too narrow for its text shows it as a tooltip;
a column that takes the table's spare width keeps a readable least width."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
)

from ui.common.style import wrapped_tip

AnyIndex = QModelIndex | QPersistentModelIndex


class FullTextDelegate(QStyledItemDelegate):
    """Paints cells as usual; a cell whose text is cut (elided) gets it whole as its tooltip,
    followed by the model's own tooltip when it says something more."""

    def full_text_tip(self, option: QStyleOptionViewItem, index: AnyIndex) -> str | None:
        """The tooltip for a cell drawn in `option.rect`; None when nothing is cut and the
        model has no tooltip of its own."""
        own = index.data(Qt.ItemDataRole.ToolTipRole)
        own_text = own if isinstance(own, str) and own else None
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not isinstance(text, str) or not text:
            return own_text
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        room = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt,
                                    opt.widget).width()
        # The style keeps a few pixels of margin inside the text rectangle.
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                   opt.widget) + 1
        cut = opt.fontMetrics.horizontalAdvance(text) > room - 2 * margin
        if not cut:
            return own_text
        return f"{text}\n{own_text}" if own_text and own_text != text else text

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView,
                  option: QStyleOptionViewItem, index: AnyIndex) -> bool:
        if event is not None and event.type() == QEvent.Type.ToolTip and index.isValid():
            tip = self.full_text_tip(option, index)
            if tip:
                QToolTip.showText(event.globalPos(), wrapped_tip(tip), view)
            else:
                QToolTip.hideText()
            return True
        return super().helpEvent(event, view, option, index)


def show_full_text_tips(view: QAbstractItemView) -> FullTextDelegate:
    """Give a table view the full-text tooltips (its cells otherwise drawn as before)."""
    delegate = FullTextDelegate(view)
    view.setItemDelegate(delegate)
    return delegate


class _StretchAtLeast(QObject):
    """Keeps one column taking the table's spare width, but never narrower than `least`:
    where the other columns leave less, it keeps `least` and the table scrolls sideways."""

    def __init__(self, view: QTableView, column: int, least: int) -> None:
        super().__init__(view)
        self._view, self._column, self._least = view, column, least
        header = view.horizontalHeader()
        header.sectionResized.connect(self._other_resized)
        view.viewport().installEventFilter(self)
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _other_resized(self, column: int, _old: int, _new: int) -> None:
        if column != self._column:
            self.fit()

    def fit(self) -> None:
        header = self._view.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(header.count())
                     if c != self._column and not header.isSectionHidden(c))
        room = self._view.viewport().width() - others
        if room >= self._least:
            if header.sectionResizeMode(self._column) != QHeaderView.ResizeMode.Stretch:
                header.setSectionResizeMode(self._column, QHeaderView.ResizeMode.Stretch)
        else:
            if header.sectionResizeMode(self._column) != QHeaderView.ResizeMode.Interactive:
                header.setSectionResizeMode(self._column, QHeaderView.ResizeMode.Interactive)
            if header.sectionSize(self._column) != self._least:
                header.resizeSection(self._column, self._least)


def stretch_at_least(view: QTableView, column: int, least: int) -> None:
    """`column` takes the spare width of `view`, and keeps at least `least` pixels of it:
    a narrow window scrolls the table sideways rather than cut that column, header and all,
    to a few letters. Qt's own stretch gives a squeezed column its least section size."""
    _StretchAtLeast(view, column, least)
