"""A catalogue file read record by record, so that a million models never sit in memory at once.

JSON is parsed incrementally (ijson's C parser): the models are read from `models` (or `data`,
or a bare top-level list), then the aliases and the metadata from a pass over each. YAML has no fast
incremental parser, so a YAML file is loaded whole; big catalogues belong in JSON, which
`models export --format json` writes. Either way the records come out as
`(collection, position, raw)`, unvalidated: the importer validates them one by one and reports
every problem by position.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import ijson
import orjson

from modeldir.catalogue.document import COLLECTIONS, RawRecord, load_text, records_of
from modeldir.errors import InvalidCatalogue, InvalidRequestError, Problem

_PEEK_BYTES = 64 * 1024
_JSON_LAYOUT = b'{"models":[\n'
_YAML_LAYOUT = b"models:\n- {"[: len(_JSON_LAYOUT)]
_SECTIONS = {
    b'{"models":[': "models",
    b'],"aliases":[': "aliases",
    b"]}": None,
    b"models:": "models",
    b"aliases:": "aliases",
    b"models: []": "models",
    b"aliases: []": None,
    b'],"metadata":[': "metadata",
    b"metadata:": "metadata",
    b"metadata: []": None,
}


def read_records(stream: IO[bytes], source: str, *, as_json: bool) -> Iterator[RawRecord]:
    """Every model record, then every alias and metadata record, of a catalogue file (seekable).

    A file in the layout `models export` writes (one record a line) is read a line at a time;
    any other JSON incrementally; any other YAML whole.
    """
    start = stream.read(len(_JSON_LAYOUT))
    stream.seek(0)
    if start in (_JSON_LAYOUT, _YAML_LAYOUT) and _follows_layout(stream):
        stream.seek(0)
        yield from _one_per_line(stream)
        return
    stream.seek(0)
    if not as_json:
        yield from records_of(load_text(stream.read(), source, as_json=False))
        return
    shape = _json_shape(stream, source)
    stream.seek(0)
    if shape == "list":
        yield from _items(stream, "item", "models", source)
        return
    models = "data" if shape == "data" else "models"
    yield from _items(stream, f"{models}.item", models, source)
    for collection in COLLECTIONS:
        stream.seek(0)
        yield from _items(stream, f"{collection}.item", collection, source)


def _follows_layout(stream: IO[bytes]) -> bool:
    """Whether every line of the file is a section line or one record the way the export
    writes them (checked by parsing each, a few seconds for a million)."""
    for line in stream:
        text = line.rstrip(b"\r\n")
        if text in _SECTIONS:
            continue
        body = text[2:] if text.startswith(b"- ") else text.removesuffix(b",")
        try:
            if not isinstance(orjson.loads(body), dict):
                return False
        except orjson.JSONDecodeError:
            return False
    return True


def _one_per_line(stream: IO[bytes]) -> Iterator[RawRecord]:
    """The records of a file in the export layout, one line each (see `_follows_layout`)."""
    collection: str | None = "models"
    positions = {"models": 0, "aliases": 0, "metadata": 0}
    for line in stream:
        text = line.rstrip(b"\r\n")
        if text in _SECTIONS:
            collection = _SECTIONS[text]
            continue
        if collection is None:
            continue
        body = text[2:] if text.startswith(b"- ") else text.removesuffix(b",")
        yield RawRecord(collection, positions[collection], orjson.loads(body))
        positions[collection] += 1


def _json_shape(stream: IO[bytes], source: str) -> str:
    """Whether a JSON catalogue is a bare list, a saved list response (`data`) or `models`.

    Decided by the first top-level key that is not an `x-` anchor, so a big file is never read
    twice for this.
    """
    start = stream.read(_PEEK_BYTES).lstrip()
    stream.seek(0)
    if start.startswith(b"["):
        return "list"
    if not start.startswith(b"{"):
        raise InvalidRequestError(f"{source}:1:1: a catalogue must be a JSON object or a list")
    events = ijson.parse(stream)
    for prefix, event, value in events:
        if prefix != "" or event != "map_key":
            continue
        if value == "data":
            return "data"
        if value == "models" or value in COLLECTIONS:
            return "models"
        if not str(value).startswith("x-"):
            raise InvalidCatalogue(
                [Problem(str(value), "unknown key (expected models and aliases)")]
            )
        _skip_value(events)
    return "models"


def _skip_value(events: Iterator[tuple[str, str, Any]]) -> None:
    """Advance past one whole value (an `x-` anchor block)."""
    depth = 0
    for _prefix, event, _value in events:
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
        if depth == 0:
            return


def _items(stream: IO[bytes], prefix: str, collection: str, source: str) -> Iterator[RawRecord]:
    try:
        for position, item in enumerate(ijson.items(stream, prefix, use_float=True)):
            yield RawRecord(collection, position, item)
    except ijson.JSONError as error:
        # The incremental parser does not say where; the whole-file parser does (only now,
        # on the way out, is the file read at once).
        stream.seek(0)
        load_text(stream.read(), source, as_json=True)
        raise InvalidRequestError(f"{source}: {str(error).splitlines()[0]}") from None
