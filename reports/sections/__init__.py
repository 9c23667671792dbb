"""The sections of a progress report: each is a function from the report's data to a list
of flowables (`SectionBuilder`), registered by its REPORT_SECTIONS code in
reports.progress."""

from __future__ import annotations

from collections.abc import Callable

from reportlab.platypus import Flowable

from models.report_data import ReportData

SectionBuilder = Callable[[ReportData], list[Flowable]]
