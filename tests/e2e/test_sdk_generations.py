"""The three client generations of WIRE §1, each in its own cached virtual environment.

0.125.0 and 1.17.0 send `anthropic-version: 2023-06-01`, `X-Api-Key` and `?beta=true`; 2.12.0
sends `2026-10-21` and `Authorization: Bearer`. The environments live in `.cache/sdk-venvs/` and
are created on first use from the package index.
"""

from __future__ import annotations

import json
import os
import subprocess
import venv
from pathlib import Path

import pytest

from tests.conftest import Live
from tests.e2e.sdk_report import NOT_FOUND, check_report, listed_ids

GENERATIONS = ["0.125.0", "1.17.0", "2.12.0"]
CACHE = Path(__file__).resolve().parents[2] / ".cache" / "sdk-venvs"
SCRIPT = Path(__file__).with_name("sdk_script.py")


def sdk_python(version: str) -> Path:
    """The interpreter of a virtual environment holding exactly `anthropic==version`."""
    folder = CACHE / f"anthropic-{version}"
    python = folder / "bin" / "python"
    marker = folder / ".installed"
    if not marker.exists():
        venv.create(folder, with_pip=True, clear=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", f"anthropic=={version}"],
            check=True,
            capture_output=True,
        )
        marker.write_text(version)
    return python


@pytest.mark.slow
@pytest.mark.parametrize("version", GENERATIONS)
def test_sdk_generation(live: Live, version: str) -> None:
    default = listed_ids(live)
    env = {
        **os.environ,
        "BASE_URL": live.base_url,
        "API_KEY": live.key,
        "EXPECTED": json.dumps({"default": default}),
    }
    env.pop("ANTHROPIC_API_KEY", None)
    env.pop("ANTHROPIC_BASE_URL", None)
    result = subprocess.run(
        [str(sdk_python(version)), str(SCRIPT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    check_report(report, version, default)
    if version != "0.125.0":
        assert report["retired"] == listed_ids(live, "&lifecycle[]=retired")
    assert report["not_found"]["error"] == NOT_FOUND
