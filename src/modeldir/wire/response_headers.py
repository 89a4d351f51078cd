"""Headers every response carries (D15, D21), and those every error adds."""

from __future__ import annotations

from modeldir.wire.asgi import Headers
from modeldir.wire.errors import ApiError

JSON = (b"content-type", b"application/json")
_RETRY = {True: (b"x-should-retry", b"true"), False: (b"x-should-retry", b"false")}


def identity_headers(request_id: str, organization_id: str) -> Headers:
    """`request-id` and `anthropic-organization-id`: on every response, errors included."""
    return [
        (b"request-id", request_id.encode()),
        (b"anthropic-organization-id", organization_id.encode()),
    ]


def error_headers(error: ApiError) -> Headers:
    """The content type, `x-should-retry` and the error's own headers (such as `allow`)."""
    headers = [JSON, _RETRY[error.retryable]]
    headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in error.headers.items()]
    return headers
