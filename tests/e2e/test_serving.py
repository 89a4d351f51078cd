"""How the server runs: several workers on one port, and a graceful stop."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx

from modeldir.admin.bootstrap import initialize
from modeldir.store import open_store
from tests.support.admin import new_key
from tests.support.server import ServerProcess


def test_several_workers_share_one_port(database_url: str, tmp_path: Path) -> None:
    store = open_store(database_url)
    initialize(store)
    key = new_key(store)
    store.close()
    server = ServerProcess(
        database_url, tmp_path / "server.log", env={"MODELDIR_WORKERS": "2"}
    ).start()
    try:
        assert server.process is not None
        deadline = time.monotonic() + 20
        children: list[str] = []
        while time.monotonic() < deadline and len(children) < 2:
            children = (
                Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
                .read_text()
                .split()
            )
            time.sleep(0.1)
        assert len(children) >= 2, "expected two worker processes"
        headers = {"x-api-key": key, "anthropic-version": "2023-06-01"}
        with httpx.Client(base_url=server.base_url, headers=headers) as client:
            statuses = {client.get("/v1/models/claude-opus-4-7").status_code for _ in range(50)}
        assert statuses == {200}
    finally:
        server.stop()
    assert server.process.poll() is not None


def test_sigterm_finishes_the_requests_in_flight(database_url: str, tmp_path: Path) -> None:
    store = open_store(database_url)
    initialize(store)
    key = new_key(store)
    store.close()
    server = ServerProcess(database_url, tmp_path / "server.log").start()
    assert server.process is not None
    outcomes: list[int] = []
    failed_at: list[float] = []
    stop = threading.Event()
    headers = {"x-api-key": key, "anthropic-version": "2023-06-01"}

    def load() -> None:
        with httpx.Client(base_url=server.base_url, headers=headers) as client:
            while not stop.is_set():
                try:
                    # A large body, so that requests are in flight when the signal comes.
                    outcomes.append(client.get("/v1/models?limit=1000").status_code)
                except httpx.HTTPError:
                    failed_at.append(time.monotonic())
                    return

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    signalled = time.monotonic()
    os.kill(server.process.pid, signal.SIGTERM)
    # uvicorn re-raises the signal once it has shut down, so the exit status reports it.
    assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    assert len(outcomes) > 10 and set(outcomes) == {200}  # every answer complete and right
    assert all(at >= signalled for at in failed_at)  # refused only once it was told to stop
    log = (tmp_path / "server.log").read_text()
    assert "modeldir.server: ready" in log and "modeldir.server: stopping" in log
