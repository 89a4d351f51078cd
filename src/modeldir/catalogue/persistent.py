"""Persistent structures for the snapshot: a change copies a little, never the whole catalogue.

`Chunked` keeps entries in list order in chunks of about a thousand. A new version shares every
chunk but the one a change touches, so one change to a million-entry list copies about a
thousand pointers instead of a million. Finding a position is two C-level bisects.

`Overlay` is a mapping made of a large dict shared between versions and a small dict of what
changed since; it folds the changes into a new dict once they grow past a bound, so the
occasional full copy is spread over thousands of changes.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
V = TypeVar("V")

CHUNK = 1024
"""Entries per chunk when a list is built; a chunk splits at twice this."""


class Chunked(Generic[T]):
    """Items sorted by a string key, stored in chunks, immutable: changes return a new version."""

    __slots__ = ("chunks", "firsts", "key", "length", "size", "starts")

    def __init__(self, chunks: list[list[T]], key: Callable[[T], str], size: int = CHUNK) -> None:
        self.chunks = chunks
        self.key = key
        self.size = size
        self.firsts = [key(chunk[0]) for chunk in chunks]
        starts, total = [], 0
        for chunk in chunks:
            starts.append(total)
            total += len(chunk)
        self.starts = starts
        self.length = total

    @classmethod
    def of(cls, ordered: Iterable[T], key: Callable[[T], str], size: int = CHUNK) -> Chunked[T]:
        """A chunked list of items already in order."""
        items = list(ordered)
        return cls([items[i : i + size] for i in range(0, len(items), size)], key, size)

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[T]:
        for chunk in self.chunks:
            yield from chunk

    def position(self, sort_key: str, *, after: bool) -> int:
        """Index of the first item whose key is above `sort_key` (after) or not below it."""
        chunk = bisect_right(self.firsts, sort_key) - 1
        if chunk < 0:
            return 0
        find = bisect_right if after else bisect_left
        return self.starts[chunk] + find(self.chunks[chunk], sort_key, key=self.key)

    def window(self, start: int, stop: int) -> Sequence[T]:
        """Items `start` to `stop` (as a slice would give them)."""
        start, stop = max(start, 0), min(stop, self.length)
        if start >= stop:
            return []
        chunk = bisect_right(self.starts, start) - 1
        offset = start - self.starts[chunk]
        first = self.chunks[chunk]
        if offset + (stop - start) <= len(first):  # the common case: one chunk
            return first[offset : offset + (stop - start)]
        found = first[offset:]
        for later in self.chunks[chunk + 1 :]:
            found += later[: stop - start - len(found)]
            if len(found) >= stop - start:
                break
        return found

    def _chunk_for(self, sort_key: str) -> int:
        return max(0, bisect_right(self.firsts, sort_key) - 1)

    def inserted(self, item: T) -> Chunked[T]:
        """A new version with `item` in its place."""
        if not self.chunks:
            return Chunked([[item]], self.key, self.size)
        index = self._chunk_for(self.key(item))
        chunk = list(self.chunks[index])
        insort(chunk, item, key=self.key)
        size = self.size
        replacement = [chunk] if len(chunk) <= 2 * size else [chunk[:size], chunk[size:]]
        chunks = [*self.chunks[:index], *replacement, *self.chunks[index + 1 :]]
        return Chunked(chunks, self.key, size)

    def removed(self, sort_key: str) -> Chunked[T]:
        """A new version without the item of this key (the same version if there is none)."""
        if not self.chunks:
            return self
        index = self._chunk_for(sort_key)
        chunk = self.chunks[index]
        at = bisect_left(chunk, sort_key, key=self.key)
        if at >= len(chunk) or self.key(chunk[at]) != sort_key:
            return self
        rest = chunk[:at] + chunk[at + 1 :]
        replacement = [rest] if rest else []
        chunks = [*self.chunks[:index], *replacement, *self.chunks[index + 1 :]]
        return Chunked(chunks, self.key, self.size)


_REMOVED = object()


class Overlay(Mapping[str, V]):
    """A mapping: a dict shared between versions, plus the changes made since it was taken."""

    __slots__ = ("base", "changes", "fold_at")

    def __init__(
        self, base: dict[str, V], changes: dict[str, object] | None = None, fold_at: int = 4096
    ) -> None:
        self.base = base
        self.changes: dict[str, object] = changes or {}
        self.fold_at = fold_at

    def get(self, key: str, default: V | None = None) -> V | None:  # type: ignore[override]
        changes = self.changes
        if changes and key in changes:
            value = changes[key]
            return default if value is _REMOVED else value  # type: ignore[return-value]
        return self.base.get(key, default)

    def __getitem__(self, key: str) -> V:
        value = self.get(key, _REMOVED)  # type: ignore[arg-type]
        if value is _REMOVED:
            raise KeyError(key)
        return value  # type: ignore[return-value]

    def __contains__(self, key: object) -> bool:
        return self.get(key, _REMOVED) is not _REMOVED  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[str]:
        changes = self.changes
        for key in self.base:
            if key not in changes:
                yield key
        for key, value in changes.items():
            if value is not _REMOVED:
                yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def updated(self, sets: Mapping[str, V], removals: Iterable[str] = ()) -> Overlay[V]:
        """A new version with `sets` set and `removals` removed."""
        changes = {**self.changes, **sets}
        for key in removals:
            changes[key] = _REMOVED
        if len(changes) < self.fold_at:
            return Overlay(self.base, changes, self.fold_at)
        base = dict(self.base)  # fold: one full copy every `fold_at` changes
        for key, value in changes.items():
            if value is _REMOVED:
                base.pop(key, None)
            else:
                base[key] = value  # type: ignore[assignment]
        return Overlay(base, None, self.fold_at)
