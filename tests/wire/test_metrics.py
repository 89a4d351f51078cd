"""/metrics on a server in this process: what it counts, what it shows, who may read it.

Each expectation is the test's own count of what it did, compared with a parsed exposition.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from modeldir.admin.bootstrap import initialize
from modeldir.settings import Settings
from modeldir.store import open_store
from modeldir.wire.app import Server
from tests.support.admin import new_admin_key, new_key
from tests.support.metrics import Samples, read, requests, value
from tests.support.server import free_port
from tests.support.services import POSTGRES_ADMIN_URL, fresh_postgres_database
from tests.support.webhooks import receiver

VERSION = {"anthropic-version": "2023-06-01"}


@dataclass
class Site:
    client: TestClient
    key: str
    """An API key of the default workspace."""
    admin_key: str


@contextmanager
def serving(database_url: str, **settings: Any) -> Iterator[Site]:
    """A started server (its lifespan run) on a fresh catalogue with two keys, in this process."""
    store = open_store(database_url)
    try:
        initialize(store)
        key, admin_key = new_key(store), new_admin_key(store)
    finally:
        store.close()
    chosen = Settings(database_url=database_url, refresh_interval=0.05, **settings)
    with TestClient(Server(chosen).entry, raise_server_exceptions=False) as client:
        yield Site(client, key, admin_key)


def scrape(client: TestClient, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return read(response.text)


def test_requests_are_counted_by_route_template_method_and_status(database_url: str) -> None:
    with serving(database_url) as site:
        client, key, admin_key = site.client, site.key, site.admin_key
        good = {"x-api-key": key, **VERSION}
        admin = {"x-api-key": admin_key, **VERSION}
        # (method, path as sent, headers) -> the route the test expects it to be counted under
        sent = [
            ("GET", "/v1/models?limit=3", good, "/v1/models"),
            ("GET", "/v1/models", {"x-api-key": "sk-wrong", **VERSION}, "/v1/models"),
            ("GET", "/v1/models/claude-opus-4-7", good, "/v1/models/{model_id}"),
            ("GET", "/v1/models/a%2Fb", good, "/v1/models/{model_id}"),
            ("GET", "/v1/models/a/b/c", good, "/v1/models/{model_id}"),
            ("DELETE", "/v1/models/x", good, "/v1/models/{model_id}"),
            ("GET", "/openai/v1/models", {"authorization": f"Bearer {key}"}, "/openai/v1/models"),
            (
                "GET",
                "/openai/v1/models/claude-opus-4-7",
                {"authorization": f"Bearer {key}"},
                "/openai/v1/models/{model}",
            ),
            ("GET", "/v1/organizations/workspaces", admin, "/v1/organizations/workspaces"),
            (
                "GET",
                "/v1/organizations/workspaces/wrkspc_nope",
                admin,
                "/v1/organizations/workspaces/{workspace_id}",
            ),
            (
                "GET",
                "/v1/organizations/models/some/model/id",
                admin,
                "/v1/organizations/models/{model_id:path}",
            ),
            ("PUT", "/v1/organizations/workspaces", admin, "/v1/organizations/workspaces"),
            ("GET", "/no/such/path/12345", {}, "other"),
            ("BREW", "/teapot", {}, "other"),
            ("GET", "/healthz", {}, "/healthz"),
            ("GET", "/readyz", {}, "/readyz"),
        ]
        expected: Counter[tuple[str, str, str]] = Counter()
        for method, path, headers, route in sent:
            status = client.request(method, path, headers=headers).status_code
            expected[route, method if method != "BREW" else "other", str(status)] += 1
        samples = scrape(client)
        assert requests(samples, leave_out=frozenset({"/metrics"})) == expected
        assert expected["/v1/models", "GET", "401"] == 1  # the statuses are the real ones
        assert expected["/v1/models/{model_id}", "DELETE", "405"] == 1
        # Latency: one histogram per route, its count the route's requests.
        for route in {route for route, _, _ in expected}:
            count = sum(n for (r, _, _), n in expected.items() if r == route)
            name = "modeldir_request_duration_seconds"
            assert value(samples, f"{name}_count", route=route) == count
            assert value(samples, f"{name}_bucket", route=route, le="+Inf") == count
        # The scrape itself is counted too, once the next one looks.
        assert requests(scrape(client))["/metrics", "GET", "200"] == 1


def test_no_credential_is_needed_unless_a_token_is_set(tmp_path: Any) -> None:
    with serving(f"sqlite:///{tmp_path / 'open.db'}") as site:
        scrape(site.client)
    token = "s3cret-metrics-token"
    with serving(f"sqlite:///{tmp_path / 'closed.db'}", metrics_token=SecretStr(token)) as site:
        client, key = site.client, site.key
        refusals = [
            {},
            {"authorization": "Bearer wrong-token"},
            {"authorization": f"Basic {token}"},
            {"authorization": f"Bearer {token}x"},
            {"x-api-key": key, **VERSION},  # an API key is not the metrics token
        ]
        for headers in refusals:
            response = client.get("/metrics", headers=headers)
            assert response.status_code == 401
            body = response.json()
            assert body["type"] == "error" and body["error"]["type"] == "authentication_error"
            assert body["request_id"] == response.headers["request-id"]
            assert response.headers["www-authenticate"] == "Bearer"
            assert token not in response.text
        samples = scrape(client, authorization=f"Bearer {token}")
        assert requests(samples)["/metrics", "GET", "401"] == len(refusals)
        assert scrape(client, authorization=f"bearer {token}")  # the scheme in any case


def test_metrics_can_be_turned_off(tmp_path: Any) -> None:
    with serving(f"sqlite:///{tmp_path / 'm.db'}", metrics=False) as site:
        response = site.client.get("/metrics")
        assert response.status_code == 404
        assert response.json()["error"]["type"] == "not_found_error"


def _catalogue_sizes(samples: Samples) -> dict[str, float]:
    return {
        "models": value(samples, "modeldir_catalogue_models"),
        "active workspaces": value(samples, "modeldir_catalogue_workspaces", state="active"),
        "archived workspaces": value(samples, "modeldir_catalogue_workspaces", state="archived"),
        **{
            f"{status} keys": v
            for (name, labels), v in samples.items()
            if name == "modeldir_catalogue_api_keys"
            for _, status in labels
        },
    }


def test_catalogue_sizes_follow_admin_writes(database_url: str) -> None:
    with serving(database_url) as site:
        client = site.client
        store = open_store(database_url)
        models = len([m for m in store.changes_since(None).models if not m.deleted])
        store.close()
        admin = {"x-api-key": site.admin_key, **VERSION}
        before = _catalogue_sizes(scrape(client))
        # The bundled models, the default workspace and the one key `serving` made.
        assert before == {
            "models": models,
            "active workspaces": 1,
            "archived workspaces": 0,
            "active keys": 1,
        }
        prefix = "/v1/organizations"
        made = [
            client.post(f"{prefix}/workspaces", json={"name": f"w{i}"}, headers=admin).json()
            for i in range(3)
        ]
        client.post(f"{prefix}/workspaces/{made[0]['id']}/archive", headers=admin)
        for workspace in made[1:]:
            body = {"name": "k", "workspace_id": workspace["id"]}
            assert client.post(f"{prefix}/api_keys", json=body, headers=admin).status_code == 200
        first = client.get(f"{prefix}/api_keys", headers=admin).json()["data"][0]["id"]
        client.post(f"{prefix}/api_keys/{first}", json={"status": "inactive"}, headers=admin)
        model = {"id": "metrics-model", "display_name": "M", "created_at": "2025-01-01T00:00:00Z"}
        assert client.post(f"{prefix}/models", json=model, headers=admin).status_code == 200
        # Each write refreshed the snapshot before it answered: no wait is needed.
        assert _catalogue_sizes(scrape(client)) == {
            "models": models + 1,
            "active workspaces": 3,
            "archived workspaces": 1,
            "active keys": 2,
            "inactive keys": 1,
        }


def test_the_snapshot_gauges_and_a_change_made_elsewhere(database_url: str) -> None:
    with serving(database_url) as site:
        client = site.client
        samples = scrape(client)
        store = open_store(database_url)
        try:
            assert value(samples, "modeldir_snapshot_revision") == store.revision()
            assert value(samples, "modeldir_change_propagation_seconds_count") == 0
            wrote_at = time.time()
            new_key(store)  # as the CLI would: another process's write
            revision = store.revision()
        finally:
            store.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            samples = scrape(client)
            if value(samples, "modeldir_snapshot_revision") == revision:
                break
            time.sleep(0.02)
        seen_at = time.time()
        assert value(samples, "modeldir_snapshot_revision") == revision
        assert value(samples, "modeldir_change_propagation_seconds_count") == 1
        lag = value(samples, "modeldir_change_propagation_seconds_sum")
        assert 0 <= lag <= seen_at - wrote_at + 0.001  # the store keeps whole milliseconds
        applied = value(samples, "modeldir_snapshot_applied_timestamp_seconds")
        confirmed = value(samples, "modeldir_snapshot_confirmed_timestamp_seconds")
        assert wrote_at <= applied <= confirmed <= seen_at
        assert 0 <= value(samples, "modeldir_snapshot_age_seconds") <= seen_at - applied


def test_rate_limit_refusals_are_counted_by_limit(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with serving(url, key_requests_per_minute=2) as site:
        client = site.client
        statuses = [
            client.get("/v1/models", headers={"x-api-key": site.key, **VERSION}).status_code
            for _ in range(5)
        ]
        assert statuses == [200, 200, 429, 429, 429]
        samples = scrape(client)
        assert value(samples, "modeldir_rate_limited_requests_total", limit="api_key") == 3
        assert value(samples, "modeldir_rate_limited_requests_total", limit="workspace") == 0
        assert requests(samples)["/v1/models", "GET", "429"] == 3


def test_redis_failures_are_counted_and_requests_still_answered(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    nowhere = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with serving(url, redis_url=nowhere) as site:
        response = site.client.get("/v1/models", headers={"x-api-key": site.key, **VERSION})
        assert response.status_code == 200  # limited in the process meanwhile
        assert value(scrape(site.client), "modeldir_redis_errors_total") == 1


@pytest.mark.postgres
def test_database_failures_are_counted() -> None:
    with fresh_postgres_database() as url, serving(url) as site:
        client = site.client
        assert value(scrape(client), "modeldir_database_errors_total") == 0
        name = url.rsplit("/", 1)[1]  # the database goes away under the server
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if value(scrape(client), "modeldir_database_errors_total") > 0:
                break
            time.sleep(0.05)
        assert value(scrape(client), "modeldir_database_errors_total") > 0
        # Requests are still answered from the last snapshot.
        assert client.get("/healthz").status_code == 200


def test_exposition_parses_as_prometheus_text(tmp_path: Any) -> None:
    with serving(f"sqlite:///{tmp_path / 'm.db'}") as site:
        site.client.get("/v1/models")
        text = site.client.get("/metrics").text
    samples = read(text)  # parses, and no sample repeats
    assert {name for name, _ in samples} >= {
        "modeldir_requests_total",
        "modeldir_request_duration_seconds_bucket",
        "modeldir_rate_limited_requests_total",
        "modeldir_database_errors_total",
        "modeldir_redis_errors_total",
        "modeldir_snapshot_revision",
        "modeldir_snapshot_age_seconds",
        "modeldir_snapshot_applied_timestamp_seconds",
        "modeldir_catalogue_models",
        "modeldir_catalogue_workspaces",
        "modeldir_catalogue_api_keys",
        "modeldir_change_propagation_seconds_count",
    }


def test_webhook_tries_are_counted_by_outcome(database_url: str) -> None:
    settings = {"webhook_allow_private_addresses": True, "webhook_retry_seconds": 0.05}
    with (
        receiver(answer=lambda n: 500 if n <= 2 else 200) as hook,
        serving(database_url, **settings) as site,
    ):
        admin = {"x-api-key": site.admin_key, **VERSION}
        created = site.client.post(
            "/v1/organizations/webhooks", json={"url": hook.url}, headers=admin
        )
        assert created.status_code == 200, created.text
        model = {"id": "counted", "display_name": "C", "created_at": "2030-01-01"}
        assert (
            site.client.post("/v1/organizations/models", json=model, headers=admin).status_code
            == 200
        )

        def tries() -> dict[str, float]:
            samples = scrape(site.client)
            outcomes = ("delivered", "retrying", "failed")
            return {o: value(samples, "modeldir_webhook_tries_total", outcome=o) for o in outcomes}

        hook.wait_for(lambda r: tries() == {"delivered": 1, "retrying": 2, "failed": 0})
        samples = scrape(site.client)
        assert value(samples, "modeldir_webhook_delivering") == 1
        hook.wait_for(lambda r: value(scrape(site.client), "modeldir_webhook_backlog") == 0)


RETIRING = "modeldir_catalogue_models_retiring_within_30_days"


def test_models_retiring_within_30_days_follow_the_catalogue(database_url: str) -> None:
    from modeldir.admin.bootstrap import bundled_document

    now = datetime.now(UTC)
    soon = now + timedelta(days=30)
    # The bundled models not yet retired whose date is at most 30 days away (overdue included).
    bundled = [
        m.id
        for m in bundled_document().models
        if m.lifecycle != "retired" and m.retires_at is not None and m.retires_at <= soon
    ]
    with serving(database_url) as site:
        assert value(scrape(site.client), RETIRING) == len(bundled)
        admin = {"x-api-key": site.admin_key, **VERSION}
        models = "/v1/organizations/models"
        in_10, in_40 = ((now + timedelta(days=d)).strftime("%Y-%m-%d") for d in (10, 40))
        for model_id, retires_at in (("leaving", in_10), ("staying", in_40)):
            made = {"id": model_id, "display_name": "M", "created_at": "2030-01-01"}
            assert site.client.post(models, json=made, headers=admin).status_code == 200
            deprecate = site.client.post(
                f"{models}/{model_id}/deprecate", json={"retires_at": retires_at}, headers=admin
            )
            assert deprecate.status_code == 200, deprecate.text
        # Each write refreshed the snapshot before it answered, and a new revision is counted
        # again: no wait is needed.
        assert value(scrape(site.client), RETIRING) == len(bundled) + 1
        retired = site.client.post(f"{models}/leaving/retire", json={}, headers=admin)
        assert retired.status_code == 200
        assert value(scrape(site.client), RETIRING) == len(bundled)
