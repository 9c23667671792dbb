"""The Measures tab: keyboard entry with safety flags, tables, change summary and charts."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import pytest
from matplotlib.figure import Figure
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from models.api import Backend, Changes, Kind
from models.backend import Backend as RealBackend
from models.dto import ClientChart
from models.entities import SelfEnergyRating
from models.formatting import date_text
from models.inputs import (
    INDEX_EVENT_NEEDED,
    ClientInput,
    CourseInput,
    CustomMeasureInput,
    DosingInput,
    MeasureInput,
)
from models.instruments.definitions import Charting
from models.services import care
from models.vault import create_vault
from reports.charts import dose_line_days, find_artists
from tests.conftest import TODAY
from ui.measures.custom_dialog import CustomMeasureDialog
from ui.measures.entry_dialog import MeasureEntryDialog
from ui.measures.item_models import (
    DISSOCIATION_KEY,
    KEY_ROLE,
    AdministrationTableModel,
    DissociationTableModel,
)
from ui.measures.item_rows import NumberItemRow
from ui.measures.measures_tab import MeasuresTab
from ui.measures.sparklines import MeasureSparklines
from ui.shell.tasks import TaskRunner

POINT_GIDS = ("point-baseline", "point-improved", "point-deteriorated", "point-no-change",
              "point-no-rule")
SELF_ENERGY = "Self-energy (IFS): a clinician's rating, not a validated measure"


# --------------------------------------------------------------------------------------
# Helpers: a real vault on the task runner's worker, a client, measures through services
# --------------------------------------------------------------------------------------


class Vault:
    """The open vault, driven through the real task runner."""

    def __init__(self, worker: Any) -> None:
        self.worker = worker

    def client(self, name: str = "Measure Example") -> int:
        return int(self.worker.run(
            lambda b: b.clients.create(ClientInput(name=name), actor_id=None).value.id))

    def record(self, client_id: int, instrument: str, day: dt.date, answers: Mapping[int, int],
               relation: str = "integration", dose: int | None = None) -> None:
        # Set-up records measures days apart on purpose: each repeat is confirmed.
        data = MeasureInput(instrument, day, relation, dict(answers), dose,
                            index_event="The accident" if instrument == "pcl5" else "",
                            repeat_confirmed=True)
        self.worker.run(lambda b: b.measures.record(client_id, data, actor_id=None))

    def in_session(self, fn: Any) -> Any:
        """Test set-up the windows cannot do (dosing sessions without their notes, ratings
        without a note): straight into the database, on the worker."""
        def job(b: Backend) -> Any:
            assert isinstance(b, RealBackend)
            with b.vault.transaction() as session:
                return fn(session)
        return self.worker.run(job)

    def dose(self, client_id: int, days: list[dt.date]) -> list[int]:
        course = self.worker.run(lambda b: b.care.add_course(
            client_id, CourseInput("spaced", days[0]), actor_id=None).value)

        def add(s: Session) -> list[int]:
            return [care.add_dosing_session(s, course.id, DosingInput(
                session_date=day, route="sublingual", dose_mg=200)).id for day in days]

        return list(self.in_session(add))

    def chart(self, client_id: int) -> ClientChart:
        return self.worker.run(lambda b: b.clients.chart(client_id))


@pytest.fixture
def vault(worker: Any, vault_path: Path, passphrase: str) -> Vault:
    create_vault(vault_path, passphrase).close()
    worker.open(vault_path, passphrase)
    return Vault(worker)


def phq9(*items: int) -> dict[int, int]:
    return dict(enumerate(items, start=1))


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def show_tab(qtbot: QtBot, runner: TaskRunner, client_chart: ClientChart,
             size: tuple[int, int] = (1000, 760)) -> MeasuresTab:
    tab = MeasuresTab(runner)
    qtbot.addWidget(tab)
    tab.resize(*size)
    tab.show()
    qtbot.waitExposed(tab)
    with qtbot.waitSignal(tab.measures_shown, timeout=10_000):
        tab.set_chart(client_chart)
    return tab


def table_rows(tab: MeasuresTab) -> list[dict[str, str]]:
    proxy = tab.trend.proxy
    headers = AdministrationTableModel.HEADERS
    return [{headers[c]: proxy.index(r, c).data() for c in range(len(headers))}
            for r in range(proxy.rowCount())]


def plotted(fig: Figure) -> set[tuple[dt.date, float]]:
    """(date, total) of every point drawn on a trend chart."""
    points = set()
    for gid in POINT_GIDS:
        for artist in find_artists(fig, gid):
            for x, y in artist.get_xydata():  # type: ignore[attr-defined]
                points.add((mdates.num2date(x).date(), float(y)))
    return points


def type_digits(qtbot: QtBot, dialog: MeasureEntryDialog, digits: str) -> None:
    """Type into whatever has the keyboard in the dialog, as a person would."""
    for digit in digits:
        focused = dialog.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, digit)


def open_entry(tab: MeasuresTab, instrument_id: str) -> MeasureEntryDialog:
    dialog = tab.open_entry(instrument_id)
    assert dialog is not None
    return dialog


def save(qtbot: QtBot, tab: MeasuresTab, dialog: MeasureEntryDialog) -> None:
    with qtbot.waitSignal(tab.administration_recorded, timeout=10_000):
        dialog.save_button.click()


# --------------------------------------------------------------------------------------
# Entering a measure
# --------------------------------------------------------------------------------------


def test_phq9_typed_digit_by_digit_flags_item_9_in_the_entry_table_and_chart(
        qtbot: QtBot, runner: TaskRunner, vault: Vault) -> None:
    client_id = vault.client()
    tab = show_tab(qtbot, runner, vault.chart(client_id))
    assert "No measures have been recorded" in tab.empty.text()
    dialog = open_entry(tab, "phq9")
    # The exact wording and the answer labels are shown.
    item9 = dialog.rows[8].findChild(QLabel, "itemText")
    assert item9 is not None and item9.text() == (
        "Thoughts that you would be better off dead or of hurting yourself in some way")
    assert [b.text() for b in dialog.rows[8].buttons.values()] == [  # type: ignore[attr-defined]
        "0  Not at all", "1  Several days", "2  More than half the days",
        "3  Nearly every day"]
    assert dialog.relation_box.currentData() == "baseline"  # the client's first PHQ-9

    assert dialog.focusWidget() is dialog.rows[0]
    type_digits(qtbot, dialog, "1101010")
    assert dialog.focusWidget() is dialog.rows[7]  # each digit moved on to the next item
    assert dialog.total_label.text() == "7 of 9 items answered"
    assert "incomplete, not charted" in dialog.band_label.text().lower()
    assert not dialog.safety_banner.isVisible()
    type_digits(qtbot, dialog, "0")
    type_digits(qtbot, dialog, "1")  # item 9: thoughts of death or self-harm
    # The flag shows at once, in words, on the item and for the whole form.
    assert dialog.safety_banner.isVisible()
    assert "SAFETY FLAG" in dialog.safety_banner.text()
    assert "item 9 = 1" in dialog.safety_banner.text()
    assert dialog.rows[8].property("flagged") is True
    assert dialog.total_label.text() == "Total 5 of 27"
    assert dialog.band_label.text().startswith("Mild")
    # The unscored difficulty question is asked but never added to the total.
    assert dialog.focusWidget() is dialog.rows[9]
    assert not dialog.rows[9].item.scored
    type_digits(qtbot, dialog, "3")
    assert dialog.total_label.text() == "Total 5 of 27"
    assert dialog.focusWidget() is dialog.save_button
    # Backspace clears an answer; the flag goes with it, and comes back.
    dialog.rows[8].setFocus()
    qtbot.keyClick(dialog.rows[8], Qt.Key.Key_Backspace)
    assert not dialog.safety_banner.isVisible() and dialog.rows[8].value is None
    qtbot.keyClick(dialog.rows[8], Qt.Key.Key_Right)
    assert dialog.rows[8].value == 0
    qtbot.keyClick(dialog.rows[8], Qt.Key.Key_Right)
    assert dialog.rows[8].value == 1 and dialog.safety_banner.isVisible()

    with qtbot.waitSignal(runner.data_changed, timeout=10_000) as changed:
        save(qtbot, tab, dialog)
    # The window reloads the chart for what changed: this client's measures, and the list
    # (a measure can open a safety follow-up, which the client list marks).
    assert changed.args == [Changes.of(client_id, Kind.MEASURES, Kind.CLIENTS)]

    (row,) = table_rows(tab)
    assert row["Date"] == f"{TODAY.day} {TODAY:%b %Y}"
    assert row["Relation to care"] == "Baseline"
    assert row["Total"] == "5" and row["Band"] == "Mild"
    assert row["Flags"] == "⚠ SAFETY: item 9 = 1"
    flags = tab.trend.proxy.index(0, AdministrationTableModel.FLAGS)
    assert "Thoughts of death or self-harm" in flags.data(Qt.ItemDataRole.ToolTipRole)
    # ...and on every other view of that score.
    assert tab.trend.safety.isVisible() and "item 9 = 1" in tab.trend.safety.text()
    assert tab.instrument_model.index(0, 0).data().startswith("⚠ PHQ-9")
    fig = tab.trend_figure
    assert fig is not None and len(find_artists(fig, "safety-flag")) == 1
    assert plotted(fig) == {(TODAY, 5.0)}


def test_the_chart_gains_the_new_point_and_the_change_summary_says_what_changed(
        qtbot: QtBot, runner: TaskRunner, vault: Vault) -> None:
    client_id = vault.client()
    vault.record(client_id, "phq9", days_ago(40), phq9(3, 3, 2, 2, 2, 2, 2, 2, 0), "baseline")
    tab = show_tab(qtbot, runner, vault.chart(client_id))
    assert tab.selected_instrument == "phq9"
    before = tab.trend_figure
    assert before is not None and plotted(before) == {(days_ago(40), 18.0)}
    assert tab.trend.card.outcome.text() == (
        "Baseline only: change needs a later complete administration")

    dialog = open_entry(tab, "phq9")
    assert dialog.relation_box.currentData() == "integration"
    type_digits(qtbot, dialog, "110101010")
    with qtbot.waitSignal(tab.trend.chart.ensure_view().figure_changed, timeout=10_000):
        save(qtbot, tab, dialog)

    after = tab.trend_figure  # drawn into the figure on screen (reports.charts `into`)
    assert after is not None
    assert plotted(after) == {(days_ago(40), 18.0), (TODAY, 5.0)}
    assert len(find_artists(after, "point-improved")) == 1
    card = tab.trend.card
    assert card.outcome.text() == "Reliable improvement  ·  Response  ·  Not in remission"
    assert card.detail.text().startswith(
        f"Baseline 18 ({days_ago(40).day} {days_ago(40):%b %Y}) → latest 5 "
        f"({TODAY.day} {TODAY:%b %Y}): −13 points.")
    assert "reliable change is 6 or more points" in card.detail.text().lower()
    assert [r["Total"] for r in table_rows(tab)] == ["5", "18"]  # newest first

    # One more below 5: remission. Nothing worse than baseline yet.
    vault.record(client_id, "phq9", TODAY, phq9(0, 1, 0, 1, 0, 0, 0, 0, 0))
    with qtbot.waitSignal(tab.measures_shown):
        tab.set_chart(vault.chart(client_id))
    assert card.outcome.text() == "Reliable improvement  ·  Response  ·  Remission"


def test_an_incomplete_administration_is_listed_as_incomplete_and_not_charted(
        qtbot: QtBot, runner: TaskRunner, vault: Vault) -> None:
    client_id = vault.client()
    vault.record(client_id, "phq9", days_ago(20), phq9(3, 3, 2, 2, 2, 2, 2, 2, 0), "baseline")
    vault.record(client_id, "phq9", days_ago(3), {1: 1, 2: 1, 3: 0, 4: 1, 5: 0})
    tab = show_tab(qtbot, runner, vault.chart(client_id))
    newest = table_rows(tab)[0]
    assert newest["Total"] == "incomplete, not charted" and newest["Band"] == "—"
    fig = tab.trend_figure
    assert fig is not None and plotted(fig) == {(days_ago(20), 18.0)}
    assert "not enough" not in tab.trend.card.text().lower()

    dialog = open_entry(tab, "phq9")
    type_digits(qtbot, dialog, "12")
    assert dialog.band_label.text().startswith("Incomplete, not charted")
    assert dialog.save_button.text() == "Save as incomplete"
    dialog.reject()


def test_cadss_is_entered_by_item_number_at_a_chosen_dose_and_charted_per_dose(
        qtbot: QtBot, runner: TaskRunner, vault: Vault) -> None:
    client_id = vault.client()
    doses = vault.dose(client_id, [days_ago(21), days_ago(14), days_ago(7)])
    vault.record(client_id, "cadss", days_ago(21), dict.fromkeys(range(1, 24), 1),
                 "after_dose", doses[0])
    vault.record(client_id, "cadss", days_ago(14), dict.fromkeys(range(1, 24), 2),
                 "after_dose", doses[1])
    vault.record(client_id, "phq9", days_ago(22), phq9(1, 1, 1, 1, 1, 1, 1, 1, 0), "baseline")
    tab = show_tab(qtbot, runner, vault.chart(client_id))
    keys = [tab.instrument_model.index(r, 0).data(KEY_ROLE)
            for r in range(tab.instrument_model.rowCount())]
    assert keys == ["phq9", DISSOCIATION_KEY]  # CADSS is not a weekly trend
    # The PHQ-9 chart marks the three doses.
    trend = tab.trend_figure
    assert trend is not None and len(dose_line_days(trend)) == 3

    assert tab.select_instrument(DISSOCIATION_KEY)
    assert tab.stack.currentWidget() is tab.dissociation
    fig = tab.dissociation_figure
    assert fig is not None
    bars = find_artists(fig, "cadss-total-bar")
    assert sorted(round(b.get_height()) for b in bars) == [23, 46]  # type: ignore[attr-defined]
    model = tab.dissociation.model
    assert [model.index(r, DissociationTableModel.CADSS).data()
            for r in range(model.rowCount())] == ["23", "46"]

    # Items by number only: the copyrighted wording is not shown. The dose is required.
    dialog = open_entry(tab, DISSOCIATION_KEY)
    assert dialog.instrument is not None and dialog.instrument.id == "cadss"
    assert dialog.instrument.charting is Charting.PER_DOSE
    texts = [row.findChild(QLabel, "itemText").text() for row in dialog.rows]  # type: ignore[union-attr]
    assert texts == [f"Item {n}" for n in range(1, 24)]
    assert dialog.notice.isVisible() and "copyrighted" in dialog.notice.text()
    assert dialog.relation_box.currentData() == "after_dose"
    type_digits(qtbot, dialog, "3" * 23)
    dialog.save_button.click()
    assert dialog.error.isVisible() and "choose which dose" in dialog.error.text()
    dialog.dose_box.setCurrentIndex(dialog.dose_box.findData(doses[2]))
    assert dialog.dose_box.currentText().startswith("D3 · ")
    dialog.date_edit.setDate(dialog.date_edit.date().addDays(-7))
    save(qtbot, tab, dialog)
    assert tab.selected_instrument == DISSOCIATION_KEY
    fig = tab.dissociation_figure
    assert fig is not None and len(find_artists(fig, "cadss-total-bar")) == 3


def test_self_energy_can_be_laid_over_the_trend_chart(
        qtbot: QtBot, runner: TaskRunner, vault: Vault) -> None:
    client_id = vault.client()
    vault.record(client_id, "gad7", days_ago(30), dict.fromkeys(range(1, 8), 2), "baseline")
    vault.record(client_id, "gad7", days_ago(2), dict.fromkeys(range(1, 8), 1))

    def rate(s: Session) -> None:
        for n, rating in ((25, 3), (15, 5), (5, 7)):
            s.add(SelfEnergyRating(client_id=client_id, rated_on=days_ago(n), rating=rating))

    vault.in_session(rate)
    tab = show_tab(qtbot, runner, vault.chart(client_id))
    fig = tab.trend_figure
    assert fig is not None and not find_artists(fig, f"overlay:{SELF_ENERGY}")
    action = tab.trend.overlay_actions[SELF_ENERGY]
    assert tab.trend.overlay_button.text().startswith("Overlays: 0 of 1")
    view = tab.trend.chart.ensure_view()
    with qtbot.waitSignal(view.figure_changed):
        action.setChecked(True)
    fig = tab.trend_figure
    assert fig is not None
    (line,) = find_artists(fig, f"overlay:{SELF_ENERGY}")
    assert list(line.get_ydata()) == [3, 5, 7]  # type: ignore[attr-defined]
    assert tab.trend.overlay_button.text().startswith("Overlays: 1 of 1")
    with qtbot.waitSignal(view.figure_changed):
        action.setChecked(False)
    assert not find_artists(tab.trend_figure, f"overlay:{SELF_ENERGY}")


def test_every_item_model_passes_the_model_tester(
        qtbot: QtBot, runner: TaskRunner, vault: Vault, qtmodeltester: Any) -> None:
    client_id = vault.client()
    dose = vault.dose(client_id, [days_ago(10)])[0]
    vault.record(client_id, "phq9", days_ago(12), phq9(3, 3, 2, 2, 2, 2, 2, 2, 1), "baseline")
    vault.record(client_id, "phq9", days_ago(5), {1: 1, 2: 1})
    vault.record(client_id, "pcl5", days_ago(12), dict.fromkeys(range(1, 21), 2), "baseline")
    vault.record(client_id, "cadss6", days_ago(10), {1: 1, 2: 2, 6: 0, 7: 1, 15: 0, 22: 1},
                 "after_dose", dose)
    tab = show_tab(qtbot, runner, vault.chart(client_id))
    qtmodeltester.check(tab.instrument_model)
    for key in ("phq9", "pcl5"):
        assert tab.select_instrument(key)
        qtmodeltester.check(tab.trend.model)
        for column in range(AdministrationTableModel.FLAGS + 1):
            tab.trend.proxy.sort(column, Qt.SortOrder.AscendingOrder)
            qtmodeltester.check(tab.trend.proxy)
    assert tab.select_instrument(DISSOCIATION_KEY)
    qtmodeltester.check(tab.dissociation.model)
    model = tab.dissociation.model
    assert model.index(0, DissociationTableModel.CADSS).data() == "not given (CADSS-6 only)"
    assert model.index(0, DissociationTableModel.CADSS6).data() == "5"
    assert model.data(QModelIndex()) is None


def test_a_custom_measure_is_defined_from_the_entry_dialog_and_entered(
        qtbot: QtBot, runner: TaskRunner, vault: Vault) -> None:
    client_id = vault.client()
    tab = show_tab(qtbot, runner, vault.chart(client_id))
    entry = open_entry(tab, "phq9")
    custom = entry.open_custom()
    custom.create_button.click()
    assert custom.errors["name"].isVisible()
    custom.name.setText("Craving")
    custom.lowest.setValue(0)
    custom.highest.setValue(10)
    custom.reliable.setValue(3)
    with qtbot.waitSignal(tab.instrument_created, timeout=10_000) as created:
        custom.create_button.click()
    instrument = created.args[0]
    assert instrument.title == "Craving" and instrument.reliable_change.points == 3
    assert entry.instrument is instrument
    (row,) = entry.rows
    assert isinstance(row, NumberItemRow)  # 0..10 is typed as a number, not one digit
    qtbot.keyClicks(row.edit, "7")
    assert entry.total_label.text() == "Total 7 of 10"
    save(qtbot, tab, entry)
    assert tab.selected_instrument == instrument.id
    assert [r["Total"] for r in table_rows(tab)] == ["7"]


def test_the_chart_is_rebuilt_for_its_new_size_after_a_resize(
        qtbot: QtBot, runner: TaskRunner, vault: Vault) -> None:
    client_id = vault.client()
    vault.record(client_id, "gad7", days_ago(9), dict.fromkeys(range(1, 8), 2), "baseline")
    tab = show_tab(qtbot, runner, vault.chart(client_id), size=(900, 700))
    view = tab.trend.chart.ensure_view()
    first = view.figure
    assert first is not None
    # Margins are laid out in inches for the size built for: a figure merely stretched
    # to the new size would keep the plot's place as a fraction of the figure.
    placed = first.axes[0].get_position().bounds
    assert tab.trend.splitter.orientation() == Qt.Orientation.Vertical
    with qtbot.waitSignal(view.figure_changed, timeout=5_000):
        tab.resize(1500, 900)
    fig = view.figure
    assert fig is not None and fig.axes[0].get_position().bounds != placed
    width, height = fig.get_size_inches()
    assert abs(width * 100 - view.width()) <= 2 and abs(height * 100 - view.height()) <= 2
    # Wide: the table sits beside the chart.
    assert tab.trend.splitter.orientation() == Qt.Orientation.Horizontal


def test_clear_forgets_the_client(qtbot: QtBot, runner: TaskRunner, vault: Vault) -> None:
    client_id = vault.client()
    vault.record(client_id, "phq9", days_ago(9), phq9(1, 1, 1, 1, 1, 1, 1, 1, 1), "baseline")
    tab = show_tab(qtbot, runner, vault.chart(client_id))
    dialog = open_entry(tab, "phq9")
    qtbot.waitExposed(dialog)
    type_digits(qtbot, dialog, "12")
    tab.clear()  # the lock: answers given or not, gone at once, with no question left up
    assert tab.chart is None and tab.view is None and tab.trend_figure is None
    assert tab.instrument_model.rowCount() == 0 and tab.trend.model.rowCount() == 0
    assert not dialog.isVisible() and dialog.confirmation() is None
    assert not any(w.isVisible() for w in QApplication.topLevelWidgets()
                   if isinstance(w, QMessageBox))
    assert not tab.enter_button.isEnabled()


def test_answers_given_are_not_thrown_away_without_asking(
        qtbot: QtBot, runner: TaskRunner, vault: Vault) -> None:
    """Escape took a half-entered questionnaire away at once: twenty PCL-5 items to enter
    again after a slip of the finger."""
    client_id = vault.client()
    tab = show_tab(qtbot, runner, vault.chart(client_id))
    dialog = open_entry(tab, "phq9")
    qtbot.waitExposed(dialog)
    type_digits(qtbot, dialog, "213")
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)
    box = dialog.confirmation()
    assert box is not None and dialog.isVisible()
    assert "3 answers entered here will not be saved." in box.informativeText()
    keep = next(b for b in box.buttons() if b.text() == "Keep entering")
    assert box.defaultButton() is keep and box.escapeButton() is keep
    keep.click()
    qtbot.waitUntil(lambda: dialog.confirmation() is None)
    assert dialog.isVisible() and dialog.responses() == {1: 2, 2: 1, 3: 3}
    dialog.reject()
    box = dialog.confirmation()
    assert box is not None
    with qtbot.waitSignal(dialog.finished, timeout=5_000):
        next(b for b in box.buttons() if b.text() == "Discard answers").click()
    assert vault.chart(client_id).administrations == ()
    # With nothing answered, it closes at once.
    dialog = open_entry(tab, "phq9")
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.finished, timeout=5_000):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)
    assert dialog.confirmation() is None


# --------------------------------------------------------------------------------------
# Sparklines and start-up
# --------------------------------------------------------------------------------------


def test_sparklines_show_the_latest_total_band_and_a_safety_flag(
        qtbot: QtBot, vault: Vault) -> None:
    client_id = vault.client()
    vault.record(client_id, "phq9", days_ago(30), phq9(3, 3, 2, 2, 2, 2, 2, 2, 0), "baseline")
    vault.record(client_id, "phq9", days_ago(2), phq9(1, 1, 1, 0, 1, 1, 0, 0, 1))
    vault.record(client_id, "gad7", days_ago(30), dict.fromkeys(range(1, 8), 1), "baseline")
    panel = MeasureSparklines()
    qtbot.addWidget(panel)
    activated: list[str] = []
    panel.instrument_activated.connect(activated.append)
    panel.set_chart(vault.chart(client_id))
    panel.show()
    qtbot.waitExposed(panel)
    # The flag says whether a signed note's risk check has answered it yet.
    assert [(r.name, r.latest, r.safety) for r in panel.rows] == [
        ("PHQ-9", "6 · Mild", "⚠ item 9 = 1, open"), ("GAD-7", "7 · Mild", "")]
    phq = panel.items[0]
    assert phq.safety.isVisible() and phq.latest.text() == "6 · Mild"
    points = phq.line.points()
    assert len(points) == 2 and points[1].y() > points[0].y()  # lower total, lower line
    assert "Reliable improvement" in phq.toolTip()
    qtbot.mouseClick(phq, Qt.MouseButton.LeftButton)
    assert activated == ["phq9"]
    panel.clear()
    assert panel.rows == [] and panel.empty.isVisible()


def test_importing_the_measures_widgets_does_not_load_matplotlib() -> None:
    code = ("import sys, pkgutil, importlib, ui.measures; "
            "[importlib.import_module(m.name) for m in "
            "pkgutil.iter_modules(ui.measures.__path__, 'ui.measures.')]; "
            "print('matplotlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).parents[3])
    assert result.stdout.strip() == "False"



def test_a_wrong_entry_is_marked_in_error_and_leaves_the_chart(
        qtbot: QtBot, runner: TaskRunner, vault: Vault) -> None:
    client_id = vault.client()
    vault.record(client_id, "phq9", days_ago(30), phq9(2, 2, 2, 2, 2, 2, 2, 2, 0), "baseline")
    vault.record(client_id, "phq9", days_ago(10), phq9(3, 3, 3, 3, 3, 3, 3, 3, 1))
    vault.record(client_id, "phq9", days_ago(5), phq9(1, 1, 1, 1, 1, 1, 0, 0, 0))
    tab = show_tab(qtbot, runner, vault.chart(client_id))
    wrong_day = days_ago(10)
    qtbot.waitUntil(lambda: tab.trend.chart.view is not None
                    and tab.trend.chart.view.figure is not None, timeout=10_000)
    assert (wrong_day, 25.0) in plotted(tab.trend.chart.view.figure)
    assert tab.trend.safety.isVisibleTo(tab)
    proxy = tab.trend.proxy
    row = next(r for r in range(proxy.rowCount())
               if proxy.index(r, AdministrationTableModel.TOTAL).data().startswith("25"))
    tab.trend.table.setCurrentIndex(proxy.index(row, 0))
    assert tab.trend.error_action in tab.trend.table.actions()
    with qtbot.waitSignal(tab.administration_recorded, timeout=10_000):
        tab.mark_entered_in_error(tab.trend.current_administration().administration.id,
                                  "Answers belonged to another form")
    qtbot.waitUntil(lambda: (wrong_day, 25.0) not in plotted(tab.trend.chart.view.figure),
                    timeout=10_000)
    flags = [r["Flags"] for r in table_rows(tab)]
    assert "Entered in error: Answers belonged to another form" in flags
    assert not tab.trend.safety.isVisibleTo(tab)  # its item 9 no longer raises the banner
    stored = vault.chart(client_id).administrations
    assert sum(a.entered_in_error for a in stored) == 1


def test_a_second_phq9_inside_its_recall_period_asks_first(
        qtbot: QtBot, runner: TaskRunner, vault: Vault) -> None:
    client_id = vault.client()
    vault.record(client_id, "phq9", days_ago(6), phq9(2, 2, 2, 2, 2, 2, 2, 2, 0), "baseline")
    tab = show_tab(qtbot, runner, vault.chart(client_id))
    dialog = open_entry(tab, "phq9")
    type_digits(qtbot, dialog, "111111110")
    dialog.save_button.click()
    box = dialog.confirmation()
    assert box is not None  # nothing saved yet: the therapist is asked
    assert f"given on {days_ago(6).day} {days_ago(6):%b %Y}, 6 days from this one" in \
        box.text()
    cancel = next(b for b in box.buttons() if b.text() != "Save anyway")
    cancel.click()
    qtbot.waitUntil(lambda: dialog.confirmation() is None)
    assert dialog.error.isVisible() and len(vault.chart(client_id).administrations) == 1
    dialog.save_button.click()
    box = dialog.confirmation()
    assert box is not None
    save_anyway = next(b for b in box.buttons() if b.text() == "Save anyway")
    with qtbot.waitSignal(tab.administration_recorded, timeout=10_000):
        save_anyway.click()
    assert len(vault.chart(client_id).administrations) == 2


def test_the_same_measure_twice_the_same_day_gets_a_warning(
        qtbot: QtBot, runner: TaskRunner, vault: Vault) -> None:
    client_id = vault.client()
    vault.record(client_id, "gad7", TODAY, dict.fromkeys(range(1, 8), 1), "baseline")
    tab = show_tab(qtbot, runner, vault.chart(client_id))
    dialog = open_entry(tab, "gad7")
    type_digits(qtbot, dialog, "2222222")
    dialog.save_button.click()
    box = dialog.confirmation()
    assert box is not None and "already saved for" in box.text()
    assert box.defaultButton() is not None and box.defaultButton().text() != "Save anyway"


def test_an_answer_out_of_range_is_refused_with_a_message_not_capped(
        qtbot: QtBot, runner: TaskRunner, vault: Vault, worker: Any) -> None:
    client_id = vault.client()
    sud = worker.run(lambda b: b.measures.create_custom(CustomMeasureInput(
        "Distress", 0, 10, False), actor_id=None).value)
    tab = show_tab(qtbot, runner, vault.chart(client_id))
    dialog = open_entry(tab, sud.id)
    (row,) = dialog.rows
    assert isinstance(row, NumberItemRow)
    qtbot.keyClicks(row.edit, "1400")
    assert row.edit.text() == "1400"  # kept as typed, never cut to 10
    assert row.error.isVisible() and "1400 is outside 0–10" in row.error.text()
    assert dialog.error.isVisible() and "1400 is outside 0–10" in dialog.error.text()
    dialog.save_button.click()
    assert dialog.isVisible() and vault.chart(client_id).administrations == ()
    row.edit.clear()
    qtbot.keyClicks(row.edit, "10")
    assert not row.error.isVisible() and not dialog.error.isVisible()
    # On a 0..3 item a digit out of range is said, and the answer stays as it was.
    phq = open_entry(tab, "phq9")
    type_digits(qtbot, phq, "7")
    assert phq.rows[0].value is None
    assert "7 is outside 0–3" in phq.error.text()


def test_a_pcl5_asks_for_the_index_event_and_offers_the_last_one(
        qtbot: QtBot, runner: TaskRunner, vault: Vault) -> None:
    client_id = vault.client()
    vault.record(client_id, "pcl5", days_ago(40), dict.fromkeys(range(1, 21), 2), "baseline")
    tab = show_tab(qtbot, runner, vault.chart(client_id))
    dialog = open_entry(tab, "pcl5")
    assert dialog.index_event.isVisible()
    assert dialog.index_event.text() == "The accident"  # the event rated last time
    assert dialog.index_note.text() == f"The same event as on {date_text(days_ago(40))}."
    dialog.index_event.clear()
    qtbot.keyClicks(dialog.index_event, "The fire")
    assert "totals about different events do not compare" in dialog.index_note.text()
    dialog.index_event.clear()
    type_digits(qtbot, dialog, "1" * 20)
    dialog.save_button.click()
    assert dialog.error.text() == INDEX_EVENT_NEEDED  # the backend's words, before it is asked
    qtbot.keyClicks(dialog.index_event, "The accident")
    save(qtbot, tab, dialog)
    chart = vault.chart(client_id)
    assert [a.index_event for a in chart.administrations] == ["The accident", "The accident"]
    other = open_entry(tab, "phq9")
    assert not other.index_event.isVisible()


def test_a_long_custom_name_is_cut_in_its_pill_and_along_the_axis_and_whole_above(
        qtbot: QtBot, runner: TaskRunner, vault: Vault, worker: Any) -> None:
    """A custom measure's name of 60 characters ran past its pill and along the chart's
    axis off the figure, at both ends."""
    name = "Urge to use substances before bed, rated by the client 0-10"
    urge = worker.run(lambda b: b.measures.create_custom(CustomMeasureInput(
        name, 0, 10, False, reliable_change=3), actor_id=None).value)
    client_id = vault.client()
    for n, value in ((30, 8), (20, 6), (10, 3)):
        vault.record(client_id, urge.id, days_ago(n), {1: value})
    tab = show_tab(qtbot, runner, vault.chart(client_id), size=(700, 640))
    assert tab.select_instrument(urge.id)
    entry = tab.instrument_model.entry(tab.chooser.currentIndex().row())
    assert entry.text.startswith("Urge to use") and len(entry.text.split("  ·  ")[0]) <= 30
    assert entry.text.split("  ·  ")[0].endswith("…") and name in entry.tooltip
    qtbot.waitUntil(lambda: tab.trend_figure is not None, timeout=10_000)
    ax = tab.trend_figure.axes[0]
    axis = ax.yaxis.label.get_text()
    assert axis.startswith("Urge to use") and axis.endswith("…")
    tab.trend_figure.canvas.draw()
    renderer = tab.trend_figure.canvas.get_renderer()
    box = ax.yaxis.label.get_window_extent(renderer)
    assert box.y0 >= 0 and box.y1 <= tab.trend_figure.bbox.height  # inside the figure


def test_a_custom_measure_is_changed_beside_its_chart_within_its_recorded_values(
        qtbot: QtBot, runner: TaskRunner, vault: Vault, worker: Any) -> None:
    craving = worker.run(lambda b: b.measures.create_custom(CustomMeasureInput(
        "Craving", 0, 10, False), actor_id=None).value)
    client_id = vault.client()
    for n, value in ((20, 7), (10, 2)):
        vault.record(client_id, craving.id, days_ago(n), {1: value})
    vault.record(client_id, "gad7", days_ago(9), dict.fromkeys(range(1, 8), 2), "baseline")
    tab = show_tab(qtbot, runner, vault.chart(client_id))
    assert tab.select_instrument("gad7")
    assert not tab.edit_custom_button.isVisible()  # a standard measure is not ours to change
    assert tab.select_instrument(craving.id)
    assert tab.edit_custom_button.isVisible()
    tab.edit_custom_button.click()
    [dialog] = [d for d in tab.findChildren(CustomMeasureDialog) if d.isVisible()]
    assert dialog.windowTitle() == "Edit custom measure"
    assert (dialog.name.text(), dialog.lowest.value(), dialog.highest.value()) == (
        "Craving", 0, 10)
    assert dialog.lower_better.isChecked() and dialog.create_button.text() == "Save changes"
    dialog.highest.setValue(5)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.errors["max_value"].isVisible(), timeout=10_000)
    assert dialog.errors["max_value"].text() == (
        "A value of 7 is already recorded with this measure; the highest value must be 7 "
        "or more.")
    dialog.highest.setValue(12)
    dialog.name.setText("Evening craving")
    with qtbot.waitSignal(dialog.finished, timeout=10_000):
        dialog.create_button.click()
    qtbot.waitUntil(lambda: tab.instrument_model.entry(
        tab.chooser.currentIndex().row()).text.startswith("Evening craving"), timeout=10_000)
    assert tab.selected_instrument == craving.id
    changed = worker.run(lambda b: b.measures.instruments())[craving.id]
    assert changed.title == "Evening craving" and changed.items[0].max_value == 12
