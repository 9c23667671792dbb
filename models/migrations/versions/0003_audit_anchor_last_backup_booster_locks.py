"""audit anchor, last backup, booster locks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 02:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_GENESIS = "0" * 64
_BOOSTER_LOCKED = ("(SELECT locked_by_note_id FROM dosing_session "
                   "WHERE id = OLD.dosing_session_id) IS NOT NULL")


def upgrade() -> None:
    # The header row anchors the audit chain (how many events, the newest one's hash), so
    # that cutting off the newest events is seen, and remembers when the last backup was
    # made. Added columns keep the table (and any trigger) as it is.
    with op.batch_alter_table('vault_info', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_events', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('audit_head', sa.String(length=64),
                                      server_default=_GENESIS, nullable=False))
        batch_op.add_column(sa.Column('last_backup_at', sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE vault_info SET audit_events = (SELECT count(*) FROM audit_event), "
        f"audit_head = coalesce((SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1), "
        f"'{_GENESIS}')"
    )
    # The boosters of a dosing session that a signed note recorded were not locked.
    for verb in ("update", "delete"):
        op.execute(
            f"CREATE TRIGGER trg_dosing_booster_no_{verb} BEFORE {verb.upper()} ON "
            f"dosing_booster FOR EACH ROW WHEN {_BOOSTER_LOCKED} "
            "BEGIN SELECT RAISE(ABORT, 'boosters recorded by a signed note are locked'); END"
        )


def downgrade() -> None:
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS trg_dosing_booster_no_{verb}")
    with op.batch_alter_table('vault_info', schema=None) as batch_op:
        batch_op.drop_column('last_backup_at')
        batch_op.drop_column('audit_head')
        batch_op.drop_column('audit_events')
