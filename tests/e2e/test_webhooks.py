"""Webhooks from a real `modeldir serve`: registered with the CLI, delivered after a kill -9.

The receiver runs in the test on 127.0.0.1 and checks every signature with its own Standard
Webhooks code; the server allows private addresses for it (MODELDIR_WEBHOOK_ALLOW_PRIVATE_
ADDRESSES), as the tests must. Every wait is bounded; every process is stopped by its PID.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from modeldir.admin import inputs
from modeldir.admin.bootstrap import initialize
from modeldir.store import open_store
from tests.conftest import BACKENDS, database
from tests.support.admin import admin_for, new_admin_key
from tests.support.server import ServerProcess, modeldir_command
from tests.support.webhooks import receiver

WEBHOOK_ENV = {
    "MODELDIR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
    "MODELDIR_WEBHOOK_RETRY_SECONDS": "0.1",
    # A try cut short by a crash is due again once it would have timed out: keep that short.
    "MODELDIR_WEBHOOK_TIMEOUT": "2",
    "MODELDIR_SEED": "false",
}


class Site:
    def __init__(self, database_url: str, folder: Path, admin_key: str) -> None:
        self.database_url = database_url
        self.folder = folder
        self.admin_key = admin_key
        self.server = ServerProcess(database_url, folder / "server.log", env=WEBHOOK_ENV)

    def restart(self) -> None:
        self.server = ServerProcess(self.database_url, self.folder / "server.log", env=WEBHOOK_ENV)
        self.server.start()

    def kill(self) -> None:
        """kill -9 the server and its workers, as a crash would."""
        assert self.server.process is not None
        os.killpg(self.server.process.pid, signal.SIGKILL)
        self.server.process.wait(timeout=10)

    def cli(self, *args: str) -> Any:
        """`modeldir ... --json` through the server's admin API."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("MODELDIR_")}
        env |= {"MODELDIR_URL": self.server.base_url, "MODELDIR_ADMIN_KEY": self.admin_key}
        done = subprocess.run(
            modeldir_command(*args, "--json"), env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def admin(self) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.server.base_url}/v1/organizations",
            headers={"x-api-key": self.admin_key, "anthropic-version": "2023-06-01"},
            timeout=30,
        )


def statuses(site: Site, endpoint_id: str) -> list[str]:
    return [entry["status"] for entry in site.cli("webhooks", "deliveries", endpoint_id)]


@pytest.fixture(params=BACKENDS)
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    with database(request.param, tmp_path) as url:
        store = open_store(url)
        initialize(store, seed=False)
        admin_key = new_admin_key(store)
        store.close()
        running = Site(url, tmp_path, admin_key)
        running.server.start()
        try:
            yield running
        finally:
            running.server.stop()


def test_a_try_cut_short_by_kill_9_is_made_again_after_the_restart(site: Site) -> None:
    with receiver(hold=threading.Event()) as hook:
        endpoint = site.cli("webhooks", "create", hook.url, "--description", "crash test")
        hook.secret = endpoint["secret"]
        with site.admin() as admin:
            created = admin.post(
                "/models", json={"id": "crash-1", "display_name": "C", "created_at": "2030-01-01"}
            )
            assert created.status_code == 200, created.text
        # The change is committed and its try is in flight, held by the receiver: now crash.
        assert hook.arrived.wait(30)
        site.kill()
        assert hook.hold is not None
        hook.hold.set()  # the answer goes to a dead connection: the try was never recorded
        site.restart()
        hook.wait_for(lambda r: len(r.delivered()) == 2)
        first, again = hook.received
        assert first.id == again.id and first.body == again.body
        assert first.valid and again.valid
        assert again.event["type"] == "model.created" and again.event["data"]["id"] == "crash-1"
        hook.wait_for(lambda r: statuses(site, endpoint["id"]) == ["delivered"])
        (entry,) = site.cli("webhooks", "deliveries", endpoint["id"])
        assert entry["attempts"] == 2 and entry["event_id"] == first.id


def test_the_cli_registers_lists_shows_the_log_and_resends(site: Site) -> None:
    with receiver() as hook:
        endpoint = site.cli("webhooks", "create", hook.url, "--event", "alias.created")
        hook.secret = endpoint["secret"]
        assert endpoint["secret"].startswith("whsec_") and endpoint["event_types"] == [
            "alias.created"
        ]
        listed = site.cli("webhooks", "list")
        assert [w["id"] for w in listed] == [endpoint["id"]]
        assert "secret" not in listed[0] and "secret" not in site.cli(
            "webhooks", "get", endpoint["id"]
        )
        # A change made on the database by another process reaches the endpoint too.
        store = open_store(site.database_url)
        try:
            admin = admin_for(store)
            admin.create_model({"id": "cli-1", "display_name": "C", "created_at": "2030-01-01"})
            admin.create_alias(inputs.AliasCreate(alias="cli-alias", model="cli-1"))
        finally:
            store.close()
        hook.wait_for(lambda r: len(r.delivered()) == 1)
        assert hook.received[0].valid and hook.received[0].event["type"] == "alias.created"
        (entry,) = site.cli("webhooks", "deliveries", endpoint["id"])
        hook.wait_for(
            lambda r: site.cli("webhooks", "deliveries", endpoint["id"])[0]["status"] == "delivered"
        )
        resent = site.cli("webhooks", "resend", endpoint["id"], entry["id"])
        assert resent["event_id"] == entry["event_id"] and resent["id"] != entry["id"]
        hook.wait_for(lambda r: len(r.delivered()) == 2)
        assert hook.received[1].id == hook.received[0].id and hook.received[1].valid
        assert site.cli("webhooks", "delete", endpoint["id"]) == {
            "type": "webhook_endpoint_deleted",
            "id": endpoint["id"],
        }
        assert site.cli("webhooks", "list") == []
