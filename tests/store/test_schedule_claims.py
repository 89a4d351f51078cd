"""Scheduled jobs claimed in the database: one caller per period, on both backends."""

from __future__ import annotations

from modeldir.store import Store


def test_the_first_caller_of_each_period_claims_it_and_no_other(store: Store) -> None:
    every = 60_000
    # The very first look claims (nothing was scheduled yet), once.
    assert [store.claim_schedule("job", 1_000, every) for _ in range(3)] == [True, False, False]
    assert store.claim_schedule("job", 1_000 + every - 1, every) is False  # same period
    assert store.claim_schedule("other job", 1_000, every) is True  # each job has its own
    assert [store.claim_schedule("job", 1_000 + every, every) for _ in range(2)] == [True, False]
    # A late look claims the period it finds due, and the next is a period after it.
    assert store.claim_schedule("job", 500_000, every) is True
    assert store.claim_schedule("job", 500_000 + every - 1, every) is False
