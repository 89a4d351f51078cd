"""The benchmark's own logic: the ceiling app answers like modeldir, summaries pick the right rows.

The measurements themselves are never run here (no timed assertions): bench/run does that.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench import ceiling
from bench.harness import same_page, table
from bench.profile import classify

KEY = "sk-ant-api03-bench"


@pytest.fixture
def ceiling_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "list20-first-page").write_bytes(b'{"data":[]}')
    (tmp_path / "keys.txt").write_text(f"{KEY}\n")
    monkeypatch.setenv("BENCH_CEILING_ROOT", str(tmp_path))
    return ceiling.create_app()


def get(app: Any, path: str, headers: dict[str, str]) -> httpx.Response:
    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(run())


def test_ceiling_serves_the_body_with_modeldirs_headers(ceiling_app: Any) -> None:
    response = get(
        ceiling_app, "/list20-first-page", {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
    )
    assert response.status_code == 200
    assert response.content == b'{"data":[]}'
    for name in ("request-id", "anthropic-organization-id", "anthropic-ratelimit-requests-reset"):
        assert name in response.headers
    assert response.headers["content-length"] == "11"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"x-api-key": "sk-wrong", "anthropic-version": "2023-06-01"}, 401),
        ({"x-api-key": KEY}, 400),
    ],
)
def test_ceiling_checks_key_then_version(
    ceiling_app: Any, headers: dict[str, str], status: int
) -> None:
    assert get(ceiling_app, "/list20-first-page", headers).status_code == status


def result(size: int, body_bytes: int, rps: float) -> dict[str, Any]:
    run = {"requests_per_second": rps, "p50_ms": 1.0, "p99_ms": 2.0}
    row = {"modeldir": run, "nginx": run, "ratio": 1.0, "body_bytes": body_bytes}
    return {"size": size, "scenarios": {"list20 deep cursor": row}}


def test_flat_cost_compares_with_the_smallest_catalogue_with_as_big_a_page() -> None:
    sizes = [result(10, 4_607, 32_000), result(10_000, 22_878, 25_700)]
    big = result(1_000_000, 22_954, 25_800)
    assert same_page([*sizes, big], big, "list20 deep cursor")["size"] == 10_000


def test_table_lists_ceiling_rows_only_where_measured() -> None:
    plain = {"sizes": [result(10, 100, 1000)]}
    assert "bare ASGI" not in table(plain)
    row = plain["sizes"][0]["scenarios"]["list20 deep cursor"]
    row |= {
        "python_ceiling": {"requests_per_second": 2000.0},
        "ceiling_ratio": 0.5,
        "share_of_ceiling": 0.5,
    }
    assert "| 10 | list20 deep cursor | 2,000 | 0.50 | 0.50 |" in table(plain)


def test_profile_sorts_samples_into_parts() -> None:
    assert classify([""]) is None
    respond = "ModelsApi.respond (modeldir/wire/models_api.py:159)"
    assert classify(["main", respond, "authenticate (x.py:1)"]).startswith("modeldir")  # type: ignore[union-attr]
    sending = ["main", "RequestContext.__call__ (modeldir/wire/context.py:55)"]
    assert classify(sending).startswith("granian: send")  # type: ignore[union-attr]
    assert classify(["main", "future_watcher (granian/_futures.py:15)"]).startswith("granian and")  # type: ignore[union-attr]


def test_the_bulk_benchmark_runs_at_a_small_size(tmp_path: Path) -> None:
    from bench.bulk import measure

    steps = {step.name: step for step in measure(300, tmp_path)}
    assert list(steps) == [
        "reference",
        "import new",
        "import merge",
        "import replace",
        "export",
        "list",
    ]
    assert all(step.seconds > 0 and step.peak_mb > 0 for step in steps.values())
    assert steps["import merge"].models == 330 and steps["list"].models == 297


def test_the_memory_benchmark_runs_at_a_small_size(tmp_path: Path) -> None:
    from bench.memory import measure

    results = measure(writes=50, queries=200, folder=tmp_path)
    assert results["writes"] == 50 and results["queries"] == 200
    assert "writes_growth_mb" in results and "queries_growth_mb" in results


def test_the_admin_cost_benchmark_runs_at_a_small_size(tmp_path: Path) -> None:
    from bench.admin_cost import measure

    results = measure(others=12, writes=5, folder=tmp_path)
    assert results["others"] == 12 and results["writes"] == 5
    assert results["small_ms"] > 0 and results["large_ms"] > 0
    assert results["ratio"] == results["large_ms"] / results["small_ms"]
