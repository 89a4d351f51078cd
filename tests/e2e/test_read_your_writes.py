"""Read-your-writes across the workers of one instance (`serve --workers 2`).

Once the admin API has answered a change, the next Models API request sees it, whichever worker
takes it: each read goes on a new connection, so both workers answer some. bench/consistency.py
counts the same over thousands of tries; here a few hundred must show no stale answer at all.
"""

from __future__ import annotations

from pathlib import Path

from bench.consistency import KINDS, count_stale
from modeldir.admin.bootstrap import initialize
from modeldir.store import open_store
from tests.support.admin import new_admin_key
from tests.support.server import ServerProcess

TRIES = 60


def test_every_worker_answers_with_the_change_the_admin_api_just_made(
    database_url: str, tmp_path: Path
) -> None:
    store = open_store(database_url)
    initialize(store)
    admin_key = new_admin_key(store)
    store.close()
    server = ServerProcess(
        database_url, tmp_path / "server.log", env={"MODELDIR_WORKERS": "2"}
    ).start()
    try:
        stale, tried = count_stale(server.base_url, admin_key, TRIES)
    finally:
        server.stop()
    assert tried == dict.fromkeys(KINDS, TRIES)
    assert dict(stale) == dict.fromkeys(KINDS, 0)
