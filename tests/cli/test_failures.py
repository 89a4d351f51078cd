"""Errors a person can act on: one line (or a list of every problem), a documented exit status,
never a traceback. Run through the real entry point on a real SQLite database."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.server import modeldir_command


def run(tmp_path: Path, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELDIR_")}
    env["MODELDIR_DATABASE_URL"] = url or f"sqlite:///{tmp_path / 'modeldir.db'}"
    env["MODELDIR_SEED"] = "false"
    result = subprocess.run(
        modeldir_command(*args), env=env, capture_output=True, text=True, timeout=60
    )
    assert "Traceback" not in result.stderr
    return result


def test_a_yaml_syntax_error_names_the_file_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("models:\n  - id: a\n    display_name: A\n   - id: b\n")
    result = run(tmp_path, "models", "import", str(broken))
    assert result.returncode == 1
    assert result.stderr.startswith(f"modeldir: {broken}:4:4: ")
    assert len(result.stderr.splitlines()) == 1


def test_a_json_syntax_error_names_the_file_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"models": [\n  {"id": "a",}\n]}')
    result = run(tmp_path, "models", "import", str(broken))
    assert result.returncode == 1
    assert result.stderr.startswith(f"modeldir: {broken}:2:")
    assert len(result.stderr.splitlines()) == 1


def test_every_problem_of_every_record_is_reported_in_one_run(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(
        "models:\n"
        # a field problem and a cross-field problem in the same record
        "  - {id: a, display_name: '', created_at: 2026-01-01, deprecated_at: 2026-02-01}\n"
        # a cross-field problem
        "  - {id: b, display_name: B, created_at: 2026-01-01, lifecycle: active,\n"
        "     deprecated_at: 2026-03-01, retires_at: 2026-02-01}\n"
        # two field problems
        "  - {id: 'c d', display_name: C, created_at: soon}\n"
    )
    result = run(tmp_path, "models", "import", str(catalogue))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "modeldir: invalid catalogue: 5 problem(s)",
        "  models[0].display_name: String should have at least 1 character",
        "  models[0]: deprecated_at must be null while lifecycle is 'active'",
        "  models[1]: deprecated_at must be null while lifecycle is 'active'",
        "  models[2].id: must be 1 to 256 characters with no spaces or control characters",
        "  models[2].created_at: 'soon' is not an RFC 3339 date-time such as 2026-04-14T00:00:00Z",
    ]
    listed = run(tmp_path, "models", "list", "--json")
    assert listed.stdout.strip() == "[]"  # nothing was written


def test_an_explicit_sqlite_file_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'x.db'}"
    result = run(tmp_path, "models", "list", url=url)
    assert result.returncode == 1
    assert f"the folder {tmp_path / 'no' / 'such'} of the SQLite database does not exist" in (
        result.stderr
    )
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("notaurl", "--url must be a server's http:// or https:// URL"),
        ("ftp://host", "--url must be a server's http:// or https:// URL"),
        ("http://127.0.0.1:8080/v1", "--url takes the server's base URL, http://127.0.0.1:8080,"),
    ],
)
def test_a_bad_url_is_a_usage_error_saying_what_to_give(
    tmp_path: Path, url: str, message: str
) -> None:
    result = run(tmp_path, "workspaces", "list", "--url", url)
    assert result.returncode == 2
    assert message in result.stderr


def test_not_found_names_the_kind_and_the_id(tmp_path: Path) -> None:
    result = run(tmp_path, "keys", "get", "apikey_nope")
    assert result.returncode == 3
    assert result.stderr == "modeldir: no API key with id apikey_nope\n"


def test_an_unclosed_set_in_an_access_pattern_is_refused(tmp_path: Path) -> None:
    result = run(tmp_path, "workspaces", "create", "team-b", "--allow", "[")
    assert result.returncode == 1
    assert "opens a set that never closes" in result.stderr


def test_two_active_workspaces_cannot_share_a_name(tmp_path: Path) -> None:
    assert run(tmp_path, "workspaces", "create", "team-b").returncode == 0
    result = run(tmp_path, "workspaces", "create", "team-b")
    assert result.returncode == 4
    assert "a workspace named 'team-b' already exists" in result.stderr
