"""The benchmark: modeldir against nginx serving the same bytes, in the same run.

    bench/run                 # everything: 10, 10,000 and 1,000,000 models (about 20 minutes)
    bench/run --quick         # 10 and 10,000 models, one short round: for development
    bench/run --metrics-cost --sizes 10000   # list20 and retrieve, metrics on against off

Each scenario is loaded with wrk on 127.0.0.1, the server pinned to CPU 1 and wrk to CPU 0,
modeldir and nginx alternating round by round; the table gives medians and each ratio to nginx
in the same run. nginx serves a byte-identical copy of each response as a static file (behind
the same x-api-key and anthropic-version checks, done with nginx maps), so the ratio
is the price of everything modeldir does beyond pushing those bytes. On the smallest catalogue
two scenarios are also run against bench/ceiling.py, a bare ASGI app on the same server, which
splits that price between the Python server and modeldir's own code.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.catalogues import Catalogue, prepare

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
SERVER_CPU, LOAD_CPU = "1", "0"
VERSION = "2023-06-01"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Process:
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    popen: subprocess.Popen[bytes] | None = None

    def start(self, log: Path) -> Process:
        with log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.command,
                env={**os.environ, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()


def wait_ready(url: str, timeout: float) -> float:
    """Seconds until `url` answers 200 (bounded)."""
    return wait_ready_with(url, {}, timeout)


def wait_ready_with(url: str, headers: dict[str, str], timeout: float) -> float:
    """Seconds until `url` answers 200 to a request with these headers (bounded)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if httpx.get(url, headers=headers, timeout=1).status_code == 200:
                return time.monotonic() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} not ready after {timeout} s")


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children, in KiB."""
    total = 0
    for task in [pid, *_children(pid)]:
        for line in Path(f"/proc/{task}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for c in found]


@contextmanager
def modeldir(
    catalogue: Catalogue,
    log: Path,
    database_url: str | None = None,
    settings: dict[str, str] | None = None,
) -> Iterator[tuple[str, Process, float]]:
    """modeldir in its production configuration (with these settings), pinned to the server CPU."""
    port = free_port()
    command = [
        "taskset",
        "-c",
        SERVER_CPU,
        sys.executable,
        "-m",
        "modeldir",
        "serve",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    env = {
        "MODELDIR_DATABASE_URL": database_url or catalogue.database_url,
        "MODELDIR_SEED": "false",
        # Rate limiting stays on (every response counts and carries its headers), with a limit
        # no load test reaches.
        "MODELDIR_KEY_REQUESTS_PER_MINUTE": "1000000000",
        **(settings or {}),
    }
    started = time.monotonic()
    process = Process(command, env).start(log)
    try:
        wait_ready(f"http://127.0.0.1:{port}/readyz", timeout=300)
        yield f"http://127.0.0.1:{port}", process, time.monotonic() - started
    finally:
        process.stop()


NGINX_CONF = """
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {root}/body; proxy_temp_path {root}/proxy; fastcgi_temp_path {root}/fcgi;
    uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
    sendfile on; tcp_nopush on;
    keepalive_requests 1000000; keepalive_timeout 65;
    open_file_cache max=64; server_tokens off;
    map_hash_bucket_size 256;  # API keys are 108 characters
    map $http_x_api_key $key_ok {{ default 0; "{key}" 1; "{tenth}" 1; }}
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        location / {{
            default_type application/json;
            if ($key_ok = 0) {{ return 401; }}
            if ($http_anthropic_version = "") {{ return 400; }}
        }}
    }}
}}
"""


@contextmanager
def nginx(bodies: dict[str, bytes], catalogue: Catalogue) -> Iterator[str]:
    """nginx serving each scenario's body as /<scenario>, pinned to the server CPU."""
    with tempfile.TemporaryDirectory(prefix="modeldir-bench-nginx-") as folder:
        root = Path(folder)
        root.chmod(0o755)  # nginx's workers run as an unprivileged user
        (root / "www").mkdir(mode=0o755)
        for name, body in bodies.items():
            (root / "www" / name).write_bytes(body)
            (root / "www" / name).chmod(0o644)
        port = free_port()
        conf = NGINX_CONF.format(
            root=root, port=port, key=catalogue.key_all, tenth=catalogue.key_tenth
        )
        (root / "nginx.conf").write_text(conf)
        process = Process(
            ["taskset", "-c", SERVER_CPU, "nginx", "-c", str(root / "nginx.conf"), "-p", str(root)]
        )
        process.start(root / "out.log")
        try:
            base = f"http://127.0.0.1:{port}"
            first = next(iter(bodies))
            headers = {"x-api-key": catalogue.key_all, "anthropic-version": VERSION}
            wait_ready_with(base + "/" + first, headers, timeout=10)
            yield base
        finally:
            process.stop()


@contextmanager
def python_ceiling(bodies: dict[str, bytes], catalogue: Catalogue) -> Iterator[str]:
    """bench/ceiling.py serving each body as /<scenario>, pinned like modeldir."""
    with tempfile.TemporaryDirectory(prefix="modeldir-bench-ceiling-") as folder:
        root = Path(folder)
        (root / "www").mkdir()
        for name, body in bodies.items():
            (root / "www" / name).write_bytes(body)
        (root / "keys.txt").write_text(f"{catalogue.key_all}\n{catalogue.key_tenth}\n")
        port = free_port()
        command = ["taskset", "-c", SERVER_CPU, sys.executable, "-m", "bench.ceiling"]
        process = Process([*command, str(port), str(root)], {"PYTHONPATH": str(ROOT)})
        process.start(root / "out.log")
        try:
            base = f"http://127.0.0.1:{port}"
            headers = {"x-api-key": catalogue.key_all, "anthropic-version": VERSION}
            wait_ready_with(base + "/" + next(iter(bodies)), headers, timeout=30)
            yield base
        finally:
            process.stop()


# ---- scenarios ---------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    key: str
    paths: list[str]
    """Request paths; several means each request picks one at random (wrk Lua)."""
    expect: int = 200


def scenarios(catalogue: Catalogue) -> list[Scenario]:
    c = catalogue
    found = [
        Scenario("list20 first page", c.key_all, ["/v1/models?limit=20"]),
        Scenario(
            "list20 deep cursor",
            c.key_all,
            [f"/v1/models?limit=20&after_id={i}" for i in c.deep_ids],
        ),
        Scenario("list1000", c.key_all, ["/v1/models?limit=1000"]),
        Scenario("retrieve by id", c.key_all, [f"/v1/models/{i}" for i in c.sample_ids]),
        Scenario("retrieve by alias", c.key_all, [f"/v1/models/{a}" for a in c.aliases]),
        Scenario("wrong key (401)", "sk-ant-api03-wrong", ["/v1/models?limit=20"], expect=401),
        Scenario(
            "openai: retrieve by id", c.key_all, [f"/openai/v1/models/{i}" for i in c.sample_ids]
        ),
    ]
    if c.size <= 10_000:  # the OpenAI list is one unpaginated answer: kept to modest catalogues
        found.append(Scenario("openai: list", c.key_all, ["/openai/v1/models"]))
    if c.deep_ids_tenth:
        found += [
            Scenario("tenth: list20 first page", c.key_tenth, ["/v1/models?limit=20"]),
            Scenario(
                "tenth: list20 deep cursor",
                c.key_tenth,
                [f"/v1/models?limit=20&after_id={i}" for i in c.deep_ids_tenth],
            ),
            Scenario(
                "tenth: retrieve by id",
                c.key_tenth,
                [f"/v1/models/{i}" for i in c.sample_ids_tenth],
            ),
        ]
    return found


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
math.randomseed(12345)
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
"""


@dataclass
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int


def wrk(
    base: str,
    scenario: Scenario,
    path: str | None,
    duration: int,
    connections: int,
    script_dir: Path,
) -> Run:
    """One pinned wrk run (after a one-second warm-up); `path` overrides the scenario's paths."""
    headers = ["-H", f"x-api-key: {scenario.key}", "-H", f"anthropic-version: {VERSION}"]
    target: list[str]
    if path is None and len(scenario.paths) > 1:
        paths_file = script_dir / f"{slug(scenario.name)}.paths"
        paths_file.write_text("\n".join(scenario.paths) + "\n")
        lua = script_dir / f"{slug(scenario.name)}.lua"
        lua.write_text(LUA % paths_file)
        target = ["-s", str(lua), base + scenario.paths[0]]
    else:
        target = [base + (path or scenario.paths[0])]
    base_command = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}"]
    subprocess.run([*base_command, "-d1s", *headers, *target], capture_output=True, check=True)
    out = subprocess.run(
        [*base_command, f"-d{duration}s", "--latency", *headers, *target],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]

    def latency(percent: str) -> float:
        value, unit = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return Run(rps, latency("50"), latency("99"), int(non_2xx[1]) if non_2xx else 0)


def capture(base: str, scenario: Scenario) -> bytes:
    """modeldir's response body for the scenario's first path: what nginx will serve."""
    response = httpx.get(
        base + scenario.paths[0], headers={"x-api-key": scenario.key, "anthropic-version": VERSION}
    )
    assert response.status_code == scenario.expect, (
        scenario.name,
        response.status_code,
        response.text[:200],
    )
    return response.content


def median_run(runs: list[Run]) -> dict[str, float]:
    return {
        "requests_per_second": statistics.median(r.requests_per_second for r in runs),
        "p50_ms": statistics.median(r.p50_ms for r in runs),
        "p99_ms": statistics.median(r.p99_ms for r in runs),
    }


# Scenarios also measured against bench/ceiling.py, on the smallest catalogue.
CEILING_SCENARIOS = ("list20 first page", "retrieve by id")


def measure_size(
    catalogue: Catalogue, rounds: int, duration: int, work: Path, with_ceiling: bool = False
) -> dict[str, Any]:
    """Every scenario on one catalogue, plus the server's memory and start-up time."""
    result: dict[str, Any] = {"size": catalogue.size, "scenarios": {}}
    with modeldir(catalogue, work / f"modeldir-{catalogue.size}.log") as (base, process, ready):
        result["ready_seconds"] = ready
        result["rss_kib"] = rss_kib(process.pid)
        found = scenarios(catalogue)
        bodies = {slug(s.name): capture(base, s) for s in found}
        with ExitStack() as servers:
            reference = servers.enter_context(nginx(bodies, catalogue))
            ceiling = (
                servers.enter_context(python_ceiling(bodies, catalogue)) if with_ceiling else None
            )
            for scenario in found:
                path = "/" + slug(scenario.name)
                bare_base = ceiling if scenario.name in CEILING_SCENARIOS else None
                ours, theirs, bare = [], [], []
                for _ in range(rounds):
                    theirs.append(wrk(reference, scenario, path, duration, 32, work))
                    if bare_base is not None:
                        bare.append(wrk(bare_base, scenario, path, duration, 32, work))
                    ours.append(wrk(base, scenario, None, duration, 32, work))
                    if scenario.expect == 200:
                        assert ours[-1].non_2xx == 0, (scenario.name, ours[-1])
                mine, reference_run = median_run(ours), median_run(theirs)
                row: dict[str, Any] = {
                    "modeldir": mine,
                    "nginx": reference_run,
                    "ratio": mine["requests_per_second"] / reference_run["requests_per_second"],
                    "body_bytes": len(bodies[slug(scenario.name)]),
                }
                line = (
                    f"  {catalogue.size:>9,}  {scenario.name:28} "
                    f"{mine['requests_per_second']:>9,.0f}/s  "
                    f"nginx {reference_run['requests_per_second']:>9,.0f}/s  "
                    f"ratio {row['ratio']:.2f}  p99 {mine['p99_ms']:.2f} ms"
                )
                if bare:
                    row["python_ceiling"] = median_run(bare)
                    rps = row["python_ceiling"]["requests_per_second"]
                    row["ceiling_ratio"] = rps / reference_run["requests_per_second"]
                    row["share_of_ceiling"] = mine["requests_per_second"] / rps
                    line += (
                        f"  | bare ASGI {rps:,.0f}/s = {row['ceiling_ratio']:.2f} of nginx;"
                        f" modeldir = {row['share_of_ceiling']:.2f} of it"
                    )
                result["scenarios"][scenario.name] = row
                print(line, flush=True)
        result["rss_kib_after_load"] = rss_kib(process.pid)
    return result


# Scenarios run with metrics on and off (`--metrics-cost`): the hot path's two routes.
METRICS_COST_SCENARIOS = ("list20 first page", "retrieve by id")


def metrics_cost(catalogue: Catalogue, rounds: int, duration: int, work: Path) -> dict[str, Any]:
    """The same scenarios against modeldir with metrics on and with them off, round by round in
    the same run: each one's median requests/s and the ratio on/off."""
    result: dict[str, Any] = {"size": catalogue.size, "scenarios": {}}
    with ExitStack() as servers:
        on, off = (
            servers.enter_context(
                modeldir(
                    catalogue, work / f"metrics-{state}.log", settings={"MODELDIR_METRICS": state}
                )
            )[0]
            for state in ("true", "false")
        )
        for scenario in (s for s in scenarios(catalogue) if s.name in METRICS_COST_SCENARIOS):
            with_metrics, without = [], []
            for _ in range(rounds):
                without.append(wrk(off, scenario, None, duration, 32, work))
                with_metrics.append(wrk(on, scenario, None, duration, 32, work))
            row: dict[str, Any] = {
                "metrics_on": median_run(with_metrics),
                "metrics_off": median_run(without),
            }
            row["ratio"] = (
                row["metrics_on"]["requests_per_second"] / row["metrics_off"]["requests_per_second"]
            )
            result["scenarios"][scenario.name] = row
            print(
                f"  {catalogue.size:>9,}  {scenario.name:20} metrics on "
                f"{row['metrics_on']['requests_per_second']:>9,.0f}/s  off "
                f"{row['metrics_off']['requests_per_second']:>9,.0f}/s  ratio {row['ratio']:.3f}",
                flush=True,
            )
    return result


def change_propagation(catalogue: Catalogue, work: Path) -> dict[str, float]:
    """Seconds from an admin change to the Models API showing it, with this catalogue loaded."""
    with modeldir(catalogue, work / "change.log") as (base, _process, _ready):
        admin = {"x-api-key": catalogue.admin_key, "anthropic-version": VERSION}
        models = {"x-api-key": catalogue.key_all, "anthropic-version": VERSION}
        target = catalogue.sample_ids[0]
        timings = []
        for n in range(5):
            start = time.perf_counter()
            response = httpx.post(
                f"{base}/v1/organizations/models/{target}",
                json={"display_name": f"Changed {n}"},
                headers=admin,
                timeout=60,
            )
            assert response.status_code == 200, response.text
            seen = httpx.get(f"{base}/v1/models/{target}", headers=models).json()["display_name"]
            assert seen == f"Changed {n}"
            timings.append(time.perf_counter() - start)
        return {"median_seconds": statistics.median(timings), "worst_seconds": max(timings)}


def startup_postgres(size: int, work: Path) -> float | None:
    """Seconds from start to ready with the catalogue in PostgreSQL (its database made once)."""
    import psycopg
    from psycopg import sql

    admin_url = os.environ.get(
        "MODELDIR_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    name = f"modeldir_bench_{size}"
    try:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        print(f"  PostgreSQL unavailable, start-up not measured: {error}", file=sys.stderr)
        return None
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    catalogue = prepare(size, url, label="postgres")
    with modeldir(catalogue, work / "postgres.log", database_url=url) as (_base, _process, ready):
        return ready


def rps(size_result: dict[str, Any], scenario: str) -> float:
    """modeldir's median requests/s for one scenario on one catalogue."""
    return float(size_result["scenarios"][scenario]["modeldir"]["requests_per_second"])


def same_page(sizes: list[dict[str, Any]], big: dict[str, Any], scenario: str) -> dict[str, Any]:
    """The smallest catalogue whose response to `scenario` is within 5 % of `big`'s in size."""
    wanted = big["scenarios"][scenario]["body_bytes"] * 0.95
    return min(
        (r for r in sizes if r["scenarios"][scenario]["body_bytes"] >= wanted),
        key=lambda r: int(r["size"]),
    )


def table(results: dict[str, Any]) -> str:
    lines = [
        "| models | scenario | req/s | p50 ms | p99 ms | nginx req/s | ratio |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size_result in results["sizes"]:
        for name, row in size_result["scenarios"].items():
            ours, theirs = row["modeldir"], row["nginx"]
            lines.append(
                f"| {size_result['size']:,} | {name} | {ours['requests_per_second']:,.0f} "
                f"| {ours['p50_ms']:.2f} | {ours['p99_ms']:.2f} "
                f"| {theirs['requests_per_second']:,.0f} | {row['ratio']:.2f} |"
            )
    ceilings = [
        (size_result["size"], name, row)
        for size_result in results["sizes"]
        for name, row in size_result["scenarios"].items()
        if "python_ceiling" in row
    ]
    if ceilings:
        lines += [
            "",
            "| models | scenario | bare ASGI req/s | bare ASGI / nginx | modeldir / bare ASGI |",
            "|---:|---|---:|---:|---:|",
        ]
        for size, name, row in ceilings:
            lines.append(
                f"| {size:,} | {name} | {row['python_ceiling']['requests_per_second']:,.0f} "
                f"| {row['ceiling_ratio']:.2f} | {row['share_of_ceiling']:.2f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="10,10000,1000000", help="catalogue sizes, comma-separated"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk run")
    parser.add_argument("--quick", action="store_true", help="10 and 10,000 models, 1 round of 2 s")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--metrics-cost",
        action="store_true",
        help="only list20 and retrieve, with metrics on and off, on the first size",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.quick:
        sizes, args.rounds, args.duration = [10, 10_000], 1, 2
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.metrics_cost:
        with tempfile.TemporaryDirectory(prefix="modeldir-bench-") as folder:
            cost = metrics_cost(prepare(sizes[0]), args.rounds, args.duration, Path(folder))
        print(f"metrics_cost: {json.dumps(cost)}")
        return
    results: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sizes": [],
    }
    with tempfile.TemporaryDirectory(prefix="modeldir-bench-") as folder:
        work = Path(folder)
        for size in sizes:
            print(f"preparing {size:,} models", flush=True)
            catalogue = prepare(size)
            results["sizes"].append(
                measure_size(
                    catalogue, args.rounds, args.duration, work, with_ceiling=size == min(sizes)
                )
            )
        largest = prepare(max(sizes))
        results["change_propagation"] = change_propagation(largest, work)
        by_size = {r["size"]: r for r in results["sizes"]}
        if min(sizes) in by_size and max(sizes) in by_size and min(sizes) != max(sizes):
            small, big = by_size[min(sizes)], by_size[max(sizes)]
            results["memory_per_model_bytes"] = (
                (big["rss_kib"] - small["rss_kib"]) * 1024 / (max(sizes) - min(sizes))
            )
            flat = ("list20 first page", "list20 deep cursor", "retrieve by id")
            results["flat_cost"] = {name: rps(big, name) / rps(small, name) for name in flat}
            # With 10 models a page holds fewer than 20 of them (a deep one only a few): a
            # smaller response. This compares with the smallest catalogue whose page is as big.
            results["flat_cost_same_page"] = {}
            for name in flat:
                same = same_page(results["sizes"], big, name)
                ratio = rps(big, name) / rps(same, name)
                results["flat_cost_same_page"][name] = {
                    "against_size": same["size"],
                    "ratio": ratio,
                }
        results["startup_seconds"] = {"sqlite": by_size[max(sizes)]["ready_seconds"]}
        if not args.skip_postgres:
            results["startup_seconds"]["postgresql"] = startup_postgres(max(sizes), work)
    out = RESULTS / f"bench-{results['started'].replace(':', '')}.json"
    out.write_text(json.dumps(results, indent=2))
    print()
    print(table(results))
    summaries = (
        "flat_cost",
        "flat_cost_same_page",
        "memory_per_model_bytes",
        "startup_seconds",
        "change_propagation",
    )
    for key in summaries:
        if key in results:
            print(f"{key}: {json.dumps(results[key])}")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
