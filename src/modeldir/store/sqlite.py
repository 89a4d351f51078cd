"""SQLite, the embedded default: one file, zero set-up."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url


class SqliteBackend:
    """WAL mode, foreign keys on, and writers that take the write lock when they begin."""

    def create_engine(self, url: str) -> Engine:
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
            dbapi_connection.isolation_level = None
            for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000"):
                dbapi_connection.execute(f"PRAGMA {pragma}")

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            # A writer takes the lock at BEGIN, so two writers queue instead of deadlocking
            # when both try to upgrade a read lock.
            immediate = connection.get_execution_options().get("sqlite_write", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine

    @staticmethod
    def dialect_insert(table: Table) -> Any:
        return sqlite_insert(table)

    @staticmethod
    def bytewise(column: ColumnElement[Any]) -> ColumnElement[Any]:
        return column  # SQLite compares text byte by byte (BINARY) unless told otherwise

    def write_options(self) -> dict[str, Any]:
        return {"sqlite_write": True}

    def announce(self, connection: Connection, revision: int) -> None:
        pass  # processes on one SQLite file find changes by polling its revision

    def change_signals(self, url: str) -> None:
        return None

    @contextmanager
    def migration_lock(self, connection: Connection) -> Iterator[None]:
        # SQLite serialises writers itself; the migration's own transaction is the lock.
        yield
