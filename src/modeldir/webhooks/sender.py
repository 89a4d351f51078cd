"""One try of one delivery: the destination checked, the request signed and sent, the result.

A try succeeds on any 2xx answer. Redirects are not followed (a 3xx is a failure: the endpoint
should be given its new URL), `Retry-After` is passed on, and `410 Gone` means the receiver wants
no more: no further tries. Only the status is read, never the answer's body.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib.metadata import version

import httpx

from modeldir.catalogue.records import DueDelivery
from modeldir.webhooks.destinations import RefusedDestination, destination
from modeldir.webhooks.signing import signature

USER_AGENT = f"modeldir-webhooks/{version('modeldir')}"
_MAX_RETRY_AFTER = 3600.0
_MAX_ERROR = 300


@dataclass(frozen=True, slots=True)
class TryResult:
    """What one try came to."""

    delivered: bool
    response_status: int | None = None
    error: str | None = None
    retry_after: float | None = None
    """Seconds the receiver asked to wait (`Retry-After`), at most an hour."""
    final: bool = False
    """The receiver said `410 Gone`: no more tries."""


def _retry_after(value: str | None) -> float | None:
    if value is None or not value.strip().isdigit():
        return None  # the HTTP-date form is rare for webhooks; the backoff applies instead
    return min(float(value.strip()), _MAX_RETRY_AFTER)


class Sender:
    """Sends tries over one HTTP client, each to the address its destination check chose."""

    def __init__(self, *, timeout: float, allow_private: bool) -> None:
        self.timeout = timeout
        self.allow_private = allow_private
        # No proxy from the environment: the request must go to the address that was checked.
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)

    def close(self) -> None:
        self.client.close()

    def send(self, delivery: DueDelivery) -> TryResult:
        """One signed POST of the delivery's event to its endpoint."""
        try:
            target = destination(delivery.url, allow_private=self.allow_private)
        except RefusedDestination as refused:
            return TryResult(False, error=str(refused)[:_MAX_ERROR])
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "host": target.host,
            "webhook-id": delivery.event_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(
                delivery.secret, delivery.event_id, timestamp, delivery.body
            ),
        }
        extensions = {} if target.server_name is None else {"sni_hostname": target.server_name}
        try:
            with self.client.stream(
                "POST", target.url, content=delivery.body, headers=headers, extensions=extensions
            ) as response:
                status = response.status_code
                retry_after = _retry_after(response.headers.get("retry-after"))
        except httpx.TimeoutException:
            return TryResult(False, error=f"no answer within {self.timeout:g} s")
        except httpx.HTTPError as error:
            return TryResult(False, error=f"{type(error).__name__}: {error}"[:_MAX_ERROR])
        if 200 <= status < 300:
            return TryResult(True, status)
        return TryResult(
            False,
            status,
            error=f"answered HTTP {status}",
            retry_after=retry_after,
            final=status == 410,
        )
