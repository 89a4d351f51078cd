"""The same catalogue in OpenAI's format, for the clients that discover models that way.

    GET /openai/v1/models            {"object": "list", "data": [{"id", "object", "created",
                                      "owned_by"}, ...]}: every active or deprecated model (and
                                      listed alias) the key may see, newest first, in one answer
    GET /openai/v1/models/{model}    one such object, by id or alias (the body names the model)

So `OpenAI(base_url="http://host:8080/openai/v1", api_key=<modeldir key>)` works unchanged.
A key comes as `Authorization: Bearer` (the OpenAI SDKs) or `x-api-key`; no
`anthropic-version` is needed. Keys, visibility, rate limits and `request-id` are the Models
API's; errors are in OpenAI's envelope (`errors.render_openai`), which the OpenAI SDKs turn
into their own typed errors. With `MODELDIR_OPENAI_ON_V1_MODELS` on, `/v1/models` itself
answers this way to a request with a bearer token and no `anthropic-version`.

`owned_by` is "anthropic" for a model of the bundled Claude catalogue and "organization" for
every other model. Answers come from the snapshot, and a list body is kept per snapshot and
access rule, like the Models API's pages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal
from urllib.parse import unquote_to_bytes

import orjson
from pydantic import ConfigDict, with_config

# typing's own TypedDict lacks what pydantic needs to read it before Python 3.12.
from typing_extensions import TypedDict

from modeldir.catalogue.access import AccessRule
from modeldir.catalogue.list_order import release_time
from modeldir.catalogue.render import DEFAULT_LIFECYCLE_MASK, LIFECYCLE_BIT, Entry
from modeldir.catalogue.snapshot import Snapshot
from modeldir.errors import ApiError, MethodNotAllowedError, NotFoundError, render_openai
from modeldir.wire.admission import authenticate
from modeldir.wire.context import SnapshotSource
from modeldir.wire.inbound import RequestHeaders
from modeldir.wire.rate_limits import RateLimiter
from modeldir.wire.responses import JSON, Response, error_headers
from modeldir.wire.types import Scope


@with_config(ConfigDict(extra="forbid"))
class OpenAIModel(TypedDict):
    """A model in OpenAI's format."""

    id: str
    object: Literal["model"]
    created: int
    """When the model was released, in Unix seconds."""
    owned_by: Literal["anthropic", "organization"]


@with_config(ConfigDict(extra="forbid"))
class OpenAIModelList(TypedDict):
    """Every model the key may see, in OpenAI's format: one page, not paginated."""

    object: Literal["list"]
    data: list[OpenAIModel]


class _Lists:
    """The list bodies served for one snapshot, by access rule."""

    __slots__ = ("bodies", "snapshot")

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.bodies: dict[AccessRule, bytes] = {}


class OpenAIApi:
    """The two OpenAI-format endpoints: a whole response for each request."""

    def __init__(
        self,
        source: SnapshotSource,
        anthropic_models: frozenset[str],
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.source = source
        self.anthropic_models = anthropic_models
        """Ids owned by "anthropic": the bundled catalogue's."""
        self.limiter = limiter
        self.clock = clock
        self._lists: _Lists | None = None

    async def respond(self, scope: Scope, request_id: bytes) -> Response:
        """Status, headers and body for one request."""
        snapshot = self.source.snapshot
        headers = [
            (b"request-id", request_id),
            (b"x-request-id", request_id),
            (b"anthropic-organization-id", snapshot.organization_id.encode()),
        ]
        try:
            model_id = _route(scope)
            if scope["method"] != "GET":
                raise MethodNotAllowedError(headers={"allow": "GET"})
            now = self.clock()
            grant = authenticate(RequestHeaders.read(scope["headers"]), snapshot, now)
            headers.append((b"anthropic-workspace-id", grant.workspace_header))
            if self.limiter is not None:
                quota = await self.limiter.acquire(grant, now)
                if quota is not None:
                    headers += quota.headers()
            if model_id is None:
                body = self._list(snapshot, grant.rule)
            else:
                entry = snapshot.find(model_id, grant.rule)
                if entry is None or entry.lifecycle_bit == LIFECYCLE_BIT["retired"]:
                    raise NotFoundError(f"The model `{model_id}` does not exist")
                body = orjson.dumps(self._object(entry, entry.model_id))
        except ApiError as error:
            return error.status, [*headers, *error_headers(error)], render_openai(error)
        headers.append(JSON)
        return 200, headers, body

    def _list(self, snapshot: Snapshot, rule: AccessRule) -> bytes:
        lists = self._lists
        if lists is None or lists.snapshot is not snapshot:
            lists = self._lists = _Lists(snapshot)
        body = lists.bodies.get(rule)
        if body is None:
            data = [self._object(e, e.id) for e in snapshot.visible(rule, DEFAULT_LIFECYCLE_MASK)]
            whole: OpenAIModelList = {"object": "list", "data": data}
            body = lists.bodies[rule] = orjson.dumps(whole)
        return body

    def _object(self, entry: Entry, shown_id: str) -> OpenAIModel:
        anthropic = entry.model_id in self.anthropic_models
        owner: Literal["anthropic", "organization"] = "anthropic" if anthropic else "organization"
        return {
            "id": shown_id,
            "object": "model",
            "created": release_time(entry.sort_key),
            "owned_by": owner,
        }


def _route(scope: Scope) -> str | None:
    """None for the list, the decoded model id for one model; NotFoundError otherwise."""
    raw: bytes = scope.get("raw_path") or scope["path"].encode()
    raw = raw.partition(b"?")[0].removeprefix(b"/openai")
    if raw == b"/v1/models":
        return None
    segment = raw.removeprefix(b"/v1/models/")
    if segment != raw and segment and b"/" not in segment:
        return unquote_to_bytes(segment).decode("utf-8", "replace")
    raise NotFoundError("Not Found")
