"""The live catalogue: workers of one instance keep each other up to date through a shared file.

Pinned here: a published revision is eight little-endian bytes of the file, seen by every
mapping of it and never moving backwards; a catalogue whose snapshot lags what another
published is `behind` and `catch_up` brings it level; without a file nothing is shared.
"""

from __future__ import annotations

import asyncio
import struct
from pathlib import Path

from starlette.testclient import TestClient

from modeldir.admin import inputs
from modeldir.admin.bootstrap import initialize
from modeldir.live import LiveCatalogue, SharedRevision, waker, woken
from modeldir.settings import Settings
from modeldir.store import Store, open_store
from modeldir.wire.app import Server
from tests.support.admin import admin_for


def stored(path: Path) -> int:
    return int(struct.unpack("<q", path.read_bytes())[0])


def test_a_published_revision_is_seen_by_every_mapping_and_never_goes_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "revision"
    SharedRevision.create(path)
    one, other = SharedRevision(path), SharedRevision(path)
    assert (one.read(), other.read(), stored(path)) == (0, 0, 0)
    one.publish(7)
    assert (other.read(), stored(path)) == (7, 7)
    other.publish(3)
    assert (one.read(), stored(path)) == (7, 7)


def test_without_a_file_nothing_is_shared() -> None:
    alone = SharedRevision()
    alone.publish(5)
    assert alone.read() == 0


def test_a_worker_behind_another_catches_up_before_answering(store: Store, tmp_path: Path) -> None:
    initialize(store)
    path = tmp_path / "revision"
    SharedRevision.create(path)
    writer = LiveCatalogue(store, SharedRevision(path))
    reader = LiveCatalogue(store, SharedRevision(path))
    writer.load()
    reader.load()
    assert not reader.behind()
    admin_for(store).create_workspace(inputs.WorkspaceCreate(name="made elsewhere"))

    async def write_then_read() -> None:
        await writer.written()
        assert reader.behind()
        await asyncio.gather(*(reader.catch_up() for _ in range(5)))
        assert reader.snapshot.revision == writer.snapshot.revision == stored(path)
        assert not reader.behind()

    asyncio.run(write_then_read())
    names = {w.name for w in reader.snapshot.workspaces.values()}
    assert "made elsewhere" in names


def test_a_stop_is_never_lost_to_a_wake_up_in_the_same_step() -> None:
    """Cancelling the follower's wait while a change wakes it, at every step of the wake-up,
    ends it: the cancellation is never swallowed (asyncio.wait_for on 3.11 swallowed it when
    the wait ended in the same step, and a stopping server waited forever)."""

    async def cancelled_after(steps: int) -> tuple[bool, bool]:
        wake = asyncio.Event()
        waiting = asyncio.create_task(woken(wake, 3600))
        for _ in range(3):
            await asyncio.sleep(0)  # each sleep(0) lets the loop run one step
        wake.set()
        for _ in range(steps):
            await asyncio.sleep(0)
        asked = waiting.cancel()  # False: the wait had already ended
        for _ in range(5):
            await asyncio.sleep(0)
        assert waiting.done()
        return asked, waiting.cancelled()

    for steps in range(6):
        asked, cancelled = asyncio.run(cancelled_after(steps))
        assert cancelled == asked, steps


def test_a_signal_after_the_loop_closed_is_ignored() -> None:
    loop = asyncio.new_event_loop()
    wake_up = waker(loop, asyncio.Event())
    loop.close()
    wake_up()  # a change-signal thread a moment too late: nothing happens, nothing raises


def test_the_server_starts_and_stops_in_process_while_changes_are_announced(
    database_url: str,
) -> None:
    """The app's lifespan (load, follow, stop) run in-process several times, with writes from
    another connection announced meanwhile: every start and stop completes, and no thread is
    left to fail (an unhandled thread exception fails the test)."""
    store = open_store(database_url)
    try:
        initialize(store)
        for round in range(5):
            server = Server(Settings(database_url=database_url, refresh_interval=0.05), store)
            with TestClient(server.entry) as client:
                admin_for(store).create_workspace(inputs.WorkspaceCreate(name=f"round {round}"))
                assert client.get("/readyz").status_code == 200
            store = open_store(database_url)  # the lifespan closed the one it was given
    finally:
        store.close()
