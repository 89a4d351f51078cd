"""The delivery worker: sends what the outbox holds, at least once, from one process per cluster.

Every server process runs one, in a thread of its own; only the one holding the cluster's
delivery lock works (a PostgreSQL advisory lock; a file lock beside a SQLite database), and
another takes over within `LOCK_RETRY_SECONDS` of that process ending, however it ends.

Each round takes the deliveries that are due, records each try before making it (with when to
try again should the process die during it: a try that was made but never recorded is made
again, which is what "at least once" allows), sends up to `CONCURRENCY` at once and records what
came of each. A failed try is retried after `RetryPolicy.delay`; when the last allowed try fails,
the delivery is `failed` and its endpoint `failing` (until a delivery to it succeeds again).
"""

from __future__ import annotations

import collections
import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from modeldir.catalogue.records import DeliveryResult, DueDelivery
from modeldir.store.interface import DeliveryQueue
from modeldir.webhooks.sender import Sender

logger = logging.getLogger("modeldir.webhooks")

POLL_SECONDS = 0.25
"""How often the worker holding the lock looks for due deliveries when idle."""
LOCK_RETRY_SECONDS = 2.0
"""How often the others try to take the lock (and a failing database is tried again)."""
CONCURRENCY = 8
"""Tries in flight at once: a slow endpoint holds up no more than one of them."""
BACKLOG_SECONDS = 1.0
"""How often the number of pending deliveries is counted, for the metrics."""
MAX_DELAY_SECONDS = 6 * 3600.0
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many tries a delivery gets, and how long to wait between them."""

    max_attempts: int
    first_delay: float
    """Seconds after the first try fails; each later wait is twice the one before."""

    def delay(self, attempt: int) -> float:
        """Seconds before the try after try number `attempt` (from 1), with up to a quarter
        more at random, so that retries to an endpoint that came back do not arrive at once."""
        base = min(self.first_delay * 2.0 ** (attempt - 1), MAX_DELAY_SECONDS)
        spread: float = random.random() / 4  # noqa: S311 - spreading retries, not a secret
        return base * (1 + spread)


class DeliveryWorker:
    """Delivers due webhook deliveries while this process holds the cluster's delivery lock."""

    def __init__(
        self,
        queue: DeliveryQueue,
        sender: Sender,
        policy: RetryPolicy,
        *,
        poll: float = POLL_SECONDS,
        concurrency: int = CONCURRENCY,
    ) -> None:
        self.queue = queue
        self.sender = sender
        self.policy = policy
        self.poll = poll
        self.concurrency = concurrency
        self.tries: collections.Counter[str] = collections.Counter()
        """Tries made by this process, by what came of them: delivered, retrying, failed."""
        self.backlog: int | None = None
        """Pending deliveries when last counted (None: this process is not the worker)."""
        self._counted_at = 0.0
        self._in_flight: set[str] = set()
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="modeldir-webhook")
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="modeldir-webhooks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop taking deliveries, let the tries in flight end (bounded), give up the lock."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.queue.release()
        self.sender.close()

    def run(self) -> None:
        """Work while holding the lock; wait for it otherwise (blocking, until `stop`)."""
        failing = False
        while not self._stop.is_set():
            try:
                holding = self.queue.hold()
                busy = holding and self.round()
            except Exception:
                if not failing:  # a database that went away: say so once
                    logger.exception("webhook delivery paused; trying again")
                failing, holding, busy = True, False, False
                self.queue.release()
            else:
                if failing:
                    logger.warning("webhook delivery works again")
                failing = False
            if not holding:
                self.backlog = None
            if not busy:
                self._wake.wait(self.poll if holding else LOCK_RETRY_SECONDS)
                self._wake.clear()

    def round(self) -> bool:
        """Start every due delivery there is room for; whether there was any."""
        with self._guard:
            skip = set(self._in_flight)
        room = 2 * self.concurrency - len(skip)
        now = time.time()
        self._count_backlog(now)
        if room <= 0:
            return False
        due = self.queue.due(int(now * 1000), room, skip)
        for delivery in due:
            attempt = delivery.attempts + 1
            if attempt > self.policy.max_attempts:
                # Its last try began and was never recorded (the process ended during it).
                self._finish(delivery, DeliveryResult(FAILED, None, "the last try never ended"))
                continue
            # Should this process die during the try, it is due again once the try would
            # have timed out and the backoff passed.
            retry_at = now + self.sender.timeout + self.policy.delay(attempt)
            self.queue.start(delivery.id, attempt, int(retry_at * 1000), int(now))
            with self._guard:
                self._in_flight.add(delivery.id)
            self._pool.submit(self._try, delivery, attempt)
        return bool(due)

    def _try(self, delivery: DueDelivery, attempt: int) -> None:
        try:
            result = self.sender.send(delivery)
            if result.delivered:
                status = DELIVERED
            elif result.final or attempt >= self.policy.max_attempts:
                status = FAILED
            else:
                status = PENDING
            wait = max(self.policy.delay(attempt), result.retry_after or 0.0)
            retry_at = int((time.time() + wait) * 1000) if status == PENDING else None
            self._finish(
                delivery, DeliveryResult(status, result.response_status, result.error, retry_at)
            )
            if status == FAILED:
                logger.warning(
                    "webhook delivery %s to endpoint %s failed after %d tries: %s",
                    delivery.id,
                    delivery.endpoint_id,
                    attempt,
                    result.error,
                )
        except Exception:
            logger.exception("webhook delivery %s: recording its try failed", delivery.id)
        finally:
            with self._guard:
                self._in_flight.discard(delivery.id)
            self._wake.set()

    def _finish(self, delivery: DueDelivery, result: DeliveryResult) -> None:
        self.queue.finish(delivery, result)
        with self._guard:
            self.tries["retrying" if result.status == PENDING else result.status] += 1

    def _count_backlog(self, now: float) -> None:
        if now - self._counted_at >= BACKLOG_SECONDS:
            self.backlog = self.queue.backlog()
            self._counted_at = now
