"""Rows a large unit of work writes together: held in the session while a `batched`
block runs, written in one go when it ends (or earlier, when a read needs them).

The audit log and the search index each keep one `SessionBatch`: a demo practice or an
import records thousands of events and index entries, and a statement for each cost more
than the work itself. The notes and parts services each keep one `SessionMemo`: what a
block has read of the record, kept as the service writes, so each check need not read it
again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

T = TypeVar("T")


class SessionBatch(Generic[T]):
    """Items written by `write` at once: now, or together at the end of a `batched` block."""

    def __init__(self, key: str, write: Callable[[Session, list[T]], None]) -> None:
        self._key = key  # where the session holds the pending items (session.info)
        self._write = write

    def add(self, session: Session, item: T) -> None:
        """Write the item now, or hold it while a block of this session runs."""
        pending: list[T] | None = self._pending(session)
        if pending is not None:
            pending.append(item)
        else:
            self._write(session, [item])

    @contextmanager
    def batched(self, session: Session) -> Iterator[None]:
        """Hold what is added in the block and write it, in order, when the block ends.
        Nested blocks belong to the outermost one; a block that fails writes nothing."""
        if self._pending(session) is not None:
            yield
            return
        session.info[self._key] = []
        try:
            yield
            self.write_pending(session)
        finally:
            session.info.pop(self._key, None)

    def write_pending(self, session: Session) -> None:
        """Write what the block holds so far (nothing outside a block)."""
        pending = self._pending(session)
        if pending:
            items = list(pending)
            pending.clear()
            self._write(session, items)

    def _pending(self, session: Session) -> list[T] | None:
        found: list[T] | None = session.info.get(self._key)
        return found


class SessionMemo(Generic[T]):
    """What a service remembers of the record while a `batched` block of a session runs:
    made by `make` when the block begins, dropped when it ends; `forget` hears every flush
    of the block (what others write past the service), to drop what it no longer knows."""

    def __init__(self, key: str, make: Callable[[], T],
                 forget: Callable[[Session, Any, Any], None]) -> None:
        self._key = key  # where the session holds the memo (session.info)
        self._make = make
        self._forget = forget

    def of(self, session: Session) -> T | None:
        """The block's memo, or None outside a block."""
        found: T | None = session.info.get(self._key)
        return found

    @contextmanager
    def batched(self, session: Session) -> Iterator[None]:
        """Remember while the block runs. Nested blocks belong to the outermost one."""
        if self.of(session) is not None:
            yield
            return
        session.info[self._key] = self._make()
        event.listen(session, "before_flush", self._forget)
        try:
            yield
        finally:
            event.remove(session, "before_flush", self._forget)
            session.info.pop(self._key, None)
