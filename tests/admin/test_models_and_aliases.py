"""The admin API: models and aliases, and their effect on the Models API (at once)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.admin.conftest import Site, error, ok, unique, walk


def model_body(model_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": model_id,
        "display_name": model_id.title(),
        "created_at": "2026-06-01T00:00:00Z",
        **fields,
    }


@pytest.fixture
def models(site: Site) -> httpx.Client:
    return site.models_api(site.api_key)


def test_create_shows_on_the_models_api_at_once(admin: httpx.Client, models: httpx.Client) -> None:
    model_id = unique("acme")
    response = admin.post(
        "/models",
        json=model_body(model_id, max_tokens=4096, capabilities={"batch": {"supported": True}}),
    )
    created = ok(response)
    assert created["id"] == model_id and created["capabilities"]["batch"] == {"supported": True}
    assert created["capabilities"]["effort"]["xhigh"] == {"supported": False}
    assert ok(models.get(f"/models/{model_id}")) == created
    assert admin.get(f"/models/{model_id}").headers["etag"] == response.headers["etag"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"display_name": "X", "created_at": "2026-01-01"}, "id: Field required"),
        (
            model_body("m", created_at="yesterday"),
            "created_at: 'yesterday' is not an RFC 3339 date-time such as 2026-04-14T00:00:00Z",
        ),
        (
            model_body("m", lifecycle="deprecated"),
            "deprecated_at is required when lifecycle is 'deprecated'",
        ),
        (model_body("m", max_tokens=0), "max_tokens: Input should be greater than or equal to 1"),
        (
            model_body("m", line="gpt"),
            "line: Input should be 'haiku', 'sonnet', 'opus', 'fable' or 'mythos'",
        ),
        (
            model_body("m", capabilities={"telepathy": {"supported": True}}),
            "capabilities.telepathy: Extra inputs are not permitted",
        ),
        (
            model_body("has space"),
            "id: must be 1 to 256 characters with no spaces or control characters",
        ),
        ([1], "the body must be a JSON object describing a model"),
    ],
)
def test_create_validation(admin: httpx.Client, body: object, message: str) -> None:
    error(admin.post("/models", json=body), 400, "invalid_request_error", message)


def test_create_conflicts(admin: httpx.Client) -> None:
    error(
        admin.post("/models", json=model_body("claude-opus-4-7")),
        409,
        "conflict_error",
        "model claude-opus-4-7 already exists; update it instead",
    )
    error(
        admin.post("/models", json=model_body("claude-sonnet-4-5")),
        409,
        "conflict_error",
        "claude-sonnet-4-5 is already an alias",
    )


def test_update_is_a_merge_patch(admin: httpx.Client, models: httpx.Client) -> None:
    model_id = unique("patch")
    ok(
        admin.post(
            "/models", json=model_body(model_id, capabilities={"batch": {"supported": True}})
        )
    )
    updated = ok(
        admin.post(
            f"/models/{model_id}",
            json={
                "display_name": "Patched",
                "capabilities": {"effort": {"supported": True, "low": {"supported": True}}},
            },
        )
    )
    assert updated["display_name"] == "Patched"
    assert updated["capabilities"]["batch"] == {"supported": True}  # untouched by the patch
    assert updated["capabilities"]["effort"]["low"] == {"supported": True}
    assert ok(models.get(f"/models/{model_id}"))["display_name"] == "Patched"
    cleared = ok(admin.post(f"/models/{model_id}", json={"capabilities": None, "max_tokens": 100}))
    assert cleared["capabilities"] is None and cleared["max_tokens"] == 100


def test_update_rules(admin: httpx.Client) -> None:
    model_id = unique("rules")
    created = admin.post("/models", json=model_body(model_id))
    error(
        admin.post(f"/models/{model_id}", json={"id": "other"}),
        400,
        "invalid_request_error",
        "id: a model's id cannot be changed",
    )
    error(
        admin.post(f"/models/{model_id}", json={"deprecated_at": "2026-07-01"}),
        400,
        "invalid_request_error",
        "deprecated_at must be null while lifecycle is 'active'",
    )
    ok(admin.post(f"/models/{model_id}", json={"display_name": "New"}))
    error(
        admin.post(
            f"/models/{model_id}",
            json={"display_name": "Lost"},
            headers={"if-match": created.headers["etag"]},
        ),
        409,
        "conflict_error",
    )
    error(
        admin.post("/models/nope-nope", json={"display_name": "x"}),
        404,
        "not_found_error",
        "no model with id nope-nope",
    )


def test_deprecate_and_retire(admin: httpx.Client, models: httpx.Client) -> None:
    model_id = unique("life")
    ok(admin.post("/models", json=model_body(model_id)))
    deprecated = ok(
        admin.post(f"/models/{model_id}/deprecate", json={"retires_at": "2027-01-01T00:00:00Z"})
    )
    assert (
        deprecated["lifecycle"] == "deprecated"
        and deprecated["retires_at"] == "2027-01-01T00:00:00Z"
    )
    assert deprecated["deprecated_at"] is not None
    retired = ok(
        admin.post(f"/models/{model_id}/retire", json={"retires_at": "2026-12-01T00:00:00Z"})
    )
    assert (
        retired["lifecycle"] == "retired"
        and retired["deprecated_at"] == deprecated["deprecated_at"]
    )
    assert retired["retires_at"] == "2026-12-01T00:00:00Z"
    listed = [m["id"] for m in models.get("/models?limit=1000").json()["data"]]
    assert model_id not in listed
    retired_list = [
        m["id"] for m in models.get("/models?limit=1000&lifecycle[]=retired").json()["data"]
    ]
    assert model_id in retired_list
    assert ok(models.get(f"/models/{model_id}"))["lifecycle"] == "retired"


def test_delete_keeps_the_cursor_valid(admin: httpx.Client, models: httpx.Client) -> None:
    ids = [unique("del") for _ in range(3)]
    for day, model_id in enumerate(ids):
        ok(
            admin.post(
                "/models", json=model_body(model_id, created_at=f"2019-01-0{day + 1}T00:00:00Z")
            )
        )
    assert ok(admin.delete(f"/models/{ids[1]}")) == {"type": "model_deleted", "id": ids[1]}
    error(models.get(f"/models/{ids[1]}"), 404, "not_found_error")
    error(admin.get(f"/models/{ids[1]}"), 404, "not_found_error")
    after = ok(models.get(f"/models?after_id={ids[1]}&limit=1000"))
    assert [m["id"] for m in after["data"]][:1] == [ids[0]]
    error(admin.delete(f"/models/{ids[1]}"), 404, "not_found_error")
    again = ok(admin.post("/models", json=model_body(ids[1])))
    assert again["id"] == ids[1]


def test_ids_with_a_slash(admin: httpx.Client, models: httpx.Client) -> None:
    model_id = f"{unique('org')}/model"
    ok(admin.post("/models", json=model_body(model_id)))
    assert ok(admin.get(f"/models/{model_id}"))["id"] == model_id
    assert ok(admin.post(f"/models/{model_id}/deprecate", json={}))["lifecycle"] == "deprecated"
    assert ok(models.get(f"/models/{model_id.replace('/', '%2F')}"))["id"] == model_id


def test_list_models_with_lifecycle_filter(admin: httpx.Client) -> None:
    retired = walk(admin, "/models", {"lifecycle[]": "retired", "limit": 3})
    assert "claude-3-opus-20240229" in retired and "claude-opus-4-7" not in retired
    everything = walk(admin, "/models", {"limit": 7})
    assert set(retired) < set(everything)
    error(
        admin.get("/models", params={"lifecycle[]": "gone"}),
        400,
        "invalid_request_error",
        "lifecycle.0: Input should be 'active', 'deprecated' or 'retired'",
    )


# ---- aliases -----------------------------------------------------------------------------------


def test_alias_lifecycle(admin: httpx.Client, models: httpx.Client) -> None:
    alias = unique("fav")
    created = ok(admin.post("/aliases", json={"alias": alias, "model": "claude-opus-4-7"}))
    assert created == {
        "type": "model_alias",
        "id": alias,
        "model": "claude-opus-4-7",
        "listed": False,
    }
    assert ok(models.get(f"/models/{alias}"))["id"] == "claude-opus-4-7"
    assert alias not in [m["id"] for m in models.get("/models?limit=1000").json()["data"]]
    moved = ok(admin.post(f"/aliases/{alias}", json={"model": "claude-sonnet-4-6", "listed": True}))
    assert moved["model"] == "claude-sonnet-4-6" and moved["listed"] is True
    assert ok(models.get(f"/models/{alias}"))["id"] == "claude-sonnet-4-6"
    listed = models.get("/models?limit=1000").json()["data"]
    entry = next(m for m in listed if m["id"] == alias)
    assert entry["display_name"] == "Claude Sonnet 4.6"
    ids = [m["id"] for m in listed]
    assert ids.index(alias) in (
        ids.index("claude-sonnet-4-6") - 1,
        ids.index("claude-sonnet-4-6") + 1,
    )
    assert ok(admin.get(f"/aliases/{alias}")) == moved
    assert ok(admin.delete(f"/aliases/{alias}")) == {"type": "model_alias_deleted", "id": alias}
    error(models.get(f"/models/{alias}"), 404, "not_found_error", f"model: {alias}")
    error(admin.get(f"/aliases/{alias}"), 404, "not_found_error", f"no alias with id {alias}")


def test_alias_rules(admin: httpx.Client) -> None:
    error(
        admin.post("/aliases", json={"alias": unique(), "model": "ghost"}),
        404,
        "not_found_error",
        "no model with id ghost",
    )
    error(
        admin.post("/aliases", json={"alias": "claude-opus-4-7", "model": "claude-opus-4-6"}),
        409,
        "conflict_error",
        "claude-opus-4-7 is already a model id",
    )
    error(
        admin.post("/aliases", json={"alias": "claude-sonnet-4-5", "model": "claude-opus-4-6"}),
        409,
        "conflict_error",
        "alias claude-sonnet-4-5 already exists; update it to move it",
    )
    error(
        admin.post("/aliases", json={"alias": "has space", "model": "claude-opus-4-6"}),
        400,
        "invalid_request_error",
    )


def test_list_aliases(admin: httpx.Client) -> None:
    names = walk(admin, "/aliases", {"limit": 4})
    assert names == sorted(names) and "claude-sonnet-4-5" in names
