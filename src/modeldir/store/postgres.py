"""PostgreSQL, for several instances sharing one catalogue (driver: psycopg 3)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import ColumnElement, Connection, Engine, Table, create_engine, text
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.engine import make_url

# Arbitrary constants: the advisory locks that instances take while migrating, and that the
# one delivery worker of a cluster holds while it delivers webhooks.
_MIGRATION_LOCK = 0x6D6F64656C646972  # "modeldir"
_DELIVERY_LOCK = 0x6D6F64656C646977  # "modeldiw"
CHANNEL = "modeldir_catalogue"
LISTENER_NAME = "modeldir-listener"  # how the listening connection shows in pg_stat_activity
DELIVERY_NAME = "modeldir-webhooks"  # and the delivery worker's lock

logger = logging.getLogger("modeldir.store")


class PostgresChangeSignals:
    """LISTEN on the catalogue's channel from a connection of its own, reconnecting as needed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._stop = threading.Event()

    def run(self, on_change: Callable[[], None]) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self.url, autocommit=True, connect_timeout=5, application_name=LISTENER_NAME
                ) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    if failing:
                        logger.warning("listening for catalogue changes again")
                    failing = False
                    on_change()  # whatever was announced while not listening
                    while not self._stop.is_set():
                        for _ in connection.notifies(timeout=1.0):
                            on_change()
            except psycopg.Error as error:
                if not failing:
                    logger.error(
                        "not listening for catalogue changes (%s); polling until back", error
                    )
                failing = True
                self._stop.wait(1.0)

    def stop(self) -> None:
        self._stop.set()


class PostgresDeliveryLock:
    """A session advisory lock on a connection of its own: held while that connection lives,
    released by PostgreSQL when it ends (a crash included), so another instance takes over."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._connection: psycopg.Connection[Any] | None = None

    def hold(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute("SELECT 1")  # still ours only while this works
                return True
            except psycopg.Error:
                self.release()
        connection = psycopg.connect(
            self.url, autocommit=True, connect_timeout=5, application_name=DELIVERY_NAME
        )
        row = connection.execute("SELECT pg_try_advisory_lock(%s)", (_DELIVERY_LOCK,)).fetchone()
        if row is not None and row[0]:
            self._connection = connection
            return True
        connection.close()
        return False

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()  # the session ends, and its lock with it
            self._connection = None


class PostgresBackend:
    def create_engine(self, url: str) -> Engine:
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)

    @staticmethod
    def dialect_insert(table: Table) -> Any:
        return postgres_insert(table)

    @staticmethod
    def bytewise(column: ColumnElement[Any]) -> ColumnElement[Any]:
        # The database's collation (en_US, ...) orders "a-b" and "a_b" its own way; "C" is the
        # byte order Python and SQLite use, so every backend lists in the same order.
        return column.collate("C")

    def write_options(self) -> dict[str, Any]:
        return {}

    def announce(self, connection: Connection, revision: int) -> None:
        # Delivered on commit, and not at all on rollback: listeners never hear of a change
        # that did not happen.
        connection.execute(
            text("SELECT pg_notify(:channel, :revision)"),
            {"channel": CHANNEL, "revision": str(revision)},
        )

    def change_signals(self, url: str) -> PostgresChangeSignals:
        return PostgresChangeSignals(
            make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        )

    def delivery_lock(self, engine: Engine) -> PostgresDeliveryLock:
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresDeliveryLock(url)

    @contextmanager
    def migration_lock(self, connection: Connection) -> Iterator[None]:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})
