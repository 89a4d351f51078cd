"""A webhook receiver on 127.0.0.1 that checks every request the Standard Webhooks way.

The verification is written here from the specification (standard-webhooks.md, "Signature
scheme" and "Webhook headers"), independently of modeldir's signing code: the key is the base64
after `whsec_`, the signed content `{webhook-id}.{webhook-timestamp}.{body}`, the header a
space-separated list of `v1,<base64 HMAC-SHA256>`. A request that fails it is recorded as bad.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOLERANCE_SECONDS = 300  # the specification's example tolerance for webhook-timestamp


def standard_webhooks_valid(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Whether a request carries a valid Standard Webhooks signature for `secret`."""
    message_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (message_id and timestamp and signatures) or not timestamp.isdigit():
        return False
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    assert secret.startswith("whsec_")
    key = base64.b64decode(secret[len("whsec_") :])
    content = message_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = hmac.new(key, content, hashlib.sha256).digest()
    for versioned in signatures.split(" "):
        version, _, value = versioned.partition(",")
        if version == "v1" and hmac.compare_digest(base64.b64decode(value), expected):
            return True
    return False


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    valid: bool
    status: int = 0
    """What the receiver answered."""

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    """What reached the receiver, and how it answers (settable while it runs)."""

    port: int
    secret: str = ""
    """The endpoint's secret, once registered (requests before that are not checked)."""
    answer: Callable[[int], int] = lambda n: 200
    """The status for the n-th request (from 1)."""
    hold: threading.Event | None = None
    """When set, each request waits for it before answering (after `arrived` is set)."""
    arrived: threading.Event = field(default_factory=threading.Event)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def delivered(self) -> list[Received]:
        """Requests answered 2xx, in order of arrival."""
        with self.lock:
            return [r for r in self.received if 200 <= r.status < 300]

    def wait_for(self, condition: Callable[[Receiver], bool], timeout: float = 30.0) -> None:
        """Wait (bounded) until `condition` holds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self):
                return
            time.sleep(0.02)
        raise AssertionError(f"the receiver did not get what was expected in {timeout} s")


@contextmanager
def receiver(**options: Any) -> Iterator[Receiver]:
    """A receiver on a free port of 127.0.0.1, stopped when the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    state = Receiver(port=server.server_address[1], **options)
    server.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        if state.hold is not None:
            state.hold.set()
        server.shutdown()
        server.server_close()
        thread.join(10)


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        state: Receiver = self.server.state  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {name.lower(): value for name, value in self.headers.items()}
        valid = bool(state.secret) and standard_webhooks_valid(state.secret, headers, body)
        record = Received(headers, body, valid)
        with state.lock:
            state.received.append(record)
            status = state.answer(len(state.received))
        record.status = status
        state.arrived.set()
        if state.hold is not None:
            state.hold.wait(60)
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet
