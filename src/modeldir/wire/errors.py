"""The API's error envelope (WIRE §10), in one place.

    {"type": "error", "error": {"type": "<error type>", "message": "..."}, "request_id": "req_..."}

Every failure anywhere in the server is one of these exceptions, rendered by `render`, sent
with `x-should-retry` by `error_headers`. The classes mirror the SDKs' exception tree: one per
status, the status and error type as class attributes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import orjson
from pydantic import ValidationError

logger = logging.getLogger("modeldir.wire")

ErrorType = Literal[
    "invalid_request_error",
    "authentication_error",
    "billing_error",
    "permission_error",
    "not_found_error",
    "rate_limit_error",
    "timeout_error",
    "api_error",
    "overloaded_error",
    "conflict_error",
]


class ApiError(Exception):
    """A failure with the status, error type and message the client receives."""

    status: ClassVar[int] = 500
    error_type: ClassVar[ErrorType] = "api_error"
    default_message: ClassVar[str] = "Internal server error"

    def __init__(
        self,
        message: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ):
        self.message = message or self.default_message
        self.headers = headers or {}
        self.details = details
        """Optional structured detail, sent as `error.details` (SDK 2.x reads this object)."""
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    @property
    def retryable(self) -> bool:
        """What `x-should-retry` says: the SDKs retry 408, 409, 429 and 5xx (WIRE §11)."""
        return should_retry(self.status)


class InvalidRequestError(ApiError):
    status = 400
    error_type = "invalid_request_error"
    default_message = "Invalid request"


class AuthenticationError(ApiError):
    status = 401
    error_type = "authentication_error"
    default_message = "Authentication error"


class PermissionDeniedError(ApiError):
    status = 403
    error_type = "permission_error"
    default_message = "Permission denied"


class NotFoundError(ApiError):
    status = 404
    error_type = "not_found_error"
    default_message = "Not Found"


class MethodNotAllowedError(ApiError):
    status = 405
    error_type = "invalid_request_error"
    default_message = "Method Not Allowed"


class ConflictError(ApiError):
    status = 409
    error_type = "conflict_error"
    default_message = "Conflict"


class StaleVersionError(ConflictError):
    """An `If-Match` that no longer matches: retrying the same request cannot succeed."""

    @property
    def retryable(self) -> bool:
        return False


class RateLimitError(ApiError):
    status = 429
    error_type = "rate_limit_error"
    default_message = "Rate limited"


class InternalServerError(ApiError):
    status = 500
    error_type = "api_error"
    default_message = "Internal server error"


class ServiceUnavailableError(ApiError):
    status = 503
    error_type = "api_error"
    default_message = "Service unavailable"


def should_retry(status: int) -> bool:
    """What `x-should-retry` says for a status: SDKs retry 408, 409, 429 and 5xx (WIRE §11)."""
    return status in (408, 409, 429) or status >= 500


def render(error: ApiError, request_id: str) -> bytes:
    """The envelope's bytes, keys in the observed order `type, error, request_id`."""
    detail: dict[str, Any] = {"type": error.error_type, "message": error.message}
    if error.details is not None:
        detail["details"] = error.details
    return orjson.dumps({"type": "error", "error": detail, "request_id": request_id})


def validation_message(error: ValidationError) -> str:
    """pydantic's first error in the API's words: `lifecycle.0: Input should be ...`."""
    first = error.errors(include_url=False)[0]
    location = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    return f"{location}: {message}" if location else message


def log_unexpected(scope: Mapping[str, Any], request_id: str) -> None:
    """Log the exception being handled with the request id (the client gets a bare 500)."""
    logger.exception(
        "unexpected error on %s %s request_id=%s", scope["method"], scope["path"], request_id
    )
