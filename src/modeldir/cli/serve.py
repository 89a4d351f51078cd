"""`modeldir serve`: start the server."""

from __future__ import annotations

import os
from typing import Any

import click

from modeldir.admin import inputs
from modeldir.cli.failures import user_errors
from modeldir.cli.main import cli, settings
from modeldir.cli.options import setting_options

SERVE_SETTINGS = ("host", "port", "log_level", "access_log", "workers")
"""The settings `serve` takes as options."""


@cli.command(epilog="Example: modeldir serve --host 0.0.0.0 --port 8080")
@setting_options(*SERVE_SETTINGS)
@click.pass_context
def serve(ctx: click.Context, /, **given: Any) -> None:
    """Start the server. The first start creates an API key and prints it once."""
    from modeldir.admin.bootstrap import initialize
    from modeldir.admin.service import Actor, AdminService
    from modeldir.store import open_store
    from modeldir.wire.serving import production_server

    chosen = settings(ctx, **given)
    with user_errors():
        store = open_store(chosen.database_url)
        initialize(store, organization_id=chosen.organization_id, seed=chosen.seed)
        with store.reader() as reader:
            first_start = not reader.api_keys()
        if first_start:
            service = AdminService(store, Actor("cli", "serve"))
            created = service.create_api_key(inputs.ApiKeyCreate(name="first key"))
            wildcard = chosen.host in ("0.0.0.0", "::", "")  # noqa: S104 - comparing, not binding
            shown_host = "127.0.0.1" if wildcard else chosen.host
            click.echo("modeldir: created the first API key. It is shown only this once:", err=True)
            click.echo(
                f"ANTHROPIC_BASE_URL=http://{shown_host}:{chosen.port} "
                f"ANTHROPIC_API_KEY={created.object['key']}"
            )
    click.echo(f"modeldir: serving {store.url} on http://{chosen.host}:{chosen.port}", err=True)
    store.close()
    # Each worker process builds its own server from the environment: hand the settings over.
    os.environ.update(chosen.as_environment())
    production_server(
        "modeldir.wire.app:create_app",
        address=chosen.host,
        port=chosen.port,
        workers=chosen.workers,
        log_level=chosen.log_level,
        access_log=chosen.access_log,
    ).serve()
