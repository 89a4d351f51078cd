"""The public catalogues many gateways import, read into what modeldir keeps of a model.

Two formats, both MIT licensed and downloadable as one JSON file (docs/catalogue-format.md):

    models.dev   api.json:  {"<provider>": {"models": {"<id>": {name, family, release_date,
                 knowledge, reasoning, modalities, limit{context, input?, output},
                 cost{input, output}, ...}}}}                         (prices per million tokens)
    litellm      model_prices_and_context_window.json: {"<key>": {litellm_provider, mode,
                 max_input_tokens, max_output_tokens, input_cost_per_token, supports_*, ...}}

Only the records of one provider are read, and only the fields this module names: what a
source says nothing about is left as it is. Each record becomes a `SourceModel` (its id
normalised); a record of that provider whose fields are wrong is a problem at its place in the
file, named by the source's own field names. Pure: the caller reads the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from modeldir.catalogue.model_metadata import KNOWLEDGE_PATTERN
from modeldir.errors import Problem, problems_of

DATE_PATTERN = KNOWLEDGE_PATTERN
"""A source's dates: `YYYY-MM` or `YYYY-MM-DD`."""
Leaf = tuple[str, ...]
"""The path to one `supported` flag of the capability tree, e.g. ("thinking", "supported")."""
EFFORT_LEVELS = ("low", "medium", "high", "max", "xhigh")
PER_MILLION = 1_000_000


@dataclass(frozen=True, slots=True)
class SourceModel:
    """One model as a public catalogue describes it, in modeldir's terms."""

    where: str
    """Its place in the file, e.g. `anthropic.models.claude-opus-4-5`."""
    id: str
    name: str | None = None
    released: str | None = None
    """`YYYY-MM-DD`: used only for a model the catalogue does not have yet."""
    max_input_tokens: int | None = None
    max_tokens: int | None = None
    capabilities: dict[Leaf, bool] = field(default_factory=dict)
    """Only the flags the source speaks of."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """Only the metadata fields the source gives (see `model_metadata.py`)."""


@dataclass(slots=True)
class SourceReading:
    """What one file gives for one provider."""

    models: list[SourceModel] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Records of the provider left out, each with the reason."""


_REGION = re.compile(r"^(?:(?:us|eu|apac|au|jp|global)\.)?anthropic\.")
_VERSION = re.compile(r"-v\d+(?::\d+)?$")


def normalise_id(raw: str) -> str:
    """A provider's spelling of a model id as the Models API spells it.

    `anthropic/claude-x` (routers), `us.anthropic.claude-x-v1:0` (Bedrock) and
    `claude-x@20250514` (Vertex) become `claude-x`, `claude-x` and `claude-x-20250514`.
    """
    name = raw.rsplit("/", 1)[-1]
    name = _VERSION.sub("", _REGION.sub("", name))
    return name.replace("@", "-")


class _Source(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Modalities(_Source):
    input: list[str] = Field(default_factory=list)


class _ModelsDevLimit(_Source):
    context: int | None = Field(None, ge=0)
    input: int | None = Field(None, ge=0)
    output: int | None = Field(None, ge=0)


class _ModelsDevCost(_Source):
    input: float | None = Field(None, ge=0, allow_inf_nan=False)
    output: float | None = Field(None, ge=0, allow_inf_nan=False)


class _ModelsDevModel(_Source):
    name: str | None = Field(None, min_length=1, max_length=256)
    family: str | None = Field(None, min_length=1, max_length=64)
    release_date: str | None = Field(None, pattern=DATE_PATTERN)
    knowledge: str | None = Field(None, pattern=DATE_PATTERN)
    reasoning: bool | None = None
    structured_output: bool | None = None
    reasoning_options: list[dict[str, Any]] | None = None
    modalities: _Modalities | None = None
    limit: _ModelsDevLimit | None = None
    cost: _ModelsDevCost | None = None


class _LiteLLMModel(_Source):
    mode: str | None = None
    max_input_tokens: int | None = Field(None, ge=0)
    max_output_tokens: int | None = Field(None, ge=0)
    max_tokens: int | None = Field(None, ge=0)
    input_cost_per_token: float | None = Field(None, ge=0, allow_inf_nan=False)
    output_cost_per_token: float | None = Field(None, ge=0, allow_inf_nan=False)
    supports_vision: bool | None = None
    supports_pdf_input: bool | None = None
    supports_reasoning: bool | None = None
    supports_response_schema: bool | None = None
    supports_web_search: bool | None = None


def _positive(value: int | None) -> int | None:
    """A token limit; 0 is how the sources say "unknown"."""
    return value or None


def _day(date: str | None) -> str | None:
    """A source's date as a day: `2025-11` is the first of the month."""
    return None if date is None else date if len(date) == 10 else f"{date}-01"


def _given(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


def _flags(pairs: dict[Leaf, bool | None]) -> dict[Leaf, bool]:
    return {leaf: value for leaf, value in pairs.items() if value is not None}


def _models_dev_model(where: str, key: str, provider: str, raw: _ModelsDevModel) -> SourceModel:
    inputs = None if raw.modalities is None else raw.modalities.input
    flags: dict[Leaf, bool | None] = {
        ("thinking", "supported"): raw.reasoning,
        ("structured_outputs", "supported"): raw.structured_output,
        ("image_input", "supported"): None if inputs is None else "image" in inputs,
        ("pdf_input", "supported"): None if inputs is None else "pdf" in inputs,
    }
    for option in raw.reasoning_options or []:
        if option.get("type") == "budget_tokens":
            flags["thinking", "types", "enabled", "supported"] = True
        elif option.get("type") == "effort" and isinstance(option.get("values"), list):
            flags["effort", "supported"] = True
            for level in EFFORT_LEVELS:
                flags["effort", level, "supported"] = level in option["values"]
    limit, cost = raw.limit, raw.cost
    return SourceModel(
        where=where,
        id=normalise_id(key),
        name=raw.name,
        released=_day(raw.release_date),
        max_input_tokens=None if limit is None else _positive(limit.input or limit.context),
        max_tokens=None if limit is None else _positive(limit.output),
        capabilities=_flags(flags),
        metadata=_given(
            provider=provider,
            family=raw.family,
            input_price_per_mtok=None if cost is None else cost.input,
            output_price_per_mtok=None if cost is None else cost.output,
            knowledge_cutoff=raw.knowledge,
        ),
    )


def read_models_dev(data: Any, provider: str) -> SourceReading:
    """The models of one provider in models.dev's `api.json`."""
    reading = SourceReading()
    section = data.get(provider) if isinstance(data, dict) else None
    models = section.get("models") if isinstance(section, dict) else None
    if not isinstance(data, dict):
        reading.problems.append(Problem("", "a models.dev file is a JSON object of providers"))
    elif not isinstance(models, dict):
        known = ", ".join(sorted(str(k) for k in data)[:20])
        reading.problems.append(Problem(provider, f"no such provider in the file ({known})"))
    for key, item in (models or {}).items():
        where = f"{provider}.models.{key}"
        try:
            raw = _ModelsDevModel.model_validate(item)
        except ValidationError as error:
            reading.problems.extend(problems_of(error, where))
            continue
        reading.models.append(_models_dev_model(where, str(key), provider, raw))
    return reading


def _litellm_model(key: str, provider: str, raw: _LiteLLMModel) -> SourceModel:
    def per_million(per_token: float | None) -> float | None:
        return None if per_token is None else round(per_token * PER_MILLION, 6)

    flags: dict[Leaf, bool | None] = {
        ("image_input", "supported"): raw.supports_vision,
        ("pdf_input", "supported"): raw.supports_pdf_input,
        ("thinking", "supported"): raw.supports_reasoning,
        ("structured_outputs", "supported"): raw.supports_response_schema,
        ("server_tools", "web_search", "supported"): raw.supports_web_search,
    }
    return SourceModel(
        where=key,
        id=normalise_id(key),
        max_input_tokens=_positive(raw.max_input_tokens),
        max_tokens=_positive(raw.max_output_tokens or raw.max_tokens),
        capabilities=_flags(flags),
        metadata=_given(
            provider=provider,
            input_price_per_mtok=per_million(raw.input_cost_per_token),
            output_price_per_mtok=per_million(raw.output_cost_per_token),
        ),
    )


def read_litellm(data: Any, provider: str) -> SourceReading:
    """The chat models of one provider in LiteLLM's `model_prices_and_context_window.json`."""
    reading = SourceReading()
    if not isinstance(data, dict):
        reading.problems.append(Problem("", "a LiteLLM file is a JSON object of models"))
        return reading
    for key, item in data.items():
        if not isinstance(item, dict) or item.get("litellm_provider") != provider:
            continue  # another provider's, or the file's `sample_spec`
        try:
            raw = _LiteLLMModel.model_validate(item)
        except ValidationError as error:
            reading.problems.extend(problems_of(error, str(key)))
            continue
        if raw.mode not in (None, "chat"):
            reading.skipped.append(f"{key}: mode {raw.mode}, not a chat model")
            continue
        reading.models.append(_litellm_model(str(key), provider, raw))
    if not reading.models and not reading.problems:
        reading.problems.append(Problem("", f"no chat model of provider {provider!r} in the file"))
    return reading


FORMATS: dict[str, Callable[[Any, str], SourceReading]] = {
    "models.dev": read_models_dev,
    "litellm": read_litellm,
}
"""Each public format by the name `models import --format` takes."""


def unique_models(reading: SourceReading) -> Iterator[SourceModel]:
    """The models of a reading, the first of each normalised id (the others noted as skipped)."""
    first: dict[str, str] = {}
    for model in reading.models:
        seen = first.setdefault(model.id, model.where)
        if seen != model.where:
            reading.skipped.append(f"{model.where}: the same model as {seen}")
            continue
        yield model
