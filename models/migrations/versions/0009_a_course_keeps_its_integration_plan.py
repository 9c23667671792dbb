"""a course keeps its own integration plan

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:00:00.000000

How many integration sessions a course plans after its first dose and after each later
one. A course recorded before keeps the plan every course had until now (2, then 1).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_ADDED = (("integration_after_first", "2"), ("integration_after_each", "1"))


def upgrade() -> None:
    # A plain ALTER TABLE in batch mode (the table is not recreated, so the triggers of the
    # tables that refer to it stay, as in 0007); the range is the inputs' to check.
    with op.batch_alter_table('course', schema=None) as batch_op:
        for column, default in _ADDED:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=False,
                                          server_default=default))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # In place, as 0007 does: batch mode would copy the table, which the immutability
        # triggers of the tables that refer to it refuse.
        for column, _default in _ADDED:
            op.execute(f"ALTER TABLE course DROP COLUMN {column}")
        return
    with op.batch_alter_table('course', schema=None) as batch_op:
        for column, _default in _ADDED:
            batch_op.drop_column(column)
