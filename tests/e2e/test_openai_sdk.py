"""The official OpenAI Python SDK against the OpenAI-format view of a real server.

`OpenAI(base_url=".../openai/v1", api_key=<modeldir key>)` must work unchanged: its list is
exactly the key's visible active and deprecated models in list order (the oracle is the
Models API's own list of the same key), aliases resolve, and failures raise the SDK's own
typed errors. With the opt-in on, the same holds against `/v1`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from modeldir.admin.bootstrap import initialize
from modeldir.store import open_store
from tests.conftest import Live
from tests.support.admin import new_key
from tests.support.server import ServerProcess


def models_api_ids(live: Live, key: str) -> list[str]:
    response = httpx.get(
        f"{live.base_url}/v1/models",
        params={"limit": 1000},
        headers={"x-api-key": key, "anthropic-version": "2023-06-01"},
    )
    assert response.status_code == 200 and not response.json()["has_more"]
    return [m["id"] for m in response.json()["data"]]


def client(base_url: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)


def test_list_is_the_keys_visible_models_in_order(live: Live) -> None:
    for key in (live.key, live.opus_key):
        listed = [m.id for m in client(f"{live.base_url}/openai/v1", key).models.list()]
        assert listed == models_api_ids(live, key)
        assert listed  # each key sees something


def test_models_are_openai_objects(live: Live) -> None:
    first = next(iter(client(f"{live.base_url}/openai/v1", live.key).models.list()))
    assert first.object == "model" and isinstance(first.created, int)
    assert first.owned_by in ("anthropic", "organization")


def test_retrieve_by_alias_gives_the_canonical_id(live: Live) -> None:
    found = client(f"{live.base_url}/openai/v1", live.key).models.retrieve("claude-sonnet-4-5")
    assert found.id == "claude-sonnet-4-5-20250929"
    assert found.owned_by == "anthropic"


def test_a_wrong_key_raises_authentication_error(live: Live) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        client(f"{live.base_url}/openai/v1", "sk-ant-api03-wrong").models.list()
    assert caught.value.code == "invalid_api_key"


def test_an_unknown_or_hidden_model_raises_not_found(live: Live) -> None:
    with pytest.raises(openai.NotFoundError):
        client(f"{live.base_url}/openai/v1", live.key).models.retrieve("no-such-model")
    with pytest.raises(openai.NotFoundError):  # the opus workspace may not see sonnet
        client(f"{live.base_url}/openai/v1", live.opus_key).models.retrieve("claude-sonnet-4-5")


def test_the_async_client_works_too(live: Live) -> None:
    async def run() -> list[str]:
        async with openai.AsyncOpenAI(
            base_url=f"{live.base_url}/openai/v1", api_key=live.key, max_retries=0
        ) as async_client:
            return [m.id async for m in async_client.models.list()]

    assert asyncio.run(run()) == models_api_ids(live, live.key)


@pytest.fixture
def opted_in(database_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    store = open_store(database_url)
    initialize(store)
    key = new_key(store)
    store.close()
    server = ServerProcess(
        database_url, tmp_path / "server.log", env={"MODELDIR_OPENAI_ON_V1_MODELS": "true"}
    ).start()
    try:
        yield server.base_url, key
    finally:
        server.stop()


def test_with_the_opt_in_v1_models_serves_openai_clients(opted_in: tuple[str, str]) -> None:
    base_url, key = opted_in
    sdk = client(f"{base_url}/v1", key)
    listed = [m.id for m in sdk.models.list()]
    headers = {"x-api-key": key, "anthropic-version": "2023-06-01"}
    native = httpx.get(f"{base_url}/v1/models", params={"limit": 1000}, headers=headers).json()
    assert listed == [m["id"] for m in native["data"]]  # the Models API answers as before
    assert sdk.models.retrieve("claude-opus-4-5").id == "claude-opus-4-5-20251101"
    with pytest.raises(openai.AuthenticationError):
        client(f"{base_url}/v1", "sk-ant-api03-wrong").models.list()
