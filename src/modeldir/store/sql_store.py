"""The store over SQLAlchemy Core: every query written once for both backends.

What differs between SQLite and PostgreSQL (connecting, the upsert statement, text ordering,
locking for migrations) lives in `sqlite.py` and `postgres.py` behind the `Backend` protocol
(`interface.py`); records become rows in `rows.py`; admin lists page in `keyset.py`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Row, Table, delete, select, update
from sqlalchemy.sql.dml import Insert

from modeldir.catalogue.model_fields import STORED_FIELDS
from modeldir.catalogue.records import (
    AdminKeyRecord,
    AliasRecord,
    ApiKeyRecord,
    AuditRecord,
    CatalogueChanges,
    FullCatalogue,
    MetadataRecord,
    ModelRecord,
    SessionRecord,
    SourceRecord,
    SyncRunRecord,
    WebhookEndpointRecord,
    WorkspaceRecord,
)
from modeldir.catalogue.webhook_events import (
    alias_events,
    key_events,
    model_events,
    workspace_events,
)
from modeldir.store import schema, sessions, sync_runs, webhooks
from modeldir.store.interface import Backend, ChangeSignals
from modeldir.store.migrate import upgrade
from modeldir.store.rows import (
    ADMIN_KEYS,
    ALIASES,
    API_KEYS,
    AUDIT,
    METADATA,
    SOURCES,
    WEBHOOK_ENDPOINTS,
    WORKSPACES,
    model_from_row,
    model_to_row,
)
from modeldir.store.sql_reader import SqlReader

# Rows per INSERT statement when writing many: big enough to amortise round trips, small
# enough to stay under SQLite's limit on bound parameters.
_BATCH = 500

R = TypeVar("R")


def upsert(backend: Backend, table: Table) -> Insert:
    """An INSERT that overwrites the row when its primary key already exists."""
    statement = backend.dialect_insert(table)
    key = [column.name for column in table.primary_key.columns]
    changed = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in key}
    return cast(Insert, statement.on_conflict_do_update(index_elements=key, set_=changed))


class SqlTransaction(SqlReader):
    """A write unit of work holding the catalogue's write lock until it ends."""

    def __init__(self, connection: Connection, backend: Backend, revision: int) -> None:
        super().__init__(connection, backend)
        self.written_revision = revision
        self.wrote = False
        """Whether anything was written: a transaction that wrote nothing is rolled back, so
        its revision is never used (a change that changes nothing leaves no trace)."""
        self.events = webhooks.ChangeEvents(connection, revision)
        """The webhook outbox: each change below is compared with the stored row it replaces,
        and its events are written with it (only while an endpoint is registered)."""

    def revision(self) -> int:
        return self.written_revision

    def _upsert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        self.wrote = self.wrote or bool(rows)
        for start in range(0, len(rows), _BATCH):
            self.connection.execute(upsert(self.backend, table), rows[start : start + _BATCH])

    def put_models(self, records: Iterable[ModelRecord]) -> None:
        records = list(records)
        if self.events.listening():
            before = {m.id: m for m in self.models_by_id([r.id for r in records])}
            self.events.write([e for r in records for e in model_events(before.get(r.id), r)])
        self._upsert(schema.models, [model_to_row(r, self.written_revision) for r in records])

    def put_aliases(self, records: Iterable[AliasRecord]) -> None:
        records = list(records)
        if self.events.listening():
            names = [r.alias for r in records]
            before = {a.alias: a for a in self._many(schema.aliases, names, ALIASES.from_row)}
            self.events.write([e for r in records for e in alias_events(before.get(r.alias), r)])
        self._upsert(schema.aliases, [ALIASES.to_row(a, self.written_revision) for a in records])

    def put_metadata(self, records: Iterable[MetadataRecord]) -> None:
        table = schema.model_metadata
        self._upsert(table, [METADATA.to_row(r, self.written_revision) for r in records])

    def put_sources(self, records: Iterable[SourceRecord]) -> None:
        table = schema.model_sources
        self._upsert(table, [SOURCES.to_row(r, self.written_revision) for r in records])

    def drop_metadata(self, model_ids: Iterable[str]) -> None:
        ids = sorted(model_ids)
        table = schema.model_metadata
        self.wrote = self.wrote or bool(ids)
        for start in range(0, len(ids), _BATCH):
            batch = ids[start : start + _BATCH]
            self.connection.execute(delete(table).where(table.c.model_id.in_(batch)))

    def put_workspace(self, record: WorkspaceRecord) -> None:
        if self.events.listening():
            self.events.write(workspace_events(self.workspace(record.id), record))
        self._upsert(schema.workspaces, [WORKSPACES.to_row(record, self.written_revision)])

    def put_api_key(self, record: ApiKeyRecord) -> None:
        if self.events.listening():
            self.events.write(key_events(self.api_key(record.id), record))
        self._upsert(schema.api_keys, [API_KEYS.to_row(record, self.written_revision)])

    def put_admin_key(self, record: AdminKeyRecord) -> None:
        if self.events.listening():
            self.events.write(key_events(self.admin_key(record.id), record))
        self._upsert(schema.admin_keys, [ADMIN_KEYS.to_row(record, self.written_revision)])

    def put_webhook_endpoint(self, record: WebhookEndpointRecord) -> None:
        row = WEBHOOK_ENDPOINTS.to_row(record, self.written_revision)
        self._upsert(schema.webhook_endpoints, [row])
        if record.deleted:
            webhooks.cancel_pending(self.connection, record.id)

    def add_webhook_delivery(self, event_id: str, event_type: str, endpoint_id: str) -> str:
        now = int(time.time())
        row = webhooks.new_delivery(event_id, event_type, endpoint_id, now, now * 1000)
        self.connection.execute(schema.webhook_deliveries.insert().values(**row))
        self.wrote = True
        return str(row["id"])

    def add_audit(self, records: Iterable[AuditRecord]) -> None:
        rows = [AUDIT.to_row(r, self.written_revision) for r in records]
        self.wrote = self.wrote or bool(rows)
        for start in range(0, len(rows), _BATCH):
            self.connection.execute(schema.audit_log.insert(), rows[start : start + _BATCH])

    def mark_seeded(self) -> None:
        state = schema.catalogue_state
        self.connection.execute(update(state).where(state.c.id == 1).values(seeded=True))
        self.wrote = True

    def ensure_organization(self, organization_id: str, name: str) -> str:
        existing = self.organization_id()
        if existing:
            return existing
        self.wrote = True
        self.connection.execute(
            schema.organization.insert().values(
                id=organization_id, name=name, created_at=int(time.time())
            )
        )
        return organization_id


_STREAM_BATCH = 10_000


def _changes(reader: SqlReader, revision: int | None, *, with_models: bool) -> CatalogueChanges:
    """The rows changed after `revision` (all when None), up to the revision read first.

    Writers are serialised, so every row stamped at or below the revision read first is already
    committed, and rows stamped above it are left for the next call.
    """
    current, changed_at = reader.revision_and_time()
    since = -1 if revision is None else revision

    def changed(table: Table, convert: Callable[[Row[Any]], Any]) -> list[Any]:
        rev = table.c.revision
        query = select(table).where(rev > since, rev <= current)
        return [convert(row) for row in reader.connection.execute(query)]

    return CatalogueChanges(
        revision=current,
        organization_id=reader.organization_id(),
        models=changed(schema.models, model_from_row) if with_models else [],
        aliases=changed(schema.aliases, ALIASES.from_row),
        workspaces=changed(schema.workspaces, WORKSPACES.from_row),
        api_keys=changed(schema.api_keys, API_KEYS.from_row),
        admin_keys=changed(schema.admin_keys, ADMIN_KEYS.from_row),
        complete=revision is None,
        changed_at=changed_at,
    )


class SqlStore:
    """A `Store` on any SQLAlchemy engine, with the backend's own details injected."""

    def __init__(self, url: str, backend: Backend, masked_url: str) -> None:
        self._url = masked_url
        self.backend = backend
        self.engine = backend.create_engine(url)

    def __repr__(self) -> str:
        return f"SqlStore({self._url!r})"

    @property
    def url(self) -> str:
        return self._url

    def migrate(self) -> None:
        with self.engine.connect() as connection:
            with self.backend.migration_lock(connection):
                upgrade(connection)
            connection.commit()

    @contextmanager
    def reader(self) -> Iterator[SqlReader]:
        with self.engine.connect() as connection, connection.begin():
            yield SqlReader(connection, self.backend)

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        options = self.backend.write_options()
        connection = self.engine.connect().execution_options(**options)
        with connection:
            work = connection.begin()
            try:
                state = schema.catalogue_state
                revision = connection.execute(
                    update(state)
                    .where(state.c.id == 1)
                    .values(revision=state.c.revision + 1)
                    .returning(state.c.revision)
                ).scalar_one()
                self.backend.announce(connection, int(revision))
                tx = SqlTransaction(connection, self.backend, int(revision))
                yield tx
            except BaseException:
                work.rollback()
                raise
            if not tx.wrote:
                # Nothing written: undo the revision (and its announcement) as if it never began.
                work.rollback()
                return
            connection.execute(
                update(state).where(state.c.id == 1).values(changed_at_ms=int(time.time() * 1000))
            )
            work.commit()

    def revision(self) -> int:
        with self.reader() as reader:
            return reader.revision()

    def changes_since(self, revision: int | None) -> CatalogueChanges:
        with self.reader() as reader:
            return _changes(reader, revision, with_models=True)

    @contextmanager
    def full_catalogue(self) -> Iterator[FullCatalogue]:
        with self.reader() as reader:
            changes = _changes(reader, None, with_models=False)
            models = schema.models.c
            up_to = models.revision <= changes.revision
            # Streamed in batches (a server-side cursor on PostgreSQL): a million models never
            # exist as a million rows at once.
            live = reader.connection.execute(
                select(*(models[name] for name in STORED_FIELDS))
                .where(up_to, models.deleted.is_(False))
                .execution_options(yield_per=_STREAM_BATCH)
            )
            gone = reader.connection.execute(
                select(models.id, models.created_at).where(up_to, models.deleted.is_(True))
            )
            yield FullCatalogue(changes, live, cast(Iterable[tuple[str, int]], gone))

    def open_session(self, record: SessionRecord) -> None:
        with self.engine.begin() as connection:
            sessions.open_session(connection, record)

    def session(self, token_hash: bytes) -> SessionRecord | None:
        with self.engine.connect() as connection:
            return sessions.find_session(connection, token_hash)

    def end_session(self, token_hash: bytes) -> None:
        with self.engine.begin() as connection:
            sessions.end_session(connection, token_hash)

    def claim_schedule(self, job: str, now_ms: int, every_ms: int) -> bool:
        with self.engine.begin() as connection:
            return sync_runs.claim(connection, self.backend, job, now_ms, every_ms)

    def add_sync_run(self, record: SyncRunRecord) -> None:
        with self.engine.begin() as connection:
            sync_runs.add_run(connection, record)

    def sync_runs(self, source: str | None = None, limit: int = 20) -> list[SyncRunRecord]:
        with self.engine.connect() as connection:
            return sync_runs.runs(connection, source, limit)

    def delivery_queue(self) -> webhooks.SqlDeliveryQueue:
        return webhooks.SqlDeliveryQueue(self.engine, self.backend)

    def change_signals(self) -> ChangeSignals | None:
        """Announcements of other writers' revisions (PostgreSQL); None: poll instead."""
        return self.backend.change_signals(self.engine.url.render_as_string(hide_password=False))

    def close(self) -> None:
        self.engine.dispose()
