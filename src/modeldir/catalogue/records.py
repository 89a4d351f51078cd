"""Plain records: what the store holds and hands to the snapshot builder.

They carry no behaviour and skip validation, so a million of them load in seconds. Instants are
whole epoch seconds. `revision` is the catalogue revision of the row's last change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from modeldir.catalogue.model_fields import (
    POSITION,
    STORED_FIELDS,
    Row,
    info_of,
    row_of,
    wire_object,
)
from modeldir.catalogue.model_info import Lifecycle, ModelInfo


@dataclass(frozen=True, slots=True)
class ModelRecord:
    """A stored model: its row (see model_fields.py), whether it is deleted, its revision."""

    row: tuple[Any, ...]
    """The stored values, in `STORED_FIELDS` order."""
    deleted: bool = False
    """A deleted model is kept as a tombstone so that its id stays a valid cursor (D3)."""
    revision: int = 0

    @classmethod
    def of(cls, *, deleted: bool = False, revision: int = 0, **fields: Any) -> ModelRecord:
        """A record from its stored values by name; each field must be given exactly once."""
        missing = set(STORED_FIELDS) - set(fields)
        unknown = set(fields) - set(STORED_FIELDS)
        if missing or unknown:
            raise TypeError(f"model fields missing {sorted(missing)}, unknown {sorted(unknown)}")
        return cls(tuple(fields[name] for name in STORED_FIELDS), deleted, revision)

    @classmethod
    def from_info(cls, info: ModelInfo, *, revision: int = 0) -> ModelRecord:
        """The record of a validated model."""
        return cls(row_of(info), revision=revision)

    def info(self) -> ModelInfo:
        """The validated model behind this record."""
        return info_of(self.row)

    def wire(self) -> dict[str, Any]:
        """The model as the Models API returns it, as data."""
        return wire_object(self.row)

    # The fields the catalogue's own logic reads: identity, list order, lifecycle filter, and
    # when a model retires.
    @property
    def id(self) -> str:
        return self.row[_ID]  # type: ignore[no-any-return]

    @property
    def created_at(self) -> int:
        return self.row[_CREATED_AT]  # type: ignore[no-any-return]

    @property
    def lifecycle(self) -> Lifecycle:
        return self.row[_LIFECYCLE]  # type: ignore[no-any-return]

    @property
    def retires_at(self) -> int | None:
        """Epoch seconds (the retirement report and the automatic retirement read it)."""
        return self.row[_RETIRES_AT]  # type: ignore[no-any-return]


_ID, _CREATED_AT, _LIFECYCLE, _RETIRES_AT = (
    POSITION[n] for n in ("id", "created_at", "lifecycle", "retires_at")
)


@dataclass(frozen=True, slots=True)
class AliasRecord:
    alias: str
    model_id: str
    listed: bool = False
    deleted: bool = False
    revision: int = 0


@dataclass(frozen=True, slots=True)
class MetadataRecord:
    """What the Models API does not carry about a model (never part of its `ModelInfo`, D18)."""

    model_id: str
    provider: str | None = None
    family: str | None = None
    input_price_per_mtok: float | None = None
    """US dollars per million input tokens."""
    output_price_per_mtok: float | None = None
    knowledge_cutoff: str | None = None
    """`YYYY-MM` or `YYYY-MM-DD`."""
    source: str | None = None
    """Where it came from: `models.dev`, `litellm`, or a catalogue file."""
    revision: int = 0


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """A model a sync made or keeps: where from, and the upstream's model as last synced."""

    model_id: str
    source: str
    upstream: str
    """The upstream's `ModelInfo` at the last sync, as JSON text."""
    revision: int = 0


@dataclass(frozen=True, slots=True)
class SyncRunRecord:
    """One sync of a source and how it ended (outside the catalogue's revisions)."""

    source: str
    started_at_ms: int
    finished_at_ms: int | None = None
    outcome: str = "ok"
    """ok | failed"""
    report: str | None = None
    """What the run did (or would do), as JSON text."""
    error: str | None = None
    request_id: str | None = None
    """The upstream's request id of a failed run, when it gave one."""
    seq: int = 0


@dataclass(frozen=True, slots=True)
class WorkspaceRecord:
    id: str
    name: str
    created_at: int
    archived_at: int | None = None
    model_access: tuple[str, ...] | None = None
    """Ids and glob patterns this workspace may see; None means every model."""
    is_default: bool = False
    revision: int = 0
    display_color: str = "#6C5BB9"
    tags: tuple[tuple[str, str], ...] = ()
    """User-defined tags, sorted by key."""
    requests_per_minute: int | None = None
    """The workspace's own limit on requests per minute (None: the organisation default)."""
    key_requests_per_minute: int | None = None
    """The limit for each of its API keys (None: the organisation default)."""


ApiKeyStatus = str  # "active" | "inactive" | "archived"; "expired" is derived from expires_at


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    id: str
    workspace_id: str
    name: str
    secret_hash: bytes
    partial_key_hint: str
    status: ApiKeyStatus
    created_at: int
    expires_at: int | None = None
    revision: int = 0
    created_by: str | None = None
    """The admin key that created it, when one did."""
    previous_secret_hash: bytes | None = None
    """After a rotation, the old key's hash, valid until `previous_expires_at`."""
    previous_expires_at: int | None = None


@dataclass(frozen=True, slots=True)
class AdminKeyRecord:
    """A key for the admin API; never valid on the Models API."""

    id: str
    name: str
    secret_hash: bytes
    partial_key_hint: str
    status: ApiKeyStatus
    created_at: int
    revision: int = 0
    read_only: bool = False
    """A read-only admin key reads everything and changes nothing."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One admin change: who, when, what, and the object before and after (never a secret)."""

    id: str
    created_at: int
    actor_type: str
    actor_id: str
    action: str
    object_type: str
    object_id: str
    before: str | None
    """The object as JSON before the change, or None when it did not exist."""
    after: str | None
    revision: int = 0
    seq: int = 0
    """Order of entries, assigned by the store."""


@dataclass(frozen=True, slots=True)
class WebhookEndpointRecord:
    """Where change events are sent, and the secret they are signed with."""

    id: str
    url: str
    secret: str
    """`whsec_` and the base64 of the signing key: the server must read it to sign, so it is
    stored as is (and never logged, audited or shown after creation)."""
    description: str
    event_types: tuple[str, ...] | None
    """The event types sent there; None means all of them."""
    status: str
    """`active`, or `failing` once a delivery ran out of tries (until one succeeds again)."""
    created_at: int
    deleted: bool = False
    revision: int = 0


@dataclass(frozen=True, slots=True)
class WebhookDeliveryRecord:
    """One event on its way to one endpoint: the delivery log's entry."""

    id: str
    event_id: str
    """The event's id, sent as `webhook-id` (the same for every try and every re-send)."""
    event_type: str
    endpoint_id: str
    status: str
    """`pending`, `delivered`, `failed` (out of tries) or `cancelled` (endpoint deleted)."""
    attempts: int
    created_at: int
    next_attempt_ms: int | None
    """When the next try is due (epoch milliseconds) while pending."""
    last_attempt_at: int | None = None
    response_status: int | None = None
    """The HTTP status the endpoint last answered with (None: no answer)."""
    error: str | None = None
    """Why the last try failed, in a few words."""
    delivered_at: int | None = None
    seq: int = 0
    """Order of deliveries, assigned by the store."""


class DeliveryResult(NamedTuple):
    """What a try came to, as the delivery log keeps it."""

    status: str
    """`delivered`, `failed` (no tries left) or `pending` (tried again at `retry_at_ms`)."""
    response_status: int | None
    error: str | None
    retry_at_ms: int | None = None


class DueDelivery(NamedTuple):
    """A delivery whose try is due, with what sending it needs."""

    id: str
    event_id: str
    endpoint_id: str
    url: str
    secret: str
    body: bytes
    attempts: int
    """Tries made before this one."""


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A web console session: the hash of its cookie's token and the admin key that opened it.

    Not part of the catalogue: sessions are written outside catalogue revisions.
    """

    token_hash: bytes
    admin_key_id: str
    created_at: int
    expires_at: int


@dataclass(frozen=True, slots=True)
class CatalogueChanges:
    """Everything changed after one revision up to another: the unit the snapshot applies."""

    revision: int
    organization_id: str
    models: list[ModelRecord] = field(default_factory=list)
    aliases: list[AliasRecord] = field(default_factory=list)
    workspaces: list[WorkspaceRecord] = field(default_factory=list)
    api_keys: list[ApiKeyRecord] = field(default_factory=list)
    admin_keys: list[AdminKeyRecord] = field(default_factory=list)
    complete: bool = False
    """True when this is the whole catalogue rather than a delta."""
    changed_at: float | None = None
    """When `revision` was written (Unix time), if the store knows."""


class FullCatalogue(NamedTuple):
    """A whole catalogue at one revision, its models streamed as rows rather than records."""

    changes: CatalogueChanges
    """Everything but the models (`complete` is True, `models` empty)."""
    live_models: Iterable[Row]
    """Each live model's row (`STORED_FIELDS` order)."""
    deleted_models: Iterable[tuple[str, int]]
    """The id and release time of each deleted model."""
