"""Query parameters of `GET /v1/models`: what each accepted query means, each rejection's words.

Pinned here: the defaults (limit 20, `active` + `deprecated`); `limit` 1 to 1000 with pydantic's
leniency and messages; `lifecycle[]` and `lifecycle` as bits (active 1, deprecated 2, retired 4)
with positional errors; the first failing parameter in declaration order; repeated parameters;
empty cursors; both cursors; and how `parse_pairs` splits and percent-decodes a query.
"""

from __future__ import annotations

from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modeldir.errors import InvalidRequestError
from modeldir.wire.list_query import ListQuery, is_plain, parse_list_query, parse_pairs

ACTIVE, DEPRECATED, RETIRED = 1, 2, 4


def parsed(query: bytes) -> tuple[int, str | None, str | None, int]:
    result = parse_list_query(query)
    return result.limit, result.after_id, result.before_id, result.lifecycle_mask


def rejected(query: bytes) -> str:
    with pytest.raises(InvalidRequestError) as caught:
        parse_list_query(query)
    assert caught.value.status == 400
    return caught.value.message


# ---- accepted queries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (b"", (20, None, None, ACTIVE | DEPRECATED)),
        (b"&", (20, None, None, ACTIVE | DEPRECATED)),
        (b"beta=true", (20, None, None, ACTIVE | DEPRECATED)),
        (b"foo=bar&x", (20, None, None, ACTIVE | DEPRECATED)),
        (b"limit=1", (1, None, None, ACTIVE | DEPRECATED)),
        (b"limit=5", (5, None, None, ACTIVE | DEPRECATED)),
        (b"limit=1000", (1000, None, None, ACTIVE | DEPRECATED)),
        (b"limit=0005", (5, None, None, ACTIVE | DEPRECATED)),
        (b"limit=+5", (5, None, None, ACTIVE | DEPRECATED)),
        (b"limit=%2B5", (5, None, None, ACTIVE | DEPRECATED)),
        (b"limit=%205%20", (5, None, None, ACTIVE | DEPRECATED)),
        (b"limit=5.0", (5, None, None, ACTIVE | DEPRECATED)),
        (b"limit=7&limit=7", (7, None, None, ACTIVE | DEPRECATED)),
        (b"after_id=claude-x", (20, "claude-x", None, ACTIVE | DEPRECATED)),
        (b"before_id=claude-x", (20, None, "claude-x", ACTIVE | DEPRECATED)),
        (b"after_id=a%2Fb", (20, "a/b", None, ACTIVE | DEPRECATED)),
        (b"after_id=a+b", (20, "a b", None, ACTIVE | DEPRECATED)),
        (b"after_id=a%20b", (20, "a b", None, ACTIVE | DEPRECATED)),
        (b"after_id=mod%C3%A8le-%C3%BC", (20, "mod\u00e8le-\u00fc", None, ACTIVE | DEPRECATED)),
        (b"after_id=", (20, None, None, ACTIVE | DEPRECATED)),
        (b"after_id=&before_id=x", (20, None, "x", ACTIVE | DEPRECATED)),
        (b"before_id=&after_id=", (20, None, None, ACTIVE | DEPRECATED)),
        (b"lifecycle[]=active", (20, None, None, ACTIVE)),
        (b"lifecycle[]=retired", (20, None, None, RETIRED)),
        (b"lifecycle=deprecated", (20, None, None, DEPRECATED)),
        (b"lifecycle%5B%5D=retired", (20, None, None, RETIRED)),
        (b"lifecycle[]=retired&lifecycle=active", (20, None, None, RETIRED | ACTIVE)),
        (
            b"lifecycle[]=active&lifecycle[]=deprecated&lifecycle[]=retired",
            (20, None, None, ACTIVE | DEPRECATED | RETIRED),
        ),
        (b"lifecycle[]=retired&lifecycle[]=retired", (20, None, None, RETIRED)),
        (
            b"limit=3&lifecycle[]=retired&after_id=m&beta=true",
            (3, "m", None, RETIRED),
        ),
    ],
)
def test_accepted(query: bytes, expected: tuple[int, str | None, str | None, int]) -> None:
    assert parsed(query) == expected


def test_an_empty_query_is_the_default_query() -> None:
    assert parse_list_query(b"") == ListQuery(20, None, None, 3)


@settings(max_examples=150)
@given(
    limit=st.integers(1, 1000),
    lifecycles=st.lists(st.sampled_from(["active", "deprecated", "retired"]), max_size=3),
    cursor=st.sampled_from([None, "after_id", "before_id"]),
    cursor_id=st.text(min_size=1, max_size=12),
    data=st.data(),
)
def test_any_valid_query_in_any_order(
    limit: int,
    lifecycles: list[str],
    cursor: str | None,
    cursor_id: str,
    data: st.DataObject,
) -> None:
    params = [("limit", str(limit))] + [("lifecycle[]", value) for value in lifecycles]
    if cursor is not None:
        params.append((cursor, cursor_id))
    shuffled = data.draw(st.permutations(params))
    query = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in shuffled).encode()
    bits = {"active": ACTIVE, "deprecated": DEPRECATED, "retired": RETIRED}
    mask = 0
    for value in lifecycles:
        mask |= bits[value]
    assert parsed(query) == (
        limit,
        cursor_id if cursor == "after_id" else None,
        cursor_id if cursor == "before_id" else None,
        mask if lifecycles else ACTIVE | DEPRECATED,
    )


# ---- rejected queries ------------------------------------------------------------------------

NOT_AN_INTEGER = "limit: Input should be a valid integer, unable to parse string as an integer"
NOT_A_LIFECYCLE = "Input should be 'active', 'deprecated' or 'retired'"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (b"limit=0", "limit: Input should be greater than or equal to 1"),
        (b"limit=-1", "limit: Input should be greater than or equal to 1"),
        (b"limit=1001", "limit: Input should be less than or equal to 1000"),
        (b"limit=99999999999999999999", "limit: Input should be less than or equal to 1000"),
        (b"limit=abc", NOT_AN_INTEGER),
        (b"limit=", NOT_AN_INTEGER),
        (b"limit=1e1", NOT_AN_INTEGER),
        (b"limit=5.5", NOT_AN_INTEGER),
        (b"limit=1&limit=2", "limit: Input should be a single value, but the query gives several"),
        (
            b"after_id=a&after_id=b",
            "after_id: Input should be a single value, but the query gives several",
        ),
        (
            b"before_id=a&before_id=",
            "before_id: Input should be a single value, but the query gives several",
        ),
        (b"lifecycle[]=bogus", f"lifecycle.0: {NOT_A_LIFECYCLE}"),
        (b"lifecycle[]=active&lifecycle=bogus", f"lifecycle.1: {NOT_A_LIFECYCLE}"),
        (b"lifecycle[]=Active", f"lifecycle.0: {NOT_A_LIFECYCLE}"),
        (b"lifecycle[]=", f"lifecycle.0: {NOT_A_LIFECYCLE}"),
        (
            b"lifecycle[]=active&lifecycle[]=active&lifecycle[]=active&lifecycle[]=active",
            "lifecycle: List should have at most 3 items after validation, not 4",
        ),
        (
            b"after_id=a&before_id=b",
            "Only one of `before_id` and `after_id` may be given, not both.",
        ),
        # the first failing parameter in declaration order: before_id, after_id, limit, lifecycle
        (b"lifecycle[]=bogus&limit=0", "limit: Input should be greater than or equal to 1"),
        (b"limit=5&lifecycle[]=bogus", f"lifecycle.0: {NOT_A_LIFECYCLE}"),
    ],
)
def test_rejected(query: bytes, message: str) -> None:
    assert rejected(query) == message


# ---- parse_pairs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "pairs"),
    [
        (b"", []),
        (b"a=1&b=%20x+y", [("a", "1"), ("b", " x y")]),
        (b"&&a=1&&", [("a", "1")]),
        (b"flag&a=", [("flag", ""), ("a", "")]),
        (b"a=b=c", [("a", "b=c")]),
        (b"a=1&a=2", [("a", "1"), ("a", "2")]),
        (b"x%5B%5D=%2F", [("x[]", "/")]),
        (b"a+b=c%2Bd", [("a b", "c+d")]),
        (b"a=%C3%A8", [("a", "\u00e8")]),
        (b"a=%zz", [("a", "%zz")]),
        (b"lifecycle[]=active", [("lifecycle[]", "active")]),
    ],
)
def test_parse_pairs(query: bytes, pairs: list[tuple[str, str]]) -> None:
    assert parse_pairs(query) == pairs


@pytest.mark.parametrize(
    "query",
    [
        b"after_id=mod\xc3\xa8le",  # raw UTF-8, nothing percent-encoded
        b"after_id=mod%C3%A8le",
    ],
)
def test_parse_pairs_reads_raw_utf8_as_utf8_like_its_encoded_form(query: bytes) -> None:
    assert parse_pairs(query) == [("after_id", "mod\u00e8le")]


def test_raw_utf8_reads_the_same_with_or_without_an_encoded_space() -> None:
    plain = parse_pairs(b"after_id=mod\xc3\xa8le")[0][1]
    spaced = parse_pairs(b"after_id=mod\xc3\xa8le+")[0][1]
    assert spaced == "mod\u00e8le "
    assert plain + " " == spaced


TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=10)


@settings(max_examples=200)
@given(pairs=st.lists(st.tuples(TEXT.filter(bool), TEXT), max_size=5))
def test_parse_pairs_decodes_plus_and_percent_20_as_a_space(pairs: list[tuple[str, str]]) -> None:
    # `+` for spaces (form encoding) and `%20` for spaces (URI encoding) both read as a space
    plus = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs).encode()
    percent = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs).encode()
    assert parse_pairs(plus) == pairs
    assert parse_pairs(percent) == pairs


@pytest.mark.parametrize(
    ("query", "plain"),
    [
        (b"limit=20", True),
        (b"after_id=m-1&limit=5", True),
        (b"lifecycle[]=active&lifecycle[]=retired", True),
        (b"limit=20&pad=x", False),
        (b"limit=20&limit=20", False),
        (b"after_id=a%2Fb", False),
        (b"after_id=a+b", False),
        (b"beta=true&limit=20", True),
        (b"beta=yes&limit=20", False),
    ],
)
def test_only_plain_query_strings_may_key_a_cache_as_they_are(query: bytes, plain: bool) -> None:
    assert is_plain(query) is plain
