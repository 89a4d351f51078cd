"""Signing in with an admin key: a server-side session behind an HttpOnly, SameSite cookie.

The cookie holds a random token; the database keeps only its hash (`store/sessions.py`), so
every worker and instance knows the session and signing out ends it everywhere. A session lasts
`MODELDIR_CONSOLE_SESSION_SECONDS` and stops at once when its admin key is revoked. Each form
carries a CSRF token derived from the session's token; the sign-in form, before any session,
uses a double-submitted cookie.

Optionally (`MODELDIR_CONSOLE_USER_HEADER`), a request carrying an authenticating proxy's user
header is signed in as that user, with the rights of the admin key that
`MODELDIR_CONSOLE_USER_ADMIN_KEY` names (read-only without one); its changes are audited under
the user's name. There is no session then: the proxy signs people in and out, and forms carry
a double-submitted CSRF cookie. This is only safe behind a proxy that sets the header itself,
replacing any a client sends (docs/console.md).
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
from modeldir.catalogue.records import AdminKeyRecord, SessionRecord
from modeldir.errors import InvalidRequestError, PermissionDeniedError
from modeldir.live import LiveCatalogue

COOKIE = "modeldir_console"
SIGN_IN_COOKIE = "modeldir_console_sign_in"
USER_CSRF_COOKIE = "modeldir_console_csrf"
"""The double-submitted CSRF token of a user the proxy signed in."""
PATH = "/console"
CSRF_FIELD = "csrf"


class SignInRequired(Exception):
    """No usable session: a page redirects to sign-in, anything else answers 401."""


@dataclass(frozen=True, slots=True)
class Session:
    """Who is signed in (the actor their admin operations are done as) and the token their
    forms must carry."""

    actor: Actor
    csrf: str
    token_hash: bytes | None = None
    """The session's token hash; None for a user the proxy signed in (no session to end)."""

    @property
    def read_only(self) -> bool:
        """Pages show no change controls, and changes are refused."""
        return self.actor.read_only


def csrf_for(token_hash: bytes) -> str:
    """The CSRF token of a session: unguessable without the session's cookie."""
    return hmac.new(token_hash, b"modeldir console csrf", hashlib.sha256).hexdigest()


def is_https(request: Request) -> bool:
    """Whether the browser reached us over HTTPS, directly or through a proxy that says so."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def set_cookie(
    response: Response, request: Request, name: str, value: str, max_age: int | None
) -> None:
    """A cookie only the console's own requests carry, never readable from script (None: until
    the browser closes)."""
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

    def __init__(
        self,
        live: LiveCatalogue,
        lifetime: int,
        max_form_bytes: int,
        user_header: str | None = None,
        user_admin_key: str | None = None,
    ) -> None:
        self.live = live
        self.lifetime = lifetime
        self.max_form_bytes = max_form_bytes
        self.user_header = user_header
        """The trusted proxy's user header, or None (then no header signs anyone in)."""
        self.user_admin_key = user_admin_key
        """The admin key whose rights the proxy's users get (None: read-only)."""

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
        user = request.headers.get(self.user_header, "").strip() if self.user_header else ""
        if user:
            return await self._proxied(request, user)
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
        actor = Actor("admin_key", record.admin_key_id, key.read_only)
        return Session(actor, csrf_for(record.token_hash), record.token_hash)

    async def _proxied(self, request: Request, user: str) -> Session:
        """The session of a user the trusted proxy names: the rights of the configured admin
        key, read from the database as a session's key is, or read-only without one."""
        if len(user) > 255 or not user.isprintable():
            raise InvalidRequestError(
                f"The {self.user_header} header does not hold a user name (at most 255 "
                "printable characters)."
            )
        read_only = True
        if self.user_admin_key is not None:
            key_id = self.user_admin_key
            key = await anyio.to_thread.run_sync(self._admin_key, key_id)
            if key is None or key.status != "active":
                raise PermissionDeniedError(
                    f"MODELDIR_CONSOLE_USER_ADMIN_KEY names {key_id}, which is not an active "
                    "admin key: set it to one that is (`modeldir admin-keys list`), or unset it "
                    "to let the proxy's users read only."
                )
            read_only = key.read_only
        csrf = request.cookies.get(USER_CSRF_COOKIE, "")
        if len(csrf) != 64:  # none yet: the page that shows a form sets it (pages.py)
            csrf = request.state.new_csrf_cookie = secrets.token_hex(32)
        return Session(Actor("proxy_user", user, read_only), csrf)

    def _admin_key(self, key_id: str) -> AdminKeyRecord | None:
        with self.live.store.reader() as reader:
            return reader.admin_key(key_id)

    async def end(self, session: Session) -> None:
        """End a session everywhere (a proxy's user has none: the proxy signs them out)."""
        if session.token_hash is not None:
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
