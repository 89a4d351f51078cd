"""nginx in front of modeldir instances, run from exactly the recommended deploy/nginx.conf."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.support.server import ServerProcess, free_port
from tests.support.services import ensure_nginx

ROOT = Path(__file__).resolve().parents[2]


def render_nginx(folder: Path, listen: str, instances: list[ServerProcess]) -> Path:
    """deploy/nginx.conf with its placeholders filled in, written to `folder`."""
    servers = "\n        ".join(
        f"server 127.0.0.1:{i.port} max_fails=1 fail_timeout=5s;" for i in instances
    )
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    text = (
        text.replace("@LISTEN@", listen)
        .replace("@SERVERS@", servers)
        .replace("@PREFIX@", str(folder))
    )
    conf = folder / "nginx.conf"
    conf.write_text(text)
    folder.chmod(0o755)
    return conf


@contextlib.contextmanager
def nginx_front(folder: Path, instances: list[ServerProcess]) -> Iterator[tuple[str, int]]:
    """nginx balancing `instances`, until the block ends: its base URL and its port.

    It is ready once /readyz answers through it; it is stopped by its PID.
    """
    port = free_port()
    conf = render_nginx(folder, f"127.0.0.1:{port}", instances)
    process = subprocess.Popen(
        [ensure_nginx(), "-c", str(conf), "-p", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base_url}/readyz").status_code == 200:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"nginx did not come up: {(folder / 'error.log').read_text()}")
            time.sleep(0.02)
        yield base_url, port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
