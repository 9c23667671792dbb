"""search: Hebrew and Arabic words are found with or without their vowel marks

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 12:00:00.000000

The index now keeps its words without Hebrew vowel points or Arabic harakat
(models.search_text.without_vowel_marks), and reads a query the same way: SQLite's
tokenizer cut a pointed word at each mark, so it was never found typed without them. The
rows an existing vault indexed with marks are stored again without them; nothing else
changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from models.search_text import without_vowel_marks

    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT rowid, body, private, client_id FROM search_index")).all()
    store = sa.text("INSERT OR REPLACE INTO search_index (rowid, body, private, client_id) "
                    "VALUES (:key, :body, :private, :client_id)")
    for key, body, private, client_id in rows:
        plain_body, plain_private = without_vowel_marks(body), without_vowel_marks(private)
        if (plain_body, plain_private) != (body, private):
            conn.execute(store, {"key": key, "body": plain_body, "private": plain_private,
                                 "client_id": client_id})


def downgrade() -> None:
    # Words without their marks are what the older version finds when they are typed
    # without them, as they mostly are: the index is left as it is.
    pass
