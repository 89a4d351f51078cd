"""Change events: what a committed change to the catalogue tells webhook endpoints.

Pure: each function compares a record before a write with the record written and says which
events that is (none when nothing an endpoint hears about changed). Every event's `data` has the
same shape: the object's `id`, the catalogue `revision` that changed it, the `object` after the
change (null once deleted) and the `previous` one (null when new). docs/webhooks.md lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from modeldir.catalogue.records import (
    AdminKeyRecord,
    AliasRecord,
    ApiKeyRecord,
    ModelRecord,
    WorkspaceRecord,
)
from modeldir.catalogue.timestamps import format_epoch

EVENT_TYPES = (
    "model.created",
    "model.updated",
    "model.lifecycle_changed",
    "model.deleted",
    "alias.created",
    "alias.updated",
    "alias.deleted",
    "workspace.created",
    "workspace.access_changed",
    "workspace.archived",
    "api_key.revoked",
    "admin_key.revoked",
)
"""Every event type, in the order docs/webhooks.md describes them."""

Object = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Event:
    """One change, as endpoints hear of it."""

    type: str
    object_id: str
    object: Object | None
    previous: Object | None

    def body(self, revision: int, occurred_at: int) -> bytes:
        """The JSON body sent (and signed) for this event: `type`, `timestamp`, `data`."""
        data = {
            "id": self.object_id,
            "revision": revision,
            "object": self.object,
            "previous": self.previous,
        }
        return orjson.dumps(
            {"type": self.type, "timestamp": format_epoch(occurred_at), "data": data}
        )


def _live(record: Any) -> bool:
    return record is not None and not getattr(record, "deleted", False)


def _existence(
    kind: str, object_id: str, before: Any, after: Any, shape: Any
) -> list[Event] | None:
    """`created` or `deleted` when the object appears or goes; [] when it was never there;
    None when it existed before and after (the caller compares the two)."""
    if not _live(before) and not _live(after):
        return []
    if not _live(before):
        return [Event(f"{kind}.created", object_id, shape(after), None)]
    if not _live(after):
        return [Event(f"{kind}.deleted", object_id, None, shape(before))]
    return None


def model_events(before: ModelRecord | None, after: ModelRecord) -> list[Event]:
    """A model created, deleted, moved to another lifecycle, or otherwise changed."""
    found = _existence("model", after.id, before, after, ModelRecord.wire)
    if found is not None:
        return found
    assert before is not None
    if before.row == after.row:
        return []
    kind = "lifecycle_changed" if before.lifecycle != after.lifecycle else "updated"
    return [Event(f"model.{kind}", after.id, after.wire(), before.wire())]


def _alias(record: AliasRecord) -> Object:
    return {"id": record.alias, "model": record.model_id, "listed": record.listed}


def alias_events(before: AliasRecord | None, after: AliasRecord) -> list[Event]:
    """An alias created, deleted, pointed at another model or listed differently."""
    found = _existence("alias", after.alias, before, after, _alias)
    if found is not None:
        return found
    assert before is not None
    old, new = _alias(before), _alias(after)
    return [] if old == new else [Event("alias.updated", after.alias, new, old)]


def _workspace(record: WorkspaceRecord) -> Object:
    return {
        "id": record.id,
        "name": record.name,
        "model_access": None if record.model_access is None else list(record.model_access),
        "archived_at": None if record.archived_at is None else format_epoch(record.archived_at),
    }


def workspace_events(before: WorkspaceRecord | None, after: WorkspaceRecord) -> list[Event]:
    """A workspace created, archived, or given other models to see (other changes: none)."""
    new = _workspace(after)
    if before is None:
        return [Event("workspace.created", after.id, new, None)]
    old = _workspace(before)
    events = []
    if before.model_access != after.model_access:
        events.append(Event("workspace.access_changed", after.id, new, old))
    if before.archived_at is None and after.archived_at is not None:
        events.append(Event("workspace.archived", after.id, new, old))
    return events


_WORKING = "active"


def _key(record: ApiKeyRecord | AdminKeyRecord) -> Object:
    found: Object = {"id": record.id, "name": record.name, "status": record.status}
    if isinstance(record, ApiKeyRecord):
        found["workspace_id"] = record.workspace_id
    found["partial_key_hint"] = record.partial_key_hint
    return found


def key_events(
    before: ApiKeyRecord | AdminKeyRecord | None, after: ApiKeyRecord | AdminKeyRecord
) -> list[Event]:
    """A key that worked and no longer does (deactivated, archived, revoked)."""
    if before is None or before.status != _WORKING or after.status == _WORKING:
        return []
    kind = "api_key" if isinstance(after, ApiKeyRecord) else "admin_key"
    return [Event(f"{kind}.revoked", after.id, _key(after), _key(before))]
