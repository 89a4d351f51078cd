"""Rate limits: the window rules in process, and the same rules shared through real Redis."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import replace

import pytest

from modeldir.catalogue.access import EVERYTHING
from modeldir.catalogue.grants import KeyGrant
from modeldir.errors import RateLimitError, ServiceUnavailableError
from modeldir.wire.rate_limits import Limits, LocalRateLimiter, Quota, RedisRateLimiter
from tests.support.services import REDIS_URL, ensure_redis, private_redis

GRANT = KeyGrant("apikey_a", b"", "wrkspc_1", b"wrkspc_1", EVERYTHING, None)
OTHER_KEY = replace(GRANT, key_id="apikey_b")
T0 = 1_800_000_000.0


def passes(limiter: LocalRateLimiter, grant: KeyGrant, now: float) -> Quota | None:
    return limiter.check(grant, now)


def test_a_key_gets_its_limit_per_window() -> None:
    limiter = LocalRateLimiter(Limits(3, 0))
    quotas = [passes(limiter, GRANT, T0 + i) for i in range(3)]
    assert [q.remaining for q in quotas if q] == [2, 1, 0]
    assert all(q is not None and q.limit == 3 and q.reset_at == T0 + 60 for q in quotas)
    with pytest.raises(RateLimitError) as caught:
        passes(limiter, GRANT, T0 + 10.2)
    error = caught.value
    assert error.status == 429 and error.retryable
    assert error.headers["retry-after"] == "50"
    assert error.headers["anthropic-ratelimit-requests-remaining"] == "0"
    assert "3 requests per minute for this API key" in error.message
    after = passes(limiter, GRANT, T0 + 60)
    assert after is not None and after.remaining == 2 and after.reset_at == T0 + 120


def test_the_workspace_limit_is_shared_by_its_keys() -> None:
    limiter = LocalRateLimiter(Limits(100, 4))
    for i in range(2):
        passes(limiter, GRANT, T0 + i)
        passes(limiter, OTHER_KEY, T0 + i)
    with pytest.raises(RateLimitError, match="this workspace"):
        passes(limiter, GRANT, T0 + 3)


def test_a_refused_request_counts_against_nothing() -> None:
    limiter = LocalRateLimiter(Limits(1, 3))
    passes(limiter, GRANT, T0)
    for _ in range(5):
        with pytest.raises(RateLimitError, match="API key"):
            passes(limiter, GRANT, T0 + 1)
    quota = passes(limiter, OTHER_KEY, T0 + 2)
    assert (
        quota is not None and quota.remaining == 0
    )  # key b's own limit of 1: its window is full now
    assert (
        passes(limiter, replace(OTHER_KEY, key_id="apikey_c"), T0 + 2) is not None
    )  # workspace: 3rd


def test_workspace_settings_override_the_defaults() -> None:
    limiter = LocalRateLimiter(Limits(1, 0))
    unlimited = replace(GRANT, key_limit=0)
    assert all(passes(limiter, unlimited, T0) is None for _ in range(10))
    tighter = replace(GRANT, key_id="apikey_t", workspace_limit=2, key_limit=5)
    assert passes(limiter, tighter, T0) == Quota(2, 1, T0 + 60)


def test_headers_are_the_three_of_d9() -> None:
    assert Quota(10, 3, T0 + 0.2).headers() == [
        (b"anthropic-ratelimit-requests-limit", b"10"),
        (b"anthropic-ratelimit-requests-remaining", b"3"),
        (b"anthropic-ratelimit-requests-reset", b"2027-01-15T08:00:01Z"),
    ]


# ---- Redis ---------------------------------------------------------------------------------------


def redis_limiter(url: str, limits: Limits, **options: object) -> RedisRateLimiter:
    return RedisRateLimiter(url, limits, prefix=f"modeldir-test:{uuid.uuid4().hex}:", **options)  # type: ignore[arg-type]


def test_redis_counts_exactly_across_instances_under_concurrency() -> None:
    ensure_redis()

    async def run() -> list[bool]:
        prefix = f"modeldir-test:{uuid.uuid4().hex}:"
        instances = [RedisRateLimiter(REDIS_URL, Limits(20, 0), prefix=prefix) for _ in range(3)]

        async def one(n: int) -> bool:
            try:
                await instances[n % 3].acquire(GRANT, T0)
            except RateLimitError:
                return False
            return True

        outcomes = await asyncio.gather(*(one(n) for n in range(60)))
        for instance in instances:
            await instance.close()
        return list(outcomes)

    outcomes = asyncio.run(run())
    assert outcomes.count(True) == 20


def test_redis_reports_quota_and_refusals_like_the_local_limiter() -> None:
    ensure_redis()

    async def run() -> tuple[list[int], RateLimitError]:
        limiter = redis_limiter(REDIS_URL, Limits(2, 0))
        remaining = [(await limiter.acquire(GRANT, T0)).remaining for _ in range(2)]  # type: ignore[union-attr]
        try:
            await limiter.acquire(GRANT, T0)
        except RateLimitError as error:
            await limiter.close()
            return remaining, error
        raise AssertionError("no 429")

    remaining, error = asyncio.run(run())
    assert remaining == [1, 0]
    assert 58 <= int(error.headers["retry-after"]) <= 60


def test_without_redis_the_limits_fall_back_to_the_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def run() -> None:
        with private_redis() as redis_server:
            limiter = redis_limiter(redis_server.url, Limits(2, 0))
            await limiter.acquire(GRANT, T0)
            redis_server.kill()
            with caplog.at_level(logging.ERROR, logger="modeldir.rate_limits"):
                for _ in range(2):
                    await limiter.acquire(
                        GRANT, T0 + 1
                    )  # local counting: 2 allowed in this process
                with pytest.raises(RateLimitError):
                    await limiter.acquire(GRANT, T0 + 1)
            assert len([r for r in caplog.records if "unreachable" in r.getMessage()]) == 1
            redis_server.start()
            limiter._retry_at = 0  # do not wait out the retry pause in a test
            quota = await limiter.acquire(GRANT, T0 + 2)
            assert quota is not None and quota.remaining == 1  # a new, empty Redis: shared again
            await limiter.close()

    asyncio.run(run())


def test_refuse_mode_answers_503_while_redis_is_down() -> None:
    async def run() -> None:
        with private_redis() as redis_server:
            redis_server.kill()
            limiter = redis_limiter(redis_server.url, Limits(2, 0), fallback="refuse")
            with pytest.raises(ServiceUnavailableError):
                await limiter.acquire(GRANT, T0)
            await limiter.close()

    asyncio.run(run())


# ---- the fast local path agrees with a plain statement of the rules ---------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def reference(
    events: list[tuple[int, int, int | None, int | None]], defaults: tuple[int, int]
) -> list[object]:
    """The rules, plainly: per key and per workspace, windows of 60 s opened by a request."""
    windows: dict[str, list[float]] = {}
    outcomes: list[object] = []
    for key, second, key_limit, workspace_limit in events:
        limits = {
            f"k{key}": defaults[0] if key_limit is None else key_limit,
            "w": defaults[1] if workspace_limit is None else workspace_limit,
        }
        live = {}
        for name, limit in limits.items():
            if not limit:
                continue
            window = windows.get(name)
            if window is None or second >= window[1]:
                window = windows[name] = [0, second + 60]
            live[name] = (limit, window)
        if any(window[0] >= limit for limit, window in live.values()):
            outcomes.append("429")
            continue
        for _, window in live.values():
            window[0] += 1
        outcomes.append(
            min((limit - window[0], limit) for limit, window in live.values()) if live else None
        )
    return outcomes


@settings(max_examples=200, deadline=None)
@given(
    events=st.lists(
        st.tuples(
            st.integers(0, 2),
            st.integers(0, 200),
            st.sampled_from([None, 0, 1, 3]),
            st.sampled_from([None, 0, 2, 5]),
        ),
        max_size=40,
    ).map(lambda items: sorted(items, key=lambda e: e[1])),
    defaults=st.tuples(st.sampled_from([0, 2, 4]), st.sampled_from([0, 3])),
)
def test_the_local_fast_path_follows_the_rules(
    events: list[tuple[int, int, int | None, int | None]], defaults: tuple[int, int]
) -> None:
    limiter = LocalRateLimiter(Limits(*defaults))
    got: list[object] = []
    for key, second, key_limit, workspace_limit in events:
        grant = replace(
            GRANT, key_id=f"apikey_{key}", key_limit=key_limit, workspace_limit=workspace_limit
        )
        try:
            quota = limiter.check(grant, float(second))
        except RateLimitError:
            got.append("429")
        else:
            got.append(None if quota is None else (quota.remaining, quota.limit))
    assert got == reference(events, defaults)
