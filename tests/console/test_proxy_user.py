"""A user signed in by an authenticating proxy's header (MODELDIR_CONSOLE_USER_HEADER)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from starlette.testclient import TestClient

from modeldir.admin import inputs
from modeldir.console.sessions import COOKIE, USER_CSRF_COOKIE
from tests.console.conftest import Console, console_of
from tests.support.admin import admin_for

HEADER = "X-Forwarded-User"
ALICE = {HEADER: "alice@example.com"}


@contextmanager
def users_with_key(
    database_url: str, *, read_only: bool = False, revoked: bool = False
) -> Iterator[tuple[Console, str]]:
    """A console trusting the header, its users given a new admin key's rights; the key's id."""
    with console_of(database_url) as first:
        admin = admin_for(first.store)
        body = inputs.AdminKeyCreate(name="proxy users", read_only=read_only)
        key_id = str(admin.create_admin_key(body).object["id"])
        if revoked:
            admin.revoke_admin_key(key_id)
    settings = {"console_user_header": HEADER, "console_user_admin_key": key_id}
    with console_of(database_url, **settings) as console:
        yield console, key_id


@pytest.fixture
def proxied(database_url: str) -> Iterator[Console]:
    """A console trusting the header, its users read-only (no admin key named)."""
    with console_of(database_url, console_user_header=HEADER) as made:
        yield made


def csrf_of(client: TestClient) -> str:
    """The CSRF token a proxy's user posts: the cookie their first page set."""
    token = client.cookies.get(USER_CSRF_COOKIE)
    assert token and len(token) == 64
    return token


def test_the_header_means_nothing_unless_configured(console: Console) -> None:
    answer = console.client.get("/console/models", headers=ALICE, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/console/sign-in")


def test_the_proxys_user_reads_everything_and_changes_nothing_by_default(proxied: Console) -> None:
    client = proxied.client
    page = client.get("/console/models", headers=ALICE)
    assert page.status_code == 200
    assert "alice@example.com" in page.text and "read-only" in page.text
    assert COOKIE not in client.cookies  # no session: the proxy signs people in and out
    assert 'action="/console/sign-out"' not in page.text
    revision = proxied.store.revision()
    answer = client.post(
        "/console/workspaces", data={"csrf": csrf_of(client), "name": "no"}, headers=ALICE
    )
    assert answer.status_code == 403 and "read-only" in answer.text
    assert proxied.store.revision() == revision


def test_with_an_admin_keys_rights_its_changes_are_audited_under_the_users_name(
    database_url: str,
) -> None:
    with users_with_key(database_url) as (console, _):
        client = console.client
        page = client.get("/console/workspaces", headers=ALICE)
        assert "read-only" not in page.text and 'action="/console/workspaces"' in page.text
        created = client.post(
            "/console/workspaces",
            data={"csrf": csrf_of(client), "name": "made by alice"},
            headers=ALICE,
            follow_redirects=False,
        )
        assert created.status_code == 303, created.text
        log = admin_for(console.store).audit_log(inputs.AuditListParams(action="workspace.create"))
        entry = log["data"][0]
        assert entry["actor"] == {"type": "proxy_user", "id": "alice@example.com"}
        assert entry["after"]["name"] == "made by alice"


def test_a_form_from_elsewhere_is_refused(database_url: str) -> None:
    with users_with_key(database_url) as (console, _):
        client = console.client
        client.get("/console/workspaces", headers=ALICE)
        good = csrf_of(client)
        for data in (
            {"name": "x"},
            {"name": "x", "csrf": "0" * 64},
            {"name": "x", "csrf": good[:-1]},
        ):
            answer = client.post("/console/workspaces", data=data, headers=ALICE)
            assert answer.status_code == 403 and "CSRF" in answer.text
        client.cookies.clear()  # a post that comes without the cookie its page set
        answer = client.post("/console/workspaces", data={"name": "x", "csrf": good}, headers=ALICE)
        assert answer.status_code == 403 and "CSRF" in answer.text


def test_the_named_keys_scope_and_status_are_the_users(database_url: str) -> None:
    with users_with_key(database_url, read_only=True) as (console, _):
        assert "read-only" in console.client.get("/console/models", headers=ALICE).text
    with users_with_key(database_url, revoked=True) as (console, revoked):
        answer = console.client.get("/console/models", headers=ALICE)
        assert answer.status_code == 403
        assert f"MODELDIR_CONSOLE_USER_ADMIN_KEY names {revoked}" in answer.text


def test_a_header_that_names_no_one_is_refused(proxied: Console) -> None:
    answer = proxied.client.get("/console/models", headers={HEADER: "x" * 256})
    assert answer.status_code == 400 and HEADER in answer.text
    blank = proxied.client.get("/console/models", headers={HEADER: " "}, follow_redirects=False)
    assert blank.status_code == 303  # no user: sign in with an admin key, as without the header


def test_without_the_header_an_admin_key_still_signs_in(proxied: Console) -> None:
    client = proxied.sign_in()
    page = client.get("/console/models")
    assert page.status_code == 200 and "read-only" not in page.text
    assert 'action="/console/sign-out"' in page.text


def test_the_header_opens_nothing_outside_the_console(proxied: Console) -> None:
    headers = {**ALICE, "anthropic-version": "2023-06-01"}
    assert proxied.client.get("/v1/organizations/workspaces", headers=headers).status_code == 401
    assert proxied.client.get("/v1/models", headers=headers).status_code == 401
