"""Schemathesis against the OpenAPI document the server itself serves, every path of it.

Generated requests, valid and invalid, must never get a 5xx, and every response must match the
document: status code, content type, headers and body schema (closed, so an extra or missing
field fails). The Models API, the OpenAI view, health and the document itself are called with an
API key on the suite's shared server; the admin API with an admin key on a server of its own,
because fuzzing it changes (and may empty) the catalogue. Driven through schemathesis' Python
API with hypothesis, because its pytest plugin does not run under pytest 9.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from modeldir.admin import inputs
from modeldir.admin.bootstrap import initialize
from modeldir.store import Store
from tests.conftest import BACKENDS, EXTRA_MODELS, Live, seeded_server
from tests.support.admin import admin_for, new_admin_key

# Invalid input is generated too (NEGATIVE mode) and must get neither a 5xx nor a response that
# breaks the document. Two of schemathesis' checks are left out, because the server is right to
# differ from them, and tests/wire/test_http.py and tests/admin pin the exact behaviour instead:
# - positive_data_acceptance: a schema-valid request can get a 400 or a 409, because a cursor
#   must name an object, a workspace name must be free, an alias must name a model, which no
#   schema expresses;
# - negative_data_rejection: some invalid input is ignored by design: a malformed Authorization
#   header when x-api-key is present (D2), header whitespace that HTTP itself trims, unknown
#   query parameters of a list.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ADMIN = "/v1/organizations/"
EXAMPLES = 25


def operations(base_url: str, wanted: Callable[[str], bool]) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if wanted(op.path)]


def fuzz(
    operation: Any,
    mode: GenerationMode,
    headers: dict[str, str],
    known: dict[str, list[str]] | None = None,
) -> Counter[int]:
    """Run one operation's generated cases and check every response against the document;
    how many of each status it got.

    With `known`, path parameters are also drawn from these real ids, so that changes reach
    existing objects rather than only their 404s.
    """
    statuses: Counter[int] = Counter()
    cases = operation.as_strategy(generation_mode=mode).map(without_framing)
    if known:
        cases = st.one_of(cases, cases.flatmap(lambda case: with_known_ids(case, known)))

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case: schemathesis.Case) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses[response.status_code] += 1

    check()
    return statuses


# Headers that frame the message: the HTTP server (granian) answers a malformed one itself, with a
# bare 400, before modeldir runs; those rejections are not the application's to describe.
FRAMING = {"content-length", "transfer-encoding", "host", "connection", "expect", "te", "upgrade"}


def without_framing(case: Any) -> Any:
    """The case without the framing headers negative generation may add."""
    for name in [name for name in case.headers or {} if name.lower() in FRAMING]:
        del case.headers[name]
    return case


def with_known_ids(case: Any, known: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    names = [name for name in case.path_parameters or {} if name in known]

    def fill(values: tuple[str, ...]) -> Any:
        for name, value in zip(names, values, strict=True):
            case.path_parameters[name] = value
        return case

    return st.tuples(*(st.sampled_from(known[name]) for name in names)).map(fill)


# ---- the Models API, the OpenAI view, health and the document: an API key ---------------------


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_read_side_conforms_to_the_served_document(live: Live, mode: GenerationMode) -> None:
    found = operations(live.base_url, lambda path: not path.startswith(ADMIN))
    paths = {op.path for op in found}
    assert {"/v1/models", "/v1/models/{model_id}", "/openai/v1/models", "/healthz"} <= paths
    if mode is GenerationMode.NEGATIVE:  # the rest take no input to get wrong
        found = [op for op in found if op.path.startswith(("/v1/", "/openai/"))]
    succeeded = set()
    for operation in found:
        if fuzz(operation, mode, {"x-api-key": live.key})[200]:
            succeeded.add(operation.path)
    # The key works (the OpenAI list takes no input, so it always answers; the Models API's
    # calls draw random cursors and workspace headers, which are mostly refused).
    assert "/openai/v1/models" in succeeded


def test_the_document_is_served_as_json(live: Live) -> None:
    response = httpx.get(f"{live.base_url}/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert {"/v1/models", "/v1/organizations/workspaces"} <= set(document["paths"])


# ---- the admin API: an admin key, on a server of its own ---------------------------------------


@dataclass(frozen=True)
class AdminSite:
    base_url: str
    admin_key: str
    known: dict[str, list[str]]
    """Real ids for each path parameter."""


def _known_objects(store: Store) -> tuple[str, dict[str, list[str]]]:
    """An admin key, and an object of each kind the admin paths name."""
    init = initialize(store)
    admin = admin_for(store)
    admin.import_catalogue({"models": EXTRA_MODELS})
    admin.create_alias(inputs.AliasCreate(alias="latest", model="tie-a"))
    workspace = admin.create_workspace(inputs.WorkspaceCreate(name="fuzzed")).object
    key = admin.create_api_key(inputs.ApiKeyCreate(workspace_id=workspace["id"])).object
    known = {
        "workspace_id": [init.default_workspace.id, workspace["id"]],
        "api_key_id": [key["id"]],
        "model_id": ["tie-a", "a/b", "modèle-ü", "claude-opus-4-1-20250805"],
        "alias": ["latest"],
    }
    return new_admin_key(store), known


@pytest.fixture(scope="module", params=BACKENDS)
def admin_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AdminSite]:
    folder = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    with seeded_server(request.param, folder, _known_objects) as (server, _, seeded):
        yield AdminSite(server.base_url, *seeded)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_admin_api_conforms_to_the_served_document(
    admin_site: AdminSite, mode: GenerationMode
) -> None:
    found = operations(admin_site.base_url, lambda path: path.startswith(ADMIN))
    assert len(found) >= 25
    headers = {"x-api-key": admin_site.admin_key}
    succeeded = 0
    for operation in found:
        succeeded += bool(fuzz(operation, mode, headers, admin_site.known)[200])
    # The fuzzing reaches the work itself, not only the refusals (every 4xx is documented, so a
    # key that no longer worked would otherwise pass).
    assert succeeded >= (len(found) // 2 if mode is GenerationMode.POSITIVE else 3)
