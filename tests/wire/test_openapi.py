"""The OpenAPI document the server serves: valid OpenAPI 3.1, describing exactly what is served.

Route coverage is checked both ways against the server itself: the routes of its Starlette app
and the paths `wire/context.py` answers before it, walked here, must be the document's paths
and methods; and every documented operation, called with real ids and the right key, must be
answered by a route (neither a route-miss 404 nor a 405).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from starlette.routing import Route
from starlette.testclient import TestClient

from modeldir.admin import inputs
from modeldir.admin.bootstrap import initialize
from modeldir.admin.service import Actor, AdminService
from modeldir.errors import ErrorType
from modeldir.settings import Settings
from modeldir.store import open_store
from modeldir.wire.app import Server
from modeldir.wire.context import RAW_ROUTES, is_models_path, is_openai_path
from modeldir.wire.openapi import full_document
from tests.support.admin import admin_for, new_admin_key, new_key

HANDWRITTEN = Path(__file__).resolve().parents[2] / "src" / "modeldir" / "data" / "openapi.yaml"
VERSION = {"anthropic-version": "2023-06-01"}


@dataclass
class Running:
    server: Server
    client: TestClient
    admin_key: str
    api_key: str
    ids: dict[str, str]
    """A real value for each path parameter name."""


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A server in process on SQLite, with one object of each kind to name in paths."""
    url = f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'modeldir.db'}"
    store = open_store(url)
    initialize(store)
    admin = admin_for(store)
    admin_key, api_key = new_admin_key(store), new_key(store)
    workspace = admin.create_workspace(inputs.WorkspaceCreate(name="spare")).object
    key = admin.create_api_key(inputs.ApiKeyCreate(workspace_id=workspace["id"])).object
    model = {"id": "a/b", "display_name": "A", "created_at": "2025-01-01"}
    admin.import_catalogue({"models": [model]})
    admin.create_alias(inputs.AliasCreate(alias="ab", model="a/b"))
    hooks = AdminService(store, Actor("cli", "tests"), allow_private_webhooks=True)
    webhook = hooks.create_webhook(inputs.WebhookCreate(url="http://127.0.0.1:9/hook")).object
    admin.create_workspace(inputs.WorkspaceCreate(name="an event"))  # a delivery to name
    deliveries = hooks.list_webhook_deliveries(webhook["id"], inputs.ListParams())
    store.close()
    server = Server(Settings(database_url=url))
    ids = {
        "model_id": "a/b",
        "model": "a/b",
        "alias": "ab",
        "workspace_id": workspace["id"],
        "api_key_id": key["id"],
        "webhook_id": webhook["id"],
        "delivery_id": deliveries["data"][0]["id"],
    }
    with TestClient(server.entry, base_url="http://testserver") as client:
        yield Running(server, client, admin_key, api_key, ids)


CONSOLE_ROUTES = {"/", "/console"}
"""The web console: HTML pages for a browser, not API, so not in the document."""


def served_routes(server: Server) -> dict[str, set[str]]:
    """What the server answers, walked from its parts: path template -> methods (HEAD aside)."""
    found = {path: set(methods) for path, methods in RAW_ROUTES.items()}
    for route in server.rest.routes:
        if getattr(route, "path", None) in CONSOLE_ROUTES:
            continue
        assert isinstance(route, Route)
        path = route.path.replace(":path}", "}")
        found.setdefault(path, set()).update(set(route.methods or ()) - {"HEAD"})
    return found


def documented(document: dict[str, Any]) -> dict[str, set[str]]:
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return {
        path: {m.upper() for m in item if m in methods} for path, item in document["paths"].items()
    }


def test_the_raw_routes_are_the_paths_the_context_answers_itself() -> None:
    for template in RAW_ROUTES:
        path = template.replace("{model_id}", "a/b").replace("{model}", "x")
        assert is_models_path(path) or is_openai_path(path), template
    for other in ("/v1/organizations/models", "/healthz", "/openapi.json", "/v1/modelsx"):
        assert not (is_models_path(other) or is_openai_path(other)), other


def test_every_route_served_is_documented_and_every_documented_one_served(
    running: Running,
) -> None:
    document = running.client.get("/openapi.json").json()
    assert documented(document) == served_routes(running.server)


def test_every_documented_operation_is_answered_by_a_route(running: Running) -> None:
    document = running.client.get("/openapi.json").json()
    calls = [(method, path) for path, methods in documented(document).items() for method in methods]
    # Deletes last, so that every other operation still finds its object.
    for method, path in sorted(calls, key=lambda call: call[0] == "DELETE"):
        target = path
        for name, value in running.ids.items():
            target = target.replace("{" + name + "}", value.replace("/", "%2F"))
        admin = path.startswith("/v1/organizations")
        key = running.admin_key if admin else running.api_key
        body = {"json": {}} if method == "POST" else {}
        response = running.client.request(
            method, target, headers={"x-api-key": key, **VERSION}, **body
        )
        assert response.status_code not in (404, 405), (method, target, response.text)
        assert "{" not in target, target


def test_the_document_is_valid_openapi_3_1(running: Running) -> None:
    document = running.client.get("/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(document).validate()
    # Paths this server does not serve (metrics on an address of their own, say) are left out
    # of what it serves; the whole description is valid too.
    schemathesis.openapi.from_dict(copy.deepcopy(full_document())).validate()
    broken = copy.deepcopy(document)  # the validator bites
    broken["paths"]["/v1/organizations/workspaces"]["get"]["parameters"][0]["in"] = "body"
    with pytest.raises(Exception, match='"body" is not one of'):
        schemathesis.openapi.from_dict(broken).validate()
    # The OpenAPI meta-schema leaves schemas to their dialect: each is checked against it too.
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    with pytest.raises(SchemaError):
        Draft202012Validator.check_schema({"type": "objekt"})


def test_every_reference_resolves(running: Running) -> None:
    document = running.client.get("/openapi.json").json()

    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = set(refs(document))
    assert len(found) > 50
    for ref in found:
        target = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]


def test_the_models_api_part_is_the_handwritten_contract(running: Running) -> None:
    document = running.client.get("/openapi.json").json()
    contract = yaml.safe_load(HANDWRITTEN.read_text())
    for path in ("/v1/models", "/v1/models/{model_id}", "/healthz", "/readyz"):
        assert document["paths"][path] == contract["paths"][path]
    for section in ("parameters", "headers"):
        assert document["components"][section] == contract["components"][section]
    for name in ("ModelInfo", "ListResponse_ModelInfo_", "ModelCapabilities", "ErrorResponse"):
        assert document["components"]["schemas"][name] == contract["components"]["schemas"][name]
    assert document["security"] == contract["security"]


def test_error_types_come_from_the_error_tree(running: Running) -> None:
    schemas = running.client.get("/openapi.json").json()["components"]["schemas"]
    admin = schemas["ApiErrorResponse"]["properties"]["error"]["properties"]["type"]["enum"]
    assert set(admin) == set(ErrorType.__args__)  # type: ignore[attr-defined]
    models_api = schemas["ErrorResponse"]["properties"]["error"]["properties"]["type"]["enum"]
    assert set(models_api) <= set(admin)
    openai = schemas["OpenAIErrorResponse"]["properties"]["error"]["properties"]["code"]["enum"]
    assert {"invalid_api_key", "model_not_found", "rate_limit_exceeded", None} <= set(openai)


def test_admin_operations_carry_the_admin_key_and_the_version_headers(running: Running) -> None:
    document = running.client.get("/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            admin = path.startswith("/v1/organizations/")
            assert (
                operation.get("security")
                == [
                    {"AdminApiKeyAuth": []},
                    {"AdminBearerAuth": []},
                ]
            ) is admin, (method, path)
            if not admin:
                continue
            names = {p.get("name") or p["$ref"] for p in operation["parameters"]}
            assert "#/components/parameters/AnthropicVersion" in names
            changes = (method == "post" and "{" in path) or method == "delete"
            assert ("If-Match" in names) is changes, (method, path)


def test_the_document_is_built_once() -> None:
    assert full_document() is full_document()
