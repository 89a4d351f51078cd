"""Metrics under `modeldir serve --workers 2`: any scrape, whichever worker answers it, counts
every request the instance answered, exactly; a worker that dies leaves no gauge behind."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from prometheus_client.multiprocess import MultiProcessCollector

from modeldir.admin import inputs
from modeldir.admin.bootstrap import initialize
from modeldir.store import open_store
from tests.support.admin import admin_for, new_admin_key, new_key
from tests.support.metrics import read, requests, value
from tests.support.server import ServerProcess
from tests.support.services import REDIS_URL, ensure_redis

TOKEN = "metrics-token-for-the-test"
VERSION = {"anthropic-version": "2023-06-01"}
# Routes whose counts the test cannot know: the readiness polls of the test's own start-up,
# the announcer's health check, and the scrapes themselves.
UNCOUNTED = frozenset({"/readyz", "/healthz", "/metrics"})
WORKSPACE_LIMIT = 3


def _children(pid: int) -> set[int]:
    return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def _per_worker(folder: Path) -> dict[int, Counter[tuple[str, str, str]]]:
    """Each worker's own request counts, read from its file in the shared folder."""
    found = {}
    for path in folder.glob("counter_*.db"):
        pid = int(path.stem.split("_")[1])
        counts: Counter[tuple[str, str, str]] = Counter()
        for metric in MultiProcessCollector.merge([str(path)]):
            for sample in metric.samples:
                if sample.name == "modeldir_requests_total":
                    labels = sample.labels
                    counts[labels["route"], labels["method"], labels["status"]] += int(sample.value)
        found[pid] = counts
    return found


def _gauge_pids(folder: Path) -> list[int]:
    """The workers whose snapshot gauges are in the folder: those serving now."""
    return [int(path.stem.rsplit("_", 1)[1]) for path in folder.glob("gauge_livemin_*.db")]


def test_every_scrape_counts_the_whole_instance(tmp_path: Path) -> None:
    ensure_redis()
    url = f"sqlite:///{tmp_path / 'modeldir.db'}"
    store = open_store(url)
    initialize(store)
    key = new_key(store)
    admin_key = new_admin_key(store)
    limited = admin_for(store).create_workspace(
        inputs.WorkspaceCreate(name="limited", rate_limits={"requests_per_minute": WORKSPACE_LIMIT})
    )
    limited_key = new_key(store, workspace_id=limited.object["id"])
    store.close()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    server = ServerProcess(
        url,
        tmp_path / "server.log",
        env={
            "MODELDIR_WORKERS": "2",
            "MODELDIR_REDIS_URL": REDIS_URL,  # one rate limit for both workers: exact 429s
            "MODELDIR_METRICS_TOKEN": TOKEN,
            "TMPDIR": str(temporary),  # where serve makes the workers' metrics folder
        },
    ).start()
    base = server.base_url
    sent: Counter[tuple[str, str, str]] = Counter()  # the oracle: what the client saw

    def call(method: str, path: str, route: str, headers: dict[str, str]) -> int:
        # A connection per request, so that both workers answer some.
        status = httpx.request(method, base + path, headers=headers).status_code
        sent[route, method, str(status)] += 1
        return status

    scrapes = 0

    def scrape() -> str:
        nonlocal scrapes
        scrapes += 1
        response = httpx.get(f"{base}/metrics", headers={"authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200, response.text
        return response.text

    try:
        good = {"x-api-key": key, **VERSION}
        load = [
            *[("GET", "/v1/models?limit=2", "/v1/models", good)] * 30,
            *[("GET", "/v1/models/no-such-model", "/v1/models/{model_id}", good)] * 10,
            *[("GET", "/v1/models", "/v1/models", {"x-api-key": "sk-ant-wrong", **VERSION})] * 10,
            *[("POST", "/v1/models", "/v1/models", good)] * 5,
            *[("GET", "/openai/v1/models", "/openai/v1/models", {"authorization": f"Bearer {key}"})]
            * 4,
            *[
                (
                    "GET",
                    "/v1/organizations/workspaces",
                    "/v1/organizations/workspaces",
                    {"x-api-key": admin_key, **VERSION},
                )
            ]
            * 3,
            *[("GET", "/nowhere", "other", {})] * 3,
        ]
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda request: call(*request), load))
        limited_statuses = [
            call("GET", "/v1/models", "/v1/models", {"x-api-key": limited_key, **VERSION})
            for _ in range(WORKSPACE_LIMIT + 2)
        ]
        assert sorted(limited_statuses) == [200] * WORKSPACE_LIMIT + [429, 429]
        assert sent["/v1/models", "GET", "401"] == 10 and sent["/v1/models", "POST", "405"] == 5

        # Workers fold their counts into the shared files about once a second: wait for that.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if requests(read(scrape()), leave_out=UNCOUNTED) == sent:
                break
            time.sleep(0.2)
        # From now on every scrape, whichever worker answers it, says exactly that.
        with ThreadPoolExecutor(4) as pool:
            texts = list(pool.map(lambda _: scrape(), range(20)))
        for text in texts:
            samples = read(text)
            assert requests(samples, leave_out=UNCOUNTED) == sent
            assert value(samples, "modeldir_rate_limited_requests_total", limit="workspace") == 2
            assert value(samples, "modeldir_redis_errors_total") == 0

        folders = list(temporary.glob("modeldir-metrics-*"))
        assert len(folders) == 1
        folder = folders[0]
        # Both workers answered requests, and scrapes: wait until every scrape is folded.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            workers = _per_worker(folder)
            if sum(c["/metrics", "GET", "200"] for c in workers.values()) == scrapes:
                break
            time.sleep(0.2)
        assert len(workers) == 2
        assert all(sum(c[k] for k in sent) > 0 for c in workers.values())
        assert all(c["/metrics", "GET", "200"] > 0 for c in workers.values())

        unauthorised = httpx.get(f"{base}/metrics")
        assert unauthorised.status_code == 401
        assert unauthorised.json()["error"]["type"] == "authentication_error"

        # A worker killed outright: its gauges go at the next scrape, its counts stay.
        assert server.process is not None
        victim = next(iter(workers))
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and list(folder.glob(f"gauge_live*_{victim}.db")):
            samples = read(scrape())
            time.sleep(0.2)
        assert not list(folder.glob(f"gauge_live*_{victim}.db"))
        assert requests(samples, leave_out=UNCOUNTED) == sent
        assert victim not in _children(server.process.pid)
        # The server starts a new worker; stop only once it serves (granian, stopped while a
        # worker is still starting, leaves that one behind and never finishes its own stop).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and set(_gauge_pids(folder)) <= set(workers):
            time.sleep(0.1)
        assert set(_gauge_pids(folder)) - set(workers)
    finally:
        server.stop()
    assert not folder.exists()  # serve removes the folder when it stops


def test_with_metrics_off_serve_makes_no_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'modeldir.db'}"
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    server = ServerProcess(
        url,
        tmp_path / "server.log",
        env={"MODELDIR_WORKERS": "2", "MODELDIR_METRICS": "false", "TMPDIR": str(temporary)},
    ).start()
    try:
        response = httpx.get(f"{server.base_url}/metrics")
        assert response.status_code == 404
        assert response.json()["error"]["type"] == "not_found_error"
        assert not list(temporary.glob("modeldir-metrics-*"))
    finally:
        server.stop()
