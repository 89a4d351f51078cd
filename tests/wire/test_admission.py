"""Admission: who is asking and on what terms, each check's exact error, and D10's order.

Pinned here: `x-api-key` wins over `Authorization: Bearer`, other schemes carry no key; the
401 wording for a missing key, an unknown `x-api-key` and an unknown bearer token; expiry;
`anthropic-version` required and exact; `anthropic-beta` merged, split, trimmed, each unknown
value named once in order; `anthropic-workspace-id` only the key's own; `admit` checks in the
order authentication, version, betas, workspace; `admit_admin` takes only admin keys (403 for a
Models API key) and then checks the version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modeldir.catalogue.grants import AdminGrant, KeyGrant, hash_secret
from modeldir.catalogue.records import AdminKeyRecord, CatalogueChanges
from modeldir.catalogue.snapshot import Snapshot, build_snapshot
from modeldir.errors import (
    ApiError,
    AuthenticationError,
    InvalidRequestError,
    PermissionDeniedError,
)
from modeldir.wire.admission import (
    WirePolicy,
    admit,
    admit_admin,
    authenticate,
    check_api_version,
    check_betas,
    check_workspace,
    presented_key,
    unknown_key,
)
from modeldir.wire.inbound import RequestHeaders
from tests.factories import BASE, api_key, model, snapshot, workspace

VERSIONS = frozenset({b"2023-01-01", b"2023-06-01"})
BETAS = frozenset({"beta-a-2025-01-01", "beta-b-2025-01-01"})
POLICY = WirePolicy(VERSIONS, BETAS)
SNAPSHOT = snapshot([model("claude-x")])
ADMIN_SECRET = "sk-ant-admin01-secret"
NOT_AN_ADMIN_KEY = (
    "This is an API key for the Models API. The admin API needs an admin key "
    "(sk-ant-admin01-...); create one with `modeldir admin-keys create`."
)


def headers(**values: str) -> RequestHeaders:
    """Request headers from keyword arguments (`x_api_key` is `x-api-key`)."""
    return RequestHeaders.read(
        [(name.replace("_", "-").encode(), value.encode()) for name, value in values.items()]
    )


def raised(error_type: type[ApiError], call: Callable[..., object], *args: object) -> ApiError:
    with pytest.raises(error_type) as caught:
        call(*args)
    return caught.value


def admin_snapshot(status: str = "active") -> Snapshot:
    """The default workspace and key `sk-all`, plus one admin key."""
    return build_snapshot(
        CatalogueChanges(
            revision=1,
            organization_id="00000000-0000-4000-8000-000000000000",
            models=[model("claude-x")],
            workspaces=[workspace("wrkspc_all")],
            api_keys=[api_key("apikey_all", "wrkspc_all", "sk-all")],
            admin_keys=[
                AdminKeyRecord(
                    id="admkey_1",
                    name="admin",
                    secret_hash=hash_secret(ADMIN_SECRET),
                    partial_key_hint="sk-ant-admin01-sec",
                    status=status,
                    created_at=BASE,
                )
            ],
            complete=True,
        )
    )


# ---- the key presented -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_headers", "expected"),
    [
        ({"x_api_key": "sk-1"}, (b"sk-1", False)),
        ({"authorization": "Bearer sk-2"}, (b"sk-2", True)),
        ({"authorization": "bearer sk-2"}, (b"sk-2", True)),
        ({"authorization": "BEARER   sk-2  "}, (b"sk-2", True)),
        ({"authorization": "  Bearer sk-2"}, (b"sk-2", True)),
        ({"x_api_key": "sk-1", "authorization": "Bearer sk-2"}, (b"sk-1", False)),
        ({"x_api_key": "", "authorization": "Bearer sk-2"}, (b"sk-2", True)),
    ],
)
def test_presented_key(given_headers: dict[str, str], expected: tuple[bytes, bool]) -> None:
    assert presented_key(headers(**given_headers)) == expected


@pytest.mark.parametrize(
    "given_headers",
    [
        {},
        {"x_api_key": ""},
        {"authorization": "Basic c2stYWxsOg=="},
        {"authorization": "sk-all"},
        {"authorization": "Token sk-all"},
        {"anthropic_version": "2023-06-01"},
    ],
)
def test_no_key_is_a_401_asking_for_x_api_key(given_headers: dict[str, str]) -> None:
    error = raised(AuthenticationError, presented_key, headers(**given_headers))
    assert error.message == "x-api-key header is required"
    assert error.status == 401


def test_unknown_key_wording_follows_the_header() -> None:
    assert unknown_key(as_bearer=True).message == "Invalid bearer token"
    assert unknown_key(as_bearer=False).message == "invalid x-api-key"
    assert isinstance(unknown_key(as_bearer=False), AuthenticationError)


# ---- authentication --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given_headers",
    [{"x_api_key": "sk-all"}, {"authorization": "Bearer sk-all"}],
)
def test_authenticate_finds_the_keys_grant(given_headers: dict[str, str]) -> None:
    grant = authenticate(headers(**given_headers), SNAPSHOT, 0.0)
    assert (grant.key_id, grant.workspace_id, grant.workspace_header) == (
        "apikey_all",
        "wrkspc_all",
        b"wrkspc_all",
    )
    assert grant.secret_hash == hashlib.sha256(b"sk-all").digest()


@pytest.mark.parametrize(
    ("given_headers", "message"),
    [
        ({"x_api_key": "sk-nope"}, "invalid x-api-key"),
        ({"x_api_key": "SK-ALL"}, "invalid x-api-key"),
        ({"x_api_key": "sk-all "}, "invalid x-api-key"),
        ({"authorization": "Bearer sk-nope"}, "Invalid bearer token"),
        ({"authorization": "Bearer"}, "Invalid bearer token"),
        ({"x_api_key": "sk-nope", "authorization": "Bearer sk-all"}, "invalid x-api-key"),
        ({}, "x-api-key header is required"),
    ],
)
def test_authenticate_rejects(given_headers: dict[str, str], message: str) -> None:
    error = raised(AuthenticationError, authenticate, headers(**given_headers), SNAPSHOT, 0.0)
    assert error.message == message


def test_a_key_works_until_the_instant_it_expires() -> None:
    snap = snapshot(
        [model("claude-x")],
        keys=[api_key("apikey_all", "wrkspc_all", "sk-all", expires_at=BASE + 100)],
    )
    request = headers(x_api_key="sk-all")
    assert authenticate(request, snap, BASE + 99.5).key_id == "apikey_all"
    for now in (BASE + 100, BASE + 100.5, BASE + 10_000):
        error = raised(AuthenticationError, authenticate, request, snap, now)
        assert error.message == "invalid x-api-key"


@pytest.mark.parametrize("status", ["inactive", "archived"])
def test_a_key_that_is_not_active_is_unknown(status: str) -> None:
    snap = snapshot(
        [model("claude-x")], keys=[api_key("apikey_all", "wrkspc_all", "sk-all", status=status)]
    )
    error = raised(AuthenticationError, authenticate, headers(x_api_key="sk-all"), snap, 0.0)
    assert error.message == "invalid x-api-key"


def test_a_key_of_an_archived_workspace_is_unknown() -> None:
    snap = snapshot([model("claude-x")], workspaces=[workspace("wrkspc_all", archived_at=BASE)])
    error = raised(
        AuthenticationError, authenticate, headers(authorization="Bearer sk-all"), snap, 0.0
    )
    assert error.message == "Invalid bearer token"


# ---- anthropic-version -----------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2023-01-01", "2023-06-01"])
def test_accepted_versions_pass(version: str) -> None:
    check_api_version(headers(anthropic_version=version), VERSIONS)


def test_a_missing_version_is_a_400() -> None:
    error = raised(InvalidRequestError, check_api_version, headers(), VERSIONS)
    assert error.message == "anthropic-version: header is required"
    assert error.status == 400


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ("2099-01-01", 'anthropic-version: "2099-01-01" is not a valid version'),
        ("", 'anthropic-version: "" is not a valid version'),
        (" 2023-06-01", 'anthropic-version: " 2023-06-01" is not a valid version'),
        ("2023-06-1", 'anthropic-version: "2023-06-1" is not a valid version'),
    ],
)
def test_an_unaccepted_version_is_a_400(sent: str, message: str) -> None:
    error = raised(
        InvalidRequestError, check_api_version, headers(anthropic_version=sent), VERSIONS
    )
    assert error.message == message


def test_a_repeated_version_header_is_judged_joined() -> None:
    request = RequestHeaders.read(
        [(b"anthropic-version", b"2023-06-01"), (b"anthropic-version", b"2023-06-01")]
    )
    error = raised(InvalidRequestError, check_api_version, request, VERSIONS)
    assert error.message == 'anthropic-version: "2023-06-01, 2023-06-01" is not a valid version'


# ---- anthropic-beta --------------------------------------------------------------------------


def beta_message(listed: str) -> str:
    return (
        f"Unexpected value(s) {listed} for the `anthropic-beta` header. Please consult our "
        "documentation at docs.anthropic.com or try again without the header."
    )


@pytest.mark.parametrize(
    "raw",
    [
        [],
        [(b"anthropic-beta", b"beta-a-2025-01-01")],
        [(b"anthropic-beta", b"beta-a-2025-01-01,beta-b-2025-01-01")],
        [(b"anthropic-beta", b" beta-a-2025-01-01 , beta-b-2025-01-01 ")],
        [(b"anthropic-beta", b"beta-a-2025-01-01"), (b"anthropic-beta", b"beta-b-2025-01-01")],
        [(b"anthropic-beta", b"")],
        [(b"anthropic-beta", b",, ,beta-a-2025-01-01,")],
    ],
)
def test_known_betas_pass(raw: list[tuple[bytes, bytes]]) -> None:
    check_betas(RequestHeaders.read(raw), BETAS)


@pytest.mark.parametrize(
    ("raw", "listed"),
    [
        ([(b"anthropic-beta", b"nope")], "`nope`"),
        ([(b"anthropic-beta", b"beta-a-2025-01-01, nope ,other")], "`nope`, `other`"),
        ([(b"anthropic-beta", b"nope"), (b"anthropic-beta", b"nope,x")], "`nope`, `x`"),
        ([(b"anthropic-beta", b"BETA-A-2025-01-01")], "`BETA-A-2025-01-01`"),
        ([(b"anthropic-beta", b"z,a,z,a")], "`z`, `a`"),
    ],
)
def test_unknown_betas_are_named_once_in_order(raw: list[tuple[bytes, bytes]], listed: str) -> None:
    error = raised(InvalidRequestError, check_betas, RequestHeaders.read(raw), BETAS)
    assert error.message == beta_message(listed)


@settings(max_examples=150)
@given(
    headers_sent=st.lists(
        st.lists(
            st.sampled_from(["beta-a-2025-01-01", "beta-b-2025-01-01", "x", "y-1", "", " "]),
            max_size=4,
        ).map(",".join),
        min_size=1,
        max_size=3,
    )
)
def test_betas_agree_with_a_plain_split(headers_sent: list[str]) -> None:
    request = RequestHeaders.read([(b"anthropic-beta", h.encode()) for h in headers_sent])
    values = [v.strip() for h in headers_sent for v in h.split(",")]
    unknown: list[str] = []
    for value in values:
        if value and value not in BETAS and value not in unknown:
            unknown.append(value)
    if not unknown:
        check_betas(request, BETAS)
    else:
        error = raised(InvalidRequestError, check_betas, request, BETAS)
        assert error.message == beta_message(", ".join(f"`{v}`" for v in unknown))


# ---- anthropic-workspace-id ------------------------------------------------------------------


def the_grant() -> KeyGrant:
    return authenticate(headers(x_api_key="sk-all"), SNAPSHOT, 0.0)


def test_the_keys_own_workspace_or_none_passes() -> None:
    check_workspace(headers(), the_grant())
    check_workspace(headers(anthropic_workspace_id="wrkspc_all"), the_grant())


@pytest.mark.parametrize("sent", ["wrkspc_other", "WRKSPC_ALL", "", "wrkspc_all "])
def test_another_workspace_is_a_403(sent: str) -> None:
    request = headers(anthropic_workspace_id=sent)
    error = raised(PermissionDeniedError, check_workspace, request, the_grant())
    assert error.message == (
        f"anthropic-workspace-id: this API key does not belong to workspace `{sent}`"
    )
    assert (error.status, error.error_type) == (403, "permission_error")


# ---- admit: D10's order ----------------------------------------------------------------------

ORDER = ["authentication", "version", "beta", "workspace"]
FAULTS: dict[str, tuple[dict[str, str], type[ApiError], str]] = {
    "authentication": ({"x_api_key": "sk-wrong"}, AuthenticationError, "invalid x-api-key"),
    "version": (
        {"anthropic_version": "1999-01-01"},
        InvalidRequestError,
        'anthropic-version: "1999-01-01" is not a valid version',
    ),
    "beta": ({"anthropic_beta": "bogus"}, InvalidRequestError, beta_message("`bogus`")),
    "workspace": (
        {"anthropic_workspace_id": "wrkspc_else"},
        PermissionDeniedError,
        "anthropic-workspace-id: this API key does not belong to workspace `wrkspc_else`",
    ),
}
GOOD = {
    "x_api_key": "sk-all",
    "anthropic_version": "2023-06-01",
    "anthropic_beta": "beta-a-2025-01-01",
    "anthropic_workspace_id": "wrkspc_all",
}


def test_admit_returns_the_grant_of_a_good_request() -> None:
    grant = admit(headers(**GOOD), SNAPSHOT, 0.0, POLICY)
    assert (grant.key_id, grant.workspace_id) == ("apikey_all", "wrkspc_all")


def test_admit_needs_neither_betas_nor_workspace() -> None:
    request = headers(x_api_key="sk-all", anthropic_version="2023-01-01")
    assert admit(request, SNAPSHOT, 0.0, POLICY).key_id == "apikey_all"


@settings(max_examples=60)
@given(faults=st.sets(st.sampled_from(ORDER), min_size=1))
def test_admit_reports_the_first_failing_check_in_d10_order(faults: set[str]) -> None:
    sent = dict(GOOD)
    for fault in faults:
        sent.update(FAULTS[fault][0])
    first = next(check for check in ORDER if check in faults)
    _, error_type, message = FAULTS[first]
    with pytest.raises(ApiError) as caught:
        admit(headers(**sent), SNAPSHOT, 0.0, POLICY)
    assert type(caught.value) is error_type
    assert caught.value.message == message


def test_a_missing_key_is_reported_before_a_missing_version() -> None:
    error = raised(AuthenticationError, admit, headers(), SNAPSHOT, 0.0, POLICY)
    assert error.message == "x-api-key header is required"


def test_an_admin_key_is_unknown_to_the_models_api() -> None:
    request = headers(x_api_key=ADMIN_SECRET, anthropic_version="2023-06-01")
    error = raised(AuthenticationError, admit, request, admin_snapshot(), 0.0, POLICY)
    assert error.message == "invalid x-api-key"


# ---- admit_admin -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key_headers", [{"x_api_key": ADMIN_SECRET}, {"authorization": f"Bearer {ADMIN_SECRET}"}]
)
def test_admit_admin_returns_the_admin_grant(key_headers: dict[str, str]) -> None:
    request = headers(**key_headers, anthropic_version="2023-06-01")
    grant = admit_admin(request, admin_snapshot(), 0.0, VERSIONS)
    assert grant == AdminGrant("admkey_1", hashlib.sha256(b"sk-ant-admin01-secret").digest())


def test_a_models_api_key_on_the_admin_api_is_a_403() -> None:
    request = headers(x_api_key="sk-all", anthropic_version="2023-06-01")
    error = raised(PermissionDeniedError, admit_admin, request, admin_snapshot(), 0.0, VERSIONS)
    assert error.message == NOT_AN_ADMIN_KEY
    assert error.status == 403


def test_an_expired_models_api_key_on_the_admin_api_is_a_401() -> None:
    snap = snapshot(
        [model("claude-x")], keys=[api_key("apikey_all", "wrkspc_all", "sk-all", expires_at=5)]
    )
    request = headers(x_api_key="sk-all", anthropic_version="2023-06-01")
    error = raised(AuthenticationError, admit_admin, request, snap, 5.0, VERSIONS)
    assert error.message == "invalid x-api-key"


@pytest.mark.parametrize(
    ("given_headers", "message"),
    [
        ({"x_api_key": "sk-nope"}, "invalid x-api-key"),
        ({"authorization": "Bearer sk-nope"}, "Invalid bearer token"),
        ({}, "x-api-key header is required"),
    ],
)
def test_admit_admin_rejects_unknown_keys(given_headers: dict[str, str], message: str) -> None:
    request = headers(**given_headers)
    error = raised(AuthenticationError, admit_admin, request, admin_snapshot(), 0.0, VERSIONS)
    assert error.message == message


@pytest.mark.parametrize("status", ["inactive", "archived"])
def test_an_admin_key_that_is_not_active_is_unknown(status: str) -> None:
    request = headers(x_api_key=ADMIN_SECRET, anthropic_version="2023-06-01")
    snap = admin_snapshot(status)
    error = raised(AuthenticationError, admit_admin, request, snap, 0.0, VERSIONS)
    assert error.message == "invalid x-api-key"


def test_admit_admin_checks_the_version_after_the_key() -> None:
    snap = admin_snapshot()
    missing = raised(
        InvalidRequestError, admit_admin, headers(x_api_key=ADMIN_SECRET), snap, 0.0, VERSIONS
    )
    assert missing.message == "anthropic-version: header is required"
    bad = headers(x_api_key=ADMIN_SECRET, anthropic_version="2099-01-01")
    error = raised(InvalidRequestError, admit_admin, bad, snap, 0.0, VERSIONS)
    assert error.message == 'anthropic-version: "2099-01-01" is not a valid version'
    # an unknown key is reported first, whatever the version
    unknown = headers(x_api_key="sk-nope", anthropic_version="2099-01-01")
    first = raised(AuthenticationError, admit_admin, unknown, snap, 0.0, VERSIONS)
    assert first.message == "invalid x-api-key"
