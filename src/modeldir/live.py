"""The current snapshot of a store, kept in step with it.

The server reads `live.snapshot` on every request and never waits on the database: loading and
refreshing happen here, off the request path, and end by swapping in a new immutable snapshot.
A refresh fetches only the rows changed since the snapshot's revision.

The workers of one instance (`modeldir serve --workers N`) share a `SharedRevision`: after a
write, the worker that made it publishes the revision it now serves, and every worker that is
behind it catches up before answering its next request. So once the admin API has answered a
change, every worker of the instance answers with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import logging
import mmap
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

import anyio.to_thread

from modeldir.catalogue.snapshot import Snapshot, empty_snapshot, load_snapshot
from modeldir.store import Store

logger = logging.getLogger("modeldir.live")


def _settle() -> None:
    """Take the long-lived heap (the snapshot above all) out of the cyclic garbage collector.

    A full collection walks every tracked object: with a million models that is seconds, and
    without this it recurs every few thousand requests. Frozen objects are still freed by
    reference counting when a newer snapshot replaces them (snapshots hold no cycles). The
    garbage cycles made since the last freeze are collected first: frozen, they would never be
    freed (a leak of every admin write). That collection walks only what is not frozen yet.
    """
    gc.collect()
    gc.freeze()


SHARED_REVISION_ENV = "MODELDIR_SHARED_REVISION_FILE"
"""Where `serve` tells its workers the file they share (set by `serve`, not by operators)."""


class SharedRevision:
    """The newest revision a worker of this instance has answered a write with.

    Eight bytes of a file that every worker maps into memory: reading it is one aligned
    load, cheap enough for every request. Without a file (one process) nothing is shared.
    """

    def __init__(self, path: Path | None = None) -> None:
        self._value: ctypes.c_int64 | None = None
        if path is not None:
            with path.open("r+b") as file:
                self._map = mmap.mmap(file.fileno(), 8)
            self._value = ctypes.c_int64.from_buffer(self._map)

    @staticmethod
    def create(path: Path) -> None:
        """Make the file a new instance's workers will share (before they start)."""
        path.write_bytes(bytes(8))

    @classmethod
    def from_environment(cls) -> SharedRevision:
        """The revision shared with this instance's other workers, if `serve` set one up."""
        path = os.environ.get(SHARED_REVISION_ENV)
        return cls(Path(path) if path else None)

    def read(self) -> int:
        """The newest revision published (0 when nothing is shared)."""
        return 0 if self._value is None else self._value.value

    def publish(self, revision: int) -> None:
        """Say that `revision` has been answered; never moves backwards.

        Two workers may publish at once and the smaller may land last: that only makes the
        others catch up to less than they could, and the next write publishes again.
        """
        if self._value is not None and revision > self._value.value:
            self._value.value = revision


class LiveCatalogue:
    """Holds the snapshot that requests read, and brings it up to date."""

    def __init__(self, store: Store, shared: SharedRevision | None = None) -> None:
        self.store = store
        self.snapshot: Snapshot = empty_snapshot()
        self.loaded = False
        self.shared = shared or SharedRevision()
        self.applied_at = 0.0
        """When (Unix time) the snapshot last took in a change, or was built."""
        self.confirmed_at = 0.0
        """When the snapshot was last found current: built, changed, or checked unchanged."""
        self.failures = 0
        """Loads and refreshes that failed (the database unreachable, mostly)."""
        self.lags: deque[float] = deque(maxlen=1024)
        """Seconds from each change's commit to this snapshot taking it in (newest last; the
        metrics take them, and only the latest are kept when nothing does)."""
        self._lock = threading.Lock()
        self._catching_up: asyncio.Future[Snapshot] | None = None

    def load(self) -> Snapshot:
        """Build the snapshot from the whole catalogue (blocking: call it from a thread)."""
        with self._lock, self._counting_failures():
            with self.store.full_catalogue() as catalogue:
                self.snapshot = load_snapshot(catalogue)
            self.loaded = True
            self.applied_at = self.confirmed_at = time.time()
            _settle()
            return self.snapshot

    def refresh(self) -> Snapshot:
        """Apply whatever changed since the snapshot's revision (blocking: call from a thread)."""
        with self._lock, self._counting_failures():
            current = self.snapshot
            if self.store.revision() != current.revision:
                changes = self.store.changes_since(current.revision)
                self.snapshot = current.apply(changes)
                self.applied_at = time.time()
                if changes.changed_at is not None:
                    self.lags.append(max(0.0, self.applied_at - changes.changed_at))
                _settle()
            self.confirmed_at = time.time()
            return self.snapshot

    @contextlib.contextmanager
    def _counting_failures(self) -> Iterator[None]:
        try:
            yield
        except Exception:
            self.failures += 1
            raise

    async def refreshed(self) -> Snapshot:
        """`refresh` without blocking the event loop: after a write, before answering."""
        return await anyio.to_thread.run_sync(self.refresh)

    async def written(self) -> None:
        """After a committed write: refresh, and tell the instance's other workers.

        It never fails: the write committed and must be answered as done (a 5xx would make
        every SDK retry it, and a retried create duplicates). If the refresh fails now, the
        periodic check brings the snapshot up to date.
        """
        try:
            snapshot = await self.refreshed()
        except Exception:
            logger.warning("refresh after a committed write failed", exc_info=True)
        else:
            self.shared.publish(snapshot.revision)

    def behind(self) -> bool:
        """Whether another worker of this instance has answered a write this one lacks."""
        return self.shared.read() > self.snapshot.revision

    async def catch_up(self) -> None:
        """Refresh before answering, once for all the requests waiting on it.

        A database that fails now leaves the last snapshot serving, as the periodic check does.
        """
        if self._catching_up is None:
            self._catching_up = asyncio.ensure_future(self.refreshed())
            self._catching_up.add_done_callback(self._caught_up)
        with contextlib.suppress(Exception):
            await asyncio.shield(self._catching_up)

    def _caught_up(self, done: asyncio.Future[Snapshot]) -> None:
        self._catching_up = None
        if not done.cancelled() and done.exception() is not None:
            logger.warning("catching up with another worker's write failed: %s", done.exception())

    async def follow(self, interval: float) -> None:
        """Pick up changes made elsewhere (the CLI, other instances).

        Announcements from the database (PostgreSQL's NOTIFY) wake it at once; a check of the
        revision every `interval` seconds catches whatever an announcement missed.
        """
        wake = asyncio.Event()
        signals = self.store.change_signals()
        if signals is not None:
            threading.Thread(
                target=signals.run,
                args=(waker(asyncio.get_running_loop(), wake),),
                name="modeldir-change-signals",
                daemon=True,
            ).start()
        try:
            await self._follow(interval, wake)
        finally:
            if signals is not None:
                signals.stop()

    async def _follow(self, interval: float, wake: asyncio.Event) -> None:
        failing = False
        while True:
            await woken(wake, interval)
            wake.clear()
            try:
                await self.refreshed()
            except Exception:
                if not failing:  # log a broken database once, not every second
                    logger.exception("catalogue refresh failed; serving the last snapshot")
                failing = True
            else:
                if failing:
                    logger.warning("catalogue refresh works again")
                failing = False


async def woken(wake: asyncio.Event, seconds: float) -> None:
    """Wait until `wake` is set or `seconds` have passed; a cancellation always gets through.

    Not `asyncio.wait_for`: on Python 3.11 it returns normally when it is cancelled in the same
    step as the wait ends, so a server stopping just as a change was announced waited forever
    for its follower to end.
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await wake.wait()


def waker(loop: asyncio.AbstractEventLoop, wake: asyncio.Event) -> Callable[[], None]:
    """What a change-signal thread calls to wake the follower on its loop; nothing once the
    loop has closed (the server stopped while a signal was on its way)."""

    def wake_up() -> None:
        with contextlib.suppress(RuntimeError):  # "Event loop is closed": following is over
            loop.call_soon_threadsafe(wake.set)

    return wake_up
