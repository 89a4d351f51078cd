"""Requests per minute, per API key and per workspace (D9).

Each limit is a fixed window of 60 seconds that opens with its first request: the first N
requests in it pass, the rest get a 429 until it closes. That is exact: a burst of 3N requests
gets exactly N through, however it is spread over instances. A request passes only if both its
key's and its workspace's windows have room, and only then counts against both.

Without Redis every process counts on its own (`LocalRateLimiter`). With Redis the counters are
shared and checked by one atomic script (`RedisRateLimiter`); while Redis is unreachable the
server limits locally (or refuses, if so configured), logs that once, and goes back to Redis as
soon as it answers.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from modeldir.catalogue.grants import KeyGrant
from modeldir.catalogue.timestamps import format_epoch
from modeldir.errors import RateLimitError, ServiceUnavailableError
from modeldir.wire.types import Headers

logger = logging.getLogger("modeldir.rate_limits")

WINDOW_SECONDS = 60
_LIMIT, _REMAINING, _RESET = (
    b"anthropic-ratelimit-requests-limit",
    b"anthropic-ratelimit-requests-remaining",
    b"anthropic-ratelimit-requests-reset",
)


class Quota(NamedTuple):
    """Where a request leaves the tighter of its limits (a tuple: one is made per request)."""

    limit: int
    remaining: int
    reset_at: float

    def headers(self) -> Headers:
        """The `anthropic-ratelimit-requests-*` headers (D9)."""
        return [
            (_LIMIT, b"%d" % self.limit),
            (_REMAINING, b"%d" % self.remaining),
            (_RESET, format_epoch(math.ceil(self.reset_at)).encode()),
        ]


@dataclass(frozen=True, slots=True)
class Limits:
    """The organisation's defaults; a workspace may set its own (0: no limit)."""

    key_requests_per_minute: int
    workspace_requests_per_minute: int

    def of(self, grant: KeyGrant) -> tuple[int, int]:
        """A request's (key limit, workspace limit)."""
        key = self.key_requests_per_minute if grant.key_limit is None else grant.key_limit
        workspace = grant.workspace_limit
        return key, self.workspace_requests_per_minute if workspace is None else workspace


@dataclass(frozen=True, slots=True)
class Window:
    """One counter at the moment of a request: its limit, its count, when it closes."""

    what: str
    limit: int
    count: int
    closes_at: float


Rejections = dict[str, int]
"""Requests refused, by the limit that refused them (`Window.what`): read by the metrics."""


def decide(windows: list[Window], now: float, rejections: Rejections) -> Quota | None:
    """The outcome for a request, given each of its open windows before counting it.

    None when no limit applies; RateLimitError (counted in `rejections`) when a window is
    full; otherwise the quota of the window the request leaves tightest.
    """
    if not windows:
        return None
    full = [w for w in windows if w.count >= w.limit]
    if full:
        worst = max(full, key=lambda w: w.closes_at)
        rejections[worst.what] = rejections.get(worst.what, 0) + 1
        wait = max(1, math.ceil(worst.closes_at - now))
        quota = Quota(worst.limit, 0, worst.closes_at)
        raise RateLimitError(
            f"This request would exceed the rate limit of {worst.limit} requests per minute "
            f"for this {worst.what}. Please try again in {wait} seconds.",
            headers={
                "retry-after": str(wait),
                **{k.decode(): v.decode() for k, v in quota.headers()},
            },
        )
    tightest = min(windows, key=lambda w: (w.limit - w.count, w.limit))
    return Quota(tightest.limit, tightest.limit - tightest.count - 1, tightest.closes_at)


class RateLimiter(Protocol):
    @property
    def state(self) -> str:
        """Where limits are counted right now, for /readyz."""
        ...

    @property
    def rejections(self) -> Rejections:
        """Requests refused so far, by limit."""
        ...

    @property
    def failures(self) -> int:
        """Calls to a shared counter (Redis) that failed so far."""
        ...

    async def acquire(self, grant: KeyGrant, now: float) -> Quota | None:
        """Count a request; its quota, None when no limit applies, or RateLimitError."""
        ...


class LocalRateLimiter:
    """Windows counted in this process.

    Written for the hot path: no objects are made for a request that passes. A refusal goes
    through `decide`, the same rule the Redis limiter uses.
    """

    state = "process"
    """Shown on /readyz: limits are counted by each process."""
    failures = 0
    """Nothing shared to fail."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.rejections: Rejections = {}
        self._keys: dict[str, list[float]] = {}  # key id -> [count, closes_at]
        self._workspaces: dict[str, list[float]] = {}

    def check(self, grant: KeyGrant, now: float) -> Quota | None:
        """`acquire` without the coroutine: local counting never waits."""
        key_limit, workspace_limit = self.limits.of(grant)
        key = workspace = None
        if key_limit:
            key = self._keys.get(grant.key_id)
            if key is None or now >= key[1]:
                key = self._keys[grant.key_id] = [0, now + WINDOW_SECONDS]
        if workspace_limit:
            workspace = self._workspaces.get(grant.workspace_id)
            if workspace is None or now >= workspace[1]:
                workspace = self._workspaces[grant.workspace_id] = [0, now + WINDOW_SECONDS]
        key_room = key_limit - int(key[0]) if key is not None else None
        workspace_room = workspace_limit - int(workspace[0]) if workspace is not None else None
        if (key_room is not None and key_room <= 0) or (
            workspace_room is not None and workspace_room <= 0
        ):
            windows = []
            if key is not None:
                windows.append(Window("API key", key_limit, int(key[0]), key[1]))
            if workspace is not None:
                windows.append(
                    Window("workspace", workspace_limit, int(workspace[0]), workspace[1])
                )
            return decide(windows, now, self.rejections)  # raises RateLimitError
        if key is not None:
            key[0] += 1
        if workspace is not None:
            workspace[0] += 1
        # The tighter window: less room left, then the smaller limit (the same rule as `decide`).
        tighter_key = workspace_room is None or (
            key_room is not None and (key_room, key_limit) <= (workspace_room, workspace_limit)
        )
        if key_room is not None and key is not None and tighter_key:
            return Quota(key_limit, key_room - 1, key[1])
        if workspace_room is not None and workspace is not None:
            return Quota(workspace_limit, workspace_room - 1, workspace[1])
        return None

    async def acquire(self, grant: KeyGrant, now: float) -> Quota | None:
        return self.check(grant, now)


# Checks both windows, then counts in both only if both have room: all in one atomic step.
# KEYS: key counter, workspace counter. ARGV: key limit, workspace limit, window in ms (0: none).
# Returns {passed, key count, key ms left, workspace count, workspace ms left} before counting.
_SCRIPT = """
local result = {1}
for i = 1, 2 do
  local limit = tonumber(ARGV[i])
  local count, left = 0, tonumber(ARGV[3])
  if limit > 0 then
    count = tonumber(redis.call('GET', KEYS[i]) or '0')
    local ttl = redis.call('PTTL', KEYS[i])
    if ttl > 0 then left = ttl else count = 0 end
    if count >= limit then result[1] = 0 end
  end
  result[#result + 1] = count
  result[#result + 1] = left
end
if result[1] == 1 then
  for i = 1, 2 do
    if tonumber(ARGV[i]) > 0 then
      if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
    end
  end
end
return result
"""


class RedisRateLimiter:
    """Windows counted in Redis, shared by every instance; local counting while it is down."""

    RETRY_SECONDS = 1.0

    def __init__(
        self,
        url: str,
        limits: Limits,
        *,
        fallback: str = "local",
        prefix: str = "modeldir:ratelimit:",
        timeout: float = 0.25,
    ) -> None:
        import redis.asyncio as redis

        self.limits = limits
        self.local = LocalRateLimiter(limits)
        self.fallback = fallback
        self.prefix = prefix
        self.client: Any = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self.script = self.client.register_script(_SCRIPT)
        self._down_since: float | None = None
        self._retry_at = 0.0
        self.rejections = self.local.rejections  # one tally, whoever counted
        self.failures = 0

    async def acquire(self, grant: KeyGrant, now: float) -> Quota | None:
        key_limit, workspace_limit = self.limits.of(grant)
        if not key_limit and not workspace_limit:
            return None
        if self._down_since is not None and time.monotonic() < self._retry_at:
            return self._without_redis(grant, now)
        try:
            result = await self.script(
                keys=[self.prefix + "k:" + grant.key_id, self.prefix + "w:" + grant.workspace_id],
                args=[key_limit, workspace_limit, WINDOW_SECONDS * 1000],
            )
        except Exception as error:  # any failure to reach Redis
            self._went_down(error)
            # Connections to a Redis that went away are dead: the next try must dial afresh.
            await self.client.connection_pool.disconnect()
            return self._without_redis(grant, now)
        if self._down_since is not None:
            logger.warning("Redis answers again: rate limits are shared between instances again")
            self._down_since = None
        _, key_count, key_left, workspace_count, workspace_left = (int(v) for v in result)
        windows = []
        if key_limit:
            windows.append(Window("API key", key_limit, key_count, now + key_left / 1000))
        if workspace_limit:
            windows.append(
                Window("workspace", workspace_limit, workspace_count, now + workspace_left / 1000)
            )
        return decide(windows, now, self.rejections)

    @property
    def state(self) -> str:
        """`shared` while Redis answers; otherwise `local` or `refusing` (shown on /readyz)."""
        if self._down_since is None:
            return "shared"
        return "local" if self.fallback == "local" else "refusing"

    def _went_down(self, error: Exception) -> None:
        self.failures += 1
        if self._down_since is None:
            self._down_since = time.monotonic()
            action = (
                "limiting each process on its own"
                if self.fallback == "local"
                else "refusing requests"
            )
            logger.error("Redis is unreachable (%s): %s until it answers", error, action)
        self._retry_at = time.monotonic() + self.RETRY_SECONDS

    def _without_redis(self, grant: KeyGrant, now: float) -> Quota | None:
        if self.fallback == "refuse":
            raise ServiceUnavailableError("Rate limits cannot be checked right now; retry shortly.")
        return self.local.check(grant, now)

    async def close(self) -> None:
        await self.client.aclose()


def rate_limiter(limits: Limits, redis_url: str | None, fallback: str) -> RateLimiter:
    """The limiter the settings ask for; a workspace may set limits when the defaults set none."""
    if redis_url:
        return RedisRateLimiter(redis_url, limits, fallback=fallback)
    return LocalRateLimiter(limits)
