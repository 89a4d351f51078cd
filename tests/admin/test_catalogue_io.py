"""Bulk import and export: diffs, dry runs, all-or-nothing, byte-identical round trips."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import yaml

from modeldir.admin.bootstrap import initialize
from modeldir.admin.service import Actor, AdminService
from modeldir.errors import InvalidCatalogue
from modeldir.store import Store
from tests.admin.conftest import Site, error, ok, unique


def export(admin: httpx.Client, fmt: str = "json") -> bytes:
    response = admin.get("/catalogue/export", params={"format": fmt})
    assert response.status_code == 200, response.text
    return response.content


def many(prefix: str, count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}-{i:05d}",
            "display_name": f"Bulk {i}",
            "created_at": f"2020-{1 + i % 12:02d}-01",
        }
        for i in range(count)
    ]


def test_merge_import_reports_and_applies_a_diff(site: Site, admin: httpx.Client) -> None:
    prefix = unique("merge")
    first = ok(
        admin.post(
            "/catalogue/import",
            json={
                "models": many(prefix, 3),
                "aliases": [{"alias": f"{prefix}-a", "model": f"{prefix}-00000"}],
            },
        )
    )
    assert first["models"]["added"] == [f"{prefix}-{i:05d}" for i in range(3)]
    assert (
        first["aliases"]["added"] == [f"{prefix}-a"]
        and first["dry_run"] is False
        and first["revision"] > 0
    )
    changed = many(prefix, 3)
    changed[1]["display_name"] = "Changed"
    second = ok(admin.post("/catalogue/import", json={"models": changed}))
    assert second["models"]["changed"] == [f"{prefix}-00001"] and second["models"]["unchanged"] == 2
    assert second["models"]["removed"] == []
    with site.models_api(site.api_key) as models:
        assert ok(models.get(f"/models/{prefix}-00001"))["display_name"] == "Changed"


def test_dry_run_writes_nothing(admin: httpx.Client) -> None:
    before = export(admin)
    report = ok(
        admin.post(
            "/catalogue/import",
            params={"mode": "replace", "dry_run": "true"},
            json={"models": many("dry", 2)},
        )
    )
    assert report["dry_run"] is True and report["revision"] is None
    assert report["models"]["added"] == ["dry-00000", "dry-00001"]
    assert "claude-opus-4-7" in report["models"]["removed"]
    assert "claude-sonnet-4-5" in report["aliases"]["removed"]
    assert export(admin) == before


def test_an_import_that_fails_on_record_9000_changes_nothing(admin: httpx.Client) -> None:
    before = export(admin)
    models = many(unique("bulk"), 10_000)
    models[8_999]["created_at"] = "not a date"
    models[9_500]["max_tokens"] = -1
    response = admin.post("/catalogue/import", json={"models": models})
    message = error(response, 400, "invalid_request_error")
    assert message.startswith("invalid catalogue: 2 problem(s): models[8999].created_at:")
    problems = response.json()["error"]["details"]["problems"]
    assert [p["location"] for p in problems] == [
        "models[8999].created_at",
        "models[9500].max_tokens",
    ]
    assert export(admin) == before


def test_yaml_bodies_are_accepted(admin: httpx.Client) -> None:
    prefix = unique("yaml")
    text = yaml.safe_dump({"models": many(prefix, 1)})
    report = ok(
        admin.post(
            "/catalogue/import", content=text.encode(), headers={"content-type": "application/yaml"}
        )
    )
    assert report["models"]["added"] == [f"{prefix}-00000"]


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_export_import_export_is_byte_identical(admin: httpx.Client, fmt: str) -> None:
    first = export(admin, fmt)
    content_type = "application/json" if fmt == "json" else "application/yaml"
    report = ok(
        admin.post(
            "/catalogue/import",
            params={"mode": "replace"},
            content=first,
            headers={"content-type": content_type},
        )
    )
    assert (
        report["models"]["added"]
        == report["models"]["changed"]
        == report["models"]["removed"]
        == []
    )
    assert export(admin, fmt) == first


def test_replace_removes_what_the_document_does_not_name(site: Site, admin: httpx.Client) -> None:
    saved = export(admin)
    try:
        prefix = unique("only")
        report = ok(
            admin.post(
                "/catalogue/import", params={"mode": "replace"}, json={"models": many(prefix, 2)}
            )
        )
        assert "claude-opus-4-7" in report["models"]["removed"]
        with site.models_api(site.api_key) as models:
            listed = [
                m["id"]
                for m in models.get(
                    "/models?limit=1000&lifecycle[]=active&lifecycle[]=deprecated&lifecycle[]=retired"
                ).json()["data"]
            ]
        assert listed == [f"{prefix}-00001", f"{prefix}-00000"]  # newest first
    finally:
        ok(
            admin.post(
                "/catalogue/import",
                params={"mode": "replace"},
                content=saved,
                headers={"content-type": "application/json"},
            )
        )
    assert export(admin) == saved


# ---- a failure in the middle of the write rolls everything back (real databases) ----------------


class FailingStore:
    """A store whose write transactions fail after writing `after` models."""

    def __init__(self, store: Store, after: int) -> None:
        self.store, self.after = store, after

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self.store.transaction() as tx:
            original = tx.put_models
            after = self.after

            def put_models(records: Any) -> None:
                records = list(records)
                original(records[:after])
                raise RuntimeError("the disk is full")

            tx.put_models = put_models  # type: ignore[method-assign]
            yield tx


def test_a_database_failure_mid_import_rolls_everything_back(store: Store) -> None:
    initialize(store)
    actor = Actor("cli", "tests")
    before = AdminService(store, actor).export_catalogue().to_data()
    revision = store.revision()
    failing = AdminService(FailingStore(store, after=9_000), actor)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="the disk is full"):
        failing.import_catalogue({"models": many("fail", 10_000)})
    assert AdminService(store, actor).export_catalogue().to_data() == before
    assert store.revision() == revision
    with pytest.raises(InvalidCatalogue):
        AdminService(store, actor).import_catalogue({"models": [{"id": "x"}]})


def test_concurrent_writers_with_the_same_version_one_wins(site: Site, admin: httpx.Client) -> None:
    created = admin.post("/workspaces", json={"name": "contested"})
    workspace_id, etag = created.json()["id"], created.headers["etag"]
    barrier = threading.Barrier(2)
    results: dict[str, int] = {}

    def write(name: str) -> None:
        with site.admin() as client:
            barrier.wait()
            response = client.post(
                f"/workspaces/{workspace_id}", json={"name": name}, headers={"if-match": etag}
            )
            results[name] = response.status_code

    threads = [threading.Thread(target=write, args=(name,)) for name in ("alpha", "beta")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [200, 409]
    winner = next(name for name, status in results.items() if status == 200)
    assert ok(admin.get(f"/workspaces/{workspace_id}"))["name"] == winner
