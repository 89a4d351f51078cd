"""The real services the tests use (PostgreSQL, Redis, nginx, chromium, small disks), started
or installed here when they are missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "MODELDIR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _postgres_up() -> bool:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def ensure_postgres() -> None:
    """Start the machine's PostgreSQL cluster if it is not answering (bounded wait)."""
    if _postgres_up():
        return
    versions = (
        sorted(p.name for p in Path("/etc/postgresql").iterdir())
        if Path("/etc/postgresql").exists()
        else []
    )
    if not versions or shutil.which("pg_ctlcluster") is None:
        raise RuntimeError("PostgreSQL is down and no local cluster was found to start")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"],
        check=False,
        capture_output=True,
    )
    for _ in range(60):
        if _postgres_up():
            return
        time.sleep(0.5)
    raise RuntimeError("PostgreSQL did not start within 30 s")


def _admin(sql: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database for one test; dropped afterwards."""
    ensure_postgres()
    name = f"modeldir_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


REDIS_URL = os.environ.get("MODELDIR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def ensure_redis() -> None:
    """Start the machine's Redis if it is not answering (bounded wait)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
        return
    except redis.ConnectionError:
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=False,
            capture_output=True,
        )
    for _ in range(50):
        try:
            client.ping()
            return
        except redis.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("Redis did not start within 5 s")


class PrivateRedis:
    """A redis-server of the test's own, on a free port, that the test may stop and start."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private Redis did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """A private Redis, stopped (by PID) when the test ends."""
    from tests.support.server import free_port

    server = PrivateRedis(free_port())
    server.start()
    try:
        yield server
    finally:
        server.kill()


def ensure_nginx() -> str:
    """The nginx binary, installed from Debian's packages when it is missing."""
    found = shutil.which("nginx") or (
        Path("/usr/sbin/nginx") if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "nginx"], check=True, capture_output=True
        )
        found = shutil.which("nginx") or "/usr/sbin/nginx"
    return str(found)


def ensure_chromium() -> str:
    """Debian's chromium, installed from Debian's packages when it is missing.

    Playwright drives it by its path; Playwright's own browser download is never used.
    """
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"], check=True, capture_output=True
        )
        found = shutil.which("chromium") or "/usr/bin/chromium"
    return str(found)


@contextmanager
def small_disk(folder: Path, megabytes: int) -> Iterator[Path]:
    """A tmpfs of `megabytes` mounted at `folder`, to fill up or make read-only; unmounted after.

    Mounting needs root with CAP_SYS_ADMIN (file modes do not stop root, a mount does): where the
    machine does not allow it, the test is skipped and says why.
    """
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip() or 'not root'}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def remount(folder: Path, mode: str) -> None:
    """Make a `small_disk` read-only (`ro`) or writable again (`rw`)."""
    subprocess.run(["mount", "-o", f"remount,{mode}", str(folder)], check=True)
