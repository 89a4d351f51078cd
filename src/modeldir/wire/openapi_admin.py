"""The admin API in the OpenAPI document, derived from its table of operations.

Each operation of `admin_operations.OPERATIONS` becomes one OpenAPI operation: its path and
query parameters and its body from the pydantic models in `admin/inputs.py`, its answer from
the TypedDicts of `admin/objects.py` (a model is the Models API's `ModelInfo`), its errors from
`errors.py`, and the `If-Match` / `ETag` pair wherever the route honours them.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any

from pydantic import BaseModel, TypeAdapter

from modeldir.admin.service import AdminService
from modeldir.catalogue.document import CatalogueDocument
from modeldir.catalogue.model_info import ID_PATTERN, Alias, ModelInfo
from modeldir.catalogue.model_metadata import ModelMetadata
from modeldir.wire.admin_api import UNCHANGED
from modeldir.wire.admin_operations import OPERATIONS, PREFIX, MergePatch, Operation
from modeldir.wire.openapi_schemas import REFS, Json, Schemas, error_response, openapi_path

SECURITY: list[Json] = [{"AdminApiKeyAuth": []}, {"AdminBearerAuth": []}]
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "Change the object only if it is still at one of these versions (ETags, or "
    "`*`); otherwise 409 with `x-should-retry: false`. Without it the last write wins.",
    "schema": {"type": "string"},
}
ETAG = {
    "required": True,
    "description": "The object's version: the catalogue revision of its last change. Send it "
    "back as `If-Match` to change the object only if nobody else has.",
    "schema": {"type": "string", "pattern": r'^"[0-9]+"$'},
}
CHANGE = {
    "description": "`none` when the request changed nothing (the object and its ETag are "
    "as they were, and no audit entry was written).",
    "schema": {"const": "none"},
}
PATH_PARAMETERS = {
    "workspace_id": "A workspace's id (`wrkspc_...`).",
    "api_key_id": "An API key's id (`apikey_...`).",
    "model_id": "A model's id (it may hold slashes).",
    "alias": "An alias (it may hold slashes).",
    "webhook_id": "A webhook endpoint's id (`webhook_...`).",
    "delivery_id": "A delivery's id (`whdel_...`).",
}


def admin_paths(document: Json, schemas: Schemas) -> dict[str, Json]:
    """Every admin path and its operations."""
    paths: dict[str, Json] = {}
    for operation in OPERATIONS:
        path = PREFIX + openapi_path(operation.path)
        described = _operation(document, schemas, operation)
        paths.setdefault(path, {})[operation.method.lower()] = described
    return paths


def _operation(document: Json, schemas: Schemas, operation: Operation) -> Json:
    parameters = [_path_parameter(name) for name in operation.path_params]
    if operation.query is not None:
        parameters += query_parameters(operation.query)
    parameters.append({"$ref": "#/components/parameters/AnthropicVersion"})
    if operation.honours_if_match:
        parameters.append(IF_MATCH)
    described: Json = {
        "operationId": f"admin_{operation.name}",
        "summary": operation.summary,
        "tags": ["admin"],
        "security": SECURITY,
        "parameters": parameters,
    }
    doc = inspect.getdoc(getattr(AdminService, operation.name))
    if doc:
        described["description"] = doc
    body = _request_body(schemas, operation)
    if body is not None:
        described["requestBody"] = body
    described["responses"] = _responses(document, schemas, operation, body is not None)
    return described


def _path_parameter(name: str) -> Json:
    schema: Json = {"type": "string", "minLength": 1}
    if name in ("model_id", "alias"):
        schema = {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"}
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": PATH_PARAMETERS[name],
        "schema": schema,
    }


def query_parameters(kind: type[BaseModel]) -> list[Json]:
    """A query model's fields as query parameters; a list field is `name[]`, repeated."""
    schema = TypeAdapter(kind).json_schema(mode="validation")
    assert "$defs" not in schema, f"{kind.__name__}: a query parameter cannot be an object"
    parameters = []
    for name, field in schema["properties"].items():
        field = dict(field)
        choices = [c for c in field.pop("anyOf", []) if c != {"type": "null"}]
        if len(choices) == 1:  # optional: a query parameter is absent rather than null
            field.update(choices[0])
        elif choices:
            field["anyOf"] = choices
        field.pop("title", None)
        if field.get("default", 0) is None:
            del field["default"]
        described: Json = {"name": name, "in": "query", "required": False}
        description = field.pop("description", None)
        if description:
            described["description"] = description
        if field.get("type") == "array":
            described.update(name=f"{name}[]", style="form", explode=True)
        described["schema"] = field
        parameters.append(described)
    return parameters


def _request_body(schemas: Schemas, operation: Operation) -> Json | None:
    media = ["application/json"]
    if operation.body is not None:
        schema = schemas.ref(operation.body, "validation")
        required = any(f.is_required() for f in operation.body.model_fields.values())
    elif isinstance(operation.raw_body, MergePatch):
        schema = merge_patch(schemas, operation.raw_body.of)
        required = True
    elif operation.raw_body is not None:
        schema = schemas.ref(operation.raw_body, "validation")
        required = True
        if operation.raw_body is CatalogueDocument:
            media.append("application/yaml")
    else:
        return None
    return {"required": required, "content": {m: {"schema": schema} for m in media}}


def merge_patch(schemas: Schemas, kind: type[BaseModel]) -> Json:
    """A JSON merge patch (RFC 7386) of a `kind`: any of its fields; null clears a field."""
    target = schemas.ref(kind, "validation")
    name = target["$ref"].removeprefix(REFS)
    properties = schemas.components[name]["properties"]
    return schemas.add(
        f"{kind.__name__}Patch",
        {
            "type": "object",
            "description": f"A JSON merge patch (RFC 7386) of a {kind.__name__}: the fields to "
            "change; nested objects merge, null clears a field.",
            "properties": {
                field: {"anyOf": [copy.deepcopy(value), {"type": "null"}]}
                for field, value in properties.items()
            },
            "additionalProperties": False,
        },
    )


def _answer(document: Json, schemas: Schemas, operation: Operation) -> Json:
    """The schema of a successful answer."""
    if operation.answers is ModelInfo:  # the Models API's own object, the wire contract
        item: Json = {"$ref": REFS + "ModelInfo"}
    elif operation.answers is CatalogueDocument:
        return catalogue_file(schemas)
    else:
        item = schemas.ref(operation.answers)
    if not operation.lists:
        return item
    name = item["$ref"].removeprefix(REFS)
    envelope = copy.deepcopy(document["components"]["schemas"]["ListResponse_ModelInfo_"])
    envelope["title"] = f"ListResponse[{name}]"
    envelope["properties"]["data"]["items"] = item
    return schemas.add(f"ListResponse_{name}_", envelope)


def catalogue_file(schemas: Schemas) -> Json:
    """What an export writes: the models as the Models API shows them, the aliases, then the
    models' metadata when there is any."""
    return schemas.add(
        "CatalogueFile",
        {
            "type": "object",
            "required": ["models", "aliases"],
            "properties": {
                "models": {"type": "array", "items": {"$ref": REFS + "ModelInfo"}},
                "aliases": {"type": "array", "items": schemas.ref(Alias)},
                "metadata": {"type": "array", "items": schemas.ref(ModelMetadata)},
            },
            "additionalProperties": False,
        },
    )


def _responses(document: Json, schemas: Schemas, operation: Operation, body: bool) -> Json:
    error_headers = document["components"]["responses"]["Error"]["headers"]
    headers: Json = {"request-id": copy.deepcopy(error_headers["request-id"])}
    if operation.versioned:
        headers["etag"] = ETAG
        if operation.writes:
            headers[UNCHANGED] = CHANGE
    schema = _answer(document, schemas, operation)
    media = ["application/json"]
    if operation.answers is CatalogueDocument:
        media.append("application/yaml")
    statuses: list[Any] = [400, 401, 403]
    if operation.path_params:
        statuses.append(404)
    if operation.writes:
        statuses.append(409)
    if body:
        statuses.append(413)
    responses: Json = {
        "200": {
            "description": operation.summary,
            "headers": headers,
            "content": {m: {"schema": schema} for m in media},
        }
    }
    for status in [*statuses, "4XX", "5XX"]:
        responses[str(status)] = error_response(document, status)
    return responses
