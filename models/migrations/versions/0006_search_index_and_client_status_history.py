"""search index across every note, and the client's status history (discharge reasons)

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-26 09:00:00

The full-text index (SQLite FTS5, inside the encrypted vault) is created and filled from
the records already in the vault, so an existing practice is searchable as soon as it is
opened. A discharge or reactivation now keeps its date and reason, one row per change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None

# The index as this revision made it (models.search_index describes its rows).
_CREATE_INDEX = (
    "CREATE VIRTUAL TABLE search_index USING fts5("
    "body, private, client_id UNINDEXED, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
)


def upgrade() -> None:
    op.create_table(
        'client_status_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('changed_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'discharged')",
                           name=op.f('ck_client_status_change_status_known')),
        sa.ForeignKeyConstraint(['actor_id'], ['clinician.id'],
                                name=op.f('fk_client_status_change_actor_id_clinician')),
        sa.ForeignKeyConstraint(['client_id'], ['client.id'],
                                name=op.f('fk_client_status_change_client_id_client'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_client_status_change')),
    )
    with op.batch_alter_table('client_status_change', schema=None) as batch_op:
        batch_op.create_index('ix_client_status_change_client', ['client_id', 'changed_on'],
                              unique=False)
    op.execute(_CREATE_INDEX)
    from models.services.search import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_index")
    with op.batch_alter_table('client_status_change', schema=None) as batch_op:
        batch_op.drop_index('ix_client_status_change_client')
    op.drop_table('client_status_change')
