"""Read-your-writes across the workers of one instance, counted over many tries.

    PYTHONPATH=. .venv/bin/python -m bench.consistency --tries 2000 --workers 2

It starts `modeldir serve --workers N` on a fresh SQLite database, then repeats four kinds of
change through the admin API, each followed at once by a Models API request on a new
connection (so the operating system hands it to any of the workers):

    new key        a key is created; using it must succeed
    revoked key    the key is made inactive; using it must be a 401
    narrowed       its workspace is limited to one model; the list must show only that model
    new model      a model is created; retrieving it must succeed

An answer that does not yet show the change is stale. The goal is 0 stale answers. The suite
runs it small (tests/e2e/test_read_your_writes.py); this counts what it is asked to.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

import httpx

from modeldir.admin.bootstrap import initialize
from modeldir.store import open_store
from tests.support.admin import new_admin_key
from tests.support.server import ServerProcess

ADMIN = "/v1/organizations"
VERSION = {"anthropic-version": "2023-06-01"}
KINDS = ("new key", "revoked key", "narrowed", "new model")
CREATED_AT = "2026-01-01T00:00:00Z"


def count_stale(base_url: str, admin_key: str, tries: int) -> tuple[Counter[str], Counter[str]]:
    """For each kind of change, how many answers right after it were stale, and how many tried."""
    stale: Counter[str] = Counter()
    tried: Counter[str] = Counter()
    admin = httpx.Client(base_url=base_url, headers={"x-api-key": admin_key, **VERSION})
    # No connection is reused: each read may land on any worker.
    fresh = httpx.Limits(max_keepalive_connections=0)
    reader = httpx.Client(base_url=base_url, headers=VERSION, limits=fresh)

    def check(kind: str, fine: bool) -> None:
        tried[kind] += 1
        stale[kind] += not fine

    with admin, reader:
        for n in range(tries):
            created = admin.post(f"{ADMIN}/workspaces", json={"name": f"ryw-{n}"})
            workspace = created.raise_for_status().json()
            minted = admin.post(f"{ADMIN}/api_keys", json={"workspace_id": workspace["id"]})
            made = minted.raise_for_status().json()
            key = {"x-api-key": made["key"]}
            check("new key", reader.get("/v1/models?limit=1", headers=key).status_code == 200)
            model_id = f"ryw-model-{n}"
            admin.post(
                f"{ADMIN}/models",
                json={"id": model_id, "display_name": model_id, "created_at": CREATED_AT},
            ).raise_for_status()
            found = reader.get(f"/v1/models/{model_id}", headers=key)
            check("new model", found.status_code == 200)
            admin.post(
                f"{ADMIN}/workspaces/{workspace['id']}", json={"model_access": [model_id]}
            ).raise_for_status()
            listed = reader.get("/v1/models?limit=1000", headers=key)
            shown = [m["id"] for m in listed.json()["data"]] if listed.status_code == 200 else None
            check("narrowed", shown == [model_id])
            admin.post(
                f"{ADMIN}/api_keys/{made['id']}", json={"status": "inactive"}
            ).raise_for_status()
            check("revoked key", reader.get("/v1/models", headers=key).status_code == 401)
    return stale, tried


def measure(tries: int, workers: int, folder: Path) -> tuple[Counter[str], Counter[str]]:
    """Start an instance with `workers` workers and count stale answers over `tries` rounds."""
    database_url = f"sqlite:///{folder / 'consistency.db'}"
    store = open_store(database_url)
    initialize(store)
    admin_key = new_admin_key(store)
    store.close()
    server = ServerProcess(
        database_url, folder / "server.log", env={"MODELDIR_WORKERS": str(workers)}
    )
    server.start()
    try:
        return count_stale(server.base_url, admin_key, tries)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tries", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="modeldir-consistency-") as folder:
        stale, tried = measure(args.tries, args.workers, Path(folder))
    for kind in KINDS:
        print(f"{kind:12} {stale[kind]:>5} stale of {tried[kind]:,}")
    print("ok" if not sum(stale.values()) else "MISSED: stale answers")


if __name__ == "__main__":
    main()
