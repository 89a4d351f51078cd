"""`modeldir serve` as an operator meets it, through the real entry point (a subprocess).

A start either serves or fails in one line with a documented exit status, before it prints or
creates anything; it never shares a port with another process by accident; it takes host names
and IPv6 literals; and the first key is printed once the server accepts it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from modeldir.admin.bootstrap import initialize
from modeldir.store import open_store
from tests.support.server import ServerProcess, free_port, modeldir_command

VERSION = {"anthropic-version": "2023-06-01"}


def environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELDIR_")}
    env["MODELDIR_DATABASE_URL"] = database_url
    return env


def serve_fails(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a `serve` that is expected to stop by itself."""
    return subprocess.run(
        modeldir_command("serve", *args),
        env=environment(database_url),
        capture_output=True,
        text=True,
        timeout=60,
    )


@contextmanager
def serving(database_url: str, *args: str) -> Iterator[subprocess.Popen[str]]:
    """A `serve` process in a session of its own, stopped by its PID."""
    process = subprocess.Popen(
        modeldir_command("serve", *args),
        env=environment(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def first_line(process: subprocess.Popen[str], timeout: float = 60.0) -> str:
    """The first line the process prints on standard output."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line:
            return line.strip()
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {process.stderr.read() if process.stderr else ''}")
    raise AssertionError("serve printed nothing")


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'modeldir.db'}"


def test_a_taken_port_is_one_line_exit_6_and_nothing_created(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        result = serve_fails(sqlite_url(tmp_path), "--port", str(port))
    assert result.returncode == 6
    assert result.stderr == f"modeldir: port {port} on 127.0.0.1 is already in use\n"
    assert result.stdout == ""
    assert not (tmp_path / "modeldir.db").exists()  # no database, so no key was minted


def test_a_second_server_on_a_served_port_is_refused(tmp_path: Path) -> None:
    first = ServerProcess(sqlite_url(tmp_path), tmp_path / "first.log").start()
    try:
        other = f"sqlite:///{tmp_path / 'other.db'}"
        result = serve_fails(other, "--port", str(first.port))
        assert result.returncode == 6, result.stderr
        assert "already in use" in result.stderr and "Traceback" not in result.stderr
        assert httpx.get(f"{first.base_url}/healthz").status_code == 200
    finally:
        first.stop()


@pytest.mark.parametrize(
    ("host", "shown"),
    [("localhost", "localhost"), ("127.0.0.1", "127.0.0.1"), ("::1", "[::1]")],
)
def test_host_names_and_ipv6_serve_and_print_a_well_formed_url(
    tmp_path: Path, host: str, shown: str
) -> None:
    port = free_port()
    with serving(sqlite_url(tmp_path), "--host", host, "--port", str(port), "--json") as process:
        first = json.loads(first_line(process))
        assert first["base_url"] == f"http://{shown}:{port}"
        response = httpx.get(
            f"{first['base_url']}/v1/models", headers={"x-api-key": first["api_key"], **VERSION}
        )
        assert response.status_code == 200  # the key works the moment it is printed


def test_the_first_key_is_printed_with_the_url_served(tmp_path: Path) -> None:
    port = free_port()
    with serving(sqlite_url(tmp_path), "--port", str(port)) as process:
        line = first_line(process)
    base_url, key = (part.split("=", 1)[1] for part in line.split(" "))
    assert base_url == f"http://127.0.0.1:{port}"
    assert key.startswith("sk-ant-api03-")


def test_a_start_without_an_active_key_says_how_to_make_one(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    store = open_store(url)
    initialize(store, seed=False)
    store.close()
    env = environment(url)
    created = subprocess.run(
        modeldir_command("keys", "create", "--json"),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    key_id = json.loads(created.stdout)["id"]
    subprocess.run(modeldir_command("keys", "revoke", key_id), env=env, check=True)
    server = ServerProcess(url, tmp_path / "server.log").start()
    try:
        deadline = time.monotonic() + 30
        while "modeldir keys create" not in (tmp_path / "server.log").read_text():
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.05)
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (("--host", "no-such-host.invalid"), 2, "cannot listen on 'no-such-host.invalid'"),
        (("--host", "192.0.2.1"), 2, "192.0.2.1 is not an address of this machine"),
        (("--port", "70000"), 2, "70000 is not in the range 0<=x<=65535"),
    ],
)
def test_bad_addresses_fail_in_one_line(
    tmp_path: Path, args: tuple[str, ...], status: int, message: str
) -> None:
    result = serve_fails(sqlite_url(tmp_path), *args)
    assert result.returncode == status, result.stderr
    assert message in result.stderr.strip().splitlines()[-1]  # one line (after click's usage)
    assert "Traceback" not in result.stderr
