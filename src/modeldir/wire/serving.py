"""The HTTP server modeldir runs on, configured once (bench/ceiling.py runs on it too)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # What `Granian` is: a process or a thread server, chosen by how Python was built.
    from granian.server.common import AbstractServer


def production_server(
    target: str,
    *,
    address: str,
    port: int,
    workers: int = 1,
    log_level: str = "warning",
    access_log: bool = False,
) -> AbstractServer[Any]:
    """granian serving the ASGI app factory `module:function` as modeldir serves in production."""
    from granian import Granian  # imported here: the CLI starts without loading the server
    from granian.constants import HTTPModes, Interfaces, Loops, RuntimeModes
    from granian.log import LOGGING_CONFIG, LogLevels

    # Logs go to standard error: standard output carries data (`serve --json`'s first line).
    handlers: dict[str, dict[str, Any]] = LOGGING_CONFIG["handlers"]  # type: ignore[assignment]
    to_stderr = {name: {**h, "stream": "ext://sys.stderr"} for name, h in handlers.items()}

    return Granian(
        target,
        factory=True,
        address=address,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        loop=Loops.uvloop,
        http=HTTPModes.http1,
        websockets=False,
        # One thread per worker: processes, not threads, spread the work over CPUs.
        runtime_mode=RuntimeModes.st,
        log_level=LogLevels(log_level),
        log_access=access_log,
        log_dictconfig={"handlers": to_stderr},
        # On SIGTERM: stop accepting, finish what is in flight (for this long), then exit.
        workers_kill_timeout=30,
        respawn_failed_workers=True,
    )
