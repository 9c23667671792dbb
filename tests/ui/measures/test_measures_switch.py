"""A client switch on the Measures tab draws the trend chart once, at the size the page
settles on: no second draw when the layout catches up, no rebuild after the resize pause."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from ui.chart.chart_view import TAB_NAMES
from ui.common.chart_canvas import DEBOUNCE_MS
from ui.shell.main_window import MainWindow


def test_each_switch_draws_the_chart_once(qtbot: QtBot, main_window: MainWindow,
                                          worker: Any) -> None:
    main_window.resize(1280, 800)
    main_window.client_list.show_discharged.setChecked(True)
    model = main_window.client_list.model
    measured = worker.run(lambda b: [c.id for c in b.clients.summaries()
                                     if b.clients.chart(c.id).administrations])
    clients = [model.client_at(r).id for r in range(model.rowCount())
               if model.client_at(r).id in measured]
    assert len(clients) >= 4
    measures = main_window.chart_view.measures
    main_window.chart_view.tabs.setCurrentIndex(TAB_NAMES.index("Measures"))
    with qtbot.waitSignal(measures.measures_shown, timeout=10_000):
        main_window.client_list.select_client(clients[-1])
    view = measures.trend.chart.view
    assert view is not None and view.canvas is not None
    canvas = view.canvas
    draws: list[tuple[int, int]] = []
    draw = canvas.draw

    def counted() -> None:
        draws.append(canvas.get_width_height())
        draw()

    canvas.draw = counted  # type: ignore[method-assign]
    rebuilds: list[int] = []
    view.figure_changed.connect(lambda: rebuilds.append(1))
    qtbot.wait(DEBOUNCE_MS * 2)  # the first view settles
    for client_id in clients * 2:
        draws.clear()
        rebuilds.clear()
        with qtbot.waitSignal(measures.measures_shown, timeout=10_000,
                              check_params_cb=lambda shown, c=client_id: shown == c):
            main_window.client_list.select_client(client_id)
        qtbot.wait(DEBOUNCE_MS * 2)  # past the resize pause: any rebuild happens by now
        assert len(rebuilds) == 1, client_id
        assert draws == [canvas.get_width_height()], client_id
