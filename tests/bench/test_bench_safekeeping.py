"""Keeping the record safe on a large practice: backup and verify of the 200-client demo."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from models.safekeeping.backup import backup_vault
from models.safekeeping.verify import verify_vault
from models.vault import Vault


def test_backup_200_client_vault(benchmark: Any, demo_200: Vault, tmp_path: Path) -> None:
    """Copy, open and check the copy, rename, record: the whole of `workstation backup`."""
    counter = itertools.count()

    def backup() -> int:
        return backup_vault(demo_200, tmp_path / f"b{next(counter)}.iwbackup").rows

    rows = benchmark.pedantic(backup, rounds=3, iterations=1, warmup_rounds=1)
    assert rows > 100_000


def test_verify_200_client_vault(benchmark: Any, demo_200: Vault) -> None:
    """Every check `workstation verify` makes, the figures of every signed note included."""

    def verify() -> bool:
        return verify_vault(demo_200).ok

    assert benchmark.pedantic(verify, rounds=3, iterations=1, warmup_rounds=1)
