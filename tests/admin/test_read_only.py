"""A read-only admin key reads everything through the admin API and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from modeldir.store import open_store
from modeldir.wire.admin_operations import OPERATIONS
from tests.admin.conftest import Site, error, ok, unique
from tests.support.admin import new_admin_key

# Every write the admin API has, each with a body that would be valid for a full admin key
# ("{id}" is a workspace, key, model or alias made for the test).
WRITES: list[tuple[str, str, Any]] = [
    ("POST", "/workspaces", {"name": "refused"}),
    ("POST", "/workspaces/{workspace}", {"name": "refused"}),
    ("POST", "/workspaces/{workspace}/archive", None),
    ("POST", "/api_keys", {"name": "refused"}),
    ("POST", "/api_keys/{key}", {"name": "refused"}),
    ("POST", "/api_keys/{key}/rotate", {"grace_period_seconds": 0}),
    (
        "POST",
        "/models",
        {"id": "refused", "display_name": "R", "created_at": "2025-01-01T00:00:00Z"},
    ),
    ("POST", "/models/{model}", {"display_name": "refused"}),
    ("POST", "/models/{model}/deprecate", {}),
    ("POST", "/models/{model}/retire", {}),
    ("DELETE", "/models/{model}", None),
    ("POST", "/aliases", {"alias": "refused", "model": "{model}"}),
    ("POST", "/aliases/{alias}", {"listed": True}),
    ("DELETE", "/aliases/{alias}", None),
    ("POST", "/catalogue/import", {"models": []}),
    ("POST", "/webhooks", {"url": "https://example.com/hooks"}),
    ("DELETE", "/webhooks/{webhook}", None),
    ("POST", "/webhooks/{webhook}/deliveries/{delivery}/resend", None),
]
READS = [
    "/me",
    "/workspaces",
    "/workspaces/{workspace}",
    "/api_keys",
    "/api_keys/{key}",
    "/models",
    "/models/{model}",
    "/aliases",
    "/aliases/{alias}",
    "/audit_log",
    "/catalogue/export",
]


@pytest.fixture
def objects(admin: httpx.Client) -> dict[str, str]:
    """One workspace, key, model and alias, made with the full admin key."""
    model = unique("ro-model")
    ok(
        admin.post(
            "/models",
            json={"id": model, "display_name": "RO", "created_at": "2025-01-01T00:00:00Z"},
        )
    )
    alias = unique("ro-alias")
    ok(admin.post("/aliases", json={"alias": alias, "model": model}))
    return {
        "workspace": ok(admin.post("/workspaces", json={"name": unique()}))["id"],
        "key": ok(admin.post("/api_keys", json={"name": unique()}))["id"],
        "model": model,
        "alias": alias,
        "webhook": "whk_none",  # refused before it is looked up
        "delivery": "dlv_none",
    }


@pytest.fixture
def reader(site: Site) -> Iterator[httpx.Client]:
    store = open_store(site.database_url)
    try:
        key = new_admin_key(store, read_only=True)
    finally:
        store.close()
    with site.admin(key) as client:
        yield client


def test_the_writes_tried_here_are_every_write_the_api_has() -> None:
    def shape(path: str) -> str:
        return re.sub(r"\{[^}]+\}", "{}", path)

    served = {(op.method, shape(op.path)) for op in OPERATIONS if op.writes}
    assert {(method, shape(path)) for method, path, _ in WRITES} == served


def _filled(value: Any, objects: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**objects)
    if isinstance(value, dict):
        return {k: _filled(v, objects) for k, v in value.items()}
    return value


def test_every_write_is_refused_and_changes_nothing(
    admin: httpx.Client, reader: httpx.Client, objects: dict[str, str]
) -> None:
    before = ok(admin.get("/audit_log", params={"limit": 1}))["first_id"]
    for method, path, body in WRITES:
        answer = reader.request(
            method, _filled(path, objects), json=_filled(body, objects) if body else None
        )
        message = error(answer, 403, "permission_error")
        assert "read-only" in message and "modeldir admin-keys create" in message, (path, message)
    # Nothing happened: no audit entry after the last one made with the full key, every object
    # as it was.
    assert ok(admin.get("/audit_log", params={"limit": 1}))["first_id"] == before
    assert ok(admin.get(f"/models/{objects['model']}"))["display_name"] == "RO"
    assert ok(admin.get(f"/aliases/{objects['alias']}"))["listed"] is False
    assert ok(admin.get(f"/workspaces/{objects['workspace']}"))["archived_at"] is None


def test_a_write_is_refused_before_its_body_is_read(reader: httpx.Client) -> None:
    answer = reader.post("/workspaces", json={"name": "", "colour": "typo"})
    error(answer, 403, "permission_error")


def test_reads_and_dry_runs_work(reader: httpx.Client, objects: dict[str, str]) -> None:
    for path in READS:
        answer = reader.get(_filled(path, objects))
        assert answer.status_code == 200, (path, answer.text)
    report = ok(
        reader.post(
            "/catalogue/import",
            params={"dry_run": "true"},
            json={"models": [{"id": unique(), "display_name": "D", "created_at": "2020-01-01"}]},
        )
    )
    assert report["dry_run"] is True and len(report["models"]["added"]) == 1


def test_every_admin_change_passes_the_scope_check() -> None:
    """Admin operations open write transactions only through `Operations._transaction`, which
    refuses a read-only actor (the first start, `bootstrap.py`, has no actor)."""
    import modeldir.admin

    folder = Path(modeldir.admin.__file__).parent
    for path in folder.glob("*.py"):
        if path.name not in ("operation.py", "bootstrap.py"):
            assert "store.transaction(" not in path.read_text(), path.name
