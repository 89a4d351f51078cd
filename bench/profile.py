"""Where a request's time goes: py-spy on modeldir's worker while wrk loads one scenario.

    .venv/bin/pip install py-spy
    PYTHONPATH=. .venv/bin/python -m bench.profile "list20 first page"

Prints the worker's Python thread time per request, split into modeldir's own code, the two
`send` calls into granian (its Rust core converts and writes the response while holding the
GIL) and granian's Python glue, next to the wall time per request from wrk. What the Python
thread does not account for is granian's I/O thread and the kernel. The raw samples are kept
for a flame graph.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.catalogues import prepare
from bench.harness import LOAD_CPU, VERSION, _children, modeldir, scenarios

RATE = 200  # samples a second


def classify(frames: list[str]) -> str | None:
    """The part of the request path one sample belongs to; None for an idle thread."""
    leaf = frames[-1]
    if leaf == "" or leaf.startswith(("MPServer.", "Condition.wait", "select ")):
        return None
    if any("ModelsApi.respond" in f or "new_request_id" in f for f in frames):
        return "modeldir: headers, key, limits, page or model"
    if leaf.startswith("RequestContext.__call__"):
        # py-spy does not see into granian's Rust: its send() shows as RequestContext.__call__'s own
        # time, which also holds building the two messages (about 0.3 µs, bench/request_parts.py).
        return "granian: send() of head and body (Rust, under the GIL)"
    return "granian and asyncio: Python glue"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", nargs="?", default="list20 first page")
    parser.add_argument("--size", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        sys.exit("py-spy is missing: .venv/bin/pip install py-spy")
    catalogue = prepare(args.size)
    scenario = next(s for s in scenarios(catalogue) if s.name == args.scenario)
    work = Path(tempfile.mkdtemp(prefix="modeldir-profile-"))
    with modeldir(catalogue, work / "modeldir.log") as (base, process, _ready):
        worker = (_children(process.pid) or [process.pid])[0]
        headers = ["-H", f"x-api-key: {scenario.key}", "-H", f"anthropic-version: {VERSION}"]
        wrk = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", "-c32", f"-d{args.seconds + 5}s"]
        load = subprocess.Popen(
            [*wrk, *headers, base + scenario.paths[0]],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(2)
        raw = work / "samples.txt"
        subprocess.run(
            [
                py_spy,
                "record",
                "-p",
                str(worker),
                "-d",
                str(args.seconds),
                "-r",
                str(RATE),
                "-f",
                "raw",
                "-o",
                str(raw),
                "--nonblocking",
            ],
            check=True,
            capture_output=True,
        )
        out = load.communicate()[0]
    requests_per_second = float(out.split("Requests/sec:")[1].split()[0])
    parts: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, count = line.rsplit(" ", 1)
        part = classify(stack.split(";"))
        if part is not None:
            parts[part] += int(count)
    wall_us = 1e6 / requests_per_second
    # A sample is 1/RATE s of the thread's time; spread over the requests served meanwhile.
    us_per_sample = wall_us / (args.seconds * RATE)
    print(f"{scenario.name}, {args.size:,} models: {requests_per_second:,.0f} req/s under wrk")
    print(f"  {wall_us:5.1f} µs  wall time per request (one core)")
    for part, samples in parts.most_common():
        print(f"  {samples * us_per_sample:5.1f} µs  {part}")
    busy = sum(parts.values()) * us_per_sample
    print(f"  {wall_us - busy:5.1f} µs  not in the Python thread (granian's I/O, the kernel)")
    print(f"raw samples: {raw}")


if __name__ == "__main__":
    main()
