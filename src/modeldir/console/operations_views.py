"""The lifecycle timeline, importing a catalogue file through its diff, the audit log, health."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import anyio.to_thread
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from modeldir.admin import inputs
from modeldir.catalogue.access import EVERYTHING
from modeldir.catalogue.document import load_text, parse_document
from modeldir.catalogue.snapshot import Snapshot
from modeldir.console.pages import page
from modeldir.console.timeline import Dated, dated_models, picture, retiring_within
from modeldir.errors import InvalidRequestError

if TYPE_CHECKING:
    from modeldir.console.app import Console, View

FIELD_DIFFS_SHOWN = 50
AUDIT_PAGE = 50
_dated: dict[int, tuple[int, list[Dated], int]] = {}
"""The last snapshot's dated models, by id(snapshot): one walk of the catalogue per revision."""


def _dated_models(snapshot: Snapshot) -> tuple[list[Dated], int]:
    cached = _dated.get(id(snapshot))
    if cached is None or cached[0] != snapshot.revision:
        _dated.clear()
        found, count = dated_models(snapshot)
        cached = _dated[id(snapshot)] = (snapshot.revision, found, count)
    return cached[1], cached[2]


async def timeline_page(console: Console, request: Request) -> Response:
    session = await console.sessions.find(request)
    snapshot = console.live.snapshot
    models, count = await anyio.to_thread.run_sync(_dated_models, snapshot)
    now = int(time.time())
    return page(
        request,
        "timeline.html",
        session,
        section="timeline",
        models=models,
        count=count,
        picture=picture(models, now),
        within_30=retiring_within(models, now, 30),
        within_90=retiring_within(models, now, 90),
    )


async def import_page(console: Console, request: Request) -> Response:
    session = await console.sessions.find(request)
    return page(request, "import.html", session, section="import", error="")


def _mode(form: FormData) -> str:
    return "replace" if form.get("mode") == "replace" else "merge"


def _digest(text: str) -> str:
    """What identifies a file's text between its diff and its import: a browser sends a text
    area back with CRLF line ends, so line ends are counted as LF."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode()).hexdigest()


def _document(text: str, name: str) -> Any:
    return load_text(text.encode(), name, as_json=name.endswith(".json"))


async def import_dry_run(console: Console, request: Request) -> Response:
    session, form = await console.sessions.form(request, changes=False)  # a dry run reads
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return page(request, "import.html", session, 400, section="import", error="Choose a file.")
    raw = await upload.read()
    try:
        text = raw.decode("utf-8")
        data = _document(text, upload.filename)
        mode = _mode(form)
        report = await console.read(
            session, lambda s: s.import_catalogue(data, replace_all=mode == "replace", dry_run=True)
        )
    except (InvalidRequestError, UnicodeDecodeError) as error:
        return page(request, "import.html", session, 400, section="import", error=str(error))
    changes = await anyio.to_thread.run_sync(
        _field_changes, console, data, report["models"]["changed"][:FIELD_DIFFS_SHOWN]
    )
    return page(
        request,
        "import_diff.html",
        session,
        section="import",
        report=report,
        changes=changes,
        document=text,
        filename=upload.filename,
        digest=_digest(text),
        mode=mode,
    )


def _field_changes(console: Console, data: Any, ids: list[str]) -> list[dict[str, Any]]:
    """For each changed model, each field whose value the file changes: stored, then new."""
    if not ids:
        return []
    wanted = set(ids)
    incoming = {m.id: m.to_wire() for m in parse_document(data).models if m.id in wanted}
    with console.live.store.reader() as reader:
        stored = {r.id: r.wire() for r in reader.models_by_id(ids)}
    found = []
    for model_id in ids:
        old, new = stored.get(model_id, {}), incoming.get(model_id, {})
        fields = [
            (name, old.get(name), new.get(name)) for name in new if old.get(name) != new.get(name)
        ]
        found.append({"id": model_id, "fields": fields})
    return found


async def import_apply(console: Console, request: Request) -> Response:
    session, form = await console.sessions.form(request)
    text = form.get("document")
    name = form.get("filename")
    if not isinstance(text, str) or not isinstance(name, str):
        raise InvalidRequestError("the import form is incomplete: upload the file again")
    if _digest(text) != form.get("digest"):
        raise InvalidRequestError("the file changed since its diff was shown: upload it again")
    data = _document(text.replace("\r\n", "\n"), name)
    mode = _mode(form)
    report = await console.run(
        session, lambda s: s.import_catalogue(data, replace_all=mode == "replace")
    )
    return page(request, "import_done.html", session, section="import", report=report)


AUDIT_FILTERS = ("object_id", "actor_id", "action", "starting_at", "ending_at")


async def audit_page(console: Console, request: Request) -> Response:
    session = await console.sessions.find(request)
    filters = {name: request.query_params.get(name, "").strip() for name in AUDIT_FILTERS}
    given = {name: value for name, value in filters.items() if value}
    after = request.query_params.get("after_id") or None
    listed: Mapping[str, Any] = {"data": [], "has_more": False}
    error = ""
    try:
        params = inputs.parse(
            inputs.AuditListParams, {**given, "after_id": after, "limit": AUDIT_PAGE}
        )
        listed = await console.read(session, lambda s: s.audit_log(params))
    except InvalidRequestError as refusal:
        error = str(refusal)
    entries = [{**entry, "changes": _changes(entry)} for entry in listed["data"]]
    older = None
    if listed["has_more"]:
        older = "/console/audit?" + urlencode({**given, "after_id": listed["last_id"]})
    return page(
        request,
        "audit.html",
        session,
        400 if error else 200,
        section="audit",
        entries=entries,
        filters=filters,
        older=older,
        error=error,
    )


def _changes(entry: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The top-level fields an audit entry's change touched: name, before, after."""
    before, after = entry["before"] or {}, entry["after"] or {}
    names = [*before, *(k for k in after if k not in before)]
    return [(n, before.get(n), after.get(n)) for n in names if before.get(n) != after.get(n)]


async def health_page(console: Console, request: Request) -> Response:
    session = await console.sessions.find(request)
    live = console.live
    snapshot = live.snapshot
    started = time.perf_counter()
    try:
        stored_revision: int | str = await anyio.to_thread.run_sync(live.store.revision)
        database = "ok"
    except Exception as error:  # shown, not raised: this page exists to show what is down
        stored_revision, database = "unknown", f"unavailable: {type(error).__name__}"
    database_ms = (time.perf_counter() - started) * 1000
    facts: dict[str, Any] = {
        "instance": f"{socket.gethostname()} (pid {os.getpid()})",
        "organization_id": snapshot.organization_id,
        "revision": snapshot.revision,
        "stored_revision": stored_revision,
        "snapshot_age": max(0.0, time.time() - live.confirmed_at),
        "entries": len(snapshot.views[EVERYTHING].by_mask[7]),
        "workspaces": sum(1 for w in snapshot.workspaces.values() if w.archived_at is None),
        "api_keys": sum(1 for k in snapshot.api_keys.values() if k.status == "active"),
        "database": database,
        "database_url": live.store.url,
        "database_ms": database_ms,
        **console.facts.health(),
    }
    return page(request, "health.html", session, section="health", facts=facts)


VIEWS: list[tuple[str, View, list[str]]] = [
    ("/timeline", timeline_page, ["GET"]),
    ("/import", import_page, ["GET"]),
    ("/import", import_dry_run, ["POST"]),
    ("/import/apply", import_apply, ["POST"]),
    ("/audit", audit_page, ["GET"]),
    ("/health", health_page, ["GET"]),
]
