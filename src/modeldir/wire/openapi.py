"""The OpenAPI 3.1 document served at `/openapi.json`, assembled once per process.

Each part comes from where it is declared, never written twice:

- `data/openapi.yaml`, by hand: the Models API (the wire contract, reconstructed from
  Anthropic's published description), the OpenAI view, health, metrics, this document, and the
  security schemes;
- the admin API's table of operations (`admin_operations.py`, described by `openapi_admin.py`),
  with the pydantic models of what requests may contain (`admin/inputs.py`) and the TypedDicts
  of what they answer (`admin/objects.py`);
- the OpenAI view's objects (`openai_api.py`) and the error tree (`errors.py`).

Only what this server serves is described: `describe` keeps the paths of its routes, and
`tests/wire/test_openapi.py` fails for a route without a description.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources

import orjson
import yaml

from modeldir.wire.openai_api import OpenAIModelList
from modeldir.wire.openapi_admin import admin_paths
from modeldir.wire.openapi_schemas import Json, Schemas, error_schemas


def _handwritten() -> Json:
    text = resources.files("modeldir.data").joinpath("openapi.yaml").read_text("utf-8")
    document: Json = yaml.safe_load(text)
    return document


@cache
def full_document() -> Json:
    """Every path modeldir can serve, described (built once; copy before changing it)."""
    document = _handwritten()
    schemas = Schemas(document["components"]["schemas"])
    error_schemas(document, schemas)
    schemas.ref(OpenAIModelList)  # the OpenAI view's objects, as openai_api.py declares them
    document["paths"].update(admin_paths(document, schemas))
    return document


def describe(served: Mapping[str, Iterable[str]]) -> bytes:
    """The document for a server that serves these paths (OpenAPI templates) and methods."""
    document = dict(full_document())
    paths = full_document()["paths"]
    document["paths"] = {path: item for path, item in paths.items() if path in served}
    return orjson.dumps(document)
