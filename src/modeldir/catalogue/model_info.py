"""`ModelInfo` and its capability tree: the one definition of a model's wire shape (WIRE §4).

These pydantic types validate what people write (import files, admin requests). Models loaded
from our own database skip validation and go straight to `render.py`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from modeldir.catalogue.timestamps import format_rfc3339, parse_timestamp

Lifecycle = Literal["active", "deprecated", "retired"]
LIFECYCLES: tuple[Lifecycle, ...] = ("active", "deprecated", "retired")
Line = Literal["haiku", "sonnet", "opus", "fable", "mythos"]

# Ids are case-sensitive (D19) and may hold any printable character, "/" included (a%2Fb is the
# id a/b), but no whitespace or control characters: those never survive a copy and paste.
ID_PATTERN = re.compile(r"[^\s\x00-\x1f\x7f]{1,256}")


def _check_id(value: str) -> str:
    if not ID_PATTERN.fullmatch(value):
        raise ValueError("must be 1 to 256 characters with no spaces or control characters")
    return value


MAX_TOKENS = 2**63 - 1
"""The largest token count a model can declare: the store keeps counts in 64-bit columns."""

ModelId = Annotated[str, BeforeValidator(lambda v: _check_id(v) if isinstance(v, str) else v)]

Timestamp = Annotated[
    datetime,
    BeforeValidator(parse_timestamp),
    PlainSerializer(format_rfc3339, return_type=str),
]
"""An instant, accepted as RFC 3339 or a bare date, always written as `YYYY-MM-DDTHH:MM:SSZ`."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Support(_Strict):
    """A capability leaf: exactly `{"supported": bool}` (D18)."""

    supported: bool = False


def _leaf() -> Support:
    return Support()


class ContextManagement(_Strict):
    supported: bool = False
    clear_thinking_20251015: Support = Field(default_factory=_leaf)
    clear_tool_uses_20250919: Support = Field(default_factory=_leaf)
    compact_20260112: Support = Field(default_factory=_leaf)


class Effort(_Strict):
    supported: bool = False
    low: Support = Field(default_factory=_leaf)
    medium: Support = Field(default_factory=_leaf)
    high: Support = Field(default_factory=_leaf)
    max: Support = Field(default_factory=_leaf)
    xhigh: Support = Field(default_factory=_leaf)


class ThinkingTypes(_Strict):
    adaptive: Support = Field(default_factory=_leaf)
    enabled: Support = Field(default_factory=_leaf)
    disabled: Support = Field(default_factory=lambda: Support(supported=True))
    between_tools: Support = Field(default_factory=_leaf)


class Thinking(_Strict):
    supported: bool = False
    types: ThinkingTypes = Field(default_factory=ThinkingTypes)


class ServerTools(_Strict):
    supported: bool = False
    code_execution: Support = Field(default_factory=_leaf)
    web_search: Support = Field(default_factory=_leaf)


class Compaction(_Strict):
    supported: bool = False
    summarize: Support = Field(default_factory=_leaf)


class Capabilities(_Strict):
    """The full capability tree of WIRE §4.3, beta superset included (D14).

    Every key is always written; an omitted key reads as unsupported, so an import file only
    needs to name what a model can do.
    """

    batch: Support = Field(default_factory=_leaf)
    citations: Support = Field(default_factory=_leaf)
    code_execution: Support = Field(default_factory=_leaf)
    compaction: Compaction = Field(default_factory=Compaction)
    context_management: ContextManagement = Field(default_factory=ContextManagement)
    effort: Effort = Field(default_factory=Effort)
    image_input: Support = Field(default_factory=_leaf)
    pdf_input: Support = Field(default_factory=_leaf)
    server_tools: ServerTools = Field(default_factory=ServerTools)
    structured_outputs: Support = Field(default_factory=_leaf)
    thinking: Thinking = Field(default_factory=Thinking)


class ModelInfo(_Strict):
    """One model exactly as the Models API returns it (WIRE §4.1, beta superset)."""

    type: Literal["model"] = "model"
    id: ModelId
    display_name: str = Field(min_length=1, max_length=256)
    created_at: Timestamp
    max_input_tokens: int | None = Field(default=None, ge=1, le=MAX_TOKENS)
    max_tokens: int | None = Field(default=None, ge=1, le=MAX_TOKENS)
    capabilities: Capabilities | None = Field(default_factory=Capabilities)
    lifecycle: Lifecycle = "active"
    deprecated_at: Timestamp | None = None
    retires_at: Timestamp | None = None
    line: Line | None = None
    allowed_fallback_models: list[ModelId] | None = None

    @model_validator(mode="after")
    def _lifecycle_dates_agree(self) -> Self:
        problems = lifecycle_problems(self.lifecycle, self.deprecated_at, self.retires_at)
        if problems:
            raise ValueError(problems[0])
        return self

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready dict, keys in wire order, every field present (D17, D18)."""
        return self.model_dump(mode="json")


def lifecycle_problems(
    lifecycle: Lifecycle, deprecated_at: datetime | None, retires_at: datetime | None
) -> list[str]:
    """Every way a lifecycle and its dates disagree (the rules that span several fields).

    A `retires_at` before `deprecated_at` is allowed: the real API has served one (a model
    deprecated after the end of life the SDK announced, WIRE §18 D), and a mirror of it must
    accept what it serves.
    """
    problems = []
    if lifecycle == "active" and deprecated_at is not None:
        problems.append("deprecated_at must be null while lifecycle is 'active'")
    if lifecycle != "active" and deprecated_at is None:
        problems.append(f"deprecated_at is required when lifecycle is '{lifecycle}'")
    return problems


_LIFECYCLE_FIELDS = {
    name: TypeAdapter(ModelInfo.model_fields[name].rebuild_annotation())
    for name in ("lifecycle", "deprecated_at", "retires_at")
}


def cross_field_problems(raw: object) -> list[str]:
    """The lifecycle rules checked on raw input whose lifecycle fields are each valid.

    pydantic checks rules across fields only once every field is valid; this finds those
    problems in the same pass as the field errors, so one import run reports them all.
    """
    if not isinstance(raw, dict):
        return []
    values: dict[str, Any] = {}
    for name, adapter in _LIFECYCLE_FIELDS.items():
        default = ModelInfo.model_fields[name].get_default(call_default_factory=True)
        try:
            values[name] = adapter.validate_python(raw[name]) if name in raw else default
        except ValidationError:
            return []  # reported as a field error already
    return lifecycle_problems(values["lifecycle"], values["deprecated_at"], values["retires_at"])


class Alias(_Strict):
    """A second name that retrieve resolves to a model (WIRE §7)."""

    alias: ModelId
    model: ModelId
    listed: bool = False


def epoch_of(moment: datetime) -> int:
    """Whole seconds since 1970-01-01 UTC."""
    return int(moment.astimezone(UTC).timestamp())
