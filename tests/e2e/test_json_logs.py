"""A server logging JSON: every line parses, each request is one line with its request id, and
no secret issued during the session appears anywhere in the output."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from modeldir.admin.bootstrap import initialize
from modeldir.store import open_store
from tests.support.admin import new_admin_key, new_key
from tests.support.server import ServerProcess

VERSION = {"anthropic-version": "2023-06-01"}


def test_json_logs_parse_name_each_request_and_hold_no_secret(
    database_url: str, tmp_path: Path
) -> None:
    store = open_store(database_url)
    initialize(store)
    admin_key, first_key = new_admin_key(store), new_key(store)
    store.close()
    log = tmp_path / "server.log"
    env = {"MODELDIR_LOG_FORMAT": "json", "MODELDIR_ACCESS_LOG": "true"}
    server = ServerProcess(database_url, log, env=env).start()
    secrets = [admin_key, first_key]
    request_ids = []
    try:
        admin = httpx.Client(
            base_url=f"{server.base_url}/v1/organizations",
            headers={"x-api-key": admin_key, **VERSION},
        )
        created = admin.post("/api_keys", json={"name": "logged"}).json()
        rotated = admin.post(f"/api_keys/{created['id']}/rotate", json={}).json()
        secrets += [created["key"], rotated["key"]]
        for key in (first_key, rotated["key"], created["key"], "sk-ant-api03-wrong"):
            response = httpx.get(
                f"{server.base_url}/v1/models?limit=2", headers={"x-api-key": key, **VERSION}
            )
            request_ids.append(response.headers["request-id"])
        admin.post(f"/api_keys/{created['id']}", json={"status": "archived"})
        gone = httpx.get(
            f"{server.base_url}/v1/models", headers={"authorization": f"Bearer {rotated['key']}"}
        )
        request_ids.append(gone.headers["request-id"])
        admin.close()
    finally:
        server.stop()
    output = log.read_text()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    access = {line["request_id"]: line for line in lines if line["logger"] == "modeldir.access"}
    for request_id in request_ids:
        assert access[request_id]["path"] == "/v1/models"
        assert access[request_id]["method"] == "GET"
    statuses = [access[i]["status"] for i in request_ids]
    assert statuses == [200, 200, 200, 401, 401]
    assert access[request_ids[0]]["workspace_id"].startswith("wrkspc_")
    for secret in secrets:
        assert secret not in output
        assert secret[-20:] not in output
