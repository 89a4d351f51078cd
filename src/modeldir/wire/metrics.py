"""Prometheus metrics at `GET /metrics`: one scrape of any worker describes the whole instance.

Under `modeldir serve` the workers are processes, and prometheus-client's multiprocess mode
shares their metrics: each worker writes its values to memory-mapped files in a folder that
`serve` makes for them (`wire/serving.py`), and a scrape reads them all. Without that folder
(a `Server` in a test's own process) the metrics are the process's own.

Nothing here runs per request. Requests are counted in plain structures (`RequestCounts`);
the rate limiter and the live catalogue keep plain totals of their own. `fold` carries all of
them into the metrics about once a second, and once more right before a scrape is answered.
Every metric is listed, with its type, labels and meaning, in docs/metrics.md.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import glob
import hmac
import logging
import os
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Literal

import anyio.to_thread
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import Response

from modeldir.admin.sync import SyncSchedule
from modeldir.catalogue.snapshot import Snapshot
from modeldir.errors import AuthenticationError
from modeldir.live import LiveCatalogue
from modeldir.webhooks.worker import DeliveryWorker
from modeldir.wire.rate_limits import RateLimiter
from modeldir.wire.request_counts import LATENCY_BOUNDS, RequestCounts
from modeldir.wire.retiring_gauge import RetiringGauge
from modeldir.wire.serving import WORKER_METRICS_FOLDER

logger = logging.getLogger("modeldir.metrics")
# No `*_created` series: multiprocess mode has none, so a test's Server shows what serve shows.
disable_created_metrics()  # type: ignore[no-untyped-call]

FOLD_SECONDS = 1.0
CONFIRMED = "modeldir_snapshot_confirmed_timestamp_seconds"
AGE = "modeldir_snapshot_age_seconds"
PROPAGATION_BOUNDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
LIMITS = {"API key": "api_key", "workspace": "workspace"}
"""Rate limits (`Window.what`) as label values."""
WEBHOOK_OUTCOMES = ("delivered", "retrying", "failed")
"""What a webhook try can come to (`DeliveryWorker.tries`)."""
Mode = Literal["livemin", "livemostrecent"]
"""How workers' values of a gauge combine (prometheus-client's multiprocess modes)."""
_WORKER_FILE = re.compile(r"gauge_live[a-z]+_(\d+)\.db$")


class BulkHistogram(Histogram):
    """A histogram that takes observations already sorted into its buckets elsewhere."""

    def add(self, counts: Sequence[float], total: float) -> None:
        """`counts[i]` more observations in bucket i (the last: +Inf), adding up to `total`."""
        # prometheus-client observes one value at a time, at a lock and a file write each; the
        # bucket values are the ones `observe` adds to, so the exposition is the same.
        for bucket, count in zip(self._buckets, counts, strict=True):
            if count:
                bucket.inc(count)
        self._sum.inc(total)


class _SnapshotGauges:
    """What a worker's snapshot says; made once the snapshot is loaded, so that a worker still
    loading reports nothing rather than revision 0 (across workers: the laggiest one's)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        def gauge(name: str, meaning: str, labels: Sequence[str] = (), *, mode: Mode) -> Gauge:
            return Gauge(name, meaning, labels, registry=registry, multiprocess_mode=mode)

        self.revision = gauge(
            "modeldir_snapshot_revision", "The catalogue revision served.", mode="livemin"
        )
        self.confirmed = gauge(
            CONFIRMED,
            "When the snapshot was last found current (Unix time).",
            mode="livemin",
        )
        self.applied = gauge(
            "modeldir_snapshot_applied_timestamp_seconds",
            "When the snapshot last took in a change, or was loaded (Unix time).",
            mode="livemin",
        )
        self.models = gauge(
            "modeldir_catalogue_models", "Models in the catalogue.", mode="livemostrecent"
        )
        self.workspaces = gauge(
            "modeldir_catalogue_workspaces",
            "Workspaces, by state.",
            ["state"],
            mode="livemostrecent",
        )
        self.api_keys = gauge(
            "modeldir_catalogue_api_keys",
            "API keys, by status.",
            ["status"],
            mode="livemostrecent",
        )
        self.sized: Snapshot | None = None
        self.key_statuses: set[str] = set()

    def show(self, live: LiveCatalogue) -> None:
        snapshot = live.snapshot
        self.revision.set(snapshot.revision)
        self.confirmed.set(live.confirmed_at)
        self.applied.set(live.applied_at)
        if snapshot is self.sized:
            return  # sizes change only with the snapshot: count them once per snapshot
        self.sized = snapshot
        self.models.set(len(snapshot.models))
        archived = sum(1 for w in snapshot.workspaces.values() if w.archived_at is not None)
        self.workspaces.labels("active").set(len(snapshot.workspaces) - archived)
        self.workspaces.labels("archived").set(archived)
        statuses = collections.Counter(k.status for k in snapshot.api_keys.values())
        self.key_statuses |= set(statuses)
        for status in self.key_statuses:
            self.api_keys.labels(status).set(statuses[status])


class Metrics:
    """This worker's metrics, what feeds them, and the `/metrics` endpoint."""

    def __init__(
        self,
        live: LiveCatalogue,
        limiter: RateLimiter,
        token: SecretStr | None = None,
        *,
        schedule: SyncSchedule | None = None,
        webhooks: DeliveryWorker | None = None,
    ) -> None:
        self.live = live
        self.limiter = limiter
        self.schedule = schedule
        self.webhooks = webhooks
        self.counts = RequestCounts()
        self.token = None if token is None else token.get_secret_value().encode()
        self.folder = os.environ.get(WORKER_METRICS_FOLDER)
        """The workers' shared folder (`modeldir serve`); None: this process's metrics only."""
        self.registry = registry = CollectorRegistry()
        self.requests = Counter(
            "modeldir_requests",
            "Requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=registry,
        )
        self.duration = BulkHistogram(
            "modeldir_request_duration_seconds",
            "Time from a request's arrival in modeldir to its answer being handed to the server.",
            ["route"],
            buckets=LATENCY_BOUNDS,
            registry=registry,
        )
        self.rate_limited = Counter(
            "modeldir_rate_limited_requests",
            "Requests refused by a rate limit (429), by the limit that refused them.",
            ["limit"],
            registry=registry,
        )
        for limit in LIMITS.values():  # shown from the start, at 0
            self.rate_limited.labels(limit)
        self.database_errors = Counter(
            "modeldir_database_errors",
            "Catalogue loads and refreshes that failed (the database unreachable, mostly).",
            registry=registry,
        )
        self.redis_errors = Counter(
            "modeldir_redis_errors",
            "Rate-limit checks in Redis that failed (the local or refusing fallback answered).",
            registry=registry,
        )
        self.propagation = Histogram(
            "modeldir_change_propagation_seconds",
            "Seconds from a change's commit to this server's snapshot taking it in.",
            buckets=PROPAGATION_BOUNDS,
            registry=registry,
        )
        self.syncs = Counter(
            "modeldir_sync_runs",
            "Scheduled syncs this instance ran, by outcome (ok, failed).",
            ["outcome"],
            registry=registry,
        )
        self.last_sync = Gauge(
            "modeldir_sync_last_run_timestamp_seconds",
            "When this instance's last scheduled sync of each outcome ended (Unix time).",
            ["outcome"],
            registry=registry,
            multiprocess_mode="max",
        )
        if schedule is not None:
            for outcome in schedule.outcomes:  # shown from the start, at 0
                self.syncs.labels(outcome)
        self.webhook_tries = Counter(
            "modeldir_webhook_tries",
            "Webhook delivery tries, by outcome: delivered, retrying (failed; tried again "
            "later), failed (failed, and no tries left).",
            ["outcome"],
            registry=registry,
        )
        for outcome in WEBHOOK_OUTCOMES:  # shown from the start, at 0
            self.webhook_tries.labels(outcome)
        self.webhook_backlog = Gauge(
            "modeldir_webhook_backlog",
            "Webhook deliveries waiting, as counted by the process that delivers (0 elsewhere).",
            registry=registry,
            multiprocess_mode="livemax",
        )
        self.webhook_delivering = Gauge(
            "modeldir_webhook_delivering",
            "Processes holding the cluster's webhook delivery lock (1 on one instance).",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.retiring = RetiringGauge(live, registry)
        self._snapshot: _SnapshotGauges | None = None
        self._folded: dict[object, int] = collections.defaultdict(int)

    def fold(self) -> None:
        """Carry what was counted since the last fold into the metrics."""
        by_route: dict[str, list[float]] = {}
        for (route, method, status), tally in self.counts.take().items():
            self.requests.labels(route, method, str(status)).inc(sum(tally[:-1]))
            latency = by_route.setdefault(route, [0.0] * len(tally))
            for index, count in enumerate(tally):
                latency[index] += count
        for route, latency in by_route.items():
            self.duration.labels(route).add(latency[:-1], latency[-1])
        self._fold_total(self.database_errors, self.live.failures)
        self._fold_total(self.redis_errors, self.limiter.failures)
        for what, count in list(self.limiter.rejections.items()):
            self._fold_total(self.rate_limited.labels(LIMITS.get(what, what)), count)
        if self.schedule is not None:
            for outcome, count in self.schedule.outcomes.items():
                self._fold_total(self.syncs.labels(outcome), count)
            for outcome, when in self.schedule.last.items():
                self.last_sync.labels(outcome).set(when)
        if self.webhooks is not None:
            for outcome, count in list(self.webhooks.tries.items()):
                self._fold_total(self.webhook_tries.labels(outcome), count)
            backlog = self.webhooks.backlog
            self.webhook_backlog.set(backlog or 0)
            self.webhook_delivering.set(0 if backlog is None else 1)
        lags = self.live.lags
        while lags:
            self.propagation.observe(lags.popleft())
        if self.live.loaded:
            if self._snapshot is None:
                self._snapshot = _SnapshotGauges(self.registry)
            self._snapshot.show(self.live)

    def _fold_total(self, counter: Counter, total: int) -> None:
        """Add to `counter` what a running total gained since the last fold."""
        gained = total - self._folded[counter]
        if gained:
            counter.inc(gained)
            self._folded[counter] = total

    async def keep_folding(self, interval: float = FOLD_SECONDS) -> None:
        """Fold every `interval` seconds, for as long as the server runs."""
        failing = False
        while True:
            await asyncio.sleep(interval)
            try:
                await anyio.to_thread.run_sync(self.retiring.count)
                self.fold()
            except Exception:
                if not failing:  # a full disk under the metrics folder: say so once
                    logger.exception("metrics could not be updated")
                failing = True
            else:
                failing = False

    def close(self) -> None:
        """The last fold, as the worker stops; its live gauges leave the shared figures."""
        self.fold()
        if self.folder is not None:
            mark_process_dead(os.getpid(), self.folder)  # type: ignore[no-untyped-call]

    def collector(self) -> Collector:
        """The whole instance's metrics, as of now: every worker's, under `modeldir serve`."""
        self.fold()
        if self.folder is None:
            return self.registry
        _forget_dead_workers(self.folder)
        return MultiProcessCollector(None, path=self.folder)  # type: ignore[no-untyped-call]

    def exposition(self) -> bytes:
        """The whole instance's metrics in Prometheus's text format."""
        return generate_latest(_WithAge(self.collector()))

    async def endpoint(self, request: Request) -> Response:
        """`GET /metrics`: no API key; the bearer token when one is set."""
        if self.token is not None:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                given.strip().encode(), self.token
            ):
                raise AuthenticationError(
                    "/metrics needs the metrics bearer token: Authorization: Bearer <token>",
                    headers={"www-authenticate": "Bearer"},
                )
        await anyio.to_thread.run_sync(self.retiring.count)  # a write just made shows at once
        return Response(self.exposition(), media_type=CONTENT_TYPE_LATEST)


class _WithAge(Collector):
    """The metrics collected, plus the snapshot's age worked out at the moment of the scrape.

    Every worker reports when its snapshot was last found current; the age is measured from
    the oldest of those, so a worker that stopped refreshing (or stopped altogether) shows.
    """

    def __init__(self, source: Collector) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        for metric in self.source.collect():
            yield metric
            if metric.name == CONFIRMED and metric.samples:
                oldest = min(sample.value for sample in metric.samples)
                yield GaugeMetricFamily(
                    AGE,
                    "Seconds since the snapshot was last found current (the oldest worker's).",
                    value=max(0.0, time.time() - oldest),
                )


def _forget_dead_workers(folder: str) -> None:
    """Drop the live gauges of workers that are gone (a crash; a clean stop drops its own)."""
    for pid in {int(m[1]) for m in _worker_files(folder)}:
        if not _running(pid):
            # Another worker answering a scrape at the same moment may remove them first.
            with contextlib.suppress(FileNotFoundError):
                mark_process_dead(pid, folder)  # type: ignore[no-untyped-call]


def _worker_files(folder: str) -> Iterable[re.Match[str]]:
    for path in glob.glob(os.path.join(folder, "gauge_live*.db")):
        found = _WORKER_FILE.search(os.path.basename(path))
        if found is not None:
            yield found


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
