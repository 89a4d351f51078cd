"""Models as the wire bytes the snapshot serves, and a list page around them.

Pinned here: an entry's body is the model's compact JSON, every field in wire order with
`YYYY-MM-DDTHH:MM:SSZ` times; entries sort by `(-created_at, id)`; each lifecycle is one bit
(active 1, deprecated 2, retired 4); a listed alias is its target's JSON under the alias's id,
sorting at its target's release time and then by its own id; identical capability trees and
tails are rendered once; and a page renders as exactly `data, has_more, first_id, last_id`.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from modeldir.catalogue.pages import Page
from modeldir.catalogue.render import Entry, Renderer, alias_entry, render_page
from tests.factories import BASE, DAY, model
from tests.support.wire_shapes import MODEL_FIELDS

EMPTY = b'{"data":[],"has_more":false,"first_id":null,"last_id":null}'


def compact(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def wire(model_id: str, created: str = "2023-11-14T22:13:20Z", **fields: Any) -> dict[str, Any]:
    """The wire object of a `tests.factories.model` with default fields."""
    return {
        "type": "model",
        "id": model_id,
        "display_name": model_id.title(),
        "created_at": created,
        "max_input_tokens": 200_000,
        "max_tokens": 8_192,
        "capabilities": None,
        "lifecycle": "active",
        "deprecated_at": None,
        "retires_at": None,
        "line": None,
        "allowed_fallback_models": None,
        **fields,
    }


def test_the_body_is_the_models_compact_json() -> None:
    entry = Renderer().entry(model("claude-x"))
    assert entry.body() == compact(wire("claude-x"))
    assert list(json.loads(entry.body())) == MODEL_FIELDS


def test_every_field_is_rendered() -> None:
    record = model(
        "claude-opus-4-1",
        1,
        "deprecated",
        display_name='Claude \u00d6pus "4.1"',
        capabilities='{"batch":{"supported":true}}',
        retires_at=BASE + 2 * DAY,
        line="opus",
        allowed_fallback_models='["claude-opus-4","a/b"]',
        max_tokens=None,
    )
    entry = Renderer().entry(record)
    assert json.loads(entry.body()) == wire(
        "claude-opus-4-1",
        "2023-11-15T22:13:20Z",
        display_name='Claude \u00d6pus "4.1"',
        capabilities={"batch": {"supported": True}},
        lifecycle="deprecated",
        deprecated_at="2023-11-14T22:13:20Z",
        retires_at="2023-11-16T22:13:20Z",
        line="opus",
        allowed_fallback_models=["claude-opus-4", "a/b"],
        max_tokens=None,
    )
    assert list(json.loads(entry.body())) == MODEL_FIELDS


def test_entry_identity_and_lifecycle_bits() -> None:
    renderer = Renderer()
    for lifecycle, bit in (("active", 1), ("deprecated", 2), ("retired", 4)):
        entry = renderer.entry(model("m", 0, lifecycle))  # type: ignore[arg-type]
        assert (entry.id, entry.model_id, entry.lifecycle_bit) == ("m", "m", bit)


def test_entry_from_row_is_the_entry_of_the_record() -> None:
    record = model("claude-x", 3, capabilities='{"batch":{"supported":false}}')
    from_row = Renderer().entry_from_row(record.row)
    from_record = Renderer().entry(record)
    assert (
        from_row.body()
        == from_record.body()
        == compact(
            wire("claude-x", "2023-11-17T22:13:20Z", capabilities={"batch": {"supported": False}})
        )
    )
    assert from_row.sort_key == from_record.sort_key


def test_identical_trees_and_tails_are_rendered_once() -> None:
    renderer = Renderer()
    tree = '{"batch":{"supported":true}}'
    one = renderer.entry(model("one", 0, capabilities=tree))
    two = renderer.entry(model("two", 5, capabilities=tree))
    other = renderer.entry(model("three", 0, capabilities=None, line="opus"))
    assert one.capabilities is two.capabilities
    assert one.tail is two.tail
    assert one.capabilities != other.capabilities
    assert one.tail != other.tail
    assert json.loads(other.body()) == wire("three", line="opus")


NAMES = st.text(min_size=1, max_size=6)
TIMES = st.integers(-62_135_596_800, 253_402_300_799)


@settings(max_examples=150)
@given(catalogue=st.dictionaries(NAMES, TIMES, max_size=12))
def test_entries_sort_newest_first_then_by_id(catalogue: dict[str, int]) -> None:
    renderer = Renderer()
    entries = [renderer.entry(model(i, created_at=t)) for i, t in catalogue.items()]
    in_order = sorted(entries, key=lambda e: e.sort_key)
    assert [e.id for e in in_order] == [i for i, _ in sorted(catalogue.items(), key=by_list_order)]


def by_list_order(item: tuple[str, int]) -> tuple[int, str]:
    model_id, created_at = item
    return (-created_at, model_id)


# ---- aliases ---------------------------------------------------------------------------------


def test_an_alias_entry_is_its_targets_json_under_the_alias() -> None:
    target = Renderer().entry(model("claude-opus-4-1-20250805", 2, line="opus"))
    alias = alias_entry(target, "claude-opus-4-1")
    assert (alias.id, alias.model_id) == ("claude-opus-4-1", "claude-opus-4-1-20250805")
    assert alias.lifecycle_bit == 1
    assert alias.body() == compact(
        wire(
            "claude-opus-4-1",
            "2023-11-16T22:13:20Z",
            display_name="Claude-Opus-4-1-20250805",
            line="opus",
        )
    )
    assert target.body() == compact(
        wire("claude-opus-4-1-20250805", "2023-11-16T22:13:20Z", line="opus")
    )


@settings(max_examples=150)
@given(
    models=st.dictionaries(NAMES, TIMES, min_size=1, max_size=8),
    alias_names=st.lists(NAMES, max_size=6),
    data=st.data(),
)
def test_aliases_sort_at_their_targets_time_then_by_their_own_id(
    models: dict[str, int], alias_names: list[str], data: st.DataObject
) -> None:
    renderer = Renderer()
    entries = {i: renderer.entry(model(i, created_at=t)) for i, t in models.items()}
    listed: list[Entry] = list(entries.values())
    expected: list[tuple[int, str]] = [(-t, i) for i, t in models.items()]
    for name in alias_names:
        target = data.draw(st.sampled_from(sorted(models)))
        alias = alias_entry(entries[target], name)
        body = json.loads(alias.body())
        assert body == {**json.loads(entries[target].body()), "id": name}
        assert list(body) == MODEL_FIELDS
        assert alias.model_id == target
        listed.append(alias)
        expected.append((-models[target], name))
    in_order = sorted(listed, key=lambda e: e.sort_key)
    assert [e.id for e in in_order] == [i for _, i in sorted(expected)]


# ---- pages -----------------------------------------------------------------------------------


def test_an_empty_page_is_exact() -> None:
    assert render_page(Page([], has_more=False)) == EMPTY


def test_a_page_of_one() -> None:
    entry = Renderer().entry(model("m"))
    assert render_page(Page([entry], has_more=True)) == (
        b'{"data":[' + compact(wire("m")) + b'],"has_more":true,"first_id":"m","last_id":"m"}'
    )


@settings(max_examples=100)
@given(
    ids=st.lists(NAMES, unique=True, min_size=1, max_size=8),
    has_more=st.booleans(),
    alias=st.none() | NAMES,
)
def test_a_page_parses_to_the_envelope(ids: list[str], has_more: bool, alias: str | None) -> None:
    renderer = Renderer()
    entries = [renderer.entry(model(i, day)) for day, i in enumerate(ids)]
    objects = [wire(i, f"2023-11-{14 + day}T22:13:20Z") for day, i in enumerate(ids)]
    if alias is not None:  # a listed alias of the first model, at the end of the page
        entries.append(alias_entry(entries[0], alias))
        objects.append({**objects[0], "id": alias})
    rendered = json.loads(render_page(Page(entries, has_more=has_more)))
    assert list(rendered) == ["data", "has_more", "first_id", "last_id"]
    assert rendered == {
        "data": objects,
        "has_more": has_more,
        "first_id": objects[0]["id"],
        "last_id": objects[-1]["id"],
    }
    assert all(list(got) == MODEL_FIELDS for got in rendered["data"])
