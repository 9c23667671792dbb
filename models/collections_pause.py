"""Garbage collection paused for a large unit of work (no other import: the command line
takes it before it loads anything heavy)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collections_paused(*, then_freeze: bool = False) -> Iterator[None]:
    """No garbage collection while a large unit of work runs: nearly everything it makes
    lives to its end (the session's rows, what the batches hold), yet Python's collections
    would scan it all again and again, the full ones a growing heap (a tenth of the demo
    practice's build). `then_freeze`: what was made is set aside afterwards (gc.freeze),
    for work that keeps it to the end of the process (a command's modules and data), so
    later collections look only at what is made after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if then_freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()
