"""Schema migrations: Alembic, run from code so that `modeldir serve` needs no set-up step.

Alembic itself is loaded only when the schema is behind: a database at `HEAD` costs one query,
which keeps every CLI command and server start fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0011"
"""The newest migration (tests/store/test_migrations.py checks it is Alembic's head)."""


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for our migrations, bound to a connection when given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def current_version(connection: Connection) -> str | None:
    """The schema version a database is at, or None for an empty one."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(connection: Connection, target: str = "head") -> None:
    """Apply every migration up to `target` on this connection."""
    if target == "head" and current_version(connection) == HEAD:
        return
    from alembic import command

    command.upgrade(alembic_config(connection), target)
