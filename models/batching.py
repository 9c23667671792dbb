"""Rows a large unit of work writes together: held in the session while a `batched`
block runs, written in one go when it ends (or earlier, when a read needs them).

The audit log and the search index each keep one `SessionBatch`: a demo practice or an
import records thousands of events and index entries, and a statement for each cost more
than the work itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

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
