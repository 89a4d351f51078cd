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
from tests.support.server import ServerProcess, cut_off_while_slow


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


def test_sigterm_drains_kept_alive_connections_before_stopping(
    database_url: str, tmp_path: Path
) -> None:
    """During the drain every answer says `Connection: close`, and /readyz is 503."""
    store = open_store(database_url)
    initialize(store)
    key = new_key(store)
    store.close()
    server = ServerProcess(
        database_url, tmp_path / "server.log", env={"MODELDIR_DRAIN_SECONDS": "3"}
    ).start()
    assert server.process is not None
    headers = {"x-api-key": key, "anthropic-version": "2023-06-01"}
    with httpx.Client(base_url=server.base_url, headers=headers) as client:
        before = client.get("/v1/models")
        assert before.status_code == 200 and "connection" not in before.headers
        os.kill(server.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 2.5
        answered: list[httpx.Response] = []
        while time.monotonic() < deadline and server.process.poll() is None:
            answered.append(client.get("/v1/models"))  # on the kept-alive connection, or anew
            time.sleep(0.05)
        closing = [r for r in answered if r.headers.get("connection") == "close"]
        assert closing, "no answer during the drain said Connection: close"
        assert {r.status_code for r in answered} == {200}
        assert client.get("/readyz").status_code == 503
    assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
    log = (tmp_path / "server.log").read_text()
    assert "draining for 3.0 s" in log


def test_a_client_slow_to_send_its_headers_is_cut_off(tmp_path: Path) -> None:
    """`MODELDIR_HEADER_TIMEOUT`: headers not complete in time close the connection."""
    url = f"sqlite:///{tmp_path / 'catalogue.db'}"
    store = open_store(url)
    initialize(store)
    store.close()
    server = ServerProcess(url, tmp_path / "server.log", env={"MODELDIR_HEADER_TIMEOUT": "1"})
    server.start()
    try:
        assert cut_off_while_slow(server.port, give_up_after=20)
    finally:
        server.stop()
