"""Enter a measure item by item from the keyboard, and define a custom measure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QIntValidator, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.dto import AdministrationDTO, ClientChart, DosingSessionDTO
from models.errors import DomainError, ValidationError
from models.formatting import date_text
from models.instruments import (
    ChangeSummary,
    Charting,
    DoseDissociation,
    DosingMarker,
    FlagKind,
    Instrument,
    Item,
    OverlaySeries,
    Score,
    TrendPoint,
    score,
)
from ui.common import style
from ui.common.dates import DATE_EDIT_FORMAT, to_qdate
from ui.common.signals import emit
from ui.shell.tasks import Changed, report_unexpected

# The order instruments are offered and listed in: the main measures, dissociation, custom.
MAIN_INSTRUMENTS = ("phq9", "gad7", "pcl5")
DISSOCIATION_INSTRUMENTS = ("cadss", "cadss6")
SAFETY = "#9b1c1c"
SAFETY_BG = "#fdecec"

# --------------------------------------------------------------------------------------
# What the measures screens need from the domain (ui/ may not import models.services)
# --------------------------------------------------------------------------------------


class ScoredLike(Protocol):
    """One administration with its derived score (models.services.measures.ScoredAdministration)."""

    @property
    def administration(self) -> AdministrationDTO: ...
    @property
    def instrument(self) -> Instrument: ...
    @property
    def score(self) -> Score: ...


class SeriesLike(Protocol):
    """One instrument's administrations and change summary (measures.InstrumentSeries)."""

    @property
    def instrument(self) -> Instrument: ...
    @property
    def administrations(self) -> Sequence[ScoredLike]: ...
    @property
    def charted(self) -> Sequence[ScoredLike]: ...  # all but those entered in error
    @property
    def summary(self) -> ChangeSummary: ...
    @property
    def points(self) -> Sequence[TrendPoint]: ...


class MeasuresViewLike(Protocol):
    """Everything the measures tab shows for a client (measures.MeasuresView)."""

    @property
    def series(self) -> Sequence[SeriesLike]: ...
    @property
    def dosing(self) -> Sequence[DosingMarker]: ...
    @property
    def dissociation(self) -> Sequence[DoseDissociation]: ...
    @property
    def overlays(self) -> Sequence[OverlaySeries]: ...


class Submitter(Protocol):
    """The task runner's submit (ui.shell.tasks.TaskRunner): fn(session) on the worker thread."""

    def submit(
        self,
        fn: Callable[[Any], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        *,
        changes: Callable[[Any], Changed | None] | None = None,
    ) -> int: ...


@dataclass(frozen=True)
class MeasuresServices:
    """The domain functions the measures screens call, handed in by the composition root.

    Each `session` is opaque here: it only passes from the runner's worker thread to one of
    these functions on that thread.
    """

    # (session) -> {id: Instrument}, bundled and custom
    available_instruments: Callable[[Any], Mapping[str, Instrument]]
    # (chart, known) -> MeasuresView; pure, no session
    build_measures_view: Callable[[ClientChart, Mapping[str, Instrument]], MeasuresViewLike]
    # MeasureInput(instrument_id=, administered_on=, relation_to_care=, responses=,
    # dosing_session_id=)
    measure_input: Callable[..., Any]
    # (session, client_id, data, *, actor_id) -> ScoredAdministration
    record_administration: Callable[..., ScoredLike]
    # (session, name, min_value, max_value, higher_is_better, *, reliable_change, actor_id)
    create_custom_instrument: Callable[..., Instrument]
    # (session, administration_id, reason, *, actor_id) -> AdministrationDTO
    mark_entered_in_error: Callable[..., AdministrationDTO]
    # relation_to_care value -> what the therapist reads ("before_dose" -> "Before a dose")
    relation_labels: Mapping[str, str]


# --------------------------------------------------------------------------------------
# Small helpers shared by the measures screens
# --------------------------------------------------------------------------------------


def instrument_order(instruments: Mapping[str, Instrument]) -> list[Instrument]:
    """Main measures first, then dissociation, then custom measures by name."""
    fixed = [instruments[key] for key in (*MAIN_INSTRUMENTS, *DISSOCIATION_INSTRUMENTS)
             if key in instruments]
    rest = sorted((i for i in instruments.values() if i not in fixed),
                  key=lambda i: i.title.casefold())
    return fixed + rest


def dose_numbers(chart: ClientChart) -> dict[int, int]:
    """Dosing session id -> its number across the client's care (D1, D2 ... by date),
    the numbering the charts use."""
    ordered = sorted(chart.dosing_sessions, key=lambda d: (d.session_date, d.id))
    return {d.id: index for index, d in enumerate(ordered, start=1)}


def safety_text(result: Score) -> str:
    """'item 9 = 1' for each positive safety item, joined; '' when none."""
    return "; ".join(f"item {flag.item} = {flag.value}" for flag in result.safety_flags)


def flags_text(result: Score, *, brief: bool = False) -> str:
    """Every flag in words; a safety flag is spelt out, never shown by colour alone.
    `brief` leaves out the safety item's wording (for a narrow table column)."""
    parts = [f"⚠ SAFETY: item {flag.item} = {flag.value}" if brief and flag.item is not None
             else f"⚠ SAFETY: {flag.describe()}" for flag in result.safety_flags]
    parts += [flag.label for flag in result.flags if flag.kind is not FlagKind.SAFETY]
    return "; ".join(parts)


def score_text(instrument: Instrument, result: Score) -> str:
    """'12 of 27' / '14 (prorated)' / 'incomplete, not charted'."""
    if result.total is None:
        return "incomplete, not charted"
    if result.prorated:
        return f"{result.total} (prorated)"
    return str(result.total)


# --------------------------------------------------------------------------------------
# One item
# --------------------------------------------------------------------------------------


class _ItemRow(QFrame):
    """One item: its number and wording, and its answer. Keyboard first.

    A digit answers and moves to the next item; Left/Right change the answer; Backspace
    or Delete clears it; Up/Down and Return move between items.
    """

    changed = Signal()
    advance = Signal()
    retreat = Signal()

    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self._value: int | None = None
        self.setObjectName("itemRow")
        self.setProperty("flagged", False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    @property
    def value(self) -> int | None:
        return self._value

    def set_value(self, value: int | None) -> None:
        if value is not None and not self.item.min_value <= value <= self.item.max_value:
            return
        if value == self._value:
            return
        self._value = value
        self._show_value()
        self._update_accessible()
        emit(self.changed)

    def _show_value(self) -> None:  # pragma: no cover - overridden
        pass

    def set_flagged(self, flagged: bool, text: str = "") -> None:
        if self.property("flagged") != flagged:
            self.setProperty("flagged", flagged)
            self.style().unpolish(self)
            self.style().polish(self)

    def _number_label(self) -> QLabel:
        label = QLabel(f"{self.item.number}.")
        label.setObjectName("itemNumber")
        label.setFixedWidth(30)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        return label

    def _update_accessible(self) -> None:
        answer = "not answered"
        if self._value is not None:
            label = self.item.label_for(self._value)
            answer = f"{self._value} {label}" if label else str(self._value)
        self.setAccessibleName(f"Item {self.item.number}: {answer}")
        self.setAccessibleDescription(self.item.display_text)


class ChoiceItemRow(_ItemRow):
    """An item answered by one small whole number (0..9): answer buttons and digit keys."""

    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.buttons: dict[int, QPushButton] = {}
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)  # a row may be unanswered again
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for value in range(item.min_value, item.max_value + 1):
            label = item.label_for(value)
            button = QPushButton(f"{value}  {label}" if label else str(value))
            button.setObjectName("answer")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the row keeps the keyboard
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            if not label:
                button.setMinimumWidth(40)
            button.clicked.connect(lambda _c=False, v=value: self._clicked(v))
            self.group.addButton(button, value)
            self.buttons[value] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.flag_label = QLabel()
        self.flag_label.setObjectName("rowFlag")
        self.flag_label.hide()
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 10, 6)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(5)
        if item.text is not None:
            grid.addWidget(self._number_label(), 0, 0)
            text = QLabel(item.text)
            text.setObjectName("itemText")
            text.setWordWrap(True)
            grid.addWidget(text, 0, 1)
            grid.addLayout(buttons, 1, 1)
            grid.addWidget(self.flag_label, 2, 1)
        else:
            # Copyrighted wording is not bundled: the number only, buttons on the same line.
            text = QLabel(f"Item {item.number}")
            text.setObjectName("itemText")
            text.setFixedWidth(70)
            text.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            row = QHBoxLayout()
            row.setSpacing(14)
            row.addWidget(text)
            row.addLayout(buttons, 1)
            grid.addLayout(row, 0, 0, 1, 2)
            grid.addWidget(self.flag_label, 1, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self._update_accessible()

    def _clicked(self, value: int) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.set_value(None if value == self._value else value)
        if self._value is not None:
            emit(self.advance)

    def _show_value(self) -> None:
        for value, button in self.buttons.items():
            button.setChecked(value == self._value)

    def set_flagged(self, flagged: bool, text: str = "") -> None:
        super().set_flagged(flagged, text)
        self.flag_label.setText(text)
        self.flag_label.setVisible(flagged and bool(text))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        text = event.text()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if text.isdigit() and len(text) == 1 and mods == Qt.KeyboardModifier.NoModifier:
            value = int(text)
            if self.item.min_value <= value <= self.item.max_value:
                self.set_value(value)
                emit(self.advance)
            return
        if key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.set_value(None)
            return
        if key == Qt.Key.Key_Right:
            start = self.item.min_value - 1 if self._value is None else self._value
            self.set_value(min(self.item.max_value, start + 1))
            return
        if key == Qt.Key.Key_Left:
            start = self.item.max_value + 1 if self._value is None else self._value
            self.set_value(max(self.item.min_value, start - 1))
            return
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and mods == Qt.KeyboardModifier.NoModifier:
            emit(self.advance)
            return
        if key == Qt.Key.Key_Up:
            emit(self.retreat)
            return
        super().keyPressEvent(event)


class NumberItemRow(_ItemRow):
    """An item with a wide range (a custom measure from 0 to 100): typed as a number."""

    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.edit = QLineEdit()
        self.edit.setValidator(QIntValidator(item.min_value, item.max_value, self.edit))
        self.edit.setPlaceholderText(f"{item.min_value} to {item.max_value}")
        self.edit.setMaximumWidth(120)
        self.edit.textEdited.connect(self._edited)
        self.edit.returnPressed.connect(self.advance)
        self.edit.installEventFilter(self)
        self.setFocusProxy(self.edit)
        self.flag_label = QLabel()
        self.flag_label.hide()
        text = QLabel(item.display_text)
        text.setObjectName("itemText")
        text.setWordWrap(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 10, 6)
        grid.setHorizontalSpacing(10)
        grid.addWidget(self._number_label(), 0, 0)
        grid.addWidget(text, 0, 1)
        anchors = ""
        if item.labels:
            anchors = f"{item.min_value} = {item.labels[0]}, {item.max_value} = {item.labels[-1]}"
        hint = QLabel(anchors or f"A whole number from {item.min_value} to {item.max_value}")
        hint.setProperty("role", "subtle")
        row = QHBoxLayout()
        row.addWidget(self.edit)
        row.addWidget(hint, 1)
        grid.addLayout(row, 1, 1)
        grid.setColumnStretch(1, 1)
        self._update_accessible()

    def _edited(self, text: str) -> None:
        value: int | None = None
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is not None and not self.item.min_value <= value <= self.item.max_value:
            value = None
        self._value = value
        self._update_accessible()
        emit(self.changed)

    def _show_value(self) -> None:
        self.edit.setText("" if self._value is None else str(self._value))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Down:
                emit(self.advance)
                return True
            if event.key() == Qt.Key.Key_Up:
                emit(self.retreat)
                return True
        return super().eventFilter(watched, event)


def item_row(item: Item) -> _ItemRow:
    """Buttons and digit keys for small ranges (0..9); a number field otherwise."""
    if item.min_value >= 0 and item.max_value <= 9:
        return ChoiceItemRow(item)
    return NumberItemRow(item)


# --------------------------------------------------------------------------------------
# The entry dialog
# --------------------------------------------------------------------------------------

_ENTRY_STYLE = f"""
QFrame#itemRow {{
    border: 1px solid transparent;
    border-radius: 6px;
    background: transparent;
}}
QFrame#itemRow:focus {{
    border: 2px solid {style.ACCENT};
    background: #eef5fc;
}}
QFrame#itemRow[flagged="true"] {{
    border: 2px solid {SAFETY};
    background: {SAFETY_BG};
}}
QLabel#itemNumber {{
    color: {style.MUTED};
    font-weight: 600;
}}
QLabel#itemText {{
    color: {style.INK};
}}
QLabel#rowFlag {{
    color: {SAFETY};
    font-weight: 700;
}}
QPushButton#answer {{
    background: {style.SURFACE};
    border: 1px solid #b8c2cc;
    border-radius: 4px;
    padding: 4px 10px;
    color: {style.INK};
}}
QPushButton#answer:checked {{
    background: {style.ACCENT};
    border-color: {style.ACCENT};
    color: white;
}}
QLabel#scoreTotal {{
    font-size: 14pt;
    font-weight: 600;
    color: {style.INK};
}}
QLabel#scoreBand {{
    color: {style.INK};
    font-size: 11pt;
}}
QLabel#safetyBanner {{
    color: {SAFETY};
    background: {SAFETY_BG};
    border: 2px solid {SAFETY};
    border-radius: 4px;
    padding: 6px 10px;
    font-weight: 600;
}}
QWidget#itemsPage {{
    background: {style.SURFACE};
}}
"""

ENTRY_HINT = ("Type an answer's number to answer and move on  ·  ←/→ change  ·  "
              "Backspace clears  ·  ↑/↓ move between items  ·  Ctrl+Enter saves")


class MeasureEntryDialog(QDialog):
    """Record one administration: instrument, date, relation to care, dose, and the items.

    The total, band and flags update with every answer; a positive safety item shows at once.
    """

    recorded = Signal(object)  # the ScoredAdministration the service returned
    instrument_created = Signal(object)  # a custom Instrument defined from this dialog

    def __init__(
        self,
        runner: Submitter,
        services: MeasuresServices,
        chart: ClientChart,
        instruments: Mapping[str, Instrument],
        *,
        actor_id: int | None = None,
        instrument_id: str | None = None,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.services = services
        self.chart = chart
        self.instruments = dict(instruments)
        self.actor_id = actor_id
        self.today = today or dt.date.today()
        self.instrument: Instrument | None = None
        self.rows: list[_ItemRow] = []
        self.result: Any = None
        self._saving = False
        self.setWindowTitle("Enter a measure")
        self.setModal(True)
        self.setMinimumSize(640, 520)
        self.resize(860, 760)
        self.setStyleSheet(_ENTRY_STYLE)

        who = QLabel(f"For {chart.client.name} · {chart.client.record_number}")
        who.setProperty("role", "subtle")
        self.instrument_box = QComboBox()
        for instrument in instrument_order(self.instruments):
            self.instrument_box.addItem(f"{instrument.short_name} — {instrument.title}"
                                        if instrument.short_name != instrument.title
                                        else instrument.title, instrument.id)
        self.instrument_box.setAccessibleName("Instrument")
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(DATE_EDIT_FORMAT)
        self.date_edit.setMaximumDate(to_qdate(self.today))
        self.date_edit.setDate(to_qdate(self.today))
        self.date_edit.setAccessibleName("Date given")
        self.relation_box = QComboBox()
        for value, label in services.relation_labels.items():
            self.relation_box.addItem(label, value)
        self.relation_box.setAccessibleName("Relation to care")
        self.numbers = dose_numbers(chart)
        self.dose_box = QComboBox()
        self.dose_box.setAccessibleName("Dosing session")
        self.dose_label = QLabel("Dosing session")
        self._fill_doses()

        form = QGridLayout()
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(8)
        self.custom_button = QPushButton("New custom measure…")
        self.custom_button.setAutoDefault(False)
        self.custom_button.setToolTip("Define a single-number measure of your own")
        self.custom_button.clicked.connect(self.open_custom)
        instrument_row = QHBoxLayout()
        instrument_row.addWidget(self.instrument_box, 1)
        instrument_row.addWidget(self.custom_button)
        form.addWidget(QLabel("Instrument"), 0, 0)
        form.addLayout(instrument_row, 0, 1, 1, 3)
        form.addWidget(QLabel("Date given"), 1, 0)
        form.addWidget(self.date_edit, 1, 1)
        form.addWidget(QLabel("Relation to care"), 1, 2)
        form.addWidget(self.relation_box, 1, 3)
        form.addWidget(self.dose_label, 2, 0)
        form.addWidget(self.dose_box, 2, 1, 1, 3)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)

        self.instructions = QLabel()
        self.instructions.setWordWrap(True)
        self.instructions.setStyleSheet("font-weight: 600;")
        self.notice = QLabel()
        self.notice.setProperty("role", "notice")
        self.notice.setWordWrap(True)
        hint = QLabel(ENTRY_HINT)
        hint.setProperty("role", "subtle")
        hint.setWordWrap(True)

        self.items_page = QWidget()
        self.items_page.setObjectName("itemsPage")
        self.items_layout = QVBoxLayout(self.items_page)
        self.items_layout.setContentsMargins(6, 6, 6, 6)
        self.items_layout.setSpacing(2)
        self.items_scroll = QScrollArea()
        self.items_scroll.setWidgetResizable(True)
        self.items_scroll.setWidget(self.items_page)
        self.items_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.total_label = QLabel()
        self.total_label.setObjectName("scoreTotal")
        self.band_label = QLabel()
        self.band_label.setObjectName("scoreBand")
        self.band_label.setWordWrap(True)
        self.safety_banner = QLabel()
        self.safety_banner.setObjectName("safetyBanner")
        self.safety_banner.setWordWrap(True)
        self.safety_banner.hide()
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        score_row = QHBoxLayout()
        score_row.addWidget(self.total_label)
        score_row.addSpacing(10)
        score_row.addWidget(self.band_label, 1)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setProperty("role", "primary")
        self.save_button.setAutoDefault(False)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        shortcut.activated.connect(self.save)
        shortcut_enter = QShortcut(QKeySequence("Ctrl+Enter"), self)
        shortcut_enter.activated.connect(self.save)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(who)
        layout.addLayout(form)
        layout.addWidget(self.instructions)
        layout.addWidget(self.notice)
        layout.addWidget(hint)
        layout.addWidget(self.items_scroll, 1)
        layout.addLayout(score_row)
        layout.addWidget(self.safety_banner)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.instrument_box.currentIndexChanged.connect(self._instrument_chosen)
        self.date_edit.dateChanged.connect(self._date_changed)
        start = instrument_id if instrument_id in self.instruments else None
        index = self.instrument_box.findData(start) if start else 0
        self.instrument_box.setCurrentIndex(max(index, 0))
        self._instrument_chosen()

    # -- building -------------------------------------------------------------------------

    def open_custom(self) -> CustomMeasureDialog:
        """Define a custom measure; once created it is chosen here."""
        dialog = CustomMeasureDialog(self.runner, self.services, actor_id=self.actor_id,
                                     parent=self)
        dialog.created.connect(self._custom_created)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _custom_created(self, instrument: Instrument) -> None:
        self.instruments[instrument.id] = instrument
        self.instrument_box.addItem(instrument.title, instrument.id)
        self.instrument_box.setCurrentIndex(self.instrument_box.findData(instrument.id))
        emit(self.instrument_created, instrument)

    def _fill_doses(self) -> None:
        self.dose_box.clear()
        self.dose_box.addItem("Not linked to a dosing session", None)
        doses: list[DosingSessionDTO] = sorted(self.chart.dosing_sessions,
                                               key=lambda d: (d.session_date, d.id))
        for dose in doses:
            self.dose_box.addItem(f"D{self.numbers[dose.id]} · {date_text(dose.session_date)}",
                                  dose.id)

    @property
    def per_dose(self) -> bool:
        return self.instrument is not None and self.instrument.charting is Charting.PER_DOSE

    def _instrument_chosen(self) -> None:
        instrument_id = self.instrument_box.currentData()
        instrument = self.instruments.get(instrument_id) if instrument_id else None
        if instrument is None:
            return
        self.instrument = instrument
        self._build_rows(instrument)
        self.instructions.setText(instrument.instructions or instrument.timeframe
                                  or instrument.title)
        self.notice.setText(instrument.notice or "")
        self.notice.setVisible(bool(instrument.notice))
        self.dose_label.setText("Which dose *" if self.per_dose else "Dosing session")
        self.dose_box.setItemText(0, "Choose the dosing session" if self.per_dose
                                  else "Not linked to a dosing session")
        self._default_relation()
        self._date_changed()
        self.error.hide()
        self._update_score()
        if self.rows:
            self.rows[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def _build_rows(self, instrument: Instrument) -> None:
        for row in self.rows:
            row.hide()
            row.deleteLater()
        while self.items_layout.count():
            taken = self.items_layout.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None and widget not in self.rows:
                widget.deleteLater()
        self.rows = []
        for item in instrument.items:
            if not item.scored:
                divider = QLabel("Not scored: asked and kept, never added to the total")
                divider.setProperty("role", "subtle")
                divider.setContentsMargins(40, 10, 0, 0)
                self.items_layout.addWidget(divider)
            row = item_row(item)
            row.changed.connect(self._update_score)
            row.advance.connect(lambda r=row: self._move(r, 1))
            row.retreat.connect(lambda r=row: self._move(r, -1))
            self.items_layout.addWidget(row)
            self.rows.append(row)
        self.items_layout.addStretch(1)
        self.items_scroll.verticalScrollBar().setValue(0)

    def _default_relation(self) -> None:
        assert self.instrument is not None
        if self.per_dose:
            relation = "after_dose"
        elif any(a.instrument_id == self.instrument.id for a in self.chart.administrations):
            relation = "integration"
        else:
            relation = "baseline"
        index = self.relation_box.findData(relation)
        if index >= 0:
            self.relation_box.setCurrentIndex(index)

    def _date_changed(self) -> None:
        """For a per-dose measure, link the dose given on the chosen date."""
        if not self.per_dose:
            return
        day = self.date_edit.date().toPython()
        for dose in self.chart.dosing_sessions:
            if dose.session_date == day:
                self.dose_box.setCurrentIndex(self.dose_box.findData(dose.id))
                return

    def _move(self, row: _ItemRow, step: int) -> None:
        index = self.rows.index(row) + step
        if 0 <= index < len(self.rows):
            target = self.rows[index]
            target.setFocus(Qt.FocusReason.TabFocusReason)
            self.items_scroll.ensureWidgetVisible(target, 0, 60)
        elif index >= len(self.rows):
            self.save_button.setFocus(Qt.FocusReason.TabFocusReason)

    # -- scoring as you go ----------------------------------------------------------------

    def responses(self) -> dict[int, int]:
        return {row.item.number: row.value for row in self.rows if row.value is not None}

    def current_score(self) -> Score | None:
        if self.instrument is None:
            return None
        return score(self.instrument, self.responses())

    def _update_score(self) -> None:
        instrument, result = self.instrument, self.current_score()
        if instrument is None or result is None:
            return
        scored = len(instrument.scored_items)
        answered = scored - len(result.missing_items)
        if result.total is None:
            self.total_label.setText(f"{answered} of {scored} items answered")
            self.band_label.setText("Incomplete, not charted: a total with a missing item is "
                                    "kept but not charted.")
            self.save_button.setText("Save as incomplete" if answered else "Save")
        else:
            prorated = " (prorated)" if result.prorated else ""
            self.total_label.setText(
                f"Total {result.total}{prorated} of {instrument.total_max}")
            words = []
            if result.band is not None:
                band = result.band.label
                words.append(band if result.band.validated else f"{band} (bands not validated)")
            if result.prorated:
                words.append(f"{answered} of {scored} items answered")
            words += [flag.label for flag in result.flags if flag.kind is not FlagKind.SAFETY]
            self.band_label.setText(" · ".join(words))
            self.save_button.setText("Save")
        flagged = {flag.item: flag for flag in result.safety_flags}
        for row in self.rows:
            flag = flagged.get(row.item.number)
            row.set_flagged(flag is not None,
                            f"⚠ Safety flag: {flag.label}" if flag is not None else "")
        if result.safety_flags:
            self.safety_banner.setText(
                "⚠ SAFETY FLAG — " + "; ".join(flag.describe() for flag in result.safety_flags)
                + ". Assess risk now and review the safety plan, whatever the total.")
        self.safety_banner.setVisible(bool(result.safety_flags))

    # -- saving ---------------------------------------------------------------------------

    def save(self) -> None:
        if self._saving or self.instrument is None:
            return
        dose_id = self.dose_box.currentData()
        if self.per_dose and dose_id is None:
            self._show_error(f"{self.instrument.short_name} is charted per dosing session: "
                             "choose which dose it was given at.")
            self.dose_box.setFocus()
            return
        if not self.responses():
            self._show_error("Answer at least one item before saving.")
            if self.rows:
                self.rows[0].setFocus()
            return
        data = self.services.measure_input(
            instrument_id=self.instrument.id,
            administered_on=self.date_edit.date().toPython(),
            relation_to_care=self.relation_box.currentData(),
            responses=self.responses(),
            dosing_session_id=dose_id,
        )
        client_id, actor_id, services = self.chart.client.id, self.actor_id, self.services
        self._saving = True
        self.save_button.setEnabled(False)
        self.error.hide()
        self.runner.submit(
            lambda s: services.record_administration(s, client_id, data, actor_id=actor_id),
            self._saved, self._failed,
            changes=lambda _result: Changed("client", client_id),
        )

    def _saved(self, result: Any) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.result = result
        emit(self.recorded, result)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self._show_error(" ".join(exc.problems.values()))
        elif isinstance(exc, DomainError):
            self._show_error(str(exc))
        else:
            report_unexpected(exc)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


# --------------------------------------------------------------------------------------
# A custom measure
# --------------------------------------------------------------------------------------


class CustomMeasureDialog(QDialog):
    """Define a single-number measure of the clinician's own (name, range, direction)."""

    created = Signal(object)  # the new Instrument

    def __init__(
        self,
        runner: Submitter,
        services: MeasuresServices,
        *,
        actor_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.services = services
        self.actor_id = actor_id
        self.instrument: Instrument | None = None
        self.setWindowTitle("New custom measure")
        self.setModal(True)
        self.setMinimumWidth(500)
        intro = QLabel("A single number you rate for anything the standard measures do not "
                       "cover, such as a daily craving or pain rating. It has no severity "
                       "bands. Give a reliable-change threshold only if you have a published "
                       "figure; without one, change is shown but not labelled.")
        intro.setWordWrap(True)
        intro.setProperty("role", "subtle")
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Craving (0–10)")
        self.name.setAccessibleName("Name")
        self.lowest = QSpinBox()
        self.lowest.setRange(-1000, 1000)
        self.lowest.setValue(0)
        self.lowest.setAccessibleName("Lowest value")
        self.highest = QSpinBox()
        self.highest.setRange(-1000, 1000)
        self.highest.setValue(10)
        self.highest.setAccessibleName("Highest value")
        self.lower_better = QRadioButton("Lower is better (e.g. craving, pain, distress)")
        self.higher_better = QRadioButton("Higher is better (e.g. mood, sleep quality)")
        self.lower_better.setChecked(True)
        self.reliable = QDoubleSpinBox()
        self.reliable.setRange(0, 1000)
        self.reliable.setDecimals(1)
        self.reliable.setSingleStep(0.5)
        self.reliable.setSpecialValueText("None")
        self.reliable.setSuffix(" points")
        self.reliable.setAccessibleName("Reliable change threshold")
        self.errors: dict[str, QLabel] = {}

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        range_row = QHBoxLayout()
        range_row.addWidget(QLabel("from"))
        range_row.addWidget(self.lowest)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.highest)
        range_row.addStretch(1)
        direction = QVBoxLayout()
        direction.addWidget(self.lower_better)
        direction.addWidget(self.higher_better)
        for key, label, field in (
            ("name", "Name *", self.name),
            ("max_value", "Range", range_row),
            ("direction", "Direction", direction),
            ("reliable_change", "Reliable change", self.reliable),
        ):
            box = QVBoxLayout()
            box.setSpacing(2)
            if isinstance(field, QWidget):
                box.addWidget(field)
            else:
                box.addLayout(field)
            error = QLabel()
            error.setProperty("role", "error")
            error.setWordWrap(True)
            error.hide()
            self.errors[key] = error
            box.addWidget(error)
            form.addRow(label, box)
        self.general_error = QLabel()
        self.general_error.setProperty("role", "error")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        buttons = QDialogButtonBox()
        self.create_button = buttons.addButton("Create measure",
                                               QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setProperty("role", "primary")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.create_button.clicked.connect(self.create_measure)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)

    def create_measure(self) -> None:
        """Check the form, then create the measure through the runner."""
        for label in self.errors.values():
            label.hide()
        self.general_error.hide()
        name = self.name.text().strip()
        problems = {}
        if not name:
            problems["name"] = "Name the measure."
        if self.lowest.value() >= self.highest.value():
            problems["max_value"] = "The highest value must be above the lowest."
        if problems:
            self._show(problems)
            return
        low, high = self.lowest.value(), self.highest.value()
        higher = self.higher_better.isChecked()
        reliable = self.reliable.value() or None
        services, actor_id = self.services, self.actor_id
        self.create_button.setEnabled(False)
        self.runner.submit(
            lambda s: services.create_custom_instrument(
                s, name, low, high, higher, reliable_change=reliable, actor_id=actor_id),
            self._created, self._failed)

    def _created(self, instrument: Instrument) -> None:
        self.create_button.setEnabled(True)
        self.instrument = instrument
        emit(self.created, instrument)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.create_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self._show(exc.problems)
        elif isinstance(exc, DomainError):
            self.general_error.setText(str(exc))
            self.general_error.show()
        else:
            report_unexpected(exc)

    def _show(self, problems: Mapping[str, str]) -> None:
        for key, text in problems.items():
            label = self.errors.get(key)
            if label is None:
                self.general_error.setText(text)
                self.general_error.show()
            else:
                label.setText(text)
                label.show()
