"""Rate limits set per workspace through the admin API, seen on the Models API (D9)."""

from __future__ import annotations

import re

import httpx

from tests.admin.conftest import Site, error, ok, unique

RESET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def test_limits_per_key_and_per_workspace(site: Site, admin: httpx.Client) -> None:
    workspace = ok(
        admin.post(
            "/workspaces",
            json={
                "name": unique("rl"),
                "rate_limits": {"key_requests_per_minute": 3, "requests_per_minute": 5},
            },
        )
    )
    assert workspace["rate_limits"] == {"requests_per_minute": 5, "key_requests_per_minute": 3}
    first = ok(admin.post("/api_keys", json={"workspace_id": workspace["id"]}))["key"]
    second = ok(admin.post("/api_keys", json={"workspace_id": workspace["id"]}))["key"]
    with site.models_api(first) as models:
        remaining = []
        for _ in range(3):
            response = models.get("/models/claude-opus-4-7")
            assert response.status_code == 200
            assert response.headers["anthropic-ratelimit-requests-limit"] == "3"
            assert RESET.match(response.headers["anthropic-ratelimit-requests-reset"])
            remaining.append(response.headers["anthropic-ratelimit-requests-remaining"])
        assert remaining == ["2", "1", "0"]
        refused = models.get("/models?limit=1")
        message = error(refused, 429, "rate_limit_error")
        assert "3 requests per minute for this API key" in message
        assert refused.headers["x-should-retry"] == "true"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["anthropic-ratelimit-requests-remaining"] == "0"
    with site.models_api(second) as models:
        assert [models.get("/models").status_code for _ in range(3)] == [200, 200, 429]
        assert "for this workspace" in models.get("/models").json()["error"]["message"]


def test_lifting_a_limit_takes_effect_at_once(site: Site, admin: httpx.Client) -> None:
    workspace = ok(
        admin.post(
            "/workspaces",
            json={"name": unique("rl"), "rate_limits": {"key_requests_per_minute": 1}},
        )
    )
    key = ok(admin.post("/api_keys", json={"workspace_id": workspace["id"]}))["key"]
    with site.models_api(key) as models:
        assert [models.get("/models").status_code for _ in range(2)] == [200, 429]
        updated = ok(
            admin.post(
                f"/workspaces/{workspace['id']}",
                json={"rate_limits": {"key_requests_per_minute": 0}},
            )
        )
        assert updated["rate_limits"]["key_requests_per_minute"] == 0
        response = models.get("/models")
        assert response.status_code == 200
        assert "anthropic-ratelimit-requests-limit" not in response.headers  # no limit left


def test_rate_limit_validation(admin: httpx.Client) -> None:
    response = admin.post(
        "/workspaces", json={"name": "x", "rate_limits": {"requests_per_minute": -1}}
    )
    error(
        response,
        400,
        "invalid_request_error",
        "rate_limits.requests_per_minute: Input should be greater than or equal to 0",
    )
    response = admin.post("/workspaces", json={"name": "x", "rate_limits": {"per_hour": 1}})
    error(
        response,
        400,
        "invalid_request_error",
        "rate_limits.per_hour: Extra inputs are not permitted",
    )
