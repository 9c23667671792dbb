"""measures can be marked entered in error

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 04:19:28.857085
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Adding columns is a plain ALTER TABLE in batch mode: the table is not recreated, so
    # its immutability triggers stay (a test checks this).
    with op.batch_alter_table('measure_administration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entered_in_error_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('entered_in_error_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('measure_administration', schema=None) as batch_op:
        batch_op.drop_column('entered_in_error_reason')
        batch_op.drop_column('entered_in_error_at')
