"""deploy/nginx.conf in front of modeldir: what nginx refuses itself is in the API's envelope.

Requests a server rejects before any application runs (a URL or a header too long, bytes that
are not HTTP, a duplicate Content-Length, HTTP/1.1 without Host, a body over the limit) get
the same envelope as modeldir's own errors: the status, the error type that status has in
modeldir's error tree, a request-id header equal to the body's, and x-should-retry. Slow
clients are cut off after nginx's header timeout.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import orjson
import pytest

from modeldir.admin.bootstrap import initialize
from modeldir.errors import error_for_status
from modeldir.store import open_store
from tests.support.nginx import nginx_front
from tests.support.server import ServerProcess, cut_off_while_slow

HEADER_TIMEOUT = 10  # client_header_timeout in deploy/nginx.conf


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, ServerProcess]]:
    folder = tmp_path_factory.mktemp("nginx")
    url = f"sqlite:///{folder / 'catalogue.db'}"
    store = open_store(url)
    initialize(store)
    store.close()
    server = ServerProcess(url, folder / "server.log").start()
    try:
        with nginx_front(folder, [server]) as (_, port):
            yield port, server
    finally:
        server.stop()


def exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the whole answer: status, headers (lower-cased), body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(raw)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


REJECTED = {
    "a URL too long": (b"GET /v1/models?pad=" + b"x" * 20_000 + b" HTTP/1.1\r\nHost: a\r\n", 414),
    "a header too long": (b"GET /v1/models HTTP/1.1\r\nHost: a\r\nx-pad: " + b"y" * 20_000, 400),
    "bytes that are not HTTP": (b"GET /v1/\x00models HTTP/1.1\r\nHost: a\r\n", 400),
    "a duplicate content-length": (
        b"POST /v1/organizations/workspaces HTTP/1.1\r\nHost: a\r\n"
        b"Content-Length: 2\r\nContent-Length: 3\r\n",
        400,
    ),
    "HTTP/1.1 without Host": (b"GET /v1/models HTTP/1.1\r\n", 400),
    "a body over the limit": (
        b"POST /v1/organizations/catalogue/import HTTP/1.1\r\nHost: a\r\n"
        b"Content-Length: 300000000\r\n",
        413,
    ),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_what_nginx_refuses_is_in_the_envelope(front: tuple[int, ServerProcess], case: str) -> None:
    port, _ = front
    request, status = REJECTED[case]
    answered, headers, body = exchange(port, request + b"Connection: close\r\n\r\n")
    assert answered == status
    assert headers["content-type"] == "application/json"
    envelope = orjson.loads(body)
    assert envelope["type"] == "error"
    assert envelope["error"]["type"] == error_for_status(status).error_type
    assert envelope["error"]["message"]
    assert envelope["request_id"].startswith("req_")
    assert headers["request-id"] == envelope["request_id"]
    assert headers["x-should-retry"] == "false"


def test_a_slow_client_is_cut_off_after_the_header_timeout(
    front: tuple[int, ServerProcess],
) -> None:
    port, _ = front
    assert cut_off_while_slow(port, give_up_after=HEADER_TIMEOUT * 2.5)


def test_when_no_instance_answers_nginx_says_so_in_the_envelope(
    front: tuple[int, ServerProcess],
) -> None:
    port, server = front
    server.stop()
    try:
        status, headers, body = exchange(
            port, b"GET /v1/models HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        )
        assert status == 503
        envelope = orjson.loads(body)
        assert envelope["error"]["type"] == error_for_status(503).error_type
        assert headers["x-should-retry"] == "true"
        assert headers["request-id"] == envelope["request_id"]
    finally:
        server.start()
