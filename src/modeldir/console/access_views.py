"""Workspaces (with a live preview of what an access pattern lets them see) and API keys."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from modeldir.admin import inputs
from modeldir.admin.service import AdminService
from modeldir.catalogue.access import EVERYTHING, AccessRule
from modeldir.catalogue.render import DEFAULT_LIFECYCLE_MASK, Entry
from modeldir.catalogue.snapshot import Snapshot
from modeldir.console.pages import form_text, page, required, see_other
from modeldir.console.sessions import PATH, Session
from modeldir.errors import ApiError, InvalidRequestError

if TYPE_CHECKING:
    from modeldir.console.app import Console, View

PREVIEW_SHOWN = 100


def patterns_of(text: str) -> list[str] | None:
    """The access patterns a text area holds, one a line or comma-separated; blank: every model."""
    found = [p.strip() for p in text.replace(",", "\n").splitlines() if p.strip()]
    return found or None


def _limit(form: FormData, name: str) -> int | str | None:
    text = form_text(form, name)
    return None if not text else int(text) if text.isdigit() else text


def tags_of(text: str) -> dict[str, str]:
    """The tags a text area holds, `key=value` one a line."""
    tags = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, equals, value = line.partition("=")
        if not equals or not key.strip():
            raise InvalidRequestError(f"tags: write each tag as key=value, one a line: {line!r}")
        tags[key.strip()] = value.strip()
    return tags


def tags_text(tags: Iterable[tuple[str, str]]) -> str:
    """Tags as the form shows them."""
    return "\n".join(f"{key}={value}" for key, value in tags)


FORM_FIELDS = (
    "name",
    "patterns",
    "requests_per_minute",
    "key_requests_per_minute",
    "display_color",
    "tags",
)
"""The workspace form's fields, shown again as they were sent when a change is refused."""


def _workspace_body(form: FormData, current_tags: Iterable[str] = ()) -> dict[str, Any]:
    """A workspace's fields from its form; tags it had (`current_tags`) and no longer lists
    are removed."""
    tags: dict[str, str | None] = dict(tags_of(form_text(form, "tags")))
    for key in current_tags:
        tags.setdefault(key, None)
    body: dict[str, Any] = {
        "name": form_text(form, "name"),
        "model_access": patterns_of(form_text(form, "patterns")),
        "rate_limits": {
            "requests_per_minute": _limit(form, "requests_per_minute"),
            "key_requests_per_minute": _limit(form, "key_requests_per_minute"),
        },
        "tags": tags,
    }
    if form_text(form, "display_color"):
        body["display_color"] = form_text(form, "display_color")
    return body


def preview(snapshot: Snapshot, patterns: list[str] | None) -> dict[str, Any]:
    """What a workspace with these patterns would list by default, as the server decides it:
    the same `AccessRule`, over the same list entries, with the default lifecycle filter."""
    rule = AccessRule.of(patterns)
    view = snapshot.views.get(rule)
    if view is not None:  # a rule in use already has its list: no walk needed
        listed = view.by_mask[DEFAULT_LIFECYCLE_MASK]
        return {"count": len(listed), "shown": list(listed.window(0, PREVIEW_SHOWN))}
    shown: list[Entry] = []
    count = 0
    for entry in snapshot.visible(EVERYTHING, DEFAULT_LIFECYCLE_MASK):
        if rule.allows(entry.model_id):
            count += 1
            if len(shown) < PREVIEW_SHOWN:
                shown.append(entry)
    return {"count": count, "shown": shown}


async def preview_fragment(console: Console, request: Request) -> Response:
    session = await console.sessions.find(request)
    patterns = patterns_of(request.query_params.get("patterns", ""))
    error = ""
    result: dict[str, Any] = {"count": 0, "shown": []}
    try:
        inputs.parse(inputs.WorkspaceUpdate, {"model_access": patterns})
        result = preview(console.live.snapshot, patterns)
    except InvalidRequestError as refusal:
        error = str(refusal)
    return page(
        request,
        "preview.html",
        session,
        patterns=patterns,
        error=error,
        shown_max=PREVIEW_SHOWN,
        **result,
    )


def _workspaces(snapshot: Snapshot) -> list[Any]:
    return sorted(
        snapshot.workspaces.values(),
        key=lambda w: (w.archived_at is not None, not w.is_default, w.name.lower()),
    )


def _key_counts(snapshot: Snapshot) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in snapshot.api_keys.values():
        if key.status == "active":
            counts[key.workspace_id] = counts.get(key.workspace_id, 0) + 1
    return counts


async def workspaces_page(
    console: Console,
    request: Request,
    error: str = "",
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    session = await console.sessions.find(request)
    snapshot = console.live.snapshot
    return page(
        request,
        "workspaces.html",
        session,
        status,
        section="workspaces",
        workspaces=_workspaces(snapshot),
        key_counts=_key_counts(snapshot),
        error=error,
        values=values or {},
    )


async def create_workspace(console: Console, request: Request) -> Response:
    session, form = await console.sessions.form(request)
    try:
        body = inputs.parse(inputs.WorkspaceCreate, _workspace_body(form))
        created = await console.run(session, lambda s: s.create_workspace(body))
    except ApiError as error:
        values = {k: form_text(form, k) for k in FORM_FIELDS}
        return await workspaces_page(console, request, str(error), values, error.status)
    return see_other(f"{PATH}/workspace?id={quote(created.object['id'], safe='')}")


async def workspace_page(
    console: Console,
    request: Request,
    error: str = "",
    values: dict[str, str] | None = None,
    status: int = 200,
    session: Session | None = None,
) -> Response:
    session = session or await console.sessions.find(request)
    workspace_id = required(request, "id", "workspace")
    current = await console.read(session, lambda s: s.get_workspace(workspace_id))
    snapshot = console.live.snapshot
    record = snapshot.workspaces.get(workspace_id)
    shown = values or {
        "name": current.object["name"],
        "patterns": "\n".join(record.model_access or ()) if record else "",
        "requests_per_minute": _shown_limit(record, "requests_per_minute"),
        "key_requests_per_minute": _shown_limit(record, "key_requests_per_minute"),
        "display_color": current.object["display_color"],
        "tags": tags_text(current.object["tags"].items()),
    }
    keys = [k for k in snapshot.api_keys.values() if k.workspace_id == workspace_id]
    return page(
        request,
        "workspace.html",
        session,
        status,
        section="workspaces",
        workspace=current.object,
        record=record,
        etag=current.etag,
        values=shown,
        error=error,
        keys=sorted(keys, key=lambda k: -k.created_at),
    )


def _shown_limit(record: Any, name: str) -> str:
    value = None if record is None else getattr(record, name)
    return "" if value is None else str(value)


async def update_workspace(console: Console, request: Request) -> Response:
    session, form = await console.sessions.form(request)
    workspace_id = required(request, "id", "workspace")
    if_match = form_text(form, "etag") or None
    record = console.live.snapshot.workspaces.get(workspace_id)
    try:
        fields = _workspace_body(form, dict(record.tags) if record else ())
        body = inputs.parse(inputs.WorkspaceUpdate, fields)
        await console.run(session, lambda s: s.update_workspace(workspace_id, body, if_match))
    except ApiError as error:
        values = {k: form_text(form, k) for k in FORM_FIELDS}
        return await workspace_page(console, request, str(error), values, error.status, session)
    return see_other(f"{PATH}/workspace?id={quote(workspace_id, safe='')}")


async def archive_workspace(console: Console, request: Request) -> Response:
    session, form = await console.sessions.form(request)
    workspace_id = required(request, "id", "workspace")
    if_match = form_text(form, "etag") or None
    await console.run(session, lambda s: s.archive_workspace(workspace_id, if_match))
    return see_other(f"{PATH}/workspaces")


async def keys_page(console: Console, request: Request) -> Response:
    session = await console.sessions.find(request)
    after = request.query_params.get("after_id") or None
    params = inputs.ApiKeyListParams(limit=100, after_id=after)
    listed = await console.read(session, lambda s: s.list_api_keys(params))
    keys = listed["data"]
    changed = await console.read(session, lambda s: _last_changes(s, [k["id"] for k in keys]))
    snapshot = console.live.snapshot
    return page(
        request,
        "keys.html",
        session,
        section="keys",
        keys=keys,
        last_changes=changed,
        has_more=listed["has_more"],
        last_id=listed["last_id"],
        workspaces=[w for w in _workspaces(snapshot) if w.archived_at is None],
        workspace_names={w.id: w.name for w in snapshot.workspaces.values()},
    )


def _last_changes(service: AdminService, key_ids: list[str]) -> dict[str, Mapping[str, Any]]:
    """Each key's latest audit entry (one indexed look-up a key): when, what and by whom."""
    found = {}
    for key_id in key_ids:
        entries = service.audit_log(inputs.AuditListParams(limit=1, object_id=key_id))["data"]
        if entries:
            found[key_id] = entries[0]
    return found


def _secret_page(request: Request, session: Session, key: Mapping[str, Any], what: str) -> Response:
    base_url = str(request.base_url).rstrip("/")
    return page(
        request,
        "key_secret.html",
        session,
        section="keys",
        key=key,
        what=what,
        shell_line=f"ANTHROPIC_BASE_URL={base_url} ANTHROPIC_API_KEY={key['key']}",
    )


async def create_key(console: Console, request: Request) -> Response:
    session, form = await console.sessions.form(request)
    body = inputs.parse(
        inputs.ApiKeyCreate,
        {
            "name": form_text(form, "name") or "modeldir key",
            "workspace_id": form_text(form, "workspace_id") or None,
            "expires_at": form_text(form, "expires_at") or None,
        },
    )
    created = await console.run(session, lambda s: s.create_api_key(body))
    return _secret_page(request, session, created.object, "created")


async def rotate_key(console: Console, request: Request) -> Response:
    session, form = await console.sessions.form(request)
    key_id = required(request, "id", "key")
    grace = form_text(form, "grace_period_seconds") or "3600"
    body = inputs.parse(inputs.ApiKeyRotate, {"grace_period_seconds": grace})
    rotated = await console.run(session, lambda s: s.rotate_api_key(key_id, body))
    return _secret_page(request, session, rotated.object, "rotated")


async def revoke_key(console: Console, request: Request) -> Response:
    session, _ = await console.sessions.form(request)
    key_id = required(request, "id", "key")
    body = inputs.parse(inputs.ApiKeyUpdate, {"status": "archived"})
    await console.run(session, lambda s: s.update_api_key(key_id, body))
    return see_other(f"{PATH}/keys")


VIEWS: list[tuple[str, View, list[str]]] = [
    ("/workspaces", workspaces_page, ["GET"]),
    ("/workspaces", create_workspace, ["POST"]),
    ("/workspaces/preview", preview_fragment, ["GET"]),
    ("/workspace", workspace_page, ["GET"]),
    ("/workspace/edit", update_workspace, ["POST"]),
    ("/workspace/archive", archive_workspace, ["POST"]),
    ("/keys", keys_page, ["GET"]),
    ("/keys", create_key, ["POST"]),
    ("/key/rotate", rotate_key, ["POST"]),
    ("/key/revoke", revoke_key, ["POST"]),
]
