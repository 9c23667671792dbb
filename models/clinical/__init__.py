"""Derived clinical views: pure functions over DTOs that every screen, chart, report and
command calls, so a dose number, a baseline or a change label is worked out in one place."""
