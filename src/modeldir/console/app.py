"""The console as part of the server: its routes under `/console`, sign-in and sign-out.

Each page is a function of the `Console` and the request (`catalogue_views.py`,
`access_views.py`, `operations_views.py`). Changes go through `Console.run`: one
`AdminService` call on behalf of the signed-in admin key, then this server's snapshot is
refreshed, as the admin API does, so the next page shows the change.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from modeldir.admin.service import AdminService
from modeldir.console import access_views, catalogue_views, operations_views
from modeldir.console.pages import EXCEPTION_HANDLERS, page, see_other
from modeldir.console.search import SearchIndex
from modeldir.console.security import SecureHeaders
from modeldir.console.sessions import (
    COOKIE,
    PATH,
    SIGN_IN_COOKIE,
    Session,
    Sessions,
    same_token,
    set_cookie,
)
from modeldir.live import LiveCatalogue
from modeldir.settings import Settings

T = TypeVar("T")
View = Callable[["Console", Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class ServerFacts:
    """What the console shows of the server that it cannot read from the catalogue."""

    anthropic_models: frozenset[str]
    """Ids owned by "anthropic": the bundled catalogue's."""
    health: Callable[[], dict[str, Any]]
    """Rate limiter, traffic and database state, read when the health page is shown."""


class Console:
    """The web console's routes, bound to one live catalogue."""

    def __init__(self, live: LiveCatalogue, settings: Settings, facts: ServerFacts) -> None:
        self.live = live
        self.sessions = Sessions(
            live,
            settings.console_session_seconds,
            settings.max_body_bytes,
            settings.console_user_header,
            settings.console_user_admin_key,
        )
        self.facts = facts
        self.search = SearchIndex()

    async def read(self, session: Session, work: Callable[[AdminService], T]) -> T:
        """One admin read as the signed-in admin key."""
        service = AdminService(self.live.store, session.actor)
        return await anyio.to_thread.run_sync(work, service)

    async def run(self, session: Session, work: Callable[[AdminService], T]) -> T:
        """One admin change as the signed-in admin key; after it, a refreshed snapshot."""
        result = await self.read(session, work)
        await self.live.written()
        return result

    def routes(self) -> list[BaseRoute]:
        """`/` and `/console/...`: the console's pages behind its security headers."""
        views: list[tuple[str, View, list[str]]] = [
            ("/", home, ["GET"]),
            ("/sign-in", sign_in_page, ["GET"]),
            ("/sign-in", sign_in, ["POST"]),
            ("/sign-out", sign_out, ["POST"]),
            *catalogue_views.VIEWS,
            *access_views.VIEWS,
            *operations_views.VIEWS,
        ]
        by_path: dict[str, dict[str, View]] = {}
        for path, view, methods in views:
            for method in methods:
                by_path.setdefault(path, {})[method] = view

        def route(path: str, handlers: dict[str, View]) -> Route:
            async def dispatch(request: Request) -> Response:
                method = "GET" if request.method == "HEAD" else request.method
                return await handlers[method](self, request)

            return Route(path, dispatch, methods=list(handlers))

        inner = Starlette(
            routes=[
                *(route(path, handlers) for path, handlers in by_path.items()),
                Mount("/static", StaticFiles(packages=[("modeldir.console", "static")])),
            ],
            exception_handlers=EXCEPTION_HANDLERS,
        )
        return [
            Route("/", lambda request: RedirectResponse(f"{PATH}/", 307), methods=["GET"]),
            Mount(PATH, app=SecureHeaders(inner)),
        ]


async def home(console: Console, request: Request) -> Response:
    await console.sessions.find(request)
    return RedirectResponse(f"{PATH}/models", 303)


def _next_page(target: str | None) -> str:
    """Where to go after signing in: a console page only (never another site)."""
    if target and target.startswith(f"{PATH}/") and not urlsplit(target).netloc:
        return target
    return f"{PATH}/models"


async def sign_in_page(console: Console, request: Request, error: str = "") -> Response:
    token = secrets.token_urlsafe(24)
    response = page(
        request,
        "sign_in.html",
        None,
        401 if error else 200,
        sign_in_token=token,
        next=_next_page(request.query_params.get("next")),
        error=error,
    )
    set_cookie(response, request, SIGN_IN_COOKIE, token, 600)
    return response


async def sign_in(console: Console, request: Request) -> Response:
    form = await request.form()
    token = form.get("sign_in_token")
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not expected or not same_token(token if isinstance(token, str) else None, expected):
        return await sign_in_page(console, request, "The form expired: please sign in again.")
    secret = form.get("admin_key")
    key_id = (
        await console.sessions.admin_key_of(secret.strip()) if isinstance(secret, str) else None
    )
    if key_id is None:
        return await sign_in_page(console, request, "That is not an active admin key.")
    cookie = await console.sessions.open(key_id)
    target = form.get("next")
    response = see_other(_next_page(target if isinstance(target, str) else None))
    set_cookie(response, request, COOKIE, cookie, console.sessions.lifetime)
    response.delete_cookie(SIGN_IN_COOKIE, path=PATH)
    return response


async def sign_out(console: Console, request: Request) -> Response:
    session, _ = await console.sessions.form(request, changes=False)
    await console.sessions.end(session)
    response = see_other(f"{PATH}/sign-in")
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict")
    return response
