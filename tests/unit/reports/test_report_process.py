"""The report command's second process lays out the same PDF the Reports tab would, and
when it is not there to answer, or fails, the command still writes the report or reports
the real error."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import signal
import sys

import pytest

from models.backend import Backend
from models.inputs import ReportOptions
from models.report_data import ReportData
from reports.progress import SECTION_BUILDERS
from reports.render import render_report
from workstation.report_process import _ELSEWHERE, _SectionsChild, start_renderer

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the child is forked on Linux")

OPTIONS = ReportOptions(start=dt.date(2020, 1, 1), practice="Harbour Light Practice")


def _gone(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _data(practice: Backend, **changes: object) -> ReportData:
    options = dataclasses.replace(OPTIONS, **changes)  # type: ignore[arg-type]
    return practice.reports.data(practice.clients.find("C-0001").id, options)


def test_the_child_lays_out_the_same_pdf(practice: Backend) -> None:
    data = _data(practice)
    renderer = start_renderer("progress")
    assert renderer.forked
    pid = renderer.child_pid
    assert renderer.render(data) == render_report(data)
    assert renderer.from_child
    assert _gone(pid)  # answered, and reaped


def test_a_prescriber_s_summary_comes_from_the_child_too(practice: Backend) -> None:
    data = _data(practice, kind="prescriber")
    renderer = start_renderer("prescriber")
    assert renderer.render(data) == render_report(data)
    assert renderer.from_child


def test_a_child_that_is_gone_leaves_the_report_to_this_process(practice: Backend) -> None:
    data = _data(practice)
    renderer = start_renderer("progress")
    os.kill(renderer.child_pid, signal.SIGKILL)
    assert renderer.render(data) == render_report(data)
    assert not renderer.from_child and not renderer.forked


def test_an_error_in_the_child_is_reported_from_this_process(
        practice: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    # A section asked for but not built fails in the child (which inherits the missing
    # builder); this process renders again and raises the error itself.
    monkeypatch.delitem(SECTION_BUILDERS, "ifs")
    data = _data(practice, sections=("ifs",))
    renderer = start_renderer("progress")
    with pytest.raises(ValueError, match="IFS parts section is not available yet"):
        renderer.render(data)


def test_a_command_that_stops_before_its_data_lets_the_child_go() -> None:
    # A wrong passphrase, an unknown client: the child is waiting for data that never comes.
    renderer = start_renderer("progress")
    pid = renderer.child_pid
    renderer.close()
    assert _gone(pid)
    renderer.close()  # twice is harmless


def test_one_process_when_asked(practice: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKSTATION_ONE_PROCESS", "1")
    renderer = start_renderer("progress")
    assert not renderer.forked
    data = _data(practice)
    assert renderer.render(data) == render_report(data)
    assert not renderer.from_child


def _with_sections_from(helper: _SectionsChild, data: ReportData) -> bytes:
    return render_report(data, elsewhere={code: functools.partial(helper.section, code)
                                          for code in _ELSEWHERE})


def test_a_grandchild_builds_the_targets_and_the_map_meanwhile(practice: Backend) -> None:
    data = _data(practice)
    helper = _SectionsChild(data, list(_ELSEWHERE))
    pid = helper.pid
    try:
        assert _with_sections_from(helper, data) == render_report(data)
        assert helper.answered
    finally:
        helper.close()
    assert _gone(pid)


def test_sections_a_grandchild_could_not_give_are_built_here(practice: Backend) -> None:
    data = _data(practice)
    helper = _SectionsChild(data, list(_ELSEWHERE))
    os.kill(helper.pid, signal.SIGKILL)
    try:
        assert _with_sections_from(helper, data) == render_report(data)
        assert not helper.answered
    finally:
        helper.close()
