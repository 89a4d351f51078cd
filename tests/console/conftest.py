"""A server app in-process on a real database of each backend, and a signed-in console client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from modeldir.admin.bootstrap import initialize
from modeldir.live import LiveCatalogue
from modeldir.settings import Settings
from modeldir.store import Store, open_store
from modeldir.wire.app import Server
from tests.support.admin import new_admin_key

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
SIGN_IN_TOKEN = re.compile(r'name="sign_in_token" value="([^"]+)"')


@dataclass
class Console:
    """A client of the whole server app, an admin key, and the store behind them."""

    client: TestClient
    admin_key: str
    store: Store
    database_url: str
    live: LiveCatalogue

    def sign_in(self, key: str | None = None) -> TestClient:
        """Sign this client in (the sign-in form's own token included); return it.

        The snapshot is brought up to date first, as a server following the database would,
        so what a test set up through the store shows.
        """
        self.live.refresh()
        page = self.client.get("/console/sign-in")
        token = SIGN_IN_TOKEN.search(page.text)
        assert token is not None
        answer = self.client.post(
            "/console/sign-in",
            data={"admin_key": key or self.admin_key, "sign_in_token": token.group(1)},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        return self.client

    def csrf(self, path: str = "/console/models") -> str:
        """The CSRF token the forms of a page carry."""
        found = CSRF.search(self.client.get(path).text)
        assert found is not None
        return found.group(1)


@contextmanager
def console_of(database_url: str, **settings: Any) -> Iterator[Console]:
    """The server app on a fresh catalogue with these settings, and an admin key."""
    store = open_store(database_url)
    initialize(store)
    admin_key = new_admin_key(store)
    server = Server(Settings(database_url=database_url, **settings), store)
    # The catalogue is loaded here rather than by the app's lifespan, which would also start
    # following other writers; every console change refreshes the snapshot itself.
    server.live.load()
    try:
        yield Console(TestClient(server.entry), admin_key, store, database_url, server.live)
    finally:
        store.close()


@pytest.fixture
def console(database_url: str) -> Iterator[Console]:
    with console_of(database_url) as made:
        yield made
