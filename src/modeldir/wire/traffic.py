"""Requests and errors over the last minutes, for the console's health page.

Read from the Prometheus metrics, so with `--workers N` it is the whole instance, whichever
worker shows the page. The running totals are sampled every half minute; a rate is the
difference between now and the oldest sample still inside the window.
"""

from __future__ import annotations

import asyncio
import collections
import time
from dataclasses import dataclass
from typing import Any

from modeldir.wire.metrics import Metrics

WINDOW_SECONDS = 300.0
SAMPLE_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Totals:
    """Requests answered since the instance started, and how many were 4xx and 5xx."""

    requests: float = 0.0
    client_errors: float = 0.0
    server_errors: float = 0.0


class Traffic:
    """Samples of the instance's request totals, and the rates they give."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self.samples: collections.deque[tuple[float, Totals]] = collections.deque()
        self.sample()

    def totals(self) -> Totals:
        """The whole instance's totals now, from the metrics every worker writes."""
        requests = client = server = 0.0
        for family in self.metrics.collector().collect():
            if family.name != "modeldir_requests":
                continue
            for sample in family.samples:
                if not sample.name.endswith("_total"):
                    continue
                requests += sample.value
                status = sample.labels.get("status", "")
                client += sample.value if status.startswith("4") else 0.0
                server += sample.value if status.startswith("5") else 0.0
        return Totals(requests, client, server)

    def sample(self) -> Totals:
        """Record the totals now; forget samples older than the window."""
        now, totals = time.monotonic(), self.totals()
        self.samples.append((now, totals))
        while len(self.samples) > 1 and now - self.samples[1][0] >= WINDOW_SECONDS:
            self.samples.popleft()
        return totals

    async def keep_sampling(self, interval: float = SAMPLE_SECONDS) -> None:
        """Sample every `interval` seconds, for as long as the server runs."""
        while True:
            await asyncio.sleep(interval)
            self.sample()

    def summary(self) -> dict[str, Any]:
        """What the health page shows: requests and errors since the oldest sample kept."""
        since, then = self.samples[0]
        now = self.sample()
        seconds = max(time.monotonic() - since, 1e-9)
        requests = now.requests - then.requests
        return {
            "minutes": max(1, round(seconds / 60)),
            "requests": int(requests),
            "per_second": requests / seconds,
            "client_errors": int(now.client_errors - then.client_errors),
            "server_errors": int(now.server_errors - then.server_errors),
        }
