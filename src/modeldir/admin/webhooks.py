"""Webhook endpoints: register (the secret shown once), list, delete; the delivery log; re-send.

Registering checks the URL's destination (webhooks/destinations.py): by default it must resolve
to public addresses only. The secret is in the object `create_webhook` returns and nowhere
else: not in later reads, not in the audit log.
"""

from __future__ import annotations

from dataclasses import replace

from modeldir.admin import objects
from modeldir.admin.inputs import ListParams, WebhookCreate
from modeldir.admin.operation import Object, Operations, Versioned, check_if_match, found, list_page
from modeldir.catalogue.records import WebhookEndpointRecord
from modeldir.errors import InvalidRequestError, NotFoundError
from modeldir.ids import new_id
from modeldir.webhooks.destinations import RefusedDestination, destination
from modeldir.webhooks.signing import new_secret

_ENDPOINT = "webhook endpoint"


class WebhookOperations(Operations):
    """Every operation on webhook endpoints and their deliveries."""

    def list_webhooks(self, params: ListParams) -> Object:
        with self.store.reader() as reader:
            window = reader.webhook_endpoint_window(params.after_id, params.before_id, params.limit)
        return list_page(window, params, lambda w: w.id, objects.webhook_object, _ENDPOINT)

    def get_webhook(self, endpoint_id: str) -> Versioned:
        with self.store.reader() as reader:
            record = found(reader.webhook_endpoint(endpoint_id), _ENDPOINT, endpoint_id)
        return Versioned(objects.webhook_object(record), objects.etag(record.revision))

    def create_webhook(self, body: WebhookCreate) -> Versioned:
        """A new endpoint; the object carries its signing secret under `secret`, this once."""
        try:
            destination(body.url, allow_private=self.allow_private_webhooks)
        except RefusedDestination as refused:
            raise InvalidRequestError(str(refused)) from None
        secret = new_secret()
        with self.store.transaction() as tx:
            record = WebhookEndpointRecord(
                id=new_id("webhook_"),
                url=body.url,
                secret=secret,
                description=body.description,
                event_types=None if body.event_types is None else tuple(body.event_types),
                status="active",
                created_at=self.now(),
                revision=tx.revision(),
            )
            tx.put_webhook_endpoint(record)
            after = objects.webhook_object(record)
            self._audit(tx, "webhook.create", "webhook_endpoint", record.id, None, after)
        return Versioned({**after, "secret": secret}, objects.etag(record.revision))

    def delete_webhook(self, endpoint_id: str, if_match: str | None = None) -> Object:
        """Delete an endpoint: nothing more is sent to it, its waiting deliveries included."""
        with self.store.transaction() as tx:
            current = found(tx.webhook_endpoint(endpoint_id), _ENDPOINT, endpoint_id)
            check_if_match(if_match, current.revision, f"webhook endpoint {endpoint_id}")
            tx.put_webhook_endpoint(replace(current, deleted=True, revision=tx.revision()))
            before = objects.webhook_object(current)
            self._audit(tx, "webhook.delete", "webhook_endpoint", endpoint_id, before, None)
        return {"type": "webhook_endpoint_deleted", "id": endpoint_id}

    def list_webhook_deliveries(self, endpoint_id: str, params: ListParams) -> Object:
        """An endpoint's delivery log, newest first."""
        with self.store.reader() as reader:
            found(reader.webhook_endpoint(endpoint_id), _ENDPOINT, endpoint_id)
            window = reader.webhook_delivery_window(
                params.after_id, params.before_id, params.limit, endpoint_id=endpoint_id
            )
        return list_page(window, params, lambda d: d.id, objects.delivery_object, "delivery")

    def resend_webhook_delivery(
        self, endpoint_id: str, delivery_id: str, if_match: str | None = None
    ) -> Object:
        """Send a delivery's event to its endpoint again, as a new delivery due now.

        It carries the same `webhook-id`, so a receiver that keeps ids can tell it has it.
        `if_match` names the endpoint's version, when the caller wants it unchanged.
        """
        with self.store.transaction() as tx:
            endpoint = found(tx.webhook_endpoint(endpoint_id), _ENDPOINT, endpoint_id)
            check_if_match(if_match, endpoint.revision, f"webhook endpoint {endpoint_id}")
            original = tx.webhook_delivery(delivery_id)
            if original is None or original.endpoint_id != endpoint_id:
                raise NotFoundError(f"no delivery with id {delivery_id} to {endpoint_id}")
            new = tx.add_webhook_delivery(original.event_id, original.event_type, endpoint_id)
            record = tx.webhook_delivery(new)
            assert record is not None
            after = objects.delivery_object(record)
            self._audit(tx, "webhook.resend", "webhook_delivery", new, None, after)
        return after
