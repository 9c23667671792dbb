"""dose time, respiratory rate and sedation per vitals reading, PCL-5 index event

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Adding columns is a plain ALTER TABLE in batch mode: the tables are not recreated, so
    # their immutability triggers stay (a test checks this). The ranges are checked by the
    # template and the inputs, as a CHECK would need the tables rebuilt.
    with op.batch_alter_table('dosing_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dose_time', sa.Time(), nullable=True))
    with op.batch_alter_table('dosing_vital', schema=None) as batch_op:
        batch_op.add_column(sa.Column('respiratory_rate', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('moaas', sa.Integer(), nullable=True))
    with op.batch_alter_table('measure_administration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('index_event', sa.Text(), nullable=True))


_ADDED = (("measure_administration", "index_event"), ("dosing_vital", "moaas"),
          ("dosing_vital", "respiratory_rate"), ("dosing_session", "dose_time"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Not batch mode: it would copy each table and rename the copy into place, which
        # the immutability triggers of the tables that refer to it refuse (as in 0004).
        # SQLite 3.35 and later drop a plain column in place, triggers untouched.
        for table, column in _ADDED:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        return
    for table, column in _ADDED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
