"""File › Audit trail…: the chosen client's events in words or the whole vault's, a period,
a filter, a chain that no longer holds said plainly, and nothing left on screen on lock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pytestqt.qtbot import QtBot
from sqlalchemy import text

from models.inputs import AddendumInput
from ui.audit.trail_window import PERIODS, AuditTrailModel, AuditTrailWindow
from ui.shell.main_window import MainWindow
from ui.shell.tasks import TaskRunner


def _client_with_signed_note(main_window: MainWindow, worker: Any) -> tuple[int, str]:
    def find(b: Any) -> tuple[int, str, int]:
        for summary in b.clients.summaries():
            notes = [n for n in b.clients.chart(summary.id).notes if n.status == "signed"]
            if notes:
                return summary.id, summary.record_number, notes[0].id
        raise AssertionError("the demo vault has a signed note")
    client_id, number, _note_id = worker.run(find)
    return client_id, number


def _open(qtbot: QtBot, window: MainWindow) -> AuditTrailWindow:
    with qtbot.waitSignal(window.audit_action.triggered, timeout=5_000):
        window.audit_action.trigger()
    trail = window._audit
    assert trail is not None
    qtbot.waitUntil(lambda: trail.model.rowCount() > 0, timeout=10_000)
    return trail


def _column(trail: AuditTrailWindow, column: int) -> list[str]:
    return [trail.proxy.index(row, column).data() for row in range(trail.proxy.rowCount())]


def test_the_chosen_clients_events_in_words_newest_first(
        qtbot: QtBot, main_window: MainWindow, worker: Any, qtmodeltester: Any) -> None:
    client_id, number = _client_with_signed_note(main_window, worker)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        assert main_window.client_list.select_client(client_id)
    trail = _open(qtbot, main_window)
    assert trail.isVisible() and trail.windowTitle() == "Audit trail"
    assert trail.scope.currentText().endswith(number)  # the client shown, to start with
    assert trail.view.isColumnHidden(AuditTrailModel.CLIENT)
    qtmodeltester.check(trail.model)
    qtmodeltester.check(trail.proxy)
    whats = _column(trail, AuditTrailModel.WHAT)
    assert "Note signed and locked" in whats and "Note started (draft)" in whats
    ids = [trail.model.entry_at(trail.proxy.mapToSource(trail.proxy.index(r, 0)).row()).id
           for r in range(trail.proxy.rowCount())]
    assert ids == sorted(ids, reverse=True)
    assert {trail.model.entry_at(r).record_number for r in range(trail.model.rowCount())} \
        == {number}
    assert "The audit chain holds" in trail.chain.text()
    assert f"{trail.model.rowCount()} events, newest first." in trail.status.text()
    # The whole vault: the vault's own events too, and each row names its client.
    with qtbot.waitSignal(trail.shown_trail, timeout=10_000):
        trail.scope.setCurrentIndex(0)
        trail.scope.activated.emit(0)
    assert not trail.view.isColumnHidden(AuditTrailModel.CLIENT)
    assert _column(trail, AuditTrailModel.WHAT)[-1] == "Clinician added"
    assert len({trail.model.entry_at(r).record_number
                for r in range(trail.model.rowCount())} - {""}) > 1


def test_a_clients_trail_becomes_a_document_on_the_reports_tab(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    client_id, _number = _client_with_signed_note(main_window, worker)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        assert main_window.client_list.select_client(client_id)
    trail = _open(qtbot, main_window)
    assert trail.document.isVisible()
    with qtbot.waitSignal(trail.shown_trail, timeout=10_000):
        trail.choose(period=[label for label, _ in PERIODS].index("Last 30 days"))
    trail.document.click()
    reports = main_window.chart_view.reports
    today = main_window.runner.opener.today()
    assert main_window.chart_view.tabs.currentWidget() is reports
    assert reports.kind.currentData() == "audit"
    assert reports.chart is not None and reports.chart.client.id == client_id
    # The document covers the period the window showed.
    assert reports.options().start == today - dt.timedelta(days=29)
    assert reports.options().end == today
    # Another client shown meanwhile: the trail's client comes back, with that period.
    other = next(main_window.client_list.model.row_at(r).id
                 for r in range(main_window.client_list.model.rowCount())
                 if main_window.client_list.model.row_at(r).id != client_id)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        main_window.client_list.select_client(other)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        trail.document.click()
    qtbot.waitUntil(lambda: reports.chart is not None and reports.chart.client.id == client_id,
                    timeout=5_000)
    assert reports.kind.currentData() == "audit"
    assert reports.options().start == today - dt.timedelta(days=29)
    trail.choose(scope=0)  # the whole vault is no one client's document
    assert not trail.document.isVisible()


def test_a_write_shows_in_the_open_trail_and_the_filter_narrows_it(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    client_id, _number = _client_with_signed_note(main_window, worker)
    with qtbot.waitSignal(main_window.chart_shown, timeout=10_000):
        assert main_window.client_list.select_client(client_id)
    trail = _open(qtbot, main_window)
    before = trail.model.rowCount()
    note_id = next(n.id for n in main_window.chart_view.chart.notes if n.status == "signed")
    # An addendum written through the runner, as the note window writes it: the trail
    # open beside it reads itself again.
    with qtbot.waitSignal(trail.shown_trail, timeout=10_000):
        main_window.runner.submit(lambda b: b.notes.add_addendum(
            note_id, AddendumInput("late_entry", "Remembered later", "She called after."),
            author_id=None))
    assert trail.model.rowCount() == before + 1
    newest = trail.proxy.index(0, AuditTrailModel.WHAT).data()
    assert newest == "Addendum signed"
    assert trail.proxy.index(0, AuditTrailModel.RECORD).data().startswith("Late entry to the ")
    late = [r for r in range(trail.model.rowCount())
            if "late entry" in trail.model.entry_at(r).record.lower()]
    qtbot.keyClicks(trail.filter, "ENTRY late")  # any case, any order
    assert 1 <= trail.proxy.rowCount() == len(late) < before
    assert f"{len(late)} of {before + 1} events match the filter" in trail.status.text()
    trail.filter.clear()
    assert trail.proxy.rowCount() == before + 1
    # A draft started is an event; its words saved as they are typed are not.
    drafts: list[Any] = []
    with qtbot.waitSignal(trail.shown_trail, timeout=10_000):
        main_window.runner.submit(lambda b: b.notes.create(client_id, "general",
                                                           author_id=None),
                                  lambda done: drafts.append(done.value))
    assert trail.proxy.index(0, AuditTrailModel.WHAT).data() == "Note started (draft)"
    with qtbot.assertNotEmitted(trail.shown_trail, wait=1_500):
        main_window.runner.submit(lambda b: b.notes.save_draft(
            drafts[0].id, {**drafts[0].content, "data": "Typed words."}))


def test_a_period_with_nothing_in_it_says_so(qtbot: QtBot, main_window: MainWindow,
                                             worker: Any, monkeypatch: Any) -> None:
    trail = _open(qtbot, main_window)
    # Tomorrow's clock: "Today" holds nothing yet (the demo was written today, in real time).
    opener = main_window.runner.opener
    real_today = opener.today()
    monkeypatch.setattr(opener, "today", lambda: real_today.fromordinal(
        real_today.toordinal() + 400))
    with qtbot.waitSignal(trail.shown_trail, timeout=10_000):
        index = [label for label, _ in PERIODS].index("Today")
        trail.period.setCurrentIndex(index)
        trail.period.activated.emit(index)
    assert trail.model.rowCount() == 0
    assert trail.status.text() == "No event in this period."


def test_a_chain_that_no_longer_holds_is_said_plainly(
        qtbot: QtBot, main_window: MainWindow, worker: Any) -> None:
    def tamper(b: Any) -> None:
        with b.vault.transaction() as session:
            session.execute(text("DROP TRIGGER trg_audit_event_no_update"))
            session.execute(text("UPDATE audit_event SET detail = 'x' WHERE id = 3"))
    worker.run(tamper)
    trail = _open(qtbot, main_window)
    assert trail.chain.property("role") == "error"
    assert "does not hold" in trail.chain.text() and "event 3" in trail.chain.text()
    assert "Verify the vault" in trail.chain.text()


def test_lock_clears_the_trail_and_it_cannot_be_opened_locked(
        qtbot: QtBot, main_window: MainWindow, runner: TaskRunner) -> None:
    trail = _open(qtbot, main_window)
    with qtbot.waitSignal(runner.vault_closed, timeout=10_000):
        main_window.lock("manual")
    assert not trail.isVisible()
    assert trail.model.rowCount() == 0 and trail.scope.count() == 0
    assert not main_window.audit_action.isEnabled()
