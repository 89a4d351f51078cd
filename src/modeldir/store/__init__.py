"""Storage: one interface (`interface.py`), SQLite and PostgreSQL behind it, chosen by URL.

SQLAlchemy is imported only when a store is opened, so code that only names the interface (and
the CLI when it works through the API) starts quickly.
"""

from __future__ import annotations

import sys

from modeldir.store.interface import Reader, Store, Transaction

__all__ = ["Reader", "Store", "Transaction", "open_store", "sqlalchemy_url", "unavailable"]


def unavailable(error: BaseException) -> bool:
    """Whether a failure means the database cannot be reached or written right now (503)."""
    exc = sys.modules.get("sqlalchemy.exc")  # loaded only once a store was opened
    if exc is None:
        return False
    if isinstance(error, exc.OperationalError | exc.InterfaceError):
        return True  # refused, dropped, locked, read-only, disk full, ...
    return isinstance(error, exc.DBAPIError) and bool(error.connection_invalidated)


def sqlalchemy_url(url: str) -> str:
    """The URL SQLAlchemy needs: `postgres://` and `postgresql://` use the psycopg 3 driver."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def open_store(url: str, *, migrate: bool = True, create_folder: bool = False) -> Store:
    """A store for a database URL (`sqlite:///path` or `postgresql://...`), schema up to date.

    A SQLite file's folder must exist unless `create_folder` (the default location) says to make
    it: a mistyped path is refused rather than becoming a new, empty catalogue.
    """
    from sqlalchemy.engine import make_url

    from modeldir.store.interface import Backend
    from modeldir.store.postgres import PostgresBackend
    from modeldir.store.sql_store import SqlStore
    from modeldir.store.sqlite import SqliteBackend, prepare_folder

    backends: dict[str, type[Backend]] = {"sqlite": SqliteBackend, "postgresql": PostgresBackend}
    full = sqlalchemy_url(url)
    parsed = make_url(full)
    backend = backends.get(parsed.get_backend_name())
    if backend is None:
        raise ValueError(
            f"unsupported database URL scheme {parsed.drivername!r}: use sqlite:/// or postgresql://"
        )
    if parsed.get_backend_name() == "sqlite":
        prepare_folder(parsed.database, create=create_folder)
    store = SqlStore(full, backend(), masked_url=parsed.render_as_string(hide_password=True))
    if migrate:
        store.migrate()
    return store
