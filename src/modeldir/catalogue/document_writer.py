"""A catalogue file written record by record: what `models export` and the export API send.

Each record is one line of compact JSON, so a million models are written as fast as orjson can
encode them and never held at once. The JSON form is one document; the YAML form is a YAML
mapping whose records are JSON flow mappings (valid YAML), which `models import` reads back.

    {"models":[                          models:
    {"type":"model","id":"a",...},       - {"type":"model","id":"a",...}
    {"type":"model","id":"b",...}        - {"type":"model","id":"b",...}
    ],"aliases":[                        aliases:
    {"alias":"x","model":"a",...}        - {"alias":"x","model":"a",...}
    ],"metadata":[                       metadata:
    {"model":"a","provider":...}         - {"model":"a","provider":...}
    ]}

The `metadata` section is written only when there is some.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

CHUNK_RECORDS = 1000
"""Records per chunk handed to the writer (fewer, larger writes)."""


def document_chunks(
    models: Iterable[dict[str, Any]],
    aliases: Iterable[dict[str, Any]],
    *,
    as_json: bool,
    metadata: Iterable[dict[str, Any]] = (),
) -> Iterator[bytes]:
    """The bytes of a catalogue file, in chunks: models in the order given, then aliases, then
    metadata (read only once the aliases are written)."""
    sections = [(b"models", models), (b"aliases", aliases), (b"metadata", metadata)]
    for index, (name, items) in enumerate(sections):
        records = iter(items)
        first = next(records, None)
        if name == b"metadata" and first is None:
            break
        items = itertools.chain([first] if first is not None else [], records)
        if as_json:
            yield (b'{"' if index == 0 else b'\n],"') + name + b'":['
            yield from _records(items, first=b"\n", between=b",\n")
        else:
            yield (b"" if index == 0 else b"\n") + name + b":"
            yield from _records(items, first=b"\n- ", between=b"\n- ", empty=b" []", yaml=True)
    yield b"\n]}\n" if as_json else b"\n"


# Characters JSON carries as they are but YAML refuses in a document (DEL, the C1 controls,
# U+FFFE, U+FFFF) or reads as line breaks even inside a quoted string (NEL, U+2028, U+2029).
_NOT_FOR_YAML = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]|\xef\xbf[\xbe\xbf]")


def _escaped(found: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(found[0].decode())


def _yaml_safe(record: bytes) -> bytes:
    """A JSON record that YAML reads back the same: those characters escaped, as JSON allows."""
    if _NOT_FOR_YAML.search(record) is None:
        return record
    return _NOT_FOR_YAML.sub(_escaped, record)


def _records(
    items: Iterable[dict[str, Any]],
    *,
    first: bytes,
    between: bytes,
    empty: bytes = b"",
    yaml: bool = False,
) -> Iterator[bytes]:
    parts: list[bytes] = []
    count = 0
    for item in items:
        record = orjson.dumps(item)
        parts += (first if count == 0 else between, _yaml_safe(record) if yaml else record)
        count += 1
        if len(parts) >= 2 * CHUNK_RECORDS:
            yield b"".join(parts)
            parts = []
    if count == 0:
        yield empty
    elif parts:
        yield b"".join(parts)
