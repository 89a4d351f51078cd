"""A database made by the first release's schema upgrades without losing anything."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from modeldir.admin import inputs
from modeldir.admin.service import Actor, AdminService
from modeldir.catalogue.grants import hash_secret
from modeldir.catalogue.snapshot import build_snapshot
from modeldir.store import open_store, sqlalchemy_url
from modeldir.store.migrate import upgrade

FIRST_RELEASE = "0001"


FIRST_RELEASE_ROWS = [
    (
        "UPDATE catalogue_state SET revision = 3, seeded = true WHERE id = 1",
        {},
    ),
    (
        "INSERT INTO organization (id, name, created_at) "
        "VALUES ('00000000-0000-4000-8000-000000000001', 'org', 1)",
        {},
    ),
    (
        "INSERT INTO workspaces "
        "(id, name, created_at, archived_at, model_access, is_default, revision) VALUES "
        "('wrkspc_default', 'Default', 1, NULL, NULL, true, 1), "
        "('wrkspc_team', 'team', 2, NULL, :access, false, 2)",
        {"access": '["old-*"]'},
    ),
    (
        "INSERT INTO api_keys (id, workspace_id, name, secret_hash, partial_key_hint, status, "
        "created_at, expires_at, revision) VALUES "
        "('apikey_old', 'wrkspc_team', 'old', :hash, :hint, 'active', 2, NULL, 2)",
        {"hash": hash_secret("sk-old-key"), "hint": "sk-ant-api03-old...xxAA"},
    ),
    (
        "INSERT INTO models (id, display_name, created_at, max_input_tokens, max_tokens, "
        "capabilities, lifecycle, deprecated_at, retires_at, line, allowed_fallback_models, "
        "deleted, revision) VALUES "
        "('old-model', 'Old', 1700000000, 1000, 100, :caps, 'active', NULL, NULL, 'opus', "
        ":fallbacks, false, 3), "
        "('old-gone', 'Gone', 1600000000, NULL, NULL, NULL, 'retired', 1, 2, NULL, NULL, true, 3)",
        {"caps": '{"batch":{"supported":true}}', "fallbacks": '["x"]'},
    ),
    (
        "INSERT INTO aliases (alias, model_id, listed, deleted, revision) "
        "VALUES ('old', 'old-model', false, false, 3)",
        {},
    ),
]


def make_first_release_database(url: str) -> None:
    """The schema at 0001, filled with rows written the way release 0.1 wrote them."""
    engine = create_engine(sqlalchemy_url(url))
    with engine.connect() as connection:
        upgrade(connection, FIRST_RELEASE)
        connection.commit()
    with engine.begin() as connection:
        for statement, values in FIRST_RELEASE_ROWS:
            connection.execute(text(statement), values)
    engine.dispose()


def test_upgrade_from_the_first_release_keeps_everything(database_url: str) -> None:
    make_first_release_database(database_url)
    store = open_store(database_url)  # migrates to the newest schema
    try:
        snapshot = build_snapshot(store.changes_since(None))
        grant = snapshot.grant_for("sk-old-key", now=0)
        assert grant is not None and grant.workspace_id == "wrkspc_team"
        assert snapshot.find("old", grant.rule) is not None
        assert (
            snapshot.find("old", grant.rule).body().startswith(b'{"type":"model","id":"old-model"')
        )  # type: ignore[union-attr]
        assert snapshot.cursor_key("old-gone", grant.rule) is not None  # the tombstone survived
        assert store.revision() == 3
        with store.reader() as reader:
            workspace = reader.workspace("wrkspc_team")
            assert workspace is not None and workspace.model_access == ("old-*",)
            assert workspace.display_color == "#6C5BB9" and workspace.tags == ()
            key = reader.api_key("apikey_old")
            assert key is not None and key.previous_secret_hash is None and key.created_by is None
        admin = AdminService(store, Actor("cli", "tests"))
        rotated = admin.rotate_api_key("apikey_old", inputs.ApiKeyRotate(grace_period_seconds=60))
        assert rotated.object["workspace_id"] == "wrkspc_team"
        assert [e["action"] for e in admin.audit_log(inputs.AuditListParams())["data"]] == [
            "api_key.rotate"
        ]
        store.migrate()  # again: nothing to do
    finally:
        store.close()


def test_head_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from modeldir.store.migrate import HEAD, alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD


def test_admin_keys_made_before_scopes_keep_every_right(database_url: str) -> None:
    engine = create_engine(sqlalchemy_url(database_url))
    with engine.connect() as connection:
        upgrade(connection, "0006")  # the last schema without a scope on admin keys
        connection.commit()
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO admin_keys (id, name, secret_hash, partial_key_hint, status, "
                "created_at, revision) VALUES ('adminkey_old', 'old', :hash, 'sk-ant-admin01-o', "
                "'active', 1, 0)"
            ),
            {"hash": hash_secret("sk-ant-admin01-old")},
        )
    engine.dispose()
    store = open_store(database_url)
    try:
        with store.reader() as reader:
            key = reader.admin_key("adminkey_old")
        assert key is not None and key.read_only is False
        new = AdminService(store, Actor("cli", "tests")).create_admin_key(
            inputs.AdminKeyCreate(read_only=True)
        )
        with store.reader() as reader:
            assert reader.admin_key(new.object["id"]).read_only is True  # type: ignore[union-attr]
    finally:
        store.close()
