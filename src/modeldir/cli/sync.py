"""`modeldir sync`: mirror another Anthropic-compatible Models API; `sync status`: the last runs.

A run works on the database (never through `--url`): the upstream's key stays on this machine.
It reads the whole upstream list first, so a failing upstream leaves the catalogue as it was;
then prints the diff. Exit status 7 means the upstream failed (the message names its request id).
"""

from __future__ import annotations

from typing import Any

import click

from modeldir.cli.failures import UserError
from modeldir.cli.main import (
    cli,
    emit,
    given_setting,
    outcome,
    run,
    server_base_url,
    settings,
)
from modeldir.cli.options import json_option, setting_param
from modeldir.errors import EXIT_USAGE

SHOWN = 10


@cli.group(
    "sync",
    invoke_without_command=True,
    params=[setting_param("database_url", expose_value=False, callback=given_setting)],
    epilog="Example: MODELDIR_SYNC_API_KEY=sk-ant-... modeldir sync "
    "--from https://api.anthropic.com --dry-run",
)
@click.option("--from", "source", help="The upstream's base URL [default: MODELDIR_SYNC_FROM].")
@click.option(
    "--api-key",
    help="The upstream's API key [default: MODELDIR_SYNC_API_KEY; prefer the environment].",
)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option(
    "--overwrite", is_flag=True, help="Take the upstream's values over fields changed here."
)
@click.option(
    "--deprecate-missing",
    is_flag=True,
    help="Deprecate synced models the upstream no longer lists (never deletes).",
)
@click.option("--page-size", type=click.IntRange(1, 1000), default=1000, show_default=True)
@click.option("--verbose", "-v", is_flag=True, help="List every id.")
@json_option
@click.pass_context
def sync(ctx: click.Context, /, source: str | None, api_key: str | None, **flags: Any) -> None:
    """Mirror another Models API (the real one, or another modeldir) into this catalogue."""
    if ctx.invoked_subcommand is not None:
        return
    from modeldir.admin.sync import SyncOptions
    from modeldir.admin.upstream import Upstream

    chosen = settings(ctx)
    url = source or chosen.sync_from
    key = api_key or (chosen.sync_api_key.get_secret_value() if chosen.sync_api_key else None)
    if not url or not key:
        raise UserError("sync needs --from URL and --api-key KEY (or MODELDIR_SYNC_*)", EXIT_USAGE)
    upstream = Upstream(server_base_url(url), key, page_size=flags["page_size"])
    options = SyncOptions(flags["dry_run"], flags["overwrite"], flags["deprecate_missing"])
    report = run(ctx, lambda admin: admin.sync(upstream, options))
    emit(flags["as_json"], report, _summary(report, flags["verbose"]))


def _summary(report: dict[str, Any], verbose: bool) -> str:
    said = outcome(report, f"synced (revision {report['revision']})")
    lines = [f"{said} from {report['source']}"]
    kinds = (
        ("+", "created"),
        ("~", "updated"),
        ("!", "lifecycle_changes"),
        ("=", "kept_local"),
        ("?", "not_ours"),
        ("-", "gone_upstream"),
    )
    lines.append(", ".join(f"{len(report[k])} {k.replace('_', ' ')}" for _, k in kinds))
    for sign, kind in kinds:
        items = report[kind]
        shown = list(items.items()) if isinstance(items, dict) else items
        for item in shown if verbose else shown[:SHOWN]:
            text = f"{item[0]}: {', '.join(item[1])}" if isinstance(item, tuple) else item
            lines.append(f"  {sign} {text}")
    if report["deprecated"]:
        lines.append(f"deprecated: {', '.join(report['deprecated'])}")
    return "\n".join(lines)


@sync.command("status", epilog="Example: modeldir sync status --json")
@json_option
@click.pass_context
def sync_status(ctx: click.Context, as_json: bool) -> None:
    """The latest syncs, newest first: when, from where, and how each ended."""
    found = run(ctx, lambda admin: admin.sync_status())
    lines = []
    for item in found["data"]:
        line = f"{item['started_at']}  {item['outcome']:6}  {item['source']}"
        if item["error"]:
            line += f"  {item['error']}"
        elif item["report"] is not None:
            counts = (len(item["report"][k]) for k in ("created", "updated", "gone_upstream"))
            line += "  {} created, {} updated, {} gone upstream".format(*counts)
        lines.append(line)
    emit(as_json, found, "\n".join(lines) or "no sync has run")
