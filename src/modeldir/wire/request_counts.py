"""Requests counted as they finish, in plain structures of this process: cheap on the hot path.

`RequestContext` records each answered request here: one dict look-up by (route, method,
status) and a histogram bucket found with `bisect`, a quarter of a microsecond. prometheus-client's
own counters cost a microsecond or more each in multiprocess mode (a lock and a write to a
memory-mapped file), so `wire/metrics.py` takes these counts and folds them into its metrics
about once a second instead.

Labels stay few whatever clients send: a route is a template (`/v1/models/{model_id}`), never
the raw path; an unknown method is `other`; a path no route matches is `other`.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from modeldir.wire.types import Scope

LATENCY_BOUNDS = (
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
"""Upper bounds of the latency buckets, in seconds (a last bucket, +Inf, takes the rest)."""

MODELS_LIST, MODELS_RETRIEVE = "/v1/models", "/v1/models/{model_id}"
OPENAI_LIST, OPENAI_RETRIEVE = "/openai/v1/models", "/openai/v1/models/{model}"
OTHER = "other"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

RequestKey = tuple[str, str, int]
"""(route, method, status)."""


def route_label(scope: Scope) -> str:
    """The route a request took, as a template: one of a fixed, small set."""
    path: str = scope["path"]
    if path == MODELS_LIST:
        return MODELS_LIST
    if path.startswith("/v1/models/"):
        return MODELS_RETRIEVE
    if path == OPENAI_LIST:
        return OPENAI_LIST
    if path.startswith("/openai/v1/models/"):
        return OPENAI_RETRIEVE
    route: Any = scope.get("route")  # set by Starlette's router on the route it matched
    template = getattr(route, "path", None)
    return template if isinstance(template, str) else OTHER


class RequestCounts:
    """The requests answered since the last `take`: per (route, method, status), how many took
    how long (a count per bucket of LATENCY_BOUNDS, one for +Inf, then the sum of seconds)."""

    __slots__ = ("tallies",)

    def __init__(self) -> None:
        self.tallies: dict[RequestKey, list[float]] = {}

    def record(self, scope: Scope, status: int, seconds: float) -> None:
        """Count one answered request that took `seconds`."""
        method = scope["method"]
        key = (route_label(scope), method if method in METHODS else OTHER, status)
        tally = self.tallies.get(key)
        if tally is None:
            tally = self.tallies[key] = [0.0] * (len(LATENCY_BOUNDS) + 2)
        tally[bisect_left(LATENCY_BOUNDS, seconds)] += 1
        tally[-1] += seconds

    def take(self) -> dict[RequestKey, list[float]]:
        """What was counted since the last call; counting starts again from nothing."""
        taken, self.tallies = self.tallies, {}
        return taken
