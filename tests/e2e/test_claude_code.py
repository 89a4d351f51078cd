"""Claude Code's gateway model discovery against a live server (CLIENTS.md).

Claude Code sends one `GET /v1/models?limit=1000` with `anthropic-version: 2023-06-01`, gives up
after 3 s or on a redirect, and caches the ids containing "claude" or "anthropic" in
`$HOME/.claude/cache/gateway-models.json`. It is installed once from npm (tests/support/npm.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import Live
from tests.support.npm import npm_package

VERSION = "2.1.330"


def claude_binary() -> Path:
    return npm_package("@anthropic-ai/claude-code", VERSION) / "node_modules" / ".bin" / "claude"


def discover(live: Live, home: Path, credential: dict[str, str]) -> list[dict[str, str]]:
    """Start Claude Code with discovery on, wait (bounded) for its cache file, then stop it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ANTHROPIC_", "CLAUDE_"))
    }
    env.update(
        HOME=str(home),
        ANTHROPIC_BASE_URL=live.base_url,
        CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY="1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
        **credential,
    )
    cache = home / ".claude" / "cache" / "gateway-models.json"
    command = [
        str(claude_binary()),
        "-p",
        "--input-format",
        "stream-json",
        "--output-format",
        "stream-json",
        "--verbose",
    ]
    # Standard input stays open, so Claude Code runs discovery and then waits.
    process = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not cache.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        assert cache.exists(), "Claude Code wrote no gateway-models.json"
        time.sleep(0.2)  # let the write finish
        data = json.loads(cache.read_text())
    finally:
        process.kill()
        process.wait(timeout=10)
    assert data["baseUrl"] == live.base_url
    return data["models"]  # type: ignore[no-any-return]


@pytest.mark.slow
@pytest.mark.parametrize("variable", ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"])
def test_claude_code_discovers_the_catalogue(live: Live, tmp_path: Path, variable: str) -> None:
    models = discover(live, tmp_path, {variable: live.key})
    listed = httpx.get(
        f"{live.base_url}/v1/models?limit=1000",
        headers={"x-api-key": live.key, "anthropic-version": "2023-06-01"},
    ).json()["data"]
    expected = [
        {"id": m["id"], "display_name": m["display_name"]}
        for m in listed
        if "claude" in m["id"].lower() or "anthropic" in m["id"].lower()
    ]
    assert models == expected
    assert {"id": "claude-opus-4-7", "display_name": "Claude Opus 4.7"} in models
