"""Signing in with an admin key: a server-side session behind an HttpOnly, SameSite cookie.

The cookie holds a random token; the database keeps only its hash (`store/sessions.py`), so
every worker and instance knows the session and signing out ends it everywhere. A session lasts
`MODELDIR_CONSOLE_SESSION_SECONDS` and stops at once when its admin key is revoked. Each form
carries a CSRF token derived from the session's token; the sign-in form, before any session,
uses a double-submitted cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import anyio.to_thread
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from modeldir.admin.operation import Actor
from modeldir.catalogue.grants import hash_secret
from modeldir.catalogue.records import SessionRecord
from modeldir.errors import PermissionDeniedError
from modeldir.live import LiveCatalogue

COOKIE = "modeldir_console"
SIGN_IN_COOKIE = "modeldir_console_sign_in"
PATH = "/console"
CSRF_FIELD = "csrf"


class SignInRequired(Exception):
    """No usable session: a page redirects to sign-in, anything else answers 401."""


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in admin: which admin key, and the token its forms must carry."""

    admin_key_id: str
    token_hash: bytes
    csrf: str
    expires_at: int
    read_only: bool = False
    """Signed in with a read-only admin key: pages show no change controls, changes are refused."""

    @property
    def actor(self) -> Actor:
        """Who the session's admin operations are done as."""
        return Actor("admin_key", self.admin_key_id, self.read_only)


def csrf_for(token_hash: bytes) -> str:
    """The CSRF token of a session: unguessable without the session's cookie."""
    return hmac.new(token_hash, b"modeldir console csrf", hashlib.sha256).hexdigest()


def is_https(request: Request) -> bool:
    """Whether the browser reached us over HTTPS, directly or through a proxy that says so."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    """A cookie only the console's own requests carry, never readable from script."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )


def same_token(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


class Sessions:
    """Opening, finding and ending console sessions."""

    def __init__(self, live: LiveCatalogue, lifetime: int, max_form_bytes: int) -> None:
        self.live = live
        self.lifetime = lifetime
        self.max_form_bytes = max_form_bytes

    async def admin_key_of(self, secret: str) -> str | None:
        """The id of the usable admin key with this secret, or None."""
        grant = self.live.snapshot.admin_grant_for(secret)
        if grant is None:  # made a moment ago elsewhere: the snapshot may not have it yet
            grant = (await self.live.refreshed()).admin_grant_for(secret)
        return None if grant is None else grant.key_id

    async def open(self, admin_key_id: str) -> str:
        """A new session for an admin key: the token its cookie carries."""
        token = secrets.token_urlsafe(32)
        now = int(time.time())
        record = SessionRecord(hash_secret(token), admin_key_id, now, now + self.lifetime)
        await anyio.to_thread.run_sync(self.live.store.open_session, record)
        return token

    async def find(self, request: Request) -> Session:
        """The request's session; `SignInRequired` when it has none that still works."""
        token = request.cookies.get(COOKIE)
        if not token:
            raise SignInRequired
        found = await anyio.to_thread.run_sync(self._usable, hash_secret(token))
        if found is None:
            raise SignInRequired
        return found

    def _usable(self, token_hash: bytes) -> Session | None:
        """The session, unless it expired or its admin key no longer works (then it ends).

        The key is read from the database on every request, so revoking it ends its sessions
        at once and its scope (read-only or not) is always the stored one.
        """
        store = self.live.store
        record = store.session(token_hash)
        if record is None:
            return None
        with store.reader() as reader:
            key = reader.admin_key(record.admin_key_id)
        if record.expires_at <= time.time() or key is None or key.status != "active":
            store.end_session(token_hash)
            return None
        return Session(
            record.admin_key_id,
            record.token_hash,
            csrf_for(record.token_hash),
            record.expires_at,
            key.read_only,
        )

    async def end(self, session: Session) -> None:
        await anyio.to_thread.run_sync(self.live.store.end_session, session.token_hash)

    async def form(self, request: Request, *, changes: bool = True) -> tuple[Session, FormData]:
        """The session and the posted form, once its CSRF token is checked (else 403).

        A form changes something unless it says otherwise (`changes=False`: signing out, an
        import's dry run), so a read-only session is refused (403) before its form is read.
        """
        session = await self.find(request)
        if changes:
            session.actor.check_may_change()
        form = await request.form(max_part_size=self.max_form_bytes)
        given = form.get(CSRF_FIELD)
        if not same_token(given if isinstance(given, str) else None, session.csrf):
            raise PermissionDeniedError(
                "This form's CSRF token is missing or wrong: reload the page and try again."
            )
        return session, form
