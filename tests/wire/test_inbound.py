"""The request headers modeldir reads, and the CORS check (the first of D10 after routing).

Pinned here: only the nine headers the Models API uses are kept, repeats are joined with `, `
in arrival order, every other header is dropped; a browser opts in only with `Origin` plus
`anthropic-dangerous-direct-browser-access: true`, and without the opt-in a request with
`Origin` is a 401 with the exact CORS message.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modeldir.errors import AuthenticationError
from modeldir.wire.admission import check_cors
from modeldir.wire.inbound import RequestHeaders

READ = [
    b"x-api-key",
    b"authorization",
    b"anthropic-version",
    b"anthropic-beta",
    b"anthropic-workspace-id",
    b"origin",
    b"anthropic-dangerous-direct-browser-access",
    b"access-control-request-method",
    b"access-control-request-headers",
]
IGNORED = [
    b"user-agent",
    b"x-stainless-lang",
    b"x-stainless-retry-count",
    b"content-type",
    b"accept",
    b"host",
    b"x-api-keys",
    b"anthropic-versions",
]
CORS_MESSAGE = "CORS requests must set 'anthropic-dangerous-direct-browser-access' header"


def test_read_keeps_the_headers_the_api_uses_and_drops_the_rest() -> None:
    headers = RequestHeaders.read(
        [
            (b"host", b"localhost"),
            (b"x-api-key", b"sk-1"),
            (b"user-agent", b"Anthropic/Python 2.12.0"),
            (b"x-stainless-lang", b"python"),
            (b"anthropic-version", b"2023-06-01"),
        ]
    )
    assert dict(headers) == {b"x-api-key": b"sk-1", b"anthropic-version": b"2023-06-01"}
    assert isinstance(headers, RequestHeaders)


def test_repeated_headers_are_joined_with_comma_space_in_order() -> None:
    headers = RequestHeaders.read(
        [
            (b"anthropic-beta", b"a"),
            (b"anthropic-version", b"2023-06-01"),
            (b"anthropic-beta", b"b,c"),
            (b"anthropic-version", b"2023-06-01"),
            (b"anthropic-beta", b""),
        ]
    )
    assert dict(headers) == {
        b"anthropic-beta": b"a, b,c, ",
        b"anthropic-version": b"2023-06-01, 2023-06-01",
    }


def test_reading_nothing_gives_no_headers() -> None:
    assert dict(RequestHeaders.read([])) == {}


@settings(max_examples=150)
@given(
    raw=st.lists(
        st.tuples(st.sampled_from(READ + IGNORED), st.binary(max_size=8)),
        max_size=12,
    )
)
def test_read_agrees_with_a_plain_join(raw: list[tuple[bytes, bytes]]) -> None:
    expected: dict[bytes, list[bytes]] = {}
    for name, value in raw:
        if name in READ:
            expected.setdefault(name, []).append(value)
    assert dict(RequestHeaders.read(raw)) == {
        name: b", ".join(values) for name, values in expected.items()
    }


@pytest.mark.parametrize(
    ("raw", "opted_in"),
    [
        (
            [
                (b"origin", b"https://a.example"),
                (b"anthropic-dangerous-direct-browser-access", b"true"),
            ],
            True,
        ),
        ([(b"origin", b""), (b"anthropic-dangerous-direct-browser-access", b"true")], True),
        ([(b"origin", b"https://a.example")], False),
        (
            [
                (b"origin", b"https://a.example"),
                (b"anthropic-dangerous-direct-browser-access", b"TRUE"),
            ],
            False,
        ),
        (
            [
                (b"origin", b"https://a.example"),
                (b"anthropic-dangerous-direct-browser-access", b"false"),
            ],
            False,
        ),
        (
            [
                (b"origin", b"https://a.example"),
                (b"anthropic-dangerous-direct-browser-access", b"1"),
            ],
            False,
        ),
        ([(b"anthropic-dangerous-direct-browser-access", b"true")], False),
        ([], False),
    ],
)
def test_browser_opted_in(raw: list[tuple[bytes, bytes]], opted_in: bool) -> None:
    assert RequestHeaders.read(raw).browser_opted_in is opted_in


@pytest.mark.parametrize(
    "raw",
    [
        [],
        [(b"x-api-key", b"sk-1")],
        [(b"anthropic-dangerous-direct-browser-access", b"false")],
        [
            (b"origin", b"https://a.example"),
            (b"anthropic-dangerous-direct-browser-access", b"true"),
        ],
    ],
)
def test_cors_passes_without_origin_or_with_the_opt_in(raw: list[tuple[bytes, bytes]]) -> None:
    check_cors(RequestHeaders.read(raw))


@pytest.mark.parametrize(
    "raw",
    [
        [(b"origin", b"https://a.example")],
        [(b"origin", b"null"), (b"anthropic-dangerous-direct-browser-access", b"True")],
        [(b"origin", b"https://a.example"), (b"anthropic-dangerous-direct-browser-access", b"")],
        [(b"origin", b"https://a.example"), (b"x-api-key", b"sk-all")],
    ],
)
def test_cors_without_the_opt_in_is_a_401(raw: list[tuple[bytes, bytes]]) -> None:
    with pytest.raises(AuthenticationError) as caught:
        check_cors(RequestHeaders.read(raw))
    assert caught.value.message == CORS_MESSAGE
    assert (caught.value.status, caught.value.error_type) == (401, "authentication_error")
