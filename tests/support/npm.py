"""npm packages that tests run, installed once per version into the repository's `.cache/`."""

from __future__ import annotations

import subprocess
from pathlib import Path

CACHE = Path(__file__).resolve().parents[2] / ".cache"


def npm_package(name: str, version: str) -> Path:
    """The folder whose `node_modules` holds `name@version`, installed on first use."""
    folder = CACHE / f"npm-{name.replace('/', '-').lstrip('@')}-{version}"
    if not (folder / "node_modules" / name / "package.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", f"{name}@{version}"],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=600,
        )
    return folder
