"""Catalogue files read record by record: every layout gives the records a whole parse gives.

The oracle is the plain parse of the same text (`json.loads` or `yaml.safe_load`), turned into
records by hand in this file.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import yaml

from modeldir.catalogue.document import RawRecord
from modeldir.catalogue.document_stream import read_records
from modeldir.catalogue.document_writer import document_chunks
from modeldir.errors import InvalidCatalogue, InvalidRequestError

MODELS = [
    {"id": f"m{i}", "display_name": f"M {i}", "created_at": "2026-01-01T00:00:00Z", "n": i}
    for i in range(5)
]
ALIASES = [{"alias": "a", "model": "m0", "listed": False}]


def expected(data: Any) -> list[tuple[str, int, Any]]:
    """Records as a whole parse gives them: models (or `data`, or a bare list), then aliases."""
    if isinstance(data, list):
        return [("models", i, m) for i, m in enumerate(data)]
    name = "data" if "data" in data else "models"
    found = [(name, i, m) for i, m in enumerate(data.get(name, []))]
    return found + [("aliases", i, a) for i, a in enumerate(data.get("aliases", []))]


def read(text: bytes, *, as_json: bool) -> list[tuple[str, int, Any]]:
    records = read_records(io.BytesIO(text), "file", as_json=as_json)
    return [(r.collection, r.position, r.data) for r in records]


@pytest.mark.parametrize("as_json", [True, False])
def test_the_export_layout_reads_back(as_json: bool) -> None:
    text = b"".join(document_chunks(MODELS, ALIASES, as_json=as_json))
    whole = json.loads(text) if as_json else yaml.safe_load(text)
    assert whole == {"models": MODELS, "aliases": ALIASES}
    assert read(text, as_json=as_json) == expected(whole)


@pytest.mark.parametrize("as_json", [True, False])
def test_an_empty_export_reads_back(as_json: bool) -> None:
    text = b"".join(document_chunks([], [], as_json=as_json))
    assert read(text, as_json=as_json) == []


@pytest.mark.parametrize(
    "data",
    [
        {"models": MODELS, "aliases": ALIASES},
        {"x-anchors": {"deep": [1, {"models": []}]}, "aliases": ALIASES, "models": MODELS},
        {"data": MODELS, "has_more": False, "first_id": "m0", "last_id": "m4"},
        MODELS,
    ],
)
def test_any_json_reads_record_by_record(data: Any) -> None:
    text = json.dumps(data, indent=2).encode()
    assert read(text, as_json=True) == expected(data)


def test_an_edited_yaml_export_falls_back_to_a_whole_parse() -> None:
    text = b"".join(document_chunks(MODELS[:2], [], as_json=False))
    edited = text.replace(b"aliases: []", b"- id: late\n  display_name: Late\naliases: []")
    whole = yaml.safe_load(edited)
    assert whole["models"][-1] == {"id": "late", "display_name": "Late"}
    assert read(edited, as_json=False) == expected(whole)


def test_records_know_their_location() -> None:
    assert RawRecord("aliases", 3, {}).location == "aliases[3]"


def test_an_unknown_top_level_key_is_refused() -> None:
    with pytest.raises(InvalidCatalogue) as caught:
        read(json.dumps({"colour": "red", "models": []}).encode(), as_json=True)
    assert [str(p) for p in caught.value.problems] == [
        "colour: unknown key (expected models and aliases)"
    ]


def test_a_json_syntax_error_names_the_line_and_column() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        read(b'{"models": [\n  {"id": "a",}\n]}', as_json=True)
    assert caught.value.message.startswith("file:2:")
