"""Passphrase rules: how strong a new one looks, how long to wait after wrong ones."""

from __future__ import annotations

import math

from models.inputs import MIN_PASSPHRASE

FREE_ATTEMPTS = 3
MAX_DELAY_S = 30.0


def growing_delay(failures: int) -> float:
    """Seconds to wait after `failures` wrong passphrases in a row: 1, 2, 4 ... up to 30."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(MAX_DELAY_S, 2.0 ** (failures - FREE_ATTEMPTS))


def passphrase_strength(passphrase: str) -> tuple[int, str]:
    """A rough 0..4 score and a hint; length matters most for a passphrase."""
    n = len(passphrase)
    if n == 0:
        return 0, f"Use at least {MIN_PASSPHRASE} characters; a few unrelated words work well."
    if n < MIN_PASSPHRASE:
        return 0, f"Too short: {n} of at least {MIN_PASSPHRASE} characters."
    classes = sum((
        any(c.islower() for c in passphrase),
        any(c.isupper() for c in passphrase),
        any(c.isdigit() for c in passphrase),
        any(not c.isalnum() for c in passphrase),
    ))
    distinct = len(set(passphrase))
    bits = n * math.log2(max(2, min(94, 10 + 16 * classes)))
    if distinct < 5:
        return 1, "Weak: too many repeated characters."
    if bits < 60:
        return 1, "Weak: add another word or two."
    if bits < 90:
        return 2, "Fair: a longer passphrase would be stronger."
    if bits < 120:
        return 3, "Good."
    return 4, "Strong."
