"""The editor for one session note: header, form, autosave, signing and addenda.

The editor never holds a Session. Every read and write goes to the backend through the
task runner: `fn(backend)` runs on the database worker and the result comes back on the
GUI thread, to this editor only while it exists.

A draft saves itself: at most `autosave_ms` after the first unsaved change, whenever the
keyboard focus leaves the editor, and when the main window calls `flush()` (on lock and
quit). Each save writes the whole content, and saves run in order on the one worker, so
the last one wins.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Final, TypeVar

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.api import Backend, Done, NoteContext
from models.clinical.doses import (
    NO_DOSE,
    dose_labels,
    dose_line,
    dosing_note_line,
    follows_a_dose,
    follows_text,
)
from models.clinical.safety import (
    RISK_CHECK_FIELDS,
    RiskCheck,
    SafetyFollowUp,
    ask_again_text,
    followups_for_note,
    signed_record_cautions,
)
from models.clinical.signing import LOCKED_STATE, SIGNING_MEANS, seal_text, sign_question
from models.clinical.targets import as_signed, status_offer
from models.dto import (
    AddendumDTO,
    AdministrationDTO,
    ClientDetail,
    ClinicianDTO,
    DosingSessionDTO,
    NoteDTO,
    PartDTO,
    TargetDTO,
)
from models.errors import LockedError, SigningError
from models.formatting import date_text, date_time_text, long_date, time_text
from models.inputs import AddendumInput, PartInput, TargetInput
from models.instruments.loading import load_instruments
from models.instruments.scoring import score
from models.templates.checks import Caution
from models.templates.definitions import Template, UnknownTemplateError
from models.templates.loading import load_templates
from models.templates.validation import Problem, SigningCheck
from models.vocabulary import ADDENDUM_KINDS, TARGET_STATUSES
from reports import palette
from reports.palette import INK, LINE, MUTED
from ui.common.elided import ElidedLabel
from ui.common.style import repolish, set_role
from ui.notes.cautions import AnsweredPanel, ReasonsDialog, SafetyBanner
from ui.notes.dialogs import AddendumDialog, NewPartDialog, NewTargetDialog
from ui.notes.form import NoteForm
from ui.notes.measure_field import MeasureField
from ui.shell.tasks import TaskRunner, is_refusal, refused_read_only, report_unexpected

__all__ = ["SAVE_KEYS", "SIGN_KEYS", "SIGN_KEYS_TEXT", "NoteEditor"]

T = TypeVar("T")

# Ctrl+Enter adds a row in a set table (the key a therapist presses 30 times a session);
# signing, once a session, has the same key with Shift.
SIGN_KEYS: Final = ("Ctrl+Shift+Return", "Ctrl+Shift+Enter")
SIGN_KEYS_TEXT: Final = "Ctrl+Shift+Enter"
SAVE_KEYS: Final = "Ctrl+S"
DEFAULT_AUTOSAVE_MS: Final = 30_000

EDITOR_STYLESHEET: Final = f"""
QFrame[role="note-header"] {{
    background: white;
    border-bottom: 1px solid {LINE};
}}
QLabel[role="note-title"] {{
    font-size: 15pt;
    font-weight: 600;
    color: {INK};
}}
QLabel[role="note-meta"] {{
    color: {MUTED};
}}
QLabel[role="note-client"] {{
    color: {INK};
    font-weight: 600;
}}
QLabel[role="dosing-context"], QLabel[role="dosing-context-box"] {{
    color: {palette.INFO};
    background: {palette.INFO_BG};
    border: 1px solid {palette.INFO_EDGE};
    border-radius: 4px;
    padding: 3px 8px;
}}
QLabel[role="dosing-context-box"] {{
    padding: 8px 10px;  /* a paragraph above the form, padded as a notice is */
}}
QLabel[role="signature"] {{
    color: {palette.ADDRESSED};
    background: {palette.ADDRESSED_BG};
    border: 1px solid {palette.ADDRESSED_EDGE};
    border-radius: 4px;
    padding: 3px 8px;
}}
QLabel[role="save-state"] {{
    color: {MUTED};
}}
QLabel[role="save-error"] {{
    color: {palette.ERROR};
}}
QFrame[role="addenda"] {{
    background: white;
    border: 1px solid {LINE};
    border-radius: 6px;
}}
QLabel[role="addendum-head"] {{
    color: {INK};
    font-weight: 600;
}}
QLabel[role="addendum-meta"] {{
    color: {MUTED};
    font-size: 8.5pt;
}}
QLabel[role="addendum-text"] {{
    color: {INK};
}}
"""
# The primary button's look comes from the application stylesheet (ui.common.style).


def _kind_label(kind: str) -> str:
    return ADDENDUM_KINDS.label(kind)


def _meta_text(note: NoteDTO) -> str:
    """The line under a note's title: its date, draft or signed, its additions, and the
    template version it was written in when that is not the first."""
    parts = [long_date(note.session_date), "Signed" if note.signed else "Draft"]
    if note.addenda:
        kinds = sorted({_kind_label(a.kind).lower() for a in note.addenda})
        count = len(note.addenda)
        parts.append(f"{count} {'addition' if count == 1 else 'additions'} "
                     f"({', '.join(kinds)}) at the end of the note")
    if note.template_version != 1:
        parts.append(f"template version {note.template_version}")
    return "  ·  ".join(parts)


# --------------------------------------------------------------------------- addenda


class _AddendaPanel(QFrame):
    """Every addendum to a signed note, oldest first, each with its author and reason."""

    def __init__(self, addenda: Sequence[AddendumDTO], names: Callable[[int | None], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "addenda")
        self.setObjectName("addenda")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 16)
        layout.setSpacing(10)
        title = QLabel(f"Addenda ({len(addenda)})", self)
        title.setProperty("role", "section-title")
        layout.addWidget(title)
        for index, addendum in enumerate(addenda):
            if index:
                rule = QFrame(self)
                rule.setFrameShape(QFrame.Shape.HLine)
                rule.setStyleSheet(f"color: {LINE};")
                layout.addWidget(rule)
            when = date_time_text(addendum.signed_at or addendum.created_at)
            head = QLabel(f"{_kind_label(addendum.kind)} · {when} · "
                          f"{names(addendum.author_id)}", self)
            head.setProperty("role", "addendum-head")
            reason = QLabel(f"Reason: {addendum.reason}", self)
            reason.setProperty("role", "addendum-meta")
            reason.setWordWrap(True)
            text = QLabel(addendum.text, self)
            text.setProperty("role", "addendum-text")
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                         | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            text.setTextFormat(Qt.TextFormat.PlainText)
            for widget in (head, reason, text):
                layout.addWidget(widget)
            if addendum.content_hash:
                digest = QLabel(seal_text(addendum.content_hash), self)
                digest.setProperty("role", "addendum-meta")
                digest.setToolTip(addendum.content_hash)
                layout.addWidget(digest)


# --------------------------------------------------------------------------- the editor


class NoteEditor(QWidget):
    """One note: its header, its form, and Save draft / Sign… / Add addendum…."""

    note_saved = Signal(int)
    note_signed = Signal(int)
    target_requested = Signal(int, int)  # show (target id, client id) in the registry
    note_discarded = Signal(int)
    addendum_added = Signal(int)
    copy_requested = Signal(int, int)  # (note id, client id): a copy, on the Reports tab
    loaded = Signal(int)

    def __init__(
        self,
        note_id: int,
        *,
        runner: TaskRunner,
        clinician: ClinicianDTO,
        autosave_ms: int = DEFAULT_AUTOSAVE_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("noteEditor")
        self.setStyleSheet(EDITOR_STYLESHEET)
        self._note_id = note_id
        self._runner = runner
        self._clinician = clinician
        self._note: NoteDTO | None = None
        self._template: Template | None = None
        self._dosing: DosingSessionDTO | None = None
        self._doses: list[DosingSessionDTO] = []
        self._dose_labels: dict[int, str] = {}
        self._client: ClientDetail | None = None
        self._form: NoteForm | None = None
        self._generation = 0  # bumped on every change
        self._saved_generation = 0  # the change the last finished save covered
        self._last_saved_at: dt.datetime | None = None
        self._confirm: QMessageBox | None = None
        self._dialog: QDialog | None = None
        self._followups: tuple[SafetyFollowUp, ...] = ()
        self._previous_risk: RiskCheck | None = None
        # A sign check or a signing on its way: the Sign button is not disabled meanwhile
        # (disabling the focused button would throw the focus onto "Discard draft…"), a
        # second press is ignored instead.
        self._signing = False

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(autosave_ms)
        self._timer.timeout.connect(self.save)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_header())
        # The open safety follow-ups, at the top of the note (placed in the form).
        self.safety_banner = SafetyBanner(self)
        self.safety_banner.go_to_risk_check.connect(self._go_to_risk_check)
        # Under it, in a draft: an earlier risk check that found ideation, to ask again.
        self.previous_risk = QLabel(self)
        self.previous_risk.setWordWrap(True)
        self.previous_risk.setTextFormat(Qt.TextFormat.PlainText)
        set_role(self.previous_risk, "notice")
        self.previous_risk.hide()
        # In a dosing draft: the client's dose before this one, as its note filed it (the
        # dose, vitals out of range, adverse events, dissociation), for the team to weigh.
        self.last_dose = QLabel(self)
        self.last_dose.setWordWrap(True)
        self.last_dose.setTextFormat(Qt.TextFormat.PlainText)
        self.last_dose.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.last_dose.hide()
        self._last_dose: tuple[str, bool] = ("", False)
        self._banners = QWidget(self)
        banners = QVBoxLayout(self._banners)
        banners.setContentsMargins(0, 0, 0, 0)
        banners.setSpacing(8)
        banners.addWidget(self.safety_banner)
        banners.addWidget(self.previous_risk)
        banners.addWidget(self.last_dose)
        self._banners.hide()
        self._body = QVBoxLayout()
        self._body.setContentsMargins(0, 8, 0, 0)
        self._placeholder = QLabel("Opening the note…", self)
        self._placeholder.setProperty("role", "placeholder")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._body.addWidget(self._placeholder, 1)
        layout.addLayout(self._body, 1)

        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        self._load()

    # -- building ------------------------------------------------------------------------

    def _build_header(self) -> QFrame:
        header = QFrame(self)
        header.setProperty("role", "note-header")
        outer = QHBoxLayout(header)
        outer.setContentsMargins(20, 12, 20, 12)
        outer.setSpacing(16)
        text = QVBoxLayout()
        text.setSpacing(5)
        # Whose note this is: in the window, never in its title (titles reach task bars).
        self.client_label = ElidedLabel(header, mode=Qt.TextElideMode.ElideMiddle)
        self.client_label.setProperty("role", "note-client")
        self.client_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title_label = QLabel("", header)
        self.title_label.setProperty("role", "note-title")
        self.meta_label = QLabel("", header)
        self.meta_label.setProperty("role", "note-meta")
        self.dosing_label = QLabel("", header)
        self.dosing_label.setProperty("role", "dosing-context")
        self.dosing_label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.dosing_label.hide()
        self.signature_label = QLabel("", header)
        self.signature_label.setProperty("role", "signature")
        self.signature_label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.signature_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.signature_label.hide()
        # A draft integration note can be moved to follow another dose.
        self.change_dose_button = QToolButton(header)
        self.change_dose_button.setText("Change…")
        self.change_dose_button.setToolTip("Choose the dosing session this note follows")
        self.change_dose_button.setAutoRaise(True)
        self.change_dose_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.dose_menu = QMenu(self.change_dose_button)
        self.change_dose_button.setMenu(self.dose_menu)
        self.change_dose_button.hide()
        dosing_row = QHBoxLayout()
        dosing_row.setSpacing(6)
        dosing_row.addWidget(self.dosing_label)
        dosing_row.addWidget(self.change_dose_button)
        dosing_row.addStretch(1)
        text.addWidget(self.client_label)
        text.addWidget(self.title_label)
        text.addWidget(self.meta_label)
        text.addLayout(dosing_row)
        text.addWidget(self.signature_label)
        outer.addLayout(text, 1)

        side = QVBoxLayout()
        side.setSpacing(6)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addStretch(1)
        self.save_button = QPushButton("Save draft", header)
        self.save_button.setToolTip(f"Drafts also save themselves as you work ({SAVE_KEYS})")
        self.save_button.setShortcut(SAVE_KEYS)
        self.save_button.clicked.connect(self.save)
        self.sign_button = QPushButton("Sign…", header)
        self.sign_button.setProperty("role", "primary")
        self.sign_button.setToolTip("Check the note against its template, then sign and lock "
                                    f"it ({SIGN_KEYS_TEXT})")
        self.sign_button.clicked.connect(self.sign)
        for keys in SIGN_KEYS:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.sign)
        self.discard_button = QPushButton("Discard draft…", header)
        self.discard_button.setToolTip("Delete this draft, started by mistake")
        self.discard_button.clicked.connect(self.discard)
        self.addendum_button = QPushButton("Add addendum…", header)
        self.addendum_button.setToolTip("Add an addendum, a correction or a late entry")
        self.addendum_button.clicked.connect(self.add_addendum)
        self.copy_button = QPushButton("Make a copy…", header)
        self.copy_button.setToolTip("A PDF of this note as signed, with its addenda, for a "
                                    "records request (made on the Reports tab)")
        self.copy_button.clicked.connect(self._copy)
        for button in (self.discard_button, self.save_button, self.sign_button,
                       self.copy_button, self.addendum_button):
            button.setEnabled(False)
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            buttons.addWidget(button)
        self.addendum_button.hide()
        self.copy_button.hide()
        side.addLayout(buttons)
        # The keys, where they are seen (not only in tooltips).
        self.keys_hint = QLabel(f"{SAVE_KEYS} saves  ·  {SIGN_KEYS_TEXT} signs", header)
        self.keys_hint.setProperty("role", "save-state")
        self.keys_hint.setAlignment(Qt.AlignmentFlag.AlignRight)
        side.addWidget(self.keys_hint, 0, Qt.AlignmentFlag.AlignRight)
        self.save_state = QLabel("", header)
        self.save_state.setProperty("role", "save-state")
        self.save_state.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.save_state.setWordWrap(True)
        self.save_state.setFixedWidth(380)
        side.addWidget(self.save_state, 0, Qt.AlignmentFlag.AlignRight)
        side.addStretch(1)
        outer.addLayout(side, 0)
        return header

    # -- public ---------------------------------------------------------------------------

    @property
    def note_id(self) -> int:
        return self._note_id

    @property
    def note(self) -> NoteDTO | None:
        return self._note

    @property
    def form(self) -> NoteForm | None:
        return self._form

    def is_dirty(self) -> bool:
        """True while a change has not reached the vault."""
        return self._generation != self._saved_generation

    def flush(self) -> None:
        """Save now if anything is unsaved (the main window calls this on lock and quit)."""
        self._timer.stop()
        if self._form is not None and not self._form.is_read_only():
            self._form.commit_pending_edits()
        if self.is_dirty():
            self.save()

    # -- loading --------------------------------------------------------------------------

    def _run(self, fn: Callable[[Backend], T], on_done: Callable[[T], None],
             on_error: Callable[[Exception], None]) -> None:
        """fn(backend) on the worker; the callbacks only while this editor exists."""
        self._runner.submit(fn, on_done, on_error, owner=self)

    def _load(self) -> None:
        note_id = self._note_id
        self._run(lambda b: b.notes.context(note_id), self._loaded, self._load_failed)

    def _loaded(self, loaded: NoteContext) -> None:
        note = loaded.note
        try:
            template = load_templates().get(note.template_id, note.template_version)
        except UnknownTemplateError as exc:
            self._placeholder.setText(str(exc))
            return
        self._note, self._dosing, self._template = note, loaded.dosing, template
        self._client = loaded.client
        name = loaded.client.name + (f" ({loaded.client.preferred_name})"
                                     if loaded.client.preferred_name else "")
        self.client_label.setText(f"{name}  ·  {loaded.client.record_number}")
        self._doses = sorted(loaded.dosing_sessions, key=lambda d: (d.session_date, d.id),
                             reverse=True)
        self._dose_labels = dose_labels(loaded.courses)
        self._last_dose = (loaded.last_dose, loaded.last_dose_concern)
        if self._form is None:
            self._form = NoteForm(template, self)
            self._form.changed.connect(self._changed)
            self._form.new_target_requested.connect(self._new_target)
            self._form.new_part_requested.connect(self._new_part)
            self._form.set_banner(self._banners)
            self._placeholder.hide()
            self._body.addWidget(self._form, 1)
        # A signed note names its targets as they read when it was signed.
        targets = as_signed({t.id: t for t in loaded.targets}, note)
        self._form.set_choices(list(targets.values()), loaded.parts)
        self._form.set_content(note.content)
        if note.signed:
            self._form.set_record_cautions(signed_record_cautions(note.content))
        self._followups = loaded.followups
        self._previous_risk = loaded.previous_risk
        self._show_dose_record(loaded.dose_measures)
        self._generation = self._saved_generation = 0
        self._show_note()
        if not note.signed:
            # Open where the typing starts: the first required field still empty. On the
            # next turn of the event loop, once the form is laid out and can scroll to it.
            QTimer.singleShot(0, self._focus_first_empty)
        self.loaded.emit(note.id)

    def _focus_first_empty(self) -> None:
        form = self._form
        if form is None or form.is_read_only():
            return
        focused = QApplication.focusWidget()
        if focused is not None and form.isAncestorOf(focused):
            return  # the person is already typing somewhere
        field_id = form.first_empty_required()
        if field_id is not None:
            form.focus_field(field_id)

    def _show_dose_record(self, administrations: Sequence[AdministrationDTO]) -> None:
        """A dosing note whose dose already has its CADSS in Measures says so at the field."""
        if self._form is None or self._template is None:
            return
        field = self._template.field_for_tag("dosing.dissociation")
        if field is None:
            return
        editor = self._form.editor(field.id)
        if not isinstance(editor, MeasureField):
            return
        known = load_instruments()
        lines = []
        for administration in administrations:
            if self._note is not None and administration.note_id == self._note.id:
                continue  # this note's own reading, filed when it was signed
            instrument = known.get(administration.instrument_id)
            if instrument is None:
                continue
            result = score(instrument, dict(administration.responses))
            total = result.total if result.total is not None else "incomplete"
            lines.append(f"Measures already holds this dose's {instrument.short_name} "
                         f"(given {date_text(administration.administered_on)}, total {total}):"
                         " it is the dose's one record, so leave this blank.")
        editor.set_recorded("\n".join(lines))

    def _go_to_risk_check(self) -> None:
        if self._form is not None:
            self._form.focus_field(RISK_CHECK_FIELDS[0], with_section=True)

    def _show_followups(self) -> None:
        note = self._note
        if note is None:
            self._banners.hide()
            return
        risk = self._previous_risk
        ask_again = not note.signed and risk is not None and risk.concern
        self.previous_risk.setText(ask_again_text(risk) if ask_again and risk else "")
        self.previous_risk.setVisible(ask_again)
        said, concern = self._last_dose if not note.signed else ("", False)
        self.last_dose.setText(said)
        if said:
            # Amber when it had a vital out of range or an adverse event; else context.
            set_role(self.last_dose, "notice" if concern else "dosing-context-box")
            repolish(self.last_dose)
        self.last_dose.setVisible(bool(said))
        day = note.session_date
        if self._form is not None and not note.signed:
            typed = self._form.value("session_date")
            if isinstance(typed, str):
                with contextlib.suppress(ValueError):
                    day = dt.date.fromisoformat(typed)
        self.safety_banner.show_followups(followups_for_note(self._followups, note),
                                          signed=note.signed, note_day=day)
        # With neither to say, the place they share takes no room above the form.
        self._banners.setVisible(not (self.safety_banner.isHidden()
                                      and self.previous_risk.isHidden()
                                      and self.last_dose.isHidden()))

    def _load_failed(self, exc: Exception) -> None:
        if not is_refusal(exc):
            report_unexpected(exc)
        self._placeholder.setText(f"The note could not be opened. {exc}")

    # -- header ---------------------------------------------------------------------------

    def _show_note(self) -> None:
        note, template, form = self._note, self._template, self._form
        if note is None or template is None or form is None:
            return
        self.title_label.setText(template.title)
        self.meta_label.setText(_meta_text(note))
        self._show_dosing_context()
        read_only_line = self._runner.read_only_line
        editing = self._editable()
        form.set_read_only(not editing)
        self.save_button.setVisible(editing)
        self.sign_button.setVisible(editing)
        self.keys_hint.setVisible(editing)
        self.discard_button.setVisible(editing)
        self.addendum_button.setVisible(note.signed)
        self.copy_button.setVisible(note.signed)
        for button in (self.discard_button, self.save_button, self.sign_button,
                       self.copy_button, self.addendum_button):
            button.setEnabled(True)
        if note.signed:
            self._timer.stop()
            signer = self._name(note.signed_by_id)
            when = date_time_text(note.signed_at) if note.signed_at else "an unknown time"
            self.signature_label.setText(f"Signed by {signer} at {when}, "
                                         f"{seal_text(note.content_hash)}")
            self.signature_label.setToolTip(note.content_hash or "")
            self.signature_label.show()
            self.save_state.setText(LOCKED_STATE)
        else:
            self.signature_label.hide()
            self._show_save_state()
            if read_only_line:
                self.save_state.setText(f"{self.save_state.text()}. {read_only_line}")
        self._show_footer()
        self._show_followups()

    def _show_footer(self) -> None:
        """After the last section: the warnings signed past with their reasons, then the
        addenda of a signed note."""
        note, form = self._note, self._form
        if note is None or form is None:
            return
        answered = form.answered()
        if not answered and not (note.signed and note.addenda):
            form.set_footer(None)
            return
        footer = QWidget()
        layout = QVBoxLayout(footer)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        if answered:
            layout.addWidget(AnsweredPanel(answered, signed=note.signed))
        if note.signed and note.addenda:
            layout.addWidget(_AddendaPanel(note.addenda, self._name))
        form.set_footer(footer)

    def _editable(self) -> bool:
        """A draft, in a vault that can be written. In a vault open read-only a draft is
        read as it was saved."""
        note = self._note
        return note is not None and not note.signed and not self._runner.read_only

    def _show_dosing_context(self) -> None:
        note, template = self._note, self._template
        if note is None or template is None:
            return
        if template.id == "dosing":
            # A dosing note's own dose, as typed so far: route, time, the cumulative dose.
            line = dosing_note_line(self._form.content()) if self._form is not None else ""
            self.dosing_label.setText(line)
            self.dosing_label.setVisible(bool(line))
            self.change_dose_button.hide()
            return
        follows = follows_a_dose(template.id)
        movable = self._editable() and follows and bool(self._doses)
        self.change_dose_button.setVisible(movable)
        if movable:
            self._fill_dose_menu()
        if not follows or self._dosing is None:
            self.dosing_label.setVisible(follows)
            self.dosing_label.setText(NO_DOSE)
            return
        day = note.session_date
        if self._form is not None and not note.signed:
            typed = self._form.value("session_date")
            if isinstance(typed, str):
                with contextlib.suppress(ValueError):
                    day = dt.date.fromisoformat(typed)
        label = self._dose_labels.get(self._dosing.id, f"D{self._dosing.number}")
        self.dosing_label.setText(follows_text(label, self._dosing, day))
        self.dosing_label.show()

    def _fill_dose_menu(self) -> None:
        self.dose_menu.clear()
        day = self._note.session_date if self._note is not None else None
        for dose in self._doses:
            label = self._dose_labels.get(dose.id, f"D{dose.number}")
            action = self.dose_menu.addAction(dose_line(label, dose, day))
            action.setCheckable(True)
            action.setChecked(self._dosing is not None and dose.id == self._dosing.id)
            action.triggered.connect(lambda _c=False, d=dose: self.follow_dose(d))
        self.dose_menu.addSeparator()
        none = self.dose_menu.addAction(NO_DOSE)
        none.setCheckable(True)
        none.setChecked(self._dosing is None)
        none.triggered.connect(lambda _c=False: self.follow_dose(None))

    def follow_dose(self, dose: DosingSessionDTO | None) -> None:
        """Make this draft follow another dosing session (or none); saved at once."""
        if self._note is None or self._form is None or self._note.signed:
            return
        self._form.commit_pending_edits()
        content, generation = self._form.content(), self._generation
        note_id = self._note_id
        dose_id = dose.id if dose is not None else None

        def done(result: Done[NoteDTO]) -> None:
            note = result.value
            self._note, self._dosing = note, dose
            self._saved_generation = max(self._saved_generation, generation)
            self._last_saved_at = dt.datetime.now()
            self._show_save_state()
            self._show_dosing_context()
            self.note_saved.emit(note.id)

        def failed(exc: Exception) -> None:
            if not is_refusal(exc):
                report_unexpected(exc)
            self._show_save_state(f"The dose was not changed: {exc}")

        self._run(lambda b: b.notes.follow_dose(note_id, dose_id, content), done, failed)

    def _show_save_state(self, error: str = "") -> None:
        if error:
            self.save_state.setProperty("role", "save-error")
            self.save_state.setText(error)
        else:
            self.save_state.setProperty("role", "save-state")
            if self.is_dirty():
                self.save_state.setText("Unsaved changes (saving shortly)")
            elif self._last_saved_at is not None:
                self.save_state.setText(f"Draft saved at {time_text(self._last_saved_at)}")
            elif self._note is not None:
                saved = date_time_text(self._note.updated_at)
                self.save_state.setText(f"Draft, last saved {saved}")
            else:
                self.save_state.setText("")
        repolish(self.save_state)

    def _name(self, clinician_id: int | None) -> str:
        if clinician_id is None:
            return "an unknown clinician"
        if clinician_id == self._clinician.id:
            return self._clinician.display
        return f"clinician #{clinician_id}"

    # -- saving ---------------------------------------------------------------------------

    def _changed(self) -> None:
        self._generation += 1
        if not self._timer.isActive():
            self._timer.start()
        self._show_save_state()
        edited = self._form.last_edited if self._form is not None else None
        own_dose = self._template is not None and self._template.id == "dosing" and edited in (
            "dose_mg", "weight_kg", "boosters", "route", "dose_time")
        if own_dose or (self._dosing is not None and edited == "session_date"):
            self._show_dosing_context()
        if edited == "session_date":
            self._show_followups()

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if old is not None and self.isAncestorOf(old) and (new is None
                                                           or not self.isAncestorOf(new)):
            self.flush()

    def save(self) -> None:
        """Write the draft now (a no-op when nothing changed or the note is signed)."""
        self._timer.stop()
        if self._note is None or self._form is None or self._note.signed:
            return
        self._form.commit_pending_edits()
        if not self.is_dirty():
            return
        content = self._form.content()
        generation = self._generation
        note_id = self._note_id

        def done(result: Done[NoteDTO]) -> None:
            note = result.value
            self._saved_generation = max(self._saved_generation, generation)
            self._note = note
            self._last_saved_at = dt.datetime.now()
            self._show_save_state()
            self.meta_label.setText(_meta_text(note))  # its date may have changed
            self.note_saved.emit(note.id)

        def failed(exc: Exception) -> None:
            if isinstance(exc, LockedError):
                self._show_save_state(str(exc))
                self._load()
                return
            if not is_refusal(exc):
                report_unexpected(exc)
            self._show_save_state(f"Not saved: {exc} Your text is still here; "
                                  "saving will be tried again.")
            if not self._timer.isActive():
                self._timer.start()

        self._run(lambda b: b.notes.save_draft(note_id, content), done, failed)

    # -- signing --------------------------------------------------------------------------

    def sign(self) -> None:
        """Save, check the note against its template, and ask before signing it."""
        if self._note is None or self._form is None or self._note.signed or self._signing \
                or self._confirm is not None or refused_read_only(self._runner, self, "Sign"):
            return
        self._timer.stop()
        self._form.commit_pending_edits()
        content = self._form.content() if self.is_dirty() else None
        generation = self._generation
        note_id = self._note_id
        self._signing = True

        def checked(check: SigningCheck) -> None:
            self._signing = False
            if content is not None:
                self._saved_generation = max(self._saved_generation, generation)
                self._last_saved_at = dt.datetime.now()
                self._show_save_state()
            self._take_record_cautions(check.cautions)
            self._show_sign_problems(check.problems)
            if check.problems:
                return
            if check.unanswered:
                self._ask_for_reasons(check.unanswered)
                return
            self._ask_to_sign()

        self._run(lambda b: b.notes.check(note_id, content), checked, self._sign_failed)

    def _take_record_cautions(self, found: Sequence[Caution]) -> None:
        """The warnings the backend found beyond the template's own (the preparation
        clearance), so the form shows them at their field too."""
        if self._form is None or self._template is None:
            return
        own = {c.id for c in self._template.checks}
        self._form.set_record_cautions([c for c in found if c.check_id not in own])

    def _ask_for_reasons(self, unanswered: Sequence[Caution]) -> None:
        """Each warning, why it matters, and a box for the reason; then sign."""
        if self._form is None:
            return
        form = self._form
        dialog = ReasonsDialog(unanswered, form.reasons(), self)
        self._dialog = dialog

        def accepted() -> None:
            form.set_reasons(form.cautions(), dialog.reasons())
            self._show_footer()
            self.sign()  # saves the reasons, checks again, then asks to sign

        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _r: self._forget_dialog(dialog))
        dialog.open()

    def _show_sign_problems(self, problems: Sequence[Problem]) -> None:
        if self._form is None:
            return
        if not problems:
            self._form.clear_problems()
            return
        count = len(problems)
        self._form.show_problems(
            problems,
            heading=f"To sign, {count} {'thing needs' if count == 1 else 'things need'} "
                    "attention",
        )
        self._form.problem_panel.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self._form.problem_panel.view.setCurrentIndex(
            self._form.problem_panel.model.index(0, 0))

    def _ask_to_sign(self) -> None:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Sign this note?")
        box.setText(sign_question(self._clinician))
        box.setInformativeText(SIGNING_MEANS)
        sign = box.addButton("Sign", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(sign)
        self._confirm = box

        def answered(_result: int) -> None:
            chosen = box.clickedButton()
            self._confirm = None
            box.deleteLater()
            if chosen is sign:
                self._sign_now()

        box.finished.connect(answered)
        box.open()

    def _copy(self) -> None:
        if self._note is not None and self._note.signed:
            self.copy_requested.emit(self._note.id, self._note.client_id)

    def discard(self) -> None:
        """Ask, then delete this draft (and the dosing session it opened, if unused)."""
        if self._note is None or self._note.signed:
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Discard this draft?")
        box.setText("Discard this draft?")
        box.setInformativeText("What is written in it is deleted. This cannot be undone.")
        delete = box.addButton("Discard draft", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self._confirm = box
        note_id, actor_id = self._note_id, self._clinician.id

        def answered(_result: int) -> None:
            chosen = box.clickedButton()
            self._confirm = None
            box.deleteLater()
            if chosen is not delete:
                return
            self._timer.stop()
            # Nothing more may be saved into a note that no longer exists.
            self._generation = self._saved_generation

            def done(_result: Done[None]) -> None:
                self._note = None
                self.note_discarded.emit(note_id)

            self._run(lambda b: b.notes.discard_draft(note_id, actor_id=actor_id),
                      done, self._discard_failed)

        box.finished.connect(answered)
        box.open()

    def _discard_failed(self, exc: Exception) -> None:
        if not is_refusal(exc):
            report_unexpected(exc)
        self._show_save_state(f"Not discarded: {exc}")

    def confirmation(self) -> QMessageBox | None:
        """The open "Sign this note?" question, if any (for tests and the main window)."""
        return self._confirm

    def _sign_now(self) -> None:
        note_id, clinician_id = self._note_id, self._clinician.id
        self._signing = True

        def done(result: Done[NoteDTO]) -> None:
            self._signing = False
            note = result.value
            self._note = note
            self._generation = self._saved_generation
            if self._form is not None:
                self._form.clear_problems()
                self._form.set_content(note.content)  # with mg/kg worked out at signing
            self._show_note()
            self._reload_followups()
            self.note_signed.emit(note.id)
            self._offer_status(note)

        self._run(lambda b: b.notes.sign(note_id, clinician_id=clinician_id), done,
                  self._sign_failed)

    def _offer_status(self, note: NoteDTO) -> None:
        """A signed note whose ratings suggest a status for its target (SUD 0 and VoC 7:
        completed) asks the therapist; the target moves only if they say so."""
        template = self._template
        field = template.field_for_tag("target") if template is not None else None
        target_id = note.content.get(field.id) if field is not None else None
        if not isinstance(target_id, int) or isinstance(target_id, bool):
            return

        def arrived(target: TargetDTO) -> None:
            offer = status_offer(target)
            if offer is None or offer.note_id != note.id:
                return
            verb = TARGET_STATUSES.label(offer.status).lower()
            box = QMessageBox(QMessageBox.Icon.Question, "Target status",
                              f"{offer.reason} Mark \u201c{target.label}\u201d {verb}?",
                              QMessageBox.StandardButton.NoButton, self)
            box.setInformativeText("The status changes only if you say so; it is kept in "
                                   "the target's history.")
            mark = box.addButton(f"Mark {verb}", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
            self._confirm = box

            def answered(_result: int) -> None:
                chosen = box.clickedButton()
                self._confirm = None
                box.deleteLater()
                if chosen is mark:
                    actor_id = self._clinician.id
                    self._run(lambda b: b.targets.set_status(target.id, offer.status,
                                                             actor_id=actor_id),
                              lambda _done: self._show_save_state(
                                  f"Target marked {verb}."), self._registry_failed)

            box.finished.connect(answered)
            box.open()

        self._run(lambda b: b.targets.get(target_id), arrived,
                  lambda exc: None if is_refusal(exc) else report_unexpected(exc))
    def _reload_followups(self) -> None:
        """Signing may have answered a follow-up: ask the record which ones."""
        note_id = self._note_id

        def loaded(context: NoteContext) -> None:
            self._followups = context.followups
            self._show_followups()

        def failed(exc: Exception) -> None:
            if not is_refusal(exc):
                report_unexpected(exc)

        self._run(lambda b: b.notes.context(note_id), loaded, failed)

    def _sign_failed(self, exc: Exception) -> None:
        self._signing = False
        if isinstance(exc, SigningError):
            self._show_sign_problems(exc.problems)
            if not exc.problems and exc.cautions:
                self._take_record_cautions(exc.cautions)
                self._ask_for_reasons(exc.cautions)
            return
        if not is_refusal(exc):
            report_unexpected(exc)
        self._show_save_state(f"Not signed: {exc}")

    # -- addenda --------------------------------------------------------------------------

    def add_addendum(self) -> None:
        """Ask for the kind, reason and text of an addendum, then sign and add it."""
        if self._note is None or not self._note.signed or refused_read_only(
                self._runner, self, "Add addendum"):
            return
        dialog = AddendumDialog(self)
        self._dialog = dialog

        def accepted() -> None:
            kind, reason, text = dialog.values()
            self._submit_addendum(kind, reason, text)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _r: self._forget_dialog(dialog))
        dialog.open()

    def dialog(self) -> QDialog | None:
        """The dialog this editor has open, if any (for tests)."""
        return self._dialog

    def _forget_dialog(self, dialog: QDialog) -> None:
        if self._dialog is dialog:
            self._dialog = None
        dialog.deleteLater()

    def _submit_addendum(self, kind: str, reason: str, text: str) -> None:
        note_id, author_id = self._note_id, self._clinician.id
        data = AddendumInput(kind, reason, text)

        def done(result: Done[AddendumDTO]) -> None:
            addendum = result.value
            if self._note is not None:
                self._note = dataclasses.replace(self._note,
                                                 addenda=(*self._note.addenda, addendum))
                self._show_note()
            self.addendum_added.emit(note_id)

        def failed(exc: Exception) -> None:
            if not is_refusal(exc):
                report_unexpected(exc)
            self._show_save_state(f"The addendum was not added: {exc}")

        self._run(lambda b: b.notes.add_addendum(note_id, data, author_id=author_id), done,
                  failed)

    # -- new targets and parts -------------------------------------------------------------

    def _new_target(self, kind: str) -> None:
        if self._note is None:
            return
        dialog = NewTargetDialog(kind, self)
        self._dialog = dialog
        client_id, actor_id = self._note.client_id, self._clinician.id

        def accepted() -> None:
            data = TargetInput(label=dialog.name.text().strip(), kind=kind,
                               prong=dialog.choice.currentData())

            open_it = dialog.open_in_registry.isChecked()

            def done(result: Done[TargetDTO]) -> None:
                if self._form is not None:
                    self._form.choose_new_target(result.value)
                if open_it:
                    self.target_requested.emit(result.value.id, result.value.client_id)

            self._run(lambda b: b.targets.create(client_id, data, actor_id=actor_id), done,
                      self._registry_failed)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _r: self._forget_dialog(dialog))
        dialog.open()

    def _new_part(self) -> None:
        if self._note is None:
            return
        dialog = NewPartDialog(self)
        self._dialog = dialog
        client_id, actor_id = self._note.client_id, self._clinician.id

        def accepted() -> None:
            data = PartInput(name=dialog.name.text().strip(),
                             part_type=dialog.choice.currentData())

            def done(result: Done[PartDTO]) -> None:
                if self._form is not None:
                    self._form.choose_new_part(result.value)

            self._run(lambda b: b.parts.create(client_id, data, actor_id=actor_id), done,
                      self._registry_failed)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _r: self._forget_dialog(dialog))
        dialog.open()

    def _registry_failed(self, exc: Exception) -> None:
        if not is_refusal(exc):
            report_unexpected(exc)
        self._show_save_state(f"Not added to the registry: {exc}")
