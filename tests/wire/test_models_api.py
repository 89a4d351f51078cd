"""The hot path in-process: failures that cannot be provoked from outside."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
import pytest

from modeldir.catalogue.snapshot import Snapshot
from modeldir.wire.admission import WirePolicy
from modeldir.wire.context import RequestContext
from modeldir.wire.models_api import ModelsApi
from tests.factories import model, snapshot
from tests.wire.inprocess import VERSIONS


class Flaky:
    """A snapshot source whose first read blows up."""

    def __init__(self, good: Snapshot) -> None:
        self.good = good
        self.reads = 0

    @property
    def snapshot(self) -> Snapshot:
        self.reads += 1
        if self.reads == 1:
            raise RuntimeError("disk on fire")
        return self.good


def request(api: RequestContext) -> tuple[int, dict[bytes, bytes], Any]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/v1/models",
        "raw_path": b"/v1/models",
        "query_string": b"",
        "headers": [(b"x-api-key", b"sk-all"), (b"anthropic-version", b"2023-06-01")],
    }
    asyncio.run(api(scope, receive, send))  # type: ignore[arg-type]
    start, body = sent
    return start["status"], dict(start["headers"]), orjson.loads(body["body"])


def test_an_unexpected_exception_is_a_logged_500_and_the_server_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = Flaky(snapshot([model("m")]))
    models_api = ModelsApi(source, WirePolicy(VERSIONS, frozenset()))
    api = RequestContext(models_api.respond, rest=models_api.respond, source=source)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="modeldir.wire"):
        status, headers, body = request(api)
    assert status == 500
    assert body["error"] == {"type": "api_error", "message": "Internal server error"}
    assert headers[b"request-id"].decode() == body["request_id"]
    assert headers[b"x-should-retry"] == b"true"
    assert headers[b"content-type"] == b"application/json"
    assert "disk on fire" not in orjson.dumps(body).decode()
    logged = [r for r in caplog.records if body["request_id"] in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    status, _, body = request(api)
    assert status == 200 and body["data"][0]["id"] == "m"


def test_padding_a_list_query_makes_no_new_cache_entries() -> None:
    """Parameters that do not change the body never key the page cache (WIRE D20: ignored)."""
    from tests.wire.inprocess import api_for, call

    api = api_for(snapshot([model(f"m{i}", i) for i in range(30)]))
    plain = call(api, "/v1/models?limit=2")
    assert plain.status == 200
    for n in range(2_000):
        padded = call(api, f"/v1/models?limit=2&pad={n:05d}{'x' * 200}")
        assert padded.body == plain.body
    served = api._current()
    assert len(served.pages) <= 2  # the parsed query, and the plain string itself
    assert served.size < 10_000


def test_hidden_models_are_not_named_in_fallback_lists() -> None:
    """Hidden means absent: a workspace sees only visible models in `allowed_fallback_models`."""
    from fnmatch import fnmatchcase

    from modeldir.admin.bootstrap import bundled_document
    from modeldir.catalogue.records import ModelRecord
    from tests.factories import api_key, workspace
    from tests.wire.inprocess import api_for, call

    records = [ModelRecord.from_info(info) for info in bundled_document().models]
    opus_only = snapshot(
        records,
        workspaces=[workspace("w-all"), workspace("w-opus", ("claude-opus-*",))],
        keys=[api_key("k-all", "w-all", "sk-all"), api_key("k-opus", "w-opus", "sk-opus")],
    )
    api = api_for(opus_only)

    def listed(secret: str) -> list[dict[str, Any]]:
        headers = {"x-api-key": secret, "anthropic-version": "2023-06-01"}
        reply = call(
            api,
            "/v1/models?limit=1000&lifecycle[]=active&lifecycle[]=deprecated&lifecycle[]=retired",
            headers,
        )
        assert reply.status == 200
        return list(reply.json["data"])

    everything = {m["id"]: m for m in listed("sk-all")}
    named_elsewhere = [
        m
        for m in everything.values()
        if fnmatchcase(m["id"], "claude-opus-*")
        and any(not fnmatchcase(f, "claude-opus-*") for f in m["allowed_fallback_models"] or [])
    ]
    assert named_elsewhere, "the bundled catalogue should have an opus model naming another line"
    for seen in listed("sk-opus"):
        assert fnmatchcase(seen["id"], "claude-opus-*")
        full = everything[seen["id"]]["allowed_fallback_models"]
        expected = None if full is None else [f for f in full if fnmatchcase(f, "claude-opus-*")]
        assert seen["allowed_fallback_models"] == expected
        headers = {"x-api-key": "sk-opus", "anthropic-version": "2023-06-01"}
        retrieved = call(api, f"/v1/models/{seen['id']}", headers)
        assert retrieved.json == seen
