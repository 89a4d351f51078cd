"""The Dockerfile's own commands build, install and start a server that answers.

No image can be built where the suite runs (no container daemon, no base images), so this test
reads the Dockerfile and runs its `RUN pip ...` install commands and its `CMD` on this machine,
with the image's paths mapped to a temporary folder: the checkout for /src, a fresh virtual
environment for /opt/modeldir, a folder for /wheels and one for the /data volume. The command's
`--host 0.0.0.0` is run as 127.0.0.1, as every server of the suite is. Installing the wheel's
dependencies into the fresh environment needs the package index (as `docker build` would).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def test_the_image_is_slim_non_root_with_a_health_check_and_a_volume() -> None:
    found = instructions()
    bases = [rest for keyword, rest in found if keyword == "FROM"]
    assert len(bases) == 2 and all("-slim" in base for base in bases)  # multi-stage, slim
    assert ("USER", "modeldir") in found
    assert any(k == "HEALTHCHECK" and "/readyz" in rest for k, rest in found)
    assert ("VOLUME", '["/data"]') in found


def build_context(folder: Path) -> Path:
    """The files `docker build` would be given, copied fresh: the repository's, not what
    earlier local builds left beside them (a stale `build/` would go into the wheel)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        origin = ROOT / name
        if origin.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, folder / name)
    return folder


@pytest.mark.slow
def test_the_dockerfiles_commands_install_and_start_a_server(tmp_path: Path) -> None:
    source = build_context(tmp_path / "src")
    paths = {
        "/src": str(source),
        "/wheels": str(tmp_path / "wheels"),
        "/opt/modeldir": str(tmp_path / "venv"),
        "/data": str(tmp_path / "data"),
    }
    (tmp_path / "data").mkdir()

    def mapped(command: str) -> str:
        for inside, outside in paths.items():
            command = command.replace(inside, outside)
        return command

    found = instructions()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELDIR_")}
    env["PATH"] = f"{tmp_path / 'venv' / 'bin'}:{os.path.dirname(sys.executable)}:{env['PATH']}"
    for keyword, rest in found:
        if keyword == "RUN" and "pip" in rest:
            # The build stage's `pip wheel` runs in /src; the second stage's install anywhere.
            # pip here is the test's own interpreter's, as `python` is on the image's PATH.
            command = mapped(rest).replace("pip wheel", f"{sys.executable} -m pip wheel", 1)
            command = command.replace("python -m venv", f"{sys.executable} -m venv", 1)
            subprocess.run(
                ["bash", "-c", command], cwd=source, env=env, check=True, capture_output=True
            )
        elif keyword == "ENV":
            for assignment in shlex.split(rest):
                name, _, value = assignment.partition("=")
                env[name] = mapped(value).replace("$PATH", env["PATH"])
    (command,) = [json.loads(rest) for keyword, rest in found if keyword == "CMD"]
    assert command == ["modeldir", "serve", "--host", "0.0.0.0"]
    port = free_port()
    env["MODELDIR_PORT"] = str(port)
    program = tmp_path / "venv" / "bin" / command[0]
    process = subprocess.Popen(
        [str(program), *command[1:-1], "127.0.0.1", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())
        headers = {"x-api-key": first["api_key"], "anthropic-version": "2023-06-01"}
        response = httpx.get(f"{first['base_url']}/v1/models", headers=headers)
        assert response.status_code == 200 and response.json()["data"]
        assert (tmp_path / "data" / "modeldir.db").exists()  # the volume holds the catalogue
        deadline = time.monotonic() + 30
        while httpx.get(f"{first['base_url']}/readyz").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
