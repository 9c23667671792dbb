"""Emit a Qt signal from Python, working around a reference-count bug in PySide6 6.12.0.

In PySide6 6.12.0 `SignalInstance.emit()` returns True or False without taking a new
reference, so each emit whose result is dropped takes one reference away from the bool
singleton; after a few hundred emits CPython aborts with "bool_dealloc: deallocating True
or False". 6.11 and earlier do not. Every emit in ui/ goes through `emit()`, which gives
the reference back when (and only when) a probe at import shows the bug is present.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal


class _Probe(QObject):
    ping = Signal()


def _emit_drops_a_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True), sys.getrefcount(False)
    probe.ping.emit()
    after = sys.getrefcount(True), sys.getrefcount(False)
    dropped = after < before
    if dropped:  # give back what the probe itself took
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(after[0] < before[0]))
    return dropped


EMIT_DROPS_A_REFERENCE = _emit_drops_a_reference()


def emit(signal: Any, *args: Any) -> None:
    """signal.emit(*args), balancing PySide6 6.12.0's missing reference on the result."""
    result = signal.emit(*args)
    if EMIT_DROPS_A_REFERENCE and isinstance(result, bool):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
