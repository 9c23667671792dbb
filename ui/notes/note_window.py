"""A session note in a window of its own, beside the chart; saved when it closes."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QVBoxLayout, QWidget

from models.dto import ClinicianDTO
from ui.notes.note_editor import NoteEditor
from ui.shell.names import window_title
from ui.shell.tasks import TaskRunner

# The title names no client and no clinical content (window titles reach task bars,
# screen readers and screenshots).
WINDOW_TITLE = window_title("Session note")


class NoteWindow(QWidget):
    closed = Signal(int)  # note id

    def __init__(
        self,
        note_id: int,
        client_id: int,
        runner: TaskRunner,
        clinician: ClinicianDTO,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.note_id = note_id
        self.client_id = client_id
        self.setWindowTitle(WINDOW_TITLE)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.editor = NoteEditor(note_id, runner=runner, clinician=clinician, parent=self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor)
        self.editor.note_discarded.connect(lambda _nid: self.close())
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.editor.save)

    def sizeHint(self) -> QSize:
        return QSize(1040, 860)

    def close_saving(self) -> None:
        """Save what is unsaved, then close (on lock and on quit)."""
        self.editor.flush()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.editor.flush()
        self.closed.emit(self.note_id)
        super().closeEvent(event)
