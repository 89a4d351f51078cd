"""Rendering console pages: the Jinja2 templates, what every page is given, failures as pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from modeldir.console.sessions import (
    CSRF_FIELD,
    PATH,
    USER_CSRF_COOKIE,
    Session,
    SignInRequired,
    set_cookie,
)
from modeldir.errors import ApiError, AuthenticationError, InvalidRequestError, NotFoundError

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("modeldir.console", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def when(epoch: int | None) -> str:
    """An instant as people read it in a table: `2026-03-01 12:00 UTC`; empty for none."""
    if epoch is None:
        return ""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


_ENVIRONMENT.filters["when"] = when

NAVIGATION = [
    ("models", "Catalogue"),
    ("timeline", "Lifecycle"),
    ("workspaces", "Workspaces"),
    ("keys", "Keys"),
    ("import", "Import"),
    ("audit", "Audit log"),
    ("health", "Health"),
]


def page(
    request: Request,
    template: str,
    session: Session | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A whole page (or an htmx fragment) from a template, with what every page shows."""
    body = _ENVIRONMENT.get_template(template).render(
        session=session,
        csrf_field=CSRF_FIELD,
        navigation=NAVIGATION,
        section=context.pop("section", ""),
        request_id=getattr(request.state, "request_id", ""),
        **context,
    )
    response = HTMLResponse(body, status_code=status)
    csrf = getattr(request.state, "new_csrf_cookie", None)
    if csrf is not None:  # a user the proxy signed in, seen without a CSRF cookie yet
        set_cookie(response, request, USER_CSRF_COOKIE, csrf, None)
    return response


def required(request: Request, name: str, what: str) -> str:
    """A query parameter a page cannot do without (400 naming it otherwise)."""
    value = request.query_params.get(name)
    if not value:
        raise InvalidRequestError(f"{name}: which {what}? (?{name}=...)")
    return value


def form_text(form: FormData, name: str) -> str:
    """A form field's text, trimmed; empty when it was not sent."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def see_other(location: str) -> RedirectResponse:
    """After a successful form: the next page is a GET, so reloading repeats nothing."""
    return RedirectResponse(location, status_code=303)


async def sign_in_required(request: Request, error: Exception) -> Response:
    """A page without a session goes to sign-in; a form, a fragment or any other request: 401."""
    if request.method in ("GET", "HEAD") and "hx-request" not in request.headers:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(f"{PATH}/sign-in?{urlencode({'next': target})}", 303)
    refusal = AuthenticationError("Sign in with an admin key first.")
    return page(request, "error.html", None, 401, error=_shown(refusal))


async def api_error(request: Request, error: Exception) -> Response:
    """An admin operation's failure, as a page with its type, message and request id."""
    assert isinstance(error, ApiError)
    return page(request, "error.html", None, error.status, error=_shown(error))


def _shown(error: ApiError) -> dict[str, str]:
    return {"type": error.error_type, "message": str(error)}


async def http_error(request: Request, error: Exception) -> Response:
    """Starlette's own refusals (no such page, wrong method) as console pages."""
    assert isinstance(error, HTTPException)
    if error.status_code == 404:
        return await api_error(request, NotFoundError("There is no such console page."))
    refusal = InvalidRequestError(str(error.detail))
    return page(request, "error.html", None, error.status_code, error=_shown(refusal))


async def last_resort(request: Request, error: Exception) -> Response:
    # Raised again, unanswered, to the server's one last resort, which logs it with the request
    # id and answers the error envelope (wire/context.py).
    raise error


EXCEPTION_HANDLERS = {
    SignInRequired: sign_in_required,
    ApiError: api_error,
    HTTPException: http_error,
    Exception: last_resort,
}
