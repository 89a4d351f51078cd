"""The documentation stays true: the CLI reference and the settings table match the code."""

from __future__ import annotations

import re
from pathlib import Path

from modeldir.settings import Settings
from tests.cli_reference import reference
from tests.settings_reference import with_table

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current() -> None:
    assert (ROOT / "docs" / "cli.md").read_text() == reference(), "run scripts/docs"


def test_the_readme_settings_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text()
    assert readme == with_table(readme), "run scripts/docs"
    for name in Settings.model_fields:
        assert f"`MODELDIR_{name.upper()}`" in readme, name


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split()[0] for line in block.strip().splitlines()] == [
        "scripts/serve",
        "scripts/test",
    ]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "exec scripts/test" in ci


def test_every_command_has_help_with_an_example() -> None:
    sections = reference().split("\n## ")[1:]
    assert len(sections) > 30
    for section in sections:
        assert "Example:" in section and "modeldir" in section.split("Example:")[1], section[:60]


def test_relative_links_resolve() -> None:
    pages = [ROOT / "README.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").glob("*.md")]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if "://" not in target and not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken
