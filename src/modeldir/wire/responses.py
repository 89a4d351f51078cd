"""What every response carries (D15, D21), and the error envelope as an HTTP response."""

from __future__ import annotations

from modeldir.errors import ApiError, render
from modeldir.wire.types import Headers

JSON = (b"content-type", b"application/json")
_RETRY = {True: (b"x-should-retry", b"true"), False: (b"x-should-retry", b"false")}

Response = tuple[int, Headers, bytes]
"""A whole response: status, headers, body."""


def identity_headers(request_id: bytes, organization_id: str) -> Headers:
    """`request-id` and `anthropic-organization-id`: on every response, errors included."""
    return [(b"request-id", request_id), (b"anthropic-organization-id", organization_id.encode())]


def error_headers(error: ApiError) -> Headers:
    """The content type, `x-should-retry` and the error's own headers (such as `allow`)."""
    headers = [JSON, _RETRY[error.retryable]]
    headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in error.headers.items()]
    return headers


def error_response(error: ApiError, request_id: bytes, headers: Headers) -> Response:
    """The envelope for `error`, after `headers` (which carry the request id already)."""
    return error.status, [*headers, *error_headers(error)], render(error, request_id.decode())


def with_length(response: Response) -> Response:
    """The response with its `content-length` (none on a 204: RFC 9110 §8.6)."""
    status, headers, body = response
    if status != 204:
        headers.append((b"content-length", b"%d" % len(body)))
    return response
