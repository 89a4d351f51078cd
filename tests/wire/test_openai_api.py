"""The OpenAI-format view in-process: shapes, visibility, ownership and OpenAI's error envelope.

Expected values are written out here: the ids in list order, epoch seconds worked out by hand,
the envelope's four keys.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from modeldir.catalogue.records import AliasRecord
from modeldir.wire.context import RequestContext
from modeldir.wire.openai_api import OpenAIApi
from tests.factories import BASE, DAY, api_key, model, snapshot, workspace
from tests.wire.inprocess import Holder, Reply, finish

SNAP = snapshot(
    [
        model("claude-x-1", 3),
        model("own-1", 2, "deprecated"),
        model("old-1", 1, "retired"),
        model("claude-hidden", 0),
    ],
    aliases=[AliasRecord("claude-x", "claude-x-1", listed=True), AliasRecord("x", "claude-x-1")],
    workspaces=[workspace("wrkspc_all"), workspace("wrkspc_x", ("claude-x-*", "own-*"))],
    keys=[api_key("k1", "wrkspc_all", "sk-all"), api_key("k2", "wrkspc_x", "sk-x")],
)
BEARER = {"authorization": "Bearer sk-all"}


def call(path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Reply:
    api = OpenAIApi(Holder(SNAP), anthropic_models=frozenset({"claude-x-1", "claude-hidden"}))
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [
            (k.encode(), v.encode()) for k, v in (BEARER if headers is None else headers).items()
        ],
    }
    status, raw, body = finish(api.respond(scope, b"req_01test"))
    return Reply(status, [(k.decode(), v.decode()) for k, v in raw], body)


def obj(model_id: str, day: int, owner: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": BASE + day * DAY, "owned_by": owner}


def test_the_list_is_every_visible_active_or_deprecated_model_newest_first() -> None:
    reply = call("/openai/v1/models")
    assert reply.status == 200 and reply.header("content-type") == "application/json"
    assert reply.json == {
        "object": "list",
        "data": [
            obj("claude-x", 3, "anthropic"),
            obj("claude-x-1", 3, "anthropic"),
            obj("own-1", 2, "organization"),
            obj("claude-hidden", 0, "anthropic"),
        ],
    }


def test_a_workspace_sees_only_what_its_patterns_allow() -> None:
    reply = call("/openai/v1/models", {"x-api-key": "sk-x"})
    assert [m["id"] for m in reply.json["data"]] == ["claude-x", "claude-x-1", "own-1"]
    assert call("/openai/v1/models/claude-hidden", {"x-api-key": "sk-x"}).status == 404


def test_retrieve_by_alias_names_the_model() -> None:
    assert call("/openai/v1/models/x").json == obj("claude-x-1", 3, "anthropic")


@pytest.mark.parametrize("missing", ["old-1", "nope"])
def test_retired_and_missing_models_are_404_model_not_found(missing: str) -> None:
    reply = call(f"/openai/v1/models/{missing}")
    assert reply.status == 404
    assert reply.json == {
        "error": {
            "message": f"The model `{missing}` does not exist",
            "type": "invalid_request_error",
            "param": None,
            "code": "model_not_found",
        }
    }


@pytest.mark.parametrize(
    "headers", [{"authorization": "Bearer sk-wrong"}, {"x-api-key": "sk-wrong"}, {}]
)
def test_a_bad_key_is_401_invalid_api_key(headers: dict[str, str]) -> None:
    reply = call("/openai/v1/models", headers)
    assert reply.status == 401
    assert set(reply.json["error"]) == {"message", "type", "param", "code"}
    assert reply.json["error"]["code"] == "invalid_api_key"
    assert reply.header("x-should-retry") == "false"


def test_other_methods_are_405() -> None:
    reply = call("/openai/v1/models", method="POST")
    assert reply.status == 405 and reply.header("allow") == "GET"
    assert reply.json["error"]["code"] == "method_not_allowed"


def test_every_answer_carries_the_request_id_both_ways() -> None:
    for reply in (call("/openai/v1/models"), call("/openai/v1/models/nope")):
        assert reply.header("request-id") == reply.header("x-request-id") == "req_01test"


def test_the_list_body_is_kept_per_snapshot_and_rule() -> None:
    api = OpenAIApi(Holder(SNAP), anthropic_models=frozenset())
    first = api._list(SNAP, SNAP.views[next(iter(SNAP.views))].rule)
    again = api._list(SNAP, SNAP.views[next(iter(SNAP.views))].rule)
    assert first is again and orjson.loads(first)["object"] == "list"


def _context(openai_on_models: bool) -> RequestContext:
    openai = OpenAIApi(Holder(SNAP), anthropic_models=frozenset())

    async def models_api(scope: Any, request_id: bytes) -> Any:
        return 200, [], b'{"from":"models api"}'

    return RequestContext(
        models_api,
        models_api,
        Holder(SNAP),
        openai=openai.respond,  # type: ignore[arg-type]
        openai_on_models=openai_on_models,
    )


def _through(context: RequestContext, path: str, headers: dict[str, str]) -> bytes:
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }
    finish(context(scope, None, send))  # type: ignore[arg-type]
    return bytes(sent[1]["body"])


def test_v1_models_answers_openais_way_only_when_asked_to_and_asked_so() -> None:
    on, off = _context(True), _context(False)
    assert orjson.loads(_through(on, "/v1/models", BEARER))["object"] == "list"
    with_version = {**BEARER, "anthropic-version": "2023-06-01"}
    assert _through(on, "/v1/models", with_version) == b'{"from":"models api"}'
    assert _through(on, "/v1/models", {"x-api-key": "sk-all"}) == b'{"from":"models api"}'
    assert _through(off, "/v1/models", BEARER) == b'{"from":"models api"}'
    assert orjson.loads(_through(off, "/openai/v1/models", BEARER))["object"] == "list"
