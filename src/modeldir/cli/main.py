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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click
import orjson
from pydantic import ValidationError

from modeldir.admin import inputs
from modeldir.catalogue.document import load_text
from modeldir.cli.failures import UserError, invalid_settings, user_errors
from modeldir.cli.options import setting_options, setting_param
from modeldir.errors import EXIT_DENIED, EXIT_USAGE
from modeldir.settings import Settings

if TYPE_CHECKING:
    from modeldir.admin.client import RemoteAdmin
    from modeldir.admin.service import AdminService, Versioned

    Admin = AdminService | RemoteAdmin

# Each mode imports its own machinery when it runs (SQLAlchemy on the database, httpx through
# the API), so a command starts in a fraction of a second.

ROOT_SETTINGS = ("database_url", "url")
"""The settings every command takes, before the subcommand or after it."""
SERVER_SIDE = frozenset({"serve"})
"""Commands that work on the database only (no `--url`)."""


def given_setting(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Note a setting given after the subcommand; it wins over one given before it."""
    if value is not None and param.name is not None:
        ctx.find_root().ensure_object(dict).setdefault("given", {})[param.name] = value


class SettingsCommand(click.Command):
    """A command that also takes the group's setting options, where people put them: after it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = [n for n in ROOT_SETTINGS if not (n == "url" and self.name in SERVER_SIDE)]
        self.params += [setting_param(n, expose_value=False, callback=given_setting) for n in names]


class SettingsGroup(click.Group):
    """A group whose commands, and whose subgroups' commands, are `SettingsCommand`s."""

    command_class = SettingsCommand
    group_class = type  # subgroups are SettingsGroups too


@click.group(
    cls=SettingsGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Example: modeldir serve --port 8080",
)
@setting_options(*ROOT_SETTINGS)
@click.version_option(package_name="modeldir")
@click.pass_context
def cli(ctx: click.Context, /, **given: Any) -> None:
    """modeldir: a self-hosted Anthropic Models API."""
    ctx.ensure_object(dict).setdefault("given", {}).update(
        {name: value for name, value in given.items() if value is not None}
    )


def settings(ctx: click.Context, **given: Any) -> Settings:
    """The settings: the options given (to the group, then the command) over the environment."""
    root = ctx.find_root().obj or {}
    chosen = {**root.get("given", {}), **{k: v for k, v in given.items() if v is not None}}
    try:
        return Settings(**chosen)
    except ValidationError as error:
        raise invalid_settings(error) from None


def uses_default_database(chosen: Settings) -> bool:
    """Whether the database is the embedded default, whose folder is made on demand."""
    return "database_url" not in chosen.model_fields_set


def server_base_url(url: str) -> str:
    """`--url` as the server's base URL; anything else is a usage error saying what to give."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserError(
            f"--url must be a server's http:// or https:// URL, such as "
            f"http://127.0.0.1:8080, not {url!r}",
            EXIT_USAGE,
        )
    base = f"{parts.scheme}://{parts.netloc}"
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise UserError(
            f"--url takes the server's base URL, {base}, without {url[len(base) :]}", EXIT_USAGE
        )
    return base


def _admin(ctx: click.Context) -> Admin:
    """The admin API of `--url`, or the database, prepared as `serve` would leave it."""
    obj = ctx.find_root().obj
    if obj.get("admin") is not None:
        return obj["admin"]  # type: ignore[no-any-return]
    chosen = settings(ctx)
    admin: Admin
    if chosen.url:
        from modeldir.admin.client import RemoteAdmin

        base_url = server_base_url(chosen.url)
        if chosen.admin_key is None:
            raise UserError("--url needs an admin key in MODELDIR_ADMIN_KEY", EXIT_DENIED)
        admin = RemoteAdmin(base_url, chosen.admin_key.get_secret_value())
        ctx.call_on_close(admin.close)
    else:
        from modeldir.admin.bootstrap import initialize
        from modeldir.admin.service import Actor, AdminService
        from modeldir.store import open_store

        with user_errors():
            store = open_store(chosen.database_url, create_folder=uses_default_database(chosen))
            ctx.call_on_close(store.close)
            initialize(store, organization_id=chosen.organization_id, seed=chosen.seed)
        actor = Actor("cli", f"{getpass.getuser()}@{socket.gethostname()}")
        admin = AdminService(
            store, actor, allow_private_webhooks=chosen.webhook_allow_private_addresses
        )
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
    """A single object; `--json` adds its ETag as `etag`; text says when nothing changed."""
    emit(
        as_json,
        {**result.object, "etag": result.etag},
        text if result.changed else f"no change: {text}",
    )


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
        # Parsed inside `run`, so a filter that does not validate is one line naming it.
        return run(  # type: ignore[no-any-return]
            ctx,
            lambda admin: getattr(admin, method)(
                inputs.parse(kind, {"after_id": after, "limit": 1000, **filters})
            ),
        )

    return walk(page, limit)


def read_data(file: str, *, as_json: bool | None = None) -> Any:
    """The data in a JSON or YAML file, or in standard input for `-` (JSON when `as_json`,
    else told by the file's name)."""
    if file == "-":
        return load_text(sys.stdin.buffer.read(), "standard input", as_json=bool(as_json))
    path = Path(file)
    # JSON is read with orjson: much faster than YAML for a big catalogue.
    json = path.suffix.lower() == ".json" if as_json is None else as_json
    return load_text(path.read_bytes(), file, as_json=json)


def outcome(report: Mapping[str, Any], done: str) -> str:
    """The first words of a bulk change's summary: a dry run, no change, or `done`."""
    if report["dry_run"]:
        return "dry run, nothing written"
    if report["revision"] is None:
        return "no change: the catalogue already matches"
    return done
