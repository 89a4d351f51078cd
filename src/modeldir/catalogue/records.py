"""Plain records: what the store holds and hands to the snapshot builder.

They carry no behaviour and skip validation, so a million of them load in seconds. Instants are
whole epoch seconds. `revision` is the catalogue revision of the row's last change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson

from modeldir.catalogue.model_info import Lifecycle


@dataclass(frozen=True, slots=True)
class ModelRecord:
    id: str
    display_name: str
    created_at: int
    max_input_tokens: int | None
    max_tokens: int | None
    capabilities_json: str | None
    """The capability tree as canonical JSON (see `render.canonical_capabilities`), or None."""
    lifecycle: Lifecycle
    deprecated_at: int | None
    retires_at: int | None
    line: str | None
    allowed_fallback_models: tuple[str, ...] | None
    deleted: bool = False
    """A deleted model is kept as a tombstone so that its id stays a valid cursor (D3)."""
    revision: int = 0


MODEL_COLUMNS = (
    "id",
    "display_name",
    "created_at",
    "max_input_tokens",
    "max_tokens",
    "capabilities",
    "lifecycle",
    "deprecated_at",
    "retires_at",
    "line",
    "allowed_fallback_models",
)
"""A stored model as a row: the columns `Renderer.entry_from_row` reads, in this order. The
capability tree and the fallback list are the canonical JSON texts the store keeps."""

ModelRow = Sequence[Any]


def model_row(record: ModelRecord) -> tuple[Any, ...]:
    """A record as the row the store would hand over."""
    fallbacks = record.allowed_fallback_models
    return (
        record.id,
        record.display_name,
        record.created_at,
        record.max_input_tokens,
        record.max_tokens,
        record.capabilities_json,
        record.lifecycle,
        record.deprecated_at,
        record.retires_at,
        record.line,
        None if fallbacks is None else orjson.dumps(list(fallbacks)).decode(),
    )


@dataclass(frozen=True, slots=True)
class AliasRecord:
    alias: str
    model_id: str
    listed: bool = False
    deleted: bool = False
    revision: int = 0


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


class FullCatalogue(NamedTuple):
    """A whole catalogue at one revision, its models streamed as rows rather than records."""

    changes: CatalogueChanges
    """Everything but the models (`complete` is True, `models` empty)."""
    live_models: Iterable[ModelRow]
    """Each live model as a row in `MODEL_COLUMNS` order."""
    deleted_models: Iterable[tuple[str, int]]
    """The id and release time of each deleted model."""
