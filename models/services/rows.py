"""Rows written as plain statements, past the ORM's flush: one entity kept in the session
as written (write_new, write_changes), or rows nothing reads back (insert_rows, insert_row).

A flush is a unit of work: it sorts what is pending, builds the statements and takes each
row's new state, about a millisecond and a half for a single row. A service writing one
row that the rest of its work then reads (a note being signed, its dosing session) can
write it with the statement alone: the same row, with the same column defaults, after the
same text check every flush makes (models.text_guard); the entity stays in the session,
clean, as if a flush had written it.

A large unit of work (the demo practice, an import) writes inside `batched(session)`: new
rows are held, each with the id it would have been given (the table's next id, counted in
the block: the transaction is the vault's only writer), and written together, a statement
per table, when the block ends, or as soon as something else touches their table: an ORM
read or load naming it, a flush writing to it (or to a table whose triggers read it).
Foreign keys are checked at commit once a block has begun (PRAGMA defer_foreign_keys, to
the end of the transaction), so a row may name a held row before it is written. Reads
through the connection itself (past the ORM) see no held rows: inside a block they call
`write_pending` first.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Insert, Table, event, func, insert, inspect, select, text, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import ORMExecuteState, Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict, set_committed_value
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.util import find_tables

from models import text_guard
from models.entities import Base


def _generated(default: Any) -> Any:
    """What a flush writes from a column's default or onupdate (None when there is none)."""
    if default is None:
        return None
    if default.is_callable:
        return default.arg(None)  # SQLAlchemy's wrapper: takes the execution context
    return default.arg


@functools.cache
def _layout(entity: type[Base]) -> tuple[Table, str, tuple[tuple[str, str, Any], ...]]:
    """An entity's table, its primary key column, and each other column (the attribute
    that holds it, its name, the column) worked out once per entity."""
    table = Base.metadata.tables[entity.__tablename__]
    key = next(iter(table.primary_key.columns)).key
    return table, key, tuple((attr.key, attr.columns[0].key, attr.columns[0])
                             for attr in inspect(entity).column_attrs if attr.key != key)


@functools.cache
def _insert(table: Table, key: str) -> Insert:
    """One statement per table, built once (its cache key with it)."""
    return insert(table).returning(table.c[key])


@functools.cache
def _insert_many(table: Table) -> Insert:
    """A batch's statement per table, built once (no RETURNING: see insert_rows)."""
    return insert(table)


def write_new(session: Session, row: Base, *, text_checked: bool = False) -> None:
    """INSERT a new entity (not yet in the session) and keep it in the session as written.

    Every column gets its value (a flush's column default when none was given), so
    reading the entity later reads nothing back from the database. `text_checked`: the
    caller ran the flush's text check on every word of the row already.
    """
    table, key, columns = _layout(type(row))
    loaded = instance_dict(row)
    for name, _, column in columns:
        if name not in loaded:
            setattr(row, name, _generated(column.default))
    if not text_checked:
        text_guard.check(row)
    values = {column: loaded[name] for name, column, _ in columns}
    held = _held(session)
    if held is not None:
        new_id = held.hold(session, table, key, values)
    else:
        new_id = session.connection().execute(_insert(table, key), values).scalar_one()
    setattr(row, key, new_id)
    make_transient_to_detached(row)
    session.add(row)


def write_changes(session: Session, row: Base, changes: Mapping[str, Any]) -> None:
    """Set these attributes of a persistent entity and UPDATE their columns now, in one
    statement: the entity is left as written, with nothing for the next flush. A column
    that a flush stamps on every update (`onupdate`, a time) is stamped too."""
    table, key, layout = _layout(type(row))
    changes = {**{name: _generated(column.onupdate) for name, _, column in layout
                  if column.onupdate is not None and name not in changes}, **changes}
    columns = {name: column_key for name, column_key, _ in layout}
    values = {columns[k]: v for k, v in changes.items()}
    text_guard.check_values(table.name, values)
    held = _held(session)
    if held is not None and held.change(session, table, getattr(row, key), values):
        pass  # still held: written with these values, as the UPDATE would leave it
    else:
        session.connection().execute(
            update(table).where(table.c[key] == getattr(row, key)), values)
    for name, value in changes.items():
        set_committed_value(row, name, value)


def insert_rows(session: Session, entity: type[Base], rows: list[dict[str, Any]]) -> None:
    """Rows in one statement (executemany), without ORM objects; nothing when none.

    For rows nothing in the unit of work reads back (figures filed at signing, a demo's
    item answers): as ORM objects each would be its own INSERT ... RETURNING (SQLite
    returns no ids for a batch), and a flush's work.
    """
    if rows:
        table = Base.metadata.tables[entity.__tablename__]
        held = _held(session)
        if held is not None:
            key = next(iter(table.primary_key.columns)).key
            for values in rows:
                held.hold(session, table, key, values)
        else:
            session.connection().execute(_insert_many(table), rows)


def insert_row(session: Session, entity: type[Base], values: Mapping[str, Any]) -> int:
    """One row as a plain INSERT, without an ORM object; its new id."""
    table = Base.metadata.tables[entity.__tablename__]
    key = next(iter(table.primary_key.columns)).key
    held = _held(session)
    if held is not None:
        return held.hold(session, table, key, values)
    new_id: int = session.connection().execute(_insert(table, key), values).scalar_one()
    return new_id


# --------------------------------------------------------------------------- held rows

_HELD = "rows_held"  # session.info key: the block's _Held while a `batched` block runs


@dataclass
class _Held:
    """The rows a block holds, by table, and each table's next id."""

    # (table, INSERT/UPDATE/DELETE) -> the other tables its triggers read
    trigger_reads: dict[tuple[str, str], frozenset[str]]
    rows: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    next_id: dict[str, int] = field(default_factory=dict)

    def hold(self, session: Session, table: Table, key: str, values: Mapping[str, Any]) -> int:
        """Hold a new row with the id the table would give it now; that id."""
        new_id = self.next_id.get(table.name)
        if new_id is None:
            last = session.connection().execute(select(func.max(table.c[key]))).scalar()
            new_id = (last or 0) + 1
        self.next_id[table.name] = new_id + 1
        row = {**values, key: new_id}
        for column in _with_defaults(table):  # as the INSERT would fill them now (a time)
            if column.key not in row:
                row[column.key] = _generated(column.default)
        self.rows.setdefault(table.name, {})[new_id] = row
        return new_id

    def change(self, session: Session, table: Table, row_id: int,
               values: Mapping[str, Any]) -> bool:
        """Apply an UPDATE to a held row (True), or write what the UPDATE's triggers
        read and leave the UPDATE to the caller (False)."""
        held = self.rows.get(table.name, {}).get(row_id)
        if held is not None:
            held.update(values)
            return True
        self.write(session, self.reads(table.name, "UPDATE"))
        return False

    def reads(self, table: str, verb: str) -> frozenset[str]:
        return self.trigger_reads.get((table, verb), frozenset())

    def write(self, session: Session, tables: Iterable[str] | None = None) -> None:
        """Write the held rows of these tables (all when None), each after the held rows
        its insert triggers read, a statement per table and set of columns."""
        wanted = set(self.rows) if tables is None else set(tables) & set(self.rows)
        if not wanted:
            return
        reached: set[str] = set()
        while wanted - reached:  # and what the triggers of those read, in turn
            name = (wanted - reached).pop()
            reached.add(name)
            wanted |= self.reads(name, "INSERT") & set(self.rows)
        connection = session.connection()
        for table in _sorted_tables():
            held = self.rows.pop(table.name, None) if table.name in wanted else None
            if not held:
                continue
            by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for values in held.values():
                by_columns.setdefault(tuple(sorted(values)), []).append(values)
            for columns, group in by_columns.items():
                sql, take, processed = _plain_insert(table, columns, connection.dialect)
                connection.exec_driver_sql(sql, [_bound(take(values), processed)
                                                 for values in group])

    def forget_next_ids(self, tables: Iterable[str]) -> None:
        """A flush inserted into these tables: their next ids are read again."""
        for name in tables:
            self.next_id.pop(name, None)


_Processed = tuple[tuple[int, Callable[[Any], Any]], ...]


@functools.cache
def _plain_insert(table: Table, columns: tuple[str, ...], dialect: Dialect
                  ) -> tuple[str, Callable[[Mapping[str, Any]], tuple[Any, ...]], _Processed]:
    """A table's INSERT of these columns as the driver takes it: the statement, what takes
    a row's values in the statement's order, and the bind processor of each value that has
    one, by position (how SQLAlchemy writes a date, a time or JSON). The held rows of a
    table go to the driver in one call, without a statement's work for every row."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    order = compiled.positiontup or []
    processors = [table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
                  for key in order]
    take = operator.itemgetter(*order)
    return (compiled.string,
            take if len(order) > 1 else lambda values: (take(values),),
            tuple((i, p) for i, p in enumerate(processors) if p is not None))


def _bound(values: tuple[Any, ...], processed: _Processed) -> tuple[Any, ...]:
    """A row's values as the driver takes them (see _plain_insert)."""
    if not processed:
        return values
    bound = list(values)
    for index, process in processed:
        bound[index] = process(bound[index])
    return tuple(bound)


@functools.cache
def _with_defaults(table: Table) -> tuple[Column[Any], ...]:
    """The table's columns that a flush fills in when a row gives no value."""
    return tuple(c for c in table.columns if c.default is not None)


@functools.cache
def _sorted_tables() -> tuple[Table, ...]:
    """Every table, each after the tables its rows name (worked out once)."""
    return tuple(Base.metadata.sorted_tables)


def _held(session: Session) -> _Held | None:
    found: _Held | None = session.info.get(_HELD)
    return found


_NAMES = frozenset(Base.metadata.tables)


def _trigger_reads(session: Session) -> dict[tuple[str, str], frozenset[str]]:
    """For each table and statement (INSERT, UPDATE, DELETE) with triggers, the other
    tables those triggers read: from the schema itself (sqlite_master)."""
    reads: dict[tuple[str, str], set[str]] = {}
    for table, sql in session.connection().execute(
            text("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")):
        code = re.sub(r"'[^']*'", "", sql or "")  # the words of a message name nothing
        verb = re.search(r"\b(?:BEFORE|AFTER|INSTEAD\s+OF)\s+(INSERT|UPDATE|DELETE)\b",
                         code, re.IGNORECASE)
        if verb is None:
            continue
        words = set(re.findall(r"[A-Za-z_]+", code)) & _NAMES
        reads.setdefault((table, verb.group(1).upper()), set()).update(words - {table})
    return {key: frozenset(names) for key, names in reads.items()}


def _before_read(state: ORMExecuteState) -> None:
    held = _held(state.session)
    if held is None or not held.rows:
        return
    statement = state.statement
    if not isinstance(statement, ClauseElement):
        held.write(state.session)
        return
    names = {t.name for t in find_tables(statement, include_joins=True, include_aliases=True,
                                         include_crud=True) if isinstance(t, Table)}
    # A statement whose tables cannot be told (text) may read anything.
    held.write(state.session, names or None)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    held = _held(session)
    if held is None:
        return

    def tables(objects: Iterable[object]) -> set[str]:
        return {inspect(o).mapper.local_table.name for o in objects}

    new = tables(session.new)
    touched = set(new)
    for verb, objects in (("INSERT", session.new), ("UPDATE", session.dirty),
                          ("DELETE", session.deleted)):
        for name in tables(objects):
            touched |= {name, *held.reads(name, verb)}
    held.write(session, touched)
    held.forget_next_ids(new)  # the flush gives these tables' new rows their ids


@contextmanager
def batched(session: Session) -> Iterator[None]:
    """Hold the new rows written in the block and write them together (see the module's
    docstring); nested blocks belong to the outermost one; a block that fails writes
    nothing (its transaction is rolled back)."""
    if _held(session) is not None:
        yield
        return
    # Held rows may be named before they are written: foreign keys are checked at commit.
    # The pragma ends with the transaction, so the transaction must have begun (the
    # driver begins one only before the first write).
    connection = session.connection()
    if not connection.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN")
    connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    session.info[_HELD] = held = _Held(_trigger_reads(session))
    event.listen(session, "do_orm_execute", _before_read)
    event.listen(session, "before_flush", _before_flush)
    try:
        yield
        held.write(session)
    finally:
        event.remove(session, "do_orm_execute", _before_read)
        event.remove(session, "before_flush", _before_flush)
        session.info.pop(_HELD, None)


def write_pending(session: Session) -> None:
    """Write every row the block holds so far (nothing outside a block)."""
    held = _held(session)
    if held is not None:
        held.write(session)
