"""Alembic migrations for the vault, run from code (batch mode, on every open that needs it)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only when a migration has to run or be inspected: opening a vault
# that is up to date (nearly every open) never loads it.

# The newest revision this version of the application knows. A test keeps it equal to
# Alembic's head, so an open that is already up to date never has to load the scripts.
HEAD = "0010"


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("models") / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def known_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())
    return frozenset(rev.revision for rev in script.walk_revisions())


def script_head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """What Alembic compares with the entities: every table but the full-text index and
    the shadow tables FTS5 keeps for it, which no entity describes."""
    from models.search_index import is_index_table

    return not (type_ == "table" and is_index_table(name))


def current_revision(connection: Connection) -> str | None:
    """The schema's revision as the vault records it (None for an empty database)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return str(row[0]) if row is not None else None


def _in_driver_transaction(connection: Connection) -> bool:
    return bool(getattr(connection.connection.driver_connection, "in_transaction", False))


def upgrade_to_head(connection: Connection) -> None:
    """Bring the schema to HEAD in one transaction: a crash part-way leaves the previous
    version, which the next open upgrades again.

    The SQLite driver begins a transaction only before INSERT, UPDATE or DELETE, so on its
    own every CREATE and ALTER would commit by itself. An explicit BEGIN IMMEDIATE makes
    the whole upgrade one transaction, and takes the write lock before the current version
    is read, so two processes opening an old vault at once upgrade it once. The caller
    commits (``with engine.begin() as conn: upgrade_to_head(conn)``).
    """
    if connection.dialect.name == "sqlite" and not _in_driver_transaction(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    from alembic import command

    command.upgrade(_config(connection), "head")
