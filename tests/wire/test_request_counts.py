"""Counting on the hot path: the right bucket for any duration, and few labels whatever is sent."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from modeldir.wire.request_counts import LATENCY_BOUNDS, RequestCounts, route_label

ROUTES = {
    "/v1/models",
    "/v1/models/{model_id}",
    "/openai/v1/models",
    "/openai/v1/models/{model}",
    "other",
}


def scope(path: str, method: str = "GET", route: Any = None) -> dict[str, Any]:
    found: dict[str, Any] = {"type": "http", "path": path, "method": method}
    if route is not None:
        found["route"] = route
    return found


def bucket_of(seconds: float) -> int:
    """Prometheus's rule, written out: the first bucket whose bound is at least the value."""
    for index, bound in enumerate(LATENCY_BOUNDS):
        if seconds <= bound:
            return index
    return len(LATENCY_BOUNDS)  # +Inf


@given(st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), max_size=50))
def test_each_duration_lands_in_prometheus_bucket(durations: list[float]) -> None:
    counts = RequestCounts()
    for seconds in durations:
        counts.record(scope("/v1/models"), 200, seconds)
    tallies = counts.take()
    expected = [0.0] * (len(LATENCY_BOUNDS) + 1)
    for seconds in durations:
        expected[bucket_of(seconds)] += 1
    if durations:
        assert list(tallies) == [("/v1/models", "GET", 200)]
        (tally,) = tallies.values()
        assert tally[:-1] == expected and tally[-1] == sum(durations)
    else:
        assert tallies == {}
    assert counts.take() == {}  # taken: counting starts again


@given(st.text(min_size=1).map(lambda s: "/" + s), st.text(min_size=1, max_size=10))
def test_labels_come_from_a_fixed_set_whatever_the_path_and_method(path: str, method: str) -> None:
    counts = RequestCounts()
    counts.record(scope(path, method), 404, 0.001)
    ((route, shown_method, _),) = counts.take()
    assert route in ROUTES
    assert shown_method in {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}


class _Route:
    path = "/v1/organizations/workspaces/{workspace_id}"


def test_a_route_the_app_matched_is_named_by_its_template() -> None:
    assert route_label(scope("/v1/organizations/workspaces/wrkspc_1", route=_Route())) == (
        "/v1/organizations/workspaces/{workspace_id}"
    )
    assert route_label(scope("/v1/models")) == "/v1/models"
    assert route_label(scope("/v1/models/claude/x")) == "/v1/models/{model_id}"
    assert route_label(scope("/openai/v1/models/x")) == "/openai/v1/models/{model}"
    assert route_label(scope("/v1/modelsx")) == "other"
