"""File › Back up, Restore, Change passphrase, Export and Verify, with the real worker."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from models.errors import WrongPassphraseError
from models.inputs import ClientInput
from models.vault import open_vault
from tests.ui.conftest import DEMO_PASSPHRASE
from ui.shell.main_window import MainWindow
from ui.shell.tasks import TaskRunner

NEW_PASSPHRASE = "a brand new passphrase for the demo"


def _message(qtbot: QtBot, window: MainWindow) -> QMessageBox:
    """The message the action ends with (after its work on the worker)."""
    qtbot.waitUntil(lambda: window.safekeeping.last_message is not None, timeout=30_000)
    box = window.safekeeping.last_message
    assert box is not None
    window.safekeeping.last_message = None
    return box


def _client_names(worker: Any) -> set[str]:
    return {c.name for c in worker.run(lambda b: b.clients.summaries())}


def test_a_vault_never_backed_up_says_so_and_a_backup_quiets_it(
        qtbot: QtBot, main_window: MainWindow, tmp_path: Path) -> None:
    notice = main_window.notice
    qtbot.waitUntil(notice.isVisible, timeout=10_000)
    assert "No backup of this vault yet" in notice.text.text()
    assert notice.backup_button.isVisible()
    folder = tmp_path / "backups"
    folder.mkdir()
    main_window.safekeeping.back_up(folder)
    box = _message(qtbot, main_window)
    assert box.windowTitle() == "Backup made" and "checked" in box.text()
    (made,) = list(folder.glob("*.iwbackup"))
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert open_vault(made, DEMO_PASSPHRASE).problems == ()
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=10_000)


def test_a_new_passphrase_replaces_the_old_and_the_window_goes_on(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    names = _client_names(worker)
    main_window.safekeeping.change_passphrase(DEMO_PASSPHRASE, NEW_PASSPHRASE)
    box = _message(qtbot, main_window)
    assert box.windowTitle() == "Passphrase changed", box.text()
    assert _client_names(worker) == names  # reopened with the new one, on the worker
    assert not main_window.is_locked
    with pytest.raises(WrongPassphraseError):
        open_vault(main_window.vault_path, DEMO_PASSPHRASE)
    open_vault(main_window.vault_path, NEW_PASSPHRASE).close()


def test_a_wrong_current_passphrase_changes_and_closes_nothing(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    main_window.safekeeping.change_passphrase("not the passphrase", NEW_PASSPHRASE)
    box = _message(qtbot, main_window)
    assert box.icon() == QMessageBox.Icon.Warning
    assert "passphrase" in box.text().lower()
    assert _client_names(worker)  # still open
    assert not main_window.is_locked
    open_vault(main_window.vault_path, DEMO_PASSPHRASE).close()


def test_a_restore_brings_back_the_vault_as_it_was(
        qtbot: QtBot, main_window: MainWindow, worker: Any, tmp_path: Path,
        runner: TaskRunner) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    main_window.safekeeping.back_up(folder)
    _message(qtbot, main_window)
    (backup,) = list(folder.glob("*.iwbackup"))
    worker.run(lambda b: b.clients.create(ClientInput(name="Written After The Backup"),
                                          actor_id=None))
    assert "Written After The Backup" in _client_names(worker)
    with qtbot.waitSignal(main_window.clients_loaded, timeout=30_000):
        main_window.safekeeping.restore(backup, DEMO_PASSPHRASE)
    box = _message(qtbot, main_window)
    assert box.windowTitle() == "Restored", box.text()
    assert "Written After The Backup" not in _client_names(worker)
    kept = list(main_window.vault_path.parent.glob("*.before-restore-*"))
    assert kept, "the vault as it was is kept beside it"


def test_an_export_warns_that_it_is_not_encrypted(
        qtbot: QtBot, main_window: MainWindow, tmp_path: Path) -> None:
    main_window.safekeeping.export(tmp_path, include_private=False)
    box = _message(qtbot, main_window)
    assert "NOT encrypted" in box.text()
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert (folder / "practice.json").exists()


def test_verify_reports_a_sound_vault(qtbot: QtBot, main_window: MainWindow) -> None:
    main_window.safekeeping.verify()
    box = _message(qtbot, main_window)
    assert box.windowTitle() == "The vault is sound"
    # What was checked is shown, as wide as its lines (under Show Details it was squeezed
    # into a box sized for "Every check passed.").
    assert "✓ audit chain" in box.informativeText() and not box.detailedText()
    qtbot.waitExposed(box)
    assert box.width() > 380


def test_the_notice_says_the_most_serious_thing_first() -> None:
    import datetime as dt

    from models.dto import VaultState
    from ui.shell.safekeeping import notice_lines

    state = VaultState(read_only=True, read_only_reason="The folder cannot be written.",
                       problems=("page 3 failed its HMAC check",),
                       sync_warning="The vault is in a Dropbox folder.",
                       last_backup_at=dt.datetime(2026, 10, 1, 9, 0), backup_due=True)
    lines = notice_lines(state)
    assert lines[0].startswith("⚠ The checks made on opening found problems: page 3")
    assert "open read-only: The folder cannot be written." in lines[1]
    assert "Dropbox" in lines[2]
    assert len(lines) == 3, "no backup reminder for a damaged vault: backing it up is refused"
    fine = VaultState(False, "", (), None, None, True)
    assert notice_lines(fine) == ["No backup of this vault yet."]
