"""The running server's scheduled work: the sync of `MODELDIR_SYNC_FROM` every N minutes.

Every worker of every instance ticks; the database lets one of them claim each period
(`admin/sync.py`, `store/sync_runs.py`), so the cluster syncs once per period between them.
A run that changed the catalogue refreshes this worker's snapshot at once; the others see it
as they see any write.
"""

from __future__ import annotations

import asyncio
import logging

import anyio.to_thread

from modeldir.admin.service import Actor, AdminService
from modeldir.admin.sync import SyncOptions, SyncSchedule
from modeldir.admin.upstream import Upstream
from modeldir.live import LiveCatalogue
from modeldir.settings import Settings
from modeldir.store import Store

logger = logging.getLogger("modeldir.sync")
LONGEST_WAIT = 5.0
"""Seconds at most between two looks at the schedule."""


def sync_schedule(store: Store, settings: Settings) -> SyncSchedule | None:
    """The schedule the settings ask for, or None (no `sync_from`, or every 0 minutes)."""
    if not settings.sync_every_minutes or not settings.sync_from:
        return None
    if settings.sync_api_key is None:
        logger.warning("MODELDIR_SYNC_FROM is set without MODELDIR_SYNC_API_KEY: no sync")
        return None
    upstream = Upstream(settings.sync_from.rstrip("/"), settings.sync_api_key.get_secret_value())
    return SyncSchedule(
        AdminService(store, Actor("schedule", "sync")),
        upstream,
        settings.sync_every_minutes * 60,
        SyncOptions(deprecate_missing=settings.sync_deprecate_missing),
    )


async def keep_syncing(schedule: SyncSchedule, live: LiveCatalogue) -> None:
    """Look at the schedule a few times a period, for as long as the server runs."""
    wait = min(LONGEST_WAIT, schedule.every_seconds / 4)
    while True:
        await asyncio.sleep(wait)
        try:
            report = await anyio.to_thread.run_sync(schedule.tick)
        except Exception:  # the database away: the next look tries again
            logger.exception("scheduled sync could not run")
            continue
        if report is not None and report["revision"] is not None:
            await live.written()
