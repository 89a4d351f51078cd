"""`models import`, `export` and `list` through the real entry point, on a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import modeldir_command


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELDIR_")}
    env["MODELDIR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'modeldir.db'}"
    env["MODELDIR_SEED"] = "false"
    return subprocess.run(
        modeldir_command(*args), env=env, capture_output=True, text=True, timeout=120
    )


def models(count: int) -> list[dict[str, Any]]:
    return [
        {"id": f"m-{i:03d}", "display_name": f"M {i}", "created_at": f"2026-01-{1 + i % 28:02d}"}
        for i in range(count)
    ]


def list_order(records: list[dict[str, Any]]) -> list[str]:
    """Newest first, ties by id: the order written out by hand for this test."""
    return [m["id"] for m in sorted(records, key=lambda m: (-int(m["created_at"][-2:]), m["id"]))]


@pytest.fixture
def imported(tmp_path: Path) -> list[dict[str, Any]]:
    catalogue = models(40)
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps({"models": catalogue}))
    assert run(tmp_path, "models", "import", str(path), "-q").returncode == 0
    return catalogue


def test_list_json_streams_every_model_in_order(tmp_path: Path, imported: list[Any]) -> None:
    result = run(tmp_path, "models", "list", "--json")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert [m["id"] for m in listed] == list_order(imported)
    assert set(listed[0]) >= {"type", "id", "capabilities", "allowed_fallback_models"}
    limited = json.loads(run(tmp_path, "models", "list", "--json", "--limit", "3").stdout)
    assert [m["id"] for m in limited] == list_order(imported)[:3]


def test_list_text_is_one_line_a_model(tmp_path: Path, imported: list[Any]) -> None:
    lines = run(tmp_path, "models", "list").stdout.splitlines()
    assert [line.split()[0] for line in lines] == list_order(imported)


def test_a_big_diff_is_summarised_unless_verbose(tmp_path: Path, imported: list[Any]) -> None:
    path = tmp_path / "more.json"
    path.write_text(json.dumps({"models": models(60)}))
    dry = run(tmp_path, "models", "import", str(path), "--dry-run").stdout.splitlines()
    assert dry[1] == "models: 20 added, 0 changed, 0 removed, 40 unchanged"
    assert dry[2:12] == [f"  + m-{i:03d}" for i in range(40, 50)]
    assert dry[12] == "  + ... and 10 more (--verbose)"
    verbose = run(tmp_path, "models", "import", str(path), "--dry-run", "--verbose").stdout
    assert [f"  + m-{i:03d}" for i in range(40, 60)] == verbose.splitlines()[2:22]


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_an_export_file_imports_back_unchanged(
    tmp_path: Path, imported: list[Any], fmt: str
) -> None:
    exported = run(tmp_path, "models", "export", "--format", fmt, "-q")
    assert exported.returncode == 0, exported.stderr
    path = tmp_path / f"export.{fmt}"
    path.write_text(exported.stdout)
    again = run(tmp_path, "models", "import", str(path), "--replace", "--json")
    report = json.loads(again.stdout)
    assert report["revision"] is None  # nothing to change
    assert report["models"]["unchanged"] == len(imported)


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_import_from_a_public_catalogue(tmp_path: Path) -> None:
    litellm = str(FIXTURES / "litellm_prices.json")
    dry = run(tmp_path, "models", "import", "--format", "litellm", litellm, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[:3] == [
        "dry run, nothing written (litellm, provider anthropic)",
        # An empty catalogue (no seed) knows no aliases: the `-latest` names are models too.
        "models: 5 added, 0 changed, 0 removed, 0 unchanged",
        "  + claude-3-5-haiku-20241022",
    ]
    done = run(tmp_path, "models", "import", "--format", "litellm", litellm, "--json")
    assert json.loads(done.stdout)["metadata"]["added"][0] == "claude-3-5-haiku-20241022"
    shown = run(tmp_path, "models", "metadata", "claude-3-5-haiku-20241022")
    assert shown.stdout.splitlines() == [
        "provider: anthropic",
        "family: -",
        "input_price_per_mtok: 0.8",
        "output_price_per_mtok: 4.0",
        "knowledge_cutoff: -",
        "source: litellm",
    ]
    refused = run(tmp_path, "models", "import", "--format", "litellm", litellm, "--replace")
    assert refused.returncode == 2
    assert refused.stderr == "modeldir: --replace takes modeldir's own format, not litellm\n"
    bad = run(
        tmp_path,
        "models",
        "import",
        "--format",
        "models.dev",
        str(FIXTURES / "models_dev_bad.json"),
    )
    assert bad.returncode == 1 and bad.stderr.startswith(
        "modeldir: invalid catalogue: 5 problem(s)"
    )
