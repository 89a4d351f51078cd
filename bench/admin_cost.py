"""What one admin write costs, against how much else the catalogue holds.

    PYTHONPATH=. .venv/bin/python -m bench.admin_cost --others 1000 --writes 200

In one process, as a server worker does it: an admin write (one workspace renamed) followed by
the refresh the admin API does before answering, on a SQLite catalogue that holds

    small    one other workspace with one key
    large    `--others` other workspaces, each with one key, every tenth of them limited by
             1,000 patterns of 256 characters (the most a workspace may have)

The result is the ratio of the median write in the large catalogue to the median in the small
one, measured in the same run (goal: at most 1.5, i.e. a write costs what it changes). It also
times creating one workspace with 1,000 such patterns. Not a timed test: the suite runs it
small as a smoke test.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from modeldir.admin import inputs
from modeldir.admin.bootstrap import initialize
from modeldir.admin.service import Actor, AdminService
from modeldir.live import LiveCatalogue
from modeldir.store import open_store

GOAL_RATIO = 1.5
PATTERNS = 1000


def long_patterns(seed: int) -> list[str]:
    """The most patterns a workspace may have, each as long as an id may be (256 characters)."""
    return [f"claude-{seed:05d}-{n:04d}-" + "x" * 237 + "*" for n in range(PATTERNS)]


class Catalogue:
    """A catalogue in a SQLite file, with the live snapshot a server worker would hold."""

    def __init__(self, folder: Path, name: str) -> None:
        self.store = open_store(f"sqlite:///{folder / name}.db")
        initialize(self.store)
        self.admin = AdminService(self.store, Actor("cli", "bench"))
        self.live = LiveCatalogue(self.store)
        self.live.load()

    def add_workspace(self, name: str, patterns: list[str] | None) -> str:
        """A new workspace with one key; its id."""
        created = self.admin.create_workspace(
            inputs.WorkspaceCreate(name=name, model_access=patterns)
        )
        workspace_id: str = created.object["id"]
        self.admin.create_api_key(inputs.ApiKeyCreate(workspace_id=workspace_id, name=name))
        return workspace_id

    def write_seconds(self, workspace_id: str, writes: int) -> list[float]:
        """The time of each write plus the refresh after it."""
        times = []
        for n in range(writes):
            started = time.perf_counter()
            self.admin.update_workspace(workspace_id, inputs.WorkspaceUpdate(name=f"w-{n % 2}"))
            self.live.refresh()
            times.append(time.perf_counter() - started)
        return times

    def close(self) -> None:
        self.store.close()


def measure(others: int, writes: int, folder: Path) -> dict[str, float]:
    """Median write time in a small and a large catalogue, their ratio, and a big create."""
    small = Catalogue(folder, "small")
    small.add_workspace("other", None)
    large = Catalogue(folder, "large")
    for n in range(others):
        large.add_workspace(f"other-{n}", long_patterns(n) if n % 10 == 0 else [f"m-{n}-*"])
    large.live.refresh()
    results: dict[str, float] = {"others": others, "writes": writes}
    for name, catalogue in (("small", small), ("large", large)):
        target = catalogue.add_workspace("target", None)
        catalogue.live.refresh()
        catalogue.write_seconds(target, max(1, writes // 10))  # warm-up
        results[f"{name}_ms"] = statistics.median(catalogue.write_seconds(target, writes)) * 1e3
    results["ratio"] = results["large_ms"] / results["small_ms"]
    started = time.perf_counter()
    large.add_workspace("patterned", long_patterns(others + 1))
    large.live.refresh()
    results["create_patterned_ms"] = (time.perf_counter() - started) * 1e3
    small.close()
    large.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--others", type=int, default=1000)
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="modeldir-admin-cost-") as folder:
        r = measure(args.others, args.writes, Path(folder))
    verdict = "ok" if r["ratio"] <= GOAL_RATIO else f"MISSED (goal <= {GOAL_RATIO})"
    print(f"one workspace update, median of {args.writes}:")
    print(f"  beside 1 other workspace      {r['small_ms']:7.2f} ms")
    print(f"  beside {args.others:,} other workspaces {r['large_ms']:7.2f} ms")
    print(f"  ratio {r['ratio']:.2f}  {verdict}")
    print(f"create a workspace with {PATTERNS:,} patterns of 256 characters: ", end="")
    print(f"{r['create_patterned_ms']:.0f} ms")


if __name__ == "__main__":
    main()
