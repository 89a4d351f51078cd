"""`modeldir org` and `modeldir workspaces`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from modeldir.admin import inputs
from modeldir.cli.main import cli, emit, emit_versioned, list_all, run
from modeldir.cli.options import if_match_option, json_option, limit_option

F = TypeVar("F", bound=Callable[..., Any])


@cli.command("org", epilog="Example: modeldir org --json")
@json_option
@click.pass_context
def org(ctx: click.Context, as_json: bool) -> None:
    """Show the organisation."""
    found = run(ctx, lambda a: a.organization())
    emit(as_json, found, f"{found['id']}  {found['name']}")


@cli.group(epilog="Example: modeldir workspaces list --include-default")
def workspaces() -> None:
    """Create, list, change and archive workspaces."""


def _workspace_line(w: dict[str, Any]) -> str:
    access = "every model" if w["model_access"] is None else ", ".join(w["model_access"])
    state = " (archived)" if w["archived_at"] else " (default)" if w.get("is_default") else ""
    return f"{w['id']}  {w['name']}{state}  [{access}]"


_UNSET = object()


def _per_minute(_ctx: click.Context, _param: click.Parameter, value: str | None) -> object:
    """A requests-per-minute option: a number (0: no limit), or `default` for the organisation's."""
    if value is None:
        return _UNSET
    if value == "default":
        return None
    if not value.isdigit():
        raise click.BadParameter("give a whole number of requests per minute, 0, or default")
    return int(value)


def rate_limit_options(command: F) -> F:
    """`--rpm` and `--key-rpm`: the workspace's rate limits."""
    command = click.option(
        "--key-rpm",
        callback=_per_minute,
        help="Requests per minute for each of its keys (0: none; default: the organisation's).",
    )(command)
    return click.option(
        "--rpm",
        callback=_per_minute,
        help="Requests per minute for the whole workspace (0: none; default: the organisation's).",
    )(command)


def _rate_limits(rpm: object, key_rpm: object) -> dict[str, int | None]:
    given = {"requests_per_minute": rpm, "key_requests_per_minute": key_rpm}
    return {name: value for name, value in given.items() if value is not _UNSET}  # type: ignore[misc]


def _tags(values: tuple[str, ...]) -> dict[str, str]:
    tags = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep:
            raise click.BadParameter(f"{value!r} is not KEY=VALUE", param_hint="--tag")
        tags[key] = text
    return tags


@workspaces.command(
    "create", epilog="Example: modeldir workspaces create team-a --allow 'claude-opus-*'"
)
@click.argument("name")
@click.option(
    "--allow",
    "patterns",
    multiple=True,
    help="A model id or glob it may see; repeat it [default: every model].",
)
@click.option("--color", help="Display colour, #RRGGBB.")
@click.option("--tag", "tags", multiple=True, help="KEY=VALUE; repeat it.")
@rate_limit_options
@json_option
@click.pass_context
def workspaces_create(
    ctx: click.Context,
    name: str,
    patterns: tuple[str, ...],
    color: str | None,
    tags: tuple[str, ...],
    rpm: object,
    key_rpm: object,
    as_json: bool,
) -> None:
    """Create a workspace, optionally limited to some models and a request rate."""
    data = {
        "name": name,
        "model_access": list(patterns) or None,
        "display_color": color,
        "tags": _tags(tags) or None,
        "rate_limits": _rate_limits(rpm, key_rpm) or None,
    }
    body = run(ctx, lambda _a: inputs.parse(inputs.WorkspaceCreate, data))
    result = run(ctx, lambda a: a.create_workspace(body))
    emit_versioned(as_json, result, result.object["id"])


@workspaces.command("list", epilog="Example: modeldir workspaces list --include-default --json")
@click.option("--include-archived", is_flag=True)
@click.option("--include-default", is_flag=True)
@limit_option
@json_option
@click.pass_context
def workspaces_list(
    ctx: click.Context,
    include_archived: bool,
    include_default: bool,
    limit: int | None,
    as_json: bool,
) -> None:
    """List workspaces, newest first (the default workspace only when asked for)."""
    found = list_all(
        ctx,
        "list_workspaces",
        inputs.WorkspaceListParams,
        limit,
        include_archived=include_archived,
        include_default=include_default,
    )
    emit(as_json, found, "\n".join(map(_workspace_line, found)))


@workspaces.command("get", epilog="Example: modeldir workspaces get wrkspc_01... --json")
@click.argument("workspace_id")
@json_option
@click.pass_context
def workspaces_get(ctx: click.Context, workspace_id: str, as_json: bool) -> None:
    """Show a workspace (with --json, its ETag too)."""
    result = run(ctx, lambda a: a.get_workspace(workspace_id))
    emit_versioned(as_json, result, _workspace_line(result.object))


@workspaces.command(
    "update",
    epilog="Example: modeldir workspaces update wrkspc_01... --allow 'claude-*' --if-match '\"12\"'",  # noqa: E501
)
@click.argument("workspace_id")
@click.option("--name")
@click.option("--allow", "patterns", multiple=True, help="Replace the allowed models; repeat it.")
@click.option("--allow-all", is_flag=True, help="Let it see every model.")
@click.option("--color", help="Display colour, #RRGGBB.")
@click.option("--tag", "tags", multiple=True, help="KEY=VALUE to set; repeat it.")
@click.option("--untag", "untags", multiple=True, help="A tag key to remove; repeat it.")
@rate_limit_options
@if_match_option
@json_option
@click.pass_context
def workspaces_update(
    ctx: click.Context,
    workspace_id: str,
    name: str | None,
    patterns: tuple[str, ...],
    allow_all: bool,
    color: str | None,
    tags: tuple[str, ...],
    untags: tuple[str, ...],
    rpm: object,
    key_rpm: object,
    if_match: str | None,
    as_json: bool,
) -> None:
    """Rename a workspace, or change its model access, colour, tags or rate limits."""
    if allow_all and patterns:
        raise click.UsageError("give --allow or --allow-all, not both")
    data: dict[str, Any] = {}
    if name is not None:
        data["name"] = name
    if color is not None:
        data["display_color"] = color
    if patterns or allow_all:
        data["model_access"] = None if allow_all else list(patterns)
    if tags or untags:
        data["tags"] = {**_tags(tags), **dict.fromkeys(untags)}
    if limits := _rate_limits(rpm, key_rpm):
        data["rate_limits"] = limits
    body = run(ctx, lambda _a: inputs.parse(inputs.WorkspaceUpdate, data))
    result = run(ctx, lambda a: a.update_workspace(workspace_id, body, if_match))
    emit_versioned(as_json, result, _workspace_line(result.object))


@workspaces.command("archive", epilog="Example: modeldir workspaces archive wrkspc_01...")
@click.argument("workspace_id")
@if_match_option
@json_option
@click.pass_context
def workspaces_archive(
    ctx: click.Context, workspace_id: str, if_match: str | None, as_json: bool
) -> None:
    """Archive a workspace: its keys stop working at once. It cannot be undone."""
    result = run(ctx, lambda a: a.archive_workspace(workspace_id, if_match))
    emit_versioned(as_json, result, f"archived {workspace_id}")
