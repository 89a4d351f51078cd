"""The `modeldir` group: its options, and the administration every command works through.

Every administration command works on the database directly (the default) or, with `--url`,
through a running server's admin API with the admin key in `MODELDIR_ADMIN_KEY`: both call the
same methods (`admin.service.AdminService`, `admin.client.RemoteAdmin`), so output and errors are
the same. Text output is for people; `--json` for scripts.
"""

from __future__ import annotations

import getpass
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import orjson
import yaml
from pydantic import ValidationError

from modeldir.admin import inputs
from modeldir.cli.failures import UserError, invalid_settings, user_errors
from modeldir.cli.options import setting_options
from modeldir.errors import EXIT_DENIED
from modeldir.settings import Settings

if TYPE_CHECKING:
    from modeldir.admin.client import RemoteAdmin
    from modeldir.admin.service import AdminService, Versioned

    Admin = AdminService | RemoteAdmin

# Each mode imports its own machinery when it runs (SQLAlchemy on the database, httpx through
# the API), so a command starts in a fraction of a second.

ROOT_SETTINGS = ("database_url", "url")
"""The settings every command takes, given before the subcommand."""


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Example: modeldir serve --port 8080",
)
@setting_options(*ROOT_SETTINGS)
@click.version_option(package_name="modeldir")
@click.pass_context
def cli(ctx: click.Context, /, **given: Any) -> None:
    """modeldir: a self-hosted Anthropic Models API."""
    ctx.ensure_object(dict)
    ctx.obj["given"] = {name: value for name, value in given.items() if value is not None}


def settings(ctx: click.Context, **given: Any) -> Settings:
    """The settings: the options given (to the group, then the command) over the environment."""
    root = ctx.find_root().obj or {}
    chosen = {**root.get("given", {}), **{k: v for k, v in given.items() if v is not None}}
    try:
        return Settings(**chosen)
    except ValidationError as error:
        raise invalid_settings(error) from None


def _admin(ctx: click.Context) -> Admin:
    """The admin API of `--url`, or the database, prepared as `serve` would leave it."""
    obj = ctx.find_root().obj
    if obj.get("admin") is not None:
        return obj["admin"]  # type: ignore[no-any-return]
    chosen = settings(ctx)
    admin: Admin
    if chosen.url:
        from modeldir.admin.client import RemoteAdmin

        if chosen.admin_key is None:
            raise UserError("--url needs an admin key in MODELDIR_ADMIN_KEY", EXIT_DENIED)
        admin = RemoteAdmin(chosen.url, chosen.admin_key.get_secret_value())
        ctx.call_on_close(admin.close)
    else:
        from modeldir.admin.bootstrap import initialize
        from modeldir.admin.service import Actor, AdminService
        from modeldir.store import open_store

        with user_errors():
            store = open_store(chosen.database_url)
            ctx.call_on_close(store.close)
            initialize(store, organization_id=chosen.organization_id, seed=chosen.seed)
        admin = AdminService(store, Actor("cli", f"{getpass.getuser()}@{socket.gethostname()}"))
    obj["admin"] = admin
    return admin


def run(ctx: click.Context, work: Callable[[Admin], Any]) -> Any:
    """One admin call, with user errors turned into messages."""
    with user_errors():
        return work(_admin(ctx))


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
