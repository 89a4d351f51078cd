"""`AdminService`'s methods over a running server's admin API (the CLI's `--url` mode).

Same arguments, same results, same exceptions: an error envelope is turned back into the error
it was rendered from (`modeldir.errors.error_for_status`), so the CLI cannot tell which side of
the network it works on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NoReturn

import httpx
import orjson
from pydantic import BaseModel

from modeldir.admin import inputs
from modeldir.admin.service import Object, Versioned
from modeldir.catalogue.document import CatalogueDocument, parse_document
from modeldir.errors import (
    ApiError,
    InvalidCatalogue,
    InvalidRequestError,
    Problem,
    ServiceUnavailableError,
    error_for_status,
)


class RemoteAdmin:
    """Administration through the admin API of the server at `base_url`."""

    def __init__(self, base_url: str, admin_key: str, *, timeout: float = 60.0) -> None:
        self.http = httpx.Client(
            base_url=base_url.rstrip("/") + "/v1/organizations",
            headers={"x-api-key": admin_key, "anthropic-version": "2023-06-01"},
            timeout=timeout,
        )

    def close(self) -> None:
        self.http.close()

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: BaseModel | dict[str, Any] | None = None,
        json: Any = None,
        if_match: str | None = None,
    ) -> httpx.Response:
        query: dict[str, Any] | None = None
        if isinstance(params, BaseModel):
            query = params.model_dump(mode="json", exclude_none=True)
        elif params is not None:
            query = params
        headers = {"if-match": if_match} if if_match is not None else None
        try:
            response = self.http.request(method, path, params=query, json=json, headers=headers)
        except httpx.HTTPError as error:
            raise ServiceUnavailableError(f"cannot reach {self.http.base_url}: {error}") from None
        if response.status_code >= 400:
            _raise(response)
        return response

    def _versioned(self, response: httpx.Response) -> Versioned:
        changed = response.headers.get("modeldir-change") != "none"
        return Versioned(response.json(), response.headers.get("etag", ""), changed)

    @staticmethod
    def _body(model: BaseModel) -> dict[str, Any]:
        """Only the fields the caller set, so an update changes nothing else."""
        return model.model_dump(mode="json", exclude_unset=True)

    # ---- the same methods as AdminService --------------------------------------------------------

    def organization(self) -> Object:
        return self._call("GET", "/me").json()  # type: ignore[no-any-return]

    def list_workspaces(self, params: inputs.WorkspaceListParams) -> Object:
        return self._call("GET", "/workspaces", params=params).json()  # type: ignore[no-any-return]

    def get_workspace(self, workspace_id: str) -> Versioned:
        return self._versioned(self._call("GET", f"/workspaces/{workspace_id}"))

    def create_workspace(self, body: inputs.WorkspaceCreate) -> Versioned:
        return self._versioned(self._call("POST", "/workspaces", json=self._body(body)))

    def update_workspace(
        self, workspace_id: str, body: inputs.WorkspaceUpdate, if_match: str | None = None
    ) -> Versioned:
        response = self._call(
            "POST", f"/workspaces/{workspace_id}", json=self._body(body), if_match=if_match
        )
        return self._versioned(response)

    def archive_workspace(self, workspace_id: str, if_match: str | None = None) -> Versioned:
        return self._versioned(
            self._call("POST", f"/workspaces/{workspace_id}/archive", if_match=if_match)
        )

    def list_api_keys(self, params: inputs.ApiKeyListParams) -> Object:
        return self._call("GET", "/api_keys", params=params).json()  # type: ignore[no-any-return]

    def get_api_key(self, key_id: str) -> Versioned:
        return self._versioned(self._call("GET", f"/api_keys/{key_id}"))

    def create_api_key(self, body: inputs.ApiKeyCreate) -> Versioned:
        return self._versioned(self._call("POST", "/api_keys", json=self._body(body)))

    def update_api_key(
        self, key_id: str, body: inputs.ApiKeyUpdate, if_match: str | None = None
    ) -> Versioned:
        response = self._call(
            "POST", f"/api_keys/{key_id}", json=self._body(body), if_match=if_match
        )
        return self._versioned(response)

    def rotate_api_key(
        self, key_id: str, body: inputs.ApiKeyRotate, if_match: str | None = None
    ) -> Versioned:
        response = self._call(
            "POST", f"/api_keys/{key_id}/rotate", json=self._body(body), if_match=if_match
        )
        return self._versioned(response)

    def create_admin_key(self, body: inputs.AdminKeyCreate) -> NoReturn:
        raise _database_only()

    def list_admin_keys(self) -> NoReturn:
        raise _database_only()

    def revoke_admin_key(self, key_id: str) -> NoReturn:
        raise _database_only()

    def list_models(self, params: inputs.ModelListParams) -> Object:
        query = {**params.model_dump(mode="json", exclude_none=True)}
        query["lifecycle[]"] = query.pop("lifecycle")
        return self._call("GET", "/models", params=query).json()  # type: ignore[no-any-return]

    def get_model(self, model_id: str) -> Versioned:
        return self._versioned(self._call("GET", f"/models/{model_id}"))

    def create_model(self, data: Any) -> Versioned:
        return self._versioned(self._call("POST", "/models", json=data))

    def update_model(self, model_id: str, patch: Any, if_match: str | None = None) -> Versioned:
        return self._versioned(
            self._call("POST", f"/models/{model_id}", json=patch, if_match=if_match)
        )

    def deprecate_model(
        self, model_id: str, body: inputs.ModelDeprecate, if_match: str | None = None
    ) -> Versioned:
        response = self._call(
            "POST", f"/models/{model_id}/deprecate", json=self._body(body), if_match=if_match
        )
        return self._versioned(response)

    def retire_model(
        self, model_id: str, body: inputs.ModelRetire, if_match: str | None = None
    ) -> Versioned:
        response = self._call(
            "POST", f"/models/{model_id}/retire", json=self._body(body), if_match=if_match
        )
        return self._versioned(response)

    def delete_model(self, model_id: str, if_match: str | None = None) -> Object:
        return self._call("DELETE", f"/models/{model_id}", if_match=if_match).json()  # type: ignore[no-any-return]

    def list_aliases(self, params: inputs.ListParams) -> Object:
        return self._call("GET", "/aliases", params=params).json()  # type: ignore[no-any-return]

    def get_alias(self, alias: str) -> Versioned:
        return self._versioned(self._call("GET", f"/aliases/{alias}"))

    def create_alias(self, body: inputs.AliasCreate) -> Versioned:
        return self._versioned(self._call("POST", "/aliases", json=self._body(body)))

    def update_alias(
        self, alias: str, body: inputs.AliasUpdate, if_match: str | None = None
    ) -> Versioned:
        return self._versioned(
            self._call("POST", f"/aliases/{alias}", json=self._body(body), if_match=if_match)
        )

    def delete_alias(self, alias: str, if_match: str | None = None) -> Object:
        return self._call("DELETE", f"/aliases/{alias}", if_match=if_match).json()  # type: ignore[no-any-return]

    def import_catalogue(
        self, data: Any, *, replace_all: bool = False, dry_run: bool = False
    ) -> Object:
        params = {"mode": "replace" if replace_all else "merge", "dry_run": str(dry_run).lower()}
        return self._call("POST", "/catalogue/import", params=params, json=data).json()  # type: ignore[no-any-return]

    def import_public(
        self, data: Any, *, fmt: str, provider: str = "anthropic", dry_run: bool = False
    ) -> Object:
        params = {"format": fmt, "provider": provider, "dry_run": str(dry_run).lower()}
        return self._call("POST", "/catalogue/import", params=params, json=data).json()  # type: ignore[no-any-return]

    def get_model_metadata(self, model_id: str) -> Object:
        return self._call("GET", f"/models/{model_id}/metadata").json()  # type: ignore[no-any-return]

    def sync(self, upstream: Any, options: Any = None, started_ms: Any = None) -> NoReturn:
        raise InvalidRequestError(
            "sync runs on the database, so the upstream's key never leaves this machine: "
            "run it without --url"
        )

    def sync_status(self) -> Object:
        return self._call("GET", "/catalogue/sync").json()  # type: ignore[no-any-return]

    def export_catalogue(self) -> CatalogueDocument:
        return parse_document(self._call("GET", "/catalogue/export").json())

    def iter_models(self, lifecycles: frozenset[str]) -> Iterator[dict[str, Any]]:
        after: str | None = None
        while True:
            params = inputs.ModelListParams(
                after_id=after, limit=1000, lifecycle=sorted(lifecycles)
            )
            page = self.list_models(params)
            yield from page["data"]
            if not page["has_more"] or not page["data"]:
                return
            after = page["last_id"]

    def iter_model_json(self, lifecycles: frozenset[str]) -> Iterator[bytes]:
        return (orjson.dumps(model) for model in self.iter_models(lifecycles))

    def export_chunks(self, *, as_json: bool) -> Iterator[bytes]:
        params = {"format": "json" if as_json else "yaml"}
        try:
            with self.http.stream("GET", "/catalogue/export", params=params) as response:
                if response.status_code >= 400:
                    response.read()
                    _raise(response)
                yield from response.iter_bytes()
        except httpx.HTTPError as error:
            raise ServiceUnavailableError(f"cannot reach {self.http.base_url}: {error}") from None

    def lifecycle_report(self, params: inputs.LifecycleReportParams) -> Object:
        return self._call("GET", "/lifecycle/report", params=params).json()  # type: ignore[no-any-return]

    def audit_log(self, params: inputs.AuditListParams) -> Object:
        return self._call("GET", "/audit_log", params=params).json()  # type: ignore[no-any-return]

    def list_webhooks(self, params: inputs.ListParams) -> Object:
        return self._call("GET", "/webhooks", params=params).json()  # type: ignore[no-any-return]

    def get_webhook(self, endpoint_id: str) -> Versioned:
        return self._versioned(self._call("GET", f"/webhooks/{endpoint_id}"))

    def create_webhook(self, body: inputs.WebhookCreate) -> Versioned:
        return self._versioned(self._call("POST", "/webhooks", json=self._body(body)))

    def delete_webhook(self, endpoint_id: str, if_match: str | None = None) -> Object:
        return self._call("DELETE", f"/webhooks/{endpoint_id}", if_match=if_match).json()  # type: ignore[no-any-return]

    def list_webhook_deliveries(self, endpoint_id: str, params: inputs.ListParams) -> Object:
        path = f"/webhooks/{endpoint_id}/deliveries"
        return self._call("GET", path, params=params).json()  # type: ignore[no-any-return]

    def resend_webhook_delivery(
        self, endpoint_id: str, delivery_id: str, if_match: str | None = None
    ) -> Object:
        path = f"/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend"
        return self._call("POST", path, if_match=if_match).json()  # type: ignore[no-any-return]


def _database_only() -> ApiError:
    return InvalidRequestError(
        "admin keys are managed on the database only, never through the API: "
        "run this command without --url, on a machine that can reach the database"
    )


def _raise(response: httpx.Response) -> NoReturn:
    """Turn an error envelope back into the exception the server rendered it from."""
    try:
        error = response.json()["error"]
        message, details = error["message"], error.get("details")
    except (ValueError, KeyError, TypeError):
        message, details = f"HTTP {response.status_code}: {response.text[:200]}", None
    if details and "problems" in details:
        raise InvalidCatalogue([Problem(p["location"], p["message"]) for p in details["problems"]])
    raise error_for_status(response.status_code)(message, details=details)
