"""Hostile input against every parser a request meets: never a 5xx, always the envelope.

The parsers: the query string (list and retrieve), the headers (version, betas, keys), the
path, and admin bodies (JSON and YAML, with their numbers, nesting and aliases) and admin
queries. Two ways in:
- `hostile_corpus.json` holds inputs that broke servers like this one, or nearly did (a limit
  past Python's integer-string limit, a billion laughs in YAML, JSON nested 100,000 deep...).
  Every entry is replayed on every run. A field given as `[[text, times], ...]` is those texts
  repeated and joined, so a 60 KB input stays one line of the file. Add what a fuzz run finds.
- hypothesis then generates more of the same kinds.

The invariant (the oracle, written here): a status below 500; an error is the envelope with
the error type its status has, its `request_id` equal to the `request-id` header, and an
`x-should-retry` header.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modeldir.admin.bootstrap import initialize
from modeldir.store import open_store
from tests.support.admin import new_admin_key, new_key
from tests.support.server import ServerProcess

CORPUS = json.loads((Path(__file__).parent / "hostile_corpus.json").read_text())
VERSION = "2023-06-01"
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    409: "conflict_error",
    413: "request_too_large",
    429: "rate_limit_error",
}


def expand(value: Any) -> Any:
    """A corpus field: a string as is, or `[[text, times], ...]` joined."""
    if isinstance(value, list):
        return "".join(text * times for text, times in value)
    return value


def assert_answered_safely(response: httpx.Response) -> None:
    """The invariant every answer to hostile input must keep."""
    assert response.status_code < 500, response.text[:500]
    if response.status_code < 400:
        return
    body = response.json()
    if response.url.path.startswith("/openai/"):  # OpenAI's envelope, for OpenAI's clients
        assert set(body) == {"error"}
        assert set(body["error"]) == {"message", "type", "param", "code"}
        assert body["error"]["message"] and body["error"]["type"]
        assert response.headers["request-id"]
        return
    assert body["type"] == "error"
    assert body["error"]["type"] == ERROR_TYPES[response.status_code]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert body["request_id"] == response.headers["request-id"]
    assert response.headers["x-should-retry"] in ("true", "false")


class Target:
    """A server of its own (admin writes change it), with a key and an admin key."""

    def __init__(self, folder: Path) -> None:
        url = f"sqlite:///{folder / 'hostile.db'}"
        store = open_store(url)
        initialize(store)
        self.key, self.admin_key = new_key(store), new_admin_key(store)
        store.close()
        self.server = ServerProcess(url, folder / "server.log").start()
        self.client = httpx.Client(base_url=self.server.base_url, timeout=60)

    def send(
        self,
        target: str,
        *,
        method: str = "GET",
        admin: bool = False,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> httpx.Response:
        sent = {
            "x-api-key": self.admin_key if admin else self.key,
            "anthropic-version": VERSION,
            **(headers or {}),
        }
        if content_type is not None:
            sent["content-type"] = content_type
        # The target goes as written: httpx must not re-encode what the corpus encoded.
        request = self.client.build_request(method, target, headers=sent, content=body)
        request.url = httpx.URL(self.server.base_url + target)
        return self.client.send(request)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    made = Target(tmp_path_factory.mktemp("hostile"))
    try:
        yield made
    finally:
        made.client.close()
        made.server.stop()


@pytest.mark.parametrize("case", CORPUS, ids=[c["why"] for c in CORPUS])
def test_the_saved_corpus_is_answered_safely(target: Target, case: dict[str, Any]) -> None:
    body = bytes.fromhex(case["body_hex"]) if "body_hex" in case else None
    if "body" in case:
        body = expand(case["body"]).encode()
    response = target.send(
        expand(case["target"]),
        method=case.get("method", "POST" if body is not None else "GET"),
        admin=case.get("admin", False),
        headers={name: expand(value) for name, value in case.get("headers", {}).items()},
        body=body,
        content_type=case.get("content_type"),
    )
    assert_answered_safely(response)


# ---- generated ---------------------------------------------------------------------------------

LIST_PARAMETERS = ["limit", "before_id", "after_id", "lifecycle[]", "lifecycle", "beta", "x"]
texts = st.text(max_size=300) | st.from_regex(r"-?[0-9]{1,5000}", fullmatch=True)
query_strings = st.lists(st.tuples(st.sampled_from(LIST_PARAMETERS), texts), max_size=8).map(
    lambda pairs: "&".join(f"{quote(name)}={quote(value)}" for name, value in pairs)
)
header_values = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=2000
).map(str.strip)  # HTTP drops a value's outer spaces; clients refuse to send them
headers = st.dictionaries(
    st.sampled_from(["anthropic-version", "anthropic-beta", "x-api-key", "authorization"]),
    header_values,
    max_size=4,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=20), inner),
    max_leaves=30,
)
admin_fields = st.fixed_dictionaries(
    {},
    optional={
        "name": json_values,
        "model_access": json_values,
        "requests_per_minute": json_values,
        "key_requests_per_minute": json_values,
        "status": json_values,
    },
)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(query=query_strings, model=st.text(max_size=300), sent=headers)
def test_generated_models_api_requests_are_answered_safely(
    target: Target, query: str, model: str, sent: dict[str, str]
) -> None:
    assert_answered_safely(target.send(f"/v1/models?{query}", headers=sent))
    assert_answered_safely(target.send(f"/v1/models/{quote(model, safe='')}?{query}"))
    assert_answered_safely(target.send(f"/openai/v1/models/{quote(model, safe='')}"))


@FUZZ
@given(fields=admin_fields, as_yaml=st.booleans(), raw=st.binary(max_size=200))
def test_generated_admin_bodies_are_answered_safely(
    target: Target, fields: dict[str, Any], as_yaml: bool, raw: bytes
) -> None:
    content_type = "application/yaml" if as_yaml else "application/json"
    body = json.dumps(fields).encode()  # JSON is YAML too
    for sent in (body, raw):
        response = target.send(
            "/v1/organizations/workspaces",
            method="POST",
            admin=True,
            body=sent,
            content_type=content_type,
        )
        assert_answered_safely(response)
