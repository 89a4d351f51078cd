"""The cursor contract of WIRE §5.1, on plain ordered sequences."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from modeldir.catalogue.ordered import Chunked
from modeldir.catalogue.pages import select_page

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
