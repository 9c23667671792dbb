"""Garbage collection paused for a large unit of work (models.collections_pause)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from models.collections_pause import collections_paused


@pytest.fixture(autouse=True)
def _restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    gc.unfreeze()
    if was:
        gc.enable()
    else:
        gc.disable()


def test_no_collection_runs_in_the_block_and_they_run_again_after() -> None:
    gc.enable()
    with collections_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_block_leaves_collections_off_when_they_were_off() -> None:
    gc.disable()
    with collections_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_a_failing_block_turns_collections_back_on() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), collections_paused():
        raise RuntimeError("the unit of work failed")
    assert gc.isenabled()


def test_what_the_block_made_is_set_aside_when_asked() -> None:
    gc.enable()
    frozen = gc.get_freeze_count()
    with collections_paused(then_freeze=True):
        made = [[n] for n in range(1000)]  # tracked containers, kept past the block
    assert gc.get_freeze_count() >= frozen + len(made)
    frozen = gc.get_freeze_count()
    with collections_paused():
        kept = [[n] for n in range(1000)]
    assert gc.get_freeze_count() == frozen and len(kept) == 1000  # only when asked
