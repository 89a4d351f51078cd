"""`GET /v1/models` and `GET /v1/models/{model_id}`: the hot path, read straight down.

Every request is answered from the current snapshot without touching the database, in the order
of D10, each step in its own module:

    headers (inbound.py) -> route (here: 404, 405, preflight) -> CORS, key, version, betas,
    workspace (admission.py) -> rate limit (rate_limits.py) -> query (list_query.py) -> the page
    or the model (catalogue/snapshot.py) -> bytes (catalogue/render.py)

Framework-free because this route is what clients call most; context.py gives each request its
id and is the last resort for anything unexpected.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from modeldir.catalogue.access import AccessRule
from modeldir.catalogue.pages import Cursor
from modeldir.catalogue.render import render_page
from modeldir.catalogue.snapshot import Snapshot
from modeldir.errors import ApiError, MethodNotAllowedError, NotFoundError
from modeldir.wire.admission import WirePolicy, admit
from modeldir.wire.context import SnapshotSource
from modeldir.wire.inbound import PREFLIGHT_HEADERS, PREFLIGHT_METHOD, RequestHeaders
from modeldir.wire.list_query import is_plain, parse_list_query
from modeldir.wire.rate_limits import LocalRateLimiter, RateLimiter
from modeldir.wire.responses import JSON, Response, error_response
from modeldir.wire.types import Headers, Scope

LIST_PATH = b"/v1/models"
_RETRIEVE_PREFIX = b"/v1/models/"
CORS_RESPONSE = [(b"access-control-allow-origin", b"*"), (b"access-control-expose-headers", b"*")]

# List bodies kept per snapshot: past this many bytes (keys included) or entries, the cache
# starts again. A hostile client can make it start again, never grow.
PAGE_CACHE_BYTES = 64 * 1024 * 1024
PAGE_CACHE_ENTRIES = 20_000


class _Served:
    """What the endpoint keeps for one snapshot: encoded headers and the list bodies served.

    A list body is a pure function of the snapshot, the access rule and the parsed query, so it
    is rendered once and reused until the snapshot changes. It is keyed by the parsed query;
    a plain query string (`limit=20&after_id=x`) also keys it as it is, so the common request
    skips even the parsing, while strings padded with other parameters make no entries.
    """

    __slots__ = ("organization_header", "pages", "size", "snapshot")

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.organization_header = (b"anthropic-organization-id", snapshot.organization_id.encode())
        self.pages: dict[tuple[AccessRule, object], bytes] = {}
        self.size = 0

    def page(self, rule: AccessRule, query_string: bytes) -> bytes:
        """The list body for one rule and query (InvalidRequestError if the query is bad)."""
        body = self.pages.get((rule, query_string))
        if body is not None:
            return body
        query = parse_list_query(query_string)
        body = self.pages.get((rule, query))
        if body is None:
            cursor = Cursor(query.after_id, query.before_id)
            page = self.snapshot.list_page(rule, query.lifecycle_mask, query.limit, cursor)
            body = render_page(page)
            cursors = len(query.after_id or "") + len(query.before_id or "")
            self._keep((rule, query), body, len(body) + cursors + 128)
        if is_plain(query_string):
            self._keep((rule, query_string), body, len(query_string) + 64)
        return body

    def _keep(self, key: tuple[AccessRule, object], body: bytes, cost: int) -> None:
        if self.size + cost > PAGE_CACHE_BYTES or len(self.pages) >= PAGE_CACHE_ENTRIES:
            self.pages.clear()
            self.size = 0
        self.pages[key] = body
        self.size += cost


class ModelsApi:
    """The two Models endpoints: a whole response for each request."""

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
            now = self.clock()
            grant = admit(request, served.snapshot, now, self.policy)
            headers.append((b"anthropic-workspace-id", grant.workspace_header))
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
            return error_response(error, request_id, headers)
        headers.append(JSON)
        return 200, headers, body


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
