"""The admin API: authentication, the organisation, and workspaces."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.admin.conftest import Site, error, ok, unique, walk

# ---- authentication ----------------------------------------------------------------------------


def test_no_key(site: Site) -> None:
    response = httpx.get(
        f"{site.base_url}/v1/organizations/me", headers={"anthropic-version": "2023-06-01"}
    )
    error(response, 401, "authentication_error", "x-api-key header is required")


def test_unknown_key(site: Site) -> None:
    with site.admin("sk-ant-admin01-nope") as client:
        error(client.get("/me"), 401, "authentication_error", "invalid x-api-key")


def test_unknown_bearer(site: Site) -> None:
    headers = {"authorization": "Bearer nope", "anthropic-version": "2026-10-21"}
    error(
        httpx.get(f"{site.base_url}/v1/organizations/me", headers=headers),
        401,
        "authentication_error",
        "Invalid bearer token",
    )


def test_admin_key_as_bearer(site: Site) -> None:
    headers = {"authorization": f"Bearer {site.admin_key}", "anthropic-version": "2026-10-21"}
    assert httpx.get(f"{site.base_url}/v1/organizations/me", headers=headers).status_code == 200


def test_an_api_key_cannot_call_the_admin_api(site: Site) -> None:
    with site.admin(site.api_key) as client:
        message = error(client.get("/workspaces"), 403, "permission_error")
    assert "admin key" in message and "modeldir admin-keys create" in message


def test_an_admin_key_cannot_call_the_models_api(site: Site) -> None:
    with site.models_api(site.admin_key) as client:
        error(client.get("/models"), 401, "authentication_error", "invalid x-api-key")


def test_version_header_is_required(site: Site) -> None:
    response = httpx.get(
        f"{site.base_url}/v1/organizations/me", headers={"x-api-key": site.admin_key}
    )
    error(response, 400, "invalid_request_error", "anthropic-version: header is required")


def test_beta_marker_and_header_are_ignored(admin: httpx.Client) -> None:
    assert admin.get("/me?beta=true", headers={"anthropic-beta": "anything"}).status_code == 200


def test_me(admin: httpx.Client) -> None:
    body = ok(admin.get("/me"))
    assert body["type"] == "organization" and body["name"] == "modeldir"
    uuid.UUID(body["id"])


# ---- create and read ---------------------------------------------------------------------------


def test_create_and_get(admin: httpx.Client) -> None:
    name = unique("team")
    response = admin.post(
        "/workspaces", json={"name": name, "model_access": ["claude-opus-*", "a", "a"]}
    )
    created = ok(response)
    assert created["id"].startswith("wrkspc_01") and len(created["id"]) == len("wrkspc_") + 24
    assert created["type"] == "workspace" and created["name"] == name
    assert created["model_access"] == ["a", "claude-opus-*"]
    assert created["archived_at"] is None and created["tags"] == {}
    assert created["data_residency"]["workspace_geo"] == "us"
    assert response.headers["etag"].startswith('"')
    fetched = admin.get(f"/workspaces/{created['id']}")
    assert ok(fetched) == created
    assert fetched.headers["etag"] == response.headers["etag"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "name: Field required"),
        ({"name": ""}, "name: String should have at least 1 character"),
        ({"name": "x" * 256}, "name: String should have at most 255 characters"),
        (
            {"name": "a", "display_color": "red"},
            "display_color: String should match pattern '^#[0-9A-Fa-f]{6}$'",
        ),
        (
            {"name": "a", "model_access": ["has space"]},
            "model_access: 'has space' is not a model id or glob (no spaces, 1 to 256 characters)",
        ),
        ({"name": "a", "model_access": "claude-*"}, "model_access: Input should be a valid list"),
        (
            {"name": "a", "tags": {"anthropic-x": "1"}},
            "tags: tag keys may not begin with 'anthropic': 'anthropic-x'",
        ),
        ({"name": "a", "colour": "red"}, "colour: Extra inputs are not permitted"),
        ([], "Input should be a valid dictionary or instance of WorkspaceCreate"),
    ],
)
def test_create_validation(admin: httpx.Client, body: object, message: str) -> None:
    error(admin.post("/workspaces", json=body), 400, "invalid_request_error", message)


def test_body_must_be_json(admin: httpx.Client) -> None:
    response = admin.post(
        "/workspaces", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert error(response, 400, "invalid_request_error").startswith(
        "The request body is not valid JSON"
    )


def test_unknown_workspace(admin: httpx.Client) -> None:
    error(
        admin.get("/workspaces/wrkspc_nope"),
        404,
        "not_found_error",
        "no workspace with id wrkspc_nope",
    )
    error(
        admin.post("/workspaces/wrkspc_nope", json={"name": "x"}),
        404,
        "not_found_error",
        "no workspace with id wrkspc_nope",
    )


def test_wrong_method(admin: httpx.Client) -> None:
    response = admin.delete("/workspaces")
    error(response, 405, "invalid_request_error", "Method Not Allowed")
    assert "GET" in response.headers["allow"] and "POST" in response.headers["allow"]


def test_head_is_get_without_a_body(admin: httpx.Client) -> None:
    response = admin.head("/me")
    assert response.status_code == 200 and response.content == b""


def test_unknown_admin_path(admin: httpx.Client) -> None:
    error(admin.get("/nothing"), 404, "not_found_error", "Not Found")


# ---- update, versions, archive ----------------------------------------------------------------


def test_update_with_current_version(admin: httpx.Client) -> None:
    created = admin.post("/workspaces", json={"name": unique()})
    etag = created.headers["etag"]
    workspace_id = created.json()["id"]
    updated = admin.post(
        f"/workspaces/{workspace_id}",
        json={"name": "renamed", "display_color": "#112233", "tags": {"env": "prod", "team": "x"}},
        headers={"if-match": etag},
    )
    body = ok(updated)
    assert (body["name"], body["display_color"], body["tags"]) == (
        "renamed",
        "#112233",
        {"env": "prod", "team": "x"},
    )
    assert updated.headers["etag"] != etag
    again = ok(admin.post(f"/workspaces/{workspace_id}", json={"tags": {"team": None}}))
    assert again["tags"] == {"env": "prod"} and again["name"] == "renamed"


def test_update_with_a_stale_version_is_a_conflict_and_changes_nothing(admin: httpx.Client) -> None:
    created = admin.post("/workspaces", json={"name": "before"})
    workspace_id, stale = created.json()["id"], created.headers["etag"]
    ok(
        admin.post(
            f"/workspaces/{workspace_id}", json={"name": "first"}, headers={"if-match": stale}
        )
    )
    response = admin.post(
        f"/workspaces/{workspace_id}", json={"name": "second"}, headers={"if-match": stale}
    )
    message = error(response, 409, "conflict_error")
    assert "has changed since you read it" in message
    assert response.headers["x-should-retry"] == "false"
    assert ok(admin.get(f"/workspaces/{workspace_id}"))["name"] == "first"


def test_if_match_star_and_lists_of_tags(admin: httpx.Client) -> None:
    created = admin.post("/workspaces", json={"name": "x"})
    workspace_id, etag = created.json()["id"], created.headers["etag"]
    ok(admin.post(f"/workspaces/{workspace_id}", json={"name": "y"}, headers={"if-match": "*"}))
    current = admin.get(f"/workspaces/{workspace_id}").headers["etag"]
    ok(
        admin.post(
            f"/workspaces/{workspace_id}",
            json={"name": "z"},
            headers={"if-match": f"{etag}, W/{current}"},
        )
    )


def test_default_workspace_rules(site: Site, admin: httpx.Client) -> None:
    default = site.default_workspace_id
    assert default not in walk(admin, "/workspaces", {"limit": 100})
    assert default in walk(admin, "/workspaces", {"limit": 100, "include_default": "true"})
    assert ok(admin.get(f"/workspaces/{default}"))["is_default"] is True
    error(
        admin.post(f"/workspaces/{default}", json={"name": "x"}),
        400,
        "invalid_request_error",
        "The default workspace cannot be renamed.",
    )
    error(
        admin.post(f"/workspaces/{default}/archive"),
        400,
        "invalid_request_error",
        "The default workspace cannot be archived.",
    )


def test_archive_stops_the_keys_at_once(site: Site, admin: httpx.Client) -> None:
    workspace = ok(admin.post("/workspaces", json={"name": unique()}))
    key = ok(admin.post("/api_keys", json={"workspace_id": workspace["id"]}))
    with site.models_api(key["key"]) as models:
        assert models.get("/models").status_code == 200
        archived = ok(admin.post(f"/workspaces/{workspace['id']}/archive"))
        assert archived["archived_at"] is not None
        error(models.get("/models"), 401, "authentication_error", "invalid x-api-key")
    assert ok(admin.get(f"/api_keys/{key['id']}"))["status"] == "archived"
    assert (
        ok(admin.post(f"/workspaces/{workspace['id']}/archive"))["archived_at"]
        == archived["archived_at"]
    )
    error(
        admin.post(f"/workspaces/{workspace['id']}", json={"name": "x"}),
        400,
        "invalid_request_error",
    )
    error(
        admin.post("/api_keys", json={"workspace_id": workspace["id"]}),
        400,
        "invalid_request_error",
        f"workspace {workspace['id']} is archived",
    )
    assert workspace["id"] not in walk(admin, "/workspaces", {"limit": 100})
    assert workspace["id"] in walk(admin, "/workspaces", {"limit": 100, "include_archived": "true"})


def test_model_access_change_takes_effect_on_the_next_request(
    site: Site, admin: httpx.Client
) -> None:
    workspace = ok(
        admin.post("/workspaces", json={"name": unique(), "model_access": ["claude-opus-4-7"]})
    )
    key = ok(admin.post("/api_keys", json={"workspace_id": workspace["id"]}))["key"]
    with site.models_api(key) as models:
        assert [m["id"] for m in models.get("/models").json()["data"]] == ["claude-opus-4-7"]
        ok(admin.post(f"/workspaces/{workspace['id']}", json={"model_access": ["claude-haiku-*"]}))
        assert [m["id"] for m in models.get("/models").json()["data"]] == [
            "claude-haiku-5-5",
            "claude-haiku-4-5-20251001",
        ]
        assert models.get("/models/claude-opus-4-7").status_code == 404
        ok(admin.post(f"/workspaces/{workspace['id']}", json={"model_access": None}))
        assert models.get("/models/claude-opus-4-7").status_code == 200


# ---- lists -------------------------------------------------------------------------------------


def test_list_pagination_both_ways(admin: httpx.Client) -> None:
    tag = unique("page")
    made = [ok(admin.post("/workspaces", json={"name": f"{tag}-{i}"}))["id"] for i in range(5)]
    forward = walk(admin, "/workspaces", {"limit": 2, "ids[]": made})
    assert sorted(forward) == sorted(made) and len(forward) == 5
    page = ok(admin.get("/workspaces", params={"limit": 2, "ids[]": made}))
    assert (
        page["has_more"] is True
        and page["first_id"] == forward[0]
        and page["last_id"] == forward[1]
    )
    backward = walk(admin, "/workspaces", {"limit": 2, "ids[]": made}, backwards_from=forward[-1])
    assert backward == forward[2:4] + forward[0:2]  # pages of 2 before the last, walking back
    empty = ok(admin.get("/workspaces", params={"after_id": forward[-1], "ids[]": made}))
    assert empty == {"data": [], "has_more": False, "first_id": None, "last_id": None}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 0}, "limit: Input should be greater than or equal to 1"),
        ({"limit": 1001}, "limit: Input should be less than or equal to 1000"),
        ({"after_id": "wrkspc_nope"}, "after_id: no workspace with id `wrkspc_nope`"),
        (
            {"include_archived": "perhaps"},
            "include_archived: Input should be a valid boolean, unable to interpret input",
        ),
    ],
)
def test_list_validation(admin: httpx.Client, params: dict[str, object], message: str) -> None:
    error(admin.get("/workspaces", params=params), 400, "invalid_request_error", message)


def test_authentication_comes_before_validation(site: Site) -> None:
    headers = {"anthropic-version": "2023-06-01"}
    response = httpx.post(
        f"{site.base_url}/v1/organizations/workspaces", json={"name": ""}, headers=headers
    )
    error(response, 401, "authentication_error", "x-api-key header is required")
    response = httpx.post(
        f"{site.base_url}/v1/organizations/catalogue/import?mode=bogus",
        content=b"{",
        headers=headers,
    )
    error(response, 401, "authentication_error", "x-api-key header is required")


# ---- text PostgreSQL cannot store --------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "target", "body", "where"),
    [
        # Found by fuzzing the admin API: each of these was a 500 on PostgreSQL.
        ("GET", "/api_keys?created_by_user_id=a%00", None, "created_by_user_id"),
        ("GET", "/workspaces/wrkspc_%00", None, "The path"),
        ("POST", "/workspaces", {"name": "a\u0000b"}, "The request body"),
        ("POST", "/workspaces", {"name": "x", "tags": {"k\u0000": "v"}}, "The request body"),
    ],
)
def test_nul_in_text_is_refused_alike_on_both_backends(
    site: Site, method: str, target: str, body: object, where: str
) -> None:
    with site.admin() as client:
        response = client.request(method, target, json=body)
    message = f"{where}: text may not contain NUL characters (\\u0000)"
    error(response, 400, "invalid_request_error", message)


def test_numbers_past_what_the_store_keeps_are_refused(site: Site) -> None:
    # Found by fuzzing the admin API: a limit of 2**63 passed validation and was a 500.
    with site.admin() as client:
        for too_many in (2**31, 2**63):
            body = {"name": unique(), "rate_limits": {"requests_per_minute": too_many}}
            message = error(client.post("/workspaces", json=body), 400, "invalid_request_error")
            assert message == (
                "rate_limits.requests_per_minute: Input should be less than or equal to 2147483647"
            )
        most = {"name": unique(), "rate_limits": {"key_requests_per_minute": 2**31 - 1}}
        created = ok(client.post("/workspaces", json=most))
        assert created["rate_limits"]["key_requests_per_minute"] == 2**31 - 1
        model = {"id": unique("m"), "display_name": "M", "created_at": "2025-01-01"}
        for field in ("max_tokens", "max_input_tokens"):
            error(
                client.post("/models", json={**model, field: 2**63}), 400, "invalid_request_error"
            )
        stored = ok(client.post("/models", json={**model, "max_tokens": 2**63 - 1}))
        assert stored["max_tokens"] == 2**63 - 1
