"""`modeldir admin-keys`: keys for the admin API (on the database only)."""

from __future__ import annotations

import click

from modeldir.admin import inputs
from modeldir.cli.main import cli, emit, emit_versioned, run
from modeldir.cli.options import json_option


@cli.group("admin-keys", epilog="Example: modeldir admin-keys create --name ops")
def admin_keys() -> None:
    """Keys for the admin API (on the database only, never through the API)."""


@admin_keys.command(
    "create", epilog="Example: export MODELDIR_ADMIN_KEY=$(modeldir admin-keys create --name ops)"
)
@click.option("--name", default="admin key", show_default=True)
@click.option(
    "--read-only",
    is_flag=True,
    help="A key that reads everything (admin API, console) and changes nothing.",
)
@json_option
@click.pass_context
def admin_keys_create(ctx: click.Context, name: str, read_only: bool, as_json: bool) -> None:
    """Create an admin key and print it (the only time it is shown)."""
    body = inputs.AdminKeyCreate(name=name, read_only=read_only)
    result = run(ctx, lambda a: a.create_admin_key(body))
    emit_versioned(as_json, result, result.object["key"])


@admin_keys.command("list", epilog="Example: modeldir admin-keys list --json")
@json_option
@click.pass_context
def admin_keys_list(ctx: click.Context, as_json: bool) -> None:
    """List admin keys (their hints, never the keys)."""
    found = run(ctx, lambda a: a.list_admin_keys())
    lines = [
        f"{k['id']}  {k['status']:8}  {'read-only' if k['read_only'] else 'full':9}  "
        f"{k['partial_key_hint']}  {k['name']}"
        for k in found
    ]
    emit(as_json, found, "\n".join(lines))


@admin_keys.command("revoke", epilog="Example: modeldir admin-keys revoke adminkey_01...")
@click.argument("key_id")
@json_option
@click.pass_context
def admin_keys_revoke(ctx: click.Context, key_id: str, as_json: bool) -> None:
    """Revoke an admin key: it stops working at once."""
    result = run(ctx, lambda a: a.revoke_admin_key(key_id))
    emit_versioned(as_json, result, f"revoked {key_id}")
