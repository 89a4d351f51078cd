"""The way into the server: every request is given its id here, and fails safely here.

`RequestContext` is the outermost ASGI callable. For each request it mints the `request-id`
(the only place that does), sends `/v1/models*` to the Models API and everything else to the
Starlette app, adds D15's headers to whatever that app answers, and is the one last resort: an
exception nothing else handled is logged with the request id and answered with a 500 envelope,
and the server keeps serving.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from modeldir.catalogue.snapshot import Snapshot
from modeldir.errors import (
    ApiError,
    InternalServerError,
    InvalidRequestError,
    ServiceUnavailableError,
)
from modeldir.ids import new_request_id_bytes
from modeldir.store import unavailable
from modeldir.wire.draining import CLOSE, Drain
from modeldir.wire.inbound import AUTHORIZATION, VERSION, RequestHeaders
from modeldir.wire.logs import log_request
from modeldir.wire.request_counts import RequestCounts
from modeldir.wire.responses import Response, error_response, identity_headers, with_length
from modeldir.wire.types import ASGIApp, Headers, Message, Receive, Scope, Send

logger = logging.getLogger("modeldir.wire")

DATABASE_UNAVAILABLE = "The catalogue database is unavailable right now; try again shortly."
STATE_REQUEST_ID = "request_id"
"""Where the Starlette app finds the request id: `request.state.request_id` (a str)."""


class SnapshotSource(Protocol):
    """Anything that holds the current snapshot (see `modeldir.live.LiveCatalogue`)."""

    @property
    def snapshot(self) -> Snapshot: ...


class Freshness(Protocol):
    """Whether this worker lags a write another worker answered (see `modeldir.live`)."""

    def behind(self) -> bool: ...

    async def catch_up(self) -> None: ...


Responder = Callable[[Scope, bytes], Awaitable[Response]]
"""A handler that answers with a whole response at once (the Models API)."""


RAW_ROUTES: dict[str, tuple[str, ...]] = {
    "/v1/models": ("GET",),
    "/v1/models/{model_id}": ("GET",),
    "/openai/v1/models": ("GET",),
    "/openai/v1/models/{model}": ("GET",),
}
"""The paths answered here rather than by the Starlette app (as OpenAPI templates), and the
methods they serve: `is_models_path` and `is_openai_path` say which requests they are."""


def is_openai_path(path: str) -> bool:
    """Whether a request belongs to the OpenAI-format view (`wire/openai_api.py`)."""
    return path == "/openai/v1/models" or path.startswith("/openai/v1/models/")


def wants_openai(scope: Scope) -> bool:
    """A `/v1/models` request made OpenAI's way: a bearer token and no `anthropic-version`."""
    headers = RequestHeaders.read(scope["headers"])
    token = headers.get(AUTHORIZATION, b"")
    return VERSION not in headers and token[:7].lower() == b"bearer "


def is_models_path(path: str) -> bool:
    """Whether a request belongs to the Models API rather than to the rest of the server."""
    return path == "/v1/models" or path.startswith("/v1/models/")


class RequestContext:
    """The ASGI application modeldir serves, around its two halves."""

    def __init__(
        self,
        models_api: Responder,
        rest: ASGIApp,
        source: SnapshotSource,
        *,
        openai: Responder | None = None,
        openai_on_models: bool = False,
        access_log: bool = False,
        freshness: Freshness | None = None,
        drain: Drain | None = None,
        counts: RequestCounts | None = None,
    ) -> None:
        self.models_api = models_api
        self.rest = rest
        self.source = source
        self.openai = openai
        """The OpenAI-format view (`/openai/v1/models*`), when served."""
        self.openai_on_models = openai_on_models
        """Whether `/v1/models` answers OpenAI's way to a request made OpenAI's way."""
        self.access_log = access_log
        self.freshness = freshness
        """Set with several workers: each request first catches up with their writes."""
        self.drain = drain
        """While it is active, every response closes its connection."""
        self.counts = counts
        """Where each answered request is counted, for the metrics (`wire/metrics.py`)."""
        self._timed = access_log or counts is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan: the Starlette app starts and stops the server
            await self.rest(scope, receive, send)
            return
        request_id = new_request_id_bytes()
        started = time.perf_counter() if self._timed else 0.0
        if self.freshness is not None and self.freshness.behind():
            await self.freshness.catch_up()
        responder = self._responder(scope)
        if scope.get("http_version") == "1.1" and not _has_host(scope):
            response = error_response(
                InvalidRequestError("HTTP/1.1 requests must carry a Host header"),
                request_id,
                self._common_headers(request_id),
            )
            await _send(send, response)
            status, workspace = response[0], None
        elif responder is None:
            status, workspace = await self._rest(scope, receive, send, request_id)
        else:
            try:
                response = await responder(scope, request_id)
            except Exception:
                response = self._unexpected(scope, request_id)
            if self.drain is not None and self.drain.active:
                response[1].append(CLOSE)
            await _send(send, response)
            status = response[0]
            workspace = _workspace(response[1]) if self.access_log else None
        if self.counts is not None:
            self.counts.record(scope, status, time.perf_counter() - started)
        if self.access_log:
            log_request(request_id, scope["method"], scope["path"], status, started, workspace)

    def _responder(self, scope: Scope) -> Responder | None:
        """Which raw endpoint answers this request; None: the Starlette app does."""
        path = scope["path"]
        if is_models_path(path):
            if self.openai is not None and self.openai_on_models and wants_openai(scope):
                return self.openai
            return self.models_api
        if self.openai is not None and is_openai_path(path):
            return self.openai
        return None

    async def _rest(
        self, scope: Scope, receive: Receive, send: Send, request_id: bytes
    ) -> tuple[int, bytes | None]:
        """Let the Starlette app answer; the status it answered and the workspace, if named."""
        scope.setdefault("state", {})[STATE_REQUEST_ID] = request_id.decode()
        common = self._common_headers(request_id)
        started = False
        status = 500
        workspace = None

        async def send_with_headers(message: Message) -> None:
            nonlocal started, status, workspace
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *common]
                workspace = _workspace(message["headers"])
            await send(message)

        try:
            await self.rest(scope, receive, send_with_headers)
        except Exception:
            response = self._unexpected(scope, request_id)
            if started:  # too late for an envelope: the server closes the connection
                raise
            await _send(send, response)
            status = response[0]
        return status, workspace

    def _common_headers(self, request_id: bytes) -> Headers:
        """What every response off the hot path carries: identity, and a close while draining."""
        headers = identity_headers(request_id, self.source.snapshot.organization_id)
        if self.drain is not None and self.drain.active:
            headers.append(CLOSE)
        return headers

    def _unexpected(self, scope: Scope, request_id: bytes) -> Response:
        """The last resort: log the exception being handled, answer the envelope.

        A database that cannot be reached or written is a retryable 503; anything else a bare
        500, logged with the request id.
        """
        failure = sys.exc_info()[1]
        error: ApiError
        if failure is not None and unavailable(failure):
            logger.warning(
                "database unavailable on %s %s request_id=%s: %s",
                scope["method"],
                scope["path"],
                request_id.decode(),
                str(failure).splitlines()[0],
            )
            error = ServiceUnavailableError(DATABASE_UNAVAILABLE)
        else:
            logger.exception(
                "unexpected error on %s %s request_id=%s",
                scope["method"],
                scope["path"],
                request_id.decode(),
            )
            error = InternalServerError()
        return error_response(error, request_id, self._common_headers(request_id))


def _workspace(headers: Headers) -> bytes | None:
    """The workspace a response names, for the access log."""
    for name, value in headers:
        if name == b"anthropic-workspace-id":
            return value
    return None


def _has_host(scope: Scope) -> bool:
    # A plain loop, not any(): the Host header usually comes first, and this runs per request.
    for name, _ in scope["headers"]:  # noqa: SIM110
        if name == b"host":
            return True
    return False


async def _send(send: Send, response: Response) -> None:
    status, headers, body = with_length(response)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
