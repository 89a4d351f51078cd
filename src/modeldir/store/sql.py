"""The store over SQLAlchemy Core: every query written once for both backends.

What differs between SQLite and PostgreSQL (connecting, the upsert statement, text ordering,
locking for migrations) lives in `sqlite.py` and `postgres.py` behind the small `Backend`
protocol.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    Table,
    and_,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.sql.dml import Insert

from modeldir.catalogue.model_info import Lifecycle
from modeldir.catalogue.records import (
    MODEL_COLUMNS,
    AdminKeyRecord,
    AliasRecord,
    ApiKeyRecord,
    AuditRecord,
    CatalogueChanges,
    FullCatalogue,
    ModelRecord,
    WorkspaceRecord,
)
from modeldir.store import schema
from modeldir.store.interface import ChangeSignals
from modeldir.store.migrate import upgrade

# Rows per INSERT statement when writing many: big enough to amortise round trips, small
# enough to stay under SQLite's limit on bound parameters.
_BATCH = 500

R = TypeVar("R")


class Backend(Protocol):
    """What one database system does its own way."""

    def create_engine(self, url: str) -> Engine: ...

    @staticmethod
    def dialect_insert(table: Table) -> Any:
        """The dialect's own `insert`, which knows ON CONFLICT."""
        ...

    @staticmethod
    def bytewise(column: ColumnElement[Any]) -> ColumnElement[Any]:
        """A text column compared byte by byte, as Python compares strings."""
        ...

    def write_options(self) -> dict[str, Any]:
        """Execution options for a connection that will write."""
        ...

    def announce(self, connection: Connection, revision: int) -> None:
        """Tell other instances, once this transaction commits, that the catalogue changed."""
        ...

    def change_signals(self, url: str) -> ChangeSignals | None:
        """A source of those announcements, where the database has one."""
        ...

    def migration_lock(self, connection: Connection) -> AbstractContextManager[None]:
        """Hold off other instances while this one migrates."""
        ...


def upsert(backend: Backend, table: Table) -> Insert:
    """An INSERT that overwrites the row when its primary key already exists."""
    statement = backend.dialect_insert(table)
    key = [column.name for column in table.primary_key.columns]
    changed = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in key}
    return cast(Insert, statement.on_conflict_do_update(index_elements=key, set_=changed))


# ---- rows <-> records ----------------------------------------------------------------------------


def _json_list(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(orjson.loads(text))


def _json_text(values: Sequence[str] | None) -> str | None:
    return None if values is None else orjson.dumps(list(values)).decode()


def model_from_row(row: Row[Any]) -> ModelRecord:
    """A model record from a `models` row."""
    return ModelRecord(
        id=row.id,
        display_name=row.display_name,
        created_at=row.created_at,
        max_input_tokens=row.max_input_tokens,
        max_tokens=row.max_tokens,
        capabilities_json=row.capabilities,
        lifecycle=cast(Lifecycle, row.lifecycle),
        deprecated_at=row.deprecated_at,
        retires_at=row.retires_at,
        line=row.line,
        allowed_fallback_models=_json_list(row.allowed_fallback_models),
        deleted=row.deleted,
        revision=row.revision,
    )


def alias_from_row(row: Row[Any]) -> AliasRecord:
    """An alias record from an `aliases` row."""
    return AliasRecord(row.alias, row.model_id, row.listed, row.deleted, row.revision)


def workspace_from_row(row: Row[Any]) -> WorkspaceRecord:
    """A workspace record from a `workspaces` row."""
    return WorkspaceRecord(
        id=row.id,
        name=row.name,
        created_at=row.created_at,
        archived_at=row.archived_at,
        model_access=_json_list(row.model_access),
        is_default=row.is_default,
        revision=row.revision,
        display_color=row.display_color,
        tags=tuple(sorted(orjson.loads(row.tags).items())),
        requests_per_minute=row.requests_per_minute,
        key_requests_per_minute=row.key_requests_per_minute,
    )


def api_key_from_row(row: Row[Any]) -> ApiKeyRecord:
    """An API key record from an `api_keys` row."""
    previous = row.previous_secret_hash
    return ApiKeyRecord(
        id=row.id,
        workspace_id=row.workspace_id,
        name=row.name,
        secret_hash=bytes(row.secret_hash),
        partial_key_hint=row.partial_key_hint,
        status=row.status,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revision=row.revision,
        created_by=row.created_by,
        previous_secret_hash=None if previous is None else bytes(previous),
        previous_expires_at=row.previous_expires_at,
    )


def admin_key_from_row(row: Row[Any]) -> AdminKeyRecord:
    """An admin key record from an `admin_keys` row."""
    return AdminKeyRecord(
        id=row.id,
        name=row.name,
        secret_hash=bytes(row.secret_hash),
        partial_key_hint=row.partial_key_hint,
        status=row.status,
        created_at=row.created_at,
        revision=row.revision,
    )


def audit_from_row(row: Row[Any]) -> AuditRecord:
    """An audit record from an `audit_log` row."""
    return AuditRecord(
        id=row.id,
        created_at=row.created_at,
        actor_type=row.actor_type,
        actor_id=row.actor_id,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        before=row.before,
        after=row.after,
        revision=row.revision,
        seq=row.seq,
    )


# ---- list order and keyset windows ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListOrder:
    """A table's list order: (column, descending) pairs, the last one unique."""

    table: Table
    columns: tuple[tuple[str, bool], ...]
    key: str
    """The column that cursors name."""


NEWEST_FIRST = (("created_at", True), ("id", False))
MODEL_ORDER = ListOrder(schema.models, NEWEST_FIRST, "id")
WORKSPACE_ORDER = ListOrder(schema.workspaces, NEWEST_FIRST, "id")
API_KEY_ORDER = ListOrder(schema.api_keys, NEWEST_FIRST, "id")
ALIAS_ORDER = ListOrder(schema.aliases, (("alias", False),), "alias")
AUDIT_ORDER = ListOrder(schema.audit_log, (("seq", True),), "id")

_TEXT_COLUMNS = {"id", "alias"}


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

    def _all(
        self, table: Table, convert: Callable[[Row[Any]], R], *, include_deleted: bool = True
    ) -> list[R]:
        """Every row, converted; tombstones only when asked for."""
        query = select(table)
        if not include_deleted:
            query = query.where(table.c.deleted.is_(False))
        return [convert(row) for row in self.connection.execute(query)]

    def _column(self, order: ListOrder, name: str) -> ColumnElement[Any]:
        column = order.table.c[name]
        return self.backend.bytewise(column) if name in _TEXT_COLUMNS else column

    def _window(
        self,
        order: ListOrder,
        convert: Callable[[Row[Any]], R],
        after: str | None,
        before: str | None,
        limit: int,
        where: Sequence[ColumnElement[bool]] = (),
    ) -> list[R] | None:
        """Up to `limit + 1` rows next to the cursor, in list order; None for an unknown cursor.

        Keyset pagination: the cursor row's own sort values bound the query, so a page costs
        one index range scan however deep it is, and a cursor row that no longer matches the
        filters still marks its place.
        """
        cursor = after if after is not None else before
        backwards = before is not None
        query = select(order.table).where(*where)
        if cursor is not None:
            names = [name for name, _ in order.columns]
            key_column = order.table.c[order.key]
            found = self.connection.execute(
                select(*(order.table.c[n] for n in names)).where(key_column == cursor)
            ).first()
            if found is None:
                return None
            query = query.where(self._beyond(order, tuple(found), backwards))
        sort = []
        for name, descending in order.columns:
            column = self._column(order, name)
            sort.append(column.asc() if descending == backwards else column.desc())
        rows = list(self.connection.execute(query.order_by(*sort).limit(limit + 1)))
        if backwards:
            rows.reverse()
        return [convert(row) for row in rows]

    def _beyond(
        self, order: ListOrder, values: tuple[Any, ...], backwards: bool
    ) -> ColumnElement[bool]:
        """Rows that come after the cursor's values in list order (before, when backwards)."""
        clauses = []
        for i, (name, descending) in enumerate(order.columns):
            column = self._column(order, name)
            equal = [
                self._column(order, n) == values[j] for j, (n, _) in enumerate(order.columns[:i])
            ]
            later = column < values[i] if descending != backwards else column > values[i]
            clauses.append(and_(*equal, later))
        return or_(*clauses)

    def revision(self) -> int:
        return int(
            self.connection.execute(
                select(schema.catalogue_state.c.revision).where(schema.catalogue_state.c.id == 1)
            ).scalar_one()
        )

    def organization_id(self) -> str:
        found = self.connection.execute(select(schema.organization.c.id)).scalar()
        return "" if found is None else str(found)

    def model(self, model_id: str) -> ModelRecord | None:
        return self._one(schema.models, model_id, model_from_row)

    def models(self, *, include_deleted: bool = False) -> list[ModelRecord]:
        return self._all(schema.models, model_from_row, include_deleted=include_deleted)

    def alias(self, alias: str) -> AliasRecord | None:
        return self._one(schema.aliases, alias, alias_from_row)

    def aliases(self, *, include_deleted: bool = False) -> list[AliasRecord]:
        return self._all(schema.aliases, alias_from_row, include_deleted=include_deleted)

    def workspace(self, workspace_id: str) -> WorkspaceRecord | None:
        return self._one(schema.workspaces, workspace_id, workspace_from_row)

    def workspaces(self) -> list[WorkspaceRecord]:
        return self._all(schema.workspaces, workspace_from_row)

    def api_key(self, key_id: str) -> ApiKeyRecord | None:
        return self._one(schema.api_keys, key_id, api_key_from_row)

    def api_keys(self) -> list[ApiKeyRecord]:
        return self._all(schema.api_keys, api_key_from_row)

    def admin_key(self, key_id: str) -> AdminKeyRecord | None:
        return self._one(schema.admin_keys, key_id, admin_key_from_row)

    def admin_keys(self) -> list[AdminKeyRecord]:
        return self._all(schema.admin_keys, admin_key_from_row)

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
        return self._window(MODEL_ORDER, model_from_row, after, before, limit, where)

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
        return self._window(WORKSPACE_ORDER, workspace_from_row, after, before, limit, where)

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
        return self._window(API_KEY_ORDER, api_key_from_row, after, before, limit, where)

    def alias_window(
        self, after: str | None, before: str | None, limit: int
    ) -> list[AliasRecord] | None:
        where = [schema.aliases.c.deleted.is_(False)]
        return self._window(ALIAS_ORDER, alias_from_row, after, before, limit, where)

    def audit_window(
        self,
        after: str | None,
        before: str | None,
        limit: int,
        *,
        object_id: str | None,
        actor_id: str | None,
        action: str | None,
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
        return self._window(AUDIT_ORDER, audit_from_row, after, before, limit, where)


class SqlTransaction(SqlReader):
    """A write unit of work holding the catalogue's write lock until it ends."""

    def __init__(self, connection: Connection, backend: Backend, revision: int) -> None:
        super().__init__(connection, backend)
        self.written_revision = revision

    def revision(self) -> int:
        return self.written_revision

    def _upsert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), _BATCH):
            self.connection.execute(upsert(self.backend, table), rows[start : start + _BATCH])

    def put_models(self, records: Iterable[ModelRecord]) -> None:
        rows = [
            {
                "id": r.id,
                "display_name": r.display_name,
                "created_at": r.created_at,
                "max_input_tokens": r.max_input_tokens,
                "max_tokens": r.max_tokens,
                "capabilities": r.capabilities_json,
                "lifecycle": r.lifecycle,
                "deprecated_at": r.deprecated_at,
                "retires_at": r.retires_at,
                "line": r.line,
                "allowed_fallback_models": _json_text(r.allowed_fallback_models),
                "deleted": r.deleted,
                "revision": self.written_revision,
            }
            for r in records
        ]
        self._upsert(schema.models, rows)

    def put_aliases(self, records: Iterable[AliasRecord]) -> None:
        rows = [
            {
                "alias": a.alias,
                "model_id": a.model_id,
                "listed": a.listed,
                "deleted": a.deleted,
                "revision": self.written_revision,
            }
            for a in records
        ]
        self._upsert(schema.aliases, rows)

    def put_workspace(self, record: WorkspaceRecord) -> None:
        row = {
            "id": record.id,
            "name": record.name,
            "created_at": record.created_at,
            "archived_at": record.archived_at,
            "model_access": _json_text(record.model_access),
            "is_default": record.is_default,
            "revision": self.written_revision,
            "display_color": record.display_color,
            "tags": orjson.dumps(dict(record.tags)).decode(),
            "requests_per_minute": record.requests_per_minute,
            "key_requests_per_minute": record.key_requests_per_minute,
        }
        self._upsert(schema.workspaces, [row])

    def put_api_key(self, record: ApiKeyRecord) -> None:
        row = {
            "id": record.id,
            "workspace_id": record.workspace_id,
            "name": record.name,
            "secret_hash": record.secret_hash,
            "partial_key_hint": record.partial_key_hint,
            "status": record.status,
            "created_at": record.created_at,
            "expires_at": record.expires_at,
            "revision": self.written_revision,
            "created_by": record.created_by,
            "previous_secret_hash": record.previous_secret_hash,
            "previous_expires_at": record.previous_expires_at,
        }
        self._upsert(schema.api_keys, [row])

    def put_admin_key(self, record: AdminKeyRecord) -> None:
        row = {
            "id": record.id,
            "name": record.name,
            "secret_hash": record.secret_hash,
            "partial_key_hint": record.partial_key_hint,
            "status": record.status,
            "created_at": record.created_at,
            "revision": self.written_revision,
        }
        self._upsert(schema.admin_keys, [row])

    def add_audit(self, records: Iterable[AuditRecord]) -> None:
        rows = [
            {
                "id": r.id,
                "created_at": r.created_at,
                "revision": self.written_revision,
                "actor_type": r.actor_type,
                "actor_id": r.actor_id,
                "action": r.action,
                "object_type": r.object_type,
                "object_id": r.object_id,
                "before": r.before,
                "after": r.after,
            }
            for r in records
        ]
        for start in range(0, len(rows), _BATCH):
            self.connection.execute(schema.audit_log.insert(), rows[start : start + _BATCH])

    def mark_seeded(self) -> None:
        state = schema.catalogue_state
        self.connection.execute(update(state).where(state.c.id == 1).values(seeded=True))

    def ensure_organization(self, organization_id: str, name: str) -> str:
        existing = self.organization_id()
        if existing:
            return existing
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
    current = reader.revision()
    since = -1 if revision is None else revision

    def changed(table: Table, convert: Callable[[Row[Any]], Any]) -> list[Any]:
        rev = table.c.revision
        query = select(table).where(rev > since, rev <= current)
        return [convert(row) for row in reader.connection.execute(query)]

    return CatalogueChanges(
        revision=current,
        organization_id=reader.organization_id(),
        models=changed(schema.models, model_from_row) if with_models else [],
        aliases=changed(schema.aliases, alias_from_row),
        workspaces=changed(schema.workspaces, workspace_from_row),
        api_keys=changed(schema.api_keys, api_key_from_row),
        admin_keys=changed(schema.admin_keys, admin_key_from_row),
        complete=revision is None,
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
        with connection, connection.begin():
            state = schema.catalogue_state
            revision = connection.execute(
                update(state)
                .where(state.c.id == 1)
                .values(revision=state.c.revision + 1)
                .returning(state.c.revision)
            ).scalar_one()
            self.backend.announce(connection, int(revision))
            yield SqlTransaction(connection, self.backend, int(revision))

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
            stream = reader.connection.execution_options(yield_per=_STREAM_BATCH)
            live = stream.execute(
                select(*(models[name] for name in MODEL_COLUMNS)).where(
                    up_to, models.deleted.is_(False)
                )
            )
            gone = reader.connection.execute(
                select(models.id, models.created_at).where(up_to, models.deleted.is_(True))
            )
            yield FullCatalogue(changes, live, cast(Iterable[tuple[str, int]], gone))

    def change_signals(self) -> ChangeSignals | None:
        """Announcements of other writers' revisions (PostgreSQL); None: poll instead."""
        return self.backend.change_signals(self.engine.url.render_as_string(hide_password=False))

    def close(self) -> None:
        self.engine.dispose()
