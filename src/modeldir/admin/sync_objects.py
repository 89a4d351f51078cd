"""What a sync answers and keeps: its report, and the runs `sync status` lists (modeldir's own
objects, declared as TypedDicts like those of `objects.py`, so the OpenAPI document shows them)."""

from __future__ import annotations

from typing import Literal

import orjson
from typing_extensions import TypedDict

from modeldir.admin.objects import Instant, closed
from modeldir.catalogue.records import SyncRunRecord
from modeldir.catalogue.sync_plan import SyncPlan
from modeldir.catalogue.timestamps import format_epoch


@closed
class SyncReport(TypedDict):
    """What one sync did (or, in a dry run, would do); `revision` is null if nothing changed."""

    type: Literal["catalogue_sync"]
    source: str
    """The upstream's base URL."""
    created: list[str]
    updated: list[str]
    lifecycle_changes: list[str]
    """`id: old -> new` for every lifecycle that changed."""
    kept_local: dict[str, list[str]]
    """The fields changed here and kept over the upstream's, by model."""
    not_ours: list[str]
    """Upstream ids that are models of this catalogue's own (or another source's): untouched."""
    gone_upstream: list[str]
    deprecated: list[str]
    """Models gone upstream that this run deprecated (`deprecate_missing`)."""
    unchanged: int
    dry_run: bool
    revision: int | None


@closed
class SyncRunObject(TypedDict):
    """One sync and how it ended."""

    type: Literal["sync_run"]
    source: str
    started_at: Instant
    finished_at: Instant | None
    outcome: Literal["ok", "failed"]
    report: SyncReport | None
    """A run that ended `ok`: what it did."""
    error: str | None
    """A `failed` run: why."""
    upstream_request_id: str | None
    """A `failed` run: the upstream's request id, when it gave one."""


@closed
class SyncRunList(TypedDict):
    """The latest syncs, newest first."""

    type: Literal["sync_runs"]
    data: list[SyncRunObject]


def sync_report(plan: SyncPlan, *, dry_run: bool, revision: int | None) -> SyncReport:
    """What a planned sync did (or would do), as the admin API and the audit log show it."""
    return {
        "type": "catalogue_sync",
        "source": plan.source,
        "created": sorted(plan.created),
        "updated": sorted(plan.updated),
        "lifecycle_changes": sorted(plan.lifecycle),
        "kept_local": dict(sorted(plan.kept_local.items())),
        "not_ours": sorted(plan.not_ours),
        "gone_upstream": sorted(plan.gone),
        "deprecated": sorted(plan.deprecated),
        "unchanged": plan.unchanged,
        "dry_run": dry_run,
        "revision": revision,
    }


def sync_run_object(run: SyncRunRecord) -> SyncRunObject:
    """One run as the admin API shows it."""
    finished = run.finished_at_ms
    return {
        "type": "sync_run",
        "source": run.source,
        "started_at": format_epoch(run.started_at_ms // 1000),
        "finished_at": None if finished is None else format_epoch(finished // 1000),
        "outcome": "failed" if run.outcome == "failed" else "ok",
        "report": None if run.report is None else orjson.loads(run.report),
        "error": run.error,
        "upstream_request_id": run.request_id,
    }
