"""The CLI's bulk work at scale: import, export and list with 100,000 and 1,000,000 models.

    PYTHONPATH=. .venv/bin/python -m bench.bulk --sizes 100000,1000000

For each size it writes a catalogue file in the export format (JSON), then runs the real
`modeldir` command as a subprocess on a fresh SQLite database and measures each step's wall time
and the peak resident memory of that process (from `wait4`):

    import new       the file into an empty catalogue
    import merge     a file that changes a tenth of the models and adds a tenth more
    import replace   a file without a tenth of them (they are removed) and a tenth changed
    export           `models export --format json` of the whole catalogue
    list             `models list --json`, in models a second

Beside them, measured in the same run, is the floor: parsing every record of the same file with
orjson (`reference`), so each step also reads as a multiple of what Python needs just to read it.
The goals (at a million): every import within 60 s and 400 MB, export within 30 s and 250 MB,
list at 100,000 models a second or more.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modeldir.admin.bootstrap import bundled_document
from modeldir.catalogue.document_writer import document_chunks

BASE_TIME = 1_600_000_000
GOALS = {
    "import new": (60.0, 400.0),
    "import merge": (60.0, 400.0),
    "import replace": (60.0, 400.0),
    "export": (30.0, 250.0),
}
LIST_GOAL = 100_000.0  # models a second


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    peak_mb: float
    models: int

    @property
    def rate(self) -> float:
        return self.models / self.seconds if self.seconds else 0.0


def synthetic_models(size: int, *, version: int = 0, skip_tenth: bool = False) -> Iterator[Any]:
    """`size` models shaped like the bundled ones; `version` renames a tenth of them."""
    trees = [m.to_wire()["capabilities"] for m in bundled_document().models]
    for i in range(size):
        if skip_tenth and i % 10 == 9:
            continue
        changed = version and i % 10 == 3
        yield {
            "type": "model",
            "id": f"bulk-{i:07d}",
            "display_name": f"Bulk {i}{' v' + str(version) if changed else ''}",
            "created_at": time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime(BASE_TIME + (i // 4) * 60)
            ),
            "max_input_tokens": 200_000,
            "max_tokens": 64_000,
            "capabilities": trees[i % len(trees)],
            "lifecycle": "active",
            "deprecated_at": None,
            "retires_at": None,
            "line": ("opus", "sonnet", "haiku")[i % 3],
            "allowed_fallback_models": None,
        }


def write_catalogue(path: Path, models: Iterator[Any]) -> None:
    with path.open("wb") as out:
        for chunk in document_chunks(models, [], as_json=True):
            out.write(chunk)


def run_step(name: str, command: list[str], env: dict[str, str], models: int) -> Step:
    """Run one `modeldir` command; its time and the peak RSS of its process."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.PIPE)
        _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise RuntimeError(f"{name} failed ({status}): {error[-2000:]}")
    return Step(name, seconds, usage.ru_maxrss / 1024, models)


def reference(path: Path, size: int) -> Step:
    """The floor: parse every record of the file with orjson, a line at a time, in a process of
    its own (the least any reader of this file can do)."""
    code = (
        "import orjson,sys\n"
        "for line in open(sys.argv[1],'rb'):\n"
        "    line=line.rstrip().removesuffix(b',')\n"
        "    if line.startswith(b'{\"type\"'): orjson.loads(line)"
    )
    return run_step("reference", [sys.executable, "-c", code, str(path)], dict(os.environ), size)


def measure(size: int, folder: Path) -> list[Step]:
    """Every step at one size, on a fresh SQLite database in `folder`."""
    new, merge, replace = (folder / f"{name}.json" for name in ("new", "merge", "replace"))
    write_catalogue(new, synthetic_models(size))
    more = (m for m in synthetic_models(size + size // 10, version=1))
    write_catalogue(merge, more)
    write_catalogue(replace, synthetic_models(size + size // 10, version=2, skip_tenth=True))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELDIR_")}
    env.update(MODELDIR_DATABASE_URL=f"sqlite:///{folder / 'bulk.db'}", MODELDIR_SEED="false")
    modeldir = [sys.executable, "-m", "modeldir"]
    grown = size + size // 10
    return [
        reference(new, size),
        run_step("import new", [*modeldir, "models", "import", str(new), "-q"], env, size),
        run_step("import merge", [*modeldir, "models", "import", str(merge), "-q"], env, grown),
        run_step(
            "import replace",
            [*modeldir, "models", "import", str(replace), "--replace", "-q"],
            env,
            grown - grown // 10,
        ),
        run_step(
            "export",
            [*modeldir, "models", "export", "--format", "json", "-q"],
            env,
            grown - grown // 10,
        ),
        run_step("list", [*modeldir, "models", "list", "--json"], env, grown - grown // 10),
    ]


def verdict(step: Step) -> str:
    if step.name == "list":
        return "ok" if step.rate >= LIST_GOAL else f"MISSED (goal {LIST_GOAL:,.0f}/s)"
    goal = GOALS.get(step.name)
    if goal is None:
        return ""
    ok = step.seconds <= goal[0] and step.peak_mb <= goal[1]
    return "ok" if ok else f"MISSED (goal {goal[0]:.0f} s, {goal[1]:.0f} MB)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--json", dest="as_json", action="store_true", help="Print JSON.")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="modeldir-bulk-") as folder:
            steps = measure(size, Path(folder))
        floor = steps[0].seconds
        results[str(size)] = [
            {**step.__dict__, "rate": step.rate, "of_reference": step.seconds / floor}
            for step in steps
        ]
        if not args.as_json:
            print(f"\n{size:,} models")
            print("| step | seconds | x reference | peak MB | models/s | goal |")
            print("|---|---:|---:|---:|---:|---|")
            for step in steps:
                print(
                    f"| {step.name} | {step.seconds:.1f} | {step.seconds / floor:.1f} "
                    f"| {step.peak_mb:.0f} | {step.rate:,.0f} | {verdict(step)} |"
                )
    if args.as_json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
