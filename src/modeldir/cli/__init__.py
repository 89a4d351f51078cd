"""The `modeldir` command: serve the API, and administer everything it serves.

One module per command group; `main.py` holds the group itself and what the commands share,
`options.py` the options (those for settings generated from `modeldir.settings`), `failures.py`
how a command fails (one line, a documented exit status).
"""

from __future__ import annotations

# Importing a command's module registers it with the group.
from modeldir.cli import (
    admin_keys,
    aliases,
    audit,
    catalogue_files,
    keys,
    lifecycle,
    models,
    serve,
    sync,
    webhooks,
    workspaces,
)
from modeldir.cli.main import cli

__all__ = [
    "admin_keys",
    "aliases",
    "audit",
    "catalogue_files",
    "cli",
    "keys",
    "lifecycle",
    "main",
    "models",
    "serve",
    "sync",
    "webhooks",
    "workspaces",
]


def main() -> None:
    """Entry point of the `modeldir` script."""
    cli(prog_name="modeldir")
