"""The current snapshot of a store, kept in step with it.

The server reads `live.snapshot` on every request and never waits on the database: loading and
refreshing happen here, off the request path, and end by swapping in a new immutable snapshot.
A refresh fetches only the rows changed since the snapshot's revision.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
import time
from collections import deque
from collections.abc import Iterator

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


class LiveCatalogue:
    """Holds the snapshot that requests read, and brings it up to date."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.snapshot: Snapshot = empty_snapshot()
        self.loaded = False
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

    async def follow(self, interval: float) -> None:
        """Pick up changes made elsewhere (the CLI, other instances).

        Announcements from the database (PostgreSQL's NOTIFY) wake it at once; a check of the
        revision every `interval` seconds catches whatever an announcement missed.
        """
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()
        signals = self.store.change_signals()
        if signals is not None:
            threading.Thread(
                target=signals.run,
                args=(lambda: loop.call_soon_threadsafe(wake.set),),
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
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), interval)
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
