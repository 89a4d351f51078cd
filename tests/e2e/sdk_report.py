"""What every SDK script's report must say, whichever language ran it."""

from __future__ import annotations

from typing import Any


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
