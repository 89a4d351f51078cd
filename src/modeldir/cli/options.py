"""Command-line options: one for each setting a command takes, generated from `Settings`.

A setting's flag, type, help and shown default come from its field in `modeldir.settings`; the
option's own default is None, so an option that is not given leaves the environment's value (or
the setting's default) in force. The shared options of many commands (`--json`, `--if-match`,
`--limit`) are here too.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import click
from pydantic.fields import FieldInfo

from modeldir.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def shown_default(field: FieldInfo) -> str | None:
    """A setting's default as people read it, or None when it has none worth showing."""
    extra = field.json_schema_extra
    if isinstance(extra, dict) and "shown_default" in extra:
        return str(extra["shown_default"])
    default = field.get_default(call_default_factory=False)
    if default is None:
        return None
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, tuple):
        return ",".join(default) or None
    return str(default)


def _bounds(field: FieldInfo) -> tuple[Any, Any]:
    low = high = None
    for rule in field.metadata:  # pydantic keeps `ge=` and `le=` as small constraint objects
        low = getattr(rule, "ge", low)
        high = getattr(rule, "le", high)
    return low, high


def _click_type(field: FieldInfo) -> click.ParamType[Any] | type | None:
    annotation = field.annotation
    if typing.get_origin(annotation) is Literal:
        return click.Choice([str(choice) for choice in typing.get_args(annotation)])
    if annotation is int:
        low, high = _bounds(field)
        return click.IntRange(low, high)
    if annotation is float:
        return float
    return None


def _declaration(name: str) -> tuple[list[str], dict[str, Any]]:
    """The flags and click arguments of one setting's option, read from its field."""
    field = Settings.model_fields[name]
    flag = "--" + name.replace("_", "-")
    help_text = (field.description or "").rstrip(".")
    default = shown_default(field)
    if default is not None:
        help_text += f" [default: {default}]"
    help_text += f" (env: MODELDIR_{name.upper()})."
    arguments: dict[str, Any] = {"default": None, "help": help_text}
    if field.annotation is bool:
        return [f"{flag}/--no-{flag[2:]}", name], arguments
    return [flag, name], {**arguments, "type": _click_type(field)}


def setting_param(name: str, **extra: Any) -> click.Option:
    """The `--<name>` option of one setting (`extra`: more of click's option arguments)."""
    flags, arguments = _declaration(name)
    return click.Option(flags, **arguments, **extra)


def setting_option(name: str) -> Callable[[F], F]:
    """A decorator adding the `--<name>` option of one setting to a command."""
    flags, arguments = _declaration(name)
    return click.option(*flags, **arguments)


def setting_options(*names: str) -> Callable[[F], F]:
    """The options of several settings, in the order given."""

    def decorate(command: F) -> F:
        for name in reversed(names):
            command = setting_option(name)(command)
        return command

    return decorate


def json_option(command: F) -> F:
    """`--json`: print machine-readable output."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(command)


def if_match_option(command: F) -> F:
    """`--if-match`: only change the object if it is still at this version (an ETag)."""
    return click.option(
        "--if-match", help="Only if the object is still at this ETag (from a get); else exit 4."
    )(command)


limit_option = click.option(
    "--limit", type=click.IntRange(1), help="Show at most this many [default: all]."
)


def timestamp(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Check an RFC 3339 option value as it is given (the service parses it again)."""
    from modeldir.catalogue.timestamps import parse_timestamp

    if value is None:
        return None
    try:
        parse_timestamp(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    return value
