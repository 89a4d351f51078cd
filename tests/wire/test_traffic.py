"""The console's traffic figures: requests and errors of the whole instance, from the metrics.

Pinned here: after a known number of requests of known statuses, the summary counts exactly
those, 4xx and 5xx apart, and the health facts carry it.
"""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from modeldir.admin.bootstrap import initialize
from modeldir.settings import Settings
from modeldir.store import open_store
from modeldir.wire.app import Server
from tests.support.admin import new_key

VERSION = {"anthropic-version": "2023-06-01"}


def test_the_summary_counts_what_was_answered(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'traffic.db'}"
    store = open_store(url)
    initialize(store)
    key = new_key(store)
    store.close()
    server = Server(Settings(database_url=url))
    assert server.traffic is not None
    with TestClient(server.entry, base_url="http://testserver") as client:
        before = server.traffic.summary()
        headers = {"x-api-key": key, **VERSION}
        for _ in range(5):
            assert client.get("/v1/models", headers=headers).status_code == 200
        for _ in range(3):
            assert client.get("/v1/models/no-such-model", headers=headers).status_code == 404
        assert (
            client.get("/v1/models", headers={"x-api-key": "wrong", **VERSION}).status_code == 401
        )
        after = server.traffic.summary()
        facts = server._health_facts()
    assert after["requests"] - before["requests"] == 9
    assert after["client_errors"] - before["client_errors"] == 4
    assert after["server_errors"] == before["server_errors"] == 0
    assert after["per_second"] > 0 and after["minutes"] >= 1
    assert facts["traffic"]["requests"] >= after["requests"]
    assert "rate_limits" in facts
