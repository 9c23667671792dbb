"""search: a word finds its other forms (sleep finds sleeping)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 02:00:00.000000

The index now keeps each word by its English stem (FTS5's Porter tokenizer in front of
unicode61): "sleep" was not found in "sleeping better", nor "trigger" in "triggered". A
tokenizer is fixed when its table is made, so the index is made again with it and every
row it held is stored into it as it was; nothing else changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# As this revision makes the table (a migration keeps its own copy of the schema it writes).
_CREATE = ("CREATE VIRTUAL TABLE search_index USING fts5("
           "body, private, client_id UNINDEXED, "
           "tokenize = '{tokenize}', prefix = '2 3')")
_STEMMED = "porter unicode61 remove_diacritics 2"
_PLAIN = "unicode61 remove_diacritics 2"


def _remake(tokenize: str) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT rowid, body, private, client_id FROM search_index")).all()
    conn.execute(sa.text("DROP TABLE search_index"))
    conn.execute(sa.text(_CREATE.format(tokenize=tokenize)))
    if rows:
        conn.execute(sa.text(
            "INSERT INTO search_index (rowid, body, private, client_id) "
            "VALUES (:key, :body, :private, :client_id)"),
            [{"key": key, "body": body, "private": private, "client_id": client_id}
             for key, body, private, client_id in rows])


def upgrade() -> None:
    _remake(_STEMMED)


def downgrade() -> None:
    _remake(_PLAIN)
