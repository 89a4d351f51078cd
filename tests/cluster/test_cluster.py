"""Three instances on PostgreSQL and Redis behind nginx: any instance answers as if there were one.

Everything runs on 127.0.0.1 on free ports: a fresh PostgreSQL database, a private Redis (so it
can be killed), three `modeldir serve` processes and nginx rendered from deploy/nginx.conf.
Every loop is bounded and every process is stopped at the end, by its PID. The propagation
times measured here are written to tests/cluster/.last-run.json.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from modeldir.admin.bootstrap import initialize
from modeldir.store import open_store
from tests.support.admin import new_admin_key, new_key
from tests.support.nginx import nginx_front
from tests.support.server import ServerProcess
from tests.support.services import PrivateRedis, fresh_postgres_database, private_redis

pytestmark = pytest.mark.slow

VERSION = {"anthropic-version": "2023-06-01"}
MEASURED: dict[str, Any] = {}


@dataclass
class Cluster:
    database_url: str
    redis: PrivateRedis
    instances: list[ServerProcess]
    balancer: str
    admin_key: str
    api_key: str
    folder: Path = field(default_factory=Path)

    def admin(self, n: int) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.instances[n].base_url}/v1/organizations",
            headers={"x-api-key": self.admin_key, **VERSION},
            timeout=30,
        )

    def revision(self, n: int) -> int:
        return int(httpx.get(f"{self.instances[n].base_url}/readyz").json()["revision"])

    def state(self, n: int) -> str:
        """Where instance `n` counts rate limits now."""
        return str(httpx.get(f"{self.instances[n].base_url}/readyz").json()["rate_limits"])

    def caught_up(self, writer: int) -> None:
        """Wait (bounded) until every instance has what the writer has: a key checked without
        a request that would count against its rate limit."""
        target = self.revision(writer)
        until(lambda: all(self.revision(i) >= target for i in range(3)), 2.0)

    def get(self, n: int, path: str, key: str | None = None) -> httpx.Response:
        return httpx.get(
            f"{self.instances[n].base_url}{path}",
            headers={"x-api-key": key or self.api_key, **VERSION},
        )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("cluster")
    with fresh_postgres_database() as url, private_redis() as redis_server:
        store = open_store(url)
        initialize(store)
        admin_key, api_key = new_admin_key(store), new_key(store, name="cluster")
        store.close()
        # Polling every 5 s: a change seen within a second was announced (LISTEN/NOTIFY).
        # A stop drains for a second, as in production: nginx is told to close and reconnects.
        env = {
            "MODELDIR_REDIS_URL": redis_server.url,
            "MODELDIR_REFRESH_INTERVAL": "5",
            "MODELDIR_DRAIN_SECONDS": "1",
        }
        instances = [ServerProcess(url, folder / f"instance-{n}.log", env=env) for n in range(3)]
        started: list[ServerProcess] = []
        try:
            for instance in instances:
                started.append(instance.start())
            with nginx_front(folder, instances) as (balancer, _):
                yield Cluster(url, redis_server, instances, balancer, admin_key, api_key, folder)
        finally:
            for instance in started:
                instance.stop()
            (Path(__file__).parent / ".last-run.json").write_text(json.dumps(MEASURED, indent=2))


def until(condition: Callable[[], bool], timeout: float) -> float:
    """Seconds until `condition` holds; fails after `timeout` (bounded)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.01)
    raise AssertionError(f"not within {timeout} s")


def summary(seconds: list[float]) -> dict[str, float]:
    return {
        "p50_ms": statistics.median(seconds) * 1000,
        "worst_ms": max(seconds) * 1000,
        "trials": len(seconds),
    }


def test_a_model_created_through_one_instance_is_listed_by_the_others_within_a_second(
    cluster: Cluster,
) -> None:
    seconds = []
    with cluster.admin(0) as admin:
        for n in range(10):
            model_id = f"cluster-model-{n}-{time.monotonic_ns()}"
            response = admin.post(
                "/models", json={"id": model_id, "display_name": "C", "created_at": "2030-01-01"}
            )
            assert response.status_code == 200, response.text
            written = time.monotonic()
            for other in (1, 2):
                until(
                    lambda o=other, m=model_id: (
                        cluster.get(o, f"/v1/models/{m}").status_code == 200
                    ),
                    2.0,
                )
                seconds.append(time.monotonic() - written)
            listed = [m["id"] for m in cluster.get(2, "/v1/models?limit=1000").json()["data"]]
            assert model_id in listed
    MEASURED["model_created"] = summary(seconds)
    assert max(seconds) < 1.0, seconds


def test_a_revoked_key_is_refused_by_every_instance_within_a_second(cluster: Cluster) -> None:
    seconds = []
    with cluster.admin(1) as admin:
        for _ in range(5):
            key = admin.post("/api_keys", json={"name": "to revoke"}).json()
            until(
                lambda k=key: all(
                    cluster.get(i, "/v1/models", k["key"]).status_code == 200 for i in range(3)
                ),
                2.0,
            )
            assert (
                admin.post(f"/api_keys/{key['id']}", json={"status": "archived"}).status_code == 200
            )
            revoked = time.monotonic()
            for i in range(3):
                until(
                    lambda i=i, k=key: cluster.get(i, "/v1/models", k["key"]).status_code == 401,
                    2.0,
                )
                seconds.append(time.monotonic() - revoked)
    MEASURED["key_revoked"] = summary(seconds)
    assert max(seconds) < 1.0, seconds


def test_changes_still_arrive_after_the_listening_connection_drops(cluster: Cluster) -> None:
    import psycopg

    from tests.support.services import POSTGRES_ADMIN_URL

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        dropped = connection.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = 'modeldir-listener'"
        ).fetchone()
    assert dropped is not None and dropped[0] >= 3
    with cluster.admin(0) as admin:
        model_id = f"after-drop-{time.monotonic_ns()}"
        assert (
            admin.post(
                "/models", json={"id": model_id, "display_name": "D", "created_at": "2030-01-03"}
            ).status_code
            == 200
        )
    seconds = [
        until(lambda o=o: cluster.get(o, f"/v1/models/{model_id}").status_code == 200, 6.0)
        for o in (1, 2)
    ]
    MEASURED["after_listener_dropped"] = summary(seconds)


def test_an_instance_stopped_during_changes_catches_up_when_back(cluster: Cluster) -> None:
    cluster.instances[2].stop()
    with cluster.admin(0) as admin:
        model_id = f"while-away-{time.monotonic_ns()}"
        assert (
            admin.post(
                "/models", json={"id": model_id, "display_name": "W", "created_at": "2030-01-02"}
            ).status_code
            == 200
        )
        key = admin.post("/api_keys", json={}).json()
        assert admin.post(f"/api_keys/{key['id']}", json={"status": "archived"}).status_code == 200
    cluster.instances[2].start()
    assert cluster.get(2, f"/v1/models/{model_id}").status_code == 200
    assert cluster.get(2, "/v1/models", key["key"]).status_code == 401


def limited_key(cluster: Cluster, per_minute: int) -> str:
    with cluster.admin(0) as admin:
        workspace = admin.post(
            "/workspaces",
            json={
                "name": f"limited-{time.monotonic_ns()}",
                "rate_limits": {"key_requests_per_minute": per_minute},
            },
        ).json()
        key = admin.post("/api_keys", json={"workspace_id": workspace["id"]}).json()["key"]
    cluster.caught_up(0)
    return str(key)


def spread(cluster: Cluster, key: str, count: int) -> list[int]:
    """`count` requests at once, spread over the three instances in turn."""
    with ThreadPoolExecutor(max_workers=9) as pool:
        return list(
            pool.map(
                lambda n: cluster.get(n % 3, "/v1/models/claude-opus-4-7", key).status_code,
                range(count),
            )
        )


def test_a_limit_of_n_per_minute_is_global_across_instances(cluster: Cluster) -> None:
    n = 30
    statuses = spread(cluster, limited_key(cluster, n), 3 * n)
    assert statuses.count(200) == n and statuses.count(429) == 2 * n


def test_losing_redis_keeps_every_request_answered_and_limits_go_global_again(
    cluster: Cluster,
) -> None:
    n = 10
    cluster.redis.kill()
    try:
        key = limited_key(cluster, n)
        statuses = spread(cluster, key, 3 * n)
        assert all(status in (200, 429) for status in statuses), statuses
        assert n <= statuses.count(200) <= 3 * n  # each instance counts on its own meanwhile
        through_nginx = [
            httpx.get(
                f"{cluster.balancer}/v1/models", headers={"x-api-key": cluster.api_key, **VERSION}
            ).status_code
            for _ in range(20)
        ]
        assert set(through_nginx) == {200}
        assert {cluster.state(i) for i in range(3)} == {"local"}
    finally:
        cluster.redis.start()

    def all_shared() -> bool:
        for i in range(3):  # a request makes an instance try Redis again (at most once a second)
            cluster.get(i, "/v1/models?limit=1")
        return all(cluster.state(i) == "shared" for i in range(3))

    until(all_shared, 5.0)
    statuses = spread(cluster, limited_key(cluster, n), 3 * n)
    assert statuses.count(200) == n


class Load:
    """Steady GET requests through nginx from a few threads, recording every outcome."""

    def __init__(self, balancer: str, key: str, threads: int = 6) -> None:
        self.balancer, self.key = balancer, key
        self.outcomes: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run) for _ in range(threads)]

    def _run(self) -> None:
        with httpx.Client(
            base_url=self.balancer, headers={"x-api-key": self.key, **VERSION}, timeout=10
        ) as client:
            while not self._stop.is_set():
                try:
                    status = client.get("/v1/models?limit=5").status_code
                except httpx.HTTPError:
                    status = 0
                self.outcomes.append((time.monotonic(), status))

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=20)


def test_sigterm_under_load_loses_no_request(cluster: Cluster) -> None:
    with Load(cluster.balancer, cluster.api_key) as load:
        time.sleep(1.0)
        cluster.instances[0].stop()  # SIGTERM, then wait for it to exit
        time.sleep(1.5)
    cluster.instances[0].start()
    failed = [status for _, status in load.outcomes if status != 200]
    assert len(load.outcomes) > 200
    assert failed == []


def test_kill_9_loses_at_most_what_was_in_flight_and_nginx_routes_around(cluster: Cluster) -> None:
    process = cluster.instances[1].process
    assert process is not None
    with Load(cluster.balancer, cluster.api_key, threads=6) as load:
        time.sleep(1.0)
        killed = time.monotonic()
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        time.sleep(1.5)
    failed = [status for _, status in load.outcomes if status != 200]
    assert len(failed) <= 6  # at most one request in flight per client thread
    after = [status for at, status in load.outcomes if at > killed + 0.5]
    assert after and set(after) == {200}
    cluster.instances[1].start()
