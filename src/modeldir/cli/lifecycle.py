"""`modeldir lifecycle report`: the models that are deprecated or retire soon, and who would
notice (their aliases and the workspaces that can see them)."""

from __future__ import annotations

import re
from typing import Any

import click

from modeldir.admin import inputs
from modeldir.cli.main import cli, emit, run
from modeldir.cli.options import json_option

_WITHIN = re.compile(r"^(\d+)\s*([dw]?)$")


class Days(click.ParamType[int]):
    """A number of days: `90d`, `12w` or `90`."""

    name = "DAYS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        found = _WITHIN.match(str(value).strip().lower())
        if found is None:
            self.fail(f"{value!r} is not a number of days (90d, 12w or 90)", param, ctx)
        return int(found[1]) * (7 if found[2] == "w" else 1)


@cli.group(epilog="Example: modeldir lifecycle report --within 30d")
def lifecycle() -> None:
    """Models on their way out: deprecated, or retiring soon."""


@lifecycle.command("report", epilog="Example: modeldir lifecycle report --within 12w --json")
@click.option(
    "--within",
    type=Days(),
    default="90d",
    show_default=True,
    help="List the models that retire within this long from now (and every deprecated one).",
)
@json_option
@click.pass_context
def lifecycle_report(ctx: click.Context, within: int, as_json: bool) -> None:
    """Models that are deprecated or retire soon, soonest first, each with its aliases and the
    workspaces that can see it."""
    params = inputs.LifecycleReportParams(within_days=within)
    found = run(ctx, lambda admin: admin.lifecycle_report(params))
    lines = []
    for model in found["data"]:
        lines.append(f"{model['id']}  {_when(model)}")
        if model["aliases"]:
            lines.append(f"  aliases: {', '.join(model['aliases'])}")
        seen_by = ", ".join(w["name"] for w in model["workspaces"]) or "no workspace"
        lines.append(f"  seen by: {seen_by}")
    empty = f"no model is deprecated or retires within {within} days"
    emit(as_json, found, "\n".join(lines) or empty)


def _when(model: dict[str, Any]) -> str:
    """`deprecated, retires 2026-11-30 (in 3 days)`, `... (overdue by 4 days)`, and so on."""
    days = model["days_left"]
    if days is None:
        return f"{model['lifecycle']}, no retirement date"
    date = model["retires_at"][:10]
    if model["overdue"]:
        return f"{model['lifecycle']}, retirement overdue since {date} ({-days} days)"
    return f"{model['lifecycle']}, retires {date} (in {days} days)"
