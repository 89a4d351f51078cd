"""`modeldir audit`: the audit log."""

from __future__ import annotations

import click

from modeldir.admin import inputs
from modeldir.cli.main import cli, emit, list_all
from modeldir.cli.options import json_option, limit_option


@cli.group(epilog="Example: modeldir audit list --limit 20")
def audit() -> None:
    """The audit log of every admin change."""


@audit.command("list", epilog="Example: modeldir audit list --object wrkspc_01... --json")
@click.option("--object", "object_id", help="Only changes to this object id.")
@click.option("--actor", "actor_id", help="Only changes by this admin key id (or CLI user).")
@click.option("--action", help="Only this action, e.g. api_key.rotate.")
@click.option(
    "--starting-at", help="Only changes made at or after this instant (RFC 3339 or a date, UTC)."
)
@click.option("--ending-at", help="Only changes made before this instant.")
@limit_option
@json_option
@click.pass_context
def audit_list(
    ctx: click.Context,
    object_id: str | None,
    actor_id: str | None,
    action: str | None,
    starting_at: str | None,
    ending_at: str | None,
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
        starting_at=starting_at,
        ending_at=ending_at,
    )
    lines = [
        f"{e['created_at']}  {e['action']:18} {e['object']['id']}  "
        f"by {e['actor']['type']}:{e['actor']['id']}"
        for e in found
    ]
    emit(as_json, found, "\n".join(lines))
