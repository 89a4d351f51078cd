"""The HTTP server modeldir runs on, configured once (bench/ceiling.py runs on it too)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modeldir.live import SHARED_REVISION_ENV, SharedRevision
from modeldir.wire.logs import server_log_config

if TYPE_CHECKING:
    # What `Granian` is: a process or a thread server, chosen by how Python was built.
    from granian.server.common import AbstractServer

WORKER_METRICS_FOLDER = "PROMETHEUS_MULTIPROC_DIR"
"""Where prometheus-client's multiprocess mode keeps each worker's metrics (wire/metrics.py)."""


@contextlib.contextmanager
def worker_metrics_folder() -> Iterator[str]:
    """A new private folder for the workers' metrics, named in the environment they inherit,
    for as long as the server runs; removed afterwards.

    A fresh folder each start: files left by an earlier run would add to this one's counts.
    Nothing here may start a thread (the workers are forked from this process) or import
    prometheus-client (it settles its mode at import, from the environment).
    """
    previous = os.environ.get(WORKER_METRICS_FOLDER)
    with tempfile.TemporaryDirectory(prefix="modeldir-metrics-") as folder:
        os.environ[WORKER_METRICS_FOLDER] = folder
        try:
            yield folder
        finally:
            if previous is None:
                del os.environ[WORKER_METRICS_FOLDER]
            else:
                os.environ[WORKER_METRICS_FOLDER] = previous


def production_server(
    target: str,
    *,
    address: str,
    port: int,
    workers: int = 1,
    log_level: str = "warning",
    log_format: str = "text",
    header_timeout: float = 10.0,
) -> AbstractServer[Any]:
    """granian serving the ASGI app factory `module:function` as modeldir serves in production."""
    from granian import Granian  # imported here: the CLI starts without loading the server
    from granian.constants import HTTPModes, Interfaces, Loops, RuntimeModes
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    return Granian(
        target,
        factory=True,
        address=address,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        loop=Loops.uvloop,
        http=HTTPModes.http1,
        # Slow clients (one header byte now and then) are cut off instead of held for ever.
        http1_settings=HTTP1Settings(header_read_timeout=int(header_timeout * 1000)),
        websockets=False,
        # One thread per worker: processes, not threads, spread the work over CPUs.
        runtime_mode=RuntimeModes.st,
        log_level=LogLevels(log_level),
        # modeldir logs each request itself (wire/logs.py), with its request id and workspace.
        log_access=False,
        log_dictconfig=server_log_config(log_format),
        # On SIGTERM: stop accepting, finish what is in flight (for this long), then exit.
        workers_kill_timeout=30,
        respawn_failed_workers=True,
    )


@contextlib.contextmanager
def instance_state() -> Iterator[Path]:
    """A private folder for what the workers of one instance share, removed at the end.

    It holds the revision the workers keep each other up to date with (`modeldir.live`); the
    workers find it through the environment they inherit.
    """
    with tempfile.TemporaryDirectory(prefix="modeldir-instance-") as folder:
        shared = Path(folder) / "revision"
        SharedRevision.create(shared)
        os.environ[SHARED_REVISION_ENV] = str(shared)
        try:
            yield Path(folder)
        finally:
            os.environ.pop(SHARED_REVISION_ENV, None)
