"""The whole HTTP server: the Models API's hot path plus a Starlette app for everything else.

    /v1/models, /v1/models/{id}   -> ModelsApi (raw ASGI, answered from the snapshot)
    anything else                 -> Starlette: /openapi.json, /healthz, /readyz, 404s

Both halves answer failures in the API's envelope with a `request-id` (D15, D16, D21).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from functools import cached_property
from importlib import resources

import anyio.to_thread
import orjson
import yaml
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from modeldir.admin.api import AdminApi
from modeldir.admin.bootstrap import initialize
from modeldir.ids import new_request_id
from modeldir.live import LiveCatalogue
from modeldir.settings import Settings
from modeldir.store import Store, open_store
from modeldir.wire.asgi import Message, Receive, Scope, Send
from modeldir.wire.betas import KNOWN_BETAS
from modeldir.wire.errors import (
    ApiError,
    InternalServerError,
    InvalidRequestError,
    MethodNotAllowedError,
    NotFoundError,
    ServiceUnavailableError,
    log_unexpected,
    render,
)
from modeldir.wire.models_api import ModelsApi, WirePolicy, is_models_path
from modeldir.wire.rate_limits import Limits, RedisRateLimiter, rate_limiter
from modeldir.wire.response_headers import error_headers, identity_headers

logger = logging.getLogger("modeldir.server")


def json_response(status: int, body: bytes) -> Response:
    """A JSON response (the request id and organisation headers are added by `RequestContext`)."""
    return Response(body, status_code=status, media_type="application/json")


def error_response(request: Request, error: ApiError) -> Response:
    """The envelope for an error raised off the hot path."""
    response = Response(render(error, request.state.request_id), status_code=error.status)
    for name, value in error_headers(error):
        response.headers[name.decode("latin-1")] = value.decode("latin-1")
    return response


async def _api_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    return error_response(request, error)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 405:
        allowed = (error.headers or {}).get("Allow", "GET")
        return error_response(request, MethodNotAllowedError(headers={"allow": allowed}))
    if error.status_code == 404:
        return error_response(request, NotFoundError())
    return error_response(request, InvalidRequestError(str(error.detail)))


class RequestContext:
    """Gives every request off the hot path a request id, the D15 headers and a last resort.

    An exception nothing else handled is logged with the request id and answered with a 500
    envelope; the server keeps serving.
    """

    def __init__(self, app: Starlette, live: LiveCatalogue) -> None:
        self.app = app
        self.live = live

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        common = identity_headers(request_id, self.live.snapshot.organization_id)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *common]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log_unexpected(scope, request_id)
            if started:
                raise
            failure = InternalServerError()
            body = render(failure, request_id)
            headers = [*common, *error_headers(failure), (b"content-length", b"%d" % len(body))]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": body})


class Server:
    """The ASGI application modeldir serves."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store if store is not None else open_store(settings.database_url)
        self.live = LiveCatalogue(self.store)
        accepted = frozenset(v.encode() for v in settings.api_versions)
        limits = Limits(settings.key_requests_per_minute, settings.workspace_requests_per_minute)
        self.limiter = rate_limiter(limits, settings.redis_url, settings.redis_fallback)
        self.models_api = ModelsApi(
            self.live,
            WirePolicy(accepted, KNOWN_BETAS | frozenset(settings.extra_betas)),
            limiter=self.limiter,
        )
        self.admin_api = AdminApi(self.live, accepted)
        self.other = RequestContext(self._starlette(), self.live)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_models_path(scope["path"]):
            await self.models_api(scope, receive, send)
        else:
            await self.other(scope, receive, send)

    def _starlette(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/openapi.json", self._openapi, methods=["GET"]),
                Route("/healthz", self._healthz, methods=["GET"]),
                Route("/readyz", self._readyz, methods=["GET"]),
                *self.admin_api.routes(),
            ],
            exception_handlers={ApiError: _api_error, HTTPException: _http_error},
            lifespan=self._lifespan,
        )

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        settings = self.settings
        await anyio.to_thread.run_sync(
            lambda: initialize(
                self.store, organization_id=settings.organization_id, seed=settings.seed
            )
        )
        await anyio.to_thread.run_sync(self.live.load)
        follower = asyncio.create_task(self.live.follow(settings.refresh_interval))
        logger.info("ready: catalogue revision %d", self.live.snapshot.revision)
        try:
            yield
        finally:
            logger.info("stopping: requests in flight have finished")
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
            if isinstance(self.limiter, RedisRateLimiter):
                await self.limiter.close()
            self.store.close()

    @cached_property
    def openapi_document(self) -> bytes:
        """The OpenAPI description this server serves (`data/openapi.yaml`), as JSON."""
        text = resources.files("modeldir.data").joinpath("openapi.yaml").read_text("utf-8")
        return orjson.dumps(yaml.safe_load(text))

    async def _openapi(self, request: Request) -> Response:
        return json_response(200, self.openapi_document)

    async def _healthz(self, request: Request) -> Response:
        return json_response(200, b'{"status":"ok"}')

    async def _readyz(self, request: Request) -> Response:
        if not self.live.loaded:
            raise ServiceUnavailableError("The catalogue is still loading.")
        body = orjson.dumps(
            {
                "status": "ready",
                "revision": self.live.snapshot.revision,
                "rate_limits": self.limiter.state,
            }
        )
        return json_response(200, body)


def create_app(settings: Settings | None = None) -> Server:
    """The application for `settings` (default: from the environment)."""
    settings = settings or Settings()
    configure_logging(settings.log_level)
    return Server(settings)


def configure_logging(level: str) -> None:
    """modeldir's log lines on standard error (the HTTP server configures only its own)."""
    root = logging.getLogger("modeldir")
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level.upper())
