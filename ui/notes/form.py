"""The note form: renders any note template from its definition and edits its content.

One `NoteForm` per note. It knows nothing of the database: `set_content` puts a note's
content in, `content()` takes it out in the stored shape (text and choices as str,
multi-choices as lists, ratings and counts as int, numbers as int or float, dates
"YYYY-MM-DD", times "HH:MM", yes/no as bool, a target as its id, parts as a list of ids,
groups as lists of row dicts). A field that is not filled is left out. A value the form
cannot show (a stored answer that is no longer an option, say) is kept as it was, with a
notice, until the therapist changes that field: the form never drops what was written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSlider,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from models.clinical.carry import carried_fields, carried_on, without_carried
from models.dto import PartDTO, TargetDTO
from models.formatting import date_text
from models.templates.checks import (
    ACKNOWLEDGEMENTS,
    Caution,
    CautionKey,
    answered,
    cautions,
    given_reasons,
    with_reasons,
)
from models.templates.definitions import (
    CARRIED_FORWARD_KEY,
    CheckLevel,
    FieldDef,
    FieldKind,
    Section,
    Template,
)
from models.templates.display import display_value
from models.templates.validation import Problem, derive_values
from models.values import is_blank
from reports import palette
from reports.palette import (
    ACCENT,
    ATTENTION,
    ERROR,
    INK,
    LINE,
    MUTED,
    SURFACE,
    WARNING_BG,
    WARNING_EDGE,
)
from ui.common.style import repolish, set_role, wrapped_tip
from ui.notes.fields import (
    ComboChoice,
    DateField,
    DerivedField,
    Field,
    IntegerField,
    LongTextField,
    MultiChoiceField,
    NumberField,
    RadioRow,
    ScaleField,
    TextField,
    TimeField,
)
from ui.notes.group_table import GroupField
from ui.notes.inputs import UNANSWERED
from ui.notes.measure_field import MeasureField
from ui.notes.problems import FIRST_PROBLEM_KEYS, ProblemPanel, parse_path
from ui.notes.reference_fields import PartsRefField, TargetRefField

RADIO_LIMIT: Final = 4  # a choice with this many options or fewer shows as radio buttons
LABEL_WIDTH: Final = 210
FORM_MAX_WIDTH: Final = 1000

FORM_STYLESHEET: Final = f"""
NoteForm QScrollArea, NoteForm QScrollArea > QWidget > QWidget#formContent {{
    background: transparent;
}}
QFrame[role="section"] {{
    background: {SURFACE};
    border: 1px solid {LINE};
    border-radius: 6px;
}}
QFrame[role="section-private"] {{
    background: {palette.PRIVATE_BG};
    border: 1px dashed {palette.PRIVATE_EDGE};
    border-radius: 6px;
}}
QLabel[role="section-title"] {{
    font-size: 12.5pt;
    font-weight: 600;
    color: {INK};
}}
QLabel[role="field-label"] {{
    color: {INK};
    padding-top: 5px;
}}
QLabel[role="help"] {{
    color: {MUTED};
    font-size: 8.5pt;
}}
QLabel[role="field-error"] {{
    color: {ERROR};
    font-size: 9pt;
}}
QLabel[role="carried"] {{
    color: {palette.INFO};
    font-size: 9pt;
}}
QLabel[role="kept-value"] {{
    color: {palette.KEPT};
    font-size: 9pt;
}}
QLabel[role="field-warning"] {{
    color: {ATTENTION};
    background: {WARNING_BG};
    border-left: 3px solid {WARNING_EDGE};
    padding: 3px 6px;
    font-size: 9pt;
}}
QLabel[role="anchor"] {{
    color: {MUTED};
    font-size: 8.5pt;
}}
QLabel[role="scale-value"] {{
    font-size: 13pt;
    font-weight: 600;
    color: {INK};
}}
QLabel[role="scale-value"][rated="false"] {{
    font-size: 9.5pt;
    font-weight: 400;
    font-style: italic;
    color: {MUTED};
}}
QToolButton[role="clear"] {{
    border: none;
    color: {ACCENT};
    padding: 2px 4px;
}}
QToolButton[role="clear"]:hover {{
    text-decoration: underline;
}}
QFrame[role="problems"] {{
    background: {palette.PROBLEMS_BG};
    border: 1px solid {palette.SAFETY_EDGE};
    border-radius: 6px;
}}
QLabel[role="problems-title"] {{
    color: {ERROR};
    font-weight: 600;
}}
QListView[role="problems"] {{
    background: transparent;
    border: none;
    color: {INK};
}}
QListView[role="problems"]::item:selected {{
    background: {palette.PROBLEM_SELECTED};
    color: {INK};
}}
QListView[role="problems"]::item:hover {{
    background: {palette.PROBLEM_HOVER};
}}
QLineEdit[readOnly="true"], QPlainTextEdit[readOnly="true"] {{
    background: {palette.READ_ONLY_BG};
}}
NoteForm[signed="true"] QLineEdit[answer="true"],
NoteForm[signed="true"] QPlainTextEdit[answer="true"], QComboBox[inert="true"] {{
    background: transparent;
    border: none;
    border-bottom: 1px solid {LINE};
    color: {INK};
    padding-left: 0;
}}

QComboBox[inert="true"]::drop-down {{
    width: 0;
    border: none;
}}
QComboBox[inert="true"]::down-arrow {{
    image: none;
}}
QTableView QHeaderView::section:vertical {{
    padding: 0 6px;
    color: {MUTED};
}}
QSlider {{
    min-height: 22px;
    border-radius: 4px;
}}
QSlider:focus {{
    background: {palette.SLIDER_FOCUS_BG};
}}
QSlider::groove:horizontal {{
    height: 6px;
    background: {LINE};
    border-radius: 3px;
}}
QSlider::sub-page:horizontal {{
    background: {palette.SLIDER_FILL};
    border-radius: 3px;
}}
QSlider::handle:horizontal {{
    width: 16px;
    height: 16px;
    margin: -6px 0;
    border-radius: 9px;
    background: {ACCENT};
    border: 1px solid white;
}}
QSlider[rated="false"]::sub-page:horizontal {{
    background: {LINE};
}}
QSlider[rated="false"]::handle:horizontal {{
    background: transparent;
    border: 1px solid transparent;
}}
NoteForm[signed="true"] QSlider::sub-page:horizontal {{
    background: {LINE};
}}
NoteForm[signed="true"] QSlider::handle:horizontal {{
    background: {MUTED};
}}
"""


class _FieldCell(QWidget):
    """The right-hand cell of one field: the editor, its help line, its error line."""

    def __init__(self, editor: Field, help_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(editor)
        self._layout = layout
        self.help_label: QLabel | None = None
        if help_text:
            self.help_label = QLabel(help_text, self)
            set_role(self.help_label, "help")
            self.help_label.setWordWrap(True)
            layout.addWidget(self.help_label)
        self._error: QLabel | None = None
        self._kept: QLabel | None = None
        self._carried: QLabel | None = None
        self._warning: QLabel | None = None

    def set_warning(self, text: str) -> None:
        """Amber lines under the field: a value that needs a reason to sign past."""
        if not text:
            if self._warning is not None:
                self._warning.hide()
            return
        if self._warning is None:
            self._warning = QLabel(self)
            set_role(self._warning, "field-warning")
            self._warning.setWordWrap(True)
            self._warning.setTextFormat(Qt.TextFormat.PlainText)
            self._layout.addWidget(self._warning)
        self._warning.setText(text)
        self._warning.show()

    def warning_text(self) -> str:
        return self._warning.text() if self._warning is not None \
            and not self._warning.isHidden() else ""

    def set_error(self, text: str) -> None:
        if not text:
            if self._error is not None:
                self._error.hide()
            return
        if self._error is None:
            self._error = QLabel(self)
            set_role(self._error, "field-error")
            self._error.setWordWrap(True)
            self._layout.addWidget(self._error)
        self._error.setText(text)
        self._error.show()

    def error_text(self) -> str:
        return self._error.text() if self._error is not None and not self._error.isHidden() \
            else ""

    def set_carried(self, text: str) -> None:
        """Say the value came over from an earlier note (until the field is edited)."""
        if not text:
            if self._carried is not None:
                self._carried.hide()
            return
        if self._carried is None:
            self._carried = QLabel(self)
            set_role(self._carried, "carried")
            self._carried.setWordWrap(True)
            self._layout.insertWidget(1, self._carried)
        self._carried.setText(text)
        self._carried.show()

    def carried_text(self) -> str:
        return self._carried.text() if self._carried is not None \
            and not self._carried.isHidden() else ""

    def set_kept(self, text: str) -> None:
        if not text:
            if self._kept is not None:
                self._kept.hide()
            return
        if self._kept is None:
            self._kept = QLabel(self)
            set_role(self._kept, "kept-value")
            self._kept.setWordWrap(True)
            self._layout.insertWidget(1, self._kept)
        self._kept.setText(text)
        self._kept.show()


def _is_answer(widget: QWidget) -> bool:
    """A text field a person types an answer into (not a table cell, not a calculation)."""
    return bool(widget.property("answer") == "true")


def _label_html(f: FieldDef, required: bool) -> str:
    text = f.label.replace("&", "&amp;").replace("<", "&lt;")
    if required:  # the mark stays on its label's last line (a no-break space)
        text += f'&nbsp;<span style="color:{ERROR}">*</span>'
    if f.private:
        text += f' <span style="color:{MUTED}; font-size:8.5pt">(private)</span>'
    return text


class NoteForm(QWidget):
    """Renders a note template as a form and reads and writes its content."""

    changed = Signal()
    new_target_requested = Signal(str)  # the target kind: "emdr" or "art"
    new_part_requested = Signal()

    def __init__(self, template: Template, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noteForm")
        self._template = template
        self._fields: dict[str, Field] = {}
        self._cells: dict[str, _FieldCell] = {}
        self._labels: dict[str, QLabel] = {}
        self._sections: dict[str, QFrame] = {}  # each field's section
        self._opaque: dict[str, Any] = {}  # stored values the form cannot show: kept as is
        self._extra: dict[str, Any] = {}  # keys that are no field of this template: kept
        self._stored: dict[str, Any] = {}  # as set, to keep a list's stored order
        self._targets: dict[int, TargetDTO] = {}
        self._parts: dict[int, PartDTO] = {}
        self._read_only = False
        # Help lines that say how to enter a value: not shown on a signed note.
        self._entry_help: list[QLabel] = []
        self._derived = [f for f in template.fields if f.derived is not None]
        # The fields a derived value is worked out from ("boosters.dose_mg" is "boosters").
        self._derived_inputs = {operand.split(".", 1)[0] for f in self._derived
                                if f.derived is not None
                                for operand in (f.derived.left, f.derived.right)}
        self._conditional = [f for f in template.fields if f.required_if is not None]
        self._last_new_ref: str | None = None
        self.last_edited: str | None = None  # the field the latest `changed` came from
        # Warnings from the rest of the record (the backend's check), shown with the
        # template's own.
        self._record_cautions: list[Caution] = []
        self.setStyleSheet(FORM_STYLESHEET)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        # A banner the window puts above everything (the open safety follow-ups), lined up
        # with the form's column like the problem list.
        self._banner_row = QHBoxLayout()
        self._banner_row.setContentsMargins(16, 0, 16 + self.style().pixelMetric(
            QStyle.PixelMetric.PM_ScrollBarExtent), 0)
        outer.addLayout(self._banner_row)
        # Above the scroll area, so the list stays in view while the form scrolls; lined
        # up with the form's column.
        panel_row = QHBoxLayout()
        panel_row.setContentsMargins(16, 0, 16 + self.style().pixelMetric(
            QStyle.PixelMetric.PM_ScrollBarExtent), 0)
        self.problem_panel = ProblemPanel(self)
        self.problem_panel.setMaximumWidth(FORM_MAX_WIDTH)
        self.problem_panel.hide()
        self.problem_panel.view.clicked.connect(self._problem_activated)
        self.problem_panel.view.activated.connect(self._problem_activated)
        panel_row.addWidget(self.problem_panel)
        outer.addLayout(panel_row)

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = self._content = QWidget()
        content.setObjectName("formContent")
        row = QHBoxLayout(content)
        row.setContentsMargins(16, 8, 16, 16)
        self._column = QWidget(content)
        self._column.setMaximumWidth(FORM_MAX_WIDTH)
        row.addStretch(0)
        row.addWidget(self._column, 1)
        row.addStretch(0)
        self._column_layout = QVBoxLayout(self._column)
        self._column_layout.setContentsMargins(0, 0, 0, 0)
        self._column_layout.setSpacing(14)
        self._legend = QLabel(f'<span style="color:{ERROR}">*</span> required to sign',
                              self._column)
        set_role(self._legend, "help")
        self._column_layout.addWidget(self._legend)
        for section in template.sections:
            self._column_layout.addWidget(self._build_section(section))
        self._footer_slot = QVBoxLayout()
        self._footer_slot.setContentsMargins(0, 0, 0, 0)
        self._column_layout.addLayout(self._footer_slot)
        self._column_layout.addStretch(1)
        self.scroll_area.setWidget(content)
        outer.addWidget(self.scroll_area, 1)

        self._shortcut = QShortcut(QKeySequence(FIRST_PROBLEM_KEYS), self)
        self._shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._shortcut.activated.connect(self._focus_first_problem)
        self._refresh_derived()
        self._refresh_conditions()

    # -- building ------------------------------------------------------------------------

    def _build_section(self, section: Section) -> QFrame:
        private = any(f.private for f in section.fields)
        frame = QFrame(self._column)
        set_role(frame, "section-private" if private else "section")
        frame.setObjectName(f"section_{section.id}")
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(18, 12, 18, 16)
        layout.setSpacing(8)
        title = QLabel(section.title, frame)
        set_role(title, "section-title")
        layout.addWidget(title)
        if section.help:
            help_label = QLabel(section.help, frame)
            set_role(help_label, "help")
            help_label.setWordWrap(True)
            layout.addWidget(help_label)
            if section.id in self._template.entry_help_sections:
                self._entry_help.append(help_label)
        grid = QGridLayout()
        grid.setContentsMargins(0, 4, 0, 0)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(12)
        grid.setColumnMinimumWidth(0, LABEL_WIDTH)
        grid.setColumnStretch(1, 1)
        for row, f in enumerate(section.fields):
            editor = self._make_editor(f, frame)
            label = QLabel(_label_html(f, f.required), frame)
            set_role(label, "field-label")
            label.setWordWrap(True)
            label.setFixedWidth(LABEL_WIDTH)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            cell = _FieldCell(editor, f.help, frame)
            if cell.help_label is not None and f.id in self._template.entry_help_fields:
                self._entry_help.append(cell.help_label)
            if f.help:
                label.setToolTip(wrapped_tip(f.help))
                editor.setToolTip(wrapped_tip(f.help))
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(cell, row, 1)
            self._fields[f.id] = editor
            self._cells[f.id] = cell
            self._labels[f.id] = label
            self._sections[f.id] = frame
        layout.addLayout(grid)
        return frame

    def _names(self) -> tuple[Mapping[int, TargetDTO], Mapping[int, PartDTO]]:
        return self._targets, self._parts

    def _make_editor(self, f: FieldDef, parent: QWidget) -> Field:
        editor: Field
        kind = f.kind
        if kind is FieldKind.TEXT:
            editor = TextField(f, parent)
        elif kind is FieldKind.LONG_TEXT:
            editor = LongTextField(f, parent)
        elif kind is FieldKind.CHOICE:
            if len(f.options) <= RADIO_LIMIT:
                editor = RadioRow(f, [(o.value, o.label) for o in f.options], parent)
            else:
                editor = ComboChoice(f, parent)
        elif kind is FieldKind.MULTI_CHOICE:
            editor = MultiChoiceField(f, parent)
        elif kind is FieldKind.SCALE:
            editor = ScaleField(f, parent)
        elif kind is FieldKind.INTEGER:
            editor = IntegerField(f, parent)
        elif kind is FieldKind.NUMBER:
            editor = DerivedField(f, parent) if f.derived is not None else NumberField(f, parent)
        elif kind is FieldKind.DATE:
            editor = DateField(f, parent)
        elif kind is FieldKind.TIME:
            editor = TimeField(f, parent)
        elif kind is FieldKind.YES_NO:
            editor = RadioRow(f, [(True, "Yes"), (False, "No")], parent)
        elif kind is FieldKind.TARGET_REF:
            target_editor = TargetRefField(f, parent)
            target_editor.new_requested.connect(
                lambda target_kind, fid=f.id: self._new_ref(fid, self.new_target_requested,
                                                            target_kind))
            editor = target_editor
        elif kind is FieldKind.PARTS_REF:
            parts_editor = PartsRefField(f, parent)
            parts_editor.new_requested.connect(
                lambda fid=f.id: self._new_ref(fid, self.new_part_requested))
            editor = parts_editor
        elif kind is FieldKind.MEASURE:
            editor = MeasureField(f, parent)
        else:
            editor = GroupField(f, self._names, parent,
                                entry=self._template.row_entry(f.id))
        editor.setObjectName(f"field_{f.id}")
        editor.edited.connect(lambda fid=f.id: self._on_edited(fid))
        return editor

    def _new_ref(self, field_id: str, signal: Any, *args: Any) -> None:
        self._last_new_ref = field_id
        signal.emit(*args)

    # -- content --------------------------------------------------------------------------

    @property
    def template(self) -> Template:
        return self._template

    def set_content(self, content: Mapping[str, Any]) -> None:
        """Show a note's content; anything the form cannot show is kept unchanged."""
        self._opaque.clear()
        self._stored = dict(content)
        known = {f.id for f in self._template.fields}
        self._extra = {k: v for k, v in content.items() if k not in known}
        for f in self._template.fields:
            editor = self._fields[f.id]
            value = content.get(f.id)
            shown = editor.set_value(value)
            if not shown:
                self._opaque[f.id] = value
                self._cells[f.id].set_kept(
                    f"The saved answer ({display_value(f, value, self._targets, self._parts)})"
                    " cannot be shown here. It is kept as it is unless you change this field."
                )
            else:
                self._cells[f.id].set_kept("")
        self._refresh_derived()
        self._refresh_conditions()
        self._show_carried()
        self.refresh_cautions()

    def carried(self) -> tuple[str, ...]:
        """The fields still marked as carried forward from an earlier note."""
        return carried_fields(self._extra)

    def _show_carried(self) -> None:
        carried = set(self.carried())
        when = carried_on(self._extra)
        text = (f"Carried forward from the note of {date_text(when)}; edit it if it has "
                "changed." if when is not None else "Carried forward from an earlier note.")
        for field_id, cell in self._cells.items():
            cell.set_carried(text if field_id in carried else "")

    def commit_pending_edits(self) -> None:
        """Take in a value still being typed in a table cell (before a save or a sign)."""
        for editor in self._fields.values():
            if isinstance(editor, GroupField):
                editor.commit_pending_edit()

    def content(self) -> dict[str, Any]:
        """The note's content in the stored shape; unfilled fields are left out."""
        result: dict[str, Any] = {}
        for f in self._template.fields:
            if f.id in self._opaque:
                result[f.id] = self._opaque[f.id]
                continue
            if f.derived is not None:
                continue
            value = self._fields[f.id].value()
            if value is None:
                continue
            stored = self._stored.get(f.id)
            if isinstance(value, list) and isinstance(stored, list) \
                    and f.kind is not FieldKind.GROUP and sorted(map(str, stored)) == \
                    sorted(map(str, value)):
                value = list(stored)  # same choices: keep the order they were stored in
            result[f.id] = value
        result.update({k: v for k, v in self._extra.items() if k not in result})
        if self._derived:
            result = derive_values(self._template, result)
        return result

    def value(self, field_id: str) -> Any:
        """One field's current value, as content() would give it (None when not filled)."""
        return self._value_of(field_id)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._legend.setVisible(not read_only)
        for label in self._entry_help:
            label.setVisible(not read_only)
        # "Required to sign" means nothing once signed: a record's labels carry no mark.
        for f in self._template.fields:
            if f.id in self._labels and f.required_if is None:
                self._labels[f.id].setText(_label_html(f, f.required and not read_only))
        for editor in self._fields.values():
            editor.set_read_only(read_only)
        # A signed note reads as a record: answers on a rule, no boxes that invite typing,
        # nothing greyed out as if broken (see FORM_STYLESHEET).
        self.setProperty("signed", "true" if read_only else "false")
        for widget in self.findChildren(QWidget):
            if isinstance(widget, QSlider):
                repolish(widget)  # its handle in grey: a rating on record, not a control
            elif isinstance(widget, QLineEdit | QPlainTextEdit):
                repolish(widget)
                if _is_answer(widget):
                    widget.setPlaceholderText(UNANSWERED if read_only else "")

        self._refresh_conditions()

    def is_read_only(self) -> bool:
        return self._read_only

    def set_choices(self, targets: Sequence[TargetDTO], parts: Sequence[PartDTO]) -> None:
        """The client's targets and parts, for the fields that refer to them."""
        self._targets = {t.id: t for t in targets}
        self._parts = {p.id: p for p in parts}
        for editor in self._fields.values():
            editor.set_choices(self._targets, self._parts)

    def choose_new_target(self, target: TargetDTO, field_id: str | None = None) -> None:
        """Add a just-created target to the lists and select it where it was asked for."""
        self.set_choices([*self._targets.values(), target], list(self._parts.values()))
        fid = field_id or self._last_new_ref
        editor = self._fields.get(fid or "")
        if isinstance(editor, TargetRefField):
            editor.choose(target.id)

    def choose_new_part(self, part: PartDTO, field_id: str | None = None) -> None:
        """Add a just-created part to the lists and tick it where it was asked for."""
        self.set_choices(list(self._targets.values()), [*self._parts.values(), part])
        fid = field_id or self._last_new_ref
        editor = self._fields.get(fid or "")
        if isinstance(editor, PartsRefField):
            editor.choose(part.id)

    def set_banner(self, widget: QWidget) -> None:
        """Show a widget above the problem list and the form, as wide as the form."""
        widget.setMaximumWidth(FORM_MAX_WIDTH)
        self._banner_row.addWidget(widget)

    def set_footer(self, widget: QWidget | None) -> None:
        """A widget shown after the last section, inside the scroll area (addenda)."""
        while self._footer_slot.count():
            item = self._footer_slot.takeAt(0)
            old = item.widget() if item is not None else None
            if old is not None:
                old.setParent(None)
        if widget is not None:
            self._footer_slot.addWidget(widget)
            widget.show()

    # -- reacting ------------------------------------------------------------------------

    def _on_edited(self, field_id: str) -> None:
        self.last_edited = field_id
        if field_id in self._opaque:  # the person replaced a value the form could not show
            del self._opaque[field_id]
            self._cells[field_id].set_kept("")
        self._stored.pop(field_id, None)
        if field_id in self.carried():  # edited: this session's answer now
            mark = without_carried(self._extra.get(CARRIED_FORWARD_KEY), field_id)
            if mark is None:
                self._extra.pop(CARRIED_FORWARD_KEY, None)
            else:
                self._extra[CARRIED_FORWARD_KEY] = mark
            self._cells[field_id].set_carried("")
        self._clear_field_problems(field_id)
        if self._derived and field_id in self._derived_inputs:
            self._refresh_derived()
        if self._conditional and any(f.required_if is not None
                                     and field_id in f.required_if.fields
                                     for f in self._conditional):
            self._refresh_conditions()
        self.refresh_cautions()
        self.changed.emit()

    def _refresh_derived(self) -> None:
        if not self._derived:
            return
        # Every entered value, as content() has it: a derived field may sum a group's column
        # or build on another derived field.
        values = {f.id: self._value_of(f.id) for f in self._template.fields
                  if f.derived is None}
        computed = derive_values(self._template, {k: v for k, v in values.items()
                                                  if v is not None})
        for f in self._derived:
            editor = self._fields[f.id]
            if isinstance(editor, DerivedField):
                editor.show_computed(computed.get(f.id))

    def _refresh_conditions(self) -> None:
        if not self._conditional:
            return
        current = {name: self._value_of(name) for f in self._conditional
                   if f.required_if is not None for name in f.required_if.fields}
        for f in self._conditional:
            assert f.required_if is not None
            required = f.required_if.holds(current)
            self._labels[f.id].setText(_label_html(f, required and not self._read_only))
            # Not applicable after an earlier answer: Tab passes it by (a click reaches it).
            self._fields[f.id].set_tab_skipped(not required)
            # A signed note reads as what was asked: a question its answers made not
            # applicable (the risk check's follow-ups when ideation was denied) and left
            # unanswered is left out, as the PDF leaves it out. A draft shows them all.
            left_out = (self._read_only and not required
                        and is_blank(self._value_of(f.id)))
            self._labels[f.id].setHidden(left_out)
            self._cells[f.id].setHidden(left_out)

    def _value_of(self, field_id: str) -> Any:
        if field_id in self._opaque:
            return self._opaque[field_id]
        editor = self._fields.get(field_id)
        return editor.value() if editor is not None else None

    # -- warnings and their reasons -------------------------------------------------------

    def cautions(self) -> list[Caution]:
        """Every warning the note raises now: the template's checks on what is typed, and
        those from the rest of the record that the backend reported."""
        found: list[Caution] = []
        if self._template.checks:
            content = derive_values(self._template, self.content())
            found = [c for c in cautions(self._template, content)
                     if c.level is CheckLevel.WARNING]
        return found + self._record_cautions

    def set_record_cautions(self, found: Sequence[Caution]) -> None:
        self._record_cautions = list(found)
        self.refresh_cautions()

    def refresh_cautions(self) -> None:
        """Show each warning under its field, with the reason given for it, if any."""
        if not self._template.checks and not self._record_cautions:
            return
        reasons = given_reasons(self.content())
        lines: dict[str, list[str]] = {}
        cells: dict[str, dict[tuple[int, str], str]] = {}
        for caution in self.cautions():
            field_id, row, column = parse_path(caution.field_path)
            reason = reasons.get(caution.key)
            text = f"⚠ {caution.message} " + (f"Reason given: {reason}" if reason
                                              else caution.why)
            lines.setdefault(field_id, []).append(text)
            if row is not None and column is not None:
                cells.setdefault(field_id, {})[(row, column)] = text
        for field_id, cell in self._cells.items():
            cell.set_warning("\n".join(lines.get(field_id, [])))
            editor = self._fields[field_id]
            if isinstance(editor, GroupField):
                editor.set_cell_warnings(cells.get(field_id, {}))

    def reasons(self) -> dict[CautionKey, str]:
        """The reasons given so far, by the warning each answers."""
        return given_reasons(self.content())

    def set_reasons(self, found: Sequence[Caution], reasons: dict[CautionKey, str]) -> None:
        """Keep these reasons with the note (and drop those of warnings no longer raised)."""
        updated = with_reasons(self.content(), found, reasons)
        if ACKNOWLEDGEMENTS in updated:
            self._extra[ACKNOWLEDGEMENTS] = updated[ACKNOWLEDGEMENTS]
        else:
            self._extra.pop(ACKNOWLEDGEMENTS, None)
        self.refresh_cautions()
        self.last_edited = ACKNOWLEDGEMENTS
        self.changed.emit()

    def answered(self) -> list[tuple[Caution, str]]:
        """Each warning answered with a reason, and its reason."""
        return answered(self._template, self.content(), self._record_cautions)

    # -- focus and problems ---------------------------------------------------------------

    def required_now(self, f: FieldDef) -> bool:
        """Whether signing needs this field with the answers given so far."""
        if f.required:
            return True
        if f.required_if is None:
            return False
        return f.required_if.holds({name: self._value_of(name) for name in f.required_if.fields})

    def first_empty_required(self) -> str | None:
        """The first field signing needs that is still empty (where a new note opens)."""
        return next((f.id for f in self._template.fields
                     if f.derived is None and self.required_now(f)
                     and self._value_of(f.id) is None), None)

    def focus_field(self, field_path: str, *, with_section: bool = False) -> bool:
        """Scroll to a field and put the keyboard there; "sets[1].sud" focuses that cell.

        With `with_section` the field's section is brought to the top of the view, its
        title and help included, so the questions that follow the field show with it (the
        risk check, reached from the safety banner).
        Returns False when the path names no field of this form.
        """
        field_id, row, column = parse_path(field_path)
        editor = self._fields.get(field_id)
        if editor is None:
            return False
        cell = self._cells[field_id]
        label = self._labels[field_id]
        if self.isVisible():
            if with_section:
                section = self._sections[field_id]
                top = section.mapTo(self._content, section.rect().topLeft()).y()
                self.scroll_area.verticalScrollBar().setValue(top - 8)
            self.scroll_area.ensureWidgetVisible(label, 0, 24)
            self.scroll_area.ensureWidgetVisible(cell, 0, 24)
        editor.focus_editor(row, column)
        return True

    def show_problems(self, problems: Sequence[Problem], heading: str | None = None) -> None:
        """Each problem in red under its field, and all of them listed above the form."""
        self.clear_problems()
        by_field: dict[str, list[str]] = {}
        cells: dict[str, dict[tuple[int, str], str]] = {}
        for problem in problems:
            field_id, row, column = parse_path(problem.field_path)
            by_field.setdefault(field_id, []).append(problem.message)
            if row is not None and column is not None:
                cells.setdefault(field_id, {})[(row, column)] = problem.message
        for field_id, messages in by_field.items():
            cell = self._cells.get(field_id)
            if cell is not None:
                cell.set_error("\n".join(messages))
        for field_id, cell_problems in cells.items():
            editor = self._fields.get(field_id)
            if isinstance(editor, GroupField):
                editor.set_cell_problems(cell_problems)
        if not problems:
            return
        count = len(problems)
        self.problem_panel.title.setText(
            heading or f"{count} {'thing' if count == 1 else 'things'} to fix"
        )
        self.problem_panel.model.set_problems(problems)
        self.problem_panel.show()

    def clear_problems(self) -> None:
        for cell in self._cells.values():
            cell.set_error("")
        for editor in self._fields.values():
            if isinstance(editor, GroupField):
                editor.set_cell_problems({})
        self.problem_panel.model.set_problems([])
        self.problem_panel.hide()

    def problems(self) -> list[Problem]:
        """The problems still listed (fixed fields drop out as they are edited)."""
        return self.problem_panel.model.problems()

    def field_error(self, field_id: str) -> str:
        """The red message shown under a field, if any (for tests and accessibility)."""
        cell = self._cells.get(field_id)
        return cell.error_text() if cell is not None else ""

    def editor(self, field_id: str) -> QWidget:
        """The editor widget of a field (tests drive it like a person would)."""
        return self._fields[field_id]

    def _clear_field_problems(self, field_id: str) -> None:
        cell = self._cells.get(field_id)
        if cell is not None and cell.error_text():
            cell.set_error("")
        editor = self._fields.get(field_id)
        if isinstance(editor, GroupField):
            editor.set_cell_problems({})
        if self.problem_panel.isVisible() or self.problem_panel.model.rowCount():
            self.problem_panel.model.drop_field(field_id)
            if not self.problem_panel.model.rowCount():
                self.problem_panel.hide()
            else:
                count = self.problem_panel.model.rowCount()
                self.problem_panel.title.setText(
                    f"{count} {'thing' if count == 1 else 'things'} left to fix"
                )

    def _problem_activated(self, index: QModelIndex) -> None:
        path = index.data(Qt.ItemDataRole.UserRole)
        if isinstance(path, str):
            self.focus_field(path)

    def _focus_first_problem(self) -> None:
        problems = self.problems()
        if problems:
            self.focus_field(problems[0].field_path)
