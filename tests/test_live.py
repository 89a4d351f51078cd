"""The live catalogue: workers of one instance keep each other up to date through a shared file.

Pinned here: a published revision is eight little-endian bytes of the file, seen by every
mapping of it and never moving backwards; a catalogue whose snapshot lags what another
published is `behind` and `catch_up` brings it level; without a file nothing is shared.
"""

from __future__ import annotations

import asyncio
import struct
from pathlib import Path

from modeldir.admin import inputs
from modeldir.admin.bootstrap import initialize
from modeldir.live import LiveCatalogue, SharedRevision
from modeldir.store import Store
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
