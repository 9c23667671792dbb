"""The workstation window: client list on the left, the chart on the right, and the lock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from models.api import Backend, Changes, Done, Kind
from models.dto import ClientChart, ClientDetail, ClientSummary, ClinicianDTO, NoteDTO
from models.errors import NotFoundError
from ui.chart.chart_view import CHART_KINDS, TAB_NAMES, ChartView
from ui.chart.course_dialog import CourseDialog
from ui.clients.client_dialog import ClientDialog
from ui.clients.client_list import ClientListPanel
from ui.common.dialogs import close_now
from ui.shell import settings as S
from ui.shell.about import show_about
from ui.shell.idle import IdleWatcher
from ui.shell.names import APP_NAME, window_title
from ui.shell.safekeeping import Safekeeping, VaultNotice
from ui.shell.settings import Settings
from ui.shell.settings_dialog import SettingsDialog
from ui.shell.tasks import TaskRunner, is_refusal, refused_read_only, report_unexpected
from ui.shell.unlock.panel import UnlockPanel
from ui.shell.unlock.passphrase import growing_delay

if TYPE_CHECKING:
    from ui.audit.trail_window import AuditTrailWindow
    from ui.clients.waiting_window import WaitingWindow
    from ui.measures.blank_form import BlankFormDialog
    from ui.notes.new_note_dialog import NewNoteChoice
    from ui.parts.parts_tab import PartsTab
    from ui.reports.reports_tab import ReportsTab
    from ui.search.search_window import SearchWindow
    from ui.targets.targets_tab import TargetsTab

DEFAULT_SIZE = QSize(1280, 800)
LIST_WIDTH = 380


class _ListAndChart(QSplitter):
    """The client list beside the chart. A narrower window takes its room from the chart
    (the list keeps the width it was given), but never below the width the chart's tabs
    need: then from the list. QSplitter alone let the chart go narrower than that, and the
    Parts tab's map was cut off at the window's edge. Checked as the window is resized and
    as a tab's content asks for more room."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._keep_chart_whole()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:  # a tab filled in needs more room
            self._keep_chart_whole()
        return handled

    def _keep_chart_whole(self) -> None:
        clients, chart = self.widget(0), self.widget(1)
        if clients is None or chart is None:
            return
        list_width, chart_width = self.sizes()
        short = chart.minimumSizeHint().width() - chart_width
        spare = list_width - clients.minimumSizeHint().width()
        if short > 0 and spare > 0:
            moved = min(short, spare)
            self.setSizes([list_width - moved, chart_width + moved])


def _title(action: QAction) -> str:
    """An action's words as the title of its box: "Discharge client", not "&Discharge…"."""
    return action.text().replace("&", "").rstrip("…")


class MainWindow(QMainWindow):
    """Everything after unlock. Holds DTOs only; all database work goes to the runner."""

    clients_loaded = Signal()  # the list shows the vault's clients: the window is usable
    chart_shown = Signal(int)  # a client's chart is drawn (the id, for tests only)
    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        settings: Settings,
        vault_path: Path,
        clinician: ClinicianDTO | None,
        *,
        idle_ms: int | None = None,
        delays: Callable[[int], float] = growing_delay,
    ) -> None:
        super().__init__()
        self.runner = runner
        self.settings = settings
        self.vault_path = vault_path
        self.clinician = clinician
        self._is_locked = False
        self._wanted: int | None = None
        self._chart_in_flight = False
        # What writes changed in the chosen client while its chart was loading.
        self._changes_waiting: Changes | None = None
        self._select_after_reload: int | None = None
        self._restore: tuple[int | None, int, bool] | None = None
        self._dialogs: list[QDialog] = []
        # Open note windows by note id; on lock they are saved and closed, and reopened
        # on unlock.
        self._note_windows: dict[int, Any] = {}
        self._reopen_notes: list[tuple[int, int]] = []
        self._search: SearchWindow | None = None
        self._audit: AuditTrailWindow | None = None
        self._waiting: WaitingWindow | None = None
        self._blank_form: BlankFormDialog | None = None
        # What the right pane says the next time the list hides the chosen client.
        self._hidden_notice = ""
        self.setWindowTitle(window_title(vault_path.name))

        self.client_list = ClientListPanel()
        self.measures = self._build_measures()
        # The Targets, Parts and Reports tabs are built when first shown (or asked for).
        self.chart_view = ChartView(*self.measures, self._build_targets, self._build_parts,
                                    self._build_reports)
        self.chart_view.today = runner.opener.today
        self.splitter = _ListAndChart(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.client_list)
        self.splitter.addWidget(self.chart_view)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.client_list.setMinimumWidth(280)
        self.chart_view.setMinimumWidth(560)
        self.lock_panel = UnlockPanel(runner, settings, vault_path, allow_switch=False,
                                      delays=delays)
        self.notice = VaultNotice()
        self.main_page = QWidget()
        page_layout = QVBoxLayout(self.main_page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(4)
        page_layout.addWidget(self.notice)
        page_layout.addWidget(self.splitter, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.main_page)
        self.stack.addWidget(self.lock_panel)
        self.setCentralWidget(self.stack)

        self.vault_status = QLabel()
        self.statusBar().addPermanentWidget(self.vault_status)
        self.safekeeping = Safekeeping(runner, settings, self, lambda: self.vault_path)
        self._build_actions()
        self._build_menus()
        self._update_status()

        self.client_list.client_selected.connect(self._on_client_selected)
        self.client_list.new_client_requested.connect(self.new_client)
        self.client_list.waiting_requested.connect(self.show_waiting)
        self.chart_view.edit_requested.connect(self.edit_client)
        self.chart_view.status_change_requested.connect(self.change_status)
        self.chart_view.overview.new_course_requested.connect(self.new_course)
        self.chart_view.overview.edit_course_requested.connect(self.edit_course)
        self.chart_view.overview.note_requested.connect(self.open_note)
        self.chart_view.sessions.new_note_requested.connect(self.new_note)
        self.chart_view.sessions.open_note_requested.connect(self.open_note)
        self.chart_view.sessions.write_dose_note_requested.connect(self._write_shown_dose_note)
        self.lock_panel.unlocked.connect(self._on_unlocked)
        self.runner.data_changed.connect(self._on_data_changed)
        self.safekeeping.state_changed.connect(self.notice.show_state)
        self.notice.backup_requested.connect(lambda: self.safekeeping.back_up())
        self.safekeeping.vault_replaced.connect(self._vault_replaced)
        self.safekeeping.restore_requested.connect(self.restore_backup)
        self.runner.vault_lost.connect(lambda: self.lock("lost"))
        self.runner.writable_changed.connect(self._update_status)

        minutes = settings.get(S.IDLE_MINUTES)
        self.idle = IdleWatcher(idle_ms if idle_ms is not None else minutes * 60_000, self)
        self.idle.idle.connect(lambda: self.lock("idle"))
        self._restore_geometry()
        # The vault's state first: whether it can be written is known before any record.
        self.safekeeping.refresh_state()
        self.reload_clients()
        # The Measures tab's charts need matplotlib: load it on the worker while the
        # therapist reads the list and the Overview, not when the tab is first opened.
        self.runner.call(self.runner.opener.prewarm_charts)
        self.idle.resume()

    # -- actions and menus ----------------------------------------------------------------

    def _action(self, text: str, slot: Callable[[], Any], shortcut: str | QKeySequence = "",
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.new_client_action = self._action("&New client…", self.new_client, "Ctrl+N",
                                              "Add a client to the vault")
        self.edit_client_action = self._action("&Edit client…", self.edit_client, "Ctrl+E",
                                               "Edit the selected client's details")
        self.new_note_action = self._action("New &note…", self.new_note, "Ctrl+Shift+N",
                                            "Write a note for the selected client")
        self.new_course_action = self._action("New &course of care…", self.new_course, "",
                                              "Start an intensive or spaced course")
        self.find_action = self._action("&Find client", self.client_list.focus_search,
                                        "Ctrl+F", "Find a client by name or record number")
        self.search_action = self._action("&Search notes…", self.search_notes, "Ctrl+Shift+F",
                                          "Find words in every note, addendum, target and "
                                          "part")
        self.waiting_action = self._action(
            "What &waits…", self.show_waiting, "Ctrl+Shift+W",
            "Each safety follow-up still open, note to write or sign and dose awaiting "
            "integration, across the practice")
        self.audit_action = self._action("Audit &trail…", self.show_audit_trail, "",
                                         "Who did what to which record, and when; and "
                                         "whether the trail's chain still holds")
        self.status_action = self._action("&Discharge client…", self.change_status, "",
                                          "Discharge the selected client, or reactivate a "
                                          "discharged one")
        self.delete_client_action = self._action(
            "Delete cl&ient…", self.delete_client, "",
            "Delete a client added by mistake, while nothing is recorded for them")
        self.settings_action = self._action("&Settings…", self.show_settings, "Ctrl+,")
        self.clinician_action = self._action("Your &details…", self.edit_clinician, "",
                                             "Your name, credentials and licence, as "
                                             "every report prints them")
        self.lock_action = self._action("&Lock", lambda: self.lock("manual"), "Ctrl+L",
                                        "Hide the records and close the vault now")
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q")
        # Lock and quit work from every window of the application, note windows included.
        for action in (self.lock_action, self.quit_action):
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.about_action = self._action(f"&About {APP_NAME}", self.show_about)
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts, "F1",
                                             "Every key the application answers to")
        self.show_discharged_action = QAction("Show &discharged clients", self)
        self.show_discharged_action.setCheckable(True)
        self.show_discharged_action.toggled.connect(self.client_list.show_discharged.setChecked)
        self.client_list.show_discharged.toggled.connect(self.show_discharged_action.setChecked)
        self.tab_actions: list[QAction] = []
        for number, name in enumerate(TAB_NAMES):
            action = self._action(name, partial(self.chart_view.tabs.setCurrentIndex, number),
                                  f"Ctrl+{number + 1}")
            self.tab_actions.append(action)
        tab = self.measures[0]
        self.enter_measure_action = tab.enter_action
        self.custom_measure_action = tab.custom_action
        self.blank_form_action = self._action(
            "&Blank questionnaire…", self.show_blank_form, "",
            "A GAD-7, PHQ-9 or PCL-5 in its own words, for the client to fill in on paper")
        for action in (self.enter_measure_action, self.custom_measure_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        # What works on the client shown: only while one is (and never while locked).
        self._client_actions = (self.edit_client_action, self.status_action,
                                self.delete_client_action, self.new_note_action,
                                self.new_course_action, self.enter_measure_action,
                                *self.tab_actions)
        self._set_client_actions(False)
        # What must not work while locked: everything that shows or changes records.
        self._clinical_actions = [self.new_client_action, self.find_action, self.search_action,
                                  self.waiting_action,
                                  self.custom_measure_action, self.blank_form_action,
                                  self.show_discharged_action, self.audit_action,
                                  self.clinician_action,
                                  *self.safekeeping.actions]

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.new_client_action)
        file_menu.addAction(self.edit_client_action)
        file_menu.addAction(self.status_action)
        file_menu.addAction(self.delete_client_action)
        file_menu.addSeparator()
        file_menu.addAction(self.new_note_action)
        file_menu.addAction(self.new_course_action)
        file_menu.addAction(self.enter_measure_action)
        file_menu.addAction(self.custom_measure_action)
        file_menu.addAction(self.blank_form_action)
        file_menu.addSeparator()
        for action in self.safekeeping.actions:
            file_menu.addAction(action)
        file_menu.addAction(self.audit_action)
        file_menu.addSeparator()
        file_menu.addAction(self.clinician_action)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.quit_action)
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.find_action)
        view_menu.addAction(self.search_action)
        view_menu.addAction(self.waiting_action)
        view_menu.addAction(self.show_discharged_action)
        view_menu.addSeparator()
        for action in self.tab_actions:
            view_menu.addAction(action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

    def _update_status(self) -> None:
        state = "Locked" if self._is_locked else "Unlocked" + (
            " (read-only)" if self.runner.read_only else "")
        self.vault_status.setText(f"Vault: {self.vault_path.name}  ·  {state}")
        self.chart_view.set_writable(not self.runner.read_only)

    # -- geometry (QSettings: sizes only) ------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self.settings.get(S.WINDOW_GEOMETRY)
        if geometry.isEmpty() or not self.restoreGeometry(geometry):
            size = DEFAULT_SIZE
            screen = QGuiApplication.primaryScreen()
            if screen is not None:
                available = screen.availableGeometry().size()
                size = size.boundedTo(available)
            self.resize(size)
        splitter = self.settings.get(S.MAIN_SPLITTER)
        if splitter.isEmpty() or not self.splitter.restoreState(splitter):
            self.default_splitter()

    def default_splitter(self) -> None:
        """The list and the chart side by side as a first start lays them out: on a narrow
        window the chart gets the room, the list under a third of it."""
        width = max(self.client_list.minimumWidth(), min(LIST_WIDTH, self.width() * 28 // 100))
        self.splitter.setSizes([width, max(600, self.width() - width)])

    def save_geometry(self) -> None:
        self.settings.set(S.WINDOW_GEOMETRY, QByteArray(self.saveGeometry()))
        self.settings.set(S.MAIN_SPLITTER, QByteArray(self.splitter.saveState()))
        self.settings.sync()

    # -- clients and charts --------------------------------------------------------------

    @property
    def actor_id(self) -> int | None:
        return self.clinician.id if self.clinician else None

    def reload_clients(self) -> None:
        self.runner.submit(lambda b: b.clients.summaries(include_discharged=True),
                           self._clients_arrived)

    def _clients_arrived(self, clients: list[ClientSummary]) -> None:
        if self._is_locked:
            return
        self.client_list.set_clients(clients)
        self.chart_view.set_no_clients(not clients)
        select, self._select_after_reload = self._select_after_reload, None
        if select is not None and not self.client_list.select_client(select):
            # A new client may be hidden by the filter: clear it so the client shows.
            self.client_list.search.clear()
            self.client_list.select_client(select)
        self.clients_loaded.emit()

    def _set_client_actions(self, enabled: bool) -> None:
        for action in self._client_actions:
            action.setEnabled(enabled)

    def _on_client_selected(self, client_id: int | None) -> None:
        self._wanted = client_id
        self._set_client_actions(False)
        if client_id is None:
            notice, self._hidden_notice = self._hidden_notice, ""
            self.chart_view.show_empty(notice)
            return
        self._hidden_notice = ""
        if not self._chart_in_flight:
            self._load_chart(client_id)

    def _load_chart(self, client_id: int) -> None:
        self._chart_in_flight = True
        self.chart_view.busy.start()
        self.runner.submit(lambda b: b.clients.chart(client_id), self._chart_arrived,
                           self._chart_failed)

    def _chart_arrived(self, chart: ClientChart) -> None:
        self._chart_in_flight = False
        if self._wanted != chart.client.id:
            # The therapist moved on while this one loaded: load only the latest choice.
            if self._wanted is not None:
                self._load_chart(self._wanted)
            return
        shown = self.chart_view.chart
        changes, self._changes_waiting = self._changes_waiting, None
        same = shown is not None and shown.client.id == chart.client.id
        self.chart_view.set_chart(chart, changes if same else None)
        self._set_client_actions(True)
        self.status_action.setText("&Reactivate client…" if chart.client.status == "discharged"
                                   else "&Discharge client…")
        self.chart_shown.emit(chart.client.id)

    def _chart_failed(self, exc: Exception) -> None:
        self._chart_in_flight = False
        self.chart_view.busy.stop()
        if isinstance(exc, NotFoundError):
            self.chart_view.show_empty(str(exc))
            self.reload_clients()
        else:
            report_unexpected(exc)

    def _on_data_changed(self, changes: Changes) -> None:
        """Refresh what a write touched: the list, the chosen client's chart, or nothing
        (an autosaved draft changes neither)."""
        if self._is_locked:
            return
        # The chart the therapist is looking at first, then the list (which reads every
        # client's open follow-ups) behind it on the worker.
        if changes.client_id is None or changes.client_id != self._wanted \
                or not changes.touches(*CHART_KINDS):
            if changes.touches(Kind.PRACTICE) and self.chart_view.chart is not None:
                self.chart_view.practice_changed()
        else:
            waiting = self._changes_waiting
            self._changes_waiting = changes if waiting is None else Changes(
                changes.client_id, waiting.kinds | changes.kinds)
            if not self._chart_in_flight:
                self._load_chart(changes.client_id)
        if changes.touches(Kind.CLIENTS):
            self.reload_clients()

    # -- dialogs --------------------------------------------------------------------------

    def _open_dialog(self, dialog: QDialog) -> None:
        self._dialogs.append(dialog)
        dialog.finished.connect(lambda _r: self._dialogs.remove(dialog)
                                if dialog in self._dialogs else None)
        dialog.open()

    def _refused_read_only(self, title: str) -> bool:
        return refused_read_only(self.runner, self, title)

    def new_client(self) -> None:
        if self._is_locked or self._refused_read_only("New client"):
            return
        dialog = ClientDialog(self.runner, actor_id=self.actor_id, parent=self)
        dialog.accepted.connect(lambda: self._client_added(dialog))
        self._open_dialog(dialog)

    def _client_added(self, dialog: ClientDialog) -> None:
        self.statusBar().showMessage("Client added.", 5000)
        if dialog.saved is not None:  # the list reloads for the new client: show it
            self._select_after_reload = dialog.saved.id

    def edit_client(self) -> None:
        chart = self.chart_view.chart
        if self._is_locked or chart is None or self._refused_read_only("Edit client"):
            return
        dialog = ClientDialog(self.runner, actor_id=self.actor_id, detail=chart.client,
                              parent=self)
        dialog.accepted.connect(lambda: self.statusBar().showMessage("Changes saved.", 5000))
        self._open_dialog(dialog)

    def change_status(self) -> None:
        """Discharge the chosen client (or reactivate a discharged one): date and reason."""
        chart = self.chart_view.chart
        if self._is_locked or chart is None or self._refused_read_only(
                _title(self.status_action)):
            return
        from ui.clients.status_dialog import StatusChangeDialog

        dialog = StatusChangeDialog(self.runner, chart.client, actor_id=self.actor_id,
                                    waiting=self.client_list.waiting_words(
                                        chart.client.id, with_integration=False),
                                    parent=self)
        dialog.accepted.connect(lambda: self._status_changed(dialog))
        self._open_dialog(dialog)

    def _status_changed(self, dialog: Any) -> None:
        client = dialog.saved
        if client is None:
            return
        if client.status == "discharged":
            self.statusBar().showMessage(f"{client.record_number} discharged.", 5000)
            if not self.client_list.show_discharged.isChecked():
                self._hidden_notice = (
                    f"{client.record_number} is discharged, and discharged clients are "
                    "hidden. Tick Show discharged (View menu) to see them.")
        else:
            self.statusBar().showMessage(f"{client.record_number} is active again.", 5000)

    def delete_client(self) -> None:
        """Delete the chosen client, if added by mistake: the backend says first whether
        anything is recorded for them (then nothing is deleted, and the box says what to do
        instead); otherwise the therapist is asked, and the answer defaults to Cancel."""
        chart = self.chart_view.chart
        title = _title(self.delete_client_action)
        if self._is_locked or chart is None or self._refused_read_only(title):
            return
        client = chart.client

        def answered(problem: str | None) -> None:
            if self._is_locked or self._wanted != client.id:
                return
            if problem is not None:
                self._inform(title, problem)
                return
            self._ask_to_delete(client, title)

        self.runner.submit(lambda b: b.clients.deletion_problem(client.id), answered,
                           self._delete_failed, owner=self)

    def _ask_to_delete(self, client: ClientDetail, title: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title,
                          f"Delete {client.name} ({client.record_number})?", parent=self)
        box.setInformativeText(
            "Nothing is recorded for this client yet, so their details can be deleted. The "
            "audit trail keeps that a client was added and deleted, by record number only, "
            f"and {client.record_number} is not given to anyone else. This cannot be undone.")
        delete = box.addButton("Delete client", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        client_id, actor_id = client.id, self.actor_id

        def chosen(_result: int) -> None:
            if box.clickedButton() is not delete or self._is_locked:
                return
            self.runner.submit(lambda b: b.clients.delete(client_id, actor_id=actor_id),
                               lambda done: self.statusBar().showMessage(
                                   f"{done.value} deleted.", 5000),
                               self._delete_failed, owner=self)

        box.finished.connect(chosen)
        self._open_dialog(box)

    def _delete_failed(self, exc: Exception) -> None:
        if not is_refusal(exc):
            report_unexpected(exc)
            return
        self._inform(_title(self.delete_client_action), str(exc))

    def _inform(self, title: str, text: str) -> None:
        """A box that says something, with OK."""
        self._open_dialog(QMessageBox(QMessageBox.Icon.Information, title, text,
                                      QMessageBox.StandardButton.Ok, self))

    # -- search ---------------------------------------------------------------------------

    def search_notes(self) -> None:
        """The search window (Ctrl+Shift+F): words across every note of the vault."""
        if self._is_locked:
            return
        if self._search is None:
            from ui.search.search_window import SearchWindow

            self._search = SearchWindow(self.runner, self)
            self._search.open_note_requested.connect(self.open_note)
            self._search.show_client_requested.connect(self.show_client)
        self._search.start()

    def show_waiting(self) -> None:
        """What waits across the practice (Ctrl+Shift+W, or the line under the list): each
        open safety follow-up, each note to write or sign, each dose awaiting integration."""
        if self._is_locked:
            return
        if self._waiting is None:
            from ui.clients.waiting_window import WaitingWindow

            self._waiting = WaitingWindow(self.runner, self)
            self._waiting.open_note_requested.connect(self.open_note)
            self._waiting.write_dose_note_requested.connect(self.write_dose_note)
            self._waiting.show_client_requested.connect(self._show_followup)
        self._waiting.start()

    def _show_followup(self, client_id: int) -> None:
        """The client's Overview, where an open follow-up shows at the top."""
        self.show_client(client_id)
        self.chart_view.tabs.setCurrentIndex(0)

    def _side_windows(self) -> list[SearchWindow | AuditTrailWindow | WaitingWindow
                                    | BlankFormDialog]:
        """The windows beside the main one: cleared on lock and quit."""
        return [w for w in (self._search, self._audit, self._waiting, self._blank_form)
                if w is not None]

    def show_blank_form(self) -> None:
        """A questionnaire for the client to fill in on paper (File › Blank questionnaire…),
        with the practice's name the reports print above it."""
        if self._is_locked:
            return
        if self._blank_form is None:
            from ui.measures.blank_form import BlankFormDialog

            self._blank_form = BlankFormDialog(self.runner, parent=self)
        self._blank_form.practice = self.settings.get(S.REPORT_PRACTICE)
        self._blank_form.start()

    def show_audit_trail(self) -> None:
        """The audit trail window, on the chosen client's events (the vault's when none)."""
        if self._is_locked:
            return
        from ui.audit.trail_window import AuditTrailWindow, ClientChoice

        if self._audit is None:
            self._audit = AuditTrailWindow(self.runner, self)
            self._audit.document_requested.connect(self._audit_document)
        chart = self.chart_view.chart
        client = None if chart is None else ClientChoice(
            chart.client.id, f"{chart.client.name} · {chart.client.record_number}")
        self._audit.start(client)

    def _audit_document(self, client_id: int, start: dt.date) -> None:
        """The client's chart on the Reports tab, ready to make their audit trail of the
        period the trail window showed (from `start` to today)."""
        today = self.runner.opener.today()

        def prepare(reports: ReportsTab) -> None:
            reports.choose_kind("audit")
            reports.choose_period(start, today)

        self._to_reports(client_id, prepare)

    def _note_copy(self, note_id: int, client_id: int) -> None:
        """The client's chart on the Reports tab, ready to make a copy of the signed note."""
        def prepare(reports: ReportsTab) -> None:
            reports.choose_kind("note")
            reports.choose_note(note_id)

        self._to_reports(client_id, prepare)

    def _to_reports(self, client_id: int, prepare: Callable[[ReportsTab], None]) -> None:
        """The main window forward, on the client's Reports tab, `prepare`d."""
        reports = self.chart_view.reports

        def ready() -> None:
            prepare(reports)
            self.chart_view.tabs.setCurrentWidget(reports)
            self.raise_()
            self.activateWindow()

        shown = self.chart_view.chart
        if shown is not None and shown.client.id == client_id:
            ready()
            return

        # Another client is shown: the period is set once theirs is (a new client's chart
        # sets the tab's own period).
        def arrived(chart_client_id: int) -> None:
            self.chart_shown.disconnect(arrived)
            if chart_client_id == client_id:
                ready()

        self.chart_shown.connect(arrived)
        self.show_client(client_id)

    def show_client(self, client_id: int) -> None:
        """Choose a client in the list and show their chart (the list shows discharged
        clients when that is who was asked for)."""
        if self._is_locked:
            return
        if not self.client_list.select_client(client_id):
            self.client_list.search.clear()
            if not self.client_list.select_client(client_id):
                self.client_list.show_discharged.setChecked(True)
                self.client_list.select_client(client_id)
        self.raise_()
        self.activateWindow()

    # -- measures -------------------------------------------------------------------------

    def _build_measures(self) -> tuple[Any, Any]:
        from ui.measures.measures_tab import MeasuresTab
        from ui.measures.sparklines import MeasureSparklines

        tab = MeasuresTab(self.runner, actor=lambda: self.actor_id)
        sparklines = MeasureSparklines()
        sparklines.instrument_activated.connect(self._show_measure)
        return tab, sparklines

    @property
    def reports(self) -> ReportsTab:
        """The Reports tab (built now if it has not been shown yet)."""
        return self.chart_view.reports

    def _build_reports(self) -> ReportsTab:
        from ui.reports.reports_tab import ReportsTab

        tab = ReportsTab(self.runner, self.settings, actor=lambda: self.actor_id)
        tab.saved.connect(lambda name: self.statusBar().showMessage(f"Report saved: {name}",
                                                                    5000))
        return tab

    # -- targets and parts ----------------------------------------------------------------

    @property
    def targets_tab(self) -> TargetsTab:
        """The Targets tab (built now if it has not been shown yet)."""
        return self.chart_view.targets

    @property
    def parts_tab(self) -> PartsTab:
        """The Parts tab (built now if it has not been shown yet)."""
        return self.chart_view.parts

    def _build_targets(self) -> TargetsTab:
        from ui.targets.targets_tab import TargetsTab

        return TargetsTab(self.runner, actor=lambda: self.actor_id,
                          today=self.runner.opener.today)

    def _build_parts(self) -> PartsTab:
        from ui.parts.parts_tab import PartsTab

        return PartsTab(self.runner, actor=lambda: self.actor_id,
                        today=self.runner.opener.today)

    def show_target(self, target_id: int, client_id: int | None = None) -> None:
        """The Targets tab on one target (of the chosen client, or of `client_id`)."""
        if self._is_locked:
            return
        if client_id is not None and client_id != self._wanted:
            self.targets_tab.select_target(target_id)  # remembered until the chart comes
            self.chart_view.tabs.setCurrentWidget(self.targets_tab)
            if not self.client_list.select_client(client_id):
                self.client_list.search.clear()
                self.client_list.select_client(client_id)
            return
        self.chart_view.show_target(target_id)
        self.raise_()
        self.activateWindow()

    def _show_measure(self, instrument_id: str) -> None:
        tab, _sparklines = self.measures
        self.chart_view.tabs.setCurrentWidget(tab)
        tab.select_instrument(instrument_id)

    # -- notes ----------------------------------------------------------------------------

    def new_course(self) -> None:
        chart = self.chart_view.chart
        if self._is_locked or chart is None or self._refused_read_only("New course of care"):
            return
        dialog = CourseDialog(self.runner, chart.client.id, actor_id=self.actor_id,
                              parent=self)
        dialog.accepted.connect(lambda: self.statusBar().showMessage("Course added.", 5000))
        self._open_dialog(dialog)

    def edit_course(self, course_id: int) -> None:
        """Change a course of care of the client shown (Edit… on its card)."""
        chart = self.chart_view.chart
        if self._is_locked or chart is None or self._refused_read_only("Edit course of care"):
            return
        course = next((c for c in chart.courses if c.id == course_id), None)
        if course is None:
            return
        dialog = CourseDialog(self.runner, chart.client.id, actor_id=self.actor_id,
                              course=course, parent=self)
        dialog.accepted.connect(lambda: self.statusBar().showMessage("Course changed.", 5000))
        self._open_dialog(dialog)

    def new_note(self) -> None:
        chart = self.chart_view.chart
        if self._is_locked or chart is None or self._refused_read_only("New note"):
            return
        from models.clinical.doses import likely_next_note
        from ui.notes.new_note_dialog import NewNoteDialog

        today = self.runner.opener.today()
        likely = likely_next_note(chart.courses, chart.notes, today,
                                  in_care=chart.client.status != "discharged")
        dialog = NewNoteDialog(chart.courses, today=today, template_id=likely,
                               notes=chart.notes, parent=self)
        client_id = chart.client.id
        dialog.accepted.connect(lambda: self._create_note(client_id, dialog.choice()))
        self._open_dialog(dialog)

    def _create_note(self, client_id: int, choice: NewNoteChoice) -> None:
        actor_id = self.actor_id

        def work(backend: Backend) -> Done[NoteDTO]:
            return backend.notes.create(client_id, choice.template_id, author_id=actor_id,
                                        dosing_session_id=choice.dosing_session_id,
                                        session_date=choice.session_date,
                                        carry_forward=choice.carry_forward)

        self.runner.submit(work, lambda done: self.open_note(done.value.id, client_id),
                           self._note_failed)

    def _write_shown_dose_note(self, dosing_session_id: int) -> None:
        chart = self.chart_view.chart
        if chart is not None:
            self.write_dose_note(dosing_session_id, chart.client.id)

    def write_dose_note(self, dosing_session_id: int, client_id: int) -> None:
        """Start the note of a dose on record without one (its row on the Sessions tab, or
        What waits), and open it."""
        if self._is_locked or self._refused_read_only("Write the dosing note"):
            return
        actor_id = self.actor_id

        def work(backend: Backend) -> Done[NoteDTO]:
            # As New note does by default: from the last signed dosing note (the team,
            # the route), each carried field marked until edited.
            return backend.notes.create(client_id, "dosing", author_id=actor_id,
                                        dosing_session_id=dosing_session_id,
                                        carry_forward=True)

        self.runner.submit(work, lambda done: self.open_note(done.value.id, client_id),
                           self._note_failed)

    def _note_failed(self, exc: Exception) -> None:
        if is_refusal(exc):
            self._inform("New note", str(exc))
        else:
            report_unexpected(exc)

    def open_note(self, note_id: int, client_id: int | None = None) -> None:
        """Show the note in its own window (or bring it forward if it is open)."""
        if self._is_locked or self.clinician is None:
            return
        if client_id is None:
            client_id = self._wanted
        window = self._note_windows.get(note_id)
        if window is None:
            from ui.notes.note_window import NoteWindow

            window = NoteWindow(note_id, client_id or 0, self.runner, self.clinician,
                                parent=self)
            self._note_windows[note_id] = window
            window.editor.target_requested.connect(self.show_target)
            window.editor.copy_requested.connect(self._note_copy)
            window.closed.connect(lambda nid: self._note_windows.pop(nid, None))
            window.resize(window.sizeHint().boundedTo(self.size().expandedTo(QSize(900, 700))))
        window.show()
        window.raise_()
        window.activateWindow()

    def _close_note_windows(self) -> list[tuple[int, int]]:
        """Save and close every note window; say which were open."""
        open_notes = [(w.note_id, w.client_id) for w in self._note_windows.values()]
        for window in list(self._note_windows.values()):
            window.close_saving()
        self._note_windows.clear()
        return open_notes

    def show_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        dialog.accepted.connect(
            lambda: self.idle.set_timeout_ms(self.settings.get(S.IDLE_MINUTES) * 60_000))
        self._open_dialog(dialog)

    def edit_clinician(self) -> None:
        """Your details: the name, credentials and licence every report prints."""
        if self._is_locked or self.clinician is None \
                or self._refused_read_only("Your details"):
            return
        from ui.shell.clinician_dialog import ClinicianDialog

        dialog = ClinicianDialog(self.runner, self.clinician, self)
        dialog.saved.connect(self._clinician_saved)
        self._open_dialog(dialog)

    def _clinician_saved(self, clinician: ClinicianDTO) -> None:
        self.clinician = clinician
        self.statusBar().showMessage("Your details are saved.", 5000)

    def show_about(self) -> None:
        show_about(self, self.vault_path.name)

    def show_shortcuts(self) -> QDialog:
        """Help › Keyboard shortcuts: this window's keys read from its own actions."""
        from ui.shell.shortcuts import ShortcutsDialog

        dialog = ShortcutsDialog(self._menu_actions(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _menu_actions(self) -> list[QAction]:
        """The menus' actions, menu by menu, in their order."""
        found: list[QAction] = []
        for menu in self.menuBar().findChildren(QMenu):
            found += [a for a in menu.actions() if not a.isSeparator()]
        return found

    # -- lock -----------------------------------------------------------------------------

    @property
    def is_locked(self) -> bool:
        return self._is_locked

    def lock(self, reason: str = "manual") -> None:
        """Clear and hide every record, close the vault, and ask for the passphrase."""
        if self._is_locked:
            return
        self._is_locked = True
        self.idle.pause()
        self._restore = (self._wanted, self.chart_view.tabs.currentIndex(),
                         self.client_list.show_discharged.isChecked())
        for dialog in list(self._dialogs):
            close_now(dialog)  # what was typed in it is not asked about
        self._dialogs.clear()
        for window in self._side_windows():
            window.clear()
            window.hide()
        # Drafts are saved (queued before the vault closes) and their windows closed.
        self._reopen_notes = self._close_note_windows()
        self.chart_view.flush()  # map moves not sent yet
        self._wanted = None
        self._chart_in_flight = False
        self._changes_waiting = None
        self._select_after_reload = None
        self.client_list.clear()
        self.chart_view.clear()
        self.stack.setCurrentWidget(self.lock_panel)
        self.lock_panel.show_unlock(self.vault_path, locked=True)
        for action in (*self._clinical_actions, *self._client_actions, self.lock_action):
            action.setEnabled(False)
        actor_id = self.actor_id
        if self.runner.running:
            self.runner.close_vault(
                lambda b: b.practice.record_lock(actor_id=actor_id, reason=reason))
        self._update_status()
        self.locked.emit()

    def restore_backup(self) -> None:
        """File › Restore: the note windows are saved and closed first (the vault they
        write to is about to be replaced)."""
        self._close_note_windows()
        self.safekeeping.restore()

    def _vault_replaced(self) -> None:
        """A restored vault: what is on screen came from the one it replaced."""
        self._wanted = None
        self._chart_in_flight = False
        self._changes_waiting = None
        self._set_client_actions(False)
        self.chart_view.clear()
        self.reload_clients()

    def _on_unlocked(self, clinician: ClinicianDTO | None) -> None:
        self.clinician = clinician or self.clinician
        self._is_locked = False
        for action in (*self._clinical_actions, self.lock_action):
            action.setEnabled(True)
        self.stack.setCurrentWidget(self.main_page)
        self._update_status()
        self.safekeeping.refresh_state()
        if self._restore is not None:
            client_id, tab, show_discharged = self._restore
            self._restore = None
            self.client_list.show_discharged.setChecked(show_discharged)
            self.chart_view.tabs.setCurrentIndex(tab)
            self._select_after_reload = client_id
        self.reload_clients()
        self.client_list.view.setFocus()
        for note_id, client_id in self._reopen_notes:
            self.open_note(note_id, client_id)
        self._reopen_notes = []
        self.idle.resume()
        self.unlocked.emit()

    # -- closing --------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_geometry()
        self.idle.detach()
        for dialog in list(self._dialogs):
            close_now(dialog)
        self._close_note_windows()
        self.chart_view.flush()  # map moves not sent yet
        for window in self._side_windows():
            window.clear()
            window.close()
        if not self._is_locked and self.runner.running:
            actor_id = self.actor_id
            self.runner.close_vault(
                lambda b: b.practice.record_lock(actor_id=actor_id, reason="quit"))
        self.client_list.clear()
        self.chart_view.clear()
        super().closeEvent(event)

