"""Models as wire bytes, rendered once per change rather than once per request.

A rendered model is three byte strings: the head (`type` to `max_tokens`), the capability tree
and the tail (`lifecycle` to `allowed_fallback_models`). Capability trees and tails repeat across
a catalogue, so they are interned: a million models share a few hundred of them. A page is then a
join of ready bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import orjson

from modeldir.catalogue.list_order import sort_key
from modeldir.catalogue.model_fields import KINDS, POSITION, STORED_FIELDS, Row
from modeldir.catalogue.model_info import LIFECYCLES
from modeldir.catalogue.pages import Page, envelope
from modeldir.catalogue.records import ModelRecord
from modeldir.catalogue.timestamps import format_epoch

LIFECYCLE_BIT: dict[str, int] = {name: 1 << i for i, name in enumerate(LIFECYCLES)}
"""Each lifecycle as one bit, so a `lifecycle[]` filter is a mask from 1 to 7."""
DEFAULT_LIFECYCLE_MASK = LIFECYCLE_BIT["active"] | LIFECYCLE_BIT["deprecated"]
"""What a list without `lifecycle[]` shows: active and deprecated models (retired ones hidden)."""

EMPTY_PAGE = b'{"data":[],"has_more":false,"first_id":null,"last_id":null}'
"""The list response with nothing in it, ready made."""


_HEAD_START = b'{"type":"model","id":'


@dataclass(slots=True, eq=False)
class Entry:
    """One list entry as the snapshot serves it: a model, or a listed alias of one.

    Never changed once made (a new entry replaces it); not a frozen dataclass only because
    those are slow to create, and a catalogue makes a million of them at start.
    """

    id: str
    """The id the list shows: the model's, or the alias itself for a listed alias."""
    model_id: str
    """The canonical model id, which access rules are checked against."""
    sort_key: str
    lifecycle_bit: int
    head: bytes
    capabilities: bytes
    tail: bytes
    named: tuple[str, ...] = ()
    """The models its fields name (`allowed_fallback_models`), which a workspace may not see."""

    def body(self) -> bytes:
        """The model's JSON, as retrieve returns it."""
        return b"".join((self.head, self.capabilities, self.tail))


def entry_sort_key(entry: Entry) -> str:
    """Key function for bisecting lists of entries."""
    return entry.sort_key


_CAPABILITIES = POSITION["capabilities"]
_FALLBACKS = POSITION["allowed_fallback_models"]
# The one field that names other models is the last of the tail, so a workspace's own version
# of an entry replaces only the tail's end (see `seen_through`).
assert STORED_FIELDS[-1] == "allowed_fallback_models"
_FALLBACKS_KEY = b',"allowed_fallback_models":'
_ID, _CREATED_AT, _LIFECYCLE = (POSITION[n] for n in ("id", "created_at", "lifecycle"))
Converter = Callable[[Any], Any] | None


def _to_wire(name: str) -> Converter:
    """How a stored value of this field becomes wire data (None: it already is)."""
    kind = KINDS[name]
    return format_epoch if kind == "instant" else orjson.Fragment if kind == "json" else None


_HEAD = tuple((name, _to_wire(name)) for name in STORED_FIELDS[:_CAPABILITIES])
_TAIL = tuple((name, _to_wire(name)) for name in STORED_FIELDS[_CAPABILITIES + 1 :])


def _fields(fields: tuple[tuple[str, Converter], ...], values: Row) -> dict[str, Any]:
    found = {}
    for (name, convert), value in zip(fields, values, strict=True):
        found[name] = value if convert is None or value is None else convert(value)
    return found


class Renderer:
    """Turns stored models into entries, sharing identical capability trees and tails."""

    def __init__(self) -> None:
        self._capabilities: dict[str | None, bytes] = {}
        self._tails: dict[tuple[Any, ...], bytes] = {}
        self._named: dict[str, tuple[str, ...]] = {}

    def entry(self, record: ModelRecord) -> Entry:
        """The served form of one model record."""
        return self.entry_from_row(record.row)

    def entry_from_row(self, row: Row) -> Entry:
        """The served form of one stored model (its row, as model_fields.py lays it out)."""
        model_id = row[_ID]
        head, capabilities, tail = self._parts(row)
        return Entry(
            model_id,
            model_id,
            sort_key(row[_CREATED_AT], model_id),
            LIFECYCLE_BIT[row[_LIFECYCLE]],
            head,
            capabilities,
            tail,
            self._names(row[_FALLBACKS]),
        )

    def _names(self, fallbacks: str | None) -> tuple[str, ...]:
        """The model ids a stored fallback list (JSON text) names, shared like the tails."""
        if not fallbacks:
            return ()
        named = self._named.get(fallbacks)
        if named is None:
            named = self._named[fallbacks] = tuple(orjson.loads(fallbacks))
        return named

    def body_of(self, row: Row) -> bytes:
        """One stored model's JSON as retrieve returns it, without making an entry."""
        return b"".join(self._parts(row))

    def _parts(self, row: Row) -> tuple[bytes, bytes, bytes]:
        """The head (ending in `"capabilities":`), the capability tree and the tail."""
        head = orjson.dumps({"type": "model", **_fields(_HEAD, row[:_CAPABILITIES])})
        capabilities = row[_CAPABILITIES]
        rendered_capabilities = self._capabilities.get(capabilities)
        if rendered_capabilities is None:
            rendered_capabilities = self._capabilities[capabilities] = (
                capabilities or "null"
            ).encode()
        tail_key = tuple(row[_CAPABILITIES + 1 :])
        tail = self._tails.get(tail_key)
        if tail is None:
            tail = self._tails[tail_key] = b"," + orjson.dumps(_fields(_TAIL, tail_key))[1:]
        return head[:-1] + b',"capabilities":', rendered_capabilities, tail


def alias_entry(target: Entry, alias: str) -> Entry:
    """The list entry of a listed alias: its target's JSON under the alias's id.

    It sorts at its target's release time, then by its own id.
    """
    assert target.head.startswith(_HEAD_START)
    rest = target.head[len(_HEAD_START) + len(orjson.dumps(target.id)) :]
    time_prefix = target.sort_key[: len(target.sort_key) - len(target.id)]
    return Entry(
        id=alias,
        model_id=target.model_id,
        sort_key=time_prefix + alias,
        lifecycle_bit=target.lifecycle_bit,
        head=_HEAD_START + orjson.dumps(alias) + rest,
        capabilities=target.capabilities,
        tail=target.tail,
        named=target.named,
    )


def seen_through(entry: Entry, allows: Callable[[str], bool]) -> Entry:
    """The entry as a workspace sees it: naming only models that workspace may see.

    Hidden means absent everywhere, so a model another may see but this workspace may not is
    left out of `allowed_fallback_models` (an empty list if none remains). Most entries name
    nothing hidden and come back unchanged.
    """
    if not entry.named:
        return entry
    kept = tuple(name for name in entry.named if allows(name))
    if len(kept) == len(entry.named):
        return entry
    end = entry.tail.rindex(_FALLBACKS_KEY)
    tail = entry.tail[:end] + _FALLBACKS_KEY + orjson.dumps(kept) + b"}"
    return replace(entry, tail=tail, named=kept)


def entry_id(entry: Entry) -> str:
    """The id an entry is listed under (what `first_id` and `last_id` name)."""
    return entry.id


def entry_json(entry: Entry) -> orjson.Fragment:
    """An entry's ready JSON, to be embedded in a larger document as is."""
    return orjson.Fragment(entry.body())


def render_page(page: Page[Entry]) -> bytes:
    """The list response's bytes: the envelope of pages.py around ready model JSON."""
    if not page.items:
        return EMPTY_PAGE
    return orjson.dumps(envelope(page, entry_id, entry_json))
