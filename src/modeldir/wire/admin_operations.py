"""The admin API's operations, declared once: `admin_api.py` serves this table and
`openapi_admin.py` describes it, so a route cannot be served without being documented.

Each operation is one `AdminService` call (or, for the catalogue file, a handler of
`AdminApi`'s own), with the types of its query, its body and its answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from modeldir.admin import inputs, objects
from modeldir.admin.import_plan import ImportReport
from modeldir.admin.lifecycle import LifecycleReport
from modeldir.admin.sync_objects import SyncRunList
from modeldir.catalogue.document import CatalogueDocument
from modeldir.catalogue.model_info import ModelInfo

PREFIX = "/v1/organizations"


@dataclass(frozen=True, slots=True)
class MergePatch:
    """A body that is a JSON merge patch (RFC 7386) of an object of type `of`."""

    of: type[BaseModel]


@dataclass(frozen=True, slots=True)
class Operation:
    """One admin operation: its route, what it calls, takes and answers."""

    method: str
    path: str
    """Under PREFIX, in Starlette's syntax (`{model_id:path}` may hold slashes)."""
    name: str
    """The `AdminService` method it calls (or, when `own`, the `AdminApi` method that answers)."""
    summary: str
    answers: Any
    """The type of the object it answers; a list page of them when `query` is a list's."""
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    raw_body: Any = None
    """A body handed on as parsed, validated by the service: the type it must be."""
    versioned: bool = True
    """Answers one object with its ETag."""
    writes: bool = False
    own: bool = False

    @property
    def path_params(self) -> tuple[str, ...]:
        """The names of the path's parameters, in order."""
        return tuple(re.findall(r"\{(\w+)", self.path))

    @property
    def honours_if_match(self) -> bool:
        """A change to an existing object, which `If-Match` can make conditional."""
        return self.writes and bool(self.path_params)

    @property
    def lists(self) -> bool:
        """Answers a list page (`data`, `has_more`, `first_id`, `last_id`)."""
        return self.query is not None and issubclass(self.query, inputs.ListParams)


def _op(method: str, path: str, name: str, summary: str, answers: Any, **more: Any) -> Operation:
    return Operation(method, path, name, summary, answers, **more)


_W, _K, _M, _A = "/workspaces", "/api_keys", "/models/{model_id:path}", "/aliases/{alias:path}"
_H = "/webhooks"

OPERATIONS: tuple[Operation, ...] = (
    _op("GET", "/me", "organization", "The organisation", objects.OrganizationObject,
        versioned=False),
    # Workspaces: Anthropic's endpoints, with modeldir's model access and rate limits.
    _op("GET", _W, "list_workspaces", "List workspaces", objects.WorkspaceObject,
        query=inputs.WorkspaceListParams, versioned=False),
    _op("POST", _W, "create_workspace", "Create a workspace", objects.WorkspaceObject,
        body=inputs.WorkspaceCreate, writes=True),
    _op("POST", _W + "/{workspace_id}/archive", "archive_workspace",
        "Archive a workspace and its API keys (final)", objects.WorkspaceObject, writes=True),
    _op("GET", _W + "/{workspace_id}", "get_workspace", "Get a workspace",
        objects.WorkspaceObject),
    _op("POST", _W + "/{workspace_id}", "update_workspace", "Update a workspace",
        objects.WorkspaceObject, body=inputs.WorkspaceUpdate, writes=True),
    # API keys: Anthropic's endpoints, plus create and rotate.
    _op("GET", _K, "list_api_keys", "List API keys", objects.ApiKeyObject,
        query=inputs.ApiKeyListParams, versioned=False),
    _op("POST", _K, "create_api_key", "Create an API key (its secret is shown this once)",
        objects.NewApiKeyObject, body=inputs.ApiKeyCreate, writes=True),
    _op("POST", _K + "/{api_key_id}/rotate", "rotate_api_key",
        "Give an API key a new secret; the old one works for the grace period",
        objects.NewApiKeyObject, body=inputs.ApiKeyRotate, writes=True),
    _op("GET", _K + "/{api_key_id}", "get_api_key", "Get an API key", objects.ApiKeyObject),
    _op("POST", _K + "/{api_key_id}", "update_api_key", "Rename, deactivate or archive a key",
        objects.ApiKeyObject, body=inputs.ApiKeyUpdate, writes=True),
    # Models and aliases.
    _op("GET", "/models", "list_models", "List models (every lifecycle by default)", ModelInfo,
        query=inputs.ModelListParams, versioned=False),
    _op("POST", "/models", "create_model", "Add a model", ModelInfo, raw_body=ModelInfo,
        writes=True),
    _op("POST", _M + "/deprecate", "deprecate_model", "Deprecate a model", ModelInfo,
        body=inputs.ModelDeprecate, writes=True),
    _op("GET", _M + "/metadata", "get_model_metadata",
        "What the Models API does not carry about a model: prices, provider, family, "
        "knowledge cut-off", objects.ModelMetadataObject, versioned=False),
    _op("POST", _M + "/retire", "retire_model", "Retire a model", ModelInfo,
        body=inputs.ModelRetire, writes=True),
    _op("GET", _M, "get_model", "Get a model, whatever its lifecycle", ModelInfo),
    _op("POST", _M, "update_model", "Change a model's fields", ModelInfo,
        raw_body=MergePatch(ModelInfo), writes=True),
    _op("DELETE", _M, "delete_model", "Delete a model (it keeps its place for cursors)",
        objects.Deleted, versioned=False, writes=True),
    _op("GET", "/aliases", "list_aliases", "List aliases, by name", objects.AliasObject,
        query=inputs.ListParams, versioned=False),
    _op("POST", "/aliases", "create_alias", "Create an alias", objects.AliasObject,
        body=inputs.AliasCreate, writes=True),
    _op("GET", _A, "get_alias", "Get an alias", objects.AliasObject),
    _op("POST", _A, "update_alias", "Move an alias or change whether it is listed",
        objects.AliasObject, body=inputs.AliasUpdate, writes=True),
    _op("DELETE", _A, "delete_alias", "Delete an alias", objects.Deleted, versioned=False,
        writes=True),
    # The whole catalogue, and the audit log.
    _op("GET", "/catalogue/export", "export_catalogue", "The whole catalogue as a file",
        CatalogueDocument, query=inputs.ExportParams, versioned=False, own=True),
    _op("GET", "/catalogue/sync", "sync_status",
        "The latest syncs from upstream Models APIs, newest first", SyncRunList,
        versioned=False),
    _op("POST", "/catalogue/import", "import_catalogue",
        "Import a catalogue file (modeldir's own, or a public catalogue's with `format`): "
        "merge or replace, all or nothing", ImportReport,
        query=inputs.ImportParams, raw_body=CatalogueDocument, versioned=False, writes=True,
        own=True),
    _op("GET", "/lifecycle/report", "lifecycle_report",
        "The models that are deprecated or retire soon, their aliases and who can see them",
        LifecycleReport, query=inputs.LifecycleReportParams, versioned=False),
    _op("GET", "/audit_log", "audit_log", "The audit log, newest first", objects.AuditEntry,
        query=inputs.AuditListParams, versioned=False),
    # Webhooks: endpoints told of every catalogue change (docs/webhooks.md).
    _op("GET", _H, "list_webhooks", "List webhook endpoints", objects.WebhookObject,
        query=inputs.ListParams, versioned=False),
    _op("POST", _H, "create_webhook",
        "Register a webhook endpoint (its signing secret is shown this once)",
        objects.NewWebhookObject, body=inputs.WebhookCreate, writes=True),
    _op("POST", _H + "/{webhook_id}/deliveries/{delivery_id}/resend",
        "resend_webhook_delivery", "Send a delivery again", objects.WebhookDeliveryObject,
        versioned=False, writes=True),
    _op("GET", _H + "/{webhook_id}/deliveries", "list_webhook_deliveries",
        "An endpoint's delivery log, newest first", objects.WebhookDeliveryObject,
        query=inputs.ListParams, versioned=False),
    _op("GET", _H + "/{webhook_id}", "get_webhook", "Get a webhook endpoint",
        objects.WebhookObject),
    _op("DELETE", _H + "/{webhook_id}", "delete_webhook", "Delete a webhook endpoint",
        objects.Deleted, versioned=False, writes=True),
)  # fmt: skip
