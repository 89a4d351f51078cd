"""The export's bytes: one record a line, readable by any JSON or YAML parser as the document."""

from __future__ import annotations

import json

import yaml
from hypothesis import given
from hypothesis import strategies as st

from modeldir.catalogue.document_writer import CHUNK_RECORDS, document_chunks

MODELS = [{"type": "model", "id": f"m{i}", "display_name": 'é " \\ \u2028'} for i in range(3)]
ALIASES = [{"alias": "a", "model": "m0", "listed": True}]


def test_json_is_the_document_one_record_a_line() -> None:
    text = b"".join(document_chunks(MODELS, ALIASES, as_json=True))
    assert json.loads(text) == {"models": MODELS, "aliases": ALIASES}
    lines = text.decode().split("\n")[:-1]
    assert lines[0] == '{"models":[' and lines[-1] == "]}"
    assert len(lines) == 2 + len(MODELS) + len(ALIASES) + 1


def test_yaml_is_the_document_one_record_a_line() -> None:
    text = b"".join(document_chunks(MODELS, ALIASES, as_json=False))
    assert yaml.safe_load(text) == {"models": MODELS, "aliases": ALIASES}
    assert text.decode().split("\n")[:2] == [
        "models:",
        "- "
        + json.dumps(MODELS[0], separators=(",", ":"), ensure_ascii=False).replace(
            "\u2028", "\\u2028"
        ),
    ]


def test_empty_collections_stay_valid() -> None:
    for as_json in (True, False):
        text = b"".join(document_chunks([], [], as_json=as_json))
        parsed = json.loads(text) if as_json else yaml.safe_load(text)
        assert parsed == {"models": [], "aliases": []}


def test_many_records_come_in_a_few_chunks() -> None:
    many = [{"id": str(i)} for i in range(3 * CHUNK_RECORDS)]
    chunks = list(document_chunks(many, [], as_json=True))
    assert len(chunks) < 10
    assert json.loads(b"".join(chunks))["models"] == many


@given(st.text(st.characters(codec="utf-8"), max_size=20))
def test_any_text_reads_back_the_same_from_yaml(text: str) -> None:
    # Found by fuzzing the export API: YAML refuses DEL, C1 controls and U+FFFE/U+FFFF as they
    # are, which JSON carries unescaped.
    models = [{"id": text, "display_name": text}]
    aliases = [{"alias": text, "model": text, "listed": False}]
    written = b"".join(document_chunks(models, aliases, as_json=False))
    assert yaml.safe_load(written) == {"models": models, "aliases": aliases}
