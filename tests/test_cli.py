"""The `modeldir` command through its real entry point (a subprocess).

Each administration test runs in both modes, on the database and through a running server's
admin API (`--url`), and on both backends. In API mode the database URL points nowhere, so a
command that touched the database directly would fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from modeldir.admin.bootstrap import initialize
from modeldir.store import open_store
from tests.support.admin import new_admin_key
from tests.support.server import ServerProcess, modeldir_command

KEY = re.compile(r"sk-ant-api03-[A-Za-z0-9_-]{93}AA")
NOWHERE = "postgresql://nobody@127.0.0.1:1/none"


@dataclass
class Cli:
    """Runs `modeldir` against one database, directly or through a server."""

    env: dict[str, str]
    database_url: str
    mode: str

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            modeldir_command(*args),
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def json(self, *args: str, stdin: str | None = None) -> Any:
        result = self.run(*args, "--json", stdin=stdin)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def fails(self, status: int, text: str, *args: str) -> None:
        result = self.run(*args)
        assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert text in result.stderr, result.stderr


def base_env(database_url: str, seed: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELDIR_")}
    env.update(MODELDIR_DATABASE_URL=database_url, MODELDIR_SEED=str(seed).lower())
    return env


@pytest.fixture(params=["database", "api"])
def cli(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[Cli]:
    if request.param == "database":
        yield Cli(base_env(database_url), database_url, "database")
        return
    store = open_store(database_url)
    initialize(store, seed=False)
    admin_key = new_admin_key(store)
    store.close()
    server = ServerProcess(
        database_url, tmp_path / "server.log", env={"MODELDIR_SEED": "false"}
    ).start()
    env = base_env(NOWHERE)
    env.update(MODELDIR_URL=server.base_url, MODELDIR_ADMIN_KEY=admin_key)
    try:
        yield Cli(env, database_url, "api")
    finally:
        server.stop()


# ---- both modes ----------------------------------------------------------------------------------


def test_workspaces(cli: Cli) -> None:
    created = cli.json(
        "workspaces",
        "create",
        "team-a",
        "--allow",
        "claude-opus-*",
        "--allow",
        "x",
        "--tag",
        "env=prod",
    )
    workspace_id = created["id"]
    assert workspace_id.startswith("wrkspc_01") and created["model_access"] == [
        "claude-opus-*",
        "x",
    ]
    assert created["tags"] == {"env": "prod"} and created["etag"].startswith('"')
    fetched = cli.json("workspaces", "get", workspace_id)
    assert fetched == created
    renamed = cli.json(
        "workspaces",
        "update",
        workspace_id,
        "--name",
        "team-b",
        "--allow-all",
        "--if-match",
        created["etag"],
    )
    assert renamed["name"] == "team-b" and renamed["model_access"] is None
    cli.fails(
        4,
        "has changed since you read it",
        "workspaces",
        "update",
        workspace_id,
        "--name",
        "c",
        "--if-match",
        created["etag"],
    )
    limited = cli.json("workspaces", "update", workspace_id, "--rpm", "100", "--key-rpm", "10")
    assert limited["rate_limits"] == {"requests_per_minute": 100, "key_requests_per_minute": 10}
    reset = cli.json("workspaces", "update", workspace_id, "--key-rpm", "default")
    assert reset["rate_limits"] == {"requests_per_minute": 100, "key_requests_per_minute": None}
    cli.fails(2, "give a whole number", "workspaces", "update", workspace_id, "--rpm", "lots")
    assert [w["id"] for w in cli.json("workspaces", "list")] == [workspace_id]
    assert len(cli.json("workspaces", "list", "--include-default")) == 2
    assert cli.json("workspaces", "archive", workspace_id)["archived_at"] is not None
    assert cli.json("workspaces", "list") == []
    assert [w["id"] for w in cli.json("workspaces", "list", "--include-archived")] == [workspace_id]
    text = cli.run("workspaces", "list", "--include-archived")
    assert (
        text.returncode == 0 and f"{workspace_id}  team-b (archived)  [every model]" in text.stdout
    )
    cli.fails(3, "no workspace with id wrkspc_nope", "workspaces", "get", "wrkspc_nope")
    cli.fails(
        1,
        "display_color: String should match pattern",
        "workspaces",
        "create",
        "x",
        "--color",
        "red",
    )
    assert cli.json("org")["type"] == "organization"


def test_keys(cli: Cli) -> None:
    workspace = cli.json("workspaces", "create", "keys-team")
    created = cli.json(
        "keys",
        "create",
        "--workspace",
        workspace["id"],
        "--name",
        "ci",
        "--expires-at",
        "2099-01-01",
    )
    key_id = created["id"]
    assert KEY.fullmatch(created["key"]) and created["expires_at"] == "2099-01-01T00:00:00Z"
    assert created["partial_key_hint"] == f"{created['key'][:16]}...{created['key'][-4:]}"
    listed = cli.json("keys", "list", "--workspace", workspace["id"])
    assert [k["id"] for k in listed] == [key_id] and "key" not in listed[0]
    assert cli.json("keys", "rename", key_id, "ci-2")["name"] == "ci-2"
    assert cli.json("keys", "deactivate", key_id)["status"] == "inactive"
    assert [k["id"] for k in cli.json("keys", "list", "--status", "inactive")] == [key_id]
    assert cli.json("keys", "reactivate", key_id)["status"] == "active"
    rotated = cli.json("keys", "rotate", key_id, "--grace", "0")
    assert KEY.fullmatch(rotated["key"]) and rotated["key"] != created["key"]
    assert cli.json("keys", "revoke", key_id)["status"] == "archived"
    cli.fails(1, "an archived key cannot be reactivated", "keys", "reactivate", key_id)
    cli.fails(3, "no API key with id apikey_nope", "keys", "get", "apikey_nope")
    cli.fails(3, "no workspace with id wrkspc_nope", "keys", "create", "--workspace", "wrkspc_nope")
    cli.fails(2, "Invalid value for '--expires-at'", "keys", "create", "--expires-at", "soon")
    plain = cli.run("keys", "create")
    assert plain.returncode == 0 and KEY.fullmatch(plain.stdout.strip())


def test_models_and_aliases(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "acme.yaml"
    spec.write_text(
        yaml.safe_dump(
            {"id": "acme-large", "display_name": "Acme Large", "created_at": "2026-01-02"}
        )
    )
    created = cli.json("models", "create", str(spec))
    assert created["id"] == "acme-large" and created["capabilities"]["batch"] == {
        "supported": False
    }
    cli.fails(4, "model acme-large already exists", "models", "create", str(spec))
    updated = cli.json(
        "models",
        "update",
        "acme-large",
        "--set",
        "display_name=Acme L",
        "--set",
        "capabilities.batch.supported=true",
        "--set",
        "max_tokens=4096",
    )
    assert updated["display_name"] == "Acme L" and updated["capabilities"]["batch"] == {
        "supported": True
    }
    assert updated["max_tokens"] == 4096
    assert cli.json("models", "get", "acme-large")["etag"] == updated["etag"]
    deprecated = cli.json("models", "deprecate", "acme-large", "--retires-at", "2027-06-01")
    assert (
        deprecated["lifecycle"] == "deprecated"
        and deprecated["retires_at"] == "2027-06-01T00:00:00Z"
    )
    alias = cli.json("aliases", "create", "acme", "acme-large", "--listed")
    assert alias == {
        "type": "model_alias",
        "id": "acme",
        "model": "acme-large",
        "listed": True,
        "etag": alias["etag"],
    }
    assert cli.json("aliases", "update", "acme", "--unlisted")["listed"] is False
    assert [a["id"] for a in cli.json("aliases", "list")] == ["acme"]
    cli.fails(
        1,
        "id: a model's id cannot be changed",
        "models",
        "update",
        "acme-large",
        "--set",
        "id=other",
    )
    assert cli.json("models", "retire", "acme-large")["lifecycle"] == "retired"
    assert [m["id"] for m in cli.json("models", "list", "--lifecycle", "retired")] == ["acme-large"]
    assert cli.json("models", "list", "--lifecycle", "active") == []
    assert cli.json("aliases", "delete", "acme") == {"type": "model_alias_deleted", "id": "acme"}
    assert cli.json("models", "delete", "acme-large") == {
        "type": "model_deleted",
        "id": "acme-large",
    }
    cli.fails(3, "no model with id acme-large", "models", "get", "acme-large")
    history = cli.json("audit", "list", "--object", "acme-large")
    assert [e["action"] for e in history] == [
        "model.delete",
        "model.retire",
        "model.deprecate",
        "model.update",
        "model.create",
    ]
    # Every change above was made after 2000 began.
    since = cli.json("audit", "list", "--object", "acme-large", "--starting-at", "2000-01-01")
    assert since == history
    assert cli.json("audit", "list", "--object", "acme-large", "--ending-at", "2000-01-01") == []
    cli.fails(1, "starting_at: ", "audit", "list", "--starting-at", "soon")


def test_import_export(cli: Cli, tmp_path: Path) -> None:
    catalogue = {
        "models": [
            {"id": "one", "display_name": "One", "created_at": "2026-01-02"},
            {
                "id": "two",
                "display_name": "Two",
                "created_at": "2026-01-01T12:00:00+02:00",
                "lifecycle": "deprecated",
                "deprecated_at": "2026-06-01",
            },
        ],
        "aliases": [{"alias": "uno", "model": "one"}],
    }
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(catalogue))
    dry = cli.run("models", "import", str(path), "--dry-run")
    assert (
        dry.returncode == 0 and "dry run, nothing written" in dry.stdout and "  + one" in dry.stdout
    )
    assert cli.json("models", "list") == []
    report = cli.json("models", "import", str(path))
    assert report["models"]["added"] == ["one", "two"] and report["aliases"]["added"] == ["uno"]
    exported = cli.run("models", "export", "--format", "json").stdout
    data = json.loads(exported)
    assert [m["id"] for m in data["models"]] == ["one", "two"]
    assert data["models"][1]["created_at"] == "2026-01-01T10:00:00Z"
    again = tmp_path / "again.json"
    again.write_text(exported)
    assert cli.json("models", "import", str(again), "--replace")["models"]["unchanged"] == 2
    assert cli.run("models", "export", "--format", "json").stdout == exported
    yaml_export = cli.run("models", "export").stdout
    assert (
        cli.json("models", "import", "-", "--replace", stdin=yaml_export)["models"]["changed"] == []
    )
    assert cli.run("models", "export").stdout == yaml_export
    replaced = cli.json(
        "models", "import", "-", "--replace", stdin=json.dumps({"models": catalogue["models"][:1]})
    )
    assert replaced["models"]["removed"] == ["two"] and replaced["aliases"]["removed"] == ["uno"]


def test_import_reports_every_bad_record_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "models": [
                    {"id": "fine", "display_name": "Fine", "created_at": "2026-01-01"},
                    {"id": "no date", "display_name": "X"},
                    {
                        "id": "fine",
                        "display_name": "Again",
                        "created_at": "2026-01-01",
                        "max_tokens": 0,
                    },
                    {
                        "id": "odd",
                        "display_name": "Odd",
                        "created_at": "2026-01-01",
                        "lifecycle": "retired",
                    },
                    {
                        "id": "typo",
                        "display_name": "T",
                        "created_at": "2026-01-01",
                        "capabilites": {},
                    },
                ],
                "aliases": [{"alias": "a", "model": "missing"}],
            }
        )
    )
    result = cli.run("models", "import", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "invalid catalogue: 6 problem(s)" in result.stderr
    for expected in [
        "models[1].id: must be 1 to 256 characters with no spaces or control characters",
        "models[1].created_at: Field required",
        "models[2].max_tokens: Input should be greater than or equal to 1",
        "models[3]: deprecated_at is required when lifecycle is 'retired'",
        "models[4].capabilites: Extra inputs are not permitted",
        "aliases[0].model: no model with id missing",
    ]:
        assert expected in result.stderr
    assert cli.json("models", "list") == []
    cli.fails(2, "does not exist", "models", "import", "/no/such/file.yaml")


# ---- one mode ------------------------------------------------------------------------------------


def test_lifecycle_report(cli: Cli, tmp_path: Path) -> None:
    today = datetime.now(UTC).date()

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    deprecated = {"lifecycle": "deprecated", "deprecated_at": day(-30)}
    models = [
        {"id": "soon-m", "display_name": "S", "created_at": "2026-01-01", **deprecated},
        {"id": "late-m", "display_name": "L", "created_at": "2026-01-02", "retires_at": day(200)},
        {"id": "due-m", "display_name": "D", "created_at": "2026-01-03", **deprecated},
    ]
    models[0]["retires_at"], models[2]["retires_at"] = day(11), day(-3)
    catalogue = tmp_path / "c.yaml"
    catalogue.write_text(yaml.safe_dump({"models": models}))
    assert cli.run("models", "import", str(catalogue)).returncode == 0
    assert cli.run("aliases", "create", "soon", "soon-m").returncode == 0
    cli.json("workspaces", "create", "team", "--allow", "soon-*")

    # Now past midnight, so 11 days ahead is 10 whole days away, 3 behind is 4 days overdue.
    report = cli.run("lifecycle", "report")
    assert report.returncode == 0, report.stderr
    assert report.stdout.splitlines() == [
        f"due-m  deprecated, retirement overdue since {day(-3)} (4 days)",
        "  seen by: Default",
        f"soon-m  deprecated, retires {day(11)} (in 10 days)",
        "  aliases: soon",
        "  seen by: Default, team",
    ]
    longer = cli.json("lifecycle", "report", "--within", "30w")
    assert longer["within_days"] == 210
    assert [(m["id"], m["days_left"]) for m in longer["data"]] == [
        ("due-m", -4),
        ("soon-m", 10),
        ("late-m", 199),
    ]
    assert longer["data"][2]["lifecycle"] == "active"
    cli.fails(2, "is not a number of days", "lifecycle", "report", "--within", "soon")


def test_admin_keys_on_the_database(database_url: str) -> None:
    cli = Cli(base_env(database_url), database_url, "database")
    created = cli.json("admin-keys", "create", "--name", "ops")
    assert re.fullmatch(r"sk-ant-admin01-[A-Za-z0-9_-]{93}AA", created["key"])
    assert created["partial_key_hint"] == f"{created['key'][:18]}...{created['key'][-4:]}"
    assert created["read_only"] is False
    listed = cli.json("admin-keys", "list")
    assert [k["id"] for k in listed] == [created["id"]] and "key" not in listed[0]
    reader = cli.json("admin-keys", "create", "--name", "auditors", "--read-only")
    assert reader["read_only"] is True
    assert {k["id"]: k["read_only"] for k in cli.json("admin-keys", "list")} == {
        created["id"]: False,
        reader["id"]: True,
    }
    assert f"{reader['id']}  active    read-only" in cli.run("admin-keys", "list").stdout
    assert cli.json("admin-keys", "revoke", created["id"])["status"] == "archived"
    cli.fails(3, "no admin key with id adminkey_nope", "admin-keys", "revoke", "adminkey_nope")


def test_admin_keys_are_never_managed_through_the_api(database_url: str, tmp_path: Path) -> None:
    store = open_store(database_url)
    initialize(store, seed=False)
    admin_key = new_admin_key(store)
    store.close()
    server = ServerProcess(database_url, tmp_path / "server.log").start()
    try:
        env = base_env(NOWHERE)
        env.update(MODELDIR_URL=server.base_url, MODELDIR_ADMIN_KEY=admin_key)
        cli = Cli(env, database_url, "api")
        cli.fails(1, "admin keys are managed on the database only", "admin-keys", "create")
        env["MODELDIR_ADMIN_KEY"] = "sk-ant-admin01-wrong"
        cli.fails(5, "invalid x-api-key", "workspaces", "list")
        del env["MODELDIR_ADMIN_KEY"]
        cli.fails(5, "--url needs an admin key in MODELDIR_ADMIN_KEY", "workspaces", "list")
    finally:
        server.stop()
    env = base_env(NOWHERE)
    env.update(MODELDIR_URL=server.base_url, MODELDIR_ADMIN_KEY=admin_key)
    Cli(env, database_url, "api").fails(6, "cannot reach", "workspaces", "list")


def printed_line(log: Path, start: str, timeout: float = 30.0) -> str:
    """The first line of a server's output that begins with `start`, once it is printed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if line.startswith(start):
                return line
        time.sleep(0.05)
    raise AssertionError(f"no line starting {start!r}:\n{log.read_text()}")


def test_first_start_creates_a_key_and_prints_it_once(database_url: str, tmp_path: Path) -> None:
    server = ServerProcess(database_url, tmp_path / "first.log").start()  # seeds the catalogue
    try:
        line = printed_line(tmp_path / "first.log", "ANTHROPIC_BASE_URL=")
        found = KEY.search(line)
        assert found is not None
        assert line == f"ANTHROPIC_BASE_URL={server.base_url} ANTHROPIC_API_KEY={found[0]}"
        response = httpx.get(
            f"{server.base_url}/v1/models",
            headers={"x-api-key": found[0], "anthropic-version": "2023-06-01"},
        )
        assert response.status_code == 200
        assert len(response.json()["data"]) == 19  # the bundled catalogue's active + deprecated
    finally:
        server.stop()
    again = ServerProcess(database_url, tmp_path / "second.log").start()
    again.stop()
    assert "ANTHROPIC_API_KEY" not in (tmp_path / "second.log").read_text()
    cli = Cli(base_env(database_url, seed=True), database_url, "database")
    assert len(cli.json("keys", "list")) == 1


def test_every_command_prepares_a_fresh_database_like_serve(database_url: str) -> None:
    cli = Cli(base_env(database_url, seed=True), database_url, "database")
    assert "claude-opus-4-7" in [m["id"] for m in cli.json("models", "list")]
    assert [w["is_default"] for w in cli.json("workspaces", "list", "--include-default")] == [True]


def test_an_unreachable_database_is_a_clear_error() -> None:
    cli = Cli(base_env(NOWHERE), NOWHERE, "database")
    cli.fails(6, "database error:", "models", "list")
    Cli(base_env("mysql://x@y/z"), "", "database").fails(
        1, "unsupported database URL scheme", "models", "list"
    )
