"""The Python ceiling: the least an ASGI app can do on modeldir's server, measured beside it.

A bare ASGI callable on granian, started with modeldir's own server options, that checks
`x-api-key` against a set and requires `anthropic-version`, then answers each path with bytes
read at start (the bodies nginx serves) and the same response headers as modeldir, with fixed
values. No routing, no request id, no rate limit, no JSON: whatever modeldir costs beyond this
is its own code; what this costs beyond nginx is the Python server's. Started by
bench/harness.py:

    python -m bench.ceiling PORT ROOT     # ROOT holds keys.txt and www/<path> files
"""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

UNAUTHORIZED = (
    b'{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}'
)
NO_VERSION = b'{"type":"error","error":{"type":"invalid_request_error","message":"no version"}}'


# modeldir's response headers on a 200 (values fixed): writing them is the server's work too.
CONTRACT_HEADERS = [
    (b"request-id", b"req_011CbenchCeilingFixedRequestId0"),
    (b"anthropic-organization-id", b"00000000-0000-4000-8000-000000000000"),
    (b"anthropic-workspace-id", b"wrkspc_01BenchCeilingFixedWorkspac"),
    (b"anthropic-ratelimit-requests-limit", b"1000000000"),
    (b"anthropic-ratelimit-requests-remaining", b"999999999"),
    (b"anthropic-ratelimit-requests-reset", b"2026-11-24T00:01:00Z"),
    (b"content-type", b"application/json"),
]


def create_app() -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The ceiling app, serving the folder named by BENCH_CEILING_ROOT."""
    root = Path(os.environ["BENCH_CEILING_ROOT"])
    keys = {line.encode() for line in (root / "keys.txt").read_text().split()}
    bodies = {"/" + p.name: p.read_bytes() for p in (root / "www").iterdir()}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        key = version = None
        for name, value in scope["headers"]:
            if name == b"x-api-key":
                key = value
            elif name == b"anthropic-version":
                version = value
        if key not in keys:
            status, body = 401, UNAUTHORIZED
        elif version is None:
            status, body = 400, NO_VERSION
        else:
            status, body = 200, bodies.get(scope["path"], b"{}")
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*CONTRACT_HEADERS, (b"content-length", b"%d" % len(body))],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def main() -> None:
    """Serve the ceiling app on 127.0.0.1:PORT exactly as modeldir is served."""
    from modeldir.wire.serving import production_server

    port, root = int(sys.argv[1]), sys.argv[2]
    os.environ["BENCH_CEILING_ROOT"] = root
    production_server("bench.ceiling:create_app", address="127.0.0.1", port=port).serve()


if __name__ == "__main__":
    main()
