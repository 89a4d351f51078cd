"""Failures answered in the envelope: a database that is gone, bodies too large, numbers too long.

Each asserts what the client sees (status, error type, `request-id`, `x-should-retry`) and that
nothing is lost: the Models API keeps answering from its snapshot while the database is away,
and the admin API works again once it is back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from modeldir.admin.bootstrap import initialize
from modeldir.store import open_store
from tests.support.admin import new_admin_key, new_key
from tests.support.server import ServerProcess
from tests.support.services import POSTGRES_ADMIN_URL, fresh_postgres_database

VERSION = {"anthropic-version": "2023-06-01"}


def envelope(response: httpx.Response, status: int, error_type: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == error_type
    assert body["request_id"] == response.headers["request-id"]
    return str(body["error"]["message"])


def started(database_url: str, folder: Path, **env: str) -> tuple[ServerProcess, str, str]:
    store = open_store(database_url)
    initialize(store)
    admin_key, key = new_admin_key(store), new_key(store)
    store.close()
    return ServerProcess(database_url, folder / "server.log", env=env).start(), admin_key, key


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


def _allow_connections(url: str, allowed: bool) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}')  # type: ignore[arg-type]
        if not allowed:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )


def test_a_database_that_is_gone_is_a_retryable_503(postgres_url: str, tmp_path: Path) -> None:
    server, admin_key, key = started(postgres_url, tmp_path)
    admin = httpx.Client(
        base_url=f"{server.base_url}/v1/organizations", headers={"x-api-key": admin_key, **VERSION}
    )
    try:
        assert admin.post("/workspaces", json={"name": "before"}).status_code == 200
        _allow_connections(postgres_url, False)
        try:
            response = admin.post("/workspaces", json={"name": "while-away"})
            message = envelope(response, 503, "api_error")
            assert "database is unavailable" in message
            assert response.headers["x-should-retry"] == "true"
            models = httpx.get(
                f"{server.base_url}/v1/models", headers={"x-api-key": key, **VERSION}
            )
            assert models.status_code == 200  # reads never needed the database
        finally:
            _allow_connections(postgres_url, True)
        assert admin.post("/workspaces", json={"name": "after"}).status_code == 200
    finally:
        admin.close()
        server.stop()


def test_a_body_over_the_limit_is_a_413(database_url: str, tmp_path: Path) -> None:
    server, admin_key, _key = started(database_url, tmp_path, MODELDIR_MAX_BODY_BYTES="2048")
    headers = {"x-api-key": admin_key, **VERSION, "content-type": "application/json"}
    url = f"{server.base_url}/v1/organizations/catalogue/import"
    try:
        big = b'{"models": [' + b" " * 4096 + b"]}"
        declared = httpx.post(url, content=big, headers=headers)
        assert "larger than 2,048 bytes" in envelope(declared, 413, "request_too_large")
        streamed = httpx.post(url, content=iter([big[:1500], big[1500:]]), headers=headers)
        envelope(streamed, 413, "request_too_large")  # counted as it arrives
        assert httpx.post(url, content=b'{"models": []}', headers=headers).status_code == 200
    finally:
        server.stop()


def test_a_number_too_long_to_read_is_a_400(database_url: str, tmp_path: Path) -> None:
    server, admin_key, _key = started(database_url, tmp_path)
    try:
        body = b"models:\n  - id: m\n    max_tokens: " + b"9" * 5000 + b"\n"
        response = httpx.post(
            f"{server.base_url}/v1/organizations/catalogue/import",
            content=body,
            headers={"x-api-key": admin_key, **VERSION, "content-type": "application/yaml"},
        )
        assert "The request body" in envelope(response, 400, "invalid_request_error")
    finally:
        server.stop()
