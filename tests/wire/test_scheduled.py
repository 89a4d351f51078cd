"""The server's scheduled work, end to end: two instances of a cluster retire an overdue model
once between them, as one audited change with one webhook event."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from modeldir.admin import inputs
from modeldir.admin.bootstrap import initialize
from modeldir.store import open_store
from tests.support.admin import admin_for
from tests.support.outbox import endpoint, events
from tests.support.server import ServerProcess
from tests.support.services import fresh_postgres_database


@pytest.mark.slow
def test_two_instances_retire_an_overdue_model_once(tmp_path: Path) -> None:
    with fresh_postgres_database() as url:
        store = open_store(url)
        initialize(store, seed=False)
        admin = admin_for(store)
        admin.import_catalogue(
            {
                "models": [
                    {
                        "id": "overdue",
                        "display_name": "O",
                        "created_at": "2024-01-01",
                        "lifecycle": "deprecated",
                        "deprecated_at": "2024-06-01",
                        "retires_at": "2025-01-01",
                    },
                    {"id": "kept", "display_name": "K", "created_at": "2024-01-02"},
                ]
            }
        )
        endpoint(admin)
        env = {
            "MODELDIR_SEED": "false",
            "MODELDIR_LIFECYCLE_AUTO_RETIRE": "true",
            "MODELDIR_WEBHOOK_DELIVERY": "false",  # the outbox is read here, not delivered
        }
        servers = [ServerProcess(url, tmp_path / f"server-{i}.log", env) for i in range(2)]
        try:
            for server in servers:
                server.start()
            deadline = time.monotonic() + 120  # a bound on waiting, not an assertion of speed
            while time.monotonic() < deadline:
                if admin.get_model("overdue").object["lifecycle"] == "retired":
                    break
                time.sleep(0.2)
            assert admin.get_model("overdue").object["lifecycle"] == "retired"
        finally:
            for server in servers:
                server.stop()
        entries = admin.audit_log(inputs.AuditListParams(action="model.retire"))["data"]
        assert [(e["object"]["id"], e["actor"]) for e in entries] == [
            ("overdue", {"type": "schedule", "id": "auto-retire"})
        ]
        assert events(store) == [("model.lifecycle_changed", "overdue")]
        assert admin.get_model("kept").object["lifecycle"] == "active"
        store.close()
