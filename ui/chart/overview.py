"""The Overview tab: the counts that matter, a legend, and each course of care as a timeline."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from models.clinical.safety import (
    NO_RISK_CHECK,
    RiskCheck,
    SafetyFollowUp,
    latest_risk_check,
    open_followups,
    safety_followups,
)
from models.dto import ClientChart
from models.formatting import ago_text, date_text
from reports.palette import INK, SAFETY, SAFETY_BG, SAFETY_EDGE
from ui.chart.care import CourseLine, Figures, course_lines, figures
from ui.chart.timeline import CourseTimeline
from ui.common.flow import FlowLayout
from ui.common.markers import marker_pixmap
from ui.common.style import (
    DOSING,
    MODALITY_ORDER,
    Modality,
    modality,
    repolish,
    set_role,
    wrapped_tip,
)

LAST_DOSE = "Last dose"


class FigureTile(QFrame):
    """One count, large, with what it counts underneath. A tile that leads somewhere
    (`link` text given) opens it on a click, or on Enter or Space when focused."""

    activated = Signal()

    def __init__(self, label: str, link: str = "") -> None:
        super().__init__()
        if link:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.setToolTip(link)
            self.setAccessibleName(f"{label}: {link}")
            self.setProperty("link", True)
            self.setAttribute(Qt.WidgetAttribute.WA_Hover)
        self.setProperty("role", "figure")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(0)
        self.value = QLabel("—")
        self.value.setProperty("role", "figure-value")
        self.label = QLabel(label)
        self.label.setProperty("role", "figure-label")
        layout.addWidget(self.value)
        layout.addWidget(self.label)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.focusPolicy() != Qt.FocusPolicy.NoFocus \
                and event.button() == Qt.MouseButton.LeftButton \
                and self.rect().contains(event.position().toPoint()):
            self.activated.emit()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.focusPolicy() != Qt.FocusPolicy.NoFocus and event.key() in (
                Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit()
            return
        super().keyPressEvent(event)

    def set_value(self, text: str, *, attention: bool = False) -> None:
        self.value.setText(text)
        role = "figure-value-attention" if attention else "figure-value"
        if self.value.property("role") != role:
            self.value.setProperty("role", role)
            repolish(self.value)


class _TileBox(QWidget):
    """The figure tiles in rows of equal width, as many a row as fit."""

    MIN_TILE = 118

    def __init__(self) -> None:
        super().__init__()
        self.flow = FlowLayout(self, spacing=10, uniform=True, min_item_width=self.MIN_TILE)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.flow.heightForWidth(width)


class Legend(QWidget):
    """Marker, colour and name for each kind of session, and what hollow means; the items
    wrap onto a second line on a narrow window rather than being cut."""

    def __init__(self) -> None:
        super().__init__()
        layout = FlowLayout(self, spacing=14)
        for look in (DOSING, *(modality(k) for k in MODALITY_ORDER)):
            layout.addWidget(self._item(look, True, look.label))
        layout.addWidget(self._item(modality("emdr"), False, "Hollow: note not signed"))
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        layout = self.layout()
        return layout.heightForWidth(width) if layout is not None else 0

    @staticmethod
    def _item(look: Modality, filled: bool, text: str) -> QWidget:
        item = QWidget()
        row = QHBoxLayout(item)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        icon = QLabel()
        icon.setPixmap(marker_pixmap(look, filled))
        label = QLabel(text)
        label.setProperty("role", "subtle")
        row.addWidget(icon)
        row.addWidget(label)
        return item


class FollowUpBanner(QFrame):
    """The client's open safety follow-ups, at the top of the Overview until a signed note's
    risk check answers each one."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("followUpBanner")
        self.setStyleSheet(f"""
QFrame#followUpBanner {{
    background: {SAFETY_BG};
    border: 1px solid {SAFETY_EDGE};
    border-radius: 6px;
}}
QLabel#followUpTitle {{ color: {SAFETY}; font-weight: 700; }}
QLabel#followUpText {{ color: {INK}; }}
""")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(2)
        self.title = QLabel()
        self.title.setObjectName("followUpTitle")
        self.text = QLabel()
        self.text.setObjectName("followUpText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        self.followups: tuple[SafetyFollowUp, ...] = ()
        self.hide()

    def set_followups(self, followups: tuple[SafetyFollowUp, ...]) -> None:
        self.followups = open_followups(followups)
        count = len(self.followups)
        if not count:
            self.hide()
            return
        self.title.setText("⚠ Safety follow-up open" if count == 1
                           else f"⚠ {count} safety follow-ups open")
        self.text.setText("\n".join(f"{f.finding}, {f.status}." for f in self.followups))
        self.show()


class RiskCheckLine(QLabel):
    """The latest signed risk check, in one line under the counts: quiet when no ideation
    was found, marked when some was; its link opens the note."""

    note_requested = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                     | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.linkActivated.connect(lambda link: self.note_requested.emit(int(link)))
        self.risk: RiskCheck | None = None

    def set_risk(self, risk: RiskCheck | None) -> None:
        self.risk = risk
        if risk is None:
            self.setText(html.escape(NO_RISK_CHECK))
            self.setAccessibleName(NO_RISK_CHECK)
            self._role("subtle")
            return
        self.setText(f"<b>{html.escape(risk.heading)}</b>&nbsp;&nbsp;"
                     f"<a href=\"{risk.note_id}\">Open the note</a><br>"
                     f"{html.escape(risk.said)}")
        self.setAccessibleName(risk.text)
        # Ideation found: the line stands out until a later signed note finds none.
        self._role("notice" if risk.concern else "subtle")

    def _role(self, role: str) -> None:
        if self.property("role") != role:
            set_role(self, role)
            repolish(self)


class _CourseCard(QFrame):
    """One course of care: its name, what it is, its goals, the integration its latest dose
    still awaits, and its timeline; Edit… changes its kind, dates and goals."""

    edit_requested = Signal(int)  # the course's id

    def __init__(self, line: CourseLine) -> None:
        super().__init__()
        self.setProperty("role", "card")
        self.course_id: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(4)
        self.title = QLabel()
        self.title.setProperty("role", "heading")
        self.edit = QPushButton("Edit…")
        self.edit.setToolTip("Change the course's kind, dates or goals, or end it")
        self.edit.clicked.connect(self._edit)
        heading = QHBoxLayout()
        heading.setContentsMargins(0, 0, 0, 0)
        heading.addWidget(self.title, 1)
        heading.addWidget(self.edit, 0, Qt.AlignmentFlag.AlignTop)
        self.subtitle = QLabel()
        self.subtitle.setProperty("role", "subtle")
        self.subtitle.setWordWrap(True)
        self.goals = QLabel()
        self.goals.setObjectName("courseGoals")
        self.goals.setWordWrap(True)
        self.goals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.waiting = QLabel()  # the integration the latest dose still awaits
        self.waiting.setProperty("role", "info")
        self.waiting.setWordWrap(True)
        self.timeline = CourseTimeline(line)
        layout.addLayout(heading)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.goals)
        layout.addWidget(self.waiting)
        layout.addWidget(self.timeline)
        self.set_line(line)

    def set_line(self, line: CourseLine) -> None:
        self.course_id = line.course_id
        self.edit.setVisible(line.course_id is not None)
        self.edit.setAccessibleName(f"Edit {line.title}")
        self.title.setText(line.title)
        self.subtitle.setText(line.subtitle)
        self.goals.setText(f"Goals: {line.goals}")
        self.goals.setVisible(bool(line.goals))
        self.waiting.setText(line.waiting)
        self.waiting.setToolTip(wrapped_tip(line.plan))
        self.waiting.setVisible(bool(line.waiting))
        self.timeline.set_line(line)

    def _edit(self) -> None:
        if self.course_id is not None:
            self.edit_requested.emit(self.course_id)


class OverviewTab(QWidget):
    """Counts at the top, then one timeline card per course of care."""

    targets_requested = Signal()  # the Open targets tile was activated
    unsigned_requested = Signal()  # the Unsigned notes tile was activated
    new_course_requested = Signal()
    edit_course_requested = Signal(int)  # the course's id
    note_requested = Signal(int)  # the note whose risk check the risk line shows

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles = {
            "dosing": FigureTile("Dosing sessions"),
            "other": FigureTile("Other sessions"),
            "signed": FigureTile("Signed notes"),
            "unsigned": FigureTile("Unsigned notes",
                                   "Show the oldest unsigned note in the Sessions tab"),
            "targets": FigureTile("Open targets", "Open the Targets tab"),
            "last_dose": FigureTile(LAST_DOSE),
        }
        self.tiles["targets"].activated.connect(self.targets_requested)
        self.tiles["unsigned"].activated.connect(self.unsigned_requested)
        # Six across on a wide window, three (or two) a row on a narrow one: never cut.
        self.tile_box = _TileBox()
        for tile in self.tiles.values():
            self.tile_box.flow.addWidget(tile)
        self.legend = Legend()
        self.followups = FollowUpBanner()
        self.risk = RiskCheckLine()
        self.risk.note_requested.connect(self.note_requested)
        self.courses_box = QWidget()
        self.courses_layout = QVBoxLayout(self.courses_box)
        self.courses_layout.setContentsMargins(0, 0, 0, 0)
        self.courses_layout.setSpacing(12)
        self.courses_layout.addStretch(1)
        self.empty = QLabel()
        self.empty.setProperty("role", "placeholder")
        self.empty.setWordWrap(True)
        self.new_course_button = QPushButton("New course of care…")
        self.new_course_button.setProperty("role", "primary")
        self.new_course_button.setToolTip("Start an intensive retreat or a spaced program")
        self.new_course_button.clicked.connect(self.new_course_requested)
        self.empty_box = QWidget()
        empty_layout = QVBoxLayout(self.empty_box)
        empty_layout.setContentsMargins(0, 0, 0, 0)
        empty_layout.addWidget(self.empty)
        empty_layout.addWidget(self.new_course_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.empty_box.hide()
        # The whole page scrolls, so on a low window the counts, the legend and every
        # course stay whole, one under the other.
        self.page = QWidget()
        self.page_layout = QVBoxLayout(self.page)
        self.page_layout.setContentsMargins(14, 14, 14, 8)
        self.page_layout.setSpacing(12)
        self.page_layout.addWidget(self.tile_box)
        self.page_layout.addWidget(self.risk)
        self.page_layout.addWidget(self.legend)
        self.page_layout.addWidget(self.empty_box)
        self.page_layout.addWidget(self.courses_box, 1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(self.page)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Let the white tab page show through behind the cards.
        self.scroll_area.viewport().setAutoFillBackground(False)
        self.page.setAutoFillBackground(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)
        # An open safety follow-up is the first thing on the page.
        self.page_layout.insertWidget(0, self.followups)
        self.cards: list[_CourseCard] = []
        self.timelines: list[CourseTimeline] = []

    def add_panel(self, widget: QWidget) -> None:
        """Place a panel (the measure sparklines) between the counts (with the latest risk
        check under them) and the timelines."""
        self.page_layout.insertWidget(self.page_layout.indexOf(self.risk) + 1, widget)

    def clear(self) -> None:
        for tile in self.tiles.values():
            tile.set_value("—")
        self.followups.set_followups(())
        self.risk.clear()
        self._drop_courses()  # nothing of the last client stays behind, hidden or not

    def set_chart(self, chart: ClientChart, today: dt.date) -> None:
        self.followups.set_followups(safety_followups(chart))
        self.risk.set_risk(latest_risk_check(chart.notes))
        self._show_figures(figures(chart), today)
        lines = course_lines(chart, today)
        self._show_courses(lines)
        self.empty_box.setVisible(not lines)
        self.empty.setText(
            "No course of care has been started for this client yet. Start one to record "
            "dosing sessions; courses, doses and notes then appear here as a timeline.")
        self.scroll_area.verticalScrollBar().setValue(0)

    def _show_courses(self, lines: list[CourseLine]) -> None:
        """One card per course. The cards are kept and given the next client's courses: a
        switch of client changes their words and timelines, not the widgets (making and
        styling new ones was most of a switch). Cards beyond this client's courses are
        hidden until a client with more courses is shown; `clear` drops them all."""
        for index, line in enumerate(lines):
            if index < len(self.cards):
                self.cards[index].set_line(line)
            else:
                self.cards.append(_CourseCard(line))
                self.cards[index].edit_requested.connect(self.edit_course_requested)
                self.courses_layout.insertWidget(index, self.cards[index])
            self.cards[index].show()  # now, not when the layout gets round to it
        for card in self.cards[len(lines):]:
            card.hide()
        self.timelines = [card.timeline for card in self.cards[:len(lines)]]

    def _drop_courses(self) -> None:
        for card in self.cards:
            self.courses_layout.removeWidget(card)
            card.hide()
            card.deleteLater()
        self.cards, self.timelines = [], []

    def _show_figures(self, f: Figures, today: dt.date) -> None:
        self.tiles["dosing"].set_value(str(f.dosing_sessions))
        self.tiles["other"].set_value(str(f.other_sessions))
        self.tiles["signed"].set_value(str(f.signed_notes))
        self.tiles["unsigned"].set_value(str(f.unsigned_notes), attention=f.unsigned_notes > 0)
        self.tiles["targets"].set_value(str(f.open_targets))
        self.tiles["last_dose"].set_value(date_text(f.last_dose))
        # How long ago, since the days after a dose are the window integration works in.
        self.tiles["last_dose"].label.setText(
            LAST_DOSE if f.last_dose is None else f"{LAST_DOSE}, {ago_text(f.last_dose, today)}")
