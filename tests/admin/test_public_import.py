"""Imports from the public catalogues (models.dev's api.json, LiteLLM's price file).

The expectations are written out from the fixtures' own records (tests/fixtures), never taken
from the importer: what each file says, laid over the bundled catalogue as the rules say.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from modeldir.admin.bootstrap import bundled_document, initialize
from modeldir.errors import InvalidCatalogue
from modeldir.store import Store
from tests.admin.conftest import Site, error, ok
from tests.support.admin import admin_for
from tests.support.openapi import assert_documented
from tests.support.outbox import endpoint, events
from tests.support.wire_shapes import MODEL_FIELDS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# models.dev's record of claude-3-sonnet-20240229 (tests/fixtures/models_dev_api.json).
SONNET_3_METADATA = {
    "provider": "anthropic",
    "family": "claude-sonnet",
    "input_price_per_mtok": 3.0,
    "output_price_per_mtok": 15.0,
    "knowledge_cutoff": "2023-08-31",
    "source": "models.dev",
}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def bundled(model_id: str) -> dict[str, Any]:
    return next(m.to_wire() for m in bundled_document().models if m.id == model_id)


def model(store: Store, model_id: str) -> dict[str, Any]:
    return admin_for(store).get_model(model_id).object


def metadata(store: Store, model_id: str) -> dict[str, Any]:
    found = admin_for(store).get_model_metadata(model_id)
    return {k: v for k, v in found.items() if k not in ("type", "model")}


def test_models_dev_lays_limits_capabilities_and_metadata_over_the_catalogue(
    store: Store,
) -> None:
    initialize(store)
    report = admin_for(store).import_public(fixture("models_dev_api.json"), fmt="models.dev")
    # Other providers are not read; the alias claude-sonnet-4-5 stands for its dated model,
    # claude-opus-4-5 is left out because the file also gives the model it points to.
    assert report["models"]["added"] == ["claude-3-sonnet-20240229"]
    # Opus 4.5's limits and capabilities are already what the file says (only its metadata is
    # new); Sonnet 4.5's context window is not.
    assert report["models"]["changed"] == ["claude-sonnet-4-5-20250929"]
    assert report["models"]["unchanged"] == 1
    assert report["metadata"]["added"] == [
        "claude-3-sonnet-20240229",
        "claude-opus-4-5-20251101",
        "claude-sonnet-4-5-20250929",
    ]
    assert report["skipped"] == [
        "anthropic.models.claude-opus-4-5: claude-opus-4-5 is an alias of "
        "claude-opus-4-5-20251101, which the file also gives"
    ]
    assert report["format"] == "models.dev" and report["revision"] is not None

    new = model(store, "claude-3-sonnet-20240229")
    assert new["display_name"] == "Claude Sonnet 3"
    assert new["created_at"] == "2024-03-04T00:00:00Z"
    assert (new["max_input_tokens"], new["max_tokens"]) == (200_000, 4096)
    assert new["lifecycle"] == "active" and new["line"] is None
    caps = new["capabilities"]
    assert caps["image_input"] == caps["pdf_input"] == {"supported": True}
    assert caps["thinking"]["supported"] is False and caps["batch"] == {"supported": False}
    assert metadata(store, "claude-3-sonnet-20240229") == SONNET_3_METADATA

    # An existing model keeps its name, release date and lifecycle; the source's release date
    # (2025-11-01) is not the catalogue's (2025-11-24).
    before, after = bundled("claude-opus-4-5-20251101"), model(store, "claude-opus-4-5-20251101")
    for kept in ("display_name", "created_at", "lifecycle", "deprecated_at", "retires_at", "line"):
        assert after[kept] == before[kept]
    effort = after["capabilities"]["effort"]
    assert effort["supported"] is True
    assert [effort[level]["supported"] for level in ("low", "medium", "high", "max", "xhigh")] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert after["capabilities"]["thinking"]["types"]["enabled"] == {"supported": True}
    assert after["capabilities"]["batch"] == before["capabilities"]["batch"]  # not spoken of

    sonnet = model(store, "claude-sonnet-4-5-20250929")
    assert sonnet["max_input_tokens"] == 200_000  # the file says 200,000; the bundle 1,000,000
    assert metadata(store, "claude-sonnet-4-5-20250929")["knowledge_cutoff"] == "2025-07-31"
    # Answers the fuzzing never sees (a public import's report, real metadata), as documented.
    assert_documented("POST", "/catalogue/import", report)
    shown = admin_for(store).get_model_metadata("claude-3-sonnet-20240229")
    assert_documented("GET", "/models/{model_id}/metadata", shown)


def test_a_second_import_of_the_same_file_changes_nothing(store: Store) -> None:
    initialize(store)
    admin = admin_for(store)
    for name, fmt in (("models_dev_api.json", "models.dev"), ("litellm_prices.json", "litellm")):
        admin.import_public(fixture(name), fmt=fmt)
        revision = store.revision()
        again = admin.import_public(fixture(name), fmt=fmt)
        assert again["revision"] is None and store.revision() == revision
        for kind in ("models", "aliases", "metadata"):
            assert again[kind]["added"] == again[kind]["changed"] == again[kind]["removed"] == []


def test_a_dry_run_reports_the_diff_and_writes_nothing(store: Store) -> None:
    initialize(store)
    revision = store.revision()
    report = admin_for(store).import_public(
        fixture("litellm_prices.json"), fmt="litellm", dry_run=True
    )
    assert report["dry_run"] is True and report["models"]["added"] == ["claude-3-sonnet-20240229"]
    assert store.revision() == revision
    assert store.changes_since(revision).models == []


def test_a_public_import_tells_the_webhooks_what_it_changed(store: Store) -> None:
    initialize(store)
    admin = admin_for(store)
    endpoint(admin)
    admin.import_public(fixture("models_dev_api.json"), fmt="models.dev", dry_run=True)
    assert events(store) == []
    admin.import_public(fixture("models_dev_api.json"), fmt="models.dev")
    # As the first test found: one model new, Sonnet 4.5's context window changed; Opus 4.5
    # gains metadata only, which is not a change webhooks are told of.
    assert sorted(events(store)) == [
        ("model.created", "claude-3-sonnet-20240229"),
        ("model.updated", "claude-sonnet-4-5-20250929"),
    ]
    admin.import_public(fixture("models_dev_api.json"), fmt="models.dev")
    assert len(events(store)) == 2  # nothing changed, nothing told


def test_litellm_prices_per_token_become_prices_per_million(store: Store) -> None:
    initialize(store)
    report = admin_for(store).import_public(fixture("litellm_prices.json"), fmt="litellm")
    assert report["models"]["added"] == ["claude-3-sonnet-20240229"]
    # Opus 4.5 is already what LiteLLM says of it; its prices are new.
    assert report["models"]["changed"] == [
        "claude-3-5-haiku-20241022",
        "claude-3-7-sonnet-20250219",
    ]
    assert report["models"]["unchanged"] == 1
    assert "claude-opus-4-5-20251101" in report["metadata"]["added"]
    assert report["skipped"] == [
        "claude-3-5-haiku-latest: claude-3-5-haiku-latest is an alias of "
        "claude-3-5-haiku-20241022, which the file also gives"
    ]
    # LiteLLM gives no name and no release date: the id and the epoch, as the API allows.
    new = model(store, "claude-3-sonnet-20240229")
    assert new["display_name"] == "claude-3-sonnet-20240229"
    assert new["created_at"] == "1970-01-01T00:00:00Z"
    assert metadata(store, "claude-opus-4-5-20251101") == {
        "provider": "anthropic",
        "family": None,
        "input_price_per_mtok": 5.0,
        "output_price_per_mtok": 25.0,
        "knowledge_cutoff": None,
        "source": "litellm",
    }
    sonnet = model(store, "claude-3-7-sonnet-20250219")  # through its alias -latest
    assert sonnet["max_tokens"] == 128_000
    assert sonnet["capabilities"]["server_tools"]["web_search"] == {"supported": True}


def test_a_later_source_keeps_what_it_does_not_say(store: Store) -> None:
    initialize(store)
    admin = admin_for(store)
    admin.import_public(fixture("models_dev_api.json"), fmt="models.dev")
    admin.import_public(fixture("litellm_prices.json"), fmt="litellm")
    # LiteLLM has no family or knowledge cut-off: models.dev's stay.
    assert metadata(store, "claude-opus-4-5-20251101") == {
        "provider": "anthropic",
        "family": "claude-opus",
        "input_price_per_mtok": 5.0,
        "output_price_per_mtok": 25.0,
        "knowledge_cutoff": "2025-03-31",
        "source": "litellm",
    }


def test_another_provider_and_its_spelling_of_ids(store: Store) -> None:
    initialize(store)
    report = admin_for(store).import_public(
        fixture("models_dev_api.json"), fmt="models.dev", provider="amazon-bedrock"
    )
    assert report["models"]["unchanged"] == 1  # Bedrock's Opus 4.5 is the catalogue's
    assert report["metadata"]["added"] == ["claude-opus-4-5-20251101"]
    assert report["skipped"] == [
        "amazon-bedrock.models.us.anthropic.claude-opus-4-5-20251101-v1:0: the same model as "
        "amazon-bedrock.models.anthropic.claude-opus-4-5-20251101-v1:0"
    ]
    assert metadata(store, "claude-opus-4-5-20251101")["input_price_per_mtok"] == 5.5


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [
        (
            "models_dev_bad.json",
            "models.dev",
            [
                "anthropic.models.claude-broken.knowledge: "
                "String should match pattern '^\\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\\d|3[01]))?$'",
                "anthropic.models.claude-broken.release_date: "
                "String should match pattern '^\\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\\d|3[01]))?$'",
                "anthropic.models.claude-broken.reasoning: "
                "Input should be a valid boolean, unable to interpret input",
                "anthropic.models.claude-broken.limit.context: "
                "Input should be a valid integer, unable to parse string as an integer",
                "anthropic.models.claude-broken.cost.input: "
                "Input should be greater than or equal to 0",
            ],
        ),
        (
            "litellm_bad.json",
            "litellm",
            [
                "claude-broken.max_input_tokens: "
                "Input should be a valid integer, unable to parse string as an integer",
                "claude-broken.input_cost_per_token: Input should be greater than or equal to 0",
                "claude-broken.supports_vision: "
                "Input should be a valid boolean, unable to interpret input",
            ],
        ),
    ],
)
def test_bad_records_are_all_reported_and_nothing_is_written(
    store: Store, name: str, fmt: str, expected: list[str]
) -> None:
    initialize(store)
    revision = store.revision()
    with pytest.raises(InvalidCatalogue) as caught:
        admin_for(store).import_public(fixture(name), fmt=fmt)
    assert sorted(map(str, caught.value.problems)) == sorted(expected)
    assert store.revision() == revision  # the good record beside them was not written either


def test_a_provider_the_file_does_not_have(store: Store) -> None:
    initialize(store)
    with pytest.raises(InvalidCatalogue) as caught:
        admin_for(store).import_public(
            fixture("models_dev_api.json"), fmt="models.dev", provider="x"
        )
    assert [str(p) for p in caught.value.problems] == [
        "x: no such provider in the file (amazon-bedrock, anthropic, openai)"
    ]
    with pytest.raises(InvalidCatalogue) as caught:
        admin_for(store).import_public(fixture("litellm_prices.json"), fmt="litellm", provider="x")
    assert [str(p) for p in caught.value.problems] == ["no chat model of provider 'x' in the file"]


def test_metadata_never_reaches_the_models_api_and_round_trips_through_the_export(
    store: Store,
) -> None:
    initialize(store)
    admin = admin_for(store)
    admin.import_public(fixture("models_dev_api.json"), fmt="models.dev")
    wire = model(store, "claude-3-sonnet-20240229")
    assert "provider" not in wire and "input_price_per_mtok" not in wire
    exported = json.loads(b"".join(admin.export_chunks(as_json=True)))
    given = {m["model"]: m for m in exported["metadata"]}
    assert given["claude-3-sonnet-20240229"]["family"] == "claude-sonnet"
    assert len(given) == 3
    # The export imports back unchanged, metadata included; a replace without metadata drops it.
    again = admin.import_catalogue(exported, replace_all=True)
    assert again["revision"] is None and again["metadata"]["unchanged"] == 3
    dropped = admin.import_catalogue({**exported, "metadata": []}, replace_all=True)
    assert dropped["metadata"]["removed"] == sorted(given)
    assert metadata(store, "claude-3-sonnet-20240229")["provider"] is None


def test_the_admin_api_imports_public_catalogues_and_shows_metadata(
    site: Site, admin: httpx.Client
) -> None:
    body = fixture("models_dev_api.json")
    dry = ok(
        admin.post(
            "/catalogue/import", params={"format": "models.dev", "dry_run": "true"}, json=body
        )
    )
    assert dry["dry_run"] is True and dry["provider"] == "anthropic"
    error(
        admin.post("/catalogue/import", params={"format": "litellm", "mode": "replace"}, json={}),
        400,
        "invalid_request_error",
        "mode: a public catalogue is merged, never replaces",
    )
    ok(admin.post("/catalogue/import", params={"format": "models.dev"}, json=body))
    shown = ok(admin.get("/models/claude-3-sonnet-20240229/metadata"))
    assert shown == {
        "type": "model_metadata",
        "model": "claude-3-sonnet-20240229",
        **SONNET_3_METADATA,
    }
    error(admin.get("/models/no-such-model/metadata"), 404, "not_found_error")
    with site.models_api(site.api_key) as models:
        served = ok(models.get("/models/claude-3-sonnet-20240229"))
    assert list(served) == MODEL_FIELDS
