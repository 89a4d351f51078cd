"""What every SDK script's report must say, whichever language ran it."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Live


def listed_ids(live: Live, query: str = "") -> list[str]:
    """The ids the default workspace's key lists, in order, asked for over raw HTTP."""
    response = httpx.get(
        f"{live.base_url}/v1/models?limit=1000{query}",
        headers={"x-api-key": live.key, "anthropic-version": "2023-06-01"},
    )
    return [m["id"] for m in response.json()["data"]]


def check_report(report: dict[str, Any], version: str, default: list[str]) -> None:
    """The walks, retrievals and version an SDK script reported (see sdk_script.py)."""
    assert report["version"] == version
    assert report["forward"] == default
    assert report["beta_forward"] == default
    assert report["backward"] == default[:-1]
    assert report["retrieve"] == "claude-opus-4-7"
    assert report["alias"] == "claude-sonnet-4-5-20250929"
    assert report["beta_retrieve"] == "claude-opus-4-20250514"


NOT_FOUND = {"type": "not_found_error", "message": "model: claude-nothing"}
