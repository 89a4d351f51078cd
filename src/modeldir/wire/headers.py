"""Inbound headers of the Models API: read once, then checked in the order of D10.

CORS -> authentication -> `anthropic-version` -> `anthropic-beta` -> `anthropic-workspace-id`.
Each check raises the exact error of WIRE §10.3 and §19. `x-stainless-*`, `user-agent` and every
other header are never looked at (WIRE §3.1).
"""

from __future__ import annotations

from collections.abc import Iterable

from modeldir.catalogue.snapshot import KeyGrant, Snapshot
from modeldir.wire.errors import AuthenticationError, InvalidRequestError, PermissionDeniedError

API_KEY = b"x-api-key"
AUTHORIZATION = b"authorization"
VERSION = b"anthropic-version"
BETA = b"anthropic-beta"
WORKSPACE = b"anthropic-workspace-id"
ORIGIN = b"origin"
BROWSER_ACCESS = b"anthropic-dangerous-direct-browser-access"
PREFLIGHT_METHOD = b"access-control-request-method"
PREFLIGHT_HEADERS = b"access-control-request-headers"
_READ = frozenset(
    {
        API_KEY,
        AUTHORIZATION,
        VERSION,
        BETA,
        WORKSPACE,
        ORIGIN,
        BROWSER_ACCESS,
        PREFLIGHT_METHOD,
        PREFLIGHT_HEADERS,
    }
)

CORS_MESSAGE = "CORS requests must set 'anthropic-dangerous-direct-browser-access' header"
BETA_MESSAGE = (
    "Unexpected value(s) {values} for the `anthropic-beta` header. Please consult our "
    "documentation at docs.anthropic.com or try again without the header."
)


class RequestHeaders(dict[bytes, bytes]):
    """The headers the Models API reads, by lower-case name; repeats are joined with `, `."""

    __slots__ = ()

    @classmethod
    def read(cls, raw: Iterable[tuple[bytes, bytes]]) -> RequestHeaders:
        """Pick the interesting headers out of an ASGI header list (names arrive lower-case)."""
        headers = cls()
        for name, value in raw:
            if name in _READ:
                headers[name] = headers[name] + b", " + value if name in headers else value
        return headers

    @property
    def browser_opted_in(self) -> bool:
        """The request comes from a browser that opted in to direct access (WIRE §3.6)."""
        return ORIGIN in self and self.get(BROWSER_ACCESS) == b"true"


def check_cors(headers: RequestHeaders) -> None:
    """A browser request must opt in with `anthropic-dangerous-direct-browser-access: true`."""
    if ORIGIN in headers and headers.get(BROWSER_ACCESS) != b"true":
        raise AuthenticationError(CORS_MESSAGE)


def presented_key(headers: RequestHeaders) -> tuple[bytes, bool]:
    """The key the request presents and whether it came as a bearer token (D2).

    `x-api-key` wins over `Authorization: Bearer`; with neither, 401.
    """
    api_key = headers.get(API_KEY)
    if api_key:
        return api_key, False
    token = _bearer_token(headers.get(AUTHORIZATION))
    if token is None:
        raise AuthenticationError("x-api-key header is required")
    return token, True


def unknown_key(as_bearer: bool) -> AuthenticationError:
    """The 401 for a key that grants nothing, worded for the header it came in."""
    return AuthenticationError("Invalid bearer token" if as_bearer else "invalid x-api-key")


def authenticate(headers: RequestHeaders, snapshot: Snapshot, now: float) -> KeyGrant:
    """The grant of the request's API key for the Models API."""
    secret, as_bearer = presented_key(headers)
    grant = snapshot.grant_for(secret, now)
    if grant is None:
        raise unknown_key(as_bearer)
    return grant


def _bearer_token(authorization: bytes | None) -> bytes | None:
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(b" ")
    # Another scheme (Basic, ...) carries no API key, so it reads as no credential at all.
    if scheme.lower() != b"bearer":
        return None
    return token.strip()


def check_version(headers: RequestHeaders, accepted: frozenset[bytes]) -> None:
    """`anthropic-version` is required and must be one of the accepted versions (D1)."""
    version = headers.get(VERSION)
    if version is None:
        raise InvalidRequestError("anthropic-version: header is required")
    if version not in accepted:
        shown = version.decode("latin-1")
        raise InvalidRequestError(f'anthropic-version: "{shown}" is not a valid version')


def check_betas(headers: RequestHeaders, known: frozenset[str]) -> None:
    """Every `anthropic-beta` value, across commas and repeated headers, must be known (D7)."""
    beta = headers.get(BETA)
    if beta is None:
        return
    values = (v.strip() for v in beta.decode("latin-1").split(","))
    unknown = [v for v in values if v and v not in known]
    if unknown:
        listed = ", ".join(f"`{v}`" for v in dict.fromkeys(unknown))
        raise InvalidRequestError(BETA_MESSAGE.format(values=listed))


def check_workspace(headers: RequestHeaders, grant: KeyGrant) -> None:
    """If `anthropic-workspace-id` is sent it must be the key's own workspace (D12)."""
    workspace_id = headers.get(WORKSPACE)
    if workspace_id is not None and workspace_id != grant.workspace_header:
        shown = workspace_id.decode("latin-1")
        raise PermissionDeniedError(
            f"anthropic-workspace-id: this API key does not belong to workspace `{shown}`"
        )
