"""What a model record may hold, and the exact wire form it takes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from modeldir.catalogue.model_info import ModelInfo
from modeldir.catalogue.records import ModelRecord
from modeldir.catalogue.render import Renderer
from modeldir.catalogue.timestamps import format_epoch, parse_timestamp
from tests.support.wire_shapes import MODEL_FIELDS


def make(**fields: Any) -> ModelInfo:
    return ModelInfo.model_validate(
        {"id": "m", "display_name": "M", "created_at": "2026-01-01", **fields}
    )


def errors(**fields: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        make(**fields)
    return [e["msg"] for e in caught.value.errors()]


def test_minimal_model_gets_every_field_and_a_full_unsupported_tree() -> None:
    wire = make().to_wire()
    assert list(wire) == MODEL_FIELDS
    assert wire["created_at"] == "2026-01-01T00:00:00Z"
    assert wire["capabilities"]["effort"]["xhigh"] == {"supported": False}
    assert wire["capabilities"]["context_management"]["compact_20260112"] == {"supported": False}
    assert wire["capabilities"]["thinking"]["types"]["disabled"] == {"supported": True}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-04-14", "2026-04-14T00:00:00Z"),
        ("2026-04-14T10:00:00+02:00", "2026-04-14T08:00:00Z"),
        ("2026-04-14T08:00:00.999Z", "2026-04-14T08:00:00Z"),
        ("2026-04-14T08:00:00", "2026-04-14T08:00:00Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
    ],
)
def test_timestamps_are_normalised(value: str, expected: str) -> None:
    assert make(created_at=value).to_wire()["created_at"] == expected


def test_early_years_keep_four_digits() -> None:
    moment = parse_timestamp("0099-01-01T00:00:00Z")
    assert isinstance(moment, datetime)
    assert format_epoch(int(moment.replace(tzinfo=UTC).timestamp())) == "0099-01-01T00:00:00Z"


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+00:45", "9999-12-31T23:59:59-01:00"])
def test_an_offset_past_the_range_of_years_is_a_validation_error(value: str) -> None:
    # Found by fuzzing the admin API: it was an OverflowError, a 500, rather than a 400.
    with pytest.raises(ValidationError, match="outside the years 0001 to 9999"):
        make(created_at=value)


def test_lifecycle_dates_must_agree() -> None:
    assert errors(deprecated_at="2026-02-01") == [
        "Value error, deprecated_at must be null while lifecycle is 'active'"
    ]
    assert errors(lifecycle="deprecated") == [
        "Value error, deprecated_at is required when lifecycle is 'deprecated'"
    ]
    # Deprecated after the announced end of life: the real API serves such a model (WIRE §18 D).
    late = make(lifecycle="deprecated", deprecated_at="2026-10-21", retires_at="2026-06-30")
    assert late.to_wire()["retires_at"] == "2026-06-30T00:00:00Z"


@pytest.mark.parametrize("bad", ["", "has space", "tab\t", "x" * 257, "nl\n"])
def test_bad_ids(bad: str) -> None:
    assert errors(id=bad) == [
        "Value error, must be 1 to 256 characters with no spaces or control characters"
    ]


def test_unknown_fields_and_capabilities_are_refused() -> None:
    assert errors(colour="red") == ["Extra inputs are not permitted"]
    assert errors(capabilities={"teleport": {"supported": True}}) == [
        "Extra inputs are not permitted"
    ]
    assert errors(capabilities={"batch": {"supported": True, "extra": 1}}) == [
        "Extra inputs are not permitted"
    ]


def test_a_record_renders_to_exactly_the_validated_wire_form() -> None:
    info = make(
        lifecycle="deprecated",
        deprecated_at="2026-02-01",
        line="opus",
        allowed_fallback_models=["a"],
        capabilities={
            "batch": {"supported": True},
            "effort": {"supported": True, "low": {"supported": True}},
        },
    )
    record = ModelRecord.from_info(info)
    body = Renderer().entry(record).body()
    assert orjson.loads(body) == info.to_wire()
    assert record.info() == info


def test_null_capabilities_render_as_null() -> None:
    info = make(capabilities=None)
    body = Renderer().entry(ModelRecord.from_info(info)).body()
    assert orjson.loads(body)["capabilities"] is None
