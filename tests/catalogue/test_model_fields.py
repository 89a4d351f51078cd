"""A model's fields as stored: the column list, each field's storage form, and the row mapping.

Pinned here: `STORED_FIELDS` is the wire field list without `type`, in wire order; which fields
are instants (whole epoch seconds), JSON text (compact, keys in declared order) or plain; the
row of a validated model, value by value; `wire_object` writes every field in wire order with
`YYYY-MM-DDTHH:MM:SSZ` times; and a row survives the trip back to a validated model.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modeldir.catalogue.model_fields import (
    KINDS,
    STORED_FIELDS,
    info_of,
    row_of,
    stored_value,
    wire_object,
    wire_value,
)
from modeldir.catalogue.model_info import Capabilities, ModelInfo
from tests.support.wire_shapes import MODEL_FIELDS

LEAF = {"supported": False}
DEFAULT_TREE: dict[str, Any] = {
    "batch": LEAF,
    "citations": LEAF,
    "code_execution": LEAF,
    "compaction": {"supported": False, "summarize": LEAF},
    "context_management": {
        "supported": False,
        "clear_thinking_20251015": LEAF,
        "clear_tool_uses_20250919": LEAF,
        "compact_20260112": LEAF,
    },
    "effort": {
        "supported": False,
        "low": LEAF,
        "medium": LEAF,
        "high": LEAF,
        "max": LEAF,
        "xhigh": LEAF,
    },
    "image_input": LEAF,
    "pdf_input": LEAF,
    "server_tools": {"supported": False, "code_execution": LEAF, "web_search": LEAF},
    "structured_outputs": LEAF,
    "thinking": {
        "supported": False,
        "types": {
            "adaptive": LEAF,
            "enabled": LEAF,
            "disabled": {"supported": True},
            "between_tools": LEAF,
        },
    },
}
JAN_1_2026 = 1_767_225_600
"""2026-01-01T00:00:00Z in epoch seconds."""


def compact(data: Any) -> str:
    """JSON text without spaces, keys in the order given."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def test_stored_fields_are_the_wire_fields_without_type() -> None:
    assert list(STORED_FIELDS) == MODEL_FIELDS[1:]


def test_kinds() -> None:
    assert KINDS == {
        "id": "plain",
        "display_name": "plain",
        "created_at": "instant",
        "max_input_tokens": "plain",
        "max_tokens": "plain",
        "capabilities": "json",
        "lifecycle": "plain",
        "deprecated_at": "instant",
        "retires_at": "instant",
        "line": "plain",
        "allowed_fallback_models": "json",
    }


def test_the_row_of_a_minimal_model() -> None:
    info = ModelInfo.model_validate({"id": "m", "display_name": "M", "created_at": "2026-01-01"})
    assert row_of(info) == (
        "m",
        "M",
        JAN_1_2026,
        None,
        None,
        compact(DEFAULT_TREE),
        "active",
        None,
        None,
        None,
        None,
    )


def test_the_row_of_a_full_model() -> None:
    info = ModelInfo.model_validate(
        {
            "id": "claude-opus-4-1",
            "display_name": "Claude Opus 4.1",
            "created_at": "2026-01-01T01:02:03+01:00",
            "max_input_tokens": 200_000,
            "max_tokens": 32_000,
            "capabilities": None,
            "lifecycle": "deprecated",
            "deprecated_at": "2026-01-02",
            "retires_at": "2026-01-03T00:00:00Z",
            "line": "opus",
            "allowed_fallback_models": ["claude-opus-4", "a/b"],
        }
    )
    assert row_of(info) == (
        "claude-opus-4-1",
        "Claude Opus 4.1",
        JAN_1_2026 + 2 * 60 + 3,
        200_000,
        32_000,
        None,
        "deprecated",
        JAN_1_2026 + 86_400,
        JAN_1_2026 + 2 * 86_400,
        "opus",
        '["claude-opus-4","a/b"]',
    )


@pytest.mark.parametrize(
    ("name", "value", "stored"),
    [
        ("created_at", datetime(2026, 1, 1, tzinfo=UTC), JAN_1_2026),
        ("created_at", datetime(1970, 1, 1, tzinfo=UTC), 0),
        ("created_at", datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC), -1),
        (
            "deprecated_at",
            datetime(2026, 1, 1, 4, tzinfo=timezone(timedelta(hours=2))),
            JAN_1_2026 + 7200,
        ),
        ("retires_at", None, None),
        ("allowed_fallback_models", ["a", "b"], '["a","b"]'),
        ("allowed_fallback_models", [], "[]"),
        ("allowed_fallback_models", ("x",), '["x"]'),
        ("capabilities", None, None),
        ("display_name", "Mod\u00e8le", "Mod\u00e8le"),
        ("max_tokens", 8192, 8192),
        ("line", None, None),
        ("lifecycle", "retired", "retired"),
    ],
)
def test_stored_value(name: str, value: Any, stored: Any) -> None:
    assert stored_value(name, value) == stored


def test_stored_capabilities_are_compact_json_in_declared_order() -> None:
    tree = Capabilities.model_validate(
        {"batch": {"supported": True}, "thinking": {"types": {"adaptive": {"supported": True}}}}
    )
    expected = json.loads(compact(DEFAULT_TREE))
    expected["batch"] = {"supported": True}
    expected["thinking"]["types"]["adaptive"] = {"supported": True}
    assert stored_value("capabilities", tree) == compact(expected)


@pytest.mark.parametrize(
    ("name", "value", "wire"),
    [
        ("created_at", JAN_1_2026, "2026-01-01T00:00:00Z"),
        ("created_at", 1_700_000_000, "2023-11-14T22:13:20Z"),
        ("created_at", 0, "1970-01-01T00:00:00Z"),
        ("deprecated_at", -62_135_596_800, "0001-01-01T00:00:00Z"),
        ("retires_at", 253_402_300_799, "9999-12-31T23:59:59Z"),
        ("retires_at", None, None),
        ("capabilities", '{"batch":{"supported":true}}', {"batch": {"supported": True}}),
        ("capabilities", None, None),
        ("allowed_fallback_models", '["a","b"]', ["a", "b"]),
        ("id", "a/b", "a/b"),
        ("max_input_tokens", 1, 1),
    ],
)
def test_wire_value(name: str, value: Any, wire: Any) -> None:
    assert wire_value(name, value) == wire


def test_wire_object_writes_every_field_in_wire_order() -> None:
    row = (
        "m",
        "M",
        JAN_1_2026,
        100,
        None,
        '{"batch":{"supported":true}}',
        "retired",
        JAN_1_2026 + 1,
        None,
        "haiku",
        '["x"]',
    )
    wire = wire_object(row)
    assert wire == {
        "type": "model",
        "id": "m",
        "display_name": "M",
        "created_at": "2026-01-01T00:00:00Z",
        "max_input_tokens": 100,
        "max_tokens": None,
        "capabilities": {"batch": {"supported": True}},
        "lifecycle": "retired",
        "deprecated_at": "2026-01-01T00:00:01Z",
        "retires_at": None,
        "line": "haiku",
        "allowed_fallback_models": ["x"],
    }
    assert list(wire) == MODEL_FIELDS


def test_wire_object_needs_a_whole_row() -> None:
    with pytest.raises(ValueError, match="shorter"):
        wire_object(("m", "M", JAN_1_2026))


def test_info_of_validates_a_row() -> None:
    row = ("m", "M", JAN_1_2026, None, None, None, "active", None, None, None, None)
    info = info_of(row)
    assert info.to_wire() == {
        "type": "model",
        "id": "m",
        "display_name": "M",
        "created_at": "2026-01-01T00:00:00Z",
        "max_input_tokens": None,
        "max_tokens": None,
        "capabilities": None,
        "lifecycle": "active",
        "deprecated_at": None,
        "retires_at": None,
        "line": None,
        "allowed_fallback_models": None,
    }


def test_info_of_rejects_a_row_that_breaks_the_rules() -> None:
    row = ("m", "M", JAN_1_2026, None, None, None, "active", JAN_1_2026, None, None, None)
    with pytest.raises(ValueError, match="deprecated_at must be null while lifecycle is 'active'"):
        info_of(row)


IDS = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Zs", "Zl", "Zp", "Cc", "Cs")),
    min_size=1,
    max_size=12,
)
MOMENTS = st.integers(-62_135_596_800, 253_402_300_799)


@st.composite
def models(draw: st.DrawFn) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """A model as import text would give it, and the row it must be stored as."""
    lifecycle = draw(st.sampled_from(["active", "deprecated", "retired"]))
    created = draw(MOMENTS)
    deprecated = None if lifecycle == "active" else draw(MOMENTS)
    retires = draw(st.none() | MOMENTS.filter(lambda t: deprecated is None or t >= deprecated))
    batch = draw(st.booleans())
    fallbacks = draw(st.none() | st.lists(IDS, max_size=3))
    line = draw(st.sampled_from([None, "haiku", "sonnet", "opus", "fable", "mythos"]))
    model_id, name = draw(IDS), draw(st.text(min_size=1, max_size=10))
    max_in, max_out = draw(st.none() | st.integers(1, 10**7)), draw(st.none() | st.integers(1, 99))

    def text(moment: int | None) -> str | None:
        if moment is None:
            return None
        return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=moment)).isoformat()

    tree = json.loads(compact(DEFAULT_TREE))
    tree["batch"] = {"supported": batch}
    data = {
        "id": model_id,
        "display_name": name,
        "created_at": text(created),
        "max_input_tokens": max_in,
        "max_tokens": max_out,
        "capabilities": {"batch": {"supported": batch}},
        "lifecycle": lifecycle,
        "deprecated_at": text(deprecated),
        "retires_at": text(retires),
        "line": line,
        "allowed_fallback_models": fallbacks,
    }
    row = (
        model_id,
        name,
        created,
        max_in,
        max_out,
        compact(tree),
        lifecycle,
        deprecated,
        retires,
        line,
        None if fallbacks is None else compact(fallbacks),
    )
    return data, row


@settings(max_examples=150)
@given(case=models())
def test_rows_round_trip(case: tuple[dict[str, Any], tuple[Any, ...]]) -> None:
    data, row = case
    info = ModelInfo.model_validate(data)
    assert row_of(info) == row
    assert info_of(row) == info
    assert list(wire_object(row)) == MODEL_FIELDS
