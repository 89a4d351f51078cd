"""The layout's rules, as docs/architecture.md states them, enforced.

Layers depend one way: cli -> wire -> console -> live -> admin -> webhooks -> store ->
catalogue, with `errors`, `ids` and `settings` below them all. Every top-level package and
module of modeldir is listed here with what it may import; a new one fails until it is given a
place.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "modeldir"

BASE = {"errors"}
# For each top-level package or module, the modeldir packages and modules it may import.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "ids": set(),
    "settings": set(),
    "catalogue": {"catalogue", *BASE},
    "store": {"store", "catalogue", "ids", *BASE},
    "webhooks": {"webhooks", "store", "catalogue", *BASE},
    "admin": {"admin", "webhooks", "store", "catalogue", "ids", *BASE},
    "live": {"store", "catalogue", *BASE},
    "console": {"console", "live", "admin", "store", "catalogue", "settings", *BASE},
    "wire": {
        "wire",
        "console",
        "live",
        "admin",
        "webhooks",
        "store",
        "catalogue",
        "ids",
        "settings",
        *BASE,
    },
    "cli": {"cli", "wire", "admin", "webhooks", "store", "catalogue", "settings", *BASE},
    "__main__": {"cli"},
    "__init__": set(),
}
MAX_LINES = 400


def layer_of(path: Path) -> str:
    """The top-level package or module a source file belongs to."""
    return path.relative_to(SOURCE).parts[0].removesuffix(".py")


def sources() -> list[Path]:
    return sorted(p for p in SOURCE.rglob("*.py") if "migrations" not in p.parts)


def imported(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def modeldir_imports(path: Path) -> set[str]:
    return {m.removeprefix("modeldir.") for m in imported(path) if m.startswith("modeldir.")}


def test_every_layer_has_a_place() -> None:
    assert {layer_of(p) for p in sources()} <= set(ALLOWED)


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(SOURCE)))
def test_imports_go_one_way(path: Path) -> None:
    allowed = ALLOWED[layer_of(path)]
    for module in modeldir_imports(path):
        assert module.split(".")[0] in allowed, f"{path.relative_to(SOURCE)} imports {module}"


def test_no_relative_imports() -> None:
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.relative_to(SOURCE)}: use absolute imports"


def test_the_catalogue_does_no_io() -> None:
    forbidden = {"sqlalchemy", "httpx", "socket", "asyncio", "starlette", "psycopg", "redis"}
    for path in (SOURCE / "catalogue").rglob("*.py"):
        roots = {module.split(".")[0] for module in imported(path)}
        assert not forbidden & roots, f"{path.name} imports {forbidden & roots}"


def test_sqlalchemy_stays_in_the_store() -> None:
    for path in sources():
        if layer_of(path) != "store":
            roots = {module.split(".")[0] for module in imported(path)}
            assert not {"sqlalchemy", "psycopg", "alembic"} & roots, path.relative_to(SOURCE)


def test_the_hot_path_uses_no_framework() -> None:
    hot = [
        "models_api",
        "openai_api",
        "context",
        "inbound",
        "admission",
        "list_query",
        "rate_limits",
        "request_counts",
    ]
    for name in hot:
        roots = {module.split(".")[0] for module in imported(SOURCE / "wire" / f"{name}.py")}
        assert "starlette" not in roots, name


def test_only_the_request_context_mints_request_ids() -> None:
    minting = [p for p in sources() if "new_request_id" in p.read_text() and p.name != "ids.py"]
    assert [p.relative_to(SOURCE).as_posix() for p in minting] == ["wire/context.py"]


def test_only_errors_renders_the_envelope() -> None:
    writers = [
        p.relative_to(SOURCE).as_posix()
        for p in sources()
        if '"type": "error"' in p.read_text() or "'type': 'error'" in p.read_text()
    ]
    assert writers == ["errors.py"]


def test_modules_stay_small() -> None:
    too_long = {
        p.relative_to(SOURCE).as_posix(): n
        for p in sources()
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not too_long
