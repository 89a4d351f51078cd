"""Catalogue files: every problem reported by position and field, nothing half-accepted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from modeldir.admin.bootstrap import bundled_document
from modeldir.catalogue.document import parse_document
from modeldir.errors import InvalidCatalogue

M = {"id": "m", "display_name": "M", "created_at": "2026-01-01"}


def problems(data: Any, known: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(InvalidCatalogue) as caught:
        parse_document(data, known_models=known)
    return [str(p) for p in caught.value.problems]


def test_a_saved_list_response_imports() -> None:
    response = {"data": [M], "has_more": False, "first_id": "m", "last_id": "m"}
    assert [m.id for m in parse_document(response).models] == ["m"]


def test_a_bare_list_is_a_list_of_models() -> None:
    assert [m.id for m in parse_document([M]).models] == ["m"]


def test_x_keys_are_ignored() -> None:
    assert parse_document({"x-anchors": [1, 2], "models": [M]}).models[0].id == "m"


def test_every_problem_is_reported() -> None:
    found = problems(
        {
            "models": [M, {**M, "display_name": ""}, M, "text"],
            "aliases": [
                {"alias": "m", "model": "m"},
                {"alias": "a", "model": "ghost"},
                {"alias": "a", "model": "m"},
            ],
            "colour": "red",
        }
    )
    assert found == [
        "colour: unknown key (expected models and aliases)",
        "models[1].display_name: String should have at least 1 character",
        "models[3]: Input should be a valid dictionary or instance of ModelInfo",
        "models[2].id: repeats models[0]: m",
        "aliases[2].alias: repeats aliases[1]: a",
        "aliases[0].alias: m is already a model id",
        "aliases[1].model: no model with id ghost",
    ]


def test_aliases_may_point_to_models_already_in_the_catalogue() -> None:
    document = parse_document(
        {"aliases": [{"alias": "short", "model": "stored"}]}, known_models=("stored",)
    )
    assert document.aliases[0].model == "stored"
    assert problems({"aliases": [{"alias": "stored", "model": "x"}]}, ("stored", "x")) == [
        "aliases[0].alias: stored is already a model id"
    ]


def test_not_a_mapping() -> None:
    assert problems("models: yes") == ["a catalogue file must hold a mapping or a list"]


def test_the_bundled_catalogue_is_valid_and_matches_wire_section_18() -> None:
    document = bundled_document()
    by_id = {m.id: m for m in document.models}
    assert by_id["claude-opus-4-7"].display_name == "Claude Opus 4.7"
    assert by_id["claude-opus-4-7"].max_input_tokens == 1_000_000
    for retired in [
        "claude-opus-4-20250514",
        "claude-sonnet-4-20250514",
        "claude-3-haiku-20240307",
        "claude-opus-4-1-20250805",
    ]:
        assert by_id[retired].lifecycle == "retired"
    caps = by_id["claude-haiku-4-5-20251001"].capabilities
    assert caps is not None and not caps.code_execution.supported and not caps.effort.supported
    aliases = {a.alias: a.model for a in document.aliases}
    assert aliases["claude-sonnet-4-0"] == "claude-sonnet-4-20250514"
    assert aliases["claude-4-opus-20250514"] == "claude-opus-4-20250514"
    assert all(target in by_id for target in aliases.values())


# WIRE §18 D: the end-of-life dates of the official Python SDK 2.14.0's table of deprecated
# models (`anthropic/_data/deprecated_models.py`), for each model and its alias.
END_OF_LIFE = {
    "claude-mythos-preview": "2026-06-30T00:00:00Z",
    "claude-sonnet-4-5-20250929": "2026-11-30T00:00:00Z",
    "claude-opus-4-5-20251101": "2027-01-22T00:00:00Z",
}


def test_the_bundled_catalogue_retires_models_when_the_sdk_says() -> None:
    document = bundled_document()
    by_id = {m.id: m.to_wire() for m in document.models}
    for model_id, end_of_life in END_OF_LIFE.items():
        assert by_id[model_id]["retires_at"] == end_of_life
        # A past date is an overdue retirement (WIRE §4.1): the model stays deprecated.
        assert by_id[model_id]["lifecycle"] == "deprecated"
    # deprecated_at is not in the SDK's table: the bundled value stays, even after the end.
    assert by_id["claude-mythos-preview"]["deprecated_at"] == "2026-10-21T00:00:00Z"
    aliases = {a.alias: a.model for a in document.aliases}
    assert aliases["claude-sonnet-4-5"] == "claude-sonnet-4-5-20250929"
    assert aliases["claude-opus-4-5"] == "claude-opus-4-5-20251101"


def test_the_end_of_life_dates_are_the_installed_sdks() -> None:
    """The SDK's own table, read in its own words ("June 30th, 2026"), agrees with the pins."""
    from anthropic._data.deprecated_models import DEPRECATED_MODELS as sdk_table

    aliases = {a.alias: a.model for a in bundled_document().aliases}
    for name, words in sdk_table.items():
        month, day, year = words.replace(",", "").split()
        day = "".join(c for c in day if c.isdigit())
        when = datetime.strptime(f"{year} {month} {day}", "%Y %B %d").strftime("%Y-%m-%d")
        assert END_OF_LIFE[aliases.get(name, name)] == f"{when}T00:00:00Z", name


LAUGHS = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{n}: &{n} [{','.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdef", "bcdefg", strict=True)
)


def test_yaml_aliases_that_expand_a_document_too_far_are_refused() -> None:
    from modeldir.catalogue.document import load_text
    from modeldir.errors import InvalidRequestError

    # 10**7 strings from 70 nodes: refused before anything is built from them.
    with pytest.raises(InvalidRequestError, match="aliases expand it more than 100 times"):
        load_text(LAUGHS.encode(), "laughs.yaml", as_json=False)
    with pytest.raises(InvalidRequestError, match="an alias refers to itself"):
        load_text(b"models: &m [*m]\n", "", as_json=False)
    shared = load_text(b"t: &t {a: 1}\nmodels: [{c: *t}, {c: *t}]\n", "", as_json=False)
    assert shared == {"t": {"a": 1}, "models": [{"c": {"a": 1}}, {"c": {"a": 1}}]}
