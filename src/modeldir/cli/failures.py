"""How the `modeldir` command fails: one line on standard error and a documented exit status.

The exit statuses are those of the error tree (`modeldir.errors`):

    0 done   1 invalid input   2 usage error   3 not found   4 conflict (stale --if-match)
    5 authentication or permission   6 database or server unavailable
    7 the upstream Models API of a sync failed (nothing was written)
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import click
import orjson
import yaml
from pydantic import ValidationError

from modeldir.errors import (
    EXIT_INVALID,
    EXIT_UNAVAILABLE,
    ApiError,
    InvalidCatalogue,
    Problem,
    problems_of,
)


class UserError(click.ClickException):
    """A failure the user can act on: its message is printed, without a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_INVALID) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it per instance

    def show(self, file: IO[Any] | None = None) -> None:
        """One line (or a short list) on standard error, named for the command."""
        click.echo(f"modeldir: {self.format_message()}", file=file, err=True)


def invalid_settings(error: ValidationError) -> UserError:
    """Settings that do not validate, each problem named."""
    return UserError("; ".join(map(str, problems_of(error))))


def _problems(problems: list[Problem]) -> UserError:
    if len(problems) == 1:
        return UserError(f"invalid catalogue: {problems[0]}")
    lines = [f"invalid catalogue: {len(problems)} problem(s)", *(f"  {p}" for p in problems)]
    return UserError("\n".join(lines))


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a person can act on into one-line messages and exit statuses."""
    try:
        yield
    except InvalidCatalogue as error:
        raise _problems(error.problems) from None
    except ApiError as error:
        raise UserError(error.message, error.exit_code) from None
    except Exception as error:
        if _is_database_error(error):
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise UserError(f"database error: {reason}", EXIT_UNAVAILABLE) from None
        if isinstance(error, OSError | yaml.YAMLError | orjson.JSONDecodeError | ValueError):
            raise UserError(str(error).strip().splitlines()[0]) from None
        raise


def _is_database_error(error: Exception) -> bool:
    exc = sys.modules.get("sqlalchemy.exc")  # loaded only if the database was used
    return exc is not None and isinstance(error, exc.SQLAlchemyError)
