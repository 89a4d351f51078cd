"""`modeldir webhooks`: endpoints that hear of every catalogue change, and their delivery log."""

from __future__ import annotations

from typing import Any

import click

from modeldir.admin import inputs
from modeldir.catalogue.webhook_events import EVENT_TYPES
from modeldir.cli.main import cli, emit, emit_versioned, list_all, run, walk
from modeldir.cli.options import if_match_option, json_option, limit_option


@cli.group(epilog="Example: modeldir webhooks create https://hooks.example.com/modeldir")
def webhooks() -> None:
    """Register, list and delete webhook endpoints; see and re-send their deliveries."""


def _endpoint_line(w: dict[str, Any]) -> str:
    types = "all events" if w["event_types"] is None else ",".join(w["event_types"])
    return f"{w['id']}  {w['status']:7}  {w['url']}  ({types})"


def _delivery_line(d: dict[str, Any]) -> str:
    answer = d["response_status"] or d["error"] or ""
    return (
        f"{d['id']}  {d['status']:9}  {d['event_type']:24} {d['event_id']}  "
        f"tries {d['attempts']}  {answer}"
    ).rstrip()


@webhooks.command(
    "create",
    epilog="Example: modeldir webhooks create https://hooks.example.com/x --event model.created",
)
@click.argument("endpoint_url", metavar="URL")
@click.option("--description", default="", help="What the endpoint is for.")
@click.option(
    "--event",
    "events",
    multiple=True,
    type=click.Choice(EVENT_TYPES),
    help="Send only this event type (repeat for more) [default: every type].",
)
@json_option
@click.pass_context
def webhooks_create(
    ctx: click.Context, endpoint_url: str, description: str, events: tuple[str, ...], as_json: bool
) -> None:
    """Register an endpoint and print its signing secret (the only time it is shown)."""
    data = {"url": endpoint_url, "description": description, "event_types": list(events) or None}
    body = run(ctx, lambda _a: inputs.parse(inputs.WebhookCreate, data))
    result = run(ctx, lambda a: a.create_webhook(body))
    emit_versioned(as_json, result, f"{result.object['id']}\n{result.object['secret']}")


@webhooks.command("list", epilog="Example: modeldir webhooks list --json")
@limit_option
@json_option
@click.pass_context
def webhooks_list(ctx: click.Context, limit: int | None, as_json: bool) -> None:
    """List endpoints, newest first (never their secrets)."""
    found = list_all(ctx, "list_webhooks", inputs.ListParams, limit)
    emit(as_json, found, "\n".join(map(_endpoint_line, found)))


@webhooks.command("get", epilog="Example: modeldir webhooks get webhook_01...")
@click.argument("webhook_id")
@json_option
@click.pass_context
def webhooks_get(ctx: click.Context, webhook_id: str, as_json: bool) -> None:
    """Show an endpoint and its status (`failing` once a delivery ran out of tries)."""
    result = run(ctx, lambda a: a.get_webhook(webhook_id))
    emit_versioned(as_json, result, _endpoint_line(result.object))


@webhooks.command("delete", epilog="Example: modeldir webhooks delete webhook_01...")
@click.argument("webhook_id")
@if_match_option
@json_option
@click.pass_context
def webhooks_delete(
    ctx: click.Context, webhook_id: str, if_match: str | None, as_json: bool
) -> None:
    """Delete an endpoint; deliveries still waiting for it are dropped."""
    result = run(ctx, lambda a: a.delete_webhook(webhook_id, if_match))
    emit(as_json, result, f"deleted {webhook_id}")


@webhooks.command("deliveries", epilog="Example: modeldir webhooks deliveries webhook_01...")
@click.argument("webhook_id")
@limit_option
@json_option
@click.pass_context
def webhooks_deliveries(
    ctx: click.Context, webhook_id: str, limit: int | None, as_json: bool
) -> None:
    """An endpoint's delivery log, newest first: status, tries, last answer."""

    def page(after: str | None) -> dict[str, Any]:
        params = inputs.ListParams(after_id=after, limit=1000)
        return run(ctx, lambda a: a.list_webhook_deliveries(webhook_id, params))  # type: ignore[no-any-return]

    found = walk(page, limit)
    emit(as_json, found, "\n".join(map(_delivery_line, found)))


@webhooks.command("resend", epilog="Example: modeldir webhooks resend webhook_01... whdel_01...")
@click.argument("webhook_id")
@click.argument("delivery_id")
@json_option
@click.pass_context
def webhooks_resend(ctx: click.Context, webhook_id: str, delivery_id: str, as_json: bool) -> None:
    """Send a delivery's event again (same webhook-id), as a new delivery due now."""
    result = run(ctx, lambda a: a.resend_webhook_delivery(webhook_id, delivery_id))
    emit(as_json, result, _delivery_line(result))
