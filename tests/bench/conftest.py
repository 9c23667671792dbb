"""Benchmark fixtures, and derived figures (ratios, overheads) printed after the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from models.demo import generate_heavy_client
from models.vault import Vault, create_plain_database, create_vault

BENCH_PASSPHRASE = "bench passphrase"
TODAY = dt.date(2026, 11, 1)


@pytest.fixture(scope="session")
def heavy_vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Vault, int]]:
    """An encrypted vault holding one client with 300 sessions."""
    path = tmp_path_factory.mktemp("bench") / "heavy.iwvault"
    vault = create_vault(path, BENCH_PASSPHRASE)
    with vault.transaction() as session:
        client_id = generate_heavy_client(session, sessions=300, today=TODAY)
    yield vault, client_id
    vault.close()


@pytest.fixture(scope="session")
def heavy_plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, int]]:
    """The same client in an unencrypted SQLite file with the same schema and settings."""
    engine = create_plain_database(tmp_path_factory.mktemp("bench") / "heavy-plain.db")
    with Session(engine) as session, session.begin():
        client_id = generate_heavy_client(session, sessions=300, today=TODAY)
    yield engine, client_id
    engine.dispose()


def _median(benchmarks: list[Any], name: str) -> float | None:
    for bench in benchmarks:
        if bench.name == name and bench.stats is not None:
            return float(bench.stats.median)
    return None


def pytest_terminal_summary(terminalreporter: Any, config: Any) -> None:
    session = getattr(config, "_benchmarksession", None)
    if session is None or not session.benchmarks:
        return
    benchmarks = session.benchmarks
    lines = []
    unlock = _median(benchmarks, "test_unlock_vault")
    kdf = _median(benchmarks, "test_key_derivation")
    if unlock is not None and kdf is not None:
        lines.append(f"unlock beyond key derivation: {1000 * (unlock - kdf):.1f} ms "
                     "(target < 300 ms)")
    enc = _median(benchmarks, "test_load_client_record_encrypted")
    plain = _median(benchmarks, "test_load_client_record_plain")
    if enc is not None:
        lines.append(f"one client's record (300 sessions), encrypted: {1000 * enc:.1f} ms "
                     "(target < 50 ms)")
    if enc is not None and plain is not None:
        lines.append(f"encrypted / plain ratio: {enc / plain:.2f} (target < 1.5)")
    sign = _median(benchmarks, "test_sign_emdr_note")
    if sign is not None:
        lines.append(f"sign an EMDR note (validate, file figures, hash, audit, commit): "
                     f"{1000 * sign:.1f} ms (target < 50 ms)")
    for bench in benchmarks:
        target = bench.extra_info.get("target_s") if bench.extra_info else None
        if target is None or bench.stats is None:
            continue
        # A first view measured inside a fresh process reports its own time.
        median = bench.extra_info.get("first_view_median_s", bench.stats.median)
        verdict = "met" if median < target else "NOT met"
        lines.append(f"{bench.name}: median {1000 * median:.0f} ms "
                     f"(target < {1000 * target:.0f} ms: {verdict})")
    if lines:
        terminalreporter.section("derived figures")
        for line in lines:
            terminalreporter.write_line(line)
