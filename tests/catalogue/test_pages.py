"""The cursor contract of WIRE §5.1, on plain ordered sequences; cursors' 400s; the envelope."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modeldir.catalogue.pages import Cursor, Page, envelope, select_page
from modeldir.catalogue.persistent import Chunked
from modeldir.errors import InvalidRequestError

NINE = [f"m{i}" for i in range(9)]


def chunked(items: list[str], size: int = 2) -> Chunked[str]:
    """Small chunks, so that pages cross chunk boundaries."""
    return Chunked.of(items, str, size)


def page(limit: int, after: str | None = None, before: str | None = None) -> tuple[list[str], bool]:
    result = select_page(chunked(NINE), limit, after=after, before=before)
    return list(result.items), result.has_more


def test_first_page() -> None:
    assert page(4) == (["m0", "m1", "m2", "m3"], True)


def test_after_cursor_starts_just_past_it() -> None:
    assert page(4, after="m3") == (["m4", "m5", "m6", "m7"], True)


def test_last_page_has_no_more() -> None:
    assert page(4, after="m7") == (["m8"], False)


def test_after_the_last_item_is_empty() -> None:
    assert page(20, after="m8") == ([], False)


def test_before_cursor_keeps_list_order_and_ends_just_before_it() -> None:
    assert page(4, before="m8") == (["m4", "m5", "m6", "m7"], True)


def test_before_reaching_the_start_has_no_more() -> None:
    assert page(4, before="m4") == (["m0", "m1", "m2", "m3"], False)


def test_before_the_first_item_is_empty() -> None:
    assert page(20, before="m0") == ([], False)


def test_exactly_full_page_has_no_more() -> None:
    assert page(9) == (NINE, False)


def test_cursor_that_is_not_in_the_list_keeps_its_position() -> None:
    # "m45" sorts between m4 and m5: a deleted item keeps its place.
    assert page(2, after="m45") == (["m5", "m6"], True)
    assert page(2, before="m45") == (["m3", "m4"], True)


@given(
    items=st.lists(st.text(min_size=1, max_size=4), unique=True).map(sorted),
    limit=st.integers(1, 12),
    size=st.integers(1, 5),
)
def test_forward_walk_returns_every_item_once_in_order(
    items: list[str], limit: int, size: int
) -> None:
    seen: list[str] = []
    after = None
    while True:  # the SDK's loop: follow last_id until has_more is false or the page is empty
        result = select_page(chunked(items, size), limit, after=after)
        seen += result.items
        if not result.has_more or not result.items:
            break
        after = result.items[-1]
    assert seen == items


@given(
    items=st.lists(st.text(min_size=1, max_size=4), unique=True, min_size=1).map(sorted),
    limit=st.integers(1, 12),
    size=st.integers(1, 5),
    data=st.data(),
)
def test_backward_walk_returns_every_earlier_item_once(
    items: list[str], limit: int, size: int, data: st.DataObject
) -> None:
    start = data.draw(st.sampled_from(items))
    pages: list[list[str]] = []
    before = start
    while True:  # walking back: follow first_id while has_more is true
        result = select_page(chunked(items, size), limit, before=before)
        pages.append(list(result.items))
        if not result.has_more or not result.items:
            break
        before = result.items[0]
    assert [item for chunk in reversed(pages) for item in chunk] == items[: items.index(start)]
    assert all(len(chunk) == limit for chunk in pages[:-1])


# ---- cursors ---------------------------------------------------------------------------------


def test_a_cursor_goes_backwards_only_with_before_id() -> None:
    assert Cursor().backwards is False
    assert Cursor(after_id="m3").backwards is False
    assert Cursor(before_id="m3").backwards is True
    assert Cursor(after_id="", before_id=None).backwards is False
    assert Cursor(before_id="").backwards is True


@pytest.mark.parametrize(
    ("cursor", "noun", "message"),
    [
        (Cursor(after_id="m3"), "model", "after_id: no model with id `m3`"),
        (Cursor(before_id="m3"), "model", "before_id: no model with id `m3`"),
        (Cursor(after_id="a/b"), "workspace", "after_id: no workspace with id `a/b`"),
        (Cursor(before_id="wrkspc_1"), "API key", "before_id: no API key with id `wrkspc_1`"),
        (Cursor(after_id="x", before_id="y"), "model", "before_id: no model with id `y`"),
    ],
)
def test_an_unknown_cursor_is_a_400_naming_it(cursor: Cursor, noun: str, message: str) -> None:
    error = cursor.unknown(noun)
    assert isinstance(error, InvalidRequestError)
    assert (error.status, error.error_type, error.message) == (
        400,
        "invalid_request_error",
        message,
    )


# ---- the envelope ----------------------------------------------------------------------------


def test_the_envelope_of_an_empty_page() -> None:
    result = envelope(Page([], has_more=False), str.upper, str.upper)
    assert result == {"data": [], "has_more": False, "first_id": None, "last_id": None}
    assert list(result) == ["data", "has_more", "first_id", "last_id"]


def test_the_envelope_shapes_items_and_names_the_ends() -> None:
    items = [("b", 1), ("a", 2), ("c", 3)]
    result = envelope(Page(items, has_more=True), lambda i: i[0], lambda i: i[1] * 10)
    assert result == {"data": [10, 20, 30], "has_more": True, "first_id": "b", "last_id": "c"}
    assert list(result) == ["data", "has_more", "first_id", "last_id"]


@settings(max_examples=100)
@given(items=st.lists(st.text(max_size=4)), has_more=st.booleans())
def test_the_envelope_is_always_exactly_four_keys(items: list[str], has_more: bool) -> None:
    result = envelope(Page(items, has_more=has_more), lambda s: f"id-{s}", lambda s: [s])
    assert list(result) == ["data", "has_more", "first_id", "last_id"]
    assert result == {
        "data": [[s] for s in items],
        "has_more": has_more,
        "first_id": f"id-{items[0]}" if items else None,
        "last_id": f"id-{items[-1]}" if items else None,
    }
