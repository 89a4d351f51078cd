"""Mirroring another Models API into this catalogue: one run, and the schedule that repeats it.

A run reads the whole upstream list first (`upstream.py`); only then, in one transaction, it
plans (`catalogue/sync_plan.py`) and writes the models and their sources, with one audit entry
naming the source. A failed run writes nothing to the catalogue. Every run, failed or not, is
kept in `sync_runs` (outside the catalogue), which `sync status`, the admin API and the metrics
show. A scheduled run is claimed in the database first, so one instance of a cluster runs it
per period.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import orjson

from modeldir.admin.operation import Operations
from modeldir.admin.sync_objects import SyncReport, SyncRunList, sync_report, sync_run_object
from modeldir.admin.upstream import Upstream, fetch_models
from modeldir.catalogue.model_info import ModelInfo
from modeldir.catalogue.records import SyncRunRecord
from modeldir.catalogue.sync_plan import SyncPlan, plan_sync
from modeldir.errors import UpstreamError
from modeldir.store import Reader

logger = logging.getLogger("modeldir.sync")


@dataclass(frozen=True, slots=True)
class SyncOptions:
    """How a run treats what it finds."""

    dry_run: bool = False
    overwrite: bool = False
    """Take the upstream's value even where the operator changed a field here."""
    deprecate_missing: bool = False
    """Deprecate this source's models that the upstream no longer lists."""


class SyncOperations(Operations):
    """Syncs from upstream Models APIs."""

    def sync(
        self,
        upstream: Upstream,
        options: SyncOptions = SyncOptions(),
        started_ms: int | None = None,
    ) -> SyncReport:
        """One run: the report of what changed (or would change); UpstreamError if the upstream
        fails, with nothing written. `started_ms`: when a scheduled run was claimed."""
        started = int(self.clock() * 1000) if started_ms is None else started_ms
        try:
            models = fetch_models(upstream)
        except UpstreamError as error:
            if not options.dry_run:
                failed = SyncRunRecord(
                    upstream.url,
                    started,
                    int(self.clock() * 1000),
                    "failed",
                    error=error.message,
                    request_id=(error.details or {}).get("upstream_request_id"),
                )
                self.store.add_sync_run(failed)
            raise
        report = self._apply(upstream.url, models, options)
        if not options.dry_run:
            done = SyncRunRecord(
                upstream.url, started, int(self.clock() * 1000), "ok", orjson.dumps(report).decode()
            )
            self.store.add_sync_run(done)
        return report

    def _apply(self, source: str, models: list[ModelInfo], options: SyncOptions) -> SyncReport:
        if options.dry_run:
            with self.store.reader() as reader:
                plan = self._plan(reader, source, models, options)
            return sync_report(plan, dry_run=True, revision=None)
        with self._transaction() as tx:
            plan = self._plan(tx, source, models, options)
            if not plan.has_changes:  # nothing written: no revision, no audit entry
                return sync_report(plan, dry_run=False, revision=None)
            # Through put_models, as every change: the webhook outbox hears of each model.
            tx.put_models(plan.models)
            tx.put_sources(plan.sources)
            report = sync_report(plan, dry_run=False, revision=tx.revision())
            self._audit(tx, "catalogue.sync", "catalogue", source, None, report)
        return report

    def _plan(
        self, reader: Reader, source: str, models: list[ModelInfo], options: SyncOptions
    ) -> SyncPlan:
        owned = {s.model_id for s in reader.sources_from(source)}
        wanted = {m.id for m in models} | owned
        return plan_sync(
            source,
            models,
            {r.id: r for r in reader.models_by_id(wanted)},
            {s.model_id: s for s in reader.sources_of(wanted)},
            owned=owned,
            now=self.now(),
            overwrite=options.overwrite,
            deprecate_missing=options.deprecate_missing,
        )

    def sync_status(self, limit: int = 20) -> SyncRunList:
        """The latest runs, newest first."""
        runs = self.store.sync_runs(limit=limit)
        return {"type": "sync_runs", "data": [sync_run_object(run) for run in runs]}


@dataclass(slots=True)
class SyncSchedule:
    """A running server's scheduled sync: `tick` runs it when this instance claims the period."""

    operations: SyncOperations
    upstream: Upstream
    every_seconds: float
    options: SyncOptions = SyncOptions()
    outcomes: dict[str, int] = field(default_factory=lambda: {"ok": 0, "failed": 0})
    """Runs this process made, by outcome (the metrics read them)."""
    last: dict[str, float] = field(default_factory=dict)
    """When this process's last run of each outcome finished (Unix time)."""

    def tick(self) -> SyncReport | None:
        """Run the sync if it is due and this caller claims it; its report, else None."""
        now_ms = int(self.operations.clock() * 1000)
        claimed = self.operations.store.claim_schedule(
            self.upstream.url, now_ms, int(self.every_seconds * 1000)
        )
        if not claimed:
            return None
        try:
            report = self.operations.sync(self.upstream, self.options, now_ms)
        except UpstreamError as error:
            logger.warning("scheduled sync failed: %s", error.message)
            self._count("failed")
            return None
        self._count("ok")
        return report

    def _count(self, outcome: str) -> None:
        self.outcomes[outcome] += 1
        self.last[outcome] = self.operations.clock()
