"""Progress for the long operations: a fraction from 0.0 to 1.0, never going back."""

from __future__ import annotations

from collections.abc import Callable


class Progress:
    """Wraps the caller's callback (or none); `part(a, b)` maps a step's own 0..1 onto
    the stretch a..b of the whole."""

    def __init__(self, callback: Callable[[float], None] | None) -> None:
        self._callback = callback
        self._last = -1.0

    def to(self, fraction: float) -> None:
        fraction = min(1.0, max(0.0, fraction))
        if self._callback is not None and fraction > self._last:
            self._last = fraction
            self._callback(fraction)

    def part(self, start: float, end: float) -> Callable[[float], None]:
        return lambda f: self.to(start + (end - start) * f)
