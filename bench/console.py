"""Time to first byte of the web console's catalogue pages on a large catalogue.

    .venv/bin/python -m bench.console --size 1000000

Builds (or reuses) the benchmark catalogue of bench/catalogues.py, starts `modeldir serve` as
the harness does, signs in with the catalogue's admin key, then asks each page `--rounds` times
one after another and reports the median and the worst time until the response's headers
arrived (the console renders a whole page before it sends the first byte).
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.catalogues import prepare
from bench.harness import modeldir

PAGES = {
    "catalogue": "/console/models",
    "deep page": "/console/models?start=900000",
    "oldest first": "/console/models?order=oldest",
    "filtered: line": "/console/models?line=haiku",
    "filtered: capability + lifecycle": "/console/models?capability=thinking&lifecycle=active",
    "filtered: search, many matches": "/console/models?q=bench-a",
    "filtered: search, one match": "/console/models?q=bench-j-0000009",
}


def sign_in(client: httpx.Client, admin_key: str) -> None:
    page = client.get("/console/sign-in").text
    token = re.search(r'name="sign_in_token" value="([^"]+)"', page)
    assert token is not None
    answer = client.post(
        "/console/sign-in", data={"admin_key": admin_key, "sign_in_token": token.group(1)}
    )
    answer.raise_for_status()


def time_to_first_byte(client: httpx.Client, path: str) -> float:
    """Seconds from sending the request to having its status line and headers."""
    started = time.perf_counter()
    with client.stream("GET", path) as response:
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        response.read()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    catalogue = prepare(args.size)
    log = Path(tempfile.mkdtemp()) / "server.log"
    with modeldir(catalogue, log) as (base, _process, started):
        print(f"{args.size:,} models; server ready in {started:.1f} s")
        with httpx.Client(base_url=base, timeout=60, follow_redirects=True) as client:
            sign_in(client, catalogue.admin_key)
            for name, path in PAGES.items():
                time_to_first_byte(client, path)  # warm: the first visit fills shared caches
                times = [time_to_first_byte(client, path) for _ in range(args.rounds)]
                print(
                    f"{name:36} median {statistics.median(times) * 1000:7.1f} ms"
                    f"   worst {max(times) * 1000:7.1f} ms   {path}"
                )


if __name__ == "__main__":
    main()
