"""Reading a /metrics exposition the way Prometheus does, for the tests to compare with their own
count of what they sent."""

from __future__ import annotations

from collections import Counter

from prometheus_client.parser import text_string_to_metric_families

Labels = frozenset[tuple[str, str]]
Samples = dict[tuple[str, Labels], float]


def read(text: str) -> Samples:
    """Every sample of an exposition by name and labels (it must parse)."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            key = (sample.name, frozenset(sample.labels.items()))
            assert key not in found, f"the sample {key} appears twice"
            found[key] = sample.value
    return found


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value."""
    return samples[(name, frozenset(labels.items()))]


def requests(
    samples: Samples, *, leave_out: frozenset[str] = frozenset()
) -> Counter[tuple[str, str, str]]:
    """`modeldir_requests_total` as (route, method, status) -> count, without some routes."""
    found: Counter[tuple[str, str, str]] = Counter()
    for (name, labels), count in samples.items():
        if name == "modeldir_requests_total":
            label = dict(labels)
            if label["route"] not in leave_out:
                found[label["route"], label["method"], label["status"]] = int(count)
    return found
