"""Cursor pagination (WIRE §5.1), in one place.

A page is cut from a *window*: up to `limit + 1` items next to the cursor, in list order, that
start just after it (forwards) or end just before it (backwards). The extra item only says
whether more exist in that direction. The snapshot's lists bisect to find their window
(`select_page` over `ordered.Chunked`); database lists fetch theirs with one keyset query
(`store/sql.py`). Either way this module alone decides what a page holds and what `has_more`
says.

Cursors are positions, not items: the cursor's own item may be gone (deleted, or filtered out by
lifecycle) and the page still starts exactly where it stood.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    has_more: bool
    """More items exist in the direction asked for (after the page, or before it for `before`)."""


def page_from_window(window: Sequence[T], limit: int, *, backwards: bool) -> Page[T]:
    """The page in a window of up to `limit + 1` items beside the cursor, in list order.

    A backwards page keeps list order (newest first) and ends just before the cursor, because the
    SDKs walk backwards by sending each page's `first_id` as the next `before_id`.
    """
    has_more = len(window) > limit
    if not has_more:
        return Page(window, has_more=False)
    return Page(window[1:] if backwards else window[:limit], has_more=True)


class Ordered(Protocol[T_co]):
    """Items in list order that can be bisected by sort key and sliced (see ordered.py)."""

    def __len__(self) -> int: ...

    def position(self, sort_key: str, *, after: bool) -> int:
        """Index of the first item whose key is above `sort_key` (after) or not below it."""
        ...

    def window(self, start: int, stop: int) -> Sequence[T_co]:
        """Items `start` to `stop`, as a slice would give them."""
        ...


def select_page(
    items: Ordered[T],
    limit: int,
    after: str | None = None,
    before: str | None = None,
) -> Page[T]:
    """The page of `limit` items after `after`, before `before`, or from the start."""
    if before is not None:
        end = items.position(before, after=False)
        return page_from_window(items.window(end - limit - 1, end), limit, backwards=True)
    start = 0 if after is None else items.position(after, after=True)
    return page_from_window(items.window(start, start + limit + 1), limit, backwards=False)
