"""The demo practice on two cores: half its clients written here, half in a second process.

A practice of a few hundred clients keeps one core busy for over ten seconds, nearly all of
it the services' own work: each note created, checked and signed, each rating, snapshot and
audit event written. That work does not depend on which vault it is done in. So a second
process writes the second half of the clients into a scratch vault in its own memory, with
the same schema (built by the same migrations), the same services and the same checks. Its
rows are then copied into this vault, whose keys, constraints and triggers check them again.

- **Ids.** The scratch vault's new rows take ids above a reserved block: `ROWS_PER_CLIENT`
  ids per table for each client of the first half. So each row keeps the id it was written
  and signed with, which matters because a note's content names its target and parts by
  id. If the first half outgrows the block, this is seen before anything is copied, and
  the second half is then written here as well.
- **The audit log.** The second half's events are linked to this vault's chain as they are
  carried over, each with the time it happened (models.audit.carry_over).
- **The search index.** Its entries are stored under the same keys.

Nothing of the scratch vault touches the disk. It lives in the second process's memory and
reaches this one through a pipe. Where a process cannot be forked (Windows, macOS), or for
a small practice, the whole practice is written here (models.demo.generate_demo).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlcipher3
from sqlalchemy import Column, Connection, Engine, Table, create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from models import audit, migrations, search_index
from models.demo import DemoPlan, DemoResult, demo_clinician, generate_clients
from models.entities import AuditEvent, Base, Client
from models.errors import DomainError

# Ids reserved per table for each client of the first half; the 200-client practice's
# largest is 876 (one client's item responses over three years).
ROWS_PER_CLIENT = 5000
# Below this a second process saves less than it costs (its schema, the copy).
MIN_CLIENTS = 24
_AUDIT = AuditEvent.__tablename__
# The first half is written here, a little more than half: the second process also copies
# its rows out and sends them, about a tenth of its work.
_FIRST_SHARE = 0.52


@dataclass
class Shard:
    """What the second process wrote: its counts, its rows by table (columns, then rows,
    as stored), its audit events and its search index entries."""

    result: DemoResult
    tables: list[tuple[str, list[str], list[tuple[Any, ...]]]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    index: list[search_index.Entry] = field(default_factory=list)


class ShardFailed(DomainError):
    """The second process stopped without its half of the practice (and the caller's
    transaction, which holds the first half, is to be rolled back)."""


def can_split() -> bool:
    """A second core can run a second process started from this one as it is (fork), which
    is safe only from a process of one thread: a lock that another thread held at the fork
    would stay locked in the copy (a window's process has several; the command has one)."""
    if not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def build_demo(session: Session, plan: DemoPlan, *, split: bool | None = None) -> DemoResult:
    """Write the plan's practice into the session's vault (in the caller's transaction),
    on two cores when it is worth it: a new vault, enough clients, a second core."""
    existing = session.scalar(select(func.count(Client.id))) or 0
    if split is None:
        split = plan.clients >= MIN_CLIENTS and can_split()
    if not split or existing or plan.clients < 2:
        return generate_clients(session, plan, range(plan.clients), existing=existing)
    first = range(0, max(1, int(plan.clients * _FIRST_SHARE)))
    second = range(first.stop, plan.clients)
    demo_clinician(session)  # one clinician, in both halves
    audit.write_pending(session)
    session.flush()
    connection = session.connection()
    tables = _entity_tables()
    seed = {t.name: _rows_of(connection, t) for t in tables}
    reserved = {t.name: _max_id(connection, t) + 1 + len(first) * ROWS_PER_CLIENT
                for t in tables}

    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_write_shard, name="demo-shard", daemon=True,
                              args=(sending, plan, second, existing, seed, reserved))
    process.start()
    sending.close()
    try:
        result = generate_clients(session, plan, first, existing=existing)
        shard = _receive(receiving, process)
        if any(_max_id(connection, t) >= reserved[t.name] for t in tables):
            # The first half outgrew the ids kept for it: write the second half here too.
            result.add(generate_clients(session, plan, second, existing=existing))
        else:
            _carry_in(session, shard)
            result.add(shard.result)
    finally:
        receiving.close()
        if process.is_alive():
            process.kill()
        process.join()
    return result


def _entity_tables() -> list[Table]:
    """The vault's tables in the order their rows can be written (parents first). Each is
    keyed by an `id`, which the reserved blocks rely on (a table without one fails here)."""
    return [t for t in Base.metadata.sorted_tables if t.name != _AUDIT]


def _max_id(connection: Connection, table: Table) -> int:
    return connection.scalar(select(func.max(table.c.id))) or 0


def _rows_of(connection: Connection, table: Table, *, from_id: int | None = None,
             ) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The table's rows as stored (the driver's values, not the models' types)."""
    where = "" if from_id is None else f" WHERE id >= {int(from_id)}"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f'SELECT * FROM "{table.name}"{where}')
        columns = [d[0] for d in cursor.description]
        return columns, cursor.fetchall()
    finally:
        cursor.close()


def _insert_rows(connection: Connection, table: str, columns: Sequence[str],
                 rows: Sequence[tuple[Any, ...]]) -> None:
    if rows:
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
                                   list(rows))


def _receive(receiving: Any, process: Any) -> Shard:
    try:
        outcome = receiving.recv()
    except EOFError:
        process.join()
        raise ShardFailed(
            "The second process building the demo practice stopped "
            f"(exit code {process.exitcode}); nothing was written. Run the command again."
        ) from None
    if outcome[0] != "ok":
        raise ShardFailed(
            f"The second process building the demo practice failed ({outcome[1]}: "
            f"{outcome[2]}); nothing was written."
        )
    shard: Shard = outcome[1]
    return shard


def _carry_in(session: Session, shard: Shard) -> None:
    connection = session.connection()
    for table, columns, rows in shard.tables:
        _insert_rows(connection, table, columns, rows)
    audit.carry_over(session, shard.events)
    search_index.put_many(connection, shard.index)


# ------------------------------------------------------------------ the second process


def _write_shard(sending: Any, plan: DemoPlan, indices: range, existing: int,
                 seed: dict[str, tuple[list[str], list[tuple[Any, ...]]]],
                 reserved: dict[str, int]) -> None:
    outcome: tuple[Any, ...]
    try:
        outcome = ("ok", _shard(plan, indices, existing, seed, reserved))
    except BaseException as exc:  # reported to the first process, which raises it there
        outcome = ("failed", type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
    try:
        sending.send(outcome)
    except OSError:  # the first process is gone: the command was stopped
        pass
    finally:
        sending.close()


def _shard(plan: DemoPlan, indices: range, existing: int,
           seed: dict[str, tuple[list[str], list[tuple[Any, ...]]]],
           reserved: dict[str, int]) -> Shard:
    engine = _scratch_vault(seed, reserved)
    tables = _entity_tables()
    with Session(engine, expire_on_commit=False) as session, session.begin():
        result = generate_clients(session, plan, indices, existing=existing)
        audit.write_pending(session)
        connection = session.connection()
        shard = Shard(result)
        for table in tables:
            columns, rows = _rows_of(connection, table, from_id=reserved[table.name])
            shard.tables.append((table.name, columns, rows))
        # Every event here is the shard's: the real vault's log was not copied.
        events = connection.exec_driver_sql(f'SELECT * FROM "{_AUDIT}" ORDER BY id')
        shard.events = [dict(row._mapping) for row in events]
        entries = connection.exec_driver_sql(
            f"SELECT rowid, client_id, body, private FROM {search_index.TABLE}")
        for key, client_id, body, private in entries:
            kind, ref_id = search_index.key_of(key)
            shard.index.append((kind, ref_id, client_id, body, private))
    engine.dispose()
    return shard


def _scratch_vault(seed: dict[str, tuple[list[str], list[tuple[Any, ...]]]],
                   reserved: dict[str, int]) -> Engine:
    """A vault in this process's memory: the schema, a copy of the real vault's rows, and
    each table's next id at the start of its reserved block."""
    raw = sqlcipher3.connect(":memory:", check_same_thread=False, isolation_level=None)
    engine = create_engine("sqlite+pysqlite://", creator=lambda: raw, poolclass=StaticPool,
                           module=sqlcipher3.dbapi2, hide_parameters=True)
    # Keys and checks are off while the placeholder rows that hold each table's next id
    # go in: they stand for nothing and are never copied.
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.execute("PRAGMA ignore_check_constraints = ON")
    with engine.begin() as connection:
        migrations.upgrade_to_head(connection)
        for table in _entity_tables():
            _insert_rows(connection, table.name, *seed[table.name])
            _hold_place(connection, table, reserved[table.name] - 1)
    raw.execute("PRAGMA ignore_check_constraints = OFF")
    raw.execute("PRAGMA foreign_keys = ON")
    return engine


def _hold_place(connection: Connection, table: Table, row_id: int) -> None:
    """A row with this id and the plainest value for each required column, so the table's
    next row takes the id after it. The table's triggers are set aside meanwhile."""
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
        (table.name,)).all()
    for name, _sql in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    values: dict[str, Any] = {"id": row_id}
    for column in table.columns:
        if column.name != "id" and not column.nullable:
            values[column.name] = _plain_value(column)
    _insert_rows(connection, table.name, list(values), [tuple(values.values())])
    for _name, sql in triggers:
        connection.exec_driver_sql(sql)


def _plain_value(column: Column[Any]) -> Any:
    """The plainest value of a required column, as stored (dates and JSON as text)."""
    try:
        python_type = column.type.python_type
    except NotImplementedError:  # a type that does not say
        return ""
    if python_type in (int, float, bool):
        return 0
    if python_type in (dict, list):
        return "{}" if python_type is dict else "[]"
    if issubclass(python_type, dt.date):  # a datetime too
        return "2000-01-01 00:00:00.000000" if python_type is dt.datetime else "2000-01-01"
    return ""
