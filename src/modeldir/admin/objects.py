"""Admin objects as the admin API returns them, in the style of Anthropic's Admin API.

Field names, types and id prefixes follow Anthropic's objects, so its SDKs' admin clients
validate them strictly; fields Anthropic has and modeldir has no use for carry fixed values
(`data_residency`, `compartment_id`). Fields of modeldir's own are marked below. Each object's
shape is declared once, as a TypedDict that its function is checked against and that the
OpenAPI document is derived from (`wire/openapi.py`).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal, cast

import orjson
from pydantic import ConfigDict, Field, with_config

# typing's own TypedDict lacks what pydantic needs to read it before Python 3.12.
from typing_extensions import TypedDict

from modeldir.catalogue.model_metadata import metadata_data
from modeldir.catalogue.records import (
    AdminKeyRecord,
    AliasRecord,
    ApiKeyRecord,
    AuditRecord,
    MetadataRecord,
    ModelRecord,
    WebhookDeliveryRecord,
    WebhookEndpointRecord,
    WorkspaceRecord,
)
from modeldir.catalogue.timestamps import format_epoch

Instant = Annotated[
    str,
    Field(
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", json_schema_extra={"format": "date-time"}
    ),
]
"""An instant in RFC 3339, UTC, to the second: `2026-11-23T22:00:00Z`."""
closed = with_config(ConfigDict(extra="forbid"))
"""An object with exactly its declared fields, no more (D18)."""

_COMPARTMENTS = uuid.UUID("6d6f6465-6c64-4972-8000-636f6d706172")


@closed
class DataResidency(TypedDict):
    allowed_inference_geos: Literal["unrestricted"]
    default_inference_geo: Literal["global"]
    workspace_geo: Literal["us"]


# Anthropic's default residency; modeldir serves no inference, so it never varies.
DATA_RESIDENCY: DataResidency = {
    "allowed_inference_geos": "unrestricted",
    "default_inference_geo": "global",
    "workspace_geo": "us",
}


@closed
class RateLimitsObject(TypedDict):
    """Requests per minute; null: the organisation default; 0: no limit."""

    requests_per_minute: int | None
    key_requests_per_minute: int | None


@closed
class OrganizationObject(TypedDict):
    id: str
    type: Literal["organization"]
    name: str


@closed
class WorkspaceObject(TypedDict):
    """A workspace. `model_access`, `rate_limits` and `is_default` are modeldir's own."""

    type: Literal["workspace"]
    id: str
    name: str
    display_color: str
    created_at: Instant
    archived_at: Instant | None
    compartment_id: str
    data_residency: DataResidency
    external_key_id: None
    tags: dict[str, str]
    user_profile_id: None
    model_access: list[str] | None
    rate_limits: RateLimitsObject
    is_default: bool


@closed
class Creator(TypedDict):
    id: str
    type: Literal["service_account"]


@closed
class KeyScope(TypedDict):
    type: Literal["workspace"]
    workspace_id: str


@closed
class ApiKeyObject(TypedDict):
    """An API key: its hint, never the key."""

    type: Literal["api_key"]
    id: str
    name: str
    status: Literal["active", "inactive", "archived", "expired"]
    partial_key_hint: str
    created_at: Instant
    created_by: Creator | None
    expires_at: Instant | None
    workspace_id: str | None
    scope: KeyScope
    principal: None
    previous_key_expires_at: Instant | None


@closed
class NewApiKeyObject(ApiKeyObject):
    """An API key just created or rotated, with its secret: shown this once only."""

    key: str


@closed
class AdminKeyObject(TypedDict):
    type: Literal["admin_key"]
    id: str
    name: str
    status: str
    partial_key_hint: str
    created_at: Instant
    read_only: bool
    """A read-only admin key reads everything and changes nothing."""


@closed
class AliasObject(TypedDict):
    """A model alias (modeldir's own object)."""

    type: Literal["model_alias"]
    id: str
    model: str
    listed: bool


@closed
class ModelMetadataObject(TypedDict):
    """What the Models API does not carry about a model (modeldir's own object, never part of
    its `ModelInfo`); each field null when unknown."""

    type: Literal["model_metadata"]
    model: str
    provider: str | None
    family: str | None
    input_price_per_mtok: float | None
    """US dollars per million input tokens."""
    output_price_per_mtok: float | None
    knowledge_cutoff: str | None
    """`YYYY-MM` or `YYYY-MM-DD`."""
    source: str | None
    """Where it came from: `models.dev`, `litellm`, or a catalogue file."""


@closed
class Deleted(TypedDict):
    """What a delete answers: the kind and id of what it deleted."""

    type: Literal["model_deleted", "model_alias_deleted", "webhook_endpoint_deleted"]
    id: str


@closed
class Party(TypedDict):
    type: str
    id: str


@closed
class AuditEntry(TypedDict):
    """An audit log entry (modeldir's own object)."""

    type: Literal["audit_entry"]
    id: str
    created_at: Instant
    actor: Party
    action: str
    object: Party
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    revision: int


EndpointStatus = Literal["active", "failing"]
DeliveryStatus = Literal["pending", "delivered", "failed", "cancelled"]


@closed
class WebhookObject(TypedDict):
    """A webhook endpoint (modeldir's own object): never its secret."""

    type: Literal["webhook_endpoint"]
    id: str
    url: str
    description: str
    event_types: list[str] | None
    status: EndpointStatus
    created_at: Instant | None


@closed
class NewWebhookObject(WebhookObject):
    """A webhook endpoint just created, with its signing secret: shown this once only."""

    secret: str


@closed
class WebhookDeliveryObject(TypedDict):
    """An entry of an endpoint's delivery log (modeldir's own object)."""

    type: Literal["webhook_delivery"]
    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    created_at: Instant | None
    last_attempt_at: Instant | None
    next_attempt_at: Instant | None
    response_status: int | None
    error: str | None
    delivered_at: Instant | None


def time_or_none(seconds: int | None) -> str | None:
    """RFC 3339 for whole epoch seconds, None for None."""
    return None if seconds is None else format_epoch(seconds)


def etag(revision: int) -> str:
    """An object's version as a strong entity tag: the revision of its last change."""
    return f'"{revision}"'


def organization_object(organization_id: str, name: str) -> OrganizationObject:
    """`GET /v1/organizations/me`."""
    return {"id": organization_id, "type": "organization", "name": name}


def workspace_object(record: WorkspaceRecord) -> WorkspaceObject:
    """A workspace as the API shows it."""
    return {
        "type": "workspace",
        "id": record.id,
        "name": record.name,
        "display_color": record.display_color,
        "created_at": format_epoch(record.created_at),
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


def api_key_object(record: ApiKeyRecord, default_workspace_id: str, now: int) -> ApiKeyObject:
    """An API key: its hint, never the key. Keys of the default workspace show
    `workspace_id: null`, as Anthropic's do; `scope` always names the real workspace."""
    in_default = record.workspace_id == default_workspace_id
    return {
        "type": "api_key",
        "id": record.id,
        "name": record.name,
        "status": api_key_status(record, now),  # type: ignore[typeddict-item]
        "partial_key_hint": record.partial_key_hint,
        "created_at": format_epoch(record.created_at),
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


def with_secret(key: ApiKeyObject, secret: str) -> NewApiKeyObject:
    """The key's object with its secret, for the one answer that shows it."""
    return {**key, "key": secret}


def admin_key_object(record: AdminKeyRecord) -> AdminKeyObject:
    """An admin key (modeldir's own object): its hint, never the key."""
    return {
        "type": "admin_key",
        "id": record.id,
        "name": record.name,
        "status": record.status,
        "partial_key_hint": record.partial_key_hint,
        "created_at": format_epoch(record.created_at),
        "read_only": record.read_only,
    }


def model_object(record: ModelRecord) -> dict[str, Any]:
    """A model exactly as the Models API returns it (its schema: `ModelInfo`)."""
    return record.wire()


def metadata_object(record: MetadataRecord) -> ModelMetadataObject:
    """What the Models API does not carry about a model (modeldir's own object)."""
    # The fields are METADATA_FIELDS; the conformance tests hold the two together.
    return cast(ModelMetadataObject, {"type": "model_metadata", **metadata_data(record)})


def alias_object(record: AliasRecord) -> AliasObject:
    """A model alias as the API shows it."""
    return {
        "type": "model_alias",
        "id": record.alias,
        "model": record.model_id,
        "listed": record.listed,
    }


def audit_object(record: AuditRecord) -> AuditEntry:
    """An audit log entry as the API shows it."""
    return {
        "type": "audit_entry",
        "id": record.id,
        "created_at": format_epoch(record.created_at),
        "actor": {"type": record.actor_type, "id": record.actor_id},
        "action": record.action,
        "object": {"type": record.object_type, "id": record.object_id},
        "before": None if record.before is None else orjson.loads(record.before),
        "after": None if record.after is None else orjson.loads(record.after),
        "revision": record.revision,
    }


def webhook_object(record: WebhookEndpointRecord) -> WebhookObject:
    """A webhook endpoint (modeldir's own object): never its secret."""
    return {
        "type": "webhook_endpoint",
        "id": record.id,
        "url": record.url,
        "description": record.description,
        "event_types": None if record.event_types is None else list(record.event_types),
        "status": cast(EndpointStatus, record.status),
        "created_at": time_or_none(record.created_at),
    }


def delivery_object(record: WebhookDeliveryRecord) -> WebhookDeliveryObject:
    """An entry of an endpoint's delivery log (modeldir's own object)."""
    due = record.next_attempt_ms
    return {
        "type": "webhook_delivery",
        "id": record.id,
        "endpoint_id": record.endpoint_id,
        "event_id": record.event_id,
        "event_type": record.event_type,
        "status": cast(DeliveryStatus, record.status),
        "attempts": record.attempts,
        "created_at": time_or_none(record.created_at),
        "last_attempt_at": time_or_none(record.last_attempt_at),
        "next_attempt_at": None if due is None else time_or_none(-(-due // 1000)),
        "response_status": record.response_status,
        "error": record.error,
        "delivered_at": time_or_none(record.delivered_at),
    }
