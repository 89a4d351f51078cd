"""`modeldir keys`: API keys."""

from __future__ import annotations

from typing import Any

import click

from modeldir.admin import inputs
from modeldir.cli.main import cli, emit, emit_versioned, list_all, run
from modeldir.cli.options import if_match_option, json_option, limit_option, timestamp


@cli.group(epilog="Example: modeldir keys create --name ci")
def keys() -> None:
    """Create, list, change, rotate and revoke API keys."""


def _key_line(k: dict[str, Any]) -> str:
    workspace = k["scope"]["workspace_id"]
    return f"{k['id']}  {k['status']:8}  {workspace}  {k['partial_key_hint']}  {k['name']}"


@keys.command(
    "create",
    epilog="Example: modeldir keys create --workspace wrkspc_01... --name ci --expires-at 2027-01-01",  # noqa: E501
)
@click.option("--workspace", "workspace_id", help="Workspace id [default: the default workspace].")
@click.option("--name", default="modeldir key", show_default=True)
@click.option(
    "--expires-at", callback=timestamp, help="RFC 3339 time after which the key stops working."
)
@json_option
@click.pass_context
def keys_create(
    ctx: click.Context, workspace_id: str | None, name: str, expires_at: str | None, as_json: bool
) -> None:
    """Create an API key and print it (the only time it is shown)."""
    data = {"workspace_id": workspace_id, "name": name, "expires_at": expires_at}
    body = run(ctx, lambda _a: inputs.parse(inputs.ApiKeyCreate, data))
    result = run(ctx, lambda a: a.create_api_key(body))
    emit_versioned(as_json, result, result.object["key"])


@keys.command("list", epilog="Example: modeldir keys list --status active --json")
@click.option("--workspace", "workspace_id", help="Only keys of this workspace.")
@click.option("--status", type=click.Choice(["active", "inactive", "archived", "expired"]))
@limit_option
@json_option
@click.pass_context
def keys_list(
    ctx: click.Context,
    workspace_id: str | None,
    status: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """List API keys, newest first (their hints, never the keys)."""

    found = list_all(
        ctx,
        "list_api_keys",
        inputs.ApiKeyListParams,
        limit,
        workspace_id=workspace_id,
        status=status,
    )
    emit(as_json, found, "\n".join(map(_key_line, found)))


@keys.command("get", epilog="Example: modeldir keys get apikey_01... --json")
@click.argument("key_id")
@json_option
@click.pass_context
def keys_get(ctx: click.Context, key_id: str, as_json: bool) -> None:
    """Show an API key (with --json, its ETag too)."""
    result = run(ctx, lambda a: a.get_api_key(key_id))
    emit_versioned(as_json, result, _key_line(result.object))


def _key_update(
    ctx: click.Context, key_id: str, data: dict[str, Any], if_match: str | None, as_json: bool
) -> None:
    body = run(ctx, lambda _a: inputs.parse(inputs.ApiKeyUpdate, data))
    result = run(ctx, lambda a: a.update_api_key(key_id, body, if_match))
    emit_versioned(as_json, result, _key_line(result.object))


@keys.command("rename", epilog="Example: modeldir keys rename apikey_01... ci-2026")
@click.argument("key_id")
@click.argument("name")
@if_match_option
@json_option
@click.pass_context
def keys_rename(
    ctx: click.Context, key_id: str, name: str, if_match: str | None, as_json: bool
) -> None:
    """Rename an API key."""
    _key_update(ctx, key_id, {"name": name}, if_match, as_json)


def _status_command(name: str, status: str, summary: str) -> None:
    @keys.command(name, help=summary, epilog=f"Example: modeldir keys {name} apikey_01...")
    @click.argument("key_id")
    @if_match_option
    @json_option
    @click.pass_context
    def command(ctx: click.Context, key_id: str, if_match: str | None, as_json: bool) -> None:
        _key_update(ctx, key_id, {"status": status}, if_match, as_json)


_status_command("deactivate", "inactive", "Stop an API key working until it is reactivated.")
_status_command("reactivate", "active", "Let a deactivated API key work again.")
_status_command("archive", "archived", "Stop an API key working, for good.")
_status_command("revoke", "archived", "The same as archive: stop an API key working, for good.")


@keys.command("rotate", epilog="Example: modeldir keys rotate apikey_01... --grace 3600")
@click.argument("key_id")
@click.option(
    "--grace",
    type=click.IntRange(0, inputs.MAX_GRACE_SECONDS),
    default=3600,
    show_default=True,
    help="Seconds the old key keeps working.",
)
@if_match_option
@json_option
@click.pass_context
def keys_rotate(
    ctx: click.Context, key_id: str, grace: int, if_match: str | None, as_json: bool
) -> None:
    """Give an API key a new secret and print it; the old one works for --grace seconds."""
    result = run(
        ctx,
        lambda a: a.rotate_api_key(
            key_id, inputs.ApiKeyRotate(grace_period_seconds=grace), if_match
        ),
    )
    emit_versioned(as_json, result, result.object["key"])
