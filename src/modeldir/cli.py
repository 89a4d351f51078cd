"""The `modeldir` command: serve the API, and administer everything it serves.

Every administration command works on the database directly (the default) or, with `--url`,
through a running server's admin API with the admin key in `MODELDIR_ADMIN_KEY`: both call the
same methods (`admin.service.AdminService`, `admin.client.RemoteAdmin`), so output and errors are
the same. Text output is for people; `--json` for scripts. Exit statuses:

    0 done   1 invalid input   2 usage error   3 not found   4 conflict (stale --if-match)
    5 authentication or permission   6 database or server unavailable
"""

from __future__ import annotations

import getpass
import os
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import orjson
import yaml
from pydantic import ValidationError

from modeldir.admin import inputs
from modeldir.admin.errors import InvalidCatalogue
from modeldir.catalogue.document import InvalidDocument, pydantic_problems
from modeldir.catalogue.model_info import LIFECYCLES
from modeldir.settings import Settings
from modeldir.wire.errors import (
    ApiError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)

if TYPE_CHECKING:
    from modeldir.admin.client import RemoteAdmin
    from modeldir.admin.service import AdminService, Versioned

    Admin = AdminService | RemoteAdmin

# Each mode imports its own machinery when it runs (SQLAlchemy on the database, httpx through
# the API), so a command starts in a fraction of a second.

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INVALID, EXIT_NOT_FOUND, EXIT_CONFLICT, EXIT_DENIED, EXIT_UNAVAILABLE = 1, 3, 4, 5, 6


class UserError(click.ClickException):
    """A failure the user can act on: its message is printed, without a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_INVALID) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it per instance


def _settings(**overrides: Any) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as error:
        raise UserError("; ".join(map(str, pydantic_problems(error)))) from None


def _problems(problems: list[Any]) -> UserError:
    lines = [f"invalid catalogue: {len(problems)} problem(s)", *(f"  {p}" for p in problems)]
    return UserError("\n".join(lines))


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a person can act on into one-line messages and exit statuses."""
    try:
        yield
    except (InvalidDocument, InvalidCatalogue) as error:
        raise _problems(error.problems) from None
    except ApiError as error:
        exit_code = EXIT_INVALID
        if isinstance(error, NotFoundError):
            exit_code = EXIT_NOT_FOUND
        elif isinstance(error, ConflictError):
            exit_code = EXIT_CONFLICT
        elif isinstance(error, AuthenticationError | PermissionDeniedError):
            exit_code = EXIT_DENIED
        elif error.status >= 500:
            exit_code = EXIT_UNAVAILABLE
        raise UserError(error.message, exit_code) from None
    except Exception as error:
        if _is_database_error(error):
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise UserError(f"database error: {reason}", EXIT_UNAVAILABLE) from None
        if isinstance(error, OSError | yaml.YAMLError | orjson.JSONDecodeError | ValueError):
            raise UserError(str(error).strip().splitlines()[0]) from None
        raise


def _is_database_error(error: Exception) -> bool:
    exc = sys.modules.get("sqlalchemy.exc")  # loaded only if the database was used
    return exc is not None and isinstance(error, exc.SQLAlchemyError)


def _admin(ctx: click.Context) -> Admin:
    """The admin API of `--url`, or the database, prepared as `serve` would leave it."""
    obj = ctx.find_root().obj
    if obj.get("admin") is not None:
        return obj["admin"]  # type: ignore[no-any-return]
    admin: Admin
    if obj["url"]:
        from modeldir.admin.client import RemoteAdmin

        key = obj["admin_key"]
        if not key:
            raise UserError("--url needs an admin key in MODELDIR_ADMIN_KEY", EXIT_DENIED)
        admin = RemoteAdmin(obj["url"], key)
        ctx.call_on_close(admin.close)
    else:
        from modeldir.admin.bootstrap import initialize
        from modeldir.admin.service import Actor, AdminService
        from modeldir.store import open_store

        settings = _settings(database_url=obj["database_url"])
        with user_errors():
            store = open_store(settings.database_url)
            ctx.call_on_close(store.close)
            initialize(store, organization_id=settings.organization_id, seed=settings.seed)
        admin = AdminService(store, Actor("cli", f"{getpass.getuser()}@{socket.gethostname()}"))
    obj["admin"] = admin
    return admin


def run(ctx: click.Context, work: Callable[[Admin], Any]) -> Any:
    """One admin call, with user errors turned into messages."""
    with user_errors():
        return work(_admin(ctx))


def json_option(command: F) -> F:
    """`--json`: print machine-readable output."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(command)


def if_match_option(command: F) -> F:
    """`--if-match`: only change the object if it is still at this version (an ETag)."""
    return click.option(
        "--if-match", help="Only if the object is still at this ETag (from a get); else exit 4."
    )(command)


def emit(as_json: bool, data: Any, text: str) -> None:
    """Print `data` as JSON or `text` for people."""
    if as_json:
        click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
    elif text:
        click.echo(text)


def emit_versioned(as_json: bool, result: Versioned, text: str) -> None:
    """A single object; `--json` adds its ETag as `etag`."""
    emit(as_json, {**result.object, "etag": result.etag}, text)


def walk(list_page: Callable[[str | None], dict[str, Any]], limit: int | None) -> list[Any]:
    """Every item of a paginated list, following `last_id` (at most `limit` items)."""
    items: list[Any] = []
    after: str | None = None
    while limit is None or len(items) < limit:
        page = list_page(after)
        items += page["data"]
        if not page["has_more"] or not page["data"]:
            break
        after = page["last_id"]
    return items if limit is None else items[:limit]


def list_all(
    ctx: click.Context,
    method: str,
    kind: type[inputs.ListParams],
    limit: int | None,
    **filters: Any,
) -> list[Any]:
    """Every item of one admin list, page by page (at most `limit` items)."""

    def page(after: str | None) -> dict[str, Any]:
        params = kind(after_id=after, limit=1000, **filters)
        return run(ctx, lambda admin: getattr(admin, method)(params))  # type: ignore[no-any-return]

    return walk(page, limit)


def read_data(file: str) -> Any:
    """The data in a JSON or YAML file, or in standard input for `-`."""
    if file == "-":
        return yaml.safe_load(sys.stdin)
    path = Path(file)
    raw = path.read_bytes()
    # JSON is read with orjson: much faster than YAML for a big catalogue.
    return orjson.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)


def _timestamp(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    from modeldir.catalogue.timestamps import parse_timestamp

    if value is None:
        return None
    try:
        parse_timestamp(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    return value


limit_option = click.option(
    "--limit", type=click.IntRange(1), help="Show at most this many [default: all]."
)


# ---- the command group ---------------------------------------------------------------------------


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Example: modeldir serve --port 8080",
)
@click.option(
    "--database-url",
    envvar="MODELDIR_DATABASE_URL",
    help="sqlite:///path.db or postgresql://user@host/db "
    "(default: a SQLite file in your data directory).",
)
@click.option(
    "--url",
    envvar="MODELDIR_URL",
    help="Work through the admin API of the server at this URL instead of the database; "
    "the admin key comes from MODELDIR_ADMIN_KEY.",
)
@click.version_option(package_name="modeldir")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, url: str | None) -> None:
    """modeldir: a self-hosted Anthropic Models API."""
    ctx.ensure_object(dict)
    ctx.obj.update(
        database_url=database_url, url=url, admin_key=os.environ.get("MODELDIR_ADMIN_KEY")
    )


@cli.command(epilog="Example: modeldir serve --host 0.0.0.0 --port 8080")
@click.option("--host", help="Address to listen on [default: 127.0.0.1].")
@click.option("--port", type=int, help="Port to listen on [default: 8080].")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@click.option("--access-log/--no-access-log", default=None, help="Log every request.")
@click.option(
    "--workers", type=click.IntRange(1, 64), help="Processes sharing the port [default: 1]."
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    log_level: str | None,
    access_log: bool | None,
    workers: int | None,
) -> None:
    """Start the server. The first start creates an API key and prints it once."""
    from modeldir.admin.bootstrap import initialize
    from modeldir.admin.service import Actor, AdminService
    from modeldir.store import open_store
    from modeldir.wire.serving import production_server

    settings = _settings(
        database_url=ctx.obj["database_url"],
        host=host,
        port=port,
        log_level=log_level,
        access_log=access_log,
        workers=workers,
    )
    with user_errors():
        store = open_store(settings.database_url)
        initialize(store, organization_id=settings.organization_id, seed=settings.seed)
        with store.reader() as reader:
            first_start = not reader.api_keys()
        if first_start:
            service = AdminService(store, Actor("cli", "serve"))
            created = service.create_api_key(inputs.ApiKeyCreate(name="first key"))
            wildcard = settings.host in ("0.0.0.0", "::", "")  # noqa: S104 - comparing, not binding
            shown_host = "127.0.0.1" if wildcard else settings.host
            click.echo("modeldir: created the first API key. It is shown only this once:", err=True)
            click.echo(
                f"ANTHROPIC_BASE_URL=http://{shown_host}:{settings.port} "
                f"ANTHROPIC_API_KEY={created.object['key']}"
            )
    click.echo(f"modeldir: serving {store.url} on http://{settings.host}:{settings.port}", err=True)
    store.close()
    # Each worker process builds its own server from the environment: hand the settings over.
    os.environ.update(settings.as_environment())
    production_server(
        "modeldir.wire.app:create_app",
        address=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        access_log=settings.access_log,
    ).serve()


# ---- admin keys ----------------------------------------------------------------------------------


@cli.group("admin-keys", epilog="Example: modeldir admin-keys create --name ops")
def admin_keys() -> None:
    """Keys for the admin API (on the database only, never through the API)."""


@admin_keys.command(
    "create", epilog="Example: export MODELDIR_ADMIN_KEY=$(modeldir admin-keys create --name ops)"
)
@click.option("--name", default="admin key", show_default=True)
@json_option
@click.pass_context
def admin_keys_create(ctx: click.Context, name: str, as_json: bool) -> None:
    """Create an admin key and print it (the only time it is shown)."""
    result = run(ctx, lambda a: a.create_admin_key(inputs.AdminKeyCreate(name=name)))
    emit_versioned(as_json, result, result.object["key"])


@admin_keys.command("list", epilog="Example: modeldir admin-keys list --json")
@json_option
@click.pass_context
def admin_keys_list(ctx: click.Context, as_json: bool) -> None:
    """List admin keys (their hints, never the keys)."""
    found = run(ctx, lambda a: a.list_admin_keys())
    lines = [f"{k['id']}  {k['status']:8}  {k['partial_key_hint']}  {k['name']}" for k in found]
    emit(as_json, found, "\n".join(lines))


@admin_keys.command("revoke", epilog="Example: modeldir admin-keys revoke adminkey_01...")
@click.argument("key_id")
@json_option
@click.pass_context
def admin_keys_revoke(ctx: click.Context, key_id: str, as_json: bool) -> None:
    """Revoke an admin key: it stops working at once."""
    result = run(ctx, lambda a: a.revoke_admin_key(key_id))
    emit_versioned(as_json, result, f"revoked {key_id}")


# ---- organisation and workspaces ---------------------------------------------------------------


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


# ---- API keys ------------------------------------------------------------------------------------


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
    "--expires-at", callback=_timestamp, help="RFC 3339 time after which the key stops working."
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


# ---- models and aliases --------------------------------------------------------------------------


@cli.group(epilog="Example: modeldir models export --format json > catalogue.json")
def models() -> None:
    """Create, change, deprecate, retire, delete, list, import and export models."""


def _model_line(m: dict[str, Any]) -> str:
    return f"{m['id']}  {m['lifecycle']:10}  {m['created_at']}  {m['display_name']}"


@models.command("list", epilog="Example: modeldir models list --lifecycle retired")
@click.option(
    "--lifecycle", multiple=True, type=click.Choice(LIFECYCLES), help="Repeatable [default: all]."
)
@limit_option
@json_option
@click.pass_context
def models_list(
    ctx: click.Context, lifecycle: tuple[str, ...], limit: int | None, as_json: bool
) -> None:
    """List models in API order (newest first)."""

    found = list_all(
        ctx, "list_models", inputs.ModelListParams, limit, lifecycle=list(lifecycle or LIFECYCLES)
    )
    emit(as_json, found, "\n".join(map(_model_line, found)))


@models.command("get", epilog="Example: modeldir models get claude-opus-4-7 --json")
@click.argument("model_id")
@json_option
@click.pass_context
def models_get(ctx: click.Context, model_id: str, as_json: bool) -> None:
    """Show a model (with --json, its ETag too)."""
    result = run(ctx, lambda a: a.get_model(model_id))
    emit_versioned(as_json, result, _model_line(result.object))


@models.command("create", epilog="Example: modeldir models create acme-large.yaml")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@json_option
@click.pass_context
def models_create(ctx: click.Context, file: str, as_json: bool) -> None:
    """Add a model described by a JSON or YAML file (a ModelInfo; `-` reads standard input)."""
    data = run(ctx, lambda _a: read_data(file))
    result = run(ctx, lambda a: a.create_model(data))
    emit_versioned(as_json, result, f"created {result.object['id']}")


def _assignment(value: str) -> tuple[list[str], Any]:
    path, sep, text = value.partition("=")
    if not sep or not path:
        raise click.BadParameter(f"{value!r} is not FIELD=VALUE", param_hint="--set")
    return path.split("."), yaml.safe_load(text) if text else ""


@models.command(
    "update",
    epilog="Example: modeldir models update acme-large --set display_name='Acme L' "
    "--set capabilities.batch.supported=true",
)
@click.argument("model_id")
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, allow_dash=True)
)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    help="FIELD=VALUE (dotted for nested fields; YAML values).",
)
@if_match_option
@json_option
@click.pass_context
def models_update(
    ctx: click.Context,
    model_id: str,
    file: str | None,
    assignments: tuple[str, ...],
    if_match: str | None,
    as_json: bool,
) -> None:
    """Change fields of a model: a JSON merge patch in FILE, and/or --set FIELD=VALUE."""
    patch: dict[str, Any] = run(ctx, lambda _a: read_data(file)) if file else {}
    if not isinstance(patch, dict):
        raise UserError("the patch file must hold a mapping of fields to change")
    for value in assignments:
        path, parsed = _assignment(value)
        node = patch
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = parsed
    if not patch:
        raise click.UsageError("nothing to change: give a patch FILE or --set")
    result = run(ctx, lambda a: a.update_model(model_id, patch, if_match))
    emit_versioned(as_json, result, _model_line(result.object))


@models.command(
    "deprecate", epilog="Example: modeldir models deprecate acme-large --retires-at 2027-06-01"
)
@click.argument("model_id")
@click.option("--at", "deprecated_at", callback=_timestamp, help="When [default: now].")
@click.option("--retires-at", callback=_timestamp, help="Scheduled retirement.")
@if_match_option
@json_option
@click.pass_context
def models_deprecate(
    ctx: click.Context,
    model_id: str,
    deprecated_at: str | None,
    retires_at: str | None,
    if_match: str | None,
    as_json: bool,
) -> None:
    """Mark a model deprecated."""
    body = run(
        ctx,
        lambda _a: inputs.parse(
            inputs.ModelDeprecate, {"deprecated_at": deprecated_at, "retires_at": retires_at}
        ),
    )
    result = run(ctx, lambda a: a.deprecate_model(model_id, body, if_match))
    emit_versioned(as_json, result, _model_line(result.object))


@models.command("retire", epilog="Example: modeldir models retire acme-large")
@click.argument("model_id")
@click.option("--at", "retires_at", callback=_timestamp, help="When [default: now].")
@if_match_option
@json_option
@click.pass_context
def models_retire(
    ctx: click.Context, model_id: str, retires_at: str | None, if_match: str | None, as_json: bool
) -> None:
    """Mark a model retired (it is then listed only with --lifecycle retired)."""
    body = run(ctx, lambda _a: inputs.parse(inputs.ModelRetire, {"retires_at": retires_at}))
    result = run(ctx, lambda a: a.retire_model(model_id, body, if_match))
    emit_versioned(as_json, result, _model_line(result.object))


@models.command("delete", epilog="Example: modeldir models delete acme-large")
@click.argument("model_id")
@if_match_option
@json_option
@click.pass_context
def models_delete(ctx: click.Context, model_id: str, if_match: str | None, as_json: bool) -> None:
    """Delete a model (a cursor on it stays valid for walks under way)."""
    result = run(ctx, lambda a: a.delete_model(model_id, if_match))
    emit(as_json, result, f"deleted {model_id}")


def _import_summary(report: dict[str, Any]) -> str:
    lines = [
        f"{'dry run, nothing written' if report['dry_run'] else 'imported'} ({report['mode']})"
    ]
    for kind in ("models", "aliases"):
        part = report[kind]
        lines.append(
            f"{kind}: {len(part['added'])} added, {len(part['changed'])} changed, "
            f"{len(part['removed'])} removed, {part['unchanged']} unchanged"
        )
        for sign, key in (("+", "added"), ("~", "changed"), ("-", "removed")):
            lines += [f"  {sign} {item}" for item in part[key]]
    return "\n".join(lines)


@models.command(
    "import", epilog="Example: modeldir models import catalogue.yaml --replace --dry-run"
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option(
    "--replace", is_flag=True, help="Also delete the models and aliases the file does not name."
)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@json_option
@click.pass_context
def models_import(
    ctx: click.Context, file: str, replace: bool, dry_run: bool, as_json: bool
) -> None:
    """Import a JSON or YAML catalogue file, all or nothing (`-` reads standard input)."""
    data = run(ctx, lambda _a: read_data(file))
    report = run(ctx, lambda a: a.import_catalogue(data, replace_all=replace, dry_run=dry_run))
    emit(as_json, report, _import_summary(report))


@models.command("export", epilog="Example: modeldir models export --format json > catalogue.json")
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True
)
@click.pass_context
def models_export(ctx: click.Context, fmt: str) -> None:
    """Print the whole catalogue in the import format."""
    data = run(ctx, lambda a: a.export_catalogue().to_data())
    if fmt == "json":
        click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120), nl=False)


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


# ---- audit ---------------------------------------------------------------------------------------


@cli.group(epilog="Example: modeldir audit list --limit 20")
def audit() -> None:
    """The audit log of every admin change."""


@audit.command("list", epilog="Example: modeldir audit list --object wrkspc_01... --json")
@click.option("--object", "object_id", help="Only changes to this object id.")
@click.option("--actor", "actor_id", help="Only changes by this admin key id (or CLI user).")
@click.option("--action", help="Only this action, e.g. api_key.rotate.")
@limit_option
@json_option
@click.pass_context
def audit_list(
    ctx: click.Context,
    object_id: str | None,
    actor_id: str | None,
    action: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """List admin changes, newest first."""

    found = list_all(
        ctx,
        "audit_log",
        inputs.AuditListParams,
        limit,
        object_id=object_id,
        actor_id=actor_id,
        action=action,
    )
    lines = [
        f"{e['created_at']}  {e['action']:18} {e['object']['id']}  "
        f"by {e['actor']['type']}:{e['actor']['id']}"
        for e in found
    ]
    emit(as_json, found, "\n".join(lines))


def main() -> None:
    """Entry point of the `modeldir` script."""
    cli(prog_name="modeldir")
