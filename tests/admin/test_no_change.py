"""Only real changes count: a request that changes nothing writes no audit entry, keeps the
catalogue's revision, answers the object as it is, and says so (`modeldir-change: none`)."""

from __future__ import annotations

import httpx

from modeldir.admin import inputs
from modeldir.admin.bootstrap import initialize
from modeldir.store import Store
from tests.admin.conftest import Site, ok, unique
from tests.support.admin import admin_for

MODEL = {"id": "steady", "display_name": "Steady", "created_at": "2026-01-01T00:00:00Z"}


def audit_count(admin: httpx.Client) -> int:
    return len(ok(admin.get("/audit_log", params={"limit": 1000}))["data"])


def revision(site: Site) -> int:
    return int(httpx.get(f"{site.base_url}/readyz").json()["revision"])


def test_repeating_a_change_over_the_api_changes_nothing(site: Site, admin: httpx.Client) -> None:
    model_id, alias = unique("steady"), unique("steady-alias")
    workspace = ok(admin.post("/workspaces", json={"name": unique()}))
    key = ok(admin.post("/api_keys", json={"name": unique(), "workspace_id": workspace["id"]}))
    ok(admin.post("/models", json={**MODEL, "id": model_id}))
    ok(admin.post("/aliases", json={"alias": alias, "model": model_id}))
    before_audit, before_revision = audit_count(admin), revision(site)
    repeats = [
        admin.post(f"/workspaces/{workspace['id']}", json={"name": workspace["name"]}),
        admin.post(f"/api_keys/{key['id']}", json={"name": key["name"]}),
        admin.post(f"/models/{model_id}", json={"display_name": "Steady"}),
        admin.post(f"/aliases/{alias}", json={"model": model_id, "listed": False}),
    ]
    for response in repeats:
        assert response.status_code == 200, response.text
        assert response.headers["modeldir-change"] == "none"
    assert audit_count(admin) == before_audit
    assert revision(site) == before_revision
    changed = admin.post(f"/models/{model_id}", json={"display_name": "Steadier"})
    assert "modeldir-change" not in changed.headers
    assert audit_count(admin) == before_audit + 1


def test_revoking_a_revoked_key_and_reimporting_change_nothing(store: Store) -> None:
    initialize(store, seed=False)
    admin = admin_for(store)
    key = admin.create_api_key(inputs.ApiKeyCreate(name="k")).object
    revoke = inputs.ApiKeyUpdate(status="archived")
    assert admin.update_api_key(key["id"], revoke).changed
    settled = store.revision()
    again = admin.update_api_key(key["id"], revoke)
    assert not again.changed and again.object["status"] == "archived"
    document = {"models": [MODEL]}
    first = admin.import_catalogue(document)
    assert first["revision"] == settled + 1
    repeat = admin.import_catalogue(document)
    assert repeat["revision"] is None and repeat["models"]["unchanged"] == 1
    assert store.revision() == settled + 1
    with store.reader() as reader:
        log = reader.audit_window(None, None, 1000, object_id=None, actor_id=None, action=None)
        actions = [entry.action for entry in log or []]
    assert actions.count("catalogue.import") == 1
    assert actions.count("api_key.archive") == 1
