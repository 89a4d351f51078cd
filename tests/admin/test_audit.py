"""The audit log: who, when, what, before and after, for every admin change; never a secret."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from modeldir.admin import inputs
from modeldir.admin.service import Actor, AdminService
from modeldir.store import open_store
from tests.admin.conftest import Site, error, ok, unique, walk

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def entries(admin: httpx.Client, **params: str) -> list[dict[str, object]]:
    found = []
    page = ok(admin.get("/audit_log", params={"limit": 1000, **params}))
    found += page["data"]
    return found


def admin_key_id(site: Site) -> str:
    store = open_store(site.database_url)
    try:
        with store.reader() as reader:
            return next(k.id for k in reader.admin_keys() if k.status == "active")
    finally:
        store.close()


def test_every_change_is_recorded_with_actor_and_before_after(
    site: Site, admin: httpx.Client
) -> None:
    workspace = ok(admin.post("/workspaces", json={"name": "audited"}))
    ok(admin.post(f"/workspaces/{workspace['id']}", json={"name": "audited-2"}))
    ok(admin.post(f"/workspaces/{workspace['id']}/archive"))
    log = entries(admin, object_id=workspace["id"])
    assert [e["action"] for e in log] == [
        "workspace.archive",
        "workspace.update",
        "workspace.create",
    ]
    create, update = log[2], log[1]
    assert create["before"] is None and create["after"]["name"] == "audited"  # type: ignore[index]
    assert update["before"]["name"] == "audited" and update["after"]["name"] == "audited-2"  # type: ignore[index]
    actor = admin_key_id(site)
    for entry in log:
        assert entry["actor"] == {"type": "admin_key", "id": actor}
        assert entry["object"] == {"type": "workspace", "id": workspace["id"]}
        assert TIMESTAMP.match(entry["created_at"])  # type: ignore[arg-type]
        assert str(entry["id"]).startswith("audit_01")


def test_no_secret_ever_appears(site: Site, admin: httpx.Client) -> None:
    created = ok(admin.post("/api_keys", json={"name": unique()}))
    rotated = ok(admin.post(f"/api_keys/{created['id']}/rotate", json={"grace_period_seconds": 0}))
    dump = admin.get("/audit_log", params={"limit": 1000}).text
    for secret in (created["key"], rotated["key"], site.admin_key, site.api_key):
        assert secret not in dump
    actions = [e["action"] for e in entries(admin, object_id=created["id"])]
    assert actions == ["api_key.rotate", "api_key.create"]


def test_models_aliases_and_imports_are_recorded(admin: httpx.Client) -> None:
    model_id = unique("audit")
    ok(
        admin.post(
            "/models", json={"id": model_id, "display_name": "A", "created_at": "2026-01-01"}
        )
    )
    ok(admin.post(f"/models/{model_id}/deprecate", json={}))
    ok(admin.delete(f"/models/{model_id}"))
    assert [e["action"] for e in entries(admin, object_id=model_id)] == [
        "model.delete",
        "model.deprecate",
        "model.create",
    ]
    report = ok(
        admin.post(
            "/catalogue/import",
            json={
                "models": [{"id": unique("imp"), "display_name": "I", "created_at": "2026-01-01"}]
            },
        )
    )
    imported = entries(admin, action="catalogue.import")[0]
    assert imported["after"] == report


def test_filters_and_pagination(admin: httpx.Client) -> None:
    for _ in range(3):
        ok(admin.post("/workspaces", json={"name": unique("page")}))
    newest_first = walk(admin, "/audit_log", {"action": "workspace.create", "limit": 2})
    assert len(newest_first) >= 3
    everything = [e["id"] for e in entries(admin, action="workspace.create")]
    assert newest_first == everything
    error(
        admin.get("/audit_log", params={"after_id": "audit_nope"}),
        400,
        "invalid_request_error",
        "after_id: no audit entry with id `audit_nope`",
    )


def test_a_time_range_lists_the_entries_made_within_it(site: Site, admin: httpx.Client) -> None:
    actor = unique("clock")
    made = {}  # the year of each change: the workspace it made
    store = open_store(site.database_url)
    try:
        for year in (2001, 2002, 2003, 2004):
            moment = datetime(year, 6, 1, tzinfo=UTC).timestamp()
            service = AdminService(store, Actor("cli", actor), clock=lambda m=moment: m)
            created = service.create_workspace(inputs.WorkspaceCreate(name=unique()))
            made[year] = created.object["id"]
    finally:
        store.close()

    object_of = {str(e["id"]): e["object"]["id"] for e in entries(admin, actor_id=actor)}  # type: ignore[index]

    def listed(**params: str) -> list[str]:
        """The workspaces whose creation is listed, page by page (one entry a page)."""
        found = walk(admin, "/audit_log", {"actor_id": actor, "limit": 1, **params})
        return [object_of[entry_id] for entry_id in found]

    assert listed() == [made[y] for y in (2004, 2003, 2002, 2001)]
    # From inclusive, to exclusive: the entry made at 2004-06-01 is not before 2004-06-01.
    window = {"starting_at": "2002-06-01T00:00:00Z", "ending_at": "2004-06-01T00:00:00Z"}
    assert listed(**window) == [made[2003], made[2002]]
    assert listed(starting_at="2003-01-01") == [made[2004], made[2003]]
    assert listed(ending_at="2002-01-01") == [made[2001]]
    assert listed(starting_at="2005-01-01") == []
    message = error(
        admin.get("/audit_log", params={"starting_at": "2003-01-01", "ending_at": "2002-01-01"}),
        400,
        "invalid_request_error",
    )
    assert "ending_at must be later than starting_at" in message
    message = error(
        admin.get("/audit_log", params={"starting_at": "yesterday"}), 400, "invalid_request_error"
    )
    assert message.startswith("starting_at:")
