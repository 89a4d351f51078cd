"""The running server's scheduled work: the sync of `MODELDIR_SYNC_FROM` every N minutes, and
the retirement of overdue models (`MODELDIR_LIFECYCLE_AUTO_RETIRE`) every minute.

Every worker of every instance ticks; the database lets one of them claim each period
(`admin/sync.py`, `admin/lifecycle.py`, `store/sync_runs.py`), so the cluster runs each job
once per period between them.
A run that changed the catalogue refreshes this worker's snapshot at once; the others see it
as they see any write.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import anyio.to_thread

from modeldir.admin.lifecycle import RetirementSchedule
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


def retirement_schedule(store: Store, settings: Settings) -> RetirementSchedule | None:
    """The automatic retirement of overdue models, if the settings ask for it."""
    if not settings.lifecycle_auto_retire:
        return None
    return RetirementSchedule(AdminService(store, Actor("schedule", "auto-retire")))


def sync_changed(schedule: SyncSchedule) -> bool:
    """Run the sync schedule once; whether it changed the catalogue."""
    report = schedule.tick()
    return report is not None and report["revision"] is not None


async def keep_running(
    tick: Callable[[], bool], every_seconds: float, live: LiveCatalogue, what: str
) -> None:
    """Look at a schedule a few times a period, for as long as the server runs; `tick` says
    whether it changed the catalogue."""
    wait = min(LONGEST_WAIT, every_seconds / 4)
    while True:
        await asyncio.sleep(wait)
        try:
            changed = await anyio.to_thread.run_sync(tick)
        except Exception:  # the database away: the next look tries again
            logger.exception("scheduled %s could not run", what)
            continue
        if changed:
            await live.written()
