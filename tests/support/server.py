"""A real `modeldir serve` process on a free port of 127.0.0.1, stopped by its PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def modeldir_command(*args: str) -> list[str]:
    """The real entry point, run with the test interpreter."""
    return [sys.executable, "-m", "modeldir", *args]


def cut_off_while_slow(port: int, give_up_after: float) -> bool:
    """Whether a server closes a connection whose headers never end (a header line a second).

    False if it still holds it after `give_up_after` seconds.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=1.0) as slow:
        slow.sendall(b"GET /v1/models HTTP/1.1\r\nHost: a\r\n")
        deadline = time.monotonic() + give_up_after
        while time.monotonic() < deadline:
            try:
                slow.sendall(b"x-slow: 1\r\n")
                while slow.recv(65536):  # an answer (408, 400) may come before the close
                    pass
            except TimeoutError:
                continue  # nothing yet: still held
            except OSError:  # reset by the server
                return True
            return True  # the server closed its end
    return False


class ServerProcess:
    """One server; `start()` waits until /readyz answers, `stop()` ends it and its children."""

    def __init__(self, database_url: str, log_path: Path, env: dict[str, str] | None = None):
        self.database_url = database_url
        self.log_path = log_path
        self.env = env or {}
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> ServerProcess:
        # The suite's own traffic must never trip the default limits; rate-limit tests set theirs.
        env = {
            **os.environ,
            "MODELDIR_DATABASE_URL": self.database_url,
            "MODELDIR_KEY_REQUESTS_PER_MINUTE": "100000000",
            # Stop at once (finishing what is in flight); the drain has tests of its own.
            "MODELDIR_DRAIN_SECONDS": "0",
            **self.env,
        }
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                modeldir_command("serve", "--host", "127.0.0.1", "--port", str(self.port)),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server not ready in {timeout} s:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
