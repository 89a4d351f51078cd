"""The tables, declared once for every backend (SQLAlchemy Core).

Instants are whole epoch seconds (BIGINT) so both backends store and compare them the same way.
Every catalogue row carries `revision`: the catalogue revision of its last change. That is how an
instance fetches only what changed since its snapshot, and it is each object's version.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
)

from modeldir.catalogue.model_fields import INTEGERS, NULLABLE, STORED_FIELDS

metadata = MetaData()

organization = Table(
    "organization",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

catalogue_state = Table(
    "catalogue_state",
    metadata,
    Column("id", Integer, primary_key=True),
    # Bumped by every write transaction; its row lock serialises writers, so revisions commit in
    # order and `revision > n` never skips a change.
    Column("revision", BigInteger, nullable=False),
    Column("seeded", Boolean, nullable=False),
    # When that revision was written (epoch milliseconds, stamped just before its commit): how
    # long a change takes to reach each server is measured from here (docs/metrics.md).
    Column("changed_at_ms", BigInteger),
)

workspaces = Table(
    "workspaces",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("archived_at", BigInteger),
    Column("model_access", Text),  # JSON array of ids and globs; NULL means every model
    Column("is_default", Boolean, nullable=False),
    Column("revision", BigInteger, nullable=False, index=True),
    Column("display_color", String(7), nullable=False, server_default="#6C5BB9"),
    Column("tags", Text, nullable=False, server_default="{}"),  # JSON object
    Column("requests_per_minute", Integer),
    Column("key_requests_per_minute", Integer),
    Index("workspaces_order", "created_at", "id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("workspace_id", String(64), ForeignKey("workspaces.id"), nullable=False),
    Column("name", String(500), nullable=False),
    Column("secret_hash", LargeBinary(32), nullable=False, unique=True),
    Column("partial_key_hint", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger),
    Column("revision", BigInteger, nullable=False, index=True),
    Column("created_by", String(64)),
    Column("previous_secret_hash", LargeBinary(32)),
    Column("previous_expires_at", BigInteger),
    Index("api_keys_order", "created_at", "id"),
)

admin_keys = Table(
    "admin_keys",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(500), nullable=False),
    Column("secret_hash", LargeBinary(32), nullable=False, unique=True),
    Column("partial_key_hint", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("revision", BigInteger, nullable=False, index=True),
    Column("read_only", Boolean, nullable=False, server_default=false()),
)

models = Table(
    "models",
    metadata,
    # One column per stored field of a model, named and typed by catalogue/model_fields.py:
    # instants and counts as BIGINT, everything else (JSON trees included) as text.
    *(
        Column(
            name,
            BigInteger if name in INTEGERS else Text,
            primary_key=name == "id",
            nullable=name in NULLABLE,
        )
        for name in STORED_FIELDS
    ),
    Column("deleted", Boolean, nullable=False),
    Column("revision", BigInteger, nullable=False, index=True),
    Index("models_order", "created_at", "id"),
    Index("models_retiring", "retires_at"),
)

aliases = Table(
    "aliases",
    metadata,
    Column("alias", String(256), primary_key=True),
    Column("model_id", String(256), nullable=False),
    Column("listed", Boolean, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("revision", BigInteger, nullable=False, index=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("id", String(64), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    Column("revision", BigInteger, nullable=False),
    Column("actor_type", String(32), nullable=False),
    Column("actor_id", String(255), nullable=False),
    Column("action", String(64), nullable=False),
    Column("object_type", String(32), nullable=False),
    Column("object_id", String(256), nullable=False),
    Column("before", Text),
    Column("after", Text),
    Index("audit_log_object", "object_id", "seq"),
    Index("audit_log_actor", "actor_id", "seq"),
    Index("audit_log_created", "created_at", "seq"),
)

model_metadata = Table(
    "model_metadata",
    metadata,
    # What the Models API does not carry (never in its ModelInfo, D18): one row per model that
    # has any. Outside the snapshot: only the admin API, the export and the console read it.
    Column("model_id", String(256), primary_key=True),
    Column("provider", String(64)),
    Column("family", String(64)),
    Column("input_price_per_mtok", Float),
    Column("output_price_per_mtok", Float),
    Column("knowledge_cutoff", String(10)),
    Column("source", String(256)),
    Column("revision", BigInteger, nullable=False),
)

model_sources = Table(
    "model_sources",
    metadata,
    # A model a sync made or keeps: its source (the upstream's URL) and the upstream's ModelInfo
    # as last synced (JSON), against which the operator's own changes are told apart.
    Column("model_id", String(256), primary_key=True),
    Column("source", String(1024), nullable=False, index=True),
    Column("upstream", Text, nullable=False),
    Column("revision", BigInteger, nullable=False),
)

sync_schedule = Table(
    "sync_schedule",
    metadata,
    # Outside the catalogue (no revision). A scheduled run is claimed by one conditional UPDATE
    # of `next_at_ms`, so one instance of a cluster (one worker of one instance) runs per period.
    Column("source", String(1024), primary_key=True),
    Column("next_at_ms", BigInteger, nullable=False),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    # Every sync, scheduled or not, and how it ended (outside the catalogue: no revision).
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("source", String(1024), nullable=False),
    Column("started_at_ms", BigInteger, nullable=False),
    Column("finished_at_ms", BigInteger),
    Column("outcome", String(16), nullable=False),  # ok | failed
    Column("report", Text),
    Column("error", Text),
    Column("request_id", String(128)),
    Index("ix_sync_runs_source", "source", "seq"),
)

console_sessions = Table(
    "console_sessions",
    metadata,
    # Outside the catalogue: no revision, never in a change set. Only the token's hash is kept.
    Column("token_hash", LargeBinary(32), primary_key=True),
    Column("admin_key_id", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False, index=True),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    # The signing secret itself: the server signs with it, so it cannot be a hash.
    Column("secret", String(128), nullable=False),
    Column("description", String(500), nullable=False),
    Column("event_types", Text),  # JSON array; NULL means every type
    Column("status", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("revision", BigInteger, nullable=False),
    Index("webhook_endpoints_order", "created_at", "id"),
)

webhook_events = Table(
    "webhook_events",
    metadata,
    # The outbox: written in the same transaction as the change it tells of.
    Column("id", String(64), primary_key=True),
    Column("type", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("revision", BigInteger, nullable=False),
    Column("body", LargeBinary, nullable=False),  # exactly the bytes sent and signed
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("id", String(64), nullable=False, unique=True),
    Column("event_id", String(64), ForeignKey("webhook_events.id"), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("endpoint_id", String(64), ForeignKey("webhook_endpoints.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("next_attempt_ms", BigInteger),
    Column("last_attempt_at", BigInteger),
    Column("response_status", Integer),
    Column("error", String(500)),
    Column("delivered_at", BigInteger),
    # What the delivery worker asks for: the pending deliveries due first.
    Index("webhook_deliveries_due", "status", "next_attempt_ms"),
    Index("webhook_deliveries_endpoint", "endpoint_id", "seq"),
)
