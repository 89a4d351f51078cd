"""The webhook outbox as the tests read it: which events each change wrote, straight from the
tables (no worker runs), and an endpoint to make changes be written at all."""

from __future__ import annotations

import orjson
from sqlalchemy import select

from modeldir.admin import inputs
from modeldir.admin.service import AdminService
from modeldir.store import Store, schema

# A public address literal: registering it needs no DNS and no private-address setting, and
# nothing is ever sent to it (no worker runs in these tests).
PUBLIC = "http://192.88.99.77/hook"


def outbox(store: Store, endpoint_id: str | None = None) -> list[tuple[str, str, str]]:
    """(event type, object id, delivery status) of each delivery, in the order written."""
    d, e = schema.webhook_deliveries, schema.webhook_events
    query = select(e.c.type, e.c.body, d.c.status).join(e, d.c.event_id == e.c.id)
    if endpoint_id is not None:
        query = query.where(d.c.endpoint_id == endpoint_id)
    with store.reader() as reader:
        rows = reader.connection.execute(query.order_by(d.c.seq)).all()  # type: ignore[attr-defined]
    return [(row.type, orjson.loads(row.body)["data"]["id"], row.status) for row in rows]


def events(store: Store, endpoint_id: str | None = None) -> list[tuple[str, str]]:
    """(event type, object id) of each delivery, in the order written."""
    return [(kind, object_id) for kind, object_id, _ in outbox(store, endpoint_id)]


def endpoint(admin: AdminService, **fields: object) -> str:
    """Register an endpoint (at a public address nothing is sent to); its id."""
    return str(admin.create_webhook(inputs.WebhookCreate(url=PUBLIC, **fields)).object["id"])
