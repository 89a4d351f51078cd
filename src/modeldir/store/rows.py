"""Records to table rows and back, derived from the records' own fields.

A record's fields and its table's columns share their names, so each mapping only says which
fields are kept in another form (JSON text for tuples and tag maps). A model's columns are its
stored fields (`catalogue/model_fields.py`), which is what `ModelRecord.row` holds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import Row, Table

from modeldir.catalogue.model_fields import STORED_FIELDS
from modeldir.catalogue.records import (
    AdminKeyRecord,
    AliasRecord,
    ApiKeyRecord,
    AuditRecord,
    MetadataRecord,
    ModelRecord,
    SourceRecord,
    WebhookDeliveryRecord,
    WebhookEndpointRecord,
    WorkspaceRecord,
)
from modeldir.store import schema

R = TypeVar("R")
Convert = Callable[[Any], Any]


def _json_list(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(orjson.loads(text))


def _list_json(values: tuple[str, ...] | None) -> str | None:
    return None if values is None else orjson.dumps(list(values)).decode()


def _optional_bytes(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


@dataclass(frozen=True, slots=True)
class RowMapping(Generic[R]):
    """How one kind of record is stored in its table."""

    table: Table
    record: type[R]
    stored: Mapping[str, Convert] = field(default_factory=dict)
    """Fields kept in another form: field value -> column value."""
    loaded: Mapping[str, Convert] = field(default_factory=dict)
    """The way back: column value -> field value."""
    generated: frozenset[str] = frozenset()
    """Fields the database fills in (never written)."""
    stamped: bool = True
    """Whether rows carry the catalogue revision that wrote them."""

    def to_row(self, record: R, revision: int) -> dict[str, Any]:
        """The row for a record, stamped with the revision that writes it."""
        row = {
            f.name: self.stored.get(f.name, _same)(getattr(record, f.name))
            for f in dataclasses.fields(self.record)  # type: ignore[arg-type]
            if f.name not in self.generated
        }
        if self.stamped:
            row["revision"] = revision
        return row

    def from_row(self, row: Row[Any]) -> R:
        """The record a row holds."""
        values = row._mapping
        return self.record(
            **{
                f.name: self.loaded.get(f.name, _same)(values[f.name])
                for f in dataclasses.fields(self.record)  # type: ignore[arg-type]
            }
        )


def _same(value: Any) -> Any:
    return value


ALIASES = RowMapping(schema.aliases, AliasRecord)
WORKSPACES = RowMapping(
    schema.workspaces,
    WorkspaceRecord,
    stored={
        "model_access": _list_json,
        "tags": lambda tags: orjson.dumps(dict(tags)).decode(),
    },
    loaded={
        "model_access": _json_list,
        "tags": lambda text: tuple(sorted(orjson.loads(text).items())),
    },
)
API_KEYS = RowMapping(
    schema.api_keys,
    ApiKeyRecord,
    loaded={"secret_hash": bytes, "previous_secret_hash": _optional_bytes},
)
ADMIN_KEYS = RowMapping(schema.admin_keys, AdminKeyRecord, loaded={"secret_hash": bytes})
AUDIT = RowMapping(schema.audit_log, AuditRecord, generated=frozenset({"seq"}))
METADATA = RowMapping(schema.model_metadata, MetadataRecord)
SOURCES = RowMapping(schema.model_sources, SourceRecord)
WEBHOOK_ENDPOINTS = RowMapping(
    schema.webhook_endpoints,
    WebhookEndpointRecord,
    stored={"event_types": _list_json},
    loaded={"event_types": _json_list},
)
WEBHOOK_DELIVERIES = RowMapping(
    schema.webhook_deliveries,
    WebhookDeliveryRecord,
    generated=frozenset({"seq"}),
    stamped=False,
)


def model_from_row(row: Row[Any]) -> ModelRecord:
    """A model record from a `models` row."""
    values = row._mapping
    return ModelRecord(
        tuple(values[name] for name in STORED_FIELDS), values["deleted"], values["revision"]
    )


def model_to_row(record: ModelRecord, revision: int) -> dict[str, Any]:
    """The `models` row for a record, stamped with the revision that writes it."""
    return {
        **dict(zip(STORED_FIELDS, record.row, strict=True)),
        "deleted": record.deleted,
        "revision": revision,
    }
