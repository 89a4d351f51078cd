"""Storage faults: nothing lost, and no failure outside the envelope.

- SQLite on a disk that fills up while the server runs: each admin write is a retryable 503
  envelope, the Models API keeps answering from its snapshot, no write is half-made, and writes
  work again once the disk has room. On a read-only disk `serve` refuses to start, in one line.
- PostgreSQL refusing connections while reads and writes run: every read answers, every write
  answers 200 or a retryable 503, and every write answered 200 is there afterwards.
- `kill -9` of the CLI and of the server in the middle of a large import, on both backends:
  afterwards the catalogue is exactly what it was before, or exactly what the file makes it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.bulk import synthetic_models, write_catalogue
from modeldir.admin.bootstrap import initialize
from modeldir.errors import EXIT_UNAVAILABLE
from modeldir.store import open_store
from tests.conftest import BACKENDS, database
from tests.e2e.test_hostile_and_faults import _allow_connections, envelope, started
from tests.support.server import ServerProcess, modeldir_command
from tests.support.services import fresh_postgres_database, remount, small_disk

VERSION = {"anthropic-version": "2023-06-01"}
IMPORT_SIZE = 30_000


def model_ids(database_url: str) -> frozenset[str]:
    """Every live model id in the database, read through the store."""
    store = open_store(database_url)
    try:
        with store.reader() as reader:
            return frozenset(reader.live_model_ids())
    finally:
        store.close()


def workspace_names(database_url: str) -> set[str]:
    store = open_store(database_url)
    try:
        with store.reader() as reader:
            return {w.name for w in reader.workspaces()}
    finally:
        store.close()


# ---- SQLite: a full disk, a read-only disk ---------------------------------------------------


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "disk", 24) as folder:
        yield folder


def fill(folder: Path) -> Path:
    """Take every free byte of the disk; the file to remove to give them back."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:
        for size in (1 << 20, 4096, 1):  # big blocks, then what is left
            with contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * size)
    return filler


def test_sqlite_on_a_disk_that_fills_up_answers_503_and_loses_nothing(
    disk: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{disk / 'catalogue.db'}"
    server, admin_key, key = started(url, tmp_path)
    try:
        with admin_client(server, admin_key) as admin:
            assert admin.post("/workspaces", json={"name": "before"}).status_code == 200
            filler = fill(disk)
            try:
                refused_while_failing(server, admin, key)
            finally:
                filler.unlink()
            assert admin.post("/workspaces", json={"name": "after"}).status_code == 200
    finally:
        server.stop()
    assert_nothing_half_made(url)


def test_sqlite_on_a_read_only_disk_is_refused_at_start_in_one_line(
    disk: Path, tmp_path: Path
) -> None:
    """Linux will not make a disk read-only under files open for writing, so this fault is
    met at start: `serve` says why in one line and exits 6 (unavailable); nothing is lost."""
    url = f"sqlite:///{disk / 'catalogue.db'}"
    server, admin_key, _key = started(url, tmp_path)
    with admin_client(server, admin_key) as admin:
        assert admin.post("/workspaces", json={"name": "before"}).status_code == 200
    server.stop()
    remount(disk, "ro")
    try:
        refused = subprocess.run(
            modeldir_command("serve", "--port", str(server.port)),
            env={**os.environ, "MODELDIR_DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        remount(disk, "rw")
    assert refused.returncode == EXIT_UNAVAILABLE
    assert refused.stderr.strip().splitlines() == [
        "modeldir: database error: unable to open database file"
    ]
    server.start()
    with admin_client(server, admin_key) as admin:
        assert admin.post("/workspaces", json={"name": "after"}).status_code == 200
    server.stop()
    names = workspace_names(url)
    assert {"before", "after"} <= names


def admin_client(server: ServerProcess, admin_key: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{server.base_url}/v1/organizations", headers={"x-api-key": admin_key, **VERSION}
    )


def refused_while_failing(server: ServerProcess, admin: httpx.Client, key: str) -> None:
    """Writes are retryable 503 envelopes; reads, served from the snapshot, still answer."""
    for n in range(5):
        response = admin.post("/workspaces", json={"name": f"during-{n}"})
        assert "database is unavailable" in envelope(response, 503, "api_error")
        assert response.headers["x-should-retry"] == "true"
        listed = httpx.get(f"{server.base_url}/v1/models", headers={"x-api-key": key, **VERSION})
        assert listed.status_code == 200


def assert_nothing_half_made(url: str) -> None:
    names = workspace_names(url)
    assert {"before", "after"} <= names
    assert not {n for n in names if n.startswith("during-")}


# ---- PostgreSQL: refusing connections under load ---------------------------------------------


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


def test_postgres_going_away_under_load_loses_no_acknowledged_write(
    postgres_url: str, tmp_path: Path
) -> None:
    server, admin_key, key = started(postgres_url, tmp_path)
    stop = threading.Event()
    read_statuses: list[int] = []
    acknowledged: list[str] = []
    refused: list[httpx.Response] = []

    def read() -> None:
        with httpx.Client(base_url=server.base_url, headers={"x-api-key": key, **VERSION}) as c:
            while not stop.is_set():
                read_statuses.append(c.get("/v1/models?limit=5").status_code)

    def write() -> None:
        headers = {"x-api-key": admin_key, **VERSION}
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as c:
            n = 0
            while not stop.is_set():
                name = f"load-{n}"
                n += 1
                response = c.post("/v1/organizations/workspaces", json={"name": name})
                if response.status_code == 200:
                    acknowledged.append(name)
                else:
                    refused.append(response)

    threads = [threading.Thread(target=read), threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        _allow_connections(postgres_url, False)
        time.sleep(2.0)
        _allow_connections(postgres_url, True)
        time.sleep(1.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        server.stop()
    assert read_statuses and set(read_statuses) == {200}
    assert refused, "no write met the outage"
    for response in refused:
        envelope(response, 503, "api_error")
        assert response.headers["x-should-retry"] == "true"
    assert set(acknowledged) <= workspace_names(postgres_url)


# ---- kill -9 during a large import -----------------------------------------------------------


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("import") / "catalogue.json"
    write_catalogue(path, synthetic_models(IMPORT_SIZE))
    return path


def expected_after(before: frozenset[str]) -> frozenset[str]:
    return before | {f"bulk-{i:07d}" for i in range(IMPORT_SIZE)}


def outcome(database_url: str, before: frozenset[str]) -> str:
    """ "before" or "after" when the catalogue is exactly one of them; fails otherwise."""
    now = model_ids(database_url)
    if now == before:
        return "before"
    assert now == expected_after(before), f"half an import: {len(now - before)} of {IMPORT_SIZE}"
    return "after"


KILL_AT = (0.3, 0.6, 0.9)
"""When to kill, as a share of how long the whole import takes on that backend: the import
writes as it reads the file, so these land inside its one transaction."""


def import_command(large_file: Path, database_url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        modeldir_command("models", "import", str(large_file), "--quiet"),
        env={**os.environ, "MODELDIR_DATABASE_URL": database_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def seeded(database_url: str) -> frozenset[str]:
    store = open_store(database_url)
    initialize(store)
    store.close()
    return model_ids(database_url)


@pytest.fixture(scope="module")
def import_seconds(large_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    """How long an import of the file takes, uninterrupted, on each backend."""
    took = {}
    folder = tmp_path_factory.mktemp("timing")
    for backend in BACKENDS:
        with database(backend, folder) as url:
            before = seeded(url)
            started_at = time.monotonic()
            assert import_command(large_file, url).wait(timeout=300) == 0
            took[backend] = time.monotonic() - started_at
            assert outcome(url, before) == "after"
    return took


@pytest.mark.parametrize("share", KILL_AT)
def test_kill_9_of_the_cli_during_an_import_leaves_before_or_after(
    database_url: str, large_file: Path, import_seconds: dict[str, float], share: float
) -> None:
    before = seeded(database_url)
    process = import_command(large_file, database_url)
    time.sleep(share * import_seconds[backend_of(database_url)])
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    outcome(database_url, before)


def backend_of(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgres"


@pytest.mark.parametrize("share", KILL_AT)
def test_kill_9_of_the_server_during_an_import_leaves_before_or_after(
    database_url: str,
    large_file: Path,
    import_seconds: dict[str, float],
    tmp_path: Path,
    share: float,
) -> None:
    server, admin_key, _key = started(database_url, tmp_path)
    before = model_ids(database_url)
    assert server.process is not None

    def upload() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server is killed under it
            httpx.post(
                f"{server.base_url}/v1/organizations/catalogue/import",
                content=large_file.read_bytes(),
                headers={"x-api-key": admin_key, **VERSION, "content-type": "application/json"},
                timeout=60,
            )

    uploading = threading.Thread(target=upload)
    uploading.start()
    time.sleep(share * import_seconds[backend_of(database_url)])
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=10)
    uploading.join(timeout=30)
    outcome(database_url, before)
    restarted = ServerProcess(database_url, tmp_path / "restarted.log").start()
    restarted.stop()  # the database opens and serves after the kill
