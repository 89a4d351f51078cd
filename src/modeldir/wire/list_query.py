"""Query parameters of `GET /v1/models`: parsed fast, rejected in pydantic's words (D5, D20).

Valid requests take a short path that never builds a pydantic object. Anything the short path
does not accept is handed to a pydantic model, which either accepts it too (`limit=+5`) or
produces the message a FastAPI-style server would give (`limit: Input should be greater than or
equal to 1`). So pydantic is the single judge of what is valid, at no cost to valid requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import unquote_plus

from pydantic import BaseModel, Field, ValidationError

from modeldir.catalogue.model_info import Lifecycle
from modeldir.catalogue.render import DEFAULT_LIFECYCLE_MASK, LIFECYCLE_BIT
from modeldir.errors import InvalidRequestError, validation_message

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
_SCALARS = ("before_id", "after_id", "limit")
_LIFECYCLE_NAMES = ("lifecycle[]", "lifecycle")


class _ListParams(BaseModel):
    """The declared parameters, in declaration order: the first failing one is reported."""

    before_id: str | None = None
    after_id: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    lifecycle: Annotated[list[Literal["active", "deprecated", "retired"]], Field(max_length=3)] = []


@dataclass(frozen=True, slots=True)
class ListQuery:
    limit: int = DEFAULT_LIMIT
    after_id: str | None = None
    before_id: str | None = None
    lifecycle_mask: int = DEFAULT_LIFECYCLE_MASK


DEFAULT_QUERY = ListQuery()
_PLAIN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._=&[]")


def is_plain(query_string: bytes) -> bool:
    """Whether a query string names only list parameters, each once, with nothing encoded.

    Such a string decides the response by itself, so it may key a cache as it is; any other
    (unknown parameters, repeats, encodings) is keyed by what it parses to.
    """
    if not _PLAIN.issuperset(query_string):
        return False
    # `beta=true` (the SDKs' beta clients) changes nothing, but comes in one spelling only.
    parts = [part for part in query_string.split(b"&") if part != b"beta=true"]
    names = [part.partition(b"=")[0] for part in parts]
    scalars = [name for name in names if name not in (b"lifecycle[]", b"lifecycle")]
    return len(set(scalars)) == len(scalars) and set(scalars) <= {
        b"before_id",
        b"after_id",
        b"limit",
    }


def parse_pairs(query_string: bytes) -> list[tuple[str, str]]:
    """`a=1&b=%20x+y` as pairs; `%20` and `+` both decode to a space (WIRE §14)."""
    pairs = []
    for part in query_string.decode("latin-1").split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if "%" in part or "+" in part or not part.isascii():
            name, value = _decode(name), _decode(value)
        pairs.append((name, value))
    return pairs


def _decode(text: str) -> str:
    # Bytes above 0x7f arrived raw; restore them to bytes so UTF-8 in them is read as UTF-8.
    return unquote_plus(text.encode("latin-1").decode("utf-8", "replace"))


_LIMIT_DIGITS = 9
"""The most digits a `limit` is read as a number directly; longer ones go to validation."""


def parse_list_query(query_string: bytes) -> ListQuery:
    """The list parameters, or InvalidRequestError naming the first bad one."""
    if not query_string:
        return DEFAULT_QUERY
    scalars: dict[str, str] = {}
    lifecycle: list[str] = []
    for name, value in parse_pairs(query_string):
        if name in _LIFECYCLE_NAMES:
            lifecycle.append(value)
        elif name in _SCALARS and scalars.setdefault(name, value) != value:
            raise InvalidRequestError(
                f"{name}: Input should be a single value, but the query gives several"
            )
    limit_text = scalars.get("limit")
    if limit_text is None:
        limit = DEFAULT_LIMIT
    elif (  # bounded before converting: 4,301 digits would be Python's ValueError, not ours
        len(limit_text) <= _LIMIT_DIGITS
        and limit_text.isascii()
        and limit_text.isdigit()
        and 1 <= int(limit_text) <= MAX_LIMIT
    ):
        limit = int(limit_text)
    else:
        limit = _validated(scalars, lifecycle).limit
    mask = _lifecycle_mask(lifecycle) if lifecycle else DEFAULT_LIFECYCLE_MASK
    if mask is None:
        mask = _lifecycle_mask(_validated(scalars, lifecycle).lifecycle)
        assert mask is not None
    # An empty cursor (`after_id=`) names no model: it reads as no cursor at all.
    after_id = scalars.get("after_id") or None
    before_id = scalars.get("before_id") or None
    if after_id is not None and before_id is not None:
        raise InvalidRequestError("Only one of `before_id` and `after_id` may be given, not both.")
    return ListQuery(limit, after_id, before_id, mask)


def _lifecycle_mask(values: list[str] | list[Lifecycle]) -> int | None:
    if len(values) > 3:
        return None
    mask = 0
    for value in values:
        bit = LIFECYCLE_BIT.get(value)
        if bit is None:
            return None
        mask |= bit
    return mask


def _validated(scalars: dict[str, str], lifecycle: list[str]) -> _ListParams:
    try:
        return _ListParams.model_validate({**scalars, "lifecycle": lifecycle})
    except ValidationError as error:
        raise InvalidRequestError(validation_message(error)) from None
