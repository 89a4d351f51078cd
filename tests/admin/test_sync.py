"""Mirroring another Models API: a second modeldir on a free port is the upstream.

What each sync must leave behind is written out here from what the test did to the upstream
and to the local catalogue, never read back from the sync's own report alone.
"""

from __future__ import annotations

import http.server
import itertools
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from modeldir.admin.bootstrap import initialize
from modeldir.admin.sync import SyncOptions
from modeldir.admin.upstream import Upstream
from modeldir.errors import UpstreamError
from modeldir.store import Store, open_store
from tests.support.admin import admin_for, new_admin_key, new_key
from tests.support.openapi import assert_documented
from tests.support.outbox import endpoint, events
from tests.support.server import ServerProcess, modeldir_command
from tests.support.services import fresh_postgres_database

UPSTREAM_MODELS = [
    {"id": "up-a", "display_name": "Up A", "created_at": "2026-03-01", "max_tokens": 1000},
    {"id": "up-b", "display_name": "Up B", "created_at": "2026-02-01", "max_tokens": 2000},
    {"id": "up-c", "display_name": "Up C", "created_at": "2026-01-01", "line": "haiku"},
    {"id": "shared", "display_name": "Upstream's", "created_at": "2025-12-01"},
]


@dataclass
class Upstream_:
    url: str
    key: str
    admin: httpx.Client
    server: ServerProcess

    def upstream(self, **given: Any) -> Upstream:
        return Upstream(self.url, self.key, **given)


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[Upstream_]:
    url = f"sqlite:///{tmp_path / 'upstream.db'}"
    store = open_store(url)
    initialize(store, seed=False)
    admin_for(store).import_catalogue({"models": UPSTREAM_MODELS})
    key, admin_key = new_key(store), new_admin_key(store)
    store.close()
    server = ServerProcess(url, tmp_path / "upstream.log", {"MODELDIR_SEED": "false"}).start()
    client = httpx.Client(
        base_url=f"{server.base_url}/v1/organizations",
        headers={"x-api-key": admin_key, "anthropic-version": "2023-06-01"},
    )
    try:
        yield Upstream_(server.base_url, key, client, server)
    finally:
        client.close()
        server.stop()


@pytest.fixture
def local(store: Store) -> Store:
    initialize(store, seed=False)
    admin_for(store).import_catalogue(
        {"models": [{"id": "shared", "display_name": "Ours", "created_at": "2020-01-01"}]}
    )
    return store


def wire(store: Store, model_id: str) -> dict[str, Any]:
    return admin_for(store).get_model(model_id).object


def sync(store: Store, upstream: Upstream_, **options: Any) -> dict[str, Any]:
    return admin_for(store).sync(upstream.upstream(), SyncOptions(**options))


def changed(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text


def test_first_sync_then_updates_overrides_and_removals(local: Store, upstream: Upstream_) -> None:
    first = sync(local, upstream)
    assert first["created"] == ["up-a", "up-b", "up-c"]
    assert first["not_ours"] == ["shared"]  # a local model of the same id is never touched
    assert wire(local, "shared")["display_name"] == "Ours"
    for model in UPSTREAM_MODELS[:3]:
        assert wire(local, model["id"])["display_name"] == model["display_name"]
    entries = admin_for(local).audit_log(_audit_params())["data"]
    syncs = [e for e in entries if e["action"] == "catalogue.sync"]
    assert len(syncs) == 1 and syncs[0]["object"]["id"] == upstream.url

    # The same upstream again: nothing to write, no revision, no audit entry.
    revision = local.revision()
    assert sync(local, upstream)["revision"] is None and local.revision() == revision

    # Upstream changes up-a's name and up-b's limit; here, the operator renames up-b.
    changed(upstream.admin.post("/models/up-a", json={"display_name": "Up A v2"}))
    changed(upstream.admin.post("/models/up-b", json={"max_tokens": 4000}))
    admin_for(local).update_model("up-b", {"display_name": "Our B"})

    dry = sync(local, upstream, dry_run=True)
    assert dry["updated"] == ["up-a", "up-b"] and dry["kept_local"] == {"up-b": ["display_name"]}
    assert wire(local, "up-a")["display_name"] == "Up A" and local.revision() == revision + 1

    done = sync(local, upstream)
    assert done["updated"] == ["up-a", "up-b"]
    assert wire(local, "up-a")["display_name"] == "Up A v2"
    assert (wire(local, "up-b")["display_name"], wire(local, "up-b")["max_tokens"]) == (
        "Our B",
        4000,
    )
    # --overwrite takes the upstream's name back.
    assert sync(local, upstream, overwrite=True)["updated"] == ["up-b"]
    assert wire(local, "up-b")["display_name"] == "Up B"

    # Upstream deprecates up-a and deletes up-c: a lifecycle change, and a model gone.
    changed(upstream.admin.post("/models/up-a/deprecate", json={"retires_at": "2027-01-01"}))
    assert upstream.admin.delete("/models/up-c").status_code == 200
    report = sync(local, upstream)
    assert report["lifecycle_changes"] == ["up-a: active -> deprecated"]
    assert report["gone_upstream"] == ["up-c"] and report["deprecated"] == []
    assert wire(local, "up-c")["lifecycle"] == "active"  # reported, never deleted
    report = sync(local, upstream, deprecate_missing=True)
    assert report["deprecated"] == ["up-c"] and wire(local, "up-c")["lifecycle"] == "deprecated"
    assert wire(local, "up-a")["retires_at"] == "2027-01-01T00:00:00Z"


def test_each_model_a_sync_changes_is_told_to_the_webhooks(
    local: Store, upstream: Upstream_
) -> None:
    endpoint(admin_for(local))
    sync(local, upstream, dry_run=True)
    assert events(local) == []
    sync(local, upstream)
    # `shared` is a local model: the sync leaves it alone, and says nothing of it.
    assert sorted(events(local)) == [
        ("model.created", "up-a"),
        ("model.created", "up-b"),
        ("model.created", "up-c"),
    ]
    changed(upstream.admin.post("/models/up-b", json={"max_tokens": 4000}))
    changed(upstream.admin.post("/models/up-a/deprecate", json={"retires_at": "2027-01-01"}))
    sync(local, upstream)
    sync(local, upstream)  # nothing new upstream: nothing told
    assert sorted(events(local)[3:]) == [
        ("model.lifecycle_changed", "up-a"),
        ("model.updated", "up-b"),
    ]


def test_a_dry_run_writes_nothing(local: Store, upstream: Upstream_) -> None:
    revision = local.revision()
    report = sync(local, upstream, dry_run=True)
    assert report["created"] == ["up-a", "up-b", "up-c"] and report["dry_run"] is True
    assert local.revision() == revision and local.sync_runs() == []
    assert {m.id for m in local.changes_since(None).models} == {"shared"}


class _FailingSecondPage(http.server.BaseHTTPRequestHandler):
    """Forwards to the upstream, except that a page after the first gets a 500."""

    target = ""

    def do_GET(self) -> None:
        if "after_id" in self.path:
            body = b'{"type":"error","error":{"type":"api_error","message":"boom"}}'
            self.send_response(500)
            self.send_header("request-id", "req_proxy_failed_here")
        else:
            forwarded = httpx.get(self.target + self.path, headers=dict(self.headers))
            body = forwarded.content
            self.send_response(forwarded.status_code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_an_upstream_failing_mid_walk_leaves_the_catalogue_untouched(
    local: Store, upstream: Upstream_
) -> None:
    handler = type("Handler", (_FailingSecondPage,), {"target": upstream.url})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    revision = local.revision()
    try:
        through = Upstream(
            f"http://127.0.0.1:{proxy.server_address[1]}",
            upstream.key,
            page_size=1,
            max_retries=0,
        )
        with pytest.raises(UpstreamError) as caught:
            admin_for(local).sync(through)
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert "answered 500: boom" in caught.value.message
    assert "req_proxy_failed_here" in caught.value.message
    assert local.revision() == revision
    (run,) = local.sync_runs()
    assert (run.outcome, run.request_id) == ("failed", "req_proxy_failed_here")
    status = admin_for(local).sync_status()["data"][0]
    assert (
        status["outcome"] == "failed" and status["upstream_request_id"] == "req_proxy_failed_here"
    )
    sync(local, upstream)  # and one that ends well: both as /openapi.json describes them
    assert_documented("GET", "/catalogue/sync", admin_for(local).sync_status())


def test_a_wrong_key_and_a_stopped_upstream(local: Store, upstream: Upstream_) -> None:
    revision = local.revision()
    with pytest.raises(UpstreamError) as caught:
        admin_for(local).sync(Upstream(upstream.url, "sk-wrong", max_retries=0))
    # The SDK sends the key as a bearer token; the upstream says so (D2) with its request id.
    assert "answered 401: Invalid bearer token (upstream request-id req_" in caught.value.message
    upstream.server.stop()
    with pytest.raises(UpstreamError) as caught:
        admin_for(local).sync(upstream.upstream(max_retries=0))
    assert "cannot be reached" in caught.value.message
    assert local.revision() == revision


def _audit_params() -> Any:
    from modeldir.admin.inputs import AuditListParams

    return AuditListParams(limit=100)


def test_the_command_line(tmp_path: Path, upstream: Upstream_) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELDIR_")}
    env |= {"MODELDIR_DATABASE_URL": f"sqlite:///{tmp_path / 'local.db'}", "MODELDIR_SEED": "false"}

    def modeldir(*args: str, **more: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            modeldir_command(*args), env=env | more, capture_output=True, text=True, timeout=120
        )

    done = modeldir("sync", "--from", upstream.url, MODELDIR_SYNC_API_KEY=upstream.key)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == (
        "4 created, 0 updated, 0 lifecycle changes, 0 kept local, 0 not ours, 0 gone upstream"
    )
    refused = modeldir("sync", "--from", upstream.url, "--api-key", "sk-wrong")
    assert refused.returncode == 7 and refused.stdout == ""
    (line,) = refused.stderr.splitlines()
    assert line.startswith(f"modeldir: upstream {upstream.url} answered 401: Invalid bearer token")
    status = modeldir("sync", "status").stdout.splitlines()
    assert [s.split()[1] for s in status] == ["failed", "ok"]
    assert status[1].endswith("4 created, 0 updated, 0 gone upstream")


EVERY_MINUTES = 0.02
"""The schedule's period in the two-instance test: 1.2 s."""


@pytest.mark.slow
def test_two_instances_sync_once_per_period_between_them(
    tmp_path: Path, upstream: Upstream_
) -> None:
    with fresh_postgres_database() as url:
        store = open_store(url)
        initialize(store, seed=False)
        admin_key = new_admin_key(store)
        env = {
            "MODELDIR_SEED": "false",
            "MODELDIR_SYNC_FROM": upstream.url,
            "MODELDIR_SYNC_API_KEY": upstream.key,
            "MODELDIR_SYNC_EVERY_MINUTES": str(EVERY_MINUTES),
        }
        servers = [ServerProcess(url, tmp_path / f"local-{i}.log", env) for i in range(2)]
        try:
            for server in servers:
                server.start()
            deadline = time.monotonic() + 120  # a bound on waiting, not an assertion of speed
            while len(store.sync_runs()) < 5 and time.monotonic() < deadline:
                time.sleep(0.2)
            # Runs are kept as they end; a slow one may end after the next began.
            runs = sorted(store.sync_runs(), key=lambda run: run.started_at_ms)
            assert len(runs) >= 5
            # One run per period between them: each began at least a period after the last.
            starts = [run.started_at_ms for run in runs]
            period_ms = int(EVERY_MINUTES * 60 * 1000)
            assert all(b - a >= period_ms for a, b in itertools.pairwise(starts))
            assert all(run.outcome == "ok" for run in runs)
            assert sorted(m.id for m in store.changes_since(None).models) == sorted(
                m["id"] for m in UPSTREAM_MODELS
            )
            shown = httpx.get(
                f"{servers[1].base_url}/v1/organizations/catalogue/sync",
                headers={"x-api-key": admin_key, "anthropic-version": "2023-06-01"},
            ).json()
            assert shown["data"][0]["outcome"] == "ok"
            scraped = [httpx.get(f"{s.base_url}/metrics").text for s in servers]
            assert all('modeldir_sync_runs_total{outcome="ok"}' in text for text in scraped)
        finally:
            for server in servers:
                server.stop()
            store.close()
