"""The building blocks of the OpenAPI document taken from code: schemas of declared types, and
the error responses of the error tree (`errors.py`)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any, get_args

import orjson
from pydantic import TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from modeldir.errors import ApiError, ErrorType, Problem, error_for_status

Json = dict[str, Any]
REFS = "#/components/schemas/"


class Schemas:
    """A document's `components/schemas`, filled on demand from the types code declares."""

    def __init__(self, components: Json) -> None:
        self.components = components

    def ref(self, kind: Any, mode: JsonSchemaMode = "serialization") -> Json:
        """A `$ref` to the schema of `kind`, added with every schema it refers to.

        A name the document already holds for another schema (the hand-written `ModelInfo`,
        say, beside pydantic's input form of it) gets the suffix `Input` or `Output`.
        """
        schema = TypeAdapter(kind).json_schema(mode=mode, ref_template=REFS + "{model}")
        name = kind.__name__
        found = {**schema.pop("$defs", {}), name: schema}
        suffix = "Input" if mode == "validation" else "Output"
        renamed = {
            old: old + suffix
            for old, value in found.items()
            if self.components.get(old, value) != value
        }
        text = orjson.dumps(found).decode()
        for old, new in renamed.items():
            text = text.replace(f'"{REFS}{old}"', f'"{REFS}{new}"')
        for old, value in orjson.loads(text).items():
            new = renamed.get(old, old)
            if self.components.setdefault(new, value) != value:
                raise ValueError(f"two different schemas are named {new}")
        return {"$ref": REFS + renamed.get(name, name)}

    def add(self, name: str, schema: Json) -> Json:
        """A `$ref` to a schema written here, added under `name`."""
        self.components[name] = schema
        return {"$ref": REFS + name}


def _error_classes() -> list[type[ApiError]]:
    found, pending = [], [ApiError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending += cls.__subclasses__()
    return found


def _one_of(values: Iterable[Any]) -> Json:
    return {"enum": sorted(set(values), key=str)}


def error_schemas(document: Json, schemas: Schemas) -> None:
    """The error envelopes of `errors.py`: the API's (for the admin routes) and OpenAI's."""
    request_id = document["components"]["headers"]["RequestId"]["schema"]
    problem = schemas.ref(Problem)
    detail = {
        "type": "object",
        "required": ["type", "message"],
        "properties": {
            "type": {"type": "string", **_one_of(get_args(ErrorType))},
            "message": {"type": "string"},
            "details": {
                "type": "object",
                "description": "Structured detail: every problem of a refused catalogue.",
                "properties": {"problems": {"type": "array", "items": problem}},
            },
        },
        "additionalProperties": False,
    }
    schemas.add(
        "ApiErrorResponse",
        {
            "type": "object",
            "description": "The error envelope of every modeldir route but the Models API's.",
            "required": ["type", "error", "request_id"],
            "properties": {
                "type": {"const": "error"},
                "error": detail,
                "request_id": request_id,
            },
            "additionalProperties": False,
        },
    )
    classes = _error_classes()
    schemas.add(
        "OpenAIErrorResponse",
        {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["message", "type", "param", "code"],
                    "properties": {
                        "message": {"type": "string"},
                        "type": {"type": "string", **_one_of(c.openai_type for c in classes)},
                        "param": {"type": "null"},
                        "code": _one_of(c.openai_code for c in classes),
                    },
                    "additionalProperties": False,
                }
            },
            "additionalProperties": False,
        },
    )


def error_response(document: Json, status: int | str) -> Json:
    """A `$ref` to the response for an error of the API's envelope with this status (or range).

    A known status names its error type (from `errors.error_for_status`); a range, any type.
    """
    responses = document["components"]["responses"]
    name = f"ApiError{status}"
    if name not in responses:
        schema: Json = {"$ref": REFS + "ApiErrorResponse"}
        summary = "An error."
        if isinstance(status, int):
            cls = error_for_status(status)
            summary = f"{cls.__name__}: {cls.default_message}."
            detail = {"properties": {"type": {"const": cls.error_type}}}
            schema = {"allOf": [schema, {"properties": {"error": detail}}]}
        headers = copy.deepcopy(responses["Error"]["headers"])
        responses[name] = {
            "description": summary,
            "headers": headers,
            "content": {"application/json": {"schema": schema}},
        }
    return {"$ref": f"#/components/responses/{name}"}


def openapi_path(starlette_path: str) -> str:
    """A route's path as an OpenAPI path template: `{model_id:path}` is `{model_id}`."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", starlette_path)
