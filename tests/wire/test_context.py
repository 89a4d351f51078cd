"""The way in: one request id per request, D15's headers everywhere, one last resort.

Whatever half of the server answers, and however it fails, the client gets the API's envelope
with a `request-id` that matches the header, and the server goes on serving.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from modeldir.wire.admission import WirePolicy
from modeldir.wire.app import off_the_hot_path
from modeldir.wire.context import RequestContext
from modeldir.wire.models_api import ModelsApi
from tests.factories import model, snapshot
from tests.wire.inprocess import VERSIONS, Holder

ORGANIZATION = "00000000-0000-4000-8000-000000000000"


async def _boom(request: Request) -> Response:
    raise RuntimeError("disk on fire")


async def _fine(request: Request) -> Response:
    return Response(b'{"ok":true}', media_type="application/json")


def app() -> RequestContext:
    source = Holder(snapshot([model("m")]))
    models_api = ModelsApi(source, WirePolicy(VERSIONS, frozenset()))
    rest = off_the_hot_path([Route("/boom", _boom), Route("/fine", _fine)])
    return RequestContext(models_api.respond, rest, source)


def get(target: RequestContext, path: str, **headers: str) -> httpx.Response:
    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=target, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://modeldir") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(run())


def assert_envelope(response: httpx.Response, status: int, error_type: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert list(body) == ["type", "error", "request_id"] and body["type"] == "error"
    assert body["error"]["type"] == error_type
    assert body["request_id"] == response.headers["request-id"]
    assert response.headers["anthropic-organization-id"] == ORGANIZATION
    return body


def test_a_failure_off_the_hot_path_is_a_logged_500_envelope(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="modeldir.wire"):
        response = get(app(), "/boom")
    body = assert_envelope(response, 500, "api_error")
    assert body["error"]["message"] == "Internal server error"
    assert response.headers["x-should-retry"] == "true"
    assert "disk on fire" not in response.text
    logged = [r for r in caplog.records if body["request_id"] in r.getMessage()]
    assert logged and logged[0].exc_info is not None


def test_unknown_paths_and_methods_answer_in_the_envelope() -> None:
    assert_envelope(get(app(), "/nowhere"), 404, "not_found_error")


def test_every_answer_carries_its_own_request_id() -> None:
    target = app()
    ids = set()
    for path in ("/fine", "/v1/models", "/boom", "/nowhere"):
        response = get(target, path, **{"x-api-key": "sk-all", "anthropic-version": "2023-06-01"})
        request_id = response.headers["request-id"]
        assert request_id.startswith("req_01") and len(request_id) == 28
        assert response.headers["anthropic-organization-id"] == ORGANIZATION
        ids.add(request_id)
    assert len(ids) == 4


def test_the_server_goes_on_after_a_failure() -> None:
    target = app()
    assert get(target, "/boom").status_code == 500
    assert get(target, "/fine").json() == {"ok": True}


def test_http_1_1_without_a_host_is_a_400_envelope() -> None:
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "path": "/fine",
        "raw_path": b"/fine",
        "query_string": b"",
        "headers": [(b"x-api-key", b"sk-all")],
    }
    asyncio.run(app()(scope, None, send))  # type: ignore[arg-type]
    start, body = sent
    assert start["status"] == 400
    envelope = json.loads(body["body"])
    assert envelope["error"]["message"] == "HTTP/1.1 requests must carry a Host header"
    assert dict(start["headers"])[b"request-id"].decode() == envelope["request_id"]
    sent.clear()
    asyncio.run(app()({**scope, "http_version": "1.0"}, None, send))  # type: ignore[arg-type]
    assert sent[0]["status"] == 200  # HTTP/1.0 has no Host requirement
