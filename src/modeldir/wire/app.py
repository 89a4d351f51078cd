"""The whole HTTP server, put together: the Models API's hot path plus a Starlette app.

every request               -> RequestContext (context.py): request id, D15 headers, last resort
/v1/models, /v1/models/{id} -> ModelsApi (raw, answered from the snapshot)
anything else               -> Starlette: the admin API, /openapi.json, /healthz, /readyz,
                               /metrics, 404s
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from functools import cached_property
from typing import Any

import anyio.to_thread
import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Lifespan

from modeldir.admin.bootstrap import bundled_document, initialize
from modeldir.console.app import Console, ServerFacts
from modeldir.errors import (
    ApiError,
    InvalidRequestError,
    MethodNotAllowedError,
    NotFoundError,
    ServiceUnavailableError,
    render,
)
from modeldir.live import LiveCatalogue, SharedRevision
from modeldir.settings import Settings
from modeldir.store import Store, open_store
from modeldir.webhooks.sender import Sender
from modeldir.webhooks.worker import DeliveryWorker, RetryPolicy
from modeldir.wire.admin_api import AdminApi
from modeldir.wire.admission import WirePolicy
from modeldir.wire.betas import KNOWN_BETAS
from modeldir.wire.context import RAW_ROUTES, STATE_REQUEST_ID, RequestContext
from modeldir.wire.draining import Drain
from modeldir.wire.logs import configure_logging
from modeldir.wire.metrics import Metrics
from modeldir.wire.models_api import ModelsApi
from modeldir.wire.openai_api import OpenAIApi
from modeldir.wire.openapi import describe
from modeldir.wire.openapi_schemas import openapi_path
from modeldir.wire.rate_limits import Limits, RedisRateLimiter, rate_limiter
from modeldir.wire.responses import error_headers
from modeldir.wire.scheduled import (
    keep_running,
    retirement_schedule,
    sync_changed,
    sync_schedule,
)
from modeldir.wire.traffic import Traffic

logger = logging.getLogger("modeldir.server")


def json_response(status: int, body: bytes) -> Response:
    """A JSON response (the request id and organisation headers are added by `RequestContext`)."""
    return Response(body, status_code=status, media_type="application/json")


def error_response(request: Request, error: ApiError) -> Response:
    """The envelope for an error raised off the hot path."""
    body = render(error, getattr(request.state, STATE_REQUEST_ID))
    response = Response(body, status_code=error.status)
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


async def _to_last_resort(request: Request, error: Exception) -> Response:
    # Starlette's outermost middleware would answer a bare text 500; raising here hands the
    # failure, unanswered, to the one last resort (RequestContext), which answers the envelope.
    raise error


def off_the_hot_path(
    routes: list[BaseRoute], lifespan: Lifespan[Starlette] | None = None
) -> Starlette:
    """The Starlette app for every route but the Models API's, failing in the API's envelope."""
    return Starlette(
        routes=routes,
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _to_last_resort,
        },
        lifespan=lifespan,
    )


class Server:
    """The ASGI application modeldir serves."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store if store is not None else open_store(settings.database_url)
        self.live = LiveCatalogue(self.store, SharedRevision.from_environment())
        accepted = frozenset(v.encode() for v in settings.api_versions)
        limits = Limits(settings.key_requests_per_minute, settings.workspace_requests_per_minute)
        self.limiter = rate_limiter(limits, settings.redis_url, settings.redis_fallback)
        self.models_api = ModelsApi(
            self.live,
            WirePolicy(accepted, KNOWN_BETAS | frozenset(settings.extra_betas)),
            limiter=self.limiter,
        )
        bundled = frozenset(m.id for m in bundled_document().models)
        self.openai_api = OpenAIApi(self.live, bundled, limiter=self.limiter)
        self.admin_api = AdminApi(
            self.live,
            accepted,
            settings.max_body_bytes,
            allow_private_webhooks=settings.webhook_allow_private_addresses,
        )
        self.webhooks = delivery_worker(self.store, settings) if settings.webhook_delivery else None
        self.drain = Drain(settings.drain_seconds)
        self.schedule = sync_schedule(self.store, settings)
        self.retirements = retirement_schedule(self.store, settings)
        self.metrics = (
            Metrics(
                self.live,
                self.limiter,
                settings.metrics_token,
                schedule=self.schedule,
                webhooks=self.webhooks,
            )
            if settings.metrics
            else None
        )
        self.traffic = Traffic(self.metrics) if self.metrics and settings.console else None
        facts = ServerFacts(bundled, self._health_facts)
        self.console = Console(self.live, settings, facts) if settings.console else None
        self.rest = self._starlette()
        self.entry = RequestContext(
            self.models_api.respond,
            self.rest,
            self.live,
            openai=self.openai_api.respond,
            openai_on_models=settings.openai_on_v1_models,
            access_log=settings.access_log,
            freshness=self.live,
            drain=self.drain,
            counts=None if self.metrics is None else self.metrics.counts,
        )

    def _health_facts(self) -> dict[str, Any]:
        """What the console's health page shows of the server beyond the catalogue."""
        facts: dict[str, Any] = {"rate_limits": self.limiter.state}
        if self.traffic is not None:
            facts["traffic"] = self.traffic.summary()
        return facts

    def _starlette(self) -> Starlette:
        routes = [
            Route("/openapi.json", self._openapi, methods=["GET"]),
            Route("/healthz", self._healthz, methods=["GET"]),
            Route("/readyz", self._readyz, methods=["GET"]),
            *self.admin_api.routes(),
            *(self.console.routes() if self.console is not None else []),
        ]
        if self.metrics is not None:
            routes.append(Route("/metrics", self.metrics.endpoint, methods=["GET"]))
        return off_the_hot_path(routes, self._lifespan)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        settings = self.settings
        await anyio.to_thread.run_sync(
            lambda: initialize(
                self.store, organization_id=settings.organization_id, seed=settings.seed
            )
        )
        await anyio.to_thread.run_sync(self.live.load)
        tasks = [asyncio.create_task(self.live.follow(settings.refresh_interval))]
        if self.metrics is not None:
            tasks.append(asyncio.create_task(self.metrics.keep_folding()))
        if self.traffic is not None:
            tasks.append(asyncio.create_task(self.traffic.keep_sampling()))
        if self.schedule is not None:
            schedule = self.schedule
            syncing = keep_running(
                lambda: sync_changed(schedule), schedule.every_seconds, self.live, "sync"
            )
            tasks.append(asyncio.create_task(syncing))
        if self.retirements is not None:
            retirements = self.retirements
            retiring = keep_running(
                retirements.tick, retirements.every_seconds, self.live, "retirement"
            )
            tasks.append(asyncio.create_task(retiring))
        if self.webhooks is not None:
            self.webhooks.start()
        self.drain.install()
        logger.info("ready: catalogue revision %d", self.live.snapshot.revision)
        try:
            yield
        finally:
            logger.info("stopping: requests in flight have finished")
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if self.webhooks is not None:
                await anyio.to_thread.run_sync(self.webhooks.stop)
            if self.metrics is not None:
                self.metrics.close()
            if isinstance(self.limiter, RedisRateLimiter):
                await self.limiter.close()
            self.store.close()

    def served(self) -> dict[str, set[str]]:
        """Every path this server serves (as an OpenAPI template) and its methods."""
        paths: dict[str, set[str]] = {path: set(m) for path, m in RAW_ROUTES.items()}
        for route in self.rest.routes:
            if isinstance(route, Route):
                paths.setdefault(openapi_path(route.path), set()).update(route.methods or ())
        return paths

    @cached_property
    def openapi_document(self) -> bytes:
        """The OpenAPI description of what this server serves, as JSON (wire/openapi.py)."""
        return describe(self.served())

    async def _openapi(self, request: Request) -> Response:
        return json_response(200, self.openapi_document)

    async def _healthz(self, request: Request) -> Response:
        return json_response(200, b'{"status":"ok"}')

    async def _readyz(self, request: Request) -> Response:
        if not self.live.loaded:
            raise ServiceUnavailableError("The catalogue is still loading.")
        if self.drain.active:
            raise ServiceUnavailableError("The server is shutting down.")
        body = orjson.dumps(
            {
                "status": "ready",
                "revision": self.live.snapshot.revision,
                "rate_limits": self.limiter.state,
            }
        )
        return json_response(200, body)


def delivery_worker(store: Store, settings: Settings) -> DeliveryWorker:
    """This process's webhook delivery worker (it works while it holds the cluster's lock)."""
    sender = Sender(
        timeout=settings.webhook_timeout, allow_private=settings.webhook_allow_private_addresses
    )
    policy = RetryPolicy(settings.webhook_max_attempts, settings.webhook_retry_seconds)
    return DeliveryWorker(store.delivery_queue(), sender, policy)


def create_app(settings: Settings | None = None) -> RequestContext:
    """The application for `settings` (default: from the environment)."""
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.log_format)
    return Server(settings).entry
