"""The delivery worker against a real store and a real receiver on 127.0.0.1.

The receiver checks every signature with its own Standard Webhooks code (tests/support/
webhooks.py); what was delivered is compared with the outbox as the store holds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from modeldir.admin import inputs
from modeldir.admin.bootstrap import initialize
from modeldir.admin.service import Actor, AdminService
from modeldir.store import Store, schema
from modeldir.webhooks.sender import Sender
from modeldir.webhooks.worker import DeliveryWorker, RetryPolicy
from tests.support.webhooks import Receiver, receiver


@contextmanager
def working(
    store: Store, *, attempts: int = 5, allow_private: bool = True
) -> Iterator[DeliveryWorker]:
    """A delivery worker with quick retries, stopped at the end."""
    worker = DeliveryWorker(
        store.delivery_queue(),
        Sender(timeout=5, allow_private=allow_private),
        RetryPolicy(attempts, 0.05),
        poll=0.02,
    )
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def admin(store: Store) -> AdminService:
    initialize(store, seed=False)
    return AdminService(store, Actor("cli", "tests"), allow_private_webhooks=True)


def register(admin: AdminService, hook: Receiver, **fields: Any) -> str:
    created = admin.create_webhook(inputs.WebhookCreate(url=hook.url, **fields)).object
    hook.secret = created["secret"]
    return str(created["id"])


def outbox_bodies(store: Store) -> dict[str, bytes]:
    table = schema.webhook_events
    with store.reader() as reader:
        rows = reader.connection.execute(select(table.c.id, table.c.body)).all()  # type: ignore[attr-defined]
    return {row.id: bytes(row.body) for row in rows}


def log(admin: AdminService, endpoint_id: str) -> list[dict[str, Any]]:
    return list(admin.list_webhook_deliveries(endpoint_id, inputs.ListParams(limit=1000))["data"])


def statuses(admin: AdminService, endpoint_id: str) -> list[str]:
    return [entry["status"] for entry in log(admin, endpoint_id)]


def changes(admin: AdminService, prefix: str, count: int) -> None:
    for n in range(count):
        admin.create_model({"id": f"{prefix}-{n}", "display_name": "M", "created_at": "2030-01-01"})


def test_every_event_arrives_once_signed_as_the_outbox_holds_it(
    store: Store, admin: AdminService
) -> None:
    with receiver() as hook:
        endpoint_id = register(admin, hook)
        changes(admin, "signed", 5)
        admin.delete_model("signed-0")
        with working(store):
            hook.wait_for(lambda r: statuses(admin, endpoint_id) == ["delivered"] * 6)
        bodies = outbox_bodies(store)
        assert len(hook.received) == 6 and all(r.valid for r in hook.received)
        assert sorted(r.id for r in hook.received) == sorted(bodies)
        for request in hook.received:
            assert request.body == bodies[request.id]
            assert request.headers["content-type"] == "application/json"
            assert request.headers["user-agent"].startswith("modeldir-webhooks/")
        created = [r.event for r in hook.received if r.event["type"] == "model.created"]
        assert sorted(e["data"]["id"] for e in created) == [f"signed-{n}" for n in range(5)]


def test_a_receiver_failing_the_first_tries_gets_the_event_after_retries(
    store: Store, admin: AdminService
) -> None:
    with receiver(answer=lambda n: 503 if n <= 3 else 204) as hook:
        endpoint_id = register(admin, hook)
        changes(admin, "retried", 1)
        with working(store, attempts=5) as worker:
            hook.wait_for(lambda r: statuses(admin, endpoint_id) == ["delivered"])
        assert [r.status for r in hook.received] == [503, 503, 503, 204]
        assert len({r.id for r in hook.received}) == 1  # one message, four tries
        assert all(r.valid for r in hook.received)
        (entry,) = log(admin, endpoint_id)
        assert entry["status"] == "delivered" and entry["attempts"] == 4
        assert entry["response_status"] == 204 and entry["error"] is None
        assert worker.tries == {"retrying": 3, "delivered": 1}


def test_out_of_tries_the_endpoint_is_failing_until_a_resend_succeeds(
    store: Store, admin: AdminService
) -> None:
    healthy = False
    with receiver(answer=lambda n: 200 if healthy else 500) as hook:
        endpoint_id = register(admin, hook)
        changes(admin, "failing", 1)
        with working(store, attempts=3):
            hook.wait_for(lambda r: statuses(admin, endpoint_id) == ["failed"])
            assert admin.get_webhook(endpoint_id).object["status"] == "failing"
            (failed,) = log(admin, endpoint_id)
            assert failed["attempts"] == 3 and failed["error"] == "answered HTTP 500"
            healthy = True
            resent = admin.resend_webhook_delivery(endpoint_id, failed["id"])
            assert resent["event_id"] == failed["event_id"] and resent["status"] == "pending"
            hook.wait_for(lambda r: statuses(admin, endpoint_id) == ["delivered", "failed"])
            assert admin.get_webhook(endpoint_id).object["status"] == "active"
        assert len(hook.received) == 4 and {r.id for r in hook.received} == {failed["event_id"]}
        newest, oldest = log(admin, endpoint_id)
        assert (newest["id"], newest["status"], oldest["status"]) == (
            resent["id"],
            "delivered",
            "failed",
        )


def test_gone_means_no_more_tries(store: Store, admin: AdminService) -> None:
    with receiver(answer=lambda n: 410) as hook:
        endpoint_id = register(admin, hook)
        changes(admin, "gone", 1)
        with working(store, attempts=5):
            hook.wait_for(lambda r: statuses(admin, endpoint_id) == ["failed"])
        assert len(hook.received) == 1 and log(admin, endpoint_id)[0]["attempts"] == 1


def test_a_private_address_is_refused_at_send_time_too(store: Store, admin: AdminService) -> None:
    """Registered while allowed (or through a name that resolved elsewhere then), a private
    destination is still never contacted by a worker that does not allow it."""
    with receiver() as hook:
        endpoint_id = register(admin, hook)
        changes(admin, "refused", 1)
        with working(store, attempts=2, allow_private=False):
            hook.wait_for(lambda r: statuses(admin, endpoint_id) == ["failed"])
        (entry,) = log(admin, endpoint_id)
        assert "public addresses only" in entry["error"] and entry["response_status"] is None
        assert hook.received == []


def test_two_workers_on_one_database_deliver_each_event_once(
    store: Store, admin: AdminService
) -> None:
    with receiver() as hook:
        register(admin, hook)
        changes(admin, "twice", 20)
        with working(store) as first, working(store) as second:
            hook.wait_for(lambda r: len(r.delivered()) == 20)
            backlog = [w.backlog for w in (first, second)]
        ids = [r.id for r in hook.received]
        assert len(ids) == len(set(ids)) == 20
        # One of them held the lock and did it all; the other stood by.
        assert sorted(sum(w.tries.values()) for w in (first, second)) == [0, 20]
        assert backlog.count(None) == 1
        assert all(orjson.loads(r.body)["type"] == "model.created" for r in hook.received)
