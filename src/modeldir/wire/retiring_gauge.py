"""The metric of models retiring within 30 days: counted in the database (an indexed range of
`retires_at`), again whenever the snapshot moves to another revision and at least once a
minute, since time alone brings models into the window."""

from __future__ import annotations

import logging
import time

from prometheus_client import CollectorRegistry, Gauge

from modeldir.live import LiveCatalogue

logger = logging.getLogger("modeldir.metrics")
WINDOW_SECONDS = 30 * 86_400
RECOUNT_SECONDS = 60.0


class RetiringGauge:
    """`modeldir_catalogue_models_retiring_within_30_days`, kept current by `count`."""

    def __init__(self, live: LiveCatalogue, registry: CollectorRegistry) -> None:
        self.live = live
        self.gauge = Gauge(
            "modeldir_catalogue_models_retiring_within_30_days",
            "Models not yet retired whose retires_at is at most 30 days away (overdue ones "
            "included).",
            registry=registry,
            multiprocess_mode="livemostrecent",
        )
        self._counted: tuple[int, float] | None = None
        """The revision last counted, and when."""

    def count(self) -> None:
        """Count again if the revision moved or a minute passed (blocking: call it in a thread);
        with the database away, the last count stands."""
        revision, now = self.live.snapshot.revision, time.time()
        last = self._counted
        if last is not None and last[0] == revision and now - last[1] < RECOUNT_SECONDS:
            return
        try:
            with self.live.store.reader() as reader:
                found = reader.count_retiring(int(now) + WINDOW_SECONDS)
        except Exception:
            logger.debug("models retiring: not counted", exc_info=True)
            return
        self.gauge.set(found)
        self._counted = (revision, now)
