"""A PDF shown page by page in the window, and printed.

PySide6-Essentials has no QtPdf (QPdfDocument and QPdfView ship only in PySide6-Addons),
so pages are drawn with PDFium (pypdfium2, the engine Chromium uses) into images. Only the
pages in view are drawn, so a report of a hundred pages opens at once. The bytes stay in
memory: nothing is written to a temporary file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PySide6.QtCore import QRect, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFrame,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from reports import palette

PREVIEW_SCALE = 1.35  # the largest pixels per point on screen: an A4 page 800 pixels wide
MIN_SCALE = 0.5
PRINT_DPI = 300


def ask_pdf_path(parent: QWidget, title: str, suggested: str) -> str:
    """Where to save a PDF, asked in the platform's dialog, starting in Documents with the
    suggested name ('' when cancelled)."""
    folder = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    path, _filter = QFileDialog.getSaveFileName(parent, title, str(Path(folder) / suggested),
                                                "PDF documents (*.pdf)")
    return path


def ask_printer(parent: QWidget, printer: QPrinter) -> bool:
    """The platform's print dialog for `printer`; False when cancelled."""
    return QPrintDialog(printer, parent).exec() == QDialog.DialogCode.Accepted


def page_image(document: Any, index: int, scale: float) -> QImage:
    """One page drawn by PDFium as a QImage (copied, so PDFium's buffer can go)."""
    bitmap = document[index].render(scale=scale, rev_byteorder=True)
    # PDFium draws RGB (an opaque page) or RGBA; rev_byteorder puts red first.
    fmt = (QImage.Format.Format_RGB888 if bitmap.n_channels == 3
           else QImage.Format.Format_RGBA8888)
    image = QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride, fmt)
    return image.copy()


class PdfPreview(QScrollArea):
    """The pages of one PDF, one under another, drawn as they scroll into view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document: Any = None
        self._pages: list[QLabel] = []
        self._drawn: set[int] = set()
        self._sizes: list[tuple[float, float]] = []
        self._scale = PREVIEW_SCALE
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._host = QWidget()
        self._host.setObjectName("previewHost")
        self._host.setStyleSheet(f"QWidget#previewHost {{ background: {palette.BACKGROUND}; }}")
        self._column = QVBoxLayout(self._host)
        self._column.setContentsMargins(16, 16, 16, 16)
        self._column.setSpacing(14)
        self._column.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.setWidget(self._host)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(40)
        self._timer.timeout.connect(self._draw_visible)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self._timer.start())

    @property
    def page_count(self) -> int:
        return len(self._pages)

    def set_pdf(self, pdf: bytes) -> None:
        self.clear()
        self._document = pdfium.PdfDocument(pdf)
        self._sizes = [self._document.get_page_size(i) for i in range(len(self._document))]
        for index in range(len(self._sizes)):
            label = QLabel()
            label.setStyleSheet(f"background: white; border: 1px solid {palette.LINE};")
            label.setAccessibleName(f"Page {index + 1}")
            self._column.addWidget(label)
            self._pages.append(label)
        self._fit()
        self.verticalScrollBar().setValue(0)
        self._timer.start()

    def _fit(self) -> None:
        """Pages as wide as the view allows, up to PREVIEW_SCALE; redrawn when that changes."""
        if not self._sizes:
            return
        widest = max(width for width, _height in self._sizes)
        room = self.viewport().width() - 2 * 16 - 2
        scale = max(MIN_SCALE, min(PREVIEW_SCALE, room / widest))
        if self._drawn and abs(scale - self._scale) < 0.02:
            return
        self._scale = scale
        self._drawn.clear()
        for label, (width, height) in zip(self._pages, self._sizes, strict=True):
            label.clear()
            label.setFixedSize(round(width * scale), round(height * scale))

    def clear(self) -> None:
        """Forget the document and every drawn page (on lock, or a new report)."""
        self._timer.stop()
        for label in self._pages:
            self._column.removeWidget(label)
            label.deleteLater()
        self._pages.clear()
        self._sizes = []
        self._drawn.clear()
        if self._document is not None:
            self._document.close()
            self._document = None

    def _draw_visible(self) -> None:
        if self._document is None:
            return
        top = self.verticalScrollBar().value()
        view = QRect(0, top, self.viewport().width(), self.viewport().height())
        for index, label in enumerate(self._pages):
            if index in self._drawn or not label.geometry().intersects(view.adjusted(0, -400, 0,
                                                                                      400)):
                continue
            label.setPixmap(QPixmap.fromImage(page_image(self._document, index, self._scale)))
            self._drawn.add(index)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._timer.start()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()
        self._timer.start()

    def print_to(self, printer: QPrinter, step: Callable[[int, int], None] | None = None) -> None:
        """Draw every page onto the printer, each fitted to the printable area."""
        if self._document is None:
            return
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("The printer could not be started.")
        try:
            count = len(self._document)
            for index in range(count):
                if index:
                    printer.newPage()
                scale = min(PRINT_DPI, printer.resolution()) / 72
                image = page_image(self._document, index, scale)
                area = painter.viewport()
                size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(QRect(area.topLeft(), size), image)
                if step is not None:
                    step(index + 1, count)
        finally:
            painter.end()
