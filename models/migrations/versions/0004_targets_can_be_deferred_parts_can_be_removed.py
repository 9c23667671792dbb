"""targets can be deferred; parts can be removed from the map

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# This revision's own copy of the codes (a migration says what the schema was at its
# revision, whatever the vocabulary says later).
_OLD_STATUSES = ("identified", "in_processing", "incomplete", "completed",
                 "reevaluated_clear", "reopened")
_NEW_STATUSES = ("identified", "in_processing", "incomplete", "deferred", "completed",
                 "reevaluated_clear", "reopened")
_CHECK = "ck_target_memory_status_known"


def _in(values: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _replace_sqlite_check(table: str, old: str, new: str) -> None:
    """Widen a CHECK constraint of a SQLite table in place.

    Batch mode would copy the table and DROP the old one; with foreign keys on (they are
    on in every vault connection, and cannot be turned off inside the migration's
    transaction) that DROP deletes every child row through ON DELETE CASCADE: the SUD/VoC
    ratings and the definition history of every target, and the immutability triggers
    refuse it for ratings from signed notes, so the upgrade would fail on any vault with a
    signed EMDR note. SQLite documents this procedure for a change that leaves every
    stored row valid (removing or loosening a CHECK): the table definition is edited in
    sqlite_schema and the schema version bumped, in the same transaction. No row moves, no
    trigger is touched.
    """
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    if sql.count(old) != 1:
        raise RuntimeError(f"the {table} table does not have the expected constraint")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
            (sql.replace(old, new), table),
        )
        bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _set_status_check(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _replace_sqlite_check("target_memory", _in(old), _in(new))
        return
    with op.batch_alter_table('target_memory', schema=None) as batch_op:
        batch_op.drop_constraint(_CHECK, type_="check")
        batch_op.create_check_constraint("status_known", _in(new))


def upgrade() -> None:
    # A therapist may set a target aside ("deferred"); the other codes stay, since signed
    # notes and their history rows store them.
    _set_status_check(_OLD_STATUSES, _NEW_STATUSES)
    # A part removed from the map is kept (signed notes, snapshots and its history name
    # it) and can be put back; an added column keeps the table and its triggers.
    with op.batch_alter_table('ifs_part', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Not batch mode: it would copy ifs_part and DROP it, which the cascade into the
        # parts' history (locked by signed notes) refuses, as for target_memory above.
        # SQLite 3.35 and later drop a plain column in place.
        op.execute("ALTER TABLE ifs_part DROP COLUMN removed_at")
    else:
        with op.batch_alter_table('ifs_part', schema=None) as batch_op:
            batch_op.drop_column('removed_at')
    # The earlier schema has no "deferred": such targets go back to "identified".
    op.execute("UPDATE target_memory SET status = 'identified' WHERE status = 'deferred'")
    _set_status_check(_NEW_STATUSES, _OLD_STATUSES)
