"""`modeldir models`: create, change, list, import and export models."""

from __future__ import annotations

from typing import Any

import click
import yaml

from modeldir.admin import inputs
from modeldir.cli.failures import UserError
from modeldir.cli.main import cli, emit, emit_versioned, read_data, run
from modeldir.cli.options import if_match_option, json_option, timestamp


@cli.group(epilog="Example: modeldir models export --format json > catalogue.json")
def models() -> None:
    """Create, change, deprecate, retire, delete, list, import and export models."""


def _model_line(m: dict[str, Any]) -> str:
    return f"{m['id']}  {m['lifecycle']:10}  {m['created_at']}  {m['display_name']}"


@models.command("get", epilog="Example: modeldir models get claude-opus-4-7 --json")
@click.argument("model_id")
@json_option
@click.pass_context
def models_get(ctx: click.Context, model_id: str, as_json: bool) -> None:
    """Show a model (with --json, its ETag too)."""
    result = run(ctx, lambda a: a.get_model(model_id))
    emit_versioned(as_json, result, _model_line(result.object))


@models.command("metadata", epilog="Example: modeldir models metadata claude-opus-4-7")
@click.argument("model_id")
@json_option
@click.pass_context
def models_metadata(ctx: click.Context, model_id: str, as_json: bool) -> None:
    """Show what the Models API does not carry: prices, provider, family, knowledge cut-off."""
    found = run(ctx, lambda a: a.get_model_metadata(model_id))
    shown = {k: v for k, v in found.items() if k not in ("type", "model")}
    emit(as_json, found, "\n".join(f"{k}: {'-' if v is None else v}" for k, v in shown.items()))


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
