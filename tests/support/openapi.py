"""An admin answer checked against what /openapi.json says of it (for answers the fuzzing
cannot reach: a sync run, a report over a catalogue it never builds)."""

from __future__ import annotations

from typing import Any

import orjson
from jsonschema import Draft202012Validator

from modeldir.wire.openapi import full_document


def assert_documented(method: str, path: str, answer: Any) -> None:
    """`answer`, as JSON, matches the document's 200 answer of this admin operation."""
    document = full_document()
    operation = document["paths"][f"/v1/organizations{path}"][method.lower()]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    problems = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(orjson.loads(orjson.dumps(answer)))
    ]
    assert problems == [], problems
