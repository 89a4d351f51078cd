"""`GET /v1/models` and `GET /v1/models/{model_id}`: the hot path, as one raw ASGI callable.

Every request is answered from the current snapshot without touching the database. The checks run
in the order of D10: route (404, 405, preflight) -> CORS -> authentication -> version -> beta ->
workspace -> query -> lookup. Framework-free because this route is what clients call most; the
rest of the server is a Starlette app (`wire/app.py`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote_to_bytes

from modeldir.catalogue.access import AccessRule
from modeldir.catalogue.render import render_page
from modeldir.catalogue.snapshot import Snapshot
from modeldir.ids import new_request_id_bytes
from modeldir.wire.asgi import Headers, Receive, Scope, Send
from modeldir.wire.errors import (
    ApiError,
    InternalServerError,
    InvalidRequestError,
    MethodNotAllowedError,
    NotFoundError,
    log_unexpected,
    render,
)
from modeldir.wire.headers import (
    PREFLIGHT_HEADERS,
    PREFLIGHT_METHOD,
    RequestHeaders,
    authenticate,
    check_betas,
    check_cors,
    check_version,
    check_workspace,
)
from modeldir.wire.list_query import parse_list_query
from modeldir.wire.rate_limits import LocalRateLimiter, RateLimiter
from modeldir.wire.response_headers import JSON, error_headers

LIST_PATH = b"/v1/models"
_RETRIEVE_PREFIX = b"/v1/models/"
CORS_RESPONSE = [(b"access-control-allow-origin", b"*"), (b"access-control-expose-headers", b"*")]


class SnapshotSource(Protocol):
    """Anything that holds the current snapshot (see `modeldir.live.LiveCatalogue`)."""

    @property
    def snapshot(self) -> Snapshot: ...


@dataclass(frozen=True, slots=True)
class WirePolicy:
    """The settings the hot path reads on every request."""

    accepted_versions: frozenset[bytes]
    known_betas: frozenset[str]


Response = tuple[int, Headers, bytes]


def is_models_path(path: str) -> bool:
    """Whether a request belongs to this endpoint rather than to the rest of the server."""
    return path == "/v1/models" or path.startswith("/v1/models/")


# List bodies kept per snapshot; past this many bytes the cache starts again.
PAGE_CACHE_BYTES = 64 * 1024 * 1024


class _Served:
    """What the endpoint keeps for one snapshot: encoded headers and the list bodies served.

    A list body is a pure function of the snapshot, the access rule and the query string, so
    it is rendered once and reused until the snapshot changes.
    """

    __slots__ = ("organization_header", "pages", "size", "snapshot")

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.organization_header = (b"anthropic-organization-id", snapshot.organization_id.encode())
        self.pages: dict[tuple[AccessRule, bytes], bytes] = {}
        self.size = 0

    def page(self, rule: AccessRule, query_string: bytes) -> bytes:
        """The list body for one rule and query (InvalidRequestError if the query is bad)."""
        key = (rule, query_string)
        body = self.pages.get(key)
        if body is None:
            body = _list(self.snapshot, rule, query_string)
            if self.size + len(body) > PAGE_CACHE_BYTES:
                self.pages.clear()
                self.size = 0
            self.pages[key] = body
            self.size += len(body)
        return body


class ModelsApi:
    """The ASGI app for the two Models endpoints."""

    def __init__(
        self,
        source: SnapshotSource,
        policy: WirePolicy,
        clock: Callable[[], float] = time.time,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.source = source
        self.policy = policy
        self.clock = clock
        self.limiter = limiter
        # Counting in this process never waits: call it directly rather than through a coroutine.
        self._count_now = limiter.check if isinstance(limiter, LocalRateLimiter) else None
        self._served: _Served | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = new_request_id_bytes()
        try:
            status, headers, body = await self.respond(scope, request_id)
        except Exception:
            log_unexpected(scope, request_id.decode())
            status, headers, body = self._failure(InternalServerError(), request_id)
        if status != 204:  # RFC 9110 §8.6: no Content-Length on a 204
            headers.append((b"content-length", b"%d" % len(body)))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _current(self) -> _Served:
        served = self._served
        snapshot = self.source.snapshot
        if served is None or served.snapshot is not snapshot:
            served = self._served = _Served(snapshot)
        return served

    async def respond(self, scope: Scope, request_id: bytes) -> Response:
        """Status, headers and body for one request (I/O only to a shared rate limiter)."""
        served = self._current()
        request = RequestHeaders.read(scope["headers"])
        headers = [(b"request-id", request_id), served.organization_header]
        if request.browser_opted_in:
            headers += CORS_RESPONSE
        try:
            model_id = _route(scope)
            method = scope["method"]
            if method != "GET":
                if method == "OPTIONS" and PREFLIGHT_METHOD in request:
                    return _preflight(headers, request)
                raise MethodNotAllowedError(headers={"allow": "GET, OPTIONS"})
            check_cors(request)
            now = self.clock()
            grant = authenticate(request, served.snapshot, now)
            headers.append((b"anthropic-workspace-id", grant.workspace_header))
            check_version(request, self.policy.accepted_versions)
            check_betas(request, self.policy.known_betas)
            check_workspace(request, grant)
            if self._count_now is not None:
                quota = self._count_now(grant, now)
            elif self.limiter is not None:
                quota = await self.limiter.acquire(grant, now)
            else:
                quota = None
            if quota is not None:
                headers += quota.headers()
            if model_id is None:
                body = served.page(grant.rule, scope["query_string"])
            else:
                entry = served.snapshot.find(model_id, grant.rule)
                if entry is None:
                    raise NotFoundError(f"model: {model_id}")
                body = entry.body()
        except ApiError as error:
            return self._failure(error, request_id, headers)
        headers.append(JSON)
        return 200, headers, body

    def _failure(
        self, error: ApiError, request_id: bytes, headers: Headers | None = None
    ) -> Response:
        if headers is None:
            headers = [(b"request-id", request_id), self._current().organization_header]
        headers += error_headers(error)
        return error.status, headers, render(error, request_id.decode())


def _route(scope: Scope) -> str | None:
    """None for the list, the decoded model id for retrieve; NotFoundError for anything else.

    Matches on the raw path so that `%2F` stays inside one segment: `/v1/models/a%2Fb` is the id
    `a/b`, while `/v1/models/a/b` is no route at all.
    """
    raw: bytes = scope.get("raw_path") or scope["path"].encode()
    raw = raw.partition(b"?")[0]
    if raw == LIST_PATH:
        return None
    if raw.startswith(_RETRIEVE_PREFIX):
        segment = raw[len(_RETRIEVE_PREFIX) :]
        if segment and b"/" not in segment:
            if b"%" not in segment:  # most ids: nothing to decode
                return segment.decode("utf-8", "replace")
            return unquote_to_bytes(segment).decode("utf-8", "replace")
    raise NotFoundError()


def _list(snapshot: Snapshot, rule: AccessRule, query_string: bytes) -> bytes:
    query = parse_list_query(query_string)
    after = before = None
    if query.after_id is not None:
        after = snapshot.cursor_key(query.after_id, rule)
        if after is None:
            raise InvalidRequestError(f"after_id: no model with id `{query.after_id}`")
    elif query.before_id is not None:
        before = snapshot.cursor_key(query.before_id, rule)
        if before is None:
            raise InvalidRequestError(f"before_id: no model with id `{query.before_id}`")
    page = snapshot.page(rule, query.lifecycle_mask, query.limit, after, before)
    return render_page(page.items, page.has_more)


def _preflight(headers: Headers, request: RequestHeaders) -> Response:
    """A CORS preflight: 204, any origin, GET, and whatever headers were asked for (D13)."""
    headers[:] = [h for h in headers if not h[0].startswith(b"access-control-")]
    headers += [
        (b"access-control-allow-origin", b"*"),
        (b"access-control-allow-methods", b"GET, OPTIONS"),
        (b"access-control-allow-headers", request.get(PREFLIGHT_HEADERS) or b"*"),
        (b"access-control-max-age", b"86400"),
    ]
    return 204, headers, b""
