"""Browsing the catalogue from the live snapshot: filters, search, order and pages.

The snapshot keeps, per lifecycle filter, every list entry in list order (newest first) in a
`Chunked` list, so a page filtered by lifecycle alone is a slice at any catalogue size: no
request walks the catalogue. Other filters (search, line, capability, owner) walk that list from
the page's position only until the page is full. Capability trees and tails (lifecycle, dates,
line) are shared between models, so each distinct one is parsed once and remembered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any, Literal

import orjson

from modeldir.catalogue.access import EVERYTHING
from modeldir.catalogue.model_info import LIFECYCLES
from modeldir.catalogue.persistent import Chunked
from modeldir.catalogue.render import LIFECYCLE_BIT, Entry
from modeldir.catalogue.snapshot import Snapshot
from modeldir.console import search
from modeldir.console.model_form import CAPABILITY_LEAVES

PAGE_SIZE = 50
SCAN_BATCH = 1024
Order = Literal["newest", "oldest"]
ORDERS: tuple[Order, ...] = ("newest", "oldest")
OWNERS = ("anthropic", "organization")


@dataclass(frozen=True, slots=True)
class ModelQuery:
    """What the catalogue page asks for; every field comes from the page's query string."""

    lifecycles: frozenset[str] = frozenset()
    """Empty: every lifecycle."""
    search: str = ""
    line: str = ""
    capability: str = ""
    """A capability's path in the tree, `thinking` or `effort.high`: it must be supported."""
    owner: str = ""
    order: Order = "newest"
    start: int = 0

    @property
    def mask(self) -> int:
        """The lifecycle filter as the snapshot's mask (1 to 7)."""
        bits = sum(LIFECYCLE_BIT[name] for name in self.lifecycles)
        return bits or 7

    @property
    def narrowed(self) -> bool:
        """Whether anything beyond the lifecycle filter narrows the list (a walk is needed)."""
        return bool(self.search or self.line or self.capability or self.owner)

    @classmethod
    def of(cls, params: Callable[[str], list[str]], start: str | None) -> ModelQuery:
        """A query from the page's parameters; unknown values are ignored, not errors."""
        first = {name: (params(name) or [""])[0].strip() for name in _SINGLE}
        order = first["order"] if first["order"] in ORDERS else "newest"
        return cls(
            lifecycles=frozenset(v for v in params("lifecycle") if v in LIFECYCLES),
            search=first["q"][:256],
            line=first["line"],
            capability=first["capability"],
            owner=first["owner"] if first["owner"] in OWNERS else "",
            order=order,
            start=max(0, int(start)) if start and start.isdigit() else 0,
        )


_SINGLE = ("q", "line", "capability", "owner", "order")


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the catalogue table."""

    id: str
    model_id: str
    display_name: str
    created_at: str
    lifecycle: str
    line: str | None
    retires_at: str | None
    max_input_tokens: int | None

    @property
    def is_alias(self) -> bool:
        return self.id != self.model_id


@dataclass(frozen=True, slots=True)
class Listing:
    """A page of the catalogue and where the pages next to it start."""

    rows: list[Row]
    start: int
    next_start: int | None
    previous_start: int | None
    total: int | None
    """How many entries the lifecycle filter leaves; None when other filters narrow further
    (counting them would walk the whole catalogue)."""


def model_json(entry: Entry) -> dict[str, Any]:
    """An entry as data (what the Models API would return for it)."""
    return orjson.loads(entry.body())  # type: ignore[no-any-return]


def _row(entry: Entry) -> Row:
    data = model_json(entry)
    return Row(
        entry.id,
        entry.model_id,
        data["display_name"],
        data["created_at"],
        data["lifecycle"],
        data.get("line"),
        data.get("retires_at"),
        data.get("max_input_tokens"),
    )


@lru_cache(maxsize=4096)
def _tail(tail: bytes) -> dict[str, Any]:
    return orjson.loads(b"{" + tail[1:])  # type: ignore[no-any-return]


def tail_of(entry: Entry) -> dict[str, Any]:
    """An entry's lifecycle, dates, line and fallbacks, parsed once per distinct tail."""
    return _tail(entry.tail)


@lru_cache(maxsize=4096)
def _supports(capabilities: bytes, path: str) -> bool:
    node: Any = orjson.loads(capabilities)
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return isinstance(node, dict) and node.get("supported") is True


def _matcher(query: ModelQuery, anthropic: frozenset[str], needle: str) -> Callable[[Entry], bool]:
    """The test of the filters other than the lifecycle; `needle` is the search still to check
    (empty when the search index found the entries)."""

    def matches(entry: Entry) -> bool:
        if query.line and tail_of(entry).get("line") != query.line:
            return False
        if query.capability and not _supports(entry.capabilities, query.capability):
            return False
        if query.owner and (entry.model_id in anthropic) != (query.owner == "anthropic"):
            return False
        return not needle or search.matches(entry, needle)

    return matches


def _walk(entries: Chunked[Entry], start: int, order: Order) -> Iterator[tuple[int, Entry]]:
    """Entries from position `start` of the chosen order, with their positions, in batches."""
    total = len(entries)
    at = start
    while at < total:
        stop = min(at + SCAN_BATCH, total)
        if order == "newest":
            batch: Sequence[Entry] = entries.window(at, stop)
        else:
            batch = list(reversed(entries.window(total - stop, total - at)))
        for offset, entry in enumerate(batch):
            yield at + offset, entry
        at = stop


def _found(
    index: search.SearchIndex,
    snapshot: Snapshot,
    entries: Chunked[Entry],
    needle: bytes,
    mask: int,
    start: int,
    order: Order,
) -> Iterator[tuple[int, Entry]]:
    """`_walk`'s entries that the search matches, found by the index: the index covers the list
    of every entry, so each hit outside the lifecycle filter is passed over and the positions
    are placed in the filtered list by the entries' sort keys."""
    total = len(entries)
    newest = order == "newest"
    at = start if newest else total - 1 - start  # position in `entries`, newest first
    if not 0 <= at < total:
        return
    everything = index.listing(snapshot)
    begin = everything.position(entries.window(at, at + 1)[0].sort_key, after=False)
    for entry in index.hits(everything, needle, begin, order):
        if entry.lifecycle_bit & mask:
            position = entries.position(entry.sort_key, after=False)
            yield (position if newest else total - 1 - position), entry


@dataclass(frozen=True, slots=True)
class _Filtered:
    """A narrowed query over one lifecycle list: its matching entries either way from a place."""

    snapshot: Snapshot
    entries: Chunked[Entry]
    query: ModelQuery
    anthropic: frozenset[str]
    index: search.SearchIndex | None

    def matching(self, start: int, order: Order) -> Iterator[tuple[int, Entry]]:
        """The entries every filter keeps, from position `start` of `order` on."""
        query = self.query
        needle = search.searched(query.search) if self.index and query.search else None
        if self.index is not None and needle is not None:
            candidates = _found(
                self.index, self.snapshot, self.entries, needle, query.mask, start, order
            )
            matches = _matcher(query, self.anthropic, "")
        else:
            candidates = _walk(self.entries, start, order)
            matches = _matcher(query, self.anthropic, query.search.lower())
        return ((p, e) for p, e in candidates if matches(e))

    def previous_start(self, start: int, size: int) -> int | None:
        """Where the page before the one at `start` begins: `size` matches back (or the top)."""
        if start == 0:
            return None
        total = len(self.entries)
        backwards: Order = "oldest" if self.query.order == "newest" else "newest"
        earlier = [p for p, _ in islice(self.matching(total - start, backwards), size)]
        if not earlier:
            return None
        return total - 1 - earlier[-1] if len(earlier) == size else 0


def list_models(
    snapshot: Snapshot,
    query: ModelQuery,
    anthropic: frozenset[str] = frozenset(),
    size: int = PAGE_SIZE,
    index: search.SearchIndex | None = None,
) -> Listing:
    """The page of the catalogue a query asks for; a search uses `index` when given."""
    entries = snapshot.views[EVERYTHING].by_mask[query.mask]
    total = len(entries)
    start = min(query.start, total)
    if not query.narrowed:
        if query.order == "newest":
            found = list(entries.window(start, start + size))
        else:
            found = list(reversed(entries.window(total - start - size, total - start)))
        return Listing(
            [_row(e) for e in found],
            start,
            start + size if start + size < total else None,
            max(0, start - size) if start > 0 else None,
            total,
        )
    filtered = _Filtered(snapshot, entries, query, anthropic, index)
    rows: list[Row] = []
    next_start = None
    for position, entry in filtered.matching(start, query.order):
        if len(rows) == size:
            next_start = position
            break
        rows.append(_row(entry))
    return Listing(rows, start, next_start, filtered.previous_start(start, size), None)


CAPABILITY_PATHS = sorted({leaf.rsplit(".supported", 1)[0] for leaf in CAPABILITY_LEAVES})
"""Every capability that can be asked for, as a dotted path (from `Capabilities`)."""
