"""Reads of the catalogue over SQLAlchemy Core, written once for both backends.

Each method runs inside the transaction its caller opened (`SqlStore.reader()` or a write
transaction); admin lists page with keyset windows (`keyset.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Row, Table, and_, func, or_, select, true

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
from modeldir.store.interface import Backend
from modeldir.store.keyset import (
    ALIAS_ORDER,
    API_KEY_ORDER,
    AUDIT_ORDER,
    DELIVERY_ORDER,
    MODEL_ORDER,
    WEBHOOK_ORDER,
    WORKSPACE_ORDER,
    window,
)
from modeldir.store.rows import (
    ADMIN_KEYS,
    ALIASES,
    API_KEYS,
    AUDIT,
    METADATA,
    SOURCES,
    WEBHOOK_DELIVERIES,
    WEBHOOK_ENDPOINTS,
    WORKSPACES,
    model_from_row,
)

R = TypeVar("R")
_IN_BATCH = 500  # ids per IN (...): under every backend's limit on bound parameters
_STREAM_BATCH = 10_000  # rows fetched at a time when streaming (a server-side cursor on PostgreSQL)


class SqlReader:
    """Reads through one connection, inside the transaction the caller opened."""

    def __init__(self, connection: Connection, backend: Backend) -> None:
        self.connection = connection
        self.backend = backend

    def _one(self, table: Table, key: str, convert: Callable[[Row[Any]], R]) -> R | None:
        """The row with this primary key, converted, or None."""
        (column,) = table.primary_key.columns
        row = self.connection.execute(select(table).where(column == key)).first()
        return None if row is None else convert(row)

    def _many(
        self, table: Table, keys: Collection[str], convert: Callable[[Row[Any]], R]
    ) -> list[R]:
        """The rows with these primary keys that exist, converted (in no particular order)."""
        (column,) = table.primary_key.columns
        found = []
        ordered = sorted(keys)
        for start in range(0, len(ordered), _IN_BATCH):
            query = select(table).where(column.in_(ordered[start : start + _IN_BATCH]))
            found += [convert(row) for row in self.connection.execute(query)]
        return found

    def _all(
        self, table: Table, convert: Callable[[Row[Any]], R], *, include_deleted: bool = True
    ) -> list[R]:
        """Every row, converted; tombstones only when asked for."""
        query = select(table)
        if not include_deleted:
            query = query.where(table.c.deleted.is_(False))
        return [convert(row) for row in self.connection.execute(query)]

    def revision(self) -> int:
        return int(
            self.connection.execute(
                select(schema.catalogue_state.c.revision).where(schema.catalogue_state.c.id == 1)
            ).scalar_one()
        )

    def revision_and_time(self) -> tuple[int, float | None]:
        """The revision and when it was written (Unix time; None if before this was kept)."""
        state = schema.catalogue_state.c
        revision, changed_at_ms = self.connection.execute(
            select(state.revision, state.changed_at_ms).where(state.id == 1)
        ).one()
        return int(revision), None if changed_at_ms is None else changed_at_ms / 1000

    def organization_id(self) -> str:
        found = self.connection.execute(select(schema.organization.c.id)).scalar()
        return "" if found is None else str(found)

    def model(self, model_id: str) -> ModelRecord | None:
        return self._one(schema.models, model_id, model_from_row)

    def models(self, *, include_deleted: bool = False) -> list[ModelRecord]:
        return self._all(schema.models, model_from_row, include_deleted=include_deleted)

    def models_by_id(self, ids: Collection[str]) -> list[ModelRecord]:
        return self._many(schema.models, ids, model_from_row)

    def metadata_of(self, model_ids: Collection[str]) -> list[MetadataRecord]:
        return self._many(schema.model_metadata, model_ids, METADATA.from_row)

    def sources_of(self, model_ids: Collection[str]) -> list[SourceRecord]:
        return self._many(schema.model_sources, model_ids, SOURCES.from_row)

    def sources_from(self, source: str) -> list[SourceRecord]:
        table = schema.model_sources
        query = select(table).where(table.c.source == source)
        return [SOURCES.from_row(row) for row in self.connection.execute(query)]

    def all_metadata(self) -> Iterator[MetadataRecord]:
        table, models = schema.model_metadata, schema.models
        query = (
            select(table)
            .join(models, models.c.id == table.c.model_id)
            .where(models.c.deleted.is_(False))
            .order_by(self.backend.bytewise(table.c.model_id))
        )
        for row in self.connection.execute(query.execution_options(yield_per=_STREAM_BATCH)):
            yield METADATA.from_row(row)

    def _retiring_where(self, until: int, every_deprecated: bool) -> ColumnElement[bool]:
        models = schema.models.c
        due = models.retires_at <= until
        chosen = or_(due, models.lifecycle == "deprecated") if every_deprecated else due
        return and_(models.deleted.is_(False), models.lifecycle != "retired", chosen)

    def retiring(self, until: int, *, every_deprecated: bool = False) -> list[ModelRecord]:
        query = select(schema.models).where(self._retiring_where(until, every_deprecated))
        return [model_from_row(row) for row in self.connection.execute(query)]

    def count_retiring(self, until: int) -> int:
        query = select(func.count()).where(self._retiring_where(until, False))
        return int(self.connection.execute(query.select_from(schema.models)).scalar_one())

    def live_model_ids(self) -> Iterator[str]:
        models = schema.models.c
        # Streamed in batches (a server-side cursor on PostgreSQL), for this statement only.
        query = select(models.id).where(models.deleted.is_(False))
        for (model_id,) in self.connection.execute(
            query.execution_options(yield_per=_STREAM_BATCH)
        ):
            yield model_id

    def models_in_order(self) -> Iterator[ModelRecord]:
        models = schema.models.c
        order = (models.created_at.desc(), self.backend.bytewise(models.id).asc())
        query = select(schema.models).where(models.deleted.is_(False)).order_by(*order)
        for row in self.connection.execute(query.execution_options(yield_per=_STREAM_BATCH)):
            yield model_from_row(row)

    def alias(self, alias: str) -> AliasRecord | None:
        return self._one(schema.aliases, alias, ALIASES.from_row)

    def aliases(self, *, include_deleted: bool = False) -> list[AliasRecord]:
        return self._all(schema.aliases, ALIASES.from_row, include_deleted=include_deleted)

    def workspace(self, workspace_id: str) -> WorkspaceRecord | None:
        return self._one(schema.workspaces, workspace_id, WORKSPACES.from_row)

    def workspaces(self) -> list[WorkspaceRecord]:
        return self._all(schema.workspaces, WORKSPACES.from_row)

    def active_workspace_named(self, name: str) -> WorkspaceRecord | None:
        table = schema.workspaces
        query = select(table).where(table.c.name == name, table.c.archived_at.is_(None))
        row = self.connection.execute(query.limit(1)).first()
        return None if row is None else WORKSPACES.from_row(row)

    def api_key(self, key_id: str) -> ApiKeyRecord | None:
        return self._one(schema.api_keys, key_id, API_KEYS.from_row)

    def api_keys(self) -> list[ApiKeyRecord]:
        return self._all(schema.api_keys, API_KEYS.from_row)

    def admin_key(self, key_id: str) -> AdminKeyRecord | None:
        return self._one(schema.admin_keys, key_id, ADMIN_KEYS.from_row)

    def admin_keys(self) -> list[AdminKeyRecord]:
        return self._all(schema.admin_keys, ADMIN_KEYS.from_row)

    def is_seeded(self) -> bool:
        state = schema.catalogue_state
        return bool(
            self.connection.execute(select(state.c.seeded).where(state.c.id == 1)).scalar_one()
        )

    def model_window(
        self, after: str | None, before: str | None, limit: int, *, lifecycles: frozenset[str]
    ) -> list[ModelRecord] | None:
        table = schema.models
        where = [table.c.deleted.is_(False), table.c.lifecycle.in_(sorted(lifecycles))]
        return window(
            self.connection, self.backend, MODEL_ORDER, model_from_row, after, before, limit, where
        )

    def workspace_window(
        self,
        after: str | None,
        before: str | None,
        limit: int,
        *,
        include_archived: bool,
        include_default: bool,
        ids: frozenset[str] | None,
    ) -> list[WorkspaceRecord] | None:
        table = schema.workspaces
        where = []
        if not include_archived:
            where.append(table.c.archived_at.is_(None))
        if not include_default:
            where.append(table.c.is_default.is_(False))
        if ids is not None:
            where.append(table.c.id.in_(sorted(ids)))
        return window(
            self.connection,
            self.backend,
            WORKSPACE_ORDER,
            WORKSPACES.from_row,
            after,
            before,
            limit,
            where,
        )

    def api_key_window(
        self,
        after: str | None,
        before: str | None,
        limit: int,
        *,
        workspace_id: str | None,
        status: str | None,
        created_by: str | None,
        now: int,
    ) -> list[ApiKeyRecord] | None:
        table = schema.api_keys
        where: list[ColumnElement[bool]] = []
        if workspace_id is not None:
            where.append(table.c.workspace_id == workspace_id)
        if created_by is not None:
            where.append(table.c.created_by == created_by)
        if status is not None:
            # "expired" is not stored: it is an active key whose expiry has passed.
            lapsed = and_(table.c.expires_at.is_not(None), table.c.expires_at <= now)
            if status == "expired":
                where.append(and_(table.c.status == "active", lapsed))
            elif status == "active":
                where.append(and_(table.c.status == "active", ~lapsed))
            else:
                where.append(table.c.status == status)
        return window(
            self.connection,
            self.backend,
            API_KEY_ORDER,
            API_KEYS.from_row,
            after,
            before,
            limit,
            where,
        )

    def alias_window(
        self, after: str | None, before: str | None, limit: int
    ) -> list[AliasRecord] | None:
        where = [schema.aliases.c.deleted.is_(False)]
        return window(
            self.connection,
            self.backend,
            ALIAS_ORDER,
            ALIASES.from_row,
            after,
            before,
            limit,
            where,
        )

    def audit_window(
        self,
        after: str | None,
        before: str | None,
        limit: int,
        *,
        object_id: str | None,
        actor_id: str | None,
        action: str | None,
        starting_at: int | None = None,
        ending_at: int | None = None,
    ) -> list[AuditRecord] | None:
        table = schema.audit_log
        where = [
            table.c[name] == value if value is not None else true()
            for name, value in (
                ("object_id", object_id),
                ("actor_id", actor_id),
                ("action", action),
            )
        ]
        if starting_at is not None:
            where.append(table.c.created_at >= starting_at)
        if ending_at is not None:
            where.append(table.c.created_at < ending_at)
        return window(
            self.connection, self.backend, AUDIT_ORDER, AUDIT.from_row, after, before, limit, where
        )

    def webhook_endpoint(self, endpoint_id: str) -> WebhookEndpointRecord | None:
        return self._one(schema.webhook_endpoints, endpoint_id, WEBHOOK_ENDPOINTS.from_row)

    def webhook_endpoint_window(
        self, after: str | None, before: str | None, limit: int
    ) -> list[WebhookEndpointRecord] | None:
        where = [schema.webhook_endpoints.c.deleted.is_(False)]
        convert = WEBHOOK_ENDPOINTS.from_row
        return window(
            self.connection, self.backend, WEBHOOK_ORDER, convert, after, before, limit, where
        )

    def webhook_delivery(self, delivery_id: str) -> WebhookDeliveryRecord | None:
        table = schema.webhook_deliveries
        row = self.connection.execute(select(table).where(table.c.id == delivery_id)).first()
        return None if row is None else WEBHOOK_DELIVERIES.from_row(row)

    def webhook_delivery_window(
        self, after: str | None, before: str | None, limit: int, *, endpoint_id: str
    ) -> list[WebhookDeliveryRecord] | None:
        where = [schema.webhook_deliveries.c.endpoint_id == endpoint_id]
        convert = WEBHOOK_DELIVERIES.from_row
        return window(
            self.connection, self.backend, DELIVERY_ORDER, convert, after, before, limit, where
        )
