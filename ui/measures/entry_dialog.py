"""Enter a measure item by item from the keyboard, the score and flags updating as you go."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from models.api import Done
from models.clinical.doses import dose_refs
from models.clinical.measures import ScoredAdministration, instrument_order
from models.dto import ClientChart, DosingSessionDTO
from models.errors import ValidationError
from models.formatting import counted, date_text
from models.inputs import MeasureInput, repeat_warning, validate_measure
from models.instruments.definitions import Charting, Instrument
from models.instruments.scoring import FlagKind, Score, score
from models.vocabulary import CARE_RELATIONS
from reports import palette
from reports.palette import SAFETY, SAFETY_BG
from ui.common.dates import DATE_EDIT_FORMAT, RetypeDateEdit, to_qdate
from ui.common.dialogs import SUBMIT_KEYS_TEXT, DiscardGuard, submit_keys
from ui.measures.custom_dialog import CustomMeasureDialog
from ui.measures.item_rows import ItemRow, item_row
from ui.shell.tasks import TaskRunner, is_refusal, report_unexpected

_ENTRY_STYLE = f"""
QFrame#itemRow {{
    border: 1px solid transparent;
    border-radius: 6px;
    background: transparent;
}}
QFrame#itemRow:focus {{
    border: 2px solid {palette.ACCENT};
    background: {palette.FOCUS_BG};
}}
QFrame#itemRow[flagged="true"] {{
    border: 2px solid {SAFETY};
    background: {SAFETY_BG};
}}
QLabel#itemNumber {{
    color: {palette.MUTED};
    font-weight: 600;
}}
QLabel#itemText {{
    color: {palette.INK};
}}
QLabel#rowFlag {{
    color: {SAFETY};
    font-weight: 700;
}}
QPushButton#answer {{
    background: {palette.SURFACE};
    border: 1px solid {palette.CONTROL_EDGE};
    border-radius: 4px;
    padding: 4px 10px;
    color: {palette.INK};
}}
QPushButton#answer:checked {{
    background: {palette.ACCENT};
    border-color: {palette.ACCENT};
    color: white;
}}
QLabel#scoreTotal {{
    font-size: 14pt;
    font-weight: 600;
    color: {palette.INK};
}}
QLabel#scoreBand {{
    color: {palette.INK};
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
    background: {palette.SURFACE};
}}
"""

# The keys of the items, as (keys, what they do): the hint above the items says them, and
# Help › Keyboard shortcuts lists them.
ENTRY_KEYS: Final = (
    ("An answer's number", "answer, and go on"),
    ("←/→", "change"),
    ("Backspace", "clear"),
    ("↑/↓", "move between items"),
    (SUBMIT_KEYS_TEXT, "save"),
)
ENTRY_HINT: Final = "  ·  ".join(f"{keys}: {what}" for keys, what in ENTRY_KEYS)


class MeasureEntryDialog(QDialog):
    """Record one administration: instrument, date, relation to care, dose, and the items.

    The total, band and flags update with every answer; a positive safety item shows at once.
    """

    recorded = Signal(object)  # the ScoredAdministration the service returned
    instrument_created = Signal(object)  # a custom Instrument defined from this dialog

    def __init__(
        self,
        runner: TaskRunner,
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
        self.chart = chart
        self.instruments = dict(instruments)
        self.actor_id = actor_id
        self.today = today or runner.opener.today()
        self.instrument: Instrument | None = None
        self.rows: list[ItemRow] = []
        self.result: Any = None
        self._saving = False
        self._confirm: QMessageBox | None = None
        self._discard_guard = DiscardGuard(self, "Discard these answers?", self._typed,
                                           discard="Discard answers", keep="Keep entering")
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
        self.date_edit = RetypeDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(DATE_EDIT_FORMAT)
        self.date_edit.setMaximumDate(to_qdate(self.today))
        self.date_edit.setDate(to_qdate(self.today))
        self.date_edit.setAccessibleName("Date given")
        self.relation_box = QComboBox()
        for code, label in CARE_RELATIONS.choices():
            self.relation_box.addItem(label, code)
        self.relation_box.setAccessibleName("Relation to care")
        self.doses = dose_refs(chart.courses)
        self.dose_box = QComboBox()
        self.dose_box.setAccessibleName("Dosing session")
        self.dose_label = QLabel("Dosing session")
        self._fill_doses()
        # The event the client rates (PCL-5): the same one each time, so totals compare.
        self.index_label = QLabel("Index event *")
        self.index_event = QLineEdit()
        self.index_event.setAccessibleName("Index event")
        self.index_event.setMaxLength(300)
        self.index_event.textChanged.connect(self._index_event_changed)
        self.index_note = QLabel()
        self.index_note.setProperty("role", "subtle")
        self.index_note.setWordWrap(True)

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
        form.addWidget(self.index_label, 3, 0)
        form.addWidget(self.index_event, 3, 1, 1, 3)
        form.addWidget(self.index_note, 4, 1, 1, 3)
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
        submit_keys(self, self.save)

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
        dialog = CustomMeasureDialog(self.runner, actor_id=self.actor_id,
                                     parent=self)
        dialog.created.connect(self._custom_created)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _custom_created(self, instrument: Instrument) -> None:
        self.instruments[instrument.id] = instrument
        self.instrument_box.addItem(instrument.title, instrument.id)
        self.instrument_box.setCurrentIndex(self.instrument_box.findData(instrument.id))
        self.instrument_created.emit(instrument)

    def _fill_doses(self) -> None:
        self.dose_box.clear()
        self.dose_box.addItem("Not linked to a dosing session", None)
        doses: list[DosingSessionDTO] = sorted(self.chart.dosing_sessions,
                                               key=lambda d: (d.session_date, d.id))
        for dose in doses:
            self.dose_box.addItem(f"{self.doses[dose.id].label} · {date_text(dose.session_date)}",
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
        self._show_index_event(instrument)
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
            row = item_row(item, instrument)
            row.changed.connect(self._update_score)
            row.refused.connect(self._show_error)
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

    def _previous_index_event(self) -> tuple[str, dt.date] | None:
        """The event the client rated last time on this instrument, and when."""
        assert self.instrument is not None
        earlier = [a for a in self.chart.administrations
                   if a.instrument_id == self.instrument.id and a.index_event
                   and not a.entered_in_error]
        if not earlier:
            return None
        last = max(earlier, key=lambda a: (a.administered_on, a.id))
        return last.index_event or "", last.administered_on

    def _show_index_event(self, instrument: Instrument) -> None:
        asks = bool(instrument.index_event)
        for widget in (self.index_label, self.index_event, self.index_note):
            widget.setVisible(asks)
        if not asks:
            return
        self.index_event.setPlaceholderText(instrument.index_event or "")
        previous = self._previous_index_event()
        self.index_event.setText(previous[0] if previous else "")
        self._index_event_changed()

    def _index_event_changed(self) -> None:
        if self.instrument is None or not self.instrument.index_event:
            return
        previous = self._previous_index_event()
        typed = self.index_event.text().strip()
        if previous is None:
            self.index_note.setText("The worst event, in a few words: the client rates it "
                                    "each time, so the totals compare.")
        elif typed.casefold() == previous[0].casefold():
            self.index_note.setText(f"The same event as on {date_text(previous[1])}.")
        else:
            self.index_note.setText(f"Not the event rated on {date_text(previous[1])} "
                                    f"(\u201c{previous[0]}\u201d): totals about different events "
                                    "do not compare.")

    def _date_changed(self) -> None:
        """For a per-dose measure, link the dose given on the chosen date."""
        if not self.per_dose:
            return
        day = self.date_edit.date().toPython()
        for dose in self.chart.dosing_sessions:
            if dose.session_date == day:
                self.dose_box.setCurrentIndex(self.dose_box.findData(dose.id))
                return

    def _move(self, row: ItemRow, step: int) -> None:
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
        # A refused answer is said until it is put right; an answer changed clears the rest.
        problem = next((row.problem for row in self.rows if row.problem), "")
        if problem:
            self._show_error(problem)
        else:
            self.error.hide()
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
                + ". Assess risk now and review the safety plan, whatever the total. The "
                "client's next note opens with it until a signed note's risk check answers "
                "it.")
        self.safety_banner.setVisible(bool(result.safety_flags))

    # -- saving ---------------------------------------------------------------------------

    def save(self, *, repeat_confirmed: bool = False) -> None:
        if self._saving or self.instrument is None or self._confirm is not None:
            return
        self.date_edit.finish_typing()
        refused = next((row for row in self.rows if row.problem), None)
        if refused is not None:  # an answer out of range is never saved as "missing"
            self._show_error(refused.problem)
            refused.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        data = MeasureInput(
            instrument_id=self.instrument.id,
            administered_on=self.date_edit.date().toPython(),  # type: ignore[arg-type]
            relation_to_care=self.relation_box.currentData(),
            responses=self.responses(),
            dosing_session_id=self.dose_box.currentData(),
            repeat_confirmed=repeat_confirmed,
            index_event=self.index_event.text() if self.instrument.index_event else "",
        )
        problems = validate_measure(data, self.instrument, today=self.today)
        if problems:
            # The backend checks the same rules with the same words.
            self._show_error(" ".join(problems.values()))
            if "dosing_session_id" in problems:
                self.dose_box.setFocus()
            elif "index_event" in problems:
                self.index_event.setFocus()
            elif "responses" in problems and self.rows:
                self.rows[0].setFocus()
            return
        warning = "" if repeat_confirmed else repeat_warning(data, self.instrument,
                                                             self.chart.administrations)
        if warning:
            self._ask_repeat(warning)
            return
        client_id, actor_id = self.chart.client.id, self.actor_id
        self._saving = True
        self.save_button.setEnabled(False)
        self.error.hide()
        self.runner.submit(lambda b: b.measures.record(client_id, data, actor_id=actor_id),
                           self._saved, self._failed, owner=self)

    def _saved(self, done: Done[ScoredAdministration]) -> None:
        result = done.value
        self._saving = False
        self.save_button.setEnabled(True)
        self.result = result
        self.recorded.emit(result)
        self.accept()

    def _ask_repeat(self, warning: str) -> None:
        """A second administration of the same measure for the day (or inside its recall
        period): say so, and save only when the therapist says to."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Save another?", warning,
                          QMessageBox.StandardButton.NoButton, self)
        box.setInformativeText("Nothing is saved until you choose.")
        save = box.addButton("Save anyway", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self._confirm = box

        def answered(_result: int) -> None:
            chosen = box.clickedButton()
            self._confirm = None
            box.deleteLater()
            if chosen is save:
                self.save(repeat_confirmed=True)
            else:
                self._show_error(warning)

        box.finished.connect(answered)
        box.open()

    def confirmation(self) -> QMessageBox | None:
        """The open question ("Save another?", "Discard these answers?"), if any."""
        return self._confirm or self._discard_guard.box

    def _typed(self) -> str | None:
        given = len(self.responses())
        return f"{counted(given, 'answer')} entered here will not be saved." if given else None

    def reject(self) -> None:
        """Escape, Cancel or the window closed: answers already given are not thrown away
        without asking (a PCL-5's twenty items, or a CADSS's twenty-three, take a while to
        enter again). With none given it closes at once."""
        if not self._saving and self._confirm is None:
            self._discard_guard.reject()


    def _failed(self, exc: Exception) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError) and "repeat" in exc.problems:
            self._ask_repeat(exc.problems["repeat"])  # what the chart here did not yet know
        elif isinstance(exc, ValidationError):
            self._show_error(" ".join(exc.problems.values()))
        elif is_refusal(exc):
            self._show_error(str(exc))
        else:
            report_unexpected(exc)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
