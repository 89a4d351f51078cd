"""The outbox: every committed change, whatever made it, leaves its events in its own transaction.

The expected events are written out by hand for each change; they are read back from the outbox
tables directly. Nothing is delivered here (no worker runs): this is what a worker will find.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from modeldir.admin import inputs
from modeldir.admin.bootstrap import initialize
from modeldir.admin.service import AdminService
from modeldir.catalogue.document import parse_document
from modeldir.catalogue.records import ModelRecord
from modeldir.store import Store
from tests.support.admin import admin_for
from tests.support.outbox import endpoint, events, outbox
from tests.support.server import modeldir_command


@pytest.fixture
def admin(store: Store) -> AdminService:
    initialize(store, seed=False)
    return admin_for(store)


def test_nothing_is_written_while_no_endpoint_is_registered(
    store: Store, admin: AdminService
) -> None:
    admin.create_model({"id": "quiet", "display_name": "Q", "created_at": "2030-01-01"})
    admin.delete_model("quiet")
    assert events(store) == []


def test_every_admin_change_writes_its_events(store: Store, admin: AdminService) -> None:
    endpoint(admin)
    admin.create_model({"id": "m1", "display_name": "M", "created_at": "2030-01-01"})
    admin.update_model("m1", {"display_name": "M one"})
    admin.update_model("m1", {"display_name": "M one"})  # no change: no event
    admin.deprecate_model("m1", inputs.ModelDeprecate())
    admin.retire_model("m1", inputs.ModelRetire())
    admin.create_model({"id": "m2", "display_name": "M2", "created_at": "2030-01-02"})
    admin.create_alias(inputs.AliasCreate(alias="a", model="m1"))
    admin.update_alias("a", inputs.AliasUpdate(model="m2"))
    admin.delete_alias("a")
    admin.delete_model("m1")
    workspace = admin.create_workspace(inputs.WorkspaceCreate(name="team")).object["id"]
    admin.update_workspace(workspace, inputs.WorkspaceUpdate(name="team 2"))  # no event
    admin.update_workspace(workspace, inputs.WorkspaceUpdate(model_access=["m2"]))
    key = admin.create_api_key(inputs.ApiKeyCreate(workspace_id=workspace)).object["id"]
    other = admin.create_api_key(inputs.ApiKeyCreate(workspace_id=workspace)).object["id"]
    admin.update_api_key(key, inputs.ApiKeyUpdate(status="inactive"))
    admin.archive_workspace(workspace)  # archives `other` with it
    admin_key = admin.create_admin_key(inputs.AdminKeyCreate()).object["id"]
    admin.revoke_admin_key(admin_key)
    assert events(store) == [
        ("model.created", "m1"),
        ("model.updated", "m1"),
        ("model.lifecycle_changed", "m1"),
        ("model.lifecycle_changed", "m1"),
        ("model.created", "m2"),
        ("alias.created", "a"),
        ("alias.updated", "a"),
        ("alias.deleted", "a"),
        ("model.deleted", "m1"),
        ("workspace.created", workspace),
        ("workspace.access_changed", workspace),
        ("api_key.revoked", key),
        ("workspace.archived", workspace),
        ("api_key.revoked", other),
        ("admin_key.revoked", admin_key),
    ]
    assert {status for *_, status in outbox(store)} == {"pending"}


def test_imports_write_one_event_per_model_and_alias_changed(
    store: Store, admin: AdminService
) -> None:
    admin.import_catalogue(
        {"models": [{"id": "kept", "display_name": "K", "created_at": "2030-01-01"}]}
    )
    endpoint(admin)
    document = {
        "models": [
            {"id": "kept", "display_name": "K", "created_at": "2030-01-01"},
            {"id": "new", "display_name": "N", "created_at": "2030-01-02"},
        ],
        "aliases": [{"alias": "n", "model": "new"}],
    }
    admin.import_catalogue(document, dry_run=True)
    assert events(store) == []  # a dry run writes nothing
    admin.import_catalogue(document)
    admin.import_catalogue(document)  # again: nothing changes, nothing is told
    changed = {**document, "models": [{**document["models"][1], "display_name": "N2"}]}
    admin.import_catalogue(changed, replace_all=True)
    assert events(store) == [
        ("model.created", "new"),
        ("alias.created", "n"),
        ("model.updated", "new"),
        ("model.deleted", "kept"),
    ]


def test_a_change_rolled_back_leaves_no_event(store: Store, admin: AdminService) -> None:
    endpoint(admin)
    info = parse_document(
        {"models": [{"id": "r", "display_name": "R", "created_at": "2030-01-01"}]}
    )
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.put_models([ModelRecord.from_info(info.models[0])])
        raise RuntimeError("the change fails after writing")
    assert events(store) == []


def test_each_endpoint_gets_the_types_it_asked_for(store: Store, admin: AdminService) -> None:
    everything = endpoint(admin)
    deletions = endpoint(admin, event_types=["model.deleted"])
    admin.create_model({"id": "x", "display_name": "X", "created_at": "2030-01-01"})
    admin.delete_model("x")
    assert events(store, everything) == [("model.created", "x"), ("model.deleted", "x")]
    assert events(store, deletions) == [("model.deleted", "x")]


def test_a_deleted_endpoint_drops_what_waits_for_it_and_hears_nothing_more(
    store: Store, admin: AdminService
) -> None:
    gone = endpoint(admin)
    admin.create_model({"id": "y", "display_name": "Y", "created_at": "2030-01-01"})
    admin.delete_webhook(gone)
    admin.delete_model("y")
    assert outbox(store, gone) == [("model.created", "y", "cancelled")]


def test_the_cli_on_the_database_writes_events_too(
    store: Store, admin: AdminService, database_url: str
) -> None:
    endpoint(admin)
    admin.create_model({"id": "z", "display_name": "Z", "created_at": "2030-01-01"})
    env = {"MODELDIR_DATABASE_URL": database_url, "MODELDIR_SEED": "false"}
    done = subprocess.run(
        modeldir_command("models", "deprecate", "z"),
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert events(store)[-1] == ("model.lifecycle_changed", "z")
