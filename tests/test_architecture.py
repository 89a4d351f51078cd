"""The layers depend in one direction: the pure catalogue imports no I/O layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "modeldir"

# For each layer, the modeldir packages it may import.
ALLOWED = {
    "catalogue": {"catalogue"},
    "store": {"catalogue", "store"},
    # admin/api.py is HTTP: it uses the wire's header rules and the live snapshot for keys.
    "admin": {"catalogue", "store", "admin", "ids", "live", "wire.errors", "wire.headers"},
}


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("modeldir."):
            found.add(node.module.removeprefix("modeldir."))
        elif isinstance(node, ast.Import):
            found |= {
                a.name.removeprefix("modeldir.")
                for a in node.names
                if a.name.startswith("modeldir.")
            }
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    for path in (SOURCE / layer).rglob("*.py"):
        for module in imports_of(path):
            assert any(module == ok or module.startswith(ok + ".") for ok in ALLOWED[layer]), (
                f"{path.relative_to(SOURCE)} imports modeldir.{module}"
            )


def test_catalogue_does_no_io() -> None:
    forbidden = {"sqlalchemy", "httpx", "socket", "asyncio", "starlette", "uvicorn", "psycopg"}
    for path in (SOURCE / "catalogue").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.split(".")[0]]
            assert not forbidden & set(names), f"{path.name} imports {names}"
