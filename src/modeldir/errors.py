"""Every failure modeldir reports, over HTTP or at the command line: one tree, read top-down.

Each class fixes what a client sees (the HTTP status and the error type of WIRE §10), whether it
should retry (`x-should-retry`, WIRE §11) and the exit status of the `modeldir` command. The tree
is the SDKs' exception tree turned around: one class per status, with nothing but class
attributes. `render` alone writes the envelope

    {"type": "error", "error": {"type": "<error type>", "message": "..."}, "request_id": "req_..."}

and `error_for_status` maps a status back to its class, so the admin client raises what the
server rendered. This module imports nothing else from modeldir: every layer may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import orjson
from pydantic import ValidationError

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
    "request_too_large",
]

# Exit statuses of the `modeldir` command (2 is click's own, for a usage error).
EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_CONFLICT = 4
EXIT_DENIED = 5
EXIT_UNAVAILABLE = 6
EXIT_UPSTREAM = 7


class ApiError(Exception):
    """A failure with the status, error type and message the client receives."""

    status: ClassVar[int] = 500
    error_type: ClassVar[ErrorType] = "api_error"
    default_message: ClassVar[str] = "Internal server error"
    exit_code: ClassVar[int] = EXIT_UNAVAILABLE
    openai_type: ClassVar[str] = "server_error"
    """The error's `type` in OpenAI's envelope (the OpenAI-format view)."""
    openai_code: ClassVar[str | None] = None
    """The error's `code` in OpenAI's envelope, which the OpenAI SDKs and tools match on."""

    def __init__(
        self,
        message: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ):
        self.message = message or self.default_message
        self.headers = headers or {}
        """Extra response headers, such as `allow` or `retry-after`."""
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
    exit_code = EXIT_INVALID
    openai_type = "invalid_request_error"


class AuthenticationError(ApiError):
    status = 401
    error_type = "authentication_error"
    default_message = "Authentication error"
    exit_code = EXIT_DENIED
    openai_type = "invalid_request_error"
    openai_code = "invalid_api_key"


class PermissionDeniedError(ApiError):
    status = 403
    error_type = "permission_error"
    default_message = "Permission denied"
    exit_code = EXIT_DENIED
    openai_type = "invalid_request_error"
    openai_code = "insufficient_permissions"


class NotFoundError(ApiError):
    status = 404
    error_type = "not_found_error"
    default_message = "Not Found"
    exit_code = EXIT_NOT_FOUND
    openai_type = "invalid_request_error"
    openai_code = "model_not_found"


class MethodNotAllowedError(ApiError):
    status = 405
    error_type = "invalid_request_error"
    default_message = "Method Not Allowed"
    exit_code = EXIT_INVALID
    openai_type = "invalid_request_error"
    openai_code = "method_not_allowed"


class ConflictError(ApiError):
    status = 409
    error_type = "conflict_error"
    default_message = "Conflict"
    exit_code = EXIT_CONFLICT
    openai_type = "invalid_request_error"
    openai_code = "conflict"


class StaleVersionError(ConflictError):
    """An `If-Match` that no longer matches: retrying the same request cannot succeed."""

    @property
    def retryable(self) -> bool:
        return False


class RequestTooLargeError(ApiError):
    status = 413
    error_type = "request_too_large"
    default_message = "Request too large"
    exit_code = EXIT_INVALID
    openai_type = "invalid_request_error"
    openai_code = "request_too_large"


class RateLimitError(ApiError):
    status = 429
    error_type = "rate_limit_error"
    default_message = "Rate limited"
    exit_code = EXIT_UNAVAILABLE
    openai_type = "requests"
    openai_code = "rate_limit_exceeded"


class InternalServerError(ApiError):
    status = 500
    error_type = "api_error"
    default_message = "Internal server error"
    exit_code = EXIT_UNAVAILABLE


class UpstreamError(ApiError):
    """Another Models API (a sync's source) failed or answered what cannot be used."""

    status = 502
    error_type = "api_error"
    default_message = "The upstream Models API failed"
    exit_code = EXIT_UPSTREAM


class ServiceUnavailableError(ApiError):
    status = 503
    error_type = "api_error"
    default_message = "Service unavailable"
    exit_code = EXIT_UNAVAILABLE


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, at a location such as `models[3].created_at`."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class InvalidCatalogue(InvalidRequestError):
    """A catalogue document with problems: all of them, in the message and in `details`."""

    SHOWN: ClassVar[int] = 20

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "; ".join(map(str, problems[: self.SHOWN]))
        more = f"; and {len(problems) - self.SHOWN} more" if len(problems) > self.SHOWN else ""
        super().__init__(
            f"invalid catalogue: {len(problems)} problem(s): {shown}{more}",
            details={
                "problems": [{"location": p.location, "message": p.message} for p in problems]
            },
        )


_BY_STATUS: dict[int, type[ApiError]] = {
    cls.status: cls
    for cls in (
        InvalidRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        MethodNotAllowedError,
        ConflictError,
        RequestTooLargeError,
        RateLimitError,
        InternalServerError,
        UpstreamError,
        ServiceUnavailableError,
    )
}


def error_for_status(status: int) -> type[ApiError]:
    """The class a status was rendered from; other 4xx read as invalid, other 5xx as internal."""
    found = _BY_STATUS.get(status)
    if found is not None:
        return found
    return InternalServerError if status >= 500 else InvalidRequestError


def should_retry(status: int) -> bool:
    """What `x-should-retry` says for a status: SDKs retry 408, 409, 429 and 5xx (WIRE §11)."""
    return status in (408, 409, 429) or status >= 500


def render(error: ApiError, request_id: str) -> bytes:
    """The envelope's bytes, keys in the observed order `type, error, request_id`."""
    detail: dict[str, Any] = {"type": error.error_type, "message": error.message}
    if error.details is not None:
        detail["details"] = error.details
    return orjson.dumps({"type": "error", "error": detail, "request_id": request_id})


def render_openai(error: ApiError) -> bytes:
    """The same error in OpenAI's envelope: `{"error": {"message", "type", "param", "code"}}`."""
    detail = {
        "message": error.message,
        "type": error.openai_type,
        "param": None,
        "code": error.openai_code,
    }
    return orjson.dumps({"error": detail})


def problems_of(error: ValidationError, prefix: str = "") -> list[Problem]:
    """Each pydantic error as a problem at `prefix` + its location, e.g. `models[3].id`."""
    problems = []
    for item in error.errors(include_url=False):
        location = prefix
        for part in item["loc"]:
            location += f"[{part}]" if isinstance(part, int) else f".{part}" if location else part
        message = item["msg"].removeprefix("Value error, ")
        problems.append(Problem(location, message))
    return problems


def validation_message(error: ValidationError) -> str:
    """pydantic's first error in the API's words: `lifecycle.0: Input should be ...`."""
    first = error.errors(include_url=False)[0]
    location = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    return f"{location}: {message}" if location else message
