"""Fixtures shared by the whole suite: real databases of both backends and live servers.

Every test that takes `database_url`, `store` or `live` runs once on SQLite and once on
PostgreSQL (a fresh database each time, on the machine's real server).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from modeldir.admin import inputs
from modeldir.admin.bootstrap import initialize
from modeldir.store import Store, open_store
from tests.support.admin import admin_for, new_admin_key, new_key
from tests.support.server import ServerProcess
from tests.support.services import fresh_postgres_database

BACKENDS = ["sqlite", "postgres"]
T = TypeVar("T")

# Models added to the bundled catalogue on the live servers: a tie on created_at (D8), an id
# with a slash (percent-encoding) and one with non-ASCII characters.
EXTRA_MODELS = [
    {"id": "tie-b", "display_name": "Tie B", "created_at": "2025-01-01T00:00:00Z"},
    {"id": "tie-a", "display_name": "Tie A", "created_at": "2025-01-01T00:00:00Z"},
    {"id": "a/b", "display_name": "Slash", "created_at": "2024-12-01T00:00:00Z"},
    {"id": "modèle-ü", "display_name": "Unicode", "created_at": "2024-11-01T00:00:00Z"},
]


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """A fresh, empty database of one backend."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'modeldir.db'}"
    else:
        with fresh_postgres_database() as url:
            yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.close()


@dataclass(frozen=True)
class Live:
    """A running server with a seeded catalogue and two keys."""

    backend: str
    base_url: str
    database_url: str
    key: str
    """A key of the default workspace: sees every model."""
    workspace_id: str
    opus_key: str
    """A key of a workspace limited to `claude-opus-*`."""
    opus_workspace_id: str
    admin_key: str
    """An admin key."""
    server: ServerProcess


@contextmanager
def seeded_server(
    backend: str, folder: Path, seed: Callable[[Store], T]
) -> Iterator[tuple[ServerProcess, str, T]]:
    """A server on a fresh database of one backend, seeded first on the database (as the CLI
    would); the server, the database URL and what `seed` returned."""
    with database(backend, folder) as url:
        store = open_store(url)
        try:
            seeded = seed(store)
        finally:
            store.close()
        server = ServerProcess(url, folder / "server.log").start()
        try:
            yield server, url, seeded
        finally:
            server.stop()


def _live_seed(store: Store) -> dict[str, str]:
    init = initialize(store)
    admin = admin_for(store)
    admin.import_catalogue({"models": EXTRA_MODELS})
    key = new_key(store, name="everything")
    opus = admin.create_workspace(
        inputs.WorkspaceCreate(name="opus only", model_access=["claude-opus-*"])
    )
    return {
        "key": key,
        "workspace_id": init.default_workspace.id,
        "opus_key": new_key(store, workspace_id=opus.object["id"], name="opus"),
        "opus_workspace_id": opus.object["id"],
        "admin_key": new_admin_key(store),
    }


@pytest.fixture(scope="session", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp(f"live-{request.param}")
    with seeded_server(request.param, folder, _live_seed) as (server, url, seeded):
        yield Live(request.param, server.base_url, url, server=server, **seeded)
