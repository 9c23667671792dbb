"""The progress report: the title block, the sections the therapist chose (in their set
order), and the signature block, on the shared pages.

Each section is a function `(ReportData) -> list[Flowable]` in reports/sections/,
registered here by its REPORT_SECTIONS code. The Reports tab and the command line offer
the whole vocabulary without loading reportlab, so every term has its builder (a test
says so); asking for one that has none says the section is not available yet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from reportlab.platypus import Flowable

from models.report_data import ReportData
from models.vocabulary import REPORT_SECTIONS
from reports.pdf.front import title_block
from reports.sections import SectionBuilder
from reports.sections.ifs import ifs_section
from reports.sections.measures import measures_section
from reports.sections.sessions import sessions_section
from reports.sections.signature import signature_block
from reports.sections.summary import summary_section
from reports.sections.targets import targets_section

# What is happening, and how far along (0..100), for a progress bar.
Progress = Callable[[int, str], None]

SECTION_BUILDERS: dict[str, SectionBuilder] = {
    "summary": summary_section,
    "measures": measures_section,
    "targets": targets_section,
    "ifs": ifs_section,
    "sessions": sessions_section,
}

# The share of the work each section takes, for the progress bar: charts are the slow part.
_WEIGHT = {"measures": 5, "targets": 4, "ifs": 2, "sessions": 2}


def _no_progress(_percent: int, _what: str) -> None:
    pass


def progress_story(data: ReportData, progress: Progress = _no_progress,
                   start: int = 0, stop: int = 100, *,
                   elsewhere: Mapping[str, Callable[[], list[Flowable]]] | None = None,
                   ) -> list[Flowable]:
    """The report's flowables; `progress` hears each section begin (from start to stop %).

    `elsewhere` gives sections built by another process (workstation/report_process.py),
    each by a function that returns its flowables when they are ready. They are asked for
    last, after this process has built its own."""
    chosen = [code for code in REPORT_SECTIONS.codes if code in data.options.sections]
    missing = [code for code in chosen if code not in SECTION_BUILDERS]
    if missing:
        raise ValueError(f"the {REPORT_SECTIONS.label(missing[0])} section is not available yet")
    other = elsewhere or {}
    total = sum(_WEIGHT.get(code, 1) for code in chosen) or 1
    done = 0
    built: dict[str, list[Flowable]] = {}
    for code in sorted(chosen, key=lambda c: c in other):  # its own first, in print order
        progress(start + (stop - start) * done // total,
                 f"Writing {REPORT_SECTIONS.label(code).lower()}…")
        built[code] = other[code]() if code in other else SECTION_BUILDERS[code](data)
        done += _WEIGHT.get(code, 1)
    story: list[Flowable] = title_block(data)
    for code in chosen:
        story += built[code]
    story += signature_block(data)
    return story
