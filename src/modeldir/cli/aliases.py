"""`modeldir aliases`: second names for models."""

from __future__ import annotations

from typing import Any

import click

from modeldir.admin import inputs
from modeldir.cli.main import cli, emit, emit_versioned, list_all, run
from modeldir.cli.options import if_match_option, json_option, limit_option


@cli.group(epilog="Example: modeldir aliases create acme acme-large-20260101")
def aliases() -> None:
    """Create, move, list and delete model aliases."""


def _alias_line(a: dict[str, Any]) -> str:
    return f"{a['id']} -> {a['model']}{'  (listed)' if a['listed'] else ''}"


@aliases.command("list", epilog="Example: modeldir aliases list --json")
@limit_option
@json_option
@click.pass_context
def aliases_list(ctx: click.Context, limit: int | None, as_json: bool) -> None:
    """List aliases by name."""

    found = list_all(ctx, "list_aliases", inputs.ListParams, limit)
    emit(as_json, found, "\n".join(map(_alias_line, found)))


@aliases.command("get", epilog="Example: modeldir aliases get claude-sonnet-4-5")
@click.argument("alias")
@json_option
@click.pass_context
def aliases_get(ctx: click.Context, alias: str, as_json: bool) -> None:
    """Show an alias (with --json, its ETag too)."""
    result = run(ctx, lambda a: a.get_alias(alias))
    emit_versioned(as_json, result, _alias_line(result.object))


@aliases.command(
    "create", epilog="Example: modeldir aliases create acme acme-large-20260101 --listed"
)
@click.argument("alias")
@click.argument("model")
@click.option(
    "--listed", is_flag=True, help="Show the alias in GET /v1/models as an entry of its own."
)
@json_option
@click.pass_context
def aliases_create(ctx: click.Context, alias: str, model: str, listed: bool, as_json: bool) -> None:
    """Create an alias for a model."""
    body = run(
        ctx,
        lambda _a: inputs.parse(
            inputs.AliasCreate, {"alias": alias, "model": model, "listed": listed}
        ),
    )
    result = run(ctx, lambda a: a.create_alias(body))
    emit_versioned(as_json, result, _alias_line(result.object))


@aliases.command(
    "update", epilog="Example: modeldir aliases update acme --model acme-large-20260601"
)
@click.argument("alias")
@click.option("--model", help="Point the alias at another model.")
@click.option("--listed/--unlisted", default=None, help="Show it in GET /v1/models, or not.")
@if_match_option
@json_option
@click.pass_context
def aliases_update(
    ctx: click.Context,
    alias: str,
    model: str | None,
    listed: bool | None,
    if_match: str | None,
    as_json: bool,
) -> None:
    """Move an alias to another model, or list or unlist it."""
    data = {k: v for k, v in (("model", model), ("listed", listed)) if v is not None}
    body = run(ctx, lambda _a: inputs.parse(inputs.AliasUpdate, data))
    result = run(ctx, lambda a: a.update_alias(alias, body, if_match))
    emit_versioned(as_json, result, _alias_line(result.object))


@aliases.command("delete", epilog="Example: modeldir aliases delete acme")
@click.argument("alias")
@if_match_option
@json_option
@click.pass_context
def aliases_delete(ctx: click.Context, alias: str, if_match: str | None, as_json: bool) -> None:
    """Delete an alias."""
    result = run(ctx, lambda a: a.delete_alias(alias, if_match))
    emit(as_json, result, f"deleted {alias}")
