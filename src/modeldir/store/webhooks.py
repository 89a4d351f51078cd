"""Webhooks in the database: the outbox of change events, and the delivery queue.

`ChangeEvents` writes a write transaction's events as it writes its changes, so an event exists
exactly when its change committed (the outbox). `SqlDeliveryQueue` is the delivery worker's side:
which deliveries are due, and what became of each try. Its writes are outside catalogue
revisions (a try is not a catalogue change), like console sessions.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, func, select, update

from modeldir.catalogue.records import DeliveryResult, DueDelivery
from modeldir.catalogue.webhook_events import Event
from modeldir.ids import new_id
from modeldir.store import schema
from modeldir.store.interface import Backend

_BATCH = 500
_ENDPOINTS = schema.webhook_endpoints
_EVENTS = schema.webhook_events
_DELIVERIES = schema.webhook_deliveries
PENDING, DELIVERED, FAILED, CANCELLED = "pending", "delivered", "failed", "cancelled"
ACTIVE, FAILING = "active", "failing"


class ChangeEvents:
    """The events of one write transaction, put in the outbox as its changes are written."""

    def __init__(self, connection: Connection, revision: int) -> None:
        self.connection = connection
        self.revision = revision
        self.now = int(time.time())
        self._subscribers: list[tuple[str, frozenset[str] | None]] | None = None

    def listening(self) -> bool:
        """Whether any endpoint is registered (read once per transaction): without one, no
        event is worked out, and a write costs what it did before webhooks."""
        if self._subscribers is None:
            rows = self.connection.execute(
                select(_ENDPOINTS.c.id, _ENDPOINTS.c.event_types).where(
                    _ENDPOINTS.c.deleted.is_(False)
                )
            )
            self._subscribers = [
                (
                    row.id,
                    None if row.event_types is None else frozenset(orjson.loads(row.event_types)),
                )
                for row in rows
            ]
        return bool(self._subscribers)

    def write(self, events: Collection[Event]) -> None:
        """Each event, and one pending delivery of it per endpoint that takes its type."""
        if not events or not self.listening():
            return
        assert self._subscribers is not None
        event_rows: list[dict[str, Any]] = []
        delivery_rows: list[dict[str, Any]] = []
        due = self.now * 1000
        for event in events:
            targets = [
                id_ for id_, types in self._subscribers if types is None or event.type in types
            ]
            if not targets:
                continue
            event_id = new_id("msg_")
            event_rows.append(
                {
                    "id": event_id,
                    "type": event.type,
                    "created_at": self.now,
                    "revision": self.revision,
                    "body": event.body(self.revision, self.now),
                }
            )
            delivery_rows += [
                new_delivery(event_id, event.type, endpoint_id, self.now, due)
                for endpoint_id in targets
            ]
        _insert(self.connection, _EVENTS, event_rows)
        _insert(self.connection, _DELIVERIES, delivery_rows)


def new_delivery(
    event_id: str, event_type: str, endpoint_id: str, now: int, due_ms: int
) -> dict[str, Any]:
    """A pending delivery's row: an event on its way to an endpoint, due at `due_ms`."""
    return {
        "id": new_id("whdel_"),
        "event_id": event_id,
        "event_type": event_type,
        "endpoint_id": endpoint_id,
        "status": PENDING,
        "attempts": 0,
        "created_at": now,
        "next_attempt_ms": due_ms,
    }


def _insert(connection: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _BATCH):
        connection.execute(table.insert(), rows[start : start + _BATCH])


def cancel_pending(connection: Connection, endpoint_id: str) -> None:
    """An endpoint's deliveries still waiting are never sent (it was deleted)."""
    connection.execute(
        update(_DELIVERIES)
        .where(_DELIVERIES.c.endpoint_id == endpoint_id, _DELIVERIES.c.status == PENDING)
        .values(status=CANCELLED, next_attempt_ms=None)
    )


class SqlDeliveryQueue:
    """The delivery worker's view of the outbox, on the store's engine."""

    def __init__(self, engine: Engine, backend: Backend) -> None:
        self.engine = engine
        self._lock = backend.delivery_lock(engine)

    def hold(self) -> bool:
        return self._lock.hold()

    def release(self) -> None:
        self._lock.release()

    def due(self, now_ms: int, limit: int, skip: Collection[str]) -> list[DueDelivery]:
        d, e, p = _DELIVERIES.c, _EVENTS.c, _ENDPOINTS.c
        query = (
            select(d.id, d.event_id, d.endpoint_id, p.url, p.secret, e.body, d.attempts)
            .join_from(_DELIVERIES, _EVENTS, d.event_id == e.id)
            .join(_ENDPOINTS, d.endpoint_id == p.id)
            .where(d.status == PENDING, d.next_attempt_ms <= now_ms)
            .order_by(d.next_attempt_ms, d.seq)
            .limit(limit + len(skip))
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        found = [DueDelivery(*row[:5], bytes(row.body), row.attempts) for row in rows]
        return [delivery for delivery in found if delivery.id not in skip][:limit]

    def start(self, delivery_id: str, attempt: int, retry_at_ms: int, now: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(_DELIVERIES)
                .where(_DELIVERIES.c.id == delivery_id)
                .values(attempts=attempt, next_attempt_ms=retry_at_ms, last_attempt_at=now)
            )

    def finish(self, delivery: DueDelivery, result: DeliveryResult) -> None:
        now = int(time.time())
        status = result.status
        values: dict[str, Any] = {"response_status": result.response_status, "error": result.error}
        if status == DELIVERED:
            values |= {"status": DELIVERED, "delivered_at": now, "next_attempt_ms": None}
        elif status == FAILED:
            values |= {"status": FAILED, "next_attempt_ms": None}
        elif result.retry_at_ms is not None:
            values["next_attempt_ms"] = result.retry_at_ms
        with self.engine.begin() as connection:
            connection.execute(
                update(_DELIVERIES)
                .where(_DELIVERIES.c.id == delivery.id, _DELIVERIES.c.status == PENDING)
                .values(**values)
            )
            if status in (DELIVERED, FAILED):
                # One success makes a failing endpoint active again; tries running out mark it.
                connection.execute(
                    update(_ENDPOINTS)
                    .where(_ENDPOINTS.c.id == delivery.endpoint_id)
                    .values(status=ACTIVE if status == DELIVERED else FAILING)
                )

    def backlog(self) -> int:
        with self.engine.connect() as connection:
            query = select(func.count()).select_from(_DELIVERIES)
            return int(
                connection.execute(query.where(_DELIVERIES.c.status == PENDING)).scalar_one()
            )
