"""Creating a vault, unlocking one, and what a wrong passphrase or a wrong file does."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from models.inputs import passphrase_problem
from ui.shell import settings as S
from ui.shell.settings import Settings
from ui.shell.tasks import TaskRunner
from ui.shell.unlock.panel import UnlockPanel
from ui.shell.unlock.passphrase import growing_delay, passphrase_strength

DEMO_PASSPHRASE = "demo vault passphrase"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _audit_actions(worker: Any) -> list[tuple[str, str]]:
    return [(e.action, e.detail) for e in worker.run(lambda b: b.audit.events())]


@pytest.fixture
def panel_for(qtbot: QtBot, runner: TaskRunner, settings: Settings) -> Any:
    def make(path: Path | None, **kw: Any) -> UnlockPanel:
        panel = UnlockPanel(runner, settings, path, **kw)
        qtbot.addWidget(panel)
        panel.show()
        return panel
    return make


def test_first_start_offers_a_choice_and_creates_a_vault(
        qtbot: QtBot, panel_for: Any, settings: Settings, tmp_path: Path, worker: Any) -> None:
    panel = panel_for(None)
    assert panel.stack.currentWidget() is panel.chooser
    qtbot.mouseClick(panel.chooser.create_button, Qt.MouseButton.LeftButton)
    page = panel.create_page
    assert panel.stack.currentWidget() is page
    path = tmp_path / "my-practice.iwvault"
    page.location.setText(str(path))
    qtbot.keyClicks(page.passphrase, "river otter lantern 42")
    assert "Strong" in page.strength.text() or "Good" in page.strength.text()
    qtbot.keyClicks(page.confirm, "river otter lantern 42")
    qtbot.keyClicks(page.clinician, "Dr. Test Clinician")
    qtbot.keyClicks(page.credentials, "PsyD")
    with qtbot.waitSignal(panel.unlocked, timeout=10_000) as blocker:
        qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    clinician = blocker.args[0]
    assert clinician.name == "Dr. Test Clinician" and clinician.credentials == "PsyD"
    assert path.exists()
    assert settings.get(S.LAST_VAULT) == str(path)
    assert page.passphrase.text() == "" and page.confirm.text() == ""
    assert ("vault.unlock", "") in _audit_actions(worker)


def test_create_page_explains_what_is_missing_and_creates_nothing(
        qtbot: QtBot, panel_for: Any, tmp_path: Path) -> None:
    panel = panel_for(None)
    panel.show_create()
    page = panel.create_page
    path = tmp_path / "never.iwvault"
    page.location.setText(str(path))
    qtbot.keyClicks(page.passphrase, "short")
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    assert page.errors["passphrase"].isVisible()
    assert "at least 10" in page.errors["passphrase"].text()
    assert page.errors["clinician"].isVisible()
    page.passphrase.setText("a long enough passphrase")
    page.confirm.setText("a different passphrase!")
    page.clinician.setText("Dr. Test")
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    assert not page.errors["passphrase"].isVisible()
    assert "differ" in page.errors["confirm"].text()
    assert not path.exists()


def test_create_page_refuses_a_place_where_an_earlier_vault_left_its_changes(
        qtbot: QtBot, panel_for: Any, tmp_path: Path) -> None:
    panel = panel_for(None)
    panel.resize(1024, 720)
    panel.show_create()
    page = panel.create_page
    wal = tmp_path / "practice.iwvault-wal"
    wal.write_bytes(b"\x37\x7f\x06\x82" + bytes(4092))  # left by a vault since deleted
    page.location.setText(str(tmp_path / "practice"))  # the suffix is added on creating
    page.passphrase.setText("a long enough passphrase")
    page.confirm.setText("a long enough passphrase")
    page.clinician.setText("Dr. Test")
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    error = page.errors["location"]
    assert error.isVisible()
    assert error.text().startswith("An earlier vault called practice.iwvault was not closed "
                                   "properly and left its last changes here, in "
                                   "practice.iwvault-wal.")
    qtbot.waitUntil(lambda: error.height() >= error.heightForWidth(error.width()),
                    timeout=2_000)  # every line shows, once laid out
    assert not (tmp_path / "practice.iwvault").exists() and wal.exists()
    wal.unlink()
    with qtbot.waitSignal(panel.unlocked, timeout=10_000):
        qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "practice.iwvault").exists()


def test_later_starts_go_straight_to_the_passphrase(
        qtbot: QtBot, panel_for: Any, demo_vault: Path, settings: Settings) -> None:
    panel = panel_for(demo_vault)
    assert panel.stack.currentWidget() is panel.unlock_page
    assert demo_vault.name in panel.windowTitle()
    page = panel.unlock_page
    assert page.passphrase.echoMode() == page.passphrase.EchoMode.Password
    qtbot.keyClicks(page.passphrase, DEMO_PASSPHRASE)
    with qtbot.waitSignal(panel.unlocked, timeout=10_000) as blocker:
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    assert blocker.args[0] is not None  # the demo clinician
    assert settings.get(S.LAST_VAULT) == str(demo_vault)


def test_a_vanished_last_vault_is_explained_on_the_chooser(
        panel_for: Any, tmp_path: Path) -> None:
    panel = panel_for(tmp_path / "moved.iwvault")
    assert panel.stack.currentWidget() is panel.chooser
    assert panel.chooser.notice.isVisible()
    assert "moved.iwvault" in panel.chooser.notice.text()


def test_wrong_passphrase_clears_the_field_delays_and_is_audited(
        qtbot: QtBot, panel_for: Any, demo_vault: Path, worker: Any) -> None:
    before = _digest(demo_vault)
    panel = panel_for(demo_vault, delays=lambda n: 0.4 if n >= 3 else 0.0)
    page = panel.unlock_page
    for attempt in range(1, 4):
        page.passphrase.setText(f"wrong guess {attempt}")
        qtbot.mouseClick(page.unlock, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda a=attempt: panel.failures == a, timeout=10_000)
        assert page.passphrase.text() == ""
        assert page.passphrase.hasFocus()
        assert "passphrase does not open" in page.message.text()
    # After the third failure the next try must wait, with a countdown.
    assert not page.unlock.isEnabled()
    assert "try again in 1 s" in page.message.text()
    page.passphrase.setText(DEMO_PASSPHRASE)
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)  # ignored while waiting
    assert panel.failures == 3 and page.passphrase.text() == DEMO_PASSPHRASE
    qtbot.waitUntil(page.unlock.isEnabled, timeout=10_000)
    assert _digest(demo_vault) == before  # a failed unlock changes nothing
    with qtbot.waitSignal(panel.unlocked, timeout=10_000):
        qtbot.mouseClick(page.unlock, Qt.MouseButton.LeftButton)
    assert panel.failures == 0
    actions = _audit_actions(worker)
    assert actions[-2:] == [("vault.unlock_failed", "attempts=3"), ("vault.unlock", "")]


def test_a_vault_open_in_another_window_is_not_unlocked_in_a_second(
        qtbot: QtBot, panel_for: Any, demo_vault: Path) -> None:
    """Two windows on one vault would each save their copy of a draft over the other's."""
    import subprocess
    import sys
    import textwrap

    keep_open = textwrap.dedent("""
        import sys, time
        from models.vault import open_vault
        vault = open_vault(sys.argv[1], sys.argv[2])
        with vault.session() as s:
            s.connection().exec_driver_sql("SELECT count(*) FROM client").fetchall()
        print("open", flush=True)
        sys.stdin.readline()  # until the test is done with it
    """)
    other = subprocess.Popen([sys.executable, "-c", keep_open, str(demo_vault),
                              DEMO_PASSPHRASE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "open"
        panel = panel_for(demo_vault)
        page = panel.unlock_page
        page.passphrase.setText(DEMO_PASSPHRASE)
        qtbot.mouseClick(page.unlock, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "already open in another window" in page.message.text(),
                        timeout=10_000)
        assert panel.failures == 0 and page.unlock.isEnabled()  # not a wrong passphrase
    finally:
        other.communicate("done\n", timeout=30)
    page.passphrase.setText(DEMO_PASSPHRASE)
    with qtbot.waitSignal(panel.unlocked, timeout=10_000):  # the other window is closed
        qtbot.mouseClick(page.unlock, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize("content, expected", [
    (b"These are not records.\n" * 300, "is not an Integration Workstation vault"),
    (b"", "too short to be a vault"),
])
def test_a_file_that_is_not_a_vault_says_so_without_a_delay(
        qtbot: QtBot, panel_for: Any, tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "notes.iwvault"
    path.write_bytes(content)
    panel = panel_for(path)
    page = panel.unlock_page
    page.passphrase.setText("any passphrase")
    qtbot.mouseClick(page.unlock, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: expected in page.message.text(), timeout=10_000)
    assert panel.failures == 0 and page.unlock.isEnabled()
    assert path.read_bytes() == content
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("notes.iwvault-")]


def test_delays_grow_and_stop_at_thirty_seconds() -> None:
    assert [growing_delay(n) for n in range(1, 10)] == [0, 0, 1, 2, 4, 8, 16, 30, 30]


def test_strength_hint_rewards_length() -> None:
    assert passphrase_strength("")[0] == 0
    assert passphrase_strength("abc")[1].startswith("Too short")
    assert passphrase_strength("aaaaaaaaaaaa")[0] == 1
    assert passphrase_strength("correct horse battery staple")[0] >= 3


def test_create_page_messages_follow_their_fields_and_enter_creates_from_credentials(
        qtbot: QtBot, panel_for: Any, tmp_path: Path) -> None:
    panel = panel_for(None)
    panel.show_create()
    page = panel.create_page
    page.location.setText(str(tmp_path / "typed.iwvault"))
    qtbot.keyClicks(page.passphrase, "short")
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)  # Enter tries to create: says why not
    assert page.errors["passphrase"].isVisible()
    assert page.errors["passphrase"].text() == passphrase_problem("short")
    assert page.errors["clinician"].text().startswith("Your name is required")
    qtbot.keyClicks(page.passphrase, " otter lantern river")
    assert "Strong" in page.strength.text() or "Good" in page.strength.text()
    assert not page.errors["passphrase"].isVisible()  # gone once it is long enough
    qtbot.keyClicks(page.clinician, "Dr. Test")
    assert not page.errors["clinician"].isVisible()  # gone as the name is typed
    # A second passphrase that differs is said as it is typed, not only on Create.
    qtbot.keyClicks(page.confirm, "short otter")
    assert not page.errors["confirm"].isVisible()  # so far it matches
    qtbot.keyClicks(page.confirm, " lamp")
    assert page.errors["confirm"].text() == "The two passphrases differ. Type it again."
    page.confirm.clear()
    qtbot.keyClicks(page.confirm, "short otter lantern river")
    assert not page.errors["confirm"].isVisible()
    qtbot.keyClicks(page.credentials, "PsyD")
    with qtbot.waitSignal(panel.unlocked, timeout=10_000):
        qtbot.keyClick(page.credentials, Qt.Key.Key_Return)
    assert (tmp_path / "typed.iwvault").exists()
