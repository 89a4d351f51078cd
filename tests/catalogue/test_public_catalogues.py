"""Reading the public catalogues: ids as the Models API spells them, problems by source field."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from modeldir.catalogue.public_catalogues import normalise_id, read_litellm, read_models_dev


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("claude-opus-4-5-20251101", "claude-opus-4-5-20251101"),
        ("anthropic/claude-opus-4-5-20251101", "claude-opus-4-5-20251101"),
        ("anthropic.claude-opus-4-5-20251101-v1:0", "claude-opus-4-5-20251101"),
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929"),
        ("bedrock/global.anthropic.claude-opus-4-5-20251101-v1:0", "claude-opus-4-5-20251101"),
        ("vertex_ai/claude-3-5-haiku@20241022", "claude-3-5-haiku-20241022"),
    ],
)
def test_ids_are_normalised(raw: str, expected: str) -> None:
    assert normalise_id(raw) == expected


@given(st.from_regex(r"claude(-[a-z0-9]{1,8}){1,5}", fullmatch=True))
def test_a_models_api_id_is_already_normal(model_id: str) -> None:
    assume(re.search(r"-v\d+$", model_id) is None)  # a Bedrock version suffix
    assert normalise_id(model_id) == model_id


def test_a_month_is_its_first_day_and_zero_limits_are_unknown() -> None:
    reading = read_models_dev(
        {"p": {"models": {"m": {"release_date": "2025-11", "limit": {"context": 0, "output": 0}}}}},
        "p",
    )
    (model,) = reading.models
    assert model.released == "2025-11-01"
    assert model.max_input_tokens is None and model.max_tokens is None
    assert model.metadata == {"provider": "p"}


def test_litellm_leaves_out_what_is_not_a_chat_model() -> None:
    reading = read_litellm(
        {
            "a": {"litellm_provider": "p", "mode": "chat"},
            "b": {"litellm_provider": "p", "mode": "embedding"},
            "c": {"litellm_provider": "q", "mode": "chat"},
        },
        "p",
    )
    assert [m.id for m in reading.models] == ["a"]
    assert reading.skipped == ["b: mode embedding, not a chat model"]
