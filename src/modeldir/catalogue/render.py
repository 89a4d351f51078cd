"""Models as wire bytes, rendered once per change rather than once per request.

A rendered model is three byte strings: the head (`type` to `max_tokens`), the capability tree
and the tail (`lifecycle` to `allowed_fallback_models`). Capability trees and tails repeat across
a catalogue, so they are interned: a million models share a few hundred of them. A page is then a
join of ready bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from modeldir.catalogue.model_info import LIFECYCLES, ModelInfo, epoch_of
from modeldir.catalogue.order import sort_key
from modeldir.catalogue.records import ModelRecord, ModelRow, model_row
from modeldir.catalogue.timestamps import format_epoch

LIFECYCLE_BIT: dict[str, int] = {name: 1 << i for i, name in enumerate(LIFECYCLES)}
"""Each lifecycle as one bit, so a `lifecycle[]` filter is a mask from 1 to 7."""

EMPTY_PAGE = b'{"data":[],"has_more":false,"first_id":null,"last_id":null}'


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

    def body(self) -> bytes:
        """The model's JSON, as retrieve returns it."""
        return b"".join((self.head, self.capabilities, self.tail))


def entry_sort_key(entry: Entry) -> str:
    """Key function for bisecting lists of entries."""
    return entry.sort_key


class Renderer:
    """Turns stored models into entries, sharing identical capability trees and tails."""

    def __init__(self) -> None:
        self._capabilities: dict[str | None, bytes] = {}
        self._tails: dict[tuple[Any, ...], bytes] = {}

    def entry(self, record: ModelRecord) -> Entry:
        """The served form of one model record."""
        return self.entry_from_row(model_row(record))

    def entry_from_row(self, row: ModelRow) -> Entry:
        """The served form of one stored model (a row in `MODEL_COLUMNS` order)."""
        (
            model_id,
            display_name,
            created_at,
            max_input_tokens,
            max_tokens,
            capabilities,
            lifecycle,
            deprecated_at,
            retires_at,
            line,
            fallbacks,
        ) = row
        head = orjson.dumps(
            {
                "type": "model",
                "id": model_id,
                "display_name": display_name,
                "created_at": format_epoch(created_at),
                "max_input_tokens": max_input_tokens,
                "max_tokens": max_tokens,
            }
        )
        rendered_capabilities = self._capabilities.get(capabilities)
        if rendered_capabilities is None:
            rendered_capabilities = self._capabilities[capabilities] = (
                capabilities or "null"
            ).encode()
        tail_key = (lifecycle, deprecated_at, retires_at, line, fallbacks)
        tail = self._tails.get(tail_key)
        if tail is None:
            tail = self._tails[tail_key] = _tail(*tail_key)
        return Entry(
            model_id,
            model_id,
            sort_key(created_at, model_id),
            LIFECYCLE_BIT[lifecycle],
            head[:-1] + b',"capabilities":',
            rendered_capabilities,
            tail,
        )


def _tail(
    lifecycle: str,
    deprecated_at: int | None,
    retires_at: int | None,
    line: str | None,
    fallbacks: str | None,
) -> bytes:
    rendered = orjson.dumps(
        {
            "lifecycle": lifecycle,
            "deprecated_at": _maybe_time(deprecated_at),
            "retires_at": _maybe_time(retires_at),
            "line": line,
            "allowed_fallback_models": None if fallbacks is None else orjson.loads(fallbacks),
        }
    )
    return b"," + rendered[1:]


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
    )


def _maybe_time(seconds: int | None) -> str | None:
    return None if seconds is None else format_epoch(seconds)


def render_page(items: Sequence[Entry], has_more: bool) -> bytes:
    """The list envelope, keys in the observed order `data, has_more, first_id, last_id`."""
    if not items:
        return EMPTY_PAGE
    parts = [b'{"data":[']
    for item in items:
        parts += (item.head, item.capabilities, item.tail, b",")
    parts[-1] = b'],"has_more":true,"first_id":' if has_more else b'],"has_more":false,"first_id":'
    parts += (orjson.dumps(items[0].id), b',"last_id":', orjson.dumps(items[-1].id), b"}")
    return b"".join(parts)


def canonical_capabilities(info: ModelInfo) -> str | None:
    """The capability tree as the JSON text the store keeps (wire key order)."""
    if info.capabilities is None:
        return None
    return orjson.dumps(info.capabilities.model_dump(mode="json")).decode()


def record_from_info(info: ModelInfo, *, revision: int = 0) -> ModelRecord:
    """The storable record of a validated model."""
    return ModelRecord(
        id=info.id,
        display_name=info.display_name,
        created_at=epoch_of(info.created_at),
        max_input_tokens=info.max_input_tokens,
        max_tokens=info.max_tokens,
        capabilities_json=canonical_capabilities(info),
        lifecycle=info.lifecycle,
        deprecated_at=None if info.deprecated_at is None else epoch_of(info.deprecated_at),
        retires_at=None if info.retires_at is None else epoch_of(info.retires_at),
        line=info.line,
        allowed_fallback_models=(
            None if info.allowed_fallback_models is None else tuple(info.allowed_fallback_models)
        ),
        revision=revision,
    )


def info_from_record(record: ModelRecord) -> ModelInfo:
    """The validated model behind a stored record."""
    return ModelInfo.model_validate(orjson.loads(Renderer().entry(record).body()))
