"""Raw HTTP against a live server: every header rule, every error of WIRE §10.3 and §19.

Each test runs once per backend (the `live` fixture). Requests are built by hand with httpx so
that exactly what is on the wire is under test.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import Live
from tests.support.wire_shapes import MODEL_FIELDS

REQUEST_ID = re.compile(r"^req_01[1-9A-HJ-NP-Za-km-z]{22}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture
def http(live: Live) -> Any:
    with httpx.Client(base_url=live.base_url, follow_redirects=False) as client:
        yield client


def good(live: Live, **extra: str) -> dict[str, str]:
    return {"x-api-key": live.key, "anthropic-version": "2023-06-01", **extra}


def assert_error(response: httpx.Response, status: int, error_type: str, message: str) -> None:
    """The envelope, its headers, and the exact message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["type", "error", "request_id"]
    assert body["type"] == "error"
    assert body["error"] == {"type": error_type, "message": message}
    assert REQUEST_ID.match(body["request_id"])
    assert response.headers["request-id"] == body["request_id"]
    assert response.headers["x-should-retry"] == ("true" if status >= 500 else "false")
    uuid.UUID(response.headers["anthropic-organization-id"])


# ---- authentication (D2) -----------------------------------------------------------------------


def test_no_credentials(http: httpx.Client) -> None:
    response = http.get("/v1/models", headers={"anthropic-version": "2023-06-01"})
    assert_error(response, 401, "authentication_error", "x-api-key header is required")
    assert "anthropic-workspace-id" not in response.headers


def test_unknown_x_api_key(http: httpx.Client) -> None:
    response = http.get(
        "/v1/models", headers={"x-api-key": "sk-nope", "anthropic-version": "2023-06-01"}
    )
    assert_error(response, 401, "authentication_error", "invalid x-api-key")


def test_unknown_bearer_token(http: httpx.Client) -> None:
    headers = {"authorization": "Bearer sk-nope", "anthropic-version": "2026-10-21"}
    assert_error(
        http.get("/v1/models", headers=headers), 401, "authentication_error", "Invalid bearer token"
    )


@pytest.mark.parametrize("version", ["2023-01-01", "2023-06-01", "2026-10-21"])
def test_api_key_works_as_x_api_key_and_as_bearer_under_every_version(
    http: httpx.Client, live: Live, version: str
) -> None:
    for auth in ({"x-api-key": live.key}, {"Authorization": f"Bearer {live.key}"}):
        response = http.get("/v1/models", headers={**auth, "anthropic-version": version})
        assert response.status_code == 200, response.text
        assert response.headers["anthropic-workspace-id"] == live.workspace_id


def test_x_api_key_wins_over_authorization(http: httpx.Client, live: Live) -> None:
    both = {
        "anthropic-version": "2023-06-01",
        "authorization": "Bearer sk-nope",
        "x-api-key": live.key,
    }
    assert http.get("/v1/models", headers=both).status_code == 200
    both = {
        "anthropic-version": "2023-06-01",
        "authorization": f"Bearer {live.key}",
        "x-api-key": "bad",
    }
    assert_error(
        http.get("/v1/models", headers=both), 401, "authentication_error", "invalid x-api-key"
    )


def test_header_names_are_case_insensitive(http: httpx.Client, live: Live) -> None:
    headers = {"X-API-KEY": live.key, "Anthropic-Version": "2023-06-01"}
    assert http.get("/v1/models", headers=headers).status_code == 200


def test_bearer_scheme_is_case_insensitive(http: httpx.Client, live: Live) -> None:
    headers = {"authorization": f"bearer {live.key}", "anthropic-version": "2026-10-21"}
    assert http.get("/v1/models", headers=headers).status_code == 200


def test_other_authorization_schemes_carry_no_key(http: httpx.Client) -> None:
    headers = {"authorization": "Basic dXNlcjpwYXNz", "anthropic-version": "2023-06-01"}
    assert_error(
        http.get("/v1/models", headers=headers),
        401,
        "authentication_error",
        "x-api-key header is required",
    )


# ---- anthropic-version (D1) --------------------------------------------------------------------


def test_missing_version(http: httpx.Client, live: Live) -> None:
    response = http.get("/v1/models", headers={"x-api-key": live.key})
    assert_error(response, 400, "invalid_request_error", "anthropic-version: header is required")


def test_unknown_version(http: httpx.Client, live: Live) -> None:
    response = http.get(
        "/v1/models", headers={"x-api-key": live.key, "anthropic-version": "2024-10-22"}
    )
    assert_error(
        response,
        400,
        "invalid_request_error",
        'anthropic-version: "2024-10-22" is not a valid version',
    )


def test_repeated_version_headers_are_joined(http: httpx.Client, live: Live) -> None:
    headers = [
        ("x-api-key", live.key),
        ("anthropic-version", "2023-06-01"),
        ("anthropic-version", "2023-06-01"),
    ]
    response = http.get("/v1/models", headers=headers)
    message = 'anthropic-version: "2023-06-01, 2023-06-01" is not a valid version'
    assert_error(response, 400, "invalid_request_error", message)


# ---- anthropic-beta (D7) -----------------------------------------------------------------------

BETA_ERROR = (
    "Unexpected value(s) {} for the `anthropic-beta` header. Please consult our documentation at "
    "docs.anthropic.com or try again without the header."
)


@pytest.mark.parametrize(
    "values",
    [
        ["files-api-2025-04-14"],
        ["files-api-2025-04-14,context-1m-2025-08-07"],
        ["files-api-2025-04-14 ,  context-1m-2025-08-07"],
        ["files-api-2025-04-14", "context-1m-2025-08-07"],
    ],
    ids=["one", "comma-list", "spaces", "repeated-headers"],
)
def test_known_betas_in_every_form(http: httpx.Client, live: Live, values: list[str]) -> None:
    headers = [*good(live).items(), *(("anthropic-beta", v) for v in values)]
    assert http.get("/v1/models", headers=headers).status_code == 200


def test_unknown_beta(http: httpx.Client, live: Live) -> None:
    response = http.get("/v1/models", headers=good(live, **{"anthropic-beta": "nope-2020-01-01"}))
    assert_error(response, 400, "invalid_request_error", BETA_ERROR.format("`nope-2020-01-01`"))


def test_unknown_betas_across_repeated_headers_are_all_named(
    http: httpx.Client, live: Live
) -> None:
    headers = [
        *good(live).items(),
        ("anthropic-beta", "a-1, files-api-2025-04-14"),
        ("anthropic-beta", "b-2"),
    ]
    response = http.get("/v1/models", headers=headers)
    assert_error(response, 400, "invalid_request_error", BETA_ERROR.format("`a-1`, `b-2`"))


# ---- anthropic-workspace-id (D12) --------------------------------------------------------------


def test_workspace_header_matching_the_key(http: httpx.Client, live: Live) -> None:
    response = http.get(
        "/v1/models", headers=good(live, **{"anthropic-workspace-id": live.workspace_id})
    )
    assert response.status_code == 200


def test_workspace_header_of_another_workspace(http: httpx.Client, live: Live) -> None:
    other = live.opus_workspace_id
    response = http.get("/v1/models", headers=good(live, **{"anthropic-workspace-id": other}))
    message = f"anthropic-workspace-id: this API key does not belong to workspace `{other}`"
    assert_error(response, 403, "permission_error", message)
    assert response.headers["anthropic-workspace-id"] == live.workspace_id


# ---- browsers (WIRE §3.6, D13) -----------------------------------------------------------------

CORS_ERROR = "CORS requests must set 'anthropic-dangerous-direct-browser-access' header"


def test_browser_request_without_opt_in(http: httpx.Client, live: Live) -> None:
    response = http.get("/v1/models", headers=good(live, origin="https://app.example"))
    assert_error(response, 401, "authentication_error", CORS_ERROR)
    assert "access-control-allow-origin" not in response.headers


def test_browser_request_with_opt_in(http: httpx.Client, live: Live) -> None:
    headers = good(
        live, origin="https://app.example", **{"anthropic-dangerous-direct-browser-access": "true"}
    )
    response = http.get("/v1/models", headers=headers)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-expose-headers"] == "*"


def test_opted_in_errors_carry_cors_headers_too(http: httpx.Client) -> None:
    headers = {"origin": "https://app.example", "anthropic-dangerous-direct-browser-access": "true"}
    response = http.get("/v1/models", headers=headers)
    assert_error(response, 401, "authentication_error", "x-api-key header is required")
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("path", ["/v1/models", "/v1/models/claude-opus-4-7"])
def test_preflight(http: httpx.Client, path: str) -> None:
    asked = "x-api-key,anthropic-version,anthropic-dangerous-direct-browser-access"
    response = http.options(
        path,
        headers={
            "origin": "https://app.example",
            "access-control-request-method": "GET",
            "access-control-request-headers": asked,
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-headers"] == asked
    assert "GET" in response.headers["access-control-allow-methods"]
    assert REQUEST_ID.match(response.headers["request-id"])
    uuid.UUID(response.headers["anthropic-organization-id"])


# ---- routes and methods (D16, D19, D21) --------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("path", ["/v1/models", "/v1/models/claude-opus-4-7"])
def test_other_methods_get_405(http: httpx.Client, live: Live, method: str, path: str) -> None:
    response = http.request(method, path, headers=good(live))
    assert_error(response, 405, "invalid_request_error", "Method Not Allowed")
    assert response.headers["allow"] == "GET, OPTIONS"


def test_head_gets_405(http: httpx.Client, live: Live) -> None:
    response = http.head("/v1/models", headers=good(live))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, OPTIONS"
    assert REQUEST_ID.match(response.headers["request-id"])


@pytest.mark.parametrize(
    "path", ["/v1/model", "/v1/modelsx", "/v1/models/", "/v1/models/a/b", "/v2/models", "/v1"]
)
def test_unknown_paths_get_404_in_the_envelope(http: httpx.Client, live: Live, path: str) -> None:
    assert_error(http.get(path, headers=good(live)), 404, "not_found_error", "Not Found")


def test_route_comes_before_authentication(http: httpx.Client) -> None:
    assert_error(http.post("/v1/models"), 405, "invalid_request_error", "Method Not Allowed")
    assert_error(http.get("/v1/nothing"), 404, "not_found_error", "Not Found")


def test_check_order_cors_auth_version_beta_workspace_query(http: httpx.Client, live: Live) -> None:
    """D10: each request below breaks two rules; the earlier rule answers."""
    everything_wrong = {
        "origin": "https://app.example",
        "x-api-key": "bad",
        "anthropic-version": "1999-01-01",
        "anthropic-beta": "nope",
        "anthropic-workspace-id": "wrkspc_other",
    }
    steps = [
        ("origin", 401, CORS_ERROR),
        ("x-api-key", 401, "invalid x-api-key"),
        ("anthropic-version", 400, 'anthropic-version: "1999-01-01" is not a valid version'),
        ("anthropic-beta", 400, BETA_ERROR.format("`nope`")),
        (
            "anthropic-workspace-id",
            403,
            "anthropic-workspace-id: this API key does not belong to workspace `wrkspc_other`",
        ),
    ]
    headers = dict(everything_wrong)
    for name, status, message in steps:
        response = http.get("/v1/models?limit=0", headers=headers)
        assert response.status_code == status, name
        assert response.json()["error"]["message"] == message
        headers.pop(name)
        if name == "x-api-key":
            headers["x-api-key"] = live.key
        if name == "anthropic-version":
            headers["anthropic-version"] = "2023-06-01"
    response = http.get("/v1/models?limit=0", headers=headers)
    assert_error(
        response, 400, "invalid_request_error", "limit: Input should be greater than or equal to 1"
    )


def test_no_response_is_a_redirect(http: httpx.Client, live: Live) -> None:
    for path in ["/v1/models/", "/v1/models//", "/v1//models", "/V1/models"]:
        assert http.get(path, headers=good(live)).status_code == 404


# ---- query parameters (D3, D4, D5, D20) --------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "limit: Input should be greater than or equal to 1"),
        ("limit=1001", "limit: Input should be less than or equal to 1000"),
        (
            "limit=abc",
            "limit: Input should be a valid integer, unable to parse string as an integer",
        ),
        ("limit=", "limit: Input should be a valid integer, unable to parse string as an integer"),
        (
            "limit=2.5",
            "limit: Input should be a valid integer, unable to parse string as an integer",
        ),
        ("lifecycle[]=gone", "lifecycle.0: Input should be 'active', 'deprecated' or 'retired'"),
        ("lifecycle[]=", "lifecycle.0: Input should be 'active', 'deprecated' or 'retired'"),
        (
            "lifecycle[]=active&lifecycle[]=Retired",
            "lifecycle.1: Input should be 'active', 'deprecated' or 'retired'",
        ),
        (
            "lifecycle[]=active&lifecycle[]=retired&lifecycle[]=deprecated&lifecycle[]=active",
            "lifecycle: List should have at most 3 items after validation, not 4",
        ),
        (
            "after_id=a&before_id=b",
            "Only one of `before_id` and `after_id` may be given, not both.",
        ),
        ("limit=2&limit=3", "limit: Input should be a single value, but the query gives several"),
        ("after_id=nope", "after_id: no model with id `nope`"),
        ("before_id=nope", "before_id: no model with id `nope`"),
        ("after_id=claude-opus-4-0", "after_id: no model with id `claude-opus-4-0`"),
    ],
)
def test_query_errors(http: httpx.Client, live: Live, query: str, message: str) -> None:
    assert_error(
        http.get(f"/v1/models?{query}", headers=good(live)), 400, "invalid_request_error", message
    )


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [m["id"] for m in response.json()["data"]]


def test_limit_bounds_and_default(http: httpx.Client, live: Live) -> None:
    everything = ids(http.get("/v1/models?limit=1000", headers=good(live)))
    assert len(everything) > 20
    assert ids(http.get("/v1/models", headers=good(live))) == everything[:20]
    assert ids(http.get("/v1/models?limit=1", headers=good(live))) == everything[:1]
    assert ids(http.get("/v1/models?limit=+3", headers=good(live))) == everything[:3]


def test_parameter_order_and_identical_repeats_do_not_matter(
    http: httpx.Client, live: Live
) -> None:
    first = ids(http.get("/v1/models?limit=3", headers=good(live)))
    cursor = first[0]
    expected = ids(http.get(f"/v1/models?after_id={cursor}&limit=2", headers=good(live)))
    for query in [
        f"limit=2&after_id={cursor}",
        f"beta=true&after_id={cursor}&limit=2",
        f"after_id={cursor}&limit=2&limit=2&after_id={cursor}",
        f"unknown=1&after_id={cursor}&limit=2",
    ]:
        assert ids(http.get(f"/v1/models?{query}", headers=good(live))) == expected == first[1:3]


def test_lifecycle_filters(http: httpx.Client, live: Live) -> None:
    def lifecycles(query: str) -> set[str]:
        response = http.get(f"/v1/models?limit=1000&{query}", headers=good(live))
        assert response.status_code == 200
        return {m["lifecycle"] for m in response.json()["data"]}

    assert lifecycles("") == {"active", "deprecated"}
    assert lifecycles("lifecycle[]=retired") == {"retired"}
    assert lifecycles("lifecycle%5B%5D=active&lifecycle%5B%5D=retired") == {"active", "retired"}
    assert lifecycles("lifecycle=deprecated") == {"deprecated"}
    assert lifecycles("lifecycle[]=active&lifecycle=retired&lifecycle[]=deprecated") == {
        "active",
        "deprecated",
        "retired",
    }


def test_cursor_on_a_model_outside_the_lifecycle_filter_keeps_its_place(
    http: httpx.Client, live: Live
) -> None:
    all_ids = ids(
        http.get(
            "/v1/models?limit=1000&lifecycle[]=active&lifecycle[]=retired&lifecycle[]=deprecated",
            headers=good(live),
        )
    )
    active = ids(http.get("/v1/models?limit=1000&lifecycle[]=active", headers=good(live)))
    deprecated = "claude-sonnet-4-5-20250929"
    after = ids(
        http.get(
            f"/v1/models?limit=1000&lifecycle[]=active&after_id={deprecated}", headers=good(live)
        )
    )
    position = all_ids.index(deprecated)
    assert after == [i for i in active if all_ids.index(i) > position]


def test_percent_and_plus_both_decode_in_queries(http: httpx.Client, live: Live) -> None:
    slash = ids(http.get("/v1/models?limit=1&after_id=a%2Fb", headers=good(live)))
    assert slash == ids(http.get("/v1/models?limit=1&after_id=a/b", headers=good(live)))
    assert_error(
        http.get("/v1/models?after_id=x+y%20z", headers=good(live)),
        400,
        "invalid_request_error",
        "after_id: no model with id `x y z`",
    )


def test_empty_cursor_reads_as_no_cursor(http: httpx.Client, live: Live) -> None:
    assert ids(http.get("/v1/models?after_id=", headers=good(live))) == ids(
        http.get("/v1/models", headers=good(live))
    )


# ---- retrieve (WIRE §2.2, D6, D11, D19) --------------------------------------------------------


def test_retrieve_by_id(http: httpx.Client, live: Live) -> None:
    response = http.get("/v1/models/claude-opus-4-7", headers=good(live))
    assert response.status_code == 200
    assert response.json()["id"] == "claude-opus-4-7"
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),
        ("claude-opus-4-0", "claude-opus-4-20250514"),
        ("claude-3-7-sonnet-latest", "claude-3-7-sonnet-20250219"),
        ("claude-4-opus-20250514", "claude-opus-4-20250514"),
    ],
)
def test_retrieve_by_alias_returns_the_canonical_id(
    http: httpx.Client, live: Live, alias: str, canonical: str
) -> None:
    body = http.get(f"/v1/models/{alias}", headers=good(live)).json()
    assert body["id"] == canonical


def test_retired_model_is_retrievable(http: httpx.Client, live: Live) -> None:
    body = http.get("/v1/models/claude-3-opus-20240229", headers=good(live)).json()
    assert body["lifecycle"] == "retired"
    assert TIMESTAMP.match(body["deprecated_at"])


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("nope", "nope"),
        ("Claude-Opus-4-7", "Claude-Opus-4-7"),
        ("a%2Fb%20c%3Fd", "a/b c?d"),
        ("%E2%9C%93", "\u2713"),
    ],
)
def test_unknown_model(http: httpx.Client, live: Live, path: str, shown: str) -> None:
    response = http.get(f"/v1/models/{path}", headers=good(live))
    assert_error(response, 404, "not_found_error", f"model: {shown}")


def test_percent_encoded_slash_is_one_segment(http: httpx.Client, live: Live) -> None:
    response = http.get("/v1/models/a%2Fb", headers=good(live))
    assert response.status_code == 200
    assert response.json()["id"] == "a/b"


def test_percent_encoded_unicode_id(http: httpx.Client, live: Live) -> None:
    response = http.get("/v1/models/mod%C3%A8le-%C3%BC", headers=good(live))
    assert response.json()["id"] == "modèle-ü"


def test_beta_marker_is_accepted_on_both_paths(http: httpx.Client, live: Live) -> None:
    assert http.get("/v1/models?beta=true", headers=good(live)).status_code == 200
    assert (
        http.get("/v1/models/claude-opus-4-7?beta=true", headers=good(live)).json()["id"]
        == "claude-opus-4-7"
    )


# ---- visibility (issue: a hidden model is indistinguishable from a missing one) ----------------


def test_restricted_workspace_lists_only_its_models(http: httpx.Client, live: Live) -> None:
    headers = {"x-api-key": live.opus_key, "anthropic-version": "2023-06-01"}
    listed = ids(
        http.get(
            "/v1/models?limit=1000&lifecycle[]=active&lifecycle[]=deprecated&lifecycle[]=retired",
            headers=headers,
        )
    )
    assert listed and all(i.startswith("claude-opus-") for i in listed)


def test_hidden_model_answers_exactly_like_a_missing_one(http: httpx.Client, live: Live) -> None:
    headers = {"x-api-key": live.opus_key, "anthropic-version": "2023-06-01"}
    for hidden, missing in [
        ("claude-sonnet-4-6", "claude-sonnet-9-9"),
        ("claude-sonnet-4-5", "claude-sonnet-9"),
    ]:
        a = http.get(f"/v1/models/{hidden}", headers=headers)
        b = http.get(f"/v1/models/{missing}", headers=headers)
        assert (
            (a.status_code, a.json()["error"]["type"])
            == (b.status_code, b.json()["error"]["type"])
            == (404, "not_found_error")
        )
        assert a.json()["error"]["message"] == f"model: {hidden}"
        c = http.get(f"/v1/models?after_id={hidden}", headers=headers)
        assert_error(c, 400, "invalid_request_error", f"after_id: no model with id `{hidden}`")


# ---- exact shapes (D14, D17, D18) --------------------------------------------------------------

CAPABILITY_TREE = {
    "batch": {"supported"},
    "citations": {"supported"},
    "code_execution": {"supported"},
    "compaction": {"supported", "summarize"},
    "context_management": {
        "supported",
        "clear_thinking_20251015",
        "clear_tool_uses_20250919",
        "compact_20260112",
    },
    "effort": {"supported", "low", "medium", "high", "max", "xhigh"},
    "image_input": {"supported"},
    "pdf_input": {"supported"},
    "server_tools": {"supported", "code_execution", "web_search"},
    "structured_outputs": {"supported"},
    "thinking": {"supported", "types"},
}


def assert_leaf(value: Any) -> None:
    assert (
        isinstance(value, dict)
        and list(value) == ["supported"]
        and isinstance(value["supported"], bool)
    )


def assert_model_shape(model: dict[str, Any]) -> None:
    assert list(model) == MODEL_FIELDS
    assert model["type"] == "model"
    for name in ("created_at", "deprecated_at", "retires_at"):
        assert (model[name] is None and name != "created_at") or TIMESTAMP.match(model[name])
    assert model["lifecycle"] in ("active", "deprecated", "retired")
    assert (model["deprecated_at"] is None) == (model["lifecycle"] == "active")
    caps = model["capabilities"]
    assert set(caps) == set(CAPABILITY_TREE)
    for name, keys in CAPABILITY_TREE.items():
        assert set(caps[name]) == keys, name
        for key in keys - {"supported", "types"}:
            assert_leaf(caps[name][key])
        assert isinstance(caps[name]["supported"], bool)
    assert set(caps["thinking"]["types"]) == {"adaptive", "enabled", "disabled", "between_tools"}
    for leaf in caps["thinking"]["types"].values():
        assert_leaf(leaf)


def test_every_model_has_exactly_the_wire_fields(http: httpx.Client, live: Live) -> None:
    response = http.get(
        "/v1/models?limit=1000&lifecycle[]=active&lifecycle[]=deprecated&lifecycle[]=retired",
        headers=good(live),
    )
    body = response.json()
    assert list(body) == ["data", "has_more", "first_id", "last_id"]
    for model in body["data"]:
        if model["id"] in ("tie-a", "tie-b", "a/b", "modèle-ü"):
            continue  # imported without capabilities: still a full tree of unsupported leaves
        assert_model_shape(model)
    retrieved = http.get("/v1/models/claude-opus-4-7", headers=good(live)).json()
    assert_model_shape(retrieved)


def test_imported_model_without_capabilities_gets_the_full_tree(
    http: httpx.Client, live: Live
) -> None:
    model = http.get("/v1/models/tie-a", headers=good(live)).json()
    assert_model_shape(model)
    assert model["capabilities"]["batch"] == {"supported": False}
    assert model["capabilities"]["thinking"]["types"]["disabled"] == {"supported": True}


def test_ties_on_created_at_are_ordered_by_id(http: httpx.Client, live: Live) -> None:
    everything = ids(http.get("/v1/models?limit=1000", headers=good(live)))
    assert everything.index("tie-a") + 1 == everything.index("tie-b")


def test_request_ids_are_unique(http: httpx.Client, live: Live) -> None:
    seen = {
        http.get("/v1/models?limit=1", headers=good(live)).headers["request-id"] for _ in range(20)
    }
    assert len(seen) == 20 and all(REQUEST_ID.match(i) for i in seen)
