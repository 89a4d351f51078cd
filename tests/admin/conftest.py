"""A live server per backend for the admin API tests, apart from the Models API tests' one,
because these tests change the catalogue."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from modeldir.admin.bootstrap import initialize
from modeldir.store import Store
from tests.conftest import BACKENDS, seeded_server
from tests.support.admin import new_admin_key, new_key
from tests.support.server import ServerProcess

REQUEST_ID = re.compile(r"^req_01[1-9A-HJ-NP-Za-km-z]{22}$")


@dataclass(frozen=True)
class Site:
    backend: str
    base_url: str
    database_url: str
    admin_key: str
    api_key: str
    default_workspace_id: str
    server: ServerProcess

    def admin(self, key: str | None = None) -> httpx.Client:
        """An admin API client (x-api-key, version 2023-06-01)."""
        return httpx.Client(
            base_url=f"{self.base_url}/v1/organizations",
            headers={"x-api-key": key or self.admin_key, "anthropic-version": "2023-06-01"},
        )

    def models_api(self, key: str) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.base_url}/v1",
            headers={"x-api-key": key, "anthropic-version": "2023-06-01"},
        )


def _site_seed(store: Store) -> tuple[str, str, str]:
    init = initialize(store)
    return new_admin_key(store), new_key(store, name="site key"), init.default_workspace.id


@pytest.fixture(scope="session", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp(f"admin-{request.param}")
    with seeded_server(request.param, folder, _site_seed) as (server, url, seeded):
        yield Site(request.param, server.base_url, url, *seeded, server)


@pytest.fixture
def admin(site: Site) -> Iterator[httpx.Client]:
    with site.admin() as client:
        yield client


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert REQUEST_ID.match(response.headers["request-id"])
    return response.json()


def error(
    response: httpx.Response, status: int, error_type: str, message: str | None = None
) -> str:
    """Assert the envelope and return its message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == error_type, body
    assert (
        REQUEST_ID.match(body["request_id"])
        and response.headers["request-id"] == body["request_id"]
    )
    if message is not None:
        assert body["error"]["message"] == message
    return str(body["error"]["message"])


def walk(
    client: httpx.Client, path: str, params: dict[str, Any], backwards_from: str | None = None
) -> list[str]:
    """Follow a list to its end as the SDKs do; returns the ids in the order seen."""
    seen: list[str] = []
    cursor = {"before_id": backwards_from} if backwards_from else {}
    while True:
        page = ok(client.get(path, params={**params, **cursor}))
        seen += [item["id"] for item in page["data"]]
        if not page["has_more"] or not page["data"]:
            return seen
        cursor = (
            {"before_id": page["first_id"]} if backwards_from else {"after_id": page["last_id"]}
        )
