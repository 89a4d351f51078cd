"""Admission: who is asking, and on what terms, checked in the order of D10 after the route.

    CORS -> authentication -> `anthropic-version` -> `anthropic-beta` -> `anthropic-workspace-id`

`admit` runs them for the Models API and returns the key's grant; `admit_admin` does the same for
the admin API with an admin key. Each check raises the exact error of WIRE §10.3 and §19.
"""

from __future__ import annotations

from dataclasses import dataclass

from modeldir.catalogue.grants import AdminGrant, KeyGrant
from modeldir.catalogue.snapshot import Snapshot
from modeldir.errors import (
    ApiError,
    AuthenticationError,
    InvalidRequestError,
    PermissionDeniedError,
)
from modeldir.wire.inbound import (
    API_KEY,
    AUTHORIZATION,
    BETA,
    BROWSER_ACCESS,
    ORIGIN,
    VERSION,
    WORKSPACE,
    RequestHeaders,
)

BETA_MESSAGE = (
    "Unexpected value(s) {values} for the `anthropic-beta` header. Please consult our "
    "documentation at docs.anthropic.com or try again without the header."
)


CORS_MESSAGE = "CORS requests must set 'anthropic-dangerous-direct-browser-access' header"
NOT_AN_ADMIN_KEY = (
    "This is an API key for the Models API. The admin API needs an admin key "
    "(sk-ant-admin01-...); create one with `modeldir admin-keys create`."
)


@dataclass(frozen=True, slots=True)
class WirePolicy:
    """The settings admission reads on every request."""

    accepted_versions: frozenset[bytes]
    known_betas: frozenset[str]


def admit(headers: RequestHeaders, snapshot: Snapshot, now: float, policy: WirePolicy) -> KeyGrant:
    """The grant of a Models API request that passes every check, in D10's order."""
    check_cors(headers)
    grant = authenticate(headers, snapshot, now)
    try:
        check_api_version(headers, policy.accepted_versions)
        check_betas(headers, policy.known_betas)
        check_workspace(headers, grant)
    except ApiError as refusal:
        # The key is known by now, so the refusal names its workspace too (D15).
        refusal.headers.setdefault("anthropic-workspace-id", grant.workspace_id)
        raise
    return grant


def admit_admin(
    headers: RequestHeaders, snapshot: Snapshot, now: float, accepted_versions: frozenset[bytes]
) -> AdminGrant:
    """The admin grant of an admin API request: 401, or 403 for a Models API key, otherwise."""
    secret, as_bearer = presented_key(headers)
    grant = snapshot.admin_grant_for(secret)
    if grant is None:
        if snapshot.grant_for(secret, now) is not None:
            raise PermissionDeniedError(NOT_AN_ADMIN_KEY)
        raise unknown_key(as_bearer)
    check_api_version(headers, accepted_versions)
    return grant


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


def check_api_version(headers: RequestHeaders, accepted: frozenset[bytes]) -> None:
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
