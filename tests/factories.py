"""Small builders for records and snapshots used across the tests."""

from __future__ import annotations

from typing import Any

from modeldir.catalogue.grants import hash_secret
from modeldir.catalogue.model_info import Lifecycle
from modeldir.catalogue.records import (
    AliasRecord,
    ApiKeyRecord,
    CatalogueChanges,
    ModelRecord,
    WorkspaceRecord,
)
from modeldir.catalogue.snapshot import Snapshot, build_snapshot

DAY = 86_400
BASE = 1_700_000_000


def model(
    model_id: str,
    day: int = 0,
    lifecycle: Lifecycle = "active",
    *,
    deleted: bool = False,
    **fields: Any,
) -> ModelRecord:
    """A model released `day` days after a fixed date."""
    dated = lifecycle != "active"
    values: dict[str, Any] = {
        "id": model_id,
        "display_name": model_id.title(),
        "created_at": BASE + day * DAY,
        "max_input_tokens": 200_000,
        "max_tokens": 8_192,
        "capabilities": None,
        "lifecycle": lifecycle,
        "deprecated_at": BASE if dated else None,
        "retires_at": None,
        "line": None,
        "allowed_fallback_models": None,
        "deleted": deleted,
    }
    values.update(fields)
    return ModelRecord.of(**values)


def workspace(
    workspace_id: str, access: tuple[str, ...] | None = None, **fields: Any
) -> WorkspaceRecord:
    return WorkspaceRecord(
        id=workspace_id, name=workspace_id, created_at=BASE, model_access=access, **fields
    )


def api_key(key_id: str, workspace_id: str, secret: str, **fields: Any) -> ApiKeyRecord:
    values: dict[str, Any] = {
        "id": key_id,
        "workspace_id": workspace_id,
        "name": key_id,
        "secret_hash": hash_secret(secret),
        "partial_key_hint": secret[:3],
        "status": "active",
        "created_at": BASE,
    }
    values.update(fields)
    return ApiKeyRecord(**values)


def snapshot(
    models: list[ModelRecord],
    *,
    aliases: list[AliasRecord] | None = None,
    workspaces: list[WorkspaceRecord] | None = None,
    keys: list[ApiKeyRecord] | None = None,
    revision: int = 1,
) -> Snapshot:
    """A snapshot of exactly these records (plus a default workspace with key `sk-all`)."""
    workspaces = workspaces if workspaces is not None else [workspace("wrkspc_all")]
    keys = keys if keys is not None else [api_key("apikey_all", "wrkspc_all", "sk-all")]
    return build_snapshot(
        CatalogueChanges(
            revision=revision,
            organization_id="00000000-0000-4000-8000-000000000000",
            models=models,
            aliases=aliases or [],
            workspaces=workspaces,
            api_keys=keys,
            complete=True,
        )
    )
