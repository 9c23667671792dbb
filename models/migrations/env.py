"""Alembic environment: runs on the connection the vault hands over; never reads an ini file."""

from __future__ import annotations

from alembic import context

from models.entities import Base
from models.migrations import include_name

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
