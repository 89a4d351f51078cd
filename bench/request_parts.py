"""What each part of modeldir's request path costs, in process (no socket, no server).

    PYTHONPATH=. .venv/bin/python -m bench.request_parts

Times `ModelsApi.respond`, the whole ASGI call through `RequestContext` with a send that does
nothing (without and with the metrics' counting, wire/request_counts.py), and each step of
`ModelsApi.respond` on its own, as the best of a few repeats: CPU time
of our code alone, to set beside bench/profile.py's split of a served request.
"""

from __future__ import annotations

import time
import timeit
from collections.abc import Callable, MutableMapping
from typing import Any

from modeldir.ids import new_request_id_bytes
from modeldir.wire import admission, inbound, models_api
from modeldir.wire.admission import WirePolicy
from modeldir.wire.betas import KNOWN_BETAS
from modeldir.wire.context import RequestContext
from modeldir.wire.models_api import ModelsApi
from modeldir.wire.rate_limits import Limits, LocalRateLimiter
from modeldir.wire.request_counts import RequestCounts
from tests import factories
from tests.wire.inprocess import VERSIONS, Holder, finish


def scope(path: str, query: bytes = b"") -> dict[str, Any]:
    """An HTTP scope as granian makes it, with the headers the SDK sends."""
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": [
            (b"host", b"127.0.0.1:8080"),
            (b"x-api-key", b"sk-all"),
            (b"anthropic-version", b"2023-06-01"),
        ],
    }


def nanoseconds(step: Callable[[], object], number: int = 200_000) -> float:
    """Best of three: the cost of one call."""
    return min(timeit.repeat(step, number=number, repeat=3)) / number * 1e9


def main() -> None:
    models = [factories.model(f"m-{i:04d}", created_at=1_700_000_000 + i) for i in range(200)]
    snapshot = factories.snapshot(models)
    limiter = LocalRateLimiter(Limits(1_000_000_000, 0))
    api = ModelsApi(Holder(snapshot), WirePolicy(VERSIONS, KNOWN_BETAS), limiter=limiter)
    entry_point = RequestContext(api.respond, api.respond, Holder(snapshot))  # type: ignore[arg-type]
    counted = RequestContext(api.respond, api.respond, Holder(snapshot), counts=RequestCounts())  # type: ignore[arg-type]
    listing, retrieve = scope("/v1/models", b"limit=20"), scope("/v1/models/m-0100")
    request_id = new_request_id_bytes()

    async def discard(message: MutableMapping[str, Any]) -> None:
        return None

    def whole(target: dict[str, Any], context: RequestContext = entry_point) -> None:
        finish(context(target, None, discard))  # type: ignore[arg-type]

    for name, target in (("list20", listing), ("retrieve", retrieve)):
        respond = nanoseconds(lambda t=target: finish(api.respond(t, request_id)))  # type: ignore[misc]
        call = nanoseconds(lambda t=target: whole(t))  # type: ignore[misc]
        with_metrics = nanoseconds(lambda t=target: whole(t, counted))  # type: ignore[misc]
        print(
            f"{name:8}  respond {respond / 1000:.2f} µs   whole ASGI call {call / 1000:.2f} µs"
            f"   with metrics counting {with_metrics / 1000:.2f} µs"
            f" (+{(with_metrics - call) / 1000:.2f} µs)"
        )

    served = api._current()
    request = inbound.RequestHeaders.read(listing["headers"])
    grant = admission.authenticate(request, snapshot, 0.0)
    quota = limiter.check(grant, time.time())
    assert quota is not None
    entry = snapshot.find("m-0100", grant.rule)
    assert entry is not None
    steps: dict[str, Callable[[], object]] = {
        "request id": new_request_id_bytes,
        "read the headers": lambda: inbound.RequestHeaders.read(listing["headers"]),
        "route, list": lambda: models_api._route(listing),
        "route, model id": lambda: models_api._route(retrieve),
        "key: hash, look up, compare": lambda: admission.authenticate(request, snapshot, 0.0),
        "anthropic-version": lambda: admission.check_api_version(request, VERSIONS),
        "anthropic-beta": lambda: admission.check_betas(request, KNOWN_BETAS),
        "anthropic-workspace-id": lambda: admission.check_workspace(request, grant),
        "CORS": lambda: admission.check_cors(request),
        "rate limit: count": lambda: limiter.check(grant, time.time()),
        "rate limit: headers": quota.headers,
        "page (cached)": lambda: served.page(grant.rule, b"limit=20"),
        "model by id": lambda: snapshot.find("m-0100", grant.rule),
        "model body": entry.body,
    }
    for name, step in steps.items():
        print(f"  {nanoseconds(step):6.0f} ns  {name}")


if __name__ == "__main__":
    main()
