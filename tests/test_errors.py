"""The one error tree: what each class tells a client and the shell, and the envelope it renders.

Pinned here: each class's status, error type, default message, exit status and `retryable`; the
envelope's exact bytes and key order; the status-to-class mapping the admin client relies on;
`x-should-retry`; and how pydantic's errors become `Problem`s and one-line messages.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError, field_validator, model_validator

from modeldir.errors import (
    ApiError,
    AuthenticationError,
    ConflictError,
    InternalServerError,
    InvalidCatalogue,
    InvalidRequestError,
    MethodNotAllowedError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    RateLimitError,
    RequestTooLargeError,
    ServiceUnavailableError,
    StaleVersionError,
    UpstreamError,
    error_for_status,
    problems_of,
    render,
    should_retry,
    validation_message,
)

# class, status, error type, default message, exit status, retryable
TREE: list[tuple[type[ApiError], int, str, str, int, bool]] = [
    (ApiError, 500, "api_error", "Internal server error", 6, True),
    (InvalidRequestError, 400, "invalid_request_error", "Invalid request", 1, False),
    (AuthenticationError, 401, "authentication_error", "Authentication error", 5, False),
    (PermissionDeniedError, 403, "permission_error", "Permission denied", 5, False),
    (NotFoundError, 404, "not_found_error", "Not Found", 3, False),
    (MethodNotAllowedError, 405, "invalid_request_error", "Method Not Allowed", 1, False),
    (ConflictError, 409, "conflict_error", "Conflict", 4, True),
    (StaleVersionError, 409, "conflict_error", "Conflict", 4, False),
    (RateLimitError, 429, "rate_limit_error", "Rate limited", 6, True),
    (InternalServerError, 500, "api_error", "Internal server error", 6, True),
    (ServiceUnavailableError, 503, "api_error", "Service unavailable", 6, True),
    (UpstreamError, 502, "api_error", "The upstream Models API failed", 7, True),
]


@pytest.mark.parametrize(
    ("cls", "status", "error_type", "message", "exit_code", "retryable"),
    TREE,
    ids=[row[0].__name__ for row in TREE],
)
def test_each_class_fixes_what_the_client_and_the_shell_see(
    cls: type[ApiError],
    status: int,
    error_type: str,
    message: str,
    exit_code: int,
    retryable: bool,
) -> None:
    error = cls()
    assert (error.status, error.error_type, error.exit_code) == (status, error_type, exit_code)
    assert error.message == message
    assert str(error) == message
    assert error.retryable is retryable
    assert error.headers == {}
    assert error.details is None
    assert isinstance(error, ApiError)


def test_a_message_headers_and_details_are_kept() -> None:
    error = NotFoundError(
        "model: claude-x", headers={"retry-after": "3"}, details={"id": "claude-x"}
    )
    assert error.message == "model: claude-x"
    assert str(error) == "model: claude-x"
    assert error.headers == {"retry-after": "3"}
    assert error.details == {"id": "claude-x"}
    assert repr(error) == "NotFoundError('model: claude-x')"


def test_an_empty_message_falls_back_to_the_default() -> None:
    assert NotFoundError("").message == "Not Found"


def test_a_stale_version_is_a_conflict_that_must_not_be_retried() -> None:
    error = StaleVersionError("version 3 is not 4")
    assert isinstance(error, ConflictError)
    assert error.status == 409
    assert error.retryable is False
    assert ConflictError("x").retryable is True


def test_invalid_catalogue_is_an_invalid_request() -> None:
    error = InvalidCatalogue([Problem("models[0].id", "must be 1 to 256 characters")])
    assert isinstance(error, InvalidRequestError)
    assert (error.status, error.error_type, error.exit_code) == (400, "invalid_request_error", 1)


# ---- the envelope ----------------------------------------------------------------------------


def test_render_writes_the_exact_envelope_bytes() -> None:
    assert render(NotFoundError("model: claude-x"), "req_01abc") == (
        b'{"type":"error","error":{"type":"not_found_error","message":"model: claude-x"},'
        b'"request_id":"req_01abc"}'
    )


def test_render_adds_details_after_the_message() -> None:
    body = render(ConflictError("taken", details={"id": "w1", "n": [1, 2]}), "req_x")
    parsed = json.loads(body)
    assert parsed == {
        "type": "error",
        "error": {
            "type": "conflict_error",
            "message": "taken",
            "details": {"id": "w1", "n": [1, 2]},
        },
        "request_id": "req_x",
    }
    assert list(parsed) == ["type", "error", "request_id"]
    assert list(parsed["error"]) == ["type", "message", "details"]


@settings(max_examples=100)
@given(
    row=st.sampled_from(TREE),
    message=st.text(min_size=1, max_size=40),
    request_id=st.text(max_size=30),
)
def test_render_parses_back_to_the_envelope(
    row: tuple[type[ApiError], int, str, str, int, bool], message: str, request_id: str
) -> None:
    cls, _, error_type, _, _, _ = row
    parsed = json.loads(render(cls(message), request_id))
    assert parsed == {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": request_id,
    }
    assert list(parsed) == ["type", "error", "request_id"]
    assert list(parsed["error"]) == ["type", "message"]


# ---- status mapping and retries --------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, InvalidRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (405, MethodNotAllowedError),
        (409, ConflictError),
        (413, RequestTooLargeError),
        (429, RateLimitError),
        (500, InternalServerError),
        (503, ServiceUnavailableError),
        (502, UpstreamError),
        # statuses without a class of their own
        (408, InvalidRequestError),
        (418, InvalidRequestError),
        (422, InvalidRequestError),
        (501, InternalServerError),
        (504, InternalServerError),
        (529, InternalServerError),
    ],
)
def test_error_for_status(status: int, cls: type[ApiError]) -> None:
    assert error_for_status(status) is cls


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (405, False),
        (408, True),
        (409, True),
        (413, False),
        (422, False),
        (429, True),
        (499, False),
        (500, True),
        (503, True),
        (529, True),
        (599, True),
    ],
)
def test_should_retry_table(status: int, retry: bool) -> None:
    assert should_retry(status) is retry


@given(status=st.integers(400, 599))
@settings(max_examples=200)
def test_should_retry_is_408_409_429_and_every_5xx(status: int) -> None:
    expected = status in {408, 409, 429} or 500 <= status <= 599
    assert should_retry(status) is expected


# ---- problems --------------------------------------------------------------------------------


def test_a_problem_reads_location_colon_message() -> None:
    assert str(Problem("models[3].created_at", "bad date")) == "models[3].created_at: bad date"
    assert str(Problem("", "no models")) == "no models"


def test_invalid_catalogue_lists_every_problem_in_message_and_details() -> None:
    problems = [Problem("models[0].id", "too long"), Problem("", "no models")]
    error = InvalidCatalogue(problems)
    assert error.problems == problems
    assert error.message == "invalid catalogue: 2 problem(s): models[0].id: too long; no models"
    assert error.details == {
        "problems": [
            {"location": "models[0].id", "message": "too long"},
            {"location": "", "message": "no models"},
        ]
    }


def test_invalid_catalogue_shows_twenty_problems_and_counts_the_rest() -> None:
    problems = [Problem(f"models[{i}].id", "bad") for i in range(23)]
    error = InvalidCatalogue(problems)
    shown = "; ".join(f"models[{i}].id: bad" for i in range(20))
    assert error.message == f"invalid catalogue: 23 problem(s): {shown}; and 3 more"
    assert error.details is not None
    assert len(error.details["problems"]) == 23


def test_invalid_catalogue_with_exactly_twenty_problems_has_no_tail() -> None:
    problems = [Problem(f"p{i}", "bad") for i in range(20)]
    shown = "; ".join(f"p{i}: bad" for i in range(20))
    assert InvalidCatalogue(problems).message == f"invalid catalogue: 20 problem(s): {shown}"


class _Item(BaseModel):
    id: str
    created_at: int

    @field_validator("id")
    @classmethod
    def _not_bad(cls, value: str) -> str:
        if value == "bad":
            raise ValueError("id is bad")
        return value


class _Doc(BaseModel):
    models: list[_Item]

    @model_validator(mode="after")
    def _some(self) -> _Doc:
        if not self.models:
            raise ValueError("no models")
        return self


def _error(model: type[BaseModel], data: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return caught.value


def test_problems_of_locates_each_error_with_indexes_in_brackets() -> None:
    error = _error(
        _Doc, {"models": [{"id": "a", "created_at": 1}, {"id": "bad", "created_at": "x"}]}
    )
    assert problems_of(error) == [
        Problem("models[1].id", "id is bad"),
        Problem(
            "models[1].created_at",
            "Input should be a valid integer, unable to parse string as an integer",
        ),
    ]


def test_problems_of_puts_the_prefix_first() -> None:
    error = _error(_Doc, {"models": [{"id": "bad", "created_at": 1}]})
    assert problems_of(error, "catalogue") == [Problem("catalogue.models[0].id", "id is bad")]


def test_problems_of_a_whole_document_error_has_no_location() -> None:
    assert problems_of(_error(_Doc, {"models": []})) == [Problem("", "no models")]
    assert problems_of(_error(_Doc, {"models": []}), "doc") == [Problem("doc", "no models")]


def test_problems_of_a_top_level_list() -> None:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(list[int]).validate_python([1, "x"])
    assert problems_of(caught.value) == [
        Problem("[1]", "Input should be a valid integer, unable to parse string as an integer")
    ]


def test_validation_message_is_the_first_error_with_a_dotted_location() -> None:
    error = _error(_Doc, {"models": [{"id": "bad", "created_at": "x"}]})
    assert validation_message(error) == "models.0.id: id is bad"


def test_validation_message_without_location_is_the_bare_message() -> None:
    assert validation_message(_error(_Doc, {"models": []})) == "no models"
