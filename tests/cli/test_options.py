"""Options go where people put them: before or after the subcommand, with the same meaning."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.server import modeldir_command


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MODELDIR_")}
    clean["MODELDIR_DATABASE_URL"] = "sqlite:////nonexistent-folder/never.db"
    return subprocess.run(
        modeldir_command(*args),
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "arguments",
    [
        ("--database-url", "{url}", "workspaces", "list", "--include-default", "--json"),
        ("workspaces", "list", "--database-url", "{url}", "--include-default", "--json"),
        ("workspaces", "list", "--include-default", "--json", "--database-url", "{url}"),
    ],
)
def test_the_database_option_is_taken_anywhere(tmp_path: Path, arguments: tuple[str, ...]) -> None:
    url = f"sqlite:///{tmp_path / 'modeldir.db'}"
    result = run(*(a.format(url=url) for a in arguments))
    assert result.returncode == 0, result.stderr
    assert [w["name"] for w in json.loads(result.stdout)] == ["Default"]


def test_after_the_subcommand_wins_over_before(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'modeldir.db'}"
    nowhere = "sqlite:////nonexistent-folder/x.db"
    result = run("--database-url", nowhere, "org", "--json", "--database-url", url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["type"] == "organization"


def test_every_command_lists_the_group_options_in_its_help() -> None:
    for command in (("serve",), ("keys", "list"), ("models", "import")):
        shown = run(*command, "--help").stdout
        assert "--database-url" in shown, command
        assert ("--url" in shown) == (command != ("serve",)), command
