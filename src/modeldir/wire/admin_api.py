"""The admin HTTP API under `/v1/organizations`, in the style of Anthropic's Admin API.

Anthropic's own routes (`me`, `workspaces`, `api_keys`) keep their paths, verbs and shapes:
updates are `POST` to the object, archiving is `POST .../archive`, lists take `before_id`,
`after_id` and `limit`. What Anthropic has no endpoint for (creating and rotating API keys,
models, aliases, the catalogue, the audit log) is added in the same style; docs/admin-api.md
lists it all. Every handler is one `AdminService` call; a write refreshes this server's
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
from modeldir.admin.service import Actor, AdminService, Versioned
from modeldir.catalogue.document import load_text
from modeldir.errors import (
    AuthenticationError,
    InvalidRequestError,
    PermissionDeniedError,
    RequestTooLargeError,
)
from modeldir.live import LiveCatalogue
from modeldir.wire.admission import admit_admin
from modeldir.wire.inbound import RequestHeaders

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
Handler = Callable[[Request], Awaitable[Response]]

PREFIX = "/v1/organizations"


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


def parse_query(request: Request, kind: type[M]) -> M:
    """Query parameters validated by a pydantic model; `name[]` and repeats fill list fields."""
    values: dict[str, Any] = {}
    for raw_name in request.query_params:
        name = raw_name.removesuffix("[]")
        found = request.query_params.getlist(raw_name)
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
    return load_text(raw, "", as_json=as_json)


class AdminApi:
    """The routes of the admin API, bound to one store and its live snapshot."""

    def __init__(
        self, live: LiveCatalogue, accepted_versions: frozenset[bytes], max_body_bytes: int
    ) -> None:
        self.live = live
        self.accepted_versions = accepted_versions
        self.max_body_bytes = max_body_bytes

    async def _actor(self, request: Request) -> Actor:
        """The admin key behind a request (D2's header rules), else 401 or 403."""
        headers = RequestHeaders.read(request.scope["headers"])
        try:
            grant = admit_admin(headers, self.live.snapshot, time.time(), self.accepted_versions)
        except (AuthenticationError, PermissionDeniedError):
            # A key made a moment ago by the CLI may not be in the snapshot yet.
            snapshot = await self.live.refreshed()
            grant = admit_admin(headers, snapshot, time.time(), self.accepted_versions)
        return Actor("admin_key", grant.key_id)

    async def _run(
        self,
        request: Request,
        work: Callable[[AdminService], T],
        *,
        writes: bool = False,
        actor: Actor | None = None,
    ) -> T:
        service = AdminService(self.live.store, actor or await self._actor(request))
        result = await anyio.to_thread.run_sync(work, service)
        if writes:
            await self.live.written()
        return result

    def call(
        self,
        method: str,
        *,
        path: tuple[str, ...] = (),
        query: type[BaseModel] | None = None,
        body: type[BaseModel] | None = None,
        raw_body: bool = False,
        versioned: bool = True,
        writes: bool = False,
    ) -> Handler:
        """A handler that calls one `AdminService` method.

        Its arguments are, in order: the path parameters named in `path`, the validated query
        (`query`), the validated body (`body`) or the parsed body as is (`raw_body`); writes also
        pass the request's `If-Match`.
        """

        async def handle(request: Request) -> Response:
            actor = await self._actor(request)  # who asks comes before what they ask
            args: list[Any] = [request.path_params[name] for name in path]
            if query is not None:
                args.append(parse_query(request, query))
            if body is not None:
                args.append(inputs.parse(body, await read_body(request, self.max_body_bytes)))
            elif raw_body:
                args.append(await read_body(request, self.max_body_bytes))
            if writes and path:  # a change to an existing object honours If-Match
                args.append(request.headers.get("if-match"))
            work = lambda s: getattr(s, method)(*args)  # noqa: E731
            result = await self._run(request, work, writes=writes, actor=actor)
            return _versioned(result) if versioned else _json(result)

        return handle

    def routes(self) -> list[BaseRoute]:
        """Every admin route, one per path (so a 405 lists all the path's methods)."""

        def route(path: str, **handlers: Handler) -> Route:
            async def dispatch(request: Request) -> Response:
                # Starlette answers HEAD wherever GET is allowed; the server drops the body.
                method = "GET" if request.method == "HEAD" else request.method
                return await handlers[method](request)

            return Route(PREFIX + path, dispatch, methods=list(handlers))

        call = self.call
        workspace, key, model, alias = ("workspace_id",), ("api_key_id",), ("model_id",), ("alias",)
        return [
            route("/me", GET=call("organization", versioned=False)),
            route(
                "/workspaces",
                GET=call("list_workspaces", query=inputs.WorkspaceListParams, versioned=False),
                POST=call("create_workspace", body=inputs.WorkspaceCreate, writes=True),
            ),
            route(
                "/workspaces/{workspace_id}/archive",
                POST=call("archive_workspace", path=workspace, writes=True),
            ),
            route(
                "/workspaces/{workspace_id}",
                GET=call("get_workspace", path=workspace),
                POST=call(
                    "update_workspace", path=workspace, body=inputs.WorkspaceUpdate, writes=True
                ),
            ),
            route(
                "/api_keys",
                GET=call("list_api_keys", query=inputs.ApiKeyListParams, versioned=False),
                POST=call("create_api_key", body=inputs.ApiKeyCreate, writes=True),
            ),
            route(
                "/api_keys/{api_key_id}/rotate",
                POST=call("rotate_api_key", path=key, body=inputs.ApiKeyRotate, writes=True),
            ),
            route(
                "/api_keys/{api_key_id}",
                GET=call("get_api_key", path=key),
                POST=call("update_api_key", path=key, body=inputs.ApiKeyUpdate, writes=True),
            ),
            route(
                "/models",
                GET=call("list_models", query=inputs.ModelListParams, versioned=False),
                POST=call("create_model", raw_body=True, writes=True),
            ),
            route(
                "/models/{model_id:path}/deprecate",
                POST=call("deprecate_model", path=model, body=inputs.ModelDeprecate, writes=True),
            ),
            route(
                "/models/{model_id:path}/metadata",
                GET=call("get_model_metadata", path=model, versioned=False),
            ),
            route(
                "/models/{model_id:path}/retire",
                POST=call("retire_model", path=model, body=inputs.ModelRetire, writes=True),
            ),
            route(
                "/models/{model_id:path}",
                GET=call("get_model", path=model),
                POST=call("update_model", path=model, raw_body=True, writes=True),
                DELETE=call("delete_model", path=model, versioned=False, writes=True),
            ),
            route(
                "/aliases",
                GET=call("list_aliases", query=inputs.ListParams, versioned=False),
                POST=call("create_alias", body=inputs.AliasCreate, writes=True),
            ),
            route(
                "/aliases/{alias:path}",
                GET=call("get_alias", path=alias),
                POST=call("update_alias", path=alias, body=inputs.AliasUpdate, writes=True),
                DELETE=call("delete_alias", path=alias, versioned=False, writes=True),
            ),
            route("/catalogue/export", GET=self.export_catalogue),
            route("/catalogue/sync", GET=call("sync_status", versioned=False)),
            route("/catalogue/import", POST=self.import_catalogue),
            route(
                "/audit_log", GET=call("audit_log", query=inputs.AuditListParams, versioned=False)
            ),
        ]

    async def export_catalogue(self, request: Request) -> Response:
        """The whole catalogue as a file, streamed as the store yields it."""
        fmt = request.query_params.get("format", "json")
        if fmt not in ("json", "yaml"):
            raise InvalidRequestError("format: Input should be 'json' or 'yaml'")
        service = AdminService(self.live.store, await self._actor(request))
        chunks = service.export_chunks(as_json=fmt == "json")
        media_type = "application/json" if fmt == "json" else "application/yaml"
        return StreamingResponse(chunks, media_type=media_type)

    async def import_catalogue(self, request: Request) -> Response:
        actor = await self._actor(request)
        params = parse_query(request, inputs.ImportParams)
        data = await read_body(request, self.max_body_bytes)
        writes = not params.dry_run
        if params.format != "native" and params.mode == "replace":
            raise InvalidRequestError("mode: a public catalogue is merged, never replaces")

        def work(service: AdminService) -> dict[str, Any]:
            if params.format != "native":
                return service.import_public(
                    data, fmt=params.format, provider=params.provider, dry_run=params.dry_run
                )
            replace_all = params.mode == "replace"
            return service.import_catalogue(data, replace_all=replace_all, dry_run=params.dry_run)

        report = await self._run(request, work, writes=writes, actor=actor)
        return _json(report)
