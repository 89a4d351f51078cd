"""The one storage interface, and the `Backend` each database system fills in.

Reads go through `reader()`; writes through `transaction()`, a unit of work that either commits
everything or nothing. Each write transaction is one catalogue revision: every row it writes is
stamped with it, and `changes_since` returns the rows stamped after a given revision.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

from modeldir.catalogue.records import (
    AdminKeyRecord,
    AliasRecord,
    ApiKeyRecord,
    AuditRecord,
    CatalogueChanges,
    DeliveryResult,
    DueDelivery,
    FullCatalogue,
    MetadataRecord,
    ModelRecord,
    SessionRecord,
    SourceRecord,
    SyncRunRecord,
    WebhookDeliveryRecord,
    WebhookEndpointRecord,
    WorkspaceRecord,
)

if TYPE_CHECKING:  # SQLAlchemy is loaded only when a store is opened
    from sqlalchemy import ColumnElement, Connection, Engine, Table


class Reader(Protocol):
    """Consistent reads inside one database transaction."""

    def revision(self) -> int:
        """The catalogue revision this reader sees."""
        ...

    def organization_id(self) -> str: ...

    def model(self, model_id: str) -> ModelRecord | None:
        """A model by id, tombstones included."""
        ...

    def models(self, *, include_deleted: bool = False) -> list[ModelRecord]: ...

    def models_by_id(self, ids: Collection[str]) -> list[ModelRecord]:
        """The models with these ids that exist, tombstones included (in no particular order)."""
        ...

    def live_model_ids(self) -> Iterator[str]:
        """Every live model's id, streamed (read it to the end before writing)."""
        ...

    def retiring(self, until: int, *, every_deprecated: bool = False) -> list[ModelRecord]:
        """Live models not yet retired whose `retires_at` is at or before `until` (epoch
        seconds; overdue ones included), and with `every_deprecated` every deprecated model."""
        ...

    def count_retiring(self, until: int) -> int:
        """How many live models not yet retired have a `retires_at` at or before `until`."""
        ...

    def models_in_order(self) -> Iterator[ModelRecord]:
        """Every live model in list order (newest first, ties by id), streamed."""
        ...

    def metadata_of(self, model_ids: Collection[str]) -> list[MetadataRecord]:
        """The metadata of these models, where they have any (in no particular order)."""
        ...

    def sources_of(self, model_ids: Collection[str]) -> list[SourceRecord]:
        """Where these models were synced from, for those a sync made or keeps."""
        ...

    def sources_from(self, source: str) -> list[SourceRecord]:
        """Every model a sync from `source` made or keeps (deleted ones included)."""
        ...

    def all_metadata(self) -> Iterator[MetadataRecord]:
        """The metadata of every live model that has any, by model id, streamed."""
        ...

    def alias(self, alias: str) -> AliasRecord | None: ...

    def aliases(self, *, include_deleted: bool = False) -> list[AliasRecord]: ...

    def workspace(self, workspace_id: str) -> WorkspaceRecord | None: ...

    def workspaces(self) -> list[WorkspaceRecord]: ...

    def active_workspace_named(self, name: str) -> WorkspaceRecord | None:
        """The workspace, not archived, that has this name (names are unique among them)."""
        ...

    def api_key(self, key_id: str) -> ApiKeyRecord | None: ...

    def api_keys(self) -> list[ApiKeyRecord]: ...

    def is_seeded(self) -> bool:
        """Whether the bundled catalogue was loaded once already."""
        ...

    def admin_key(self, key_id: str) -> AdminKeyRecord | None: ...

    def admin_keys(self) -> list[AdminKeyRecord]: ...

    # Windows for cursor pagination (see catalogue/pages.py): up to `limit + 1` records just
    # after `after` (or before `before`, or from the start) in list order, or None when the
    # cursor names no record. Lists are newest first (ties by id), aliases by name.

    def model_window(
        self, after: str | None, before: str | None, limit: int, *, lifecycles: frozenset[str]
    ) -> list[ModelRecord] | None: ...

    def workspace_window(
        self,
        after: str | None,
        before: str | None,
        limit: int,
        *,
        include_archived: bool,
        include_default: bool,
        ids: frozenset[str] | None,
    ) -> list[WorkspaceRecord] | None: ...

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
    ) -> list[ApiKeyRecord] | None: ...

    def alias_window(
        self, after: str | None, before: str | None, limit: int
    ) -> list[AliasRecord] | None: ...

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
        """Audit entries, newest first, with these values and made in [starting_at, ending_at)."""
        ...

    def webhook_endpoint(self, endpoint_id: str) -> WebhookEndpointRecord | None: ...

    def webhook_endpoint_window(
        self, after: str | None, before: str | None, limit: int
    ) -> list[WebhookEndpointRecord] | None:
        """Endpoints not deleted, newest first."""
        ...

    def webhook_delivery(self, delivery_id: str) -> WebhookDeliveryRecord | None: ...

    def webhook_delivery_window(
        self, after: str | None, before: str | None, limit: int, *, endpoint_id: str
    ) -> list[WebhookDeliveryRecord] | None:
        """An endpoint's delivery log, newest first."""
        ...


class Transaction(Reader, Protocol):
    """A write unit of work; `put_*` upserts and stamps the row with this revision.

    Every change to a model, alias, workspace or key is also written to the webhook outbox, as
    the events it makes (`catalogue/webhook_events.py`), in this same transaction.
    """

    def put_models(self, records: Iterable[ModelRecord]) -> None: ...

    def put_aliases(self, records: Iterable[AliasRecord]) -> None: ...

    def put_metadata(self, records: Iterable[MetadataRecord]) -> None: ...

    def put_sources(self, records: Iterable[SourceRecord]) -> None: ...

    def drop_metadata(self, model_ids: Iterable[str]) -> None:
        """Forget the metadata of these models."""
        ...

    def put_workspace(self, record: WorkspaceRecord) -> None: ...

    def put_api_key(self, record: ApiKeyRecord) -> None: ...

    def put_admin_key(self, record: AdminKeyRecord) -> None: ...

    def add_audit(self, records: Iterable[AuditRecord]) -> None:
        """Append audit entries, stamped with this revision."""
        ...

    def mark_seeded(self) -> None:
        """Record that the bundled catalogue was loaded, so it is never loaded twice."""
        ...

    def ensure_organization(self, organization_id: str, name: str) -> str:
        """The organisation's id, creating the organisation on first use."""
        ...

    def put_webhook_endpoint(self, record: WebhookEndpointRecord) -> None:
        """Store an endpoint; a deleted one also drops its deliveries still waiting."""
        ...

    def add_webhook_delivery(self, event_id: str, event_type: str, endpoint_id: str) -> str:
        """A new delivery of an event already sent (a re-send), due now; its id."""
        ...


class Store(Protocol):
    """A catalogue database."""

    @property
    def url(self) -> str:
        """The database URL with any password masked."""
        ...

    def migrate(self) -> None:
        """Bring the schema up to date (safe to call from several instances at once)."""
        ...

    def reader(self) -> AbstractContextManager[Reader]: ...

    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def revision(self) -> int:
        """The latest committed catalogue revision: one cheap query."""
        ...

    def changes_since(self, revision: int | None) -> CatalogueChanges:
        """Every row changed after `revision`, or the whole catalogue when it is None."""
        ...

    def full_catalogue(self) -> AbstractContextManager[FullCatalogue]:
        """The whole catalogue at one revision, its models streamed while the context is open."""
        ...

    def change_signals(self) -> ChangeSignals | None:
        """Announcements of other writers' revisions, when the database sends them."""
        ...

    # Web console sessions: outside the catalogue, so no revision, no announcement, no audit.

    def open_session(self, record: SessionRecord) -> None:
        """Store a new session (and drop the expired ones)."""
        ...

    def session(self, token_hash: bytes) -> SessionRecord | None:
        """The session with this token hash, expired or not, or None."""
        ...

    def end_session(self, token_hash: bytes) -> None:
        """Forget a session everywhere at once."""
        ...

    # Syncs: outside the catalogue too.

    def claim_schedule(self, job: str, now_ms: int, every_ms: int) -> bool:
        """Whether this caller runs the scheduled `job` due now (one in a cluster): a sync
        source's URL, or `lifecycle:auto-retire`."""
        ...

    def add_sync_run(self, record: SyncRunRecord) -> None:
        """Keep how a sync ended."""
        ...

    def sync_runs(self, source: str | None = None, limit: int = 20) -> list[SyncRunRecord]:
        """The latest syncs, newest first."""
        ...

    def delivery_queue(self) -> DeliveryQueue:
        """The webhook deliveries as the delivery worker sees them."""
        ...

    def close(self) -> None: ...


class DeliveryQueue(Protocol):
    """The outbox from the delivery worker's side: outside catalogue revisions."""

    def hold(self) -> bool:
        """Take, or keep, the cluster's one delivery lock; False while someone else holds it."""
        ...

    def release(self) -> None: ...

    def due(self, now_ms: int, limit: int, skip: Collection[str]) -> list[DueDelivery]:
        """Up to `limit` pending deliveries due by `now_ms`, first due first, not in `skip`."""
        ...

    def start(self, delivery_id: str, attempt: int, retry_at_ms: int, now: int) -> None:
        """Record a try before it is made, due again at `retry_at_ms` should it never end."""
        ...

    def finish(self, delivery: DueDelivery, result: DeliveryResult) -> None:
        """Record what a try came to (and an endpoint's status with a delivery's end)."""
        ...

    def backlog(self) -> int:
        """How many deliveries are pending."""
        ...


class DeliveryLock(Protocol):
    """Held by one process of the whole cluster at a time; lost when that process ends."""

    def hold(self) -> bool: ...

    def release(self) -> None: ...


class ChangeSignals(Protocol):
    """Announcements of new revisions, received by a thread of their own."""

    def run(self, on_change: Callable[[], None]) -> None:
        """Call `on_change` once listening (so whatever came before is fetched), then for
        each announcement, until `stop` (blocking; reconnects)."""
        ...

    def stop(self) -> None: ...


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

    def delivery_lock(self, engine: Engine) -> DeliveryLock:
        """The lock that makes one process of the cluster the webhook delivery worker."""
        ...
