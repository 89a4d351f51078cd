"""`modeldir serve`: start the server, or say in one line why it cannot start.

Everything that can fail is checked before anything is printed or written: the address is
resolved and the port is bound once (a port another process listens on is refused, even one
shared with `SO_REUSEPORT`), then the database is opened and migrated. Only when the server
answers does `serve` print where it serves and, on a new database, mint the first API key and
print it, with the URL it really serves on.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import multiprocessing
import os
import socket
import time
from dataclasses import dataclass
from typing import Any

import click
import httpx
import orjson

from modeldir.admin import inputs
from modeldir.cli.failures import UserError, user_errors
from modeldir.cli.main import cli, settings, uses_default_database
from modeldir.cli.options import json_option, setting_options
from modeldir.errors import EXIT_UNAVAILABLE, EXIT_USAGE
from modeldir.settings import Settings
from modeldir.wire.logs import JsonFormatter

SERVE_SETTINGS = (
    "host",
    "port",
    "log_level",
    "log_format",
    "access_log",
    "workers",
    "header_timeout",
    "drain_seconds",
)
"""The settings `serve` takes as options."""
READY_TIMEOUT = 600.0
"""How long to wait for the server's first answer (a million models load in about 10 s)."""


@dataclass(frozen=True, slots=True)
class ListenAddress:
    """Where the server listens: the address as given, and the IP it resolves to."""

    host: str
    ip: str
    port: int
    family: socket.AddressFamily

    @property
    def url(self) -> str:
        """The base URL clients use; a wildcard address is reached through loopback."""
        ip = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.ip, self.ip)  # noqa: S104
        host = self.host if self.ip == ip and not _is_ip(self.host) else ip
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"


def _is_ip(text: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in text else socket.AF_INET, text)
    except OSError:
        return False
    return True


def listen_address(host: str, port: int) -> ListenAddress:
    """Resolve the host (a name, an IPv4 or an IPv6 literal) to the address to bind."""
    literal = host.strip("[]")
    try:
        found = socket.getaddrinfo(literal, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UserError(f"cannot listen on {host!r}: {error}", EXIT_USAGE) from None
    # IPv4 first: a name such as localhost then binds where most clients look first.
    found.sort(key=lambda info: info[0] != socket.AF_INET)
    family, _, _, _, sockaddr = found[0]
    return ListenAddress(literal, str(sockaddr[0]), port, socket.AddressFamily(family))


def check_port_free(address: ListenAddress) -> None:
    """Bind the port once, as the server will: refuse a port another process listens on."""
    with socket.socket(address.family, socket.SOCK_STREAM) as probe:
        # Connections of an earlier run in TIME_WAIT must not count as "in use".
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address.ip, address.port))
            probe.listen(1)
        except OSError as error:
            where = f"port {address.port} on {address.host}"
            if error.errno == errno.EADDRINUSE:
                raise UserError(f"{where} is already in use", EXIT_UNAVAILABLE) from None
            if error.errno == errno.EADDRNOTAVAIL:
                raise UserError(
                    f"{address.host} is not an address of this machine", EXIT_USAGE
                ) from None
            if error.errno == errno.EACCES:
                raise UserError(
                    f"{where} needs privileges: choose a port above 1023", EXIT_UNAVAILABLE
                ) from None
            raise UserError(
                f"cannot listen on {where}: {error.strerror}", EXIT_UNAVAILABLE
            ) from None


@cli.command(epilog="Example: modeldir serve --host 0.0.0.0 --port 8080")
@setting_options(*SERVE_SETTINGS)
@json_option
@click.pass_context
def serve(ctx: click.Context, /, as_json: bool, **given: Any) -> None:
    """Start the server. The first start creates an API key and prints it once."""
    from modeldir.admin.bootstrap import initialize
    from modeldir.store import open_store
    from modeldir.wire.serving import instance_state, production_server, worker_metrics_folder

    chosen = settings(ctx, **given)
    address = listen_address(chosen.host, chosen.port)
    check_port_free(address)
    with user_errors():
        store = open_store(chosen.database_url, create_folder=uses_default_database(chosen))
        try:
            initialize(store, organization_id=chosen.organization_id, seed=chosen.seed)
            with store.reader() as reader:
                keys = reader.api_keys()
        finally:
            store.close()
    announcer = _Announcer(
        chosen,
        address,
        store.url,
        first_start=not keys,
        no_active_key=bool(keys) and all(k.status != "active" for k in keys),
        as_json=as_json,
    )
    # A process of its own, started fresh (`spawn`): the HTTP server forks its workers from this
    # process, and a thread here could hold a lock at that moment that a worker then waits on
    # for ever (seen as a worker that never starts).
    spawned = multiprocessing.get_context("spawn").Process(
        target=announcer.run, args=(os.getpid(),), name="modeldir-announce", daemon=True
    )
    spawned.start()
    # Each worker process builds its own server from the environment: hand the settings over.
    os.environ.update(chosen.as_environment())
    with contextlib.ExitStack() as running:
        running.enter_context(instance_state())
        if chosen.metrics:  # the workers share their metrics through files in a folder
            with user_errors():
                running.enter_context(worker_metrics_folder())
        production_server(
            "modeldir.wire.app:create_app",
            address=address.ip,
            port=address.port,
            workers=chosen.workers,
            log_level=chosen.log_level,
            log_format=chosen.log_format,
            header_timeout=chosen.header_timeout,
        ).serve()


class _Announcer:
    """Says where the server serves once it answers; on a first start, mints the first key."""

    def __init__(
        self,
        chosen: Settings,
        address: ListenAddress,
        database: str,
        *,
        first_start: bool,
        no_active_key: bool,
        as_json: bool,
    ) -> None:
        self.settings = chosen
        self.address = address
        self.database = database
        self.first_start = first_start
        self.as_json = as_json
        self.no_active_key = no_active_key

    def run(self, server_pid: int) -> None:
        """Wait for the server's first answer, then announce it (in a process of its own)."""
        self.server_pid = server_pid
        url = self.address.url
        if not _answers(f"{url}/healthz", {}, READY_TIMEOUT, server_pid):
            return  # the server failed to start and says why itself
        self._say(f"serving {self.database} on {url}")
        if self.first_start:
            self._first_key(url)
        elif self.no_active_key:
            self._say("no API key is active; make one with `modeldir keys create`")

    def _say(self, message: str) -> None:
        """A line for the operator on standard error, in the log format chosen."""
        if self.settings.log_format == "json":
            record = logging.makeLogRecord(
                {"name": "modeldir.serve", "levelname": "INFO", "msg": message}
            )
            click.echo(JsonFormatter().format(record), err=True)
        else:
            click.echo(f"modeldir: {message}", err=True)

    def _first_key(self, url: str) -> None:
        from modeldir.admin.service import Actor, AdminService
        from modeldir.store import open_store

        store = open_store(self.settings.database_url, migrate=False)
        try:
            service = AdminService(store, Actor("cli", "serve"))
            key = service.create_api_key(inputs.ApiKeyCreate(name="first key")).object["key"]
        finally:
            store.close()
        # Print it only once the server accepts it, so a script can use it at once.
        headers = {"x-api-key": key, "anthropic-version": "2023-06-01"}
        _answers(f"{url}/v1/models?limit=1", headers, 30.0, self.server_pid)
        if self.as_json:
            click.echo(orjson.dumps({"base_url": url, "api_key": key}).decode())
            return
        self._say("created the first API key. It is shown only this once:")
        click.echo(f"ANTHROPIC_BASE_URL={url} ANTHROPIC_API_KEY={key}")


def _answers(url: str, headers: dict[str, str], timeout: float, server_pid: int) -> bool:
    """Whether `url` answers 200 within `timeout` seconds (asked every 50 ms); gives up at once
    when the server's process is gone."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and os.getppid() == server_pid:
        try:
            if httpx.get(url, headers=headers, timeout=2.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    return False
