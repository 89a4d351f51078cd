"""Searching the catalogue by id or display name at C speed: one text per chunk of the list.

The snapshot's list of every entry (`Chunked`) is made of chunks of about a thousand entries
that new snapshots share unless a change touched them. For each chunk this keeps one bytes
object, a line per entry: its id and display name, lower-cased, UTF-8. A search is then one
`bytes.find` per chunk (a chunk without the needle costs one call), and a hit's entry is the
number of line ends before it. Texts are kept by chunk, so after a change only the chunk it
touched is read again; the first search of a catalogue builds them all (about 2 s at a million
models), which `warm_soon` does ahead of time in a thread of its own when the catalogue page is
first shown. Each worker process keeps its own.

Memory: the ids and names once more, as UTF-8 (about 35 MB at a million models).
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_right
from collections.abc import Iterator
from typing import Literal

import orjson

from modeldir.catalogue.access import EVERYTHING
from modeldir.catalogue.persistent import Chunked
from modeldir.catalogue.render import Entry
from modeldir.catalogue.snapshot import Snapshot

_CAPABILITIES_KEY = b',"capabilities":'
FIELD, LINE = b"\x00", b"\n"
"""What separates an id from its name, and one entry from the next, in a chunk's text."""


def display_name(entry: Entry) -> str:
    """An entry's display name, read from the head of its JSON."""
    head = orjson.loads(entry.head[: -len(_CAPABILITIES_KEY)] + b"}")
    return str(head["display_name"])


def searched(needle: str) -> bytes | None:
    """What a search looks for in the texts; None when it holds a separator (then no line
    can hold it either, but the id/name boundary could: the caller walks the list instead)."""
    text = needle.lower().encode()
    return None if FIELD in text or LINE in text else text


def matches(entry: Entry, needle: str) -> bool:
    """Whether an entry's id or display name holds `needle` (lower-case), ignoring case."""
    return needle in entry.id.lower() or needle in display_name(entry).lower()


def _text(chunk: list[Entry]) -> bytes:
    # A line end inside a name becomes a field separator: no needle that uses the index holds
    # one, so it stays a barrier and the lines stay one per entry.
    lines = [f"{e.id}\x00{display_name(e)}".replace("\n", "\x00").lower() for e in chunk]
    lines.append("")
    return "\n".join(lines).encode()


class SearchIndex:
    """The texts of the chunks of the list of every entry, kept by chunk."""

    def __init__(self) -> None:
        self._texts: dict[int, tuple[list[Entry], bytes]] = {}
        """By `id(chunk)`: the chunk itself (so its id is not reused while kept) and its text."""
        self._followed: Chunked[Entry] | None = None
        self._warmed: Chunked[Entry] | None = None
        self._lock = threading.Lock()

    @staticmethod
    def listing(snapshot: Snapshot) -> Chunked[Entry]:
        """The list the index covers: every entry, newest first."""
        return snapshot.views[EVERYTHING].by_mask[7]

    def text(self, chunk: list[Entry]) -> bytes:
        """A chunk's text, made on first use."""
        kept = self._texts.get(id(chunk))
        if kept is None:
            kept = self._texts[id(chunk)] = (chunk, _text(chunk))
        return kept[1]

    def kept(self) -> int:
        """How many chunks' texts are kept."""
        return len(self._texts)

    def follow(self, listing: Chunked[Entry]) -> None:
        """Forget the texts of chunks that left the list (cheap; skipped while warming)."""
        if listing is self._followed or not self._lock.acquire(blocking=False):
            return
        try:
            kept = self._texts
            self._texts = {id(c): kept[id(c)] for c in listing.chunks if id(c) in kept}
            self._followed = listing
        finally:
            self._lock.release()

    def warm(self, listing: Chunked[Entry]) -> None:
        """Make the text of every chunk of a list, forgetting the others."""
        with self._lock:
            kept, made = self._texts, {}
            for chunk in listing.chunks:
                made[id(chunk)] = kept.get(id(chunk)) or (chunk, _text(chunk))
                time.sleep(0)  # hand the GIL over: requests wait a chunk (~1 ms), not 5 ms
            self._texts = made
            self._followed = self._warmed = listing

    def warm_soon(self, listing: Chunked[Entry]) -> None:
        """`warm` in a thread of its own, unless this list is warm or a warm is under way:
        the first search of a new catalogue then finds its texts made."""
        if listing is self._warmed or self._lock.locked():
            return
        threading.Thread(
            target=self.warm, args=(listing,), name="modeldir-search-index", daemon=True
        ).start()

    def hits(
        self,
        listing: Chunked[Entry],
        needle: bytes,
        start: int,
        order: Literal["newest", "oldest"],
    ) -> Iterator[Entry]:
        """The entries whose text holds `needle`, from position `start` of `listing` (newest
        first) on in `order`: towards the end for newest first, towards the start for oldest."""
        if not 0 <= start < len(listing):
            return
        self.follow(listing)
        first = bisect_right(listing.starts, start) - 1
        at = start - listing.starts[first]
        if order == "newest":
            for index in range(first, len(listing.chunks)):
                chunk = listing.chunks[index]
                yield from _forwards(chunk, self.text(chunk), needle, at if index == first else 0)
        else:
            for index in range(first, -1, -1):
                chunk = listing.chunks[index]
                upto = at + 1 if index == first else len(chunk)
                yield from _backwards(chunk, self.text(chunk), needle, upto)


def _line_start(text: bytes, line: int) -> int:
    """Where line `line` of a text begins."""
    at = 0
    for _ in range(line):
        at = text.index(LINE, at) + 1
    return at


def _forwards(chunk: list[Entry], text: bytes, needle: bytes, line: int) -> Iterator[Entry]:
    at = _line_start(text, line) if line else 0
    while (hit := text.find(needle, at)) >= 0:
        line += text.count(LINE, at, hit)
        yield chunk[line]
        at = text.index(LINE, hit) + 1
        line += 1


def _backwards(chunk: list[Entry], text: bytes, needle: bytes, upto: int) -> Iterator[Entry]:
    """Hits in lines before `upto`, last first."""
    end = _line_start(text, upto) if upto < len(chunk) else len(text)
    while (hit := text.rfind(needle, 0, end)) >= 0:
        upto -= text.count(LINE, hit, end)  # the line ends from the hit's line to `upto`
        yield chunk[upto]
        end = text.rfind(LINE, 0, hit) + 1
