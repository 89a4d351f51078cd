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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from modeldir.errors import InvalidRequestError

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page starts: just after `after_id`, just before `before_id`, or at the start."""

    after_id: str | None = None
    before_id: str | None = None

    @property
    def backwards(self) -> bool:
        """The page ends just before the cursor rather than starting just after it."""
        return self.before_id is not None

    def unknown(self, noun: str) -> InvalidRequestError:
        """The 400 for a cursor that names nothing the caller may see."""
        if self.backwards:
            return InvalidRequestError(f"before_id: no {noun} with id `{self.before_id}`")
        return InvalidRequestError(f"after_id: no {noun} with id `{self.after_id}`")


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


def envelope(page: Page[T], id_of: Callable[[T], str], shape: Callable[[T], Any]) -> dict[str, Any]:
    """The list envelope (D18): exactly `data, has_more, first_id, last_id`, in that order.

    `shape` turns an item into what `data` holds; `id_of` gives the id the cursors name.
    """
    items = page.items
    return {
        "data": [shape(item) for item in items],
        "has_more": page.has_more,
        "first_id": id_of(items[0]) if items else None,
        "last_id": id_of(items[-1]) if items else None,
    }


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
