"""Foundation benchmarks: unlock, demo build, whole-record load encrypted and plain."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from models.demo import DemoPlan, generate_demo
from models.services.chart import load_client_chart
from models.vault import Vault, create_vault, derive_key, open_vault

from .conftest import BENCH_PASSPHRASE, TODAY


def test_key_derivation(benchmark: Any) -> None:
    """The floor: SQLCipher 4's PBKDF2-HMAC-SHA512 with 256,000 iterations."""
    salt = os.urandom(16)
    benchmark.pedantic(derive_key, args=(BENCH_PASSPHRASE, salt), rounds=5, iterations=1)


def test_unlock_vault(benchmark: Any, heavy_vault: tuple[Vault, int]) -> None:
    path = heavy_vault[0].path

    def unlock() -> None:
        open_vault(path, BENCH_PASSPHRASE).close()

    benchmark.pedantic(unlock, rounds=5, iterations=1, warmup_rounds=1)


def test_build_200_client_demo_vault(benchmark: Any, tmp_path: Path) -> None:
    counter = itertools.count()

    def build() -> None:
        vault = create_vault(tmp_path / f"demo{next(counter)}.iwvault", BENCH_PASSPHRASE)
        with vault.transaction() as session:
            generate_demo(session, DemoPlan(clients=200, seed=1, today=TODAY))
        vault.close()

    benchmark.pedantic(build, rounds=1, iterations=1)


def test_load_client_record_encrypted(benchmark: Any, heavy_vault: tuple[Vault, int]) -> None:
    vault, client_id = heavy_vault

    def load() -> int:
        with vault.session() as session:
            return len(load_client_chart(session, client_id).dosing_sessions)

    assert benchmark(load) == 60


def test_load_client_record_plain(benchmark: Any, heavy_plain: tuple[Any, int]) -> None:
    engine, client_id = heavy_plain

    def load() -> int:
        with Session(engine) as session:
            return len(load_client_chart(session, client_id).dosing_sessions)

    assert benchmark(load) == 60


