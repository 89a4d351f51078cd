"""Three `modeldir serve` on one PostgreSQL database: each change's event arrives exactly once.

Changes go through all three instances; one process of the cluster holds the delivery lock and
delivers, and when that instance stops another takes over. The receiver on 127.0.0.1 checks
every signature with its own Standard Webhooks code. Every wait is bounded; every process is
stopped by its PID.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from modeldir.admin.bootstrap import initialize
from modeldir.store import open_store
from tests.support.admin import new_admin_key
from tests.support.metrics import read, value
from tests.support.server import ServerProcess
from tests.support.services import fresh_postgres_database
from tests.support.webhooks import Receiver, receiver

pytestmark = pytest.mark.slow

ENV = {
    "MODELDIR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
    "MODELDIR_WEBHOOK_RETRY_SECONDS": "0.1",
    "MODELDIR_SEED": "false",
    "MODELDIR_DRAIN_SECONDS": "0",
}


@dataclass
class Cluster:
    instances: list[ServerProcess]
    admin_key: str

    def admin(self, n: int) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.instances[n].base_url}/v1/organizations",
            headers={"x-api-key": self.admin_key, "anthropic-version": "2023-06-01"},
            timeout=30,
        )

    def delivering(self, n: int) -> float:
        """How many processes of instance `n` hold the delivery lock (from its metrics)."""
        text = httpx.get(f"{self.instances[n].base_url}/metrics", timeout=10).text
        return value(read(text), "modeldir_webhook_delivering")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    with fresh_postgres_database() as url:
        store = open_store(url)
        initialize(store, seed=False)
        admin_key = new_admin_key(store)
        store.close()
        instances = [ServerProcess(url, tmp_path / f"instance-{n}.log", env=ENV) for n in range(3)]
        started: list[ServerProcess] = []
        try:
            for instance in instances:
                started.append(instance.start())
            yield Cluster(instances, admin_key)
        finally:
            for instance in started:
                instance.stop()


def change_models(cluster: Cluster, prefix: str, count: int, through: list[int]) -> list[str]:
    """Create `count` models, each through the next of the instances `through`."""
    made = []
    for n in range(count):
        model_id = f"{prefix}-{n}"
        with cluster.admin(through[n % len(through)]) as admin:
            body = {"id": model_id, "display_name": "C", "created_at": "2030-01-01"}
            assert admin.post("/models", json=body).status_code == 200
        made.append(model_id)
    return made


def delivered_ids(hook: Receiver) -> Counter[str]:
    return Counter(r.event["data"]["id"] for r in hook.delivered())


def test_each_change_is_delivered_once_by_one_instance_and_another_takes_over(
    cluster: Cluster,
) -> None:
    with receiver() as hook:
        with cluster.admin(1) as admin:
            created = admin.post("/webhooks", json={"url": hook.url})
            assert created.status_code == 200, created.text
            hook.secret = created.json()["secret"]
        first = change_models(cluster, "first", 30, through=[0, 1, 2])
        hook.wait_for(lambda r: set(delivered_ids(r)) == set(first))
        hook.wait_for(lambda r: sum(cluster.delivering(n) for n in range(3)) == 1)
        holder = next(n for n in range(3) if cluster.delivering(n) == 1)
        cluster.instances[holder].stop()
        others = [n for n in range(3) if n != holder]
        second = change_models(cluster, "second", 30, through=others)
        hook.wait_for(lambda r: set(delivered_ids(r)) == set(first + second))
        hook.wait_for(lambda r: sum(cluster.delivering(n) for n in others) == 1)
    counts = delivered_ids(hook)
    assert all(count == 1 for count in counts.values()), counts
    assert len(hook.received) == 60 and all(r.valid for r in hook.received)
    assert len({r.id for r in hook.received}) == 60
