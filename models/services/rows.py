"""Rows written as plain statements, past the ORM's flush: one entity kept in the session
as written (write_new, write_changes), or rows nothing reads back (insert_rows, insert_row).

A flush is a unit of work: it sorts what is pending, builds the statements and takes each
row's new state, about a millisecond and a half for a single row. A service writing one
row that the rest of its work then reads (a note being signed, its dosing session) can
write it with the statement alone: the same row, with the same column defaults, after the
same text check every flush makes (models.text_guard); the entity stays in the session,
clean, as if a flush had written it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Insert, Table, insert, inspect, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from models import text_guard
from models.entities import Base


def _defaulted(column: Any) -> Any:
    """What a flush would write for a column the entity was given no value for."""
    default = column.default
    if default is None:
        return None
    if default.is_callable:
        return default.arg(None)  # SQLAlchemy's wrapper: takes the execution context
    return default.arg


def _table(row: Base) -> tuple[Table, str]:
    """The entity's table and its (single) primary key column."""
    table = Base.metadata.tables[type(row).__tablename__]
    return table, next(iter(table.primary_key.columns)).key


@functools.cache
def _insert(table: Table, key: str) -> Insert:
    """One statement per table, built once (its cache key with it)."""
    return insert(table).returning(table.c[key])


@functools.cache
def _insert_many(table: Table) -> Insert:
    """A batch's statement per table, built once (no RETURNING: see insert_rows)."""
    return insert(table)


def write_new(session: Session, row: Base) -> None:
    """INSERT a new entity (not yet in the session) and keep it in the session as written.

    Every column gets its value (a flush's column default when none was given), so
    reading the entity later reads nothing back from the database.
    """
    mapper = inspect(type(row))
    state = inspect(row)
    table, key = _table(row)
    for attr in mapper.column_attrs:
        if attr.key != key and attr.key not in state.dict:
            setattr(row, attr.key, _defaulted(attr.columns[0]))
    text_guard.check(row)
    values = {attr.columns[0].key: state.dict[attr.key] for attr in mapper.column_attrs
              if attr.key != key}
    new_id = session.connection().execute(_insert(table, key), values).scalar_one()
    setattr(row, key, new_id)
    make_transient_to_detached(row)
    session.add(row)


def write_changes(session: Session, row: Base, changes: Mapping[str, Any]) -> None:
    """Set these attributes of a persistent entity and UPDATE their columns now, in one
    statement: the entity is left as written, with nothing for the next flush."""
    mapper = inspect(type(row))
    columns = {attr.key: attr.columns[0].key for attr in mapper.column_attrs}
    table, key = _table(row)
    text_guard.check_values(table.name, {columns[k]: v for k, v in changes.items()})
    session.connection().execute(
        update(table).where(table.c[key] == getattr(row, key)),
        {columns[k]: v for k, v in changes.items()})
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
        session.connection().execute(_insert_many(table), rows)


def insert_row(session: Session, entity: type[Base], values: Mapping[str, Any]) -> int:
    """One row as a plain INSERT, without an ORM object; its new id."""
    table = Base.metadata.tables[entity.__tablename__]
    key = next(iter(table.primary_key.columns)).key
    new_id: int = session.connection().execute(_insert(table, key), values).scalar_one()
    return new_id
