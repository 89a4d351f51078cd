"""The webhook routes of the admin API on a server with the default settings (no private
destinations): the secret shown once, the SSRF guard, and the errors in the API's envelope."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.admin.conftest import Site, error, ok

# A public address literal: accepted without DNS. Endpoints here hear only admin key
# revocations, which these tests never make, and are deleted at the end: nothing is sent.
PUBLIC = "http://192.88.99.77/hook"
QUIET = {"url": PUBLIC, "event_types": ["admin_key.revoked"]}


@pytest.fixture
def endpoint(admin: httpx.Client) -> Iterator[dict[str, object]]:
    created = ok(admin.post("/webhooks", json={**QUIET, "description": "quiet"}))
    yield created
    admin.delete(f"/webhooks/{created['id']}")


def test_the_secret_is_shown_once_and_never_again(
    site: Site, admin: httpx.Client, endpoint: dict[str, object]
) -> None:
    secret = str(endpoint["secret"])
    assert secret.startswith("whsec_") and str(endpoint["id"]).startswith("webhook_01")
    assert endpoint["status"] == "active" and endpoint["event_types"] == ["admin_key.revoked"]
    shown = ok(admin.get(f"/webhooks/{endpoint['id']}"))
    assert "secret" not in shown and shown == {k: v for k, v in endpoint.items() if k != "secret"}
    listed = ok(admin.get("/webhooks"))
    assert endpoint["id"] in [w["id"] for w in listed["data"]]
    for place in ("/webhooks", f"/webhooks/{endpoint['id']}", "/audit_log?limit=1000"):
        assert secret not in admin.get(place).text
    assert ok(admin.get(f"/webhooks/{endpoint['id']}/deliveries"))["data"] == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://169.254.169.254/",
        "http://[::1]/",
    ],
)
def test_private_destinations_are_refused_by_default(admin: httpx.Client, url: str) -> None:
    message = error(admin.post("/webhooks", json={"url": url}), 400, "invalid_request_error")
    assert "public addresses only" in message


def test_bad_requests_and_unknown_objects(admin: httpx.Client, endpoint: dict[str, object]) -> None:
    message = error(
        admin.post("/webhooks", json={"url": PUBLIC, "event_types": ["model.exploded"]}),
        400,
        "invalid_request_error",
    )
    assert "model.exploded" in message
    error(admin.post("/webhooks", json={"url": "ftp://x"}), 400, "invalid_request_error")
    error(
        admin.post("/webhooks", json={"url": PUBLIC, "secret": "x"}), 400, "invalid_request_error"
    )
    error(admin.get("/webhooks/webhook_01nope"), 404, "not_found_error")
    error(admin.get("/webhooks/webhook_01nope/deliveries"), 404, "not_found_error")
    resend = f"/webhooks/{endpoint['id']}/deliveries/whdel_01nope/resend"
    error(admin.post(resend), 404, "not_found_error")
    error(admin.put(f"/webhooks/{endpoint['id']}"), 405, "invalid_request_error")


def test_a_deleted_endpoint_is_gone(admin: httpx.Client) -> None:
    created = ok(admin.post("/webhooks", json=QUIET))
    deleted = ok(admin.delete(f"/webhooks/{created['id']}"))
    assert deleted == {"type": "webhook_endpoint_deleted", "id": created["id"]}
    error(admin.get(f"/webhooks/{created['id']}"), 404, "not_found_error")
    assert created["id"] not in [w["id"] for w in ok(admin.get("/webhooks"))["data"]]
    actions = [
        e["action"]
        for e in ok(admin.get("/audit_log", params={"object_id": created["id"]}))["data"]
    ]
    assert actions == ["webhook.delete", "webhook.create"]
