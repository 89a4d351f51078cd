"""The admin API: API keys: create, list, read, rename, deactivate, reactivate, archive, rotate."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.admin.conftest import Site, error, ok, unique, walk

KEY = re.compile(r"^sk-ant-api03-[A-Za-z0-9_-]{93}AA$")


def works(site: Site, key: str) -> bool:
    with site.models_api(key) as models:
        status = models.get("/models?limit=1").status_code
    assert status in (200, 401)
    return status == 200


def test_create_in_the_default_workspace(site: Site, admin: httpx.Client) -> None:
    response = admin.post("/api_keys", json={"name": "ci"})
    created = ok(response)
    assert KEY.match(created["key"])
    assert created["id"].startswith("apikey_01")
    assert created["partial_key_hint"] == f"{created['key'][:16]}...{created['key'][-4:]}"
    assert created["workspace_id"] is None  # as Anthropic shows keys of the default workspace
    assert created["scope"] == {"type": "workspace", "workspace_id": site.default_workspace_id}
    assert created["status"] == "active" and created["expires_at"] is None
    assert created["created_by"]["type"] == "service_account"
    assert works(site, created["key"])
    fetched = ok(admin.get(f"/api_keys/{created['id']}"))
    assert "key" not in fetched and fetched["partial_key_hint"] == created["partial_key_hint"]
    assert admin.get(f"/api_keys/{created['id']}").headers["etag"] == response.headers["etag"]


def test_create_in_a_workspace(admin: httpx.Client) -> None:
    workspace = ok(admin.post("/workspaces", json={"name": unique()}))
    created = ok(admin.post("/api_keys", json={"workspace_id": workspace["id"]}))
    assert created["workspace_id"] == workspace["id"] == created["scope"]["workspace_id"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"name": ""}, 400, "name: String should have at least 1 character"),
        ({"name": "x" * 501}, 400, "name: String should have at most 500 characters"),
        ({"workspace_id": "wrkspc_nope"}, 404, "no workspace with id wrkspc_nope"),
        ({"expires_at": "2000-01-01T00:00:00Z"}, 400, "expires_at: must be in the future"),
        (
            {"expires_at": "soon"},
            400,
            "expires_at: 'soon' is not an RFC 3339 date-time such as 2026-04-14T00:00:00Z",
        ),
        ({"secret": "mine"}, 400, "secret: Extra inputs are not permitted"),
    ],
)
def test_create_validation(
    admin: httpx.Client, body: dict[str, str], status: int, message: str
) -> None:
    kind = "invalid_request_error" if status == 400 else "not_found_error"
    error(admin.post("/api_keys", json=body), status, kind, message)


def test_deactivate_reactivate_archive(site: Site, admin: httpx.Client) -> None:
    created = ok(admin.post("/api_keys", json={"name": "cycle"}))
    key_id, secret = created["id"], created["key"]
    assert (
        ok(admin.post(f"/api_keys/{key_id}", json={"status": "inactive"}))["status"] == "inactive"
    )
    assert not works(site, secret)
    assert ok(admin.post(f"/api_keys/{key_id}", json={"status": "active"}))["status"] == "active"
    assert works(site, secret)
    renamed = ok(admin.post(f"/api_keys/{key_id}", json={"name": "renamed"}))
    assert renamed["name"] == "renamed" and renamed["status"] == "active"
    assert (
        ok(admin.post(f"/api_keys/{key_id}", json={"status": "archived"}))["status"] == "archived"
    )
    assert not works(site, secret)
    message = f"api_key {key_id} is archived; an archived key cannot be reactivated"
    error(
        admin.post(f"/api_keys/{key_id}", json={"status": "active"}),
        400,
        "invalid_request_error",
        message,
    )
    error(
        admin.post(f"/api_keys/{key_id}", json={"status": "expired"}),
        400,
        "invalid_request_error",
        "status: Input should be 'active', 'inactive' or 'archived'",
    )


def test_stale_version_is_a_conflict(admin: httpx.Client) -> None:
    created = admin.post("/api_keys", json={"name": "v1"})
    key_id, stale = created.json()["id"], created.headers["etag"]
    ok(admin.post(f"/api_keys/{key_id}", json={"name": "v2"}))
    error(
        admin.post(f"/api_keys/{key_id}", json={"name": "v3"}, headers={"if-match": stale}),
        409,
        "conflict_error",
    )
    assert ok(admin.get(f"/api_keys/{key_id}"))["name"] == "v2"


def test_unknown_key(admin: httpx.Client) -> None:
    error(
        admin.get("/api_keys/apikey_nope"), 404, "not_found_error", "no API key with id apikey_nope"
    )


def test_rotation_with_a_grace_period(site: Site, admin: httpx.Client) -> None:
    created = ok(admin.post("/api_keys", json={"name": "rotating"}))
    rotated = ok(
        admin.post(f"/api_keys/{created['id']}/rotate", json={"grace_period_seconds": 600})
    )
    assert (
        rotated["id"] == created["id"]
        and KEY.match(rotated["key"])
        and rotated["key"] != created["key"]
    )
    assert rotated["partial_key_hint"] == f"{rotated['key'][:16]}...{rotated['key'][-4:]}"
    assert rotated["previous_key_expires_at"] is not None
    assert works(site, rotated["key"]) and works(site, created["key"])
    again = ok(admin.post(f"/api_keys/{created['id']}/rotate", json={"grace_period_seconds": 0}))
    assert works(site, again["key"])
    assert not works(site, rotated["key"]) and not works(site, created["key"])


def test_rotation_rules(admin: httpx.Client) -> None:
    created = ok(admin.post("/api_keys", json={}))
    error(
        admin.post(f"/api_keys/{created['id']}/rotate", json={"grace_period_seconds": -1}),
        400,
        "invalid_request_error",
        "grace_period_seconds: Input should be greater than or equal to 0",
    )
    ok(admin.post(f"/api_keys/{created['id']}", json={"status": "archived"}))
    error(
        admin.post(f"/api_keys/{created['id']}/rotate", json={}),
        400,
        "invalid_request_error",
        f"api_key {created['id']} is archived and cannot be rotated",
    )


def test_an_expired_key_stops_working_and_reads_as_expired(site: Site, admin: httpx.Client) -> None:
    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    created = ok(admin.post("/api_keys", json={"name": "short", "expires_at": soon}))
    assert created["expires_at"] is not None and works(site, created["key"])
    deadline = time.monotonic() + 10
    while works(site, created["key"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not works(site, created["key"])
    assert ok(admin.get(f"/api_keys/{created['id']}"))["status"] == "expired"
    expired = walk(admin, "/api_keys", {"status": "expired", "limit": 100})
    assert created["id"] in expired
    assert created["id"] not in walk(admin, "/api_keys", {"status": "active", "limit": 100})


def test_list_filters_and_pagination(admin: httpx.Client) -> None:
    workspace = ok(admin.post("/workspaces", json={"name": unique()}))
    made = [
        ok(admin.post("/api_keys", json={"workspace_id": workspace["id"], "name": f"k{i}"}))["id"]
        for i in range(5)
    ]
    ok(admin.post(f"/api_keys/{made[0]}", json={"status": "inactive"}))
    in_workspace = walk(admin, "/api_keys", {"workspace_id": workspace["id"], "limit": 2})
    assert sorted(in_workspace) == sorted(made)
    inactive = walk(admin, "/api_keys", {"workspace_id": workspace["id"], "status": "inactive"})
    assert inactive == [made[0]]
    page = ok(admin.get("/api_keys", params={"workspace_id": workspace["id"], "limit": 3}))
    assert page["has_more"] is True and len(page["data"]) == 3
    assert all("key" not in k for k in page["data"])
    error(
        admin.get("/api_keys", params={"status": "lost"}),
        400,
        "invalid_request_error",
        "status: Input should be 'active', 'inactive', 'archived' or 'expired'",
    )
