"""What admin requests may contain: bodies and query parameters, validated by pydantic.

Unknown fields are refused, so a typo is an error rather than a silent no-op. Validation errors
become one `400 invalid_request_error` naming the first bad field, in the API's own style
(`name: String should have at most 255 characters`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from modeldir.catalogue.access import unclosed_set
from modeldir.catalogue.model_info import ID_PATTERN, LIFECYCLES, Lifecycle, ModelId, Timestamp
from modeldir.catalogue.webhook_events import EVENT_TYPES
from modeldir.errors import InvalidRequestError, validation_message

M = TypeVar("M", bound=BaseModel)

_COLOR = r"^#[0-9A-Fa-f]{6}$"
MAX_GRACE_SECONDS = 30 * 86_400
MAX_RATE = 2**31 - 1
"""The most requests per minute a limit can name: the store keeps limits in 32-bit columns."""


def _patterns(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    for value in values:
        if not ID_PATTERN.fullmatch(value):  # a glob is held to the same rule as an id
            raise ValueError(
                f"{value!r} is not a model id or glob (no spaces, 1 to 256 characters)"
            )
        unclosed = unclosed_set(value)
        if unclosed is not None:
            raise ValueError(
                f"{value!r}: the '[' at position {unclosed + 1} opens a set that never closes; "
                "end it with ']', or write '[[]' for a literal '['"
            )
    return sorted(set(values))


def _tags(values: dict[str, Any] | None) -> dict[str, Any] | None:
    for key in values or {}:
        if key.lower().startswith("anthropic"):
            raise ValueError(f"tag keys may not begin with 'anthropic': {key!r}")
    return values


def _event_types(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    for value in values:
        if value not in EVENT_TYPES:
            raise ValueError(f"{value!r} is not an event type; they are: {', '.join(EVENT_TYPES)}")
    return sorted(set(values), key=EVENT_TYPES.index)


EventTypes = Annotated[list[str] | None, Field(min_length=1), AfterValidator(_event_types)]

ModelAccess = Annotated[list[str] | None, Field(max_length=1000), AfterValidator(_patterns)]
"""Model ids and glob patterns; null means every model."""


class _Input(BaseModel):
    # Field docstrings describe the fields in the OpenAPI document too.
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


def parse(kind: type[M], data: Any) -> M:
    """Validated input, or InvalidRequestError naming the first problem."""
    try:
        return kind.model_validate(data)
    except ValidationError as error:
        raise InvalidRequestError(validation_message(error)) from None


# ---- bodies -----------------------------------------------------------------------------------


class RateLimits(_Input):
    """Requests per minute; null: the organisation default; 0: no limit."""

    requests_per_minute: int | None = Field(None, ge=0, le=MAX_RATE)
    """For the whole workspace."""
    key_requests_per_minute: int | None = Field(None, ge=0, le=MAX_RATE)
    """For each of its API keys."""


class WorkspaceCreate(_Input):
    name: str = Field(min_length=1, max_length=255)
    display_color: str | None = Field(None, pattern=_COLOR)
    model_access: ModelAccess = None
    tags: Annotated[dict[str, str] | None, AfterValidator(_tags)] = None
    rate_limits: RateLimits | None = None


class WorkspaceUpdate(_Input):
    name: str = Field(None, min_length=1, max_length=255)  # type: ignore[assignment]
    display_color: str = Field(None, pattern=_COLOR)  # type: ignore[assignment]
    model_access: ModelAccess = None
    tags: Annotated[dict[str, str | None] | None, AfterValidator(_tags)] = None
    """Merged into the workspace's tags; a null value removes that tag."""
    rate_limits: RateLimits = None  # type: ignore[assignment]
    """The limits named here change; the others stay."""


class ApiKeyCreate(_Input):
    name: str = Field("modeldir key", min_length=1, max_length=500)
    workspace_id: str | None = None
    """The workspace (default: the default workspace)."""
    expires_at: Timestamp | None = None


class ApiKeyUpdate(_Input):
    name: str = Field(None, min_length=1, max_length=500)  # type: ignore[assignment]
    status: Literal["active", "inactive", "archived"] = None  # type: ignore[assignment]


class ApiKeyRotate(_Input):
    grace_period_seconds: int = Field(3600, ge=0, le=MAX_GRACE_SECONDS)
    """How long the old key keeps working."""


class ModelDeprecate(_Input):
    deprecated_at: Timestamp | None = None
    """When it was deprecated (default: now)."""
    retires_at: Timestamp | None = None
    """When it is scheduled to retire, if known."""


class ModelRetire(_Input):
    retires_at: Timestamp | None = None
    """When it retired (default: now)."""


class AliasCreate(_Input):
    alias: ModelId
    model: ModelId
    listed: bool = False


class AliasUpdate(_Input):
    model: ModelId = None  # type: ignore[assignment]
    listed: bool = None  # type: ignore[assignment]


class WebhookCreate(_Input):
    url: str = Field(min_length=1, max_length=2048)
    description: str = Field("", max_length=500)
    event_types: EventTypes = None
    """The event types to send there; null: every type."""


class AdminKeyCreate(_Input):
    name: str = Field("admin key", min_length=1, max_length=500)
    read_only: bool = False
    """A read-only key reads everything and changes nothing."""


# ---- query parameters -------------------------------------------------------------------------


class ListParams(_Input):
    """Cursor pagination, as on every Anthropic list endpoint."""

    model_config = ConfigDict(extra="ignore")  # `beta=true` and the like are ignored

    before_id: str | None = None
    """The page of results just before this object (its id)."""
    after_id: str | None = None
    """The page of results just after this object (its id)."""
    limit: int = Field(20, ge=1, le=1000)
    """Objects per page."""


class WorkspaceListParams(ListParams):
    include_archived: bool = False
    include_default: bool = False
    ids: list[str] | None = None


class ApiKeyListParams(ListParams):
    workspace_id: str | None = None
    status: Literal["active", "inactive", "archived", "expired"] | None = None
    created_by_user_id: str | None = None


class ModelListParams(ListParams):
    lifecycle: list[Lifecycle] = Field(default_factory=lambda: list(LIFECYCLES))


class AuditListParams(ListParams):
    object_id: str | None = None
    actor_id: str | None = None
    action: str | None = None
    starting_at: Timestamp | None = None
    """Only entries made at or after this instant."""
    ending_at: Timestamp | None = None
    """Only entries made before this instant."""

    @model_validator(mode="after")
    def _a_range(self) -> Self:
        if self.starting_at and self.ending_at and self.ending_at <= self.starting_at:
            raise ValueError(
                "ending_at must be later than starting_at (entries made at or after "
                "starting_at and before ending_at are listed)"
            )
        return self


class LifecycleReportParams(_Input):
    model_config = ConfigDict(extra="ignore")

    within_days: int = Field(90, ge=0, le=36500)
    """List the models that retire within this many days from now (and every deprecated one)."""


class ExportParams(_Input):
    model_config = ConfigDict(extra="ignore")

    format: Literal["json", "yaml"] = "json"
    """The file's format."""


class ImportParams(_Input):
    model_config = ConfigDict(extra="ignore")

    mode: Literal["merge", "replace"] = "merge"
    """`merge` adds and changes; `replace` also deletes what the file does not name."""
    dry_run: bool = False
    """Report what would change, and change nothing."""
    format: Literal["native", "models.dev", "litellm"] = "native"
    """The body's format: modeldir's own, or a public catalogue (merged only)."""
    provider: str = Field("anthropic", min_length=1, max_length=64)
    """Whose models a public catalogue's import takes."""


def now_or(moment: datetime | None, now: int) -> int:
    """Epoch seconds of `moment`, or `now` when it is None."""
    return now if moment is None else int(moment.timestamp())
