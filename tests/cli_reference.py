"""docs/cli.md, generated from the real `--help` of every command (`scripts/docs`)."""

from __future__ import annotations

import click
from click.testing import CliRunner

from modeldir.cli import cli


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def reference() -> str:
    """The whole reference page."""
    runner = CliRunner()
    parts = [
        "# Command-line reference\n",
        "Generated from `--help` by `scripts/docs`; `tests/test_docs.py` checks it is current.\n",
    ]
    for path in commands(cli):
        result = runner.invoke(cli, [*path, "--help"], prog_name="modeldir", terminal_width=100)
        assert result.exit_code == 0, result.output
        parts.append(f"## modeldir {' '.join(path)}".rstrip() + "\n")
        parts.append(f"```\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(reference(), end="")
