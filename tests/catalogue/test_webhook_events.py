"""Which events a change makes: compared by hand with what each change should tell."""

from __future__ import annotations

from dataclasses import replace

import orjson
import pytest

from modeldir.catalogue.records import AdminKeyRecord, AliasRecord
from modeldir.catalogue.webhook_events import (
    EVENT_TYPES,
    Event,
    alias_events,
    key_events,
    model_events,
    workspace_events,
)
from tests.factories import api_key, model, workspace


def kinds(events: list[Event]) -> list[str]:
    return [e.type for e in events]


def test_models_created_updated_moved_deleted_and_unchanged() -> None:
    active = model("m")
    assert kinds(model_events(None, active)) == ["model.created"]
    assert kinds(model_events(replace(active, deleted=True), active)) == ["model.created"]
    renamed = model("m", display_name="Renamed")
    assert kinds(model_events(active, renamed)) == ["model.updated"]
    deprecated = model("m", 0, "deprecated")
    assert kinds(model_events(active, deprecated)) == ["model.lifecycle_changed"]
    assert kinds(model_events(active, replace(active, deleted=True))) == ["model.deleted"]
    assert model_events(active, replace(active, revision=9)) == []  # the same row: nothing
    gone = replace(active, deleted=True)
    assert model_events(gone, gone) == []
    assert model_events(None, gone) == []


def test_a_model_event_carries_the_model_before_and_after_as_the_models_api_shows_it() -> None:
    before, after = model("m"), model("m", display_name="After")
    (event,) = model_events(before, after)
    body = orjson.loads(event.body(revision=42, occurred_at=1_700_000_000))
    assert body == {
        "type": "model.updated",
        "timestamp": "2023-11-14T22:13:20Z",
        "data": {
            "id": "m",
            "revision": 42,
            "object": after.wire(),
            "previous": before.wire(),
        },
    }
    assert body["data"]["object"]["display_name"] == "After"
    (deleted,) = model_events(after, replace(after, deleted=True))
    assert (deleted.object, deleted.previous) == (None, after.wire())


def test_aliases() -> None:
    first = AliasRecord("a", "m1")
    assert kinds(alias_events(None, first)) == ["alias.created"]
    (moved,) = alias_events(first, AliasRecord("a", "m2"))
    assert moved.type == "alias.updated"
    assert moved.object == {"id": "a", "model": "m2", "listed": False}
    assert moved.previous == {"id": "a", "model": "m1", "listed": False}
    assert kinds(alias_events(first, AliasRecord("a", "m1", listed=True))) == ["alias.updated"]
    assert kinds(alias_events(first, replace(first, deleted=True))) == ["alias.deleted"]
    assert alias_events(first, replace(first, revision=3)) == []


def test_workspaces_tell_creation_access_and_archiving_only() -> None:
    open_one = workspace("w")
    assert kinds(workspace_events(None, open_one)) == ["workspace.created"]
    limited = workspace("w", ("claude-*",))
    (changed,) = workspace_events(open_one, limited)
    assert changed.type == "workspace.access_changed"
    assert changed.object is not None and changed.object["model_access"] == ["claude-*"]
    assert changed.previous is not None and changed.previous["model_access"] is None
    assert (
        workspace_events(open_one, replace(open_one, name="other", display_color="#000000")) == []
    )
    archived = replace(open_one, archived_at=1_700_000_100)
    (event,) = workspace_events(open_one, archived)
    assert event.type == "workspace.archived"
    assert event.object is not None and event.object["archived_at"] == "2023-11-14T22:15:00Z"


@pytest.mark.parametrize("status", ["inactive", "archived"])
def test_an_api_key_that_stops_working_is_revoked(status: str) -> None:
    key = api_key("k", "w", "sk-secret")
    (event,) = key_events(key, replace(key, status=status))
    assert event.type == "api_key.revoked"
    assert event.object == {
        "id": "k",
        "name": key.name,
        "status": status,
        "workspace_id": "w",
        "partial_key_hint": key.partial_key_hint,
    }
    assert b"sk-secret" not in event.body(1, 0)
    assert key_events(None, key) == []
    assert key_events(key, replace(key, name="renamed")) == []
    assert key_events(replace(key, status="inactive"), replace(key, status="archived")) == []
    assert key_events(replace(key, status="inactive"), key) == []  # reactivated: not a revocation


def test_an_admin_key_revoked() -> None:
    key = AdminKeyRecord("adminkey_1", "ops", b"h" * 32, "sk-ant-admin01-abc...AA", "active", 0)
    assert kinds(key_events(key, replace(key, status="archived"))) == ["admin_key.revoked"]


def test_every_type_made_is_a_declared_type() -> None:
    made = {
        *kinds(model_events(None, model("m"))),
        *kinds(model_events(model("m"), model("m", display_name="x"))),
        *kinds(model_events(model("m"), model("m", 0, "retired"))),
        *kinds(model_events(model("m"), model("m", deleted=True))),
        *kinds(alias_events(None, AliasRecord("a", "m"))),
        *kinds(alias_events(AliasRecord("a", "m"), AliasRecord("a", "n"))),
        *kinds(alias_events(AliasRecord("a", "m"), AliasRecord("a", "m", deleted=True))),
        *kinds(workspace_events(None, workspace("w"))),
        *kinds(workspace_events(workspace("w"), workspace("w", ("x",), archived_at=1))),
        *kinds(key_events(api_key("k", "w", "s"), api_key("k", "w", "s", status="archived"))),
    }
    assert made | {"admin_key.revoked"} == set(EVENT_TYPES)
