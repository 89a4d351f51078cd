"""SQLite, the embedded default: one file, zero set-up."""

from __future__ import annotations

import fcntl
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import ColumnElement, Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url

CHECK_SECONDS = 0.025
"""How often another process's commits are looked for: a change shows within about this."""

logger = logging.getLogger("modeldir.store")


def prepare_folder(database: str | None, *, create: bool) -> None:
    """Make sure a SQLite file can be created where it is named: its folder exists (or is made)."""
    if not database or database == ":memory:":
        return
    folder = Path(database).expanduser().parent
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    elif not folder.is_dir():
        raise ValueError(
            f"the folder {folder} of the SQLite database does not exist: create it, "
            "or give another --database-url"
        )


class SqliteChangeSignals:
    """Notices commits of other connections, other processes' included, by `PRAGMA data_version`.

    The pragma reads a counter in the database's shared memory, not the file, so asking it every
    few tens of milliseconds costs next to nothing; it changes only when another connection
    commits, which is when a refresh has something to fetch.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._stop = threading.Event()

    def run(self, on_change: Callable[[], None]) -> None:
        """Call `on_change` once it is watching, then after each commit made elsewhere, until
        `stop` (blocking)."""
        connection = sqlite3.connect(self.path, check_same_thread=False)
        try:
            seen = None
            while not self._stop.wait(CHECK_SECONDS):
                try:
                    version = connection.execute("PRAGMA data_version").fetchone()[0]
                except sqlite3.Error as error:  # a locked or vanished file: the poll goes on
                    logger.debug("data_version unavailable: %s", error)
                    continue
                # The first look sets the baseline: a commit made between the snapshot's load
                # and now would go unseen, so the follower is woken once to check.
                if seen is None or version != seen:
                    on_change()
                seen = version
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()


class SqliteDeliveryLock:
    """A lock on a file beside the database: one process delivers webhooks at a time. The
    system releases it when the process ends, however it ends."""

    def __init__(self, database: str | None) -> None:
        self.path = None if database is None else Path(f"{database}-webhooks.lock")
        self._file: IO[bytes] | None = None

    def hold(self) -> bool:
        if self.path is None or self._file is not None:
            return True  # a private in-memory database has one process by definition
        file = self.path.open("ab")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self._file = file
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the file releases its lock
            self._file = None


class SqliteBackend:
    """WAL mode, foreign keys on, and writers that take the write lock when they begin."""

    def create_engine(self, url: str) -> Engine:
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
        pass  # other processes notice commits themselves (`SqliteChangeSignals`)

    def change_signals(self, url: str) -> SqliteChangeSignals | None:
        database = make_url(url).database
        if not database or database == ":memory:":
            return None  # nothing else can write to a private in-memory database
        return SqliteChangeSignals(str(Path(database).expanduser()))

    def delivery_lock(self, engine: Engine) -> SqliteDeliveryLock:
        database = engine.url.database
        if not database or database == ":memory:":
            return SqliteDeliveryLock(None)
        return SqliteDeliveryLock(str(Path(database).expanduser()))

    @contextmanager
    def migration_lock(self, connection: Connection) -> Iterator[None]:
        # SQLite serialises writers itself; the migration's own transaction is the lock.
        yield
