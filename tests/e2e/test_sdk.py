"""The official `anthropic` Python SDK against a live server, with strict response validation.

Both authentication styles, sync and async clients, GA and beta resources, page walks forwards
and backwards to the end with small limits. Runs once per backend.
"""

from __future__ import annotations

import asyncio
from typing import Any

import anthropic
import httpx
import pytest

from tests.conftest import Live

ALL_LIFECYCLES = "lifecycle[]=active&lifecycle[]=deprecated&lifecycle[]=retired"


def listed_ids(live: Live, key: str | None = None, query: str = "") -> list[str]:
    """The full list in one raw request, the reference the SDK walks are compared with."""
    response = httpx.get(
        f"{live.base_url}/v1/models?limit=1000{query}",
        headers={"x-api-key": key or live.key, "anthropic-version": "2023-06-01"},
    )
    assert response.status_code == 200
    return [m["id"] for m in response.json()["data"]]


def clients(live: Live, key: str | None = None) -> dict[str, anthropic.Anthropic]:
    key = key or live.key
    common: dict[str, Any] = {
        "base_url": live.base_url,
        "_strict_response_validation": True,
        "max_retries": 0,
    }
    return {
        "bearer": anthropic.Anthropic(api_key=key, **common),
        "x-api-key": anthropic.Anthropic(
            api_key=None, default_headers={"x-api-key": key}, **common
        ),
    }


@pytest.mark.parametrize("style", ["bearer", "x-api-key"])
def test_list_walks_to_the_end_forwards(live: Live, style: str) -> None:
    client = clients(live)[style]
    assert [m.id for m in client.models.list(limit=3)] == listed_ids(live)


@pytest.mark.parametrize("style", ["bearer", "x-api-key"])
def test_beta_list_walks_to_the_end_with_every_lifecycle(live: Live, style: str) -> None:
    client = clients(live)[style]
    walked = client.beta.models.list(limit=4, lifecycle=["active", "deprecated", "retired"])
    models = list(walked)
    assert [m.id for m in models] == listed_ids(live, query=f"&{ALL_LIFECYCLES}")
    assert any(m.lifecycle == "retired" for m in models)
    assert all(
        m.allowed_fallback_models is None or isinstance(m.allowed_fallback_models, list)
        for m in models
    )


def test_list_walks_backwards_to_the_start(live: Live) -> None:
    client = clients(live)["bearer"]
    everything = listed_ids(live)
    start = everything[-1]
    pages = []
    page = client.models.list(limit=2, before_id=start)
    while True:
        pages.append([m.id for m in page.data])
        if not page.has_next_page():
            break
        page = page.get_next_page()
    assert [i for chunk in reversed(pages) for i in chunk] == everything[:-1]
    assert [m.id for m in client.models.list(limit=2, before_id=start)] == [
        i for chunk in pages for i in chunk
    ]


@pytest.mark.parametrize("style", ["bearer", "x-api-key"])
def test_retrieve_by_id_and_alias(live: Live, style: str) -> None:
    client = clients(live)[style]
    model = client.models.retrieve("claude-opus-4-7")
    assert model.id == "claude-opus-4-7"
    assert model.display_name == "Claude Opus 4.7"
    assert model.capabilities is not None and model.capabilities.effort.supported
    assert model._request_id is not None and model._request_id.startswith("req_01")
    assert client.models.retrieve("claude-sonnet-4-5").id == "claude-sonnet-4-5-20250929"
    beta = client.beta.models.retrieve("claude-haiku-4-5")
    assert beta.id == "claude-haiku-4-5-20251001"
    assert beta.capabilities is not None and beta.capabilities.compaction is not None


def test_retrieve_an_id_that_needs_percent_encoding(live: Live) -> None:
    client = clients(live)["bearer"]
    assert client.models.retrieve("a/b").id == "a/b"
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.models.retrieve("a/b c?d")
    assert caught.value.body == {
        "type": "error",
        "error": {"type": "not_found_error", "message": "model: a/b c?d"},
        "request_id": caught.value.request_id,
    }


def test_errors_raise_the_sdk_exceptions(live: Live) -> None:
    bad = anthropic.Anthropic(api_key="sk-wrong", base_url=live.base_url, max_retries=0)
    with pytest.raises(anthropic.AuthenticationError) as caught:
        bad.models.list()
    assert caught.value.request_id is not None
    with pytest.raises(anthropic.NotFoundError):
        clients(live)["bearer"].models.retrieve("claude-nothing")


def test_restricted_key_sees_only_its_models(live: Live) -> None:
    client = clients(live, live.opus_key)["bearer"]
    walked = [
        m.id for m in client.models.list(limit=2, lifecycle=["active", "deprecated", "retired"])
    ]
    assert walked and all(i.startswith("claude-opus-") for i in walked)
    with pytest.raises(anthropic.NotFoundError):
        client.models.retrieve("claude-sonnet-4-6")


def test_workspace_id_is_reported_by_the_sdk(live: Live) -> None:
    client = clients(live)["bearer"]
    raw = client.models.with_raw_response.list(limit=1)
    assert raw.headers["anthropic-workspace-id"] == live.workspace_id


def test_async_client(live: Live) -> None:
    async def run() -> tuple[list[str], str, list[str]]:
        async with anthropic.AsyncAnthropic(
            api_key=live.key, base_url=live.base_url, _strict_response_validation=True
        ) as client:
            forward = [m.id async for m in client.models.list(limit=5)]
            alias = (await client.models.retrieve("claude-opus-4-0")).id
            beta = [m.id async for m in client.beta.models.list(limit=7, lifecycle=["retired"])]
            return forward, alias, beta

    forward, alias, beta = asyncio.run(run())
    assert forward == listed_ids(live)
    assert alias == "claude-opus-4-20250514"
    assert beta == listed_ids(live, query="&lifecycle[]=retired")
