"""Calling the Models API in-process, without a socket: fast enough for property tests."""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote

import orjson

from modeldir.catalogue.snapshot import Snapshot
from modeldir.wire.admission import WirePolicy
from modeldir.wire.betas import KNOWN_BETAS
from modeldir.wire.models_api import ModelsApi

T = TypeVar("T")
VERSIONS = frozenset({b"2023-01-01", b"2023-06-01", b"2026-10-21"})
GOOD = {"x-api-key": "sk-all", "anthropic-version": "2023-06-01"}


@dataclass
class Holder:
    snapshot: Snapshot


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name]
        return ", ".join(values) if values else None


def finish(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never waits (no shared rate limiter): cheaper than an event loop."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()
    raise RuntimeError("the request waited on I/O")


def api_for(snapshot: Snapshot, now: float = 0.0) -> ModelsApi:
    return ModelsApi(Holder(snapshot), WirePolicy(VERSIONS, KNOWN_BETAS), clock=lambda: now)


def call(
    api: ModelsApi,
    target: str,
    headers: dict[str, str] | list[tuple[str, str]] | None = None,
    method: str = "GET",
) -> Reply:
    """One request; `target` is the raw path and query, exactly as sent on the wire."""
    path, _, query = target.partition("?")
    pairs = (
        list((GOOD if headers is None else headers).items())
        if not isinstance(headers, list)
        else headers
    )
    scope = {
        "type": "http",
        "method": method,
        "path": unquote(path),
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in pairs],
    }
    status, raw_headers, body = finish(api.respond(scope, b"req_01test"))
    return Reply(status, [(k.decode(), v.decode()) for k, v in raw_headers], body)
