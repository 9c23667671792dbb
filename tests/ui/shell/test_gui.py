"""Start-up as a person meets it: run_gui opens the unlock window, then the main window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ui.clients.client_dialog import ClientDialog
from ui.shell.main_window import MainWindow
from ui.shell.unlock.panel import UnlockPanel
from workstation.gui import run_gui

DEMO_PASSPHRASE = "demo vault passphrase"


@pytest.fixture
def user_settings_in(tmp_path: Path) -> Path:
    """Point the per-user QSettings file at a temporary folder for this test."""
    folder = tmp_path / "config"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    return folder


def _top_level(kind: type, earlier: set[Any] | None = None) -> Any:
    """The visible window of `kind`, leaving out those in `earlier` (left open by an
    earlier test: they are not the application run_gui starts)."""
    found = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, kind) and w.isVisible() and w not in (earlier or set())]
    return found[0] if found else None


def test_run_gui_unlocks_into_the_main_window_and_quits(
        qtbot: QtBot, demo_vault: Path, user_settings_in: Path) -> None:
    seen: dict[str, Any] = {}
    earlier = set(QApplication.topLevelWidgets())

    def step() -> None:
        unlock = _top_level(UnlockPanel, earlier)
        main = _top_level(MainWindow, earlier)
        if unlock is not None and "unlock" not in seen:
            seen["unlock"] = unlock.windowTitle()
            unlock.unlock_page.passphrase.setText(DEMO_PASSPHRASE)
            unlock.unlock_page.unlock.click()
        elif main is not None and main.client_list.model.rowCount():
            seen["clients"] = main.client_list.model.rowCount()
            seen["title"] = main.windowTitle()
            main.close()
            return
        QTimer.singleShot(20, step)

    QTimer.singleShot(0, step)
    assert run_gui(["--vault", str(demo_vault)]) == 0
    # The application's name last: Qt adds it to a title that does not end with it, and
    # a title that began with it read "Integration Workstation — practice.iwvault —
    # Integration Workstation" in a real window.
    assert seen == {"unlock": "practice.iwvault — Integration Workstation", "clients": 8,
                    "title": "practice.iwvault — Integration Workstation"}
    ini = next(user_settings_in.rglob("*.ini")).read_text(encoding="utf-8")
    assert "practice.iwvault" in ini  # the last vault, so the next start asks only for it


def test_lock_closes_an_open_dialog(qtbot: QtBot, main_window: MainWindow) -> None:
    main_window.new_client()
    dialog = main_window.findChild(ClientDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.set_text("name", "Typed but not saved")
    main_window.lock("idle")
    assert not dialog.isVisible()
    assert main_window.is_locked


def test_a_damaged_template_stops_start_up_naming_file_and_line(
        qtbot: QtBot, tmp_path: Path, user_settings_in: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    import models.templates.loading as loading

    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "emdr.toml").write_text('id = "emdr"\nversion = 1\ntitle = [unclosed\n')
    monkeypatch.setattr(loading, "load_templates",
                        lambda directory=None: loading._load_directory(broken))
    shown: list[str] = []

    def answer() -> None:
        box = _top_level(QMessageBox)
        if box is None:
            QTimer.singleShot(20, answer)
            return
        shown.append(box.text())
        box.accept()

    QTimer.singleShot(0, answer)
    assert run_gui([]) == 1
    assert shown and "emdr.toml" in shown[0] and "line 3" in shown[0]


def test_a_dark_system_theme_leaves_the_windows_light_and_their_text_dark(
        qtbot: QtBot, main_window: MainWindow) -> None:
    """The stylesheet, charts and map are drawn for a light page. A dark system palette
    put its light text on them: the client list's names, the backup notice and the
    status line could not be read."""
    from PySide6.QtGui import QColor, QPalette

    from workstation.gui import application

    Role = QPalette.ColorRole
    dark = QPalette(QColor("#353535"), QColor("#2d2d2d"))  # button, window: a dark theme
    dark.setColor(Role.WindowText, QColor("#f0f0f0"))
    dark.setColor(Role.Text, QColor("#f0f0f0"))
    dark.setColor(Role.Base, QColor("#1e1e1e"))
    QApplication.setPalette(dark)  # as a dark platform theme gives it
    assert QApplication.palette().color(Role.Text).lightness() > 200
    application()  # start-up, on that system
    names = main_window.client_list.view
    for widget in (names, names.viewport(), main_window.statusBar()):
        colours = widget.palette()
        assert colours.color(Role.Text).lightness() < 60, widget
        assert colours.color(Role.WindowText).lightness() < 60, widget
        assert colours.color(Role.Base).lightness() > 230, widget
        assert colours.color(Role.Window).lightness() > 200, widget


@pytest.mark.parametrize("ending", ["SIGTERM", "SIGINT"])
def test_a_signal_to_end_quits_as_quit_does_and_keeps_the_draft_being_typed(
        qtbot: QtBot, demo_vault: Path, user_settings_in: Path, ending: str) -> None:
    """A shutdown (SIGTERM) or Ctrl+C in the terminal (SIGINT) ended the application at
    once: what was typed since the last autosave (up to 30 s) was lost, and the lock was
    not recorded. It now ends as File › Quit does."""
    import os
    import signal

    from models.backend import open_backend
    from ui.notes.new_note_dialog import NewNoteDialog
    from ui.notes.note_window import NoteWindow

    seen: dict[str, Any] = {}
    earlier = set(QApplication.topLevelWidgets())

    def step() -> None:
        unlock, main = _top_level(UnlockPanel, earlier), _top_level(MainWindow, earlier)
        note = _top_level(NoteWindow, earlier)
        if unlock is not None and "unlock" not in seen:
            seen["unlock"] = True
            unlock.unlock_page.passphrase.setText(DEMO_PASSPHRASE)
            unlock.unlock_page.unlock.click()
        elif note is not None and note.editor.form is not None and "note" not in seen:
            assert note.editor.form.focus_field("data")
            focused = QApplication.focusWidget()
            assert focused is not None
            focused.insertPlainText("Typed a moment before the shutdown.")  # type: ignore[attr-defined]
            seen["note"] = note.note_id
            os.kill(os.getpid(), getattr(signal, ending))
            return  # the application ends: nothing more to do
        elif (main is not None and main.client_list.model.rowCount() and "client" not in seen):
            seen["client"] = True
            main.client_list.view.selectRow(0)
        elif main is not None and main.chart_view.chart is not None and "new" not in seen:
            seen["new"] = True
            main.new_note_action.trigger()
            dialog = next(d for d in main.findChildren(NewNoteDialog) if d.isVisible())
            dialog.template_buttons["general"].setChecked(True)
            dialog.accept()
        QTimer.singleShot(20, step)

    before = signal.getsignal(getattr(signal, ending))
    QTimer.singleShot(0, step)
    assert run_gui(["--vault", str(demo_vault)]) == 0
    assert signal.getsignal(getattr(signal, ending)) is before  # given back as it was
    backend = open_backend(demo_vault, DEMO_PASSPHRASE)
    try:
        draft = backend.notes.get(seen["note"])
        assert draft.content["data"] == "Typed a moment before the shutdown."
        locks = [e.detail for e in backend.audit.events() if e.action == "vault.lock"]
        assert locks[-1] == "reason=quit"
    finally:
        backend.close()
    ini = next(user_settings_in.rglob("*.ini")).read_text(encoding="utf-8")
    assert "geometry" in ini  # the window's size, kept for the next start
