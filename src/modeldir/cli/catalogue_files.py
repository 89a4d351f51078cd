"""`modeldir models import`, `export` and `list`: the whole catalogue in and out, streamed.

On the database, an import reads its file record by record (JSON incrementally; YAML whole) and
an export or a list writes models as the store yields them, so memory stays flat however large
the catalogue. Through `--url` the same commands use the admin API. Long work shows a progress
bar on a terminal; a large diff prints its counts and the first few ids of each kind unless
`--verbose` or `--json` asks for all.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import orjson

from modeldir.catalogue.model_info import LIFECYCLES
from modeldir.catalogue.public_catalogues import FORMATS
from modeldir.cli.failures import UserError, user_errors
from modeldir.cli.main import outcome, read_data, run
from modeldir.cli.models import models
from modeldir.cli.options import json_option, limit_option
from modeldir.cli.progress import progress_bar
from modeldir.errors import EXIT_USAGE

if TYPE_CHECKING:
    from modeldir.admin.service import AdminService

SHOWN = 10
"""Ids of each kind a summary shows (all with --verbose)."""

quiet_option = click.option("--quiet", "-q", is_flag=True, help="Draw no progress bar.")


def _line(model: dict[str, Any]) -> str:
    return f"{model['id']}  {model['lifecycle']:10}  {model['created_at']}  {model['display_name']}"


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
    """List models in API order (newest first), streamed as they are read."""
    wanted = frozenset(lifecycle or LIFECYCLES)
    out = sys.stdout.buffer
    lines: Iterator[bytes]
    if as_json:
        lines = run(ctx, lambda admin: admin.iter_model_json(wanted))
    else:
        found = run(ctx, lambda admin: admin.iter_models(wanted))
        lines = (_line(model).encode() for model in found)
    count = 0
    with user_errors():  # a failure while streaming reads like any other
        if as_json:
            out.write(b"[")
        for line in lines:
            if limit is not None and count >= limit:
                break
            if as_json:
                out.write(b"\n" if count == 0 else b",\n")
            out.write(line if as_json else line + b"\n")
            count += 1
        if as_json:
            out.write(b"\n]\n" if count else b"]\n")
    out.flush()


def _summary(report: Mapping[str, Any], verbose: bool) -> str:
    said = outcome(report, "imported")
    source = f"{report['format']}, provider {report['provider']}" if "format" in report else ""
    lines = [f"{said} ({source or report['mode']})"]
    for kind in ("models", "aliases", "metadata"):
        part = report[kind]
        if kind == "metadata" and not any((*part.values(),)):
            continue  # a catalogue without metadata says nothing of it
        lines.append(
            f"{kind}: {len(part['added'])} added, {len(part['changed'])} changed, "
            f"{len(part['removed'])} removed, {part['unchanged']} unchanged"
        )
        for sign, key in (("+", "added"), ("~", "changed"), ("-", "removed")):
            ids = part[key] if verbose else part[key][:SHOWN]
            lines += [f"  {sign} {item}" for item in ids]
            if len(ids) < len(part[key]):
                lines.append(f"  {sign} ... and {len(part[key]) - len(ids):,} more (--verbose)")
    skipped = report.get("skipped", [])
    if skipped:
        lines.append(f"skipped: {len(skipped)}")
        lines += [f"  {reason}" for reason in (skipped if verbose else skipped[:SHOWN])]
    return "\n".join(lines)


@models.command(
    "import", epilog="Example: modeldir models import catalogue.json --replace --dry-run"
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option(
    "--replace", is_flag=True, help="Also delete the models and aliases the file does not name."
)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["native", *FORMATS]),
    default="native",
    show_default=True,
    help="modeldir's own format, models.dev's api.json or LiteLLM's "
    "model_prices_and_context_window.json (merged, never replacing).",
)
@click.option(
    "--provider",
    default="anthropic",
    show_default=True,
    help="With --format models.dev or litellm: whose models to take.",
)
@click.option("--verbose", "-v", is_flag=True, help="List every id that changes.")
@quiet_option
@json_option
@click.pass_context
def models_import(
    ctx: click.Context,
    file: str,
    replace: bool,
    dry_run: bool,
    fmt: str,
    provider: str,
    verbose: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Import a JSON or YAML catalogue file, all or nothing (`-` reads standard input).

    On the database a JSON file is read record by record, so it may hold millions of models.
    """
    from modeldir.admin.service import AdminService

    admin = run(ctx, lambda admin: admin)
    if fmt != "native":
        if replace:
            raise UserError(f"--replace takes modeldir's own format, not {fmt}", EXIT_USAGE)
        data = run(ctx, lambda _admin: read_data(file, as_json=True))
        report = run(
            ctx, lambda a: a.import_public(data, fmt=fmt, provider=provider, dry_run=dry_run)
        )
    elif isinstance(admin, AdminService) and file != "-":
        report = _import_file(ctx, admin, Path(file), replace, dry_run, not (quiet or as_json))
    else:
        data = run(ctx, lambda _admin: read_data(file))
        report = run(ctx, lambda a: a.import_catalogue(data, replace_all=replace, dry_run=dry_run))
    if as_json:
        click.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(_summary(report, verbose))


def _import_file(
    ctx: click.Context, admin: AdminService, path: Path, replace: bool, dry_run: bool, bar: bool
) -> Mapping[str, Any]:
    from modeldir.catalogue.document_stream import read_records

    with path.open("rb") as stream, progress_bar("reading", allowed=bar) as update:
        records = read_records(stream, str(path), as_json=path.suffix.lower() == ".json")
        with user_errors():
            return admin.import_records(
                records, replace_all=replace, dry_run=dry_run, progress=update
            )


@models.command("export", epilog="Example: modeldir models export --format json > catalogue.json")
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True
)
@quiet_option
@click.pass_context
def models_export(ctx: click.Context, fmt: str, quiet: bool) -> None:
    """Print the whole catalogue in the import format, streamed (JSON reads back fastest)."""
    chunks = run(ctx, lambda admin: admin.export_chunks(as_json=fmt == "json"))
    out = sys.stdout.buffer
    written = 0
    bar = progress_bar("exporting", allowed=not quiet and not out.isatty())
    with user_errors(), bar as update:  # a failure while streaming reads like any other
        for chunk in chunks:
            out.write(chunk)
            written += chunk.count(b"\n")
            update(written)
    out.flush()
