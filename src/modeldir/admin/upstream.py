"""Another Anthropic-compatible Models API, read whole with the official `anthropic` SDK.

The SDK's auto-pagination walks the beta list (every lifecycle, every beta field) page by page;
the list already carries each model's full `ModelInfo`, so no retrieve is needed. Each model is
checked as an import checks it. Any failure (unreachable, an error status, a page the SDK or
the check cannot read) is an `UpstreamError` naming the upstream's request id: the walk is
finished before anything is written, so a failure part way leaves the catalogue untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from modeldir.catalogue.model_fields import WIRE_FIELDS
from modeldir.catalogue.model_info import LIFECYCLES, ModelInfo
from modeldir.errors import UpstreamError, problems_of

PAGE_SIZE = 1000
"""Models asked for per page (the Models API's largest `limit`)."""


@dataclass(frozen=True, slots=True)
class Upstream:
    """Where to sync from, and how."""

    url: str
    api_key: str
    page_size: int = PAGE_SIZE
    timeout: float = 30.0
    max_retries: int = 2
    """The SDK's own retries of connection errors, 408, 409, 429 and 5xx, with backoff."""


def fetch_models(upstream: Upstream) -> list[ModelInfo]:
    """Every model the upstream lists, in its list order; UpstreamError on any failure."""
    import anthropic

    client = anthropic.Anthropic(
        api_key=upstream.api_key,
        base_url=upstream.url,
        timeout=upstream.timeout,
        max_retries=upstream.max_retries,
    )
    found: list[ModelInfo] = []
    request_id: str | None = None
    try:
        first = client.beta.models.list(limit=upstream.page_size, lifecycle=list(LIFECYCLES))
        for number, page in enumerate(first.iter_pages()):
            request_id = page._request_id
            for position, item in enumerate(page.data):
                found.append(_model(item.to_dict(mode="json"), number, position, request_id))
    except anthropic.APIStatusError as error:
        reason = _reason(error.body) or error.message
        what = f"answered {error.status_code}: {reason}"
        raise _failure(upstream, what, error.request_id) from None
    except anthropic.APIConnectionError as error:
        raise _failure(upstream, f"cannot be reached: {error}", None) from None
    except anthropic.APIError as error:  # a body the SDK cannot read as a page
        what = f"sent a page that is not a model list: {error}"
        raise _failure(upstream, what, request_id) from None
    finally:
        client.close()
    return found


def _model(data: dict[str, object], page: int, position: int, request_id: str | None) -> ModelInfo:
    """An upstream model checked as an import checks it (fields modeldir does not know are
    left out: a newer API may have more)."""
    known = {name: value for name, value in data.items() if name in WIRE_FIELDS}
    try:
        return ModelInfo.model_validate(known)
    except ValidationError as error:
        first = problems_of(error, f"page {page + 1} data[{position}]")[0]
        said = f" (upstream request-id {request_id})" if request_id else ""
        raise UpstreamError(
            f"the upstream sent a model that cannot be used: {first}{said}",
            details=_details(request_id),
        ) from None


def _reason(body: object) -> str | None:
    """The message of an error envelope, when the body is one."""
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
    return None


def _failure(upstream: Upstream, what: str, request_id: str | None) -> UpstreamError:
    said = f" (upstream request-id {request_id})" if request_id else ""
    return UpstreamError(f"upstream {upstream.url} {what}{said}", details=_details(request_id))


def _details(request_id: str | None) -> dict[str, object]:
    return {"upstream_request_id": request_id}
