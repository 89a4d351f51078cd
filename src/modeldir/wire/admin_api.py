"""The admin HTTP API under `/v1/organizations`, in the style of Anthropic's Admin API.

Anthropic's own routes (`me`, `workspaces`, `api_keys`) keep their paths, verbs and shapes:
updates are `POST` to the object, archiving is `POST .../archive`, lists take `before_id`,
`after_id` and `limit`. What Anthropic has no endpoint for (creating and rotating API keys,
models, aliases, the catalogue, the audit log) is added in the same style; docs/admin-api.md
lists it all. The routes are the table of `admin_operations.py` (which the OpenAPI document
describes too); every handler is one `AdminService` call, and a write refreshes this server's
snapshot before it answers, so the next request sees it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio.to_thread
import orjson
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from modeldir.admin import inputs
from modeldir.admin.import_plan import ImportReport
from modeldir.admin.service import Actor, AdminService, Versioned
from modeldir.catalogue.document import load_text
from modeldir.errors import (
    AuthenticationError,
    InvalidRequestError,
    PermissionDeniedError,
    RequestTooLargeError,
)
from modeldir.live import LiveCatalogue
from modeldir.wire.admin_operations import OPERATIONS, PREFIX, Operation
from modeldir.wire.admission import admit_admin
from modeldir.wire.inbound import RequestHeaders

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
Handler = Callable[[Request], Awaitable[Response]]


def _json(data: Any, status: int = 200, etag: str | None = None) -> Response:
    headers = {"etag": etag} if etag is not None else None
    return Response(
        orjson.dumps(data), status_code=status, media_type="application/json", headers=headers
    )


UNCHANGED = "modeldir-change"
"""Header set to `none` when a write request changed nothing (the same object, the same ETag)."""


def _versioned(result: Versioned, status: int = 200) -> Response:
    response = _json(result.object, status, result.etag)
    if not result.changed:
        response.headers[UNCHANGED] = "none"
    return response


def refuse_nul(value: Any, where: str) -> None:
    """A NUL character anywhere in a string of `value` is a 400: PostgreSQL cannot store one,
    and no id holds one, so both backends refuse it alike rather than one of them failing."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise InvalidRequestError(f"{where}: text may not contain NUL characters (\\u0000)")
        elif isinstance(item, dict):
            pending += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            pending += item


def parse_query(request: Request, kind: type[M]) -> M:
    """Query parameters validated by a pydantic model; `name[]` and repeats fill list fields."""
    values: dict[str, Any] = {}
    for raw_name in request.query_params:
        name = raw_name.removesuffix("[]")
        found = request.query_params.getlist(raw_name)
        refuse_nul([raw_name, *found], name)
        field = kind.model_fields.get(name)
        is_list = field is not None and "list" in str(field.annotation)
        if is_list:
            values.setdefault(name, []).extend(found)
        elif len(set(found)) > 1:
            raise InvalidRequestError(
                f"{name}: Input should be a single value, but the query gives several"
            )
        else:
            values[name] = found[0]
    return inputs.parse(kind, values)


async def read_body(request: Request, limit: int) -> Any:
    """The request body, at most `limit` bytes: JSON, or YAML when the content type says so."""
    too_large = RequestTooLargeError(
        f"The request body is larger than {limit:,} bytes (MODELDIR_MAX_BODY_BYTES)"
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    parts, size = [], 0
    async for chunk in request.stream():  # counted as it arrives, whatever was declared
        size += len(chunk)
        if size > limit:
            raise too_large
        parts.append(chunk)
    raw = b"".join(parts)
    if not raw.strip():
        return {}
    as_json = "yaml" not in request.headers.get("content-type", "")
    data = load_text(raw, "", as_json=as_json)
    refuse_nul(data, "The request body")
    return data


class AdminApi:
    """The routes of the admin API, bound to one store and its live snapshot."""

    def __init__(
        self,
        live: LiveCatalogue,
        accepted_versions: frozenset[bytes],
        max_body_bytes: int,
        *,
        allow_private_webhooks: bool = False,
    ) -> None:
        self.live = live
        self.accepted_versions = accepted_versions
        self.max_body_bytes = max_body_bytes
        self.allow_private_webhooks = allow_private_webhooks

    async def _actor(self, request: Request) -> Actor:
        """The admin key behind a request (D2's header rules), else 401 or 403."""
        headers = RequestHeaders.read(request.scope["headers"])
        try:
            grant = admit_admin(headers, self.live.snapshot, time.time(), self.accepted_versions)
        except (AuthenticationError, PermissionDeniedError):
            # A key made a moment ago by the CLI may not be in the snapshot yet.
            snapshot = await self.live.refreshed()
            grant = admit_admin(headers, snapshot, time.time(), self.accepted_versions)
        return Actor("admin_key", grant.key_id, grant.read_only)

    async def _run(
        self,
        request: Request,
        work: Callable[[AdminService], T],
        *,
        writes: bool = False,
        actor: Actor | None = None,
    ) -> T:
        service = AdminService(
            self.live.store,
            actor or await self._actor(request),
            allow_private_webhooks=self.allow_private_webhooks,
        )
        result = await anyio.to_thread.run_sync(work, service)
        if writes:
            await self.live.written()
        return result

    def call(self, operation: Operation) -> Handler:
        """A handler that calls the operation's `AdminService` method.

        Its arguments are, in order: the path parameters, the validated query, the validated
        body or the parsed body as is; writes to an existing object also pass `If-Match`.
        """
        if operation.own:
            return getattr(self, operation.name)  # type: ignore[no-any-return]
        names = operation.path_params

        async def handle(request: Request) -> Response:
            actor = await self._actor(request)  # who asks comes before what they ask
            if operation.writes:
                actor.check_may_change()
            args: list[Any] = [request.path_params[name] for name in names]
            refuse_nul(args, "The path")
            if operation.query is not None:
                args.append(parse_query(request, operation.query))
            if operation.body is not None:
                data = await read_body(request, self.max_body_bytes)
                args.append(inputs.parse(operation.body, data))
            elif operation.raw_body is not None:
                args.append(await read_body(request, self.max_body_bytes))
            if operation.honours_if_match:
                args.append(request.headers.get("if-match"))
            work = lambda s: getattr(s, operation.name)(*args)  # noqa: E731
            result = await self._run(request, work, writes=operation.writes, actor=actor)
            return _versioned(result) if operation.versioned else _json(result)

        return handle

    def routes(self) -> list[BaseRoute]:
        """Every admin route, one per path (so a 405 lists all the path's methods)."""
        by_path: dict[str, dict[str, Handler]] = {}
        for operation in OPERATIONS:
            by_path.setdefault(operation.path, {})[operation.method] = self.call(operation)

        def route(path: str, handlers: dict[str, Handler]) -> Route:
            async def dispatch(request: Request) -> Response:
                # Starlette answers HEAD wherever GET is allowed; the server drops the body.
                method = "GET" if request.method == "HEAD" else request.method
                return await handlers[method](request)

            return Route(PREFIX + path, dispatch, methods=list(handlers))

        return [route(path, handlers) for path, handlers in by_path.items()]

    async def export_catalogue(self, request: Request) -> Response:
        """The whole catalogue as a file, streamed as the store yields it."""
        actor = await self._actor(request)
        as_json = parse_query(request, inputs.ExportParams).format == "json"
        chunks = AdminService(self.live.store, actor).export_chunks(as_json=as_json)
        media_type = "application/json" if as_json else "application/yaml"
        return StreamingResponse(chunks, media_type=media_type)

    async def import_catalogue(self, request: Request) -> Response:
        actor = await self._actor(request)
        params = parse_query(request, inputs.ImportParams)
        writes = not params.dry_run
        if writes:
            actor.check_may_change()
        data = await read_body(request, self.max_body_bytes)
        if params.format != "native" and params.mode == "replace":
            raise InvalidRequestError("mode: a public catalogue is merged, never replaces")

        def work(service: AdminService) -> ImportReport:
            if params.format != "native":
                return service.import_public(
                    data, fmt=params.format, provider=params.provider, dry_run=params.dry_run
                )
            replace_all = params.mode == "replace"
            return service.import_catalogue(data, replace_all=replace_all, dry_run=params.dry_run)

        report = await self._run(request, work, writes=writes, actor=actor)
        return _json(report)
