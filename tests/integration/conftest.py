"""Fixtures for the integration tests: a zygote that forks killable workers."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from tests.integration.bad_day import Zygote


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    if not sys.platform.startswith("linux"):
        pytest.skip("the kill -9 tests fork workers and read /proc (Linux)")
    z = Zygote()
    yield z
    z.close()
