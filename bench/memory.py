"""Memory under load that never stops: admin writes, and hostile list queries.

    PYTHONPATH=. .venv/bin/python -m bench.memory --writes 10000 --queries 100000

In one process, as a server worker does it: a SQLite catalogue loaded into a live snapshot,
then (1) admin writes (a workspace renamed back and forth), each followed by the refresh the
admin API does, and (2) list requests through the Models API, each with a distinct padding
parameter. It prints the resident memory growth of each after a warm-up; the goal is under
20 MB each. Not a timed test: the suite runs it small as a smoke test.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
from pathlib import Path

from modeldir.admin import inputs
from modeldir.admin.bootstrap import initialize
from modeldir.admin.service import Actor, AdminService
from modeldir.live import LiveCatalogue
from modeldir.store import open_store
from modeldir.wire.admission import WirePolicy
from modeldir.wire.betas import KNOWN_BETAS
from modeldir.wire.models_api import ModelsApi
from tests.support.admin import new_key
from tests.wire.inprocess import VERSIONS, call

GOAL_MB = 20.0


def rss_mb() -> float:
    """The current resident set size, from /proc (the peak from getrusage never falls)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(writes: int, queries: int, folder: Path) -> dict[str, float]:
    """RSS growth in MB over `writes` admin writes and `queries` hostile list queries."""
    store = open_store(f"sqlite:///{folder / 'memory.db'}")
    initialize(store)
    key = new_key(store)
    live = LiveCatalogue(store)
    live.load()
    admin = AdminService(store, Actor("cli", "bench"))
    workspace = admin.create_workspace(inputs.WorkspaceCreate(name="churn")).object["id"]

    def write(n: int) -> None:
        admin.update_workspace(workspace, inputs.WorkspaceUpdate(name=f"churn-{n % 2}"))
        live.refresh()

    api = ModelsApi(live, WirePolicy(VERSIONS, KNOWN_BETAS))
    headers = {"x-api-key": key, "anthropic-version": "2023-06-01"}

    def query(n: int) -> None:
        reply = call(api, f"/v1/models?limit=1&pad={n:08d}{'x' * 500}", headers)
        assert reply.status == 200, reply.body

    results = {}
    for name, step, count in (("writes", write, writes), ("queries", query, queries)):
        warm = max(1, count // 10)
        for n in range(warm):
            step(n)
        before = rss_mb()
        for n in range(warm, warm + count):
            step(n)
        results[f"{name}_growth_mb"] = rss_mb() - before
        results[name] = count
    store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="modeldir-memory-") as folder:
        results = measure(args.writes, args.queries, Path(folder))
    for name in ("writes", "queries"):
        growth = results[f"{name}_growth_mb"]
        verdict = "ok" if growth < GOAL_MB else f"MISSED (goal < {GOAL_MB:.0f} MB)"
        print(f"{int(results[name]):>8,} {name:8} RSS growth {growth:6.1f} MB  {verdict}")


if __name__ == "__main__":
    main()
