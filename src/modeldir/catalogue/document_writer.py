"""A catalogue file written record by record: what `models export` and the export API send.

Each record is one line of compact JSON, so a million models are written as fast as orjson can
encode them and never held at once. The JSON form is one document; the YAML form is a YAML
mapping whose records are JSON flow mappings (valid YAML), which `models import` reads back.

    {"models":[                          models:
    {"type":"model","id":"a",...},       - {"type":"model","id":"a",...}
    {"type":"model","id":"b",...}        - {"type":"model","id":"b",...}
    ],"aliases":[                        aliases:
    {"alias":"x","model":"a",...}        - {"alias":"x","model":"a",...}
    ]}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

CHUNK_RECORDS = 1000
"""Records per chunk handed to the writer (fewer, larger writes)."""


def document_chunks(
    models: Iterable[dict[str, Any]], aliases: Iterable[dict[str, Any]], *, as_json: bool
) -> Iterator[bytes]:
    """The bytes of a catalogue file, in chunks: models in the order given, then aliases."""
    if as_json:
        yield b'{"models":['
        yield from _records(models, first=b"\n", between=b",\n")
        yield b'\n],"aliases":['
        yield from _records(aliases, first=b"\n", between=b",\n")
        yield b"\n]}\n"
        return
    yield b"models:"
    yield from _records(models, first=b"\n- ", between=b"\n- ", empty=b" []", yaml=True)
    yield b"\naliases:"
    yield from _records(aliases, first=b"\n- ", between=b"\n- ", empty=b" []", yaml=True)
    yield b"\n"


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
