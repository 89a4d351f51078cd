"""The TypeScript SDK generations of CLIENTS.md against a live server, with both credentials.

`@anthropic-ai/sdk` 0.x sends what the Python 0.x/1.x SDKs send, 1.x what Python 2.x sends.
Each is installed once from npm (tests/support/npm.py) and runs ts_sdk_script.cjs under node.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Live
from tests.e2e.sdk_report import NOT_FOUND, check_report, listed_ids
from tests.support.npm import npm_package

GENERATIONS = ["0.137.0", "1.12.0"]
SCRIPT = Path(__file__).with_name("ts_sdk_script.cjs")


@pytest.mark.slow
@pytest.mark.parametrize("auth", ["api-key", "bearer"])
@pytest.mark.parametrize("version", GENERATIONS)
def test_typescript_sdk(live: Live, version: str, auth: str) -> None:
    default = listed_ids(live)
    modules = npm_package("@anthropic-ai/sdk", version) / "node_modules"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env |= {
        "NODE_PATH": str(modules),
        "BASE_URL": live.base_url,
        "API_KEY": live.key,
        "AUTH": auth,
        "EXPECTED": json.dumps({"default": default}),
    }
    result = subprocess.run(
        ["node", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    check_report(report, version, default)
    assert report["request_id_header"].startswith("req_")
    not_found = report["not_found"]
    assert not_found["status"] == 404
    assert not_found["body"]["error"] == NOT_FOUND
    assert not_found["request_id"] == not_found["body"]["request_id"]
