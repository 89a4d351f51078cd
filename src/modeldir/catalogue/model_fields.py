"""A model's fields, derived from their one declaration: `ModelInfo` (model_info.py).

Everything else that handles a model's fields reads them from here: the store's columns and row
mapping, the wire rendering (render.py), the admin objects and the import document. Each field
but the constant `type` is stored in a column of its own name, in wire order, in one of three
forms decided by its declared type:

    instant   whole epoch seconds           created_at, deprecated_at, retires_at
    json      canonical JSON text           capabilities, allowed_fallback_models
    plain     the value itself              id, display_name, max_tokens, lifecycle, ...

A model's stored values in that order are its *row*: what the store reads and writes, what the
snapshot renders, with no validation on the way (a million rows load in seconds).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel

from modeldir.catalogue.model_info import ModelInfo, epoch_of
from modeldir.catalogue.timestamps import format_epoch

Kind = Literal["instant", "json", "plain"]
Row = Sequence[Any]
"""A model's stored values, in `STORED_FIELDS` order."""


def _options(annotation: Any) -> tuple[Any, ...]:
    """The types a field may hold: the members of a union, or the one type."""
    options = typing.get_args(annotation) if _is_union(annotation) else (annotation,)
    # `Annotated[datetime, ...]` is a datetime with validators attached: look through them.
    bare = (typing.get_args(o)[0] if typing.get_origin(o) is Annotated else o for o in options)
    return tuple(typing.get_origin(option) or option for option in bare)


def _kind(annotation: Any) -> Kind:
    """How a field of this declared type is stored."""
    for option in _options(annotation):
        if option is datetime:
            return "instant"
        if option is list or (isinstance(option, type) and issubclass(option, BaseModel)):
            return "json"
    return "plain"


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


WIRE_FIELDS: tuple[str, ...] = tuple(ModelInfo.model_fields)
"""Every field of `ModelInfo`, in wire order."""
STORED_FIELDS: tuple[str, ...] = tuple(name for name in WIRE_FIELDS if name != "type")
"""The fields a row holds, in wire order: the store's columns of the `models` table."""
KINDS: dict[str, Kind] = {
    name: _kind(ModelInfo.model_fields[name].annotation) for name in STORED_FIELDS
}
NULLABLE: frozenset[str] = frozenset(
    name
    for name in STORED_FIELDS
    if type(None) in _options(ModelInfo.model_fields[name].annotation)
)
INTEGERS: frozenset[str] = frozenset(
    name
    for name in STORED_FIELDS
    if KINDS[name] == "instant" or int in _options(ModelInfo.model_fields[name].annotation)
)
"""Fields stored as integers (instants included); the others are text."""
POSITION: dict[str, int] = {name: i for i, name in enumerate(STORED_FIELDS)}
"""Each stored field's index in a row."""


def stored_value(name: str, value: Any) -> Any:
    """A validated field's value (as `ModelInfo` holds it) in the form the store keeps."""
    if value is None:
        return None
    kind = KINDS[name]
    if kind == "instant":
        return epoch_of(value)
    if kind == "json":
        data = value.model_dump(mode="json") if isinstance(value, BaseModel) else list(value)
        return orjson.dumps(data).decode()
    return value


def wire_value(name: str, value: Any) -> Any:
    """A stored value as the Models API writes it (JSON text comes back as data)."""
    if value is None:
        return None
    kind = KINDS[name]
    if kind == "instant":
        return format_epoch(value)
    if kind == "json":
        return orjson.loads(value)
    return value


def row_of(info: ModelInfo, **known: Any) -> tuple[Any, ...]:
    """The row of a validated model; `known` gives stored values already worked out."""
    return tuple(
        known[name] if name in known else stored_value(name, getattr(info, name))
        for name in STORED_FIELDS
    )


def wire_object(row: Row) -> dict[str, Any]:
    """A row as the Models API's `ModelInfo` object: every field, in wire order (D17, D18)."""
    return {
        "type": "model",
        **{name: wire_value(name, value) for name, value in zip(STORED_FIELDS, row, strict=True)},
    }


def info_of(row: Row) -> ModelInfo:
    """The validated model behind a row."""
    return ModelInfo.model_validate(wire_object(row))
