"""Admin objects as the admin API returns them, in the style of Anthropic's Admin API.

Field names, types and id prefixes follow Anthropic's objects, so its SDKs' admin clients
validate them strictly; fields Anthropic has and modeldir has no use for carry fixed values
(`data_residency`, `compartment_id`). Fields of modeldir's own are marked below.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from modeldir.catalogue.model_metadata import metadata_data
from modeldir.catalogue.records import (
    AdminKeyRecord,
    AliasRecord,
    ApiKeyRecord,
    AuditRecord,
    MetadataRecord,
    ModelRecord,
    WorkspaceRecord,
)
from modeldir.catalogue.timestamps import format_epoch

# Anthropic's default residency; modeldir serves no inference, so it never varies.
DATA_RESIDENCY = {
    "allowed_inference_geos": "unrestricted",
    "default_inference_geo": "global",
    "workspace_geo": "us",
}
_COMPARTMENTS = uuid.UUID("6d6f6465-6c64-4972-8000-636f6d706172")


def time_or_none(seconds: int | None) -> str | None:
    """RFC 3339 for whole epoch seconds, None for None."""
    return None if seconds is None else format_epoch(seconds)


def etag(revision: int) -> str:
    """An object's version as a strong entity tag: the revision of its last change."""
    return f'"{revision}"'


def organization_object(organization_id: str, name: str) -> dict[str, Any]:
    """`GET /v1/organizations/me`."""
    return {"id": organization_id, "type": "organization", "name": name}


def workspace_object(record: WorkspaceRecord) -> dict[str, Any]:
    """A workspace. `model_access`, `rate_limits` and `is_default` are modeldir's own."""
    return {
        "type": "workspace",
        "id": record.id,
        "name": record.name,
        "display_color": record.display_color,
        "created_at": time_or_none(record.created_at),
        "archived_at": time_or_none(record.archived_at),
        "compartment_id": str(uuid.uuid5(_COMPARTMENTS, record.id)),
        "data_residency": DATA_RESIDENCY,
        "external_key_id": None,
        "tags": dict(record.tags),
        "user_profile_id": None,
        "model_access": None if record.model_access is None else list(record.model_access),
        "rate_limits": {
            "requests_per_minute": record.requests_per_minute,
            "key_requests_per_minute": record.key_requests_per_minute,
        },
        "is_default": record.is_default,
    }


def api_key_status(record: ApiKeyRecord, now: int) -> str:
    """`expired` is an active key past its expiry; it is never stored."""
    if record.status == "active" and record.expires_at is not None and record.expires_at <= now:
        return "expired"
    return record.status


def api_key_object(record: ApiKeyRecord, default_workspace_id: str, now: int) -> dict[str, Any]:
    """An API key: its hint, never the key. Keys of the default workspace show
    `workspace_id: null`, as Anthropic's do; `scope` always names the real workspace."""
    in_default = record.workspace_id == default_workspace_id
    return {
        "type": "api_key",
        "id": record.id,
        "name": record.name,
        "status": api_key_status(record, now),
        "partial_key_hint": record.partial_key_hint,
        "created_at": time_or_none(record.created_at),
        "created_by": (
            None
            if record.created_by is None
            else {"id": record.created_by, "type": "service_account"}
        ),
        "expires_at": time_or_none(record.expires_at),
        "workspace_id": None if in_default else record.workspace_id,
        "scope": {"type": "workspace", "workspace_id": record.workspace_id},
        "principal": None,
        "previous_key_expires_at": time_or_none(record.previous_expires_at),
    }


def admin_key_object(record: AdminKeyRecord) -> dict[str, Any]:
    """An admin key (modeldir's own object): its hint, never the key."""
    return {
        "type": "admin_key",
        "id": record.id,
        "name": record.name,
        "status": record.status,
        "partial_key_hint": record.partial_key_hint,
        "created_at": time_or_none(record.created_at),
    }


def model_object(record: ModelRecord) -> dict[str, Any]:
    """A model exactly as the Models API returns it."""
    return record.wire()


def metadata_object(record: MetadataRecord) -> dict[str, Any]:
    """What the Models API does not carry about a model (modeldir's own object)."""
    return {"type": "model_metadata", **metadata_data(record)}


def alias_object(record: AliasRecord) -> dict[str, Any]:
    """A model alias (modeldir's own object)."""
    return {
        "type": "model_alias",
        "id": record.alias,
        "model": record.model_id,
        "listed": record.listed,
    }


def audit_object(record: AuditRecord) -> dict[str, Any]:
    """An audit log entry (modeldir's own object)."""
    return {
        "type": "audit_entry",
        "id": record.id,
        "created_at": time_or_none(record.created_at),
        "actor": {"type": record.actor_type, "id": record.actor_id},
        "action": record.action,
        "object": {"type": record.object_type, "id": record.object_id},
        "before": None if record.before is None else orjson.loads(record.before),
        "after": None if record.after is None else orjson.loads(record.after),
        "revision": record.revision,
    }
