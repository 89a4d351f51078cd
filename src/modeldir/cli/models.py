"""`modeldir models`: create, change, list, import and export models."""

from __future__ import annotations

from typing import Any

import click
import orjson
import yaml

from modeldir.admin import inputs
from modeldir.catalogue.model_info import LIFECYCLES
from modeldir.cli.failures import UserError
from modeldir.cli.main import cli, emit, emit_versioned, list_all, read_data, run
from modeldir.cli.options import if_match_option, json_option, limit_option, timestamp


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
@click.option("--at", "deprecated_at", callback=timestamp, help="When [default: now].")
@click.option("--retires-at", callback=timestamp, help="Scheduled retirement.")
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
@click.option("--at", "retires_at", callback=timestamp, help="When [default: now].")
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
    if report["dry_run"]:
        outcome = "dry run, nothing written"
    elif report["revision"] is None:
        outcome = "no change: the catalogue already matches"
    else:
        outcome = "imported"
    lines = [f"{outcome} ({report['mode']})"]
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
