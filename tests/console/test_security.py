"""The console's defences, without a browser: sessions, CSRF, cookies and headers."""

from __future__ import annotations

import pytest

from modeldir.admin.service import Actor, AdminService
from modeldir.console import access_views, catalogue_views, operations_views
from modeldir.console.sessions import COOKIE, SIGN_IN_COOKIE
from tests.console.conftest import Console

PAGES = [
    "/console/",
    "/console/models",
    "/console/models/new",
    "/console/model?id=claude-opus-4-1",
    "/console/model/edit?id=claude-opus-4-1",
    "/console/workspaces",
    "/console/workspaces/preview?patterns=claude-*",
    "/console/workspace?id=x",
    "/console/keys",
    "/console/timeline",
    "/console/import",
    "/console/audit",
    "/console/health",
]
FORMS = [
    "/console/sign-out",
    "/console/models/new",
    "/console/model/edit?id=claude-opus-4-1",
    "/console/model/deprecate?id=claude-opus-4-1",
    "/console/model/retire?id=claude-opus-4-1",
    "/console/model/delete?id=claude-opus-4-1",
    "/console/aliases",
    "/console/alias/edit?alias=x",
    "/console/alias/delete?alias=x",
    "/console/workspaces",
    "/console/workspace/edit?id=x",
    "/console/workspace/archive?id=x",
    "/console/keys",
    "/console/key/rotate?id=x",
    "/console/key/revoke?id=x",
    "/console/import",
    "/console/import/apply",
]


def console_routes() -> set[tuple[str, str]]:
    """Every (method, path) the console serves, read from its own route table."""
    found = {(m, p) for p, _, methods in catalogue_views.VIEWS for m in methods}
    found |= {(m, p) for p, _, methods in access_views.VIEWS for m in methods}
    found |= {(m, p) for p, _, methods in operations_views.VIEWS for m in methods}
    return found | {("GET", "/"), ("POST", "/sign-out")}


def test_every_route_is_covered_here() -> None:
    listed = {("GET", p.split("?")[0].removeprefix("/console")) for p in PAGES}
    listed |= {("POST", p.split("?")[0].removeprefix("/console")) for p in FORMS}
    assert console_routes() <= listed


@pytest.mark.parametrize("path", PAGES)
def test_a_page_without_a_session_goes_to_sign_in(console: Console, path: str) -> None:
    answer = console.client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/sign-in?next=")


def test_a_fragment_without_a_session_is_401(console: Console) -> None:
    answer = console.client.get(
        "/console/workspaces/preview?patterns=x", headers={"hx-request": "true"}
    )
    assert answer.status_code == 401


@pytest.mark.parametrize("path", FORMS)
def test_a_form_without_a_session_is_401(console: Console, path: str) -> None:
    answer = console.client.post(path, data={"csrf": "0" * 64}, follow_redirects=False)
    assert answer.status_code == 401


@pytest.mark.parametrize("path", FORMS)
def test_a_form_without_or_with_a_wrong_csrf_token_is_refused(console: Console, path: str) -> None:
    console.sign_in()
    good = console.csrf()
    for data in ({}, {"csrf": "0" * len(good)}, {"csrf": good[:-1]}):
        answer = console.client.post(path, data=data, follow_redirects=False)
        assert answer.status_code == 403, (path, data, answer.status_code)
        assert "CSRF" in answer.text
    assert console.client.get("/console/models").status_code == 200  # still signed in


def test_the_session_cookie_is_httponly_strict_and_expires(console: Console) -> None:
    page = console.client.get("/console/sign-in")
    token = page.text.split('name="sign_in_token" value="')[1].split('"')[0]
    answer = console.client.post(
        "/console/sign-in",
        data={"admin_key": console.admin_key, "sign_in_token": token},
        follow_redirects=False,
    )
    cookie = next(
        v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith(COOKIE)
    )
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "max-age", "path"} <= attributes
    assert "samesite=strict" in cookie.lower()
    assert "secure" not in attributes  # plain HTTP: a Secure cookie would never come back
    assert "path=/console" in cookie.lower()


def test_behind_https_the_cookie_is_secure(console: Console) -> None:
    https = {"x-forwarded-proto": "https"}
    page = console.client.get("/console/sign-in", headers=https)
    token = page.text.split('name="sign_in_token" value="')[1].split('"')[0]
    answer = console.client.post(
        "/console/sign-in",
        data={"admin_key": console.admin_key, "sign_in_token": token},
        # the form's cookie is Secure now, so a plain-HTTP test client keeps it: send it
        headers={**https, "cookie": f"{SIGN_IN_COOKIE}={token}"},
        follow_redirects=False,
    )
    cookies = [v for k, v in answer.headers.multi_items() if k == "set-cookie"]
    session = next(c for c in cookies if c.startswith(COOKIE + "="))
    assert "secure" in {part.strip().lower() for part in session.split(";")}


@pytest.mark.parametrize("path", ["/console/sign-in", "/console/models", "/console/nothing"])
def test_every_console_response_carries_the_security_headers(console: Console, path: str) -> None:
    if path != "/console/sign-in":
        console.sign_in()
    answer = console.client.get(path)
    csp = answer.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"]
    assert answer.headers["request-id"].startswith("req_")


def test_no_page_has_inline_script(console: Console) -> None:
    console.sign_in()
    for path in PAGES:
        text = console.client.get(path).text
        assert "<script>" not in text and " on" + "click=" not in text
        assert text.count("<script") == text.count('<script src="/console/static/')


def test_a_wrong_admin_key_or_an_api_key_does_not_sign_in(console: Console) -> None:
    from tests.support.admin import new_key

    for key in ("sk-ant-admin01-nothing", new_key(console.store)):
        page = console.client.get("/console/sign-in")
        token = page.text.split('name="sign_in_token" value="')[1].split('"')[0]
        answer = console.client.post(
            "/console/sign-in",
            data={"admin_key": key, "sign_in_token": token},
            follow_redirects=False,
        )
        assert answer.status_code == 401
        assert COOKIE + "=" not in answer.headers.get("set-cookie", "")


def test_sign_in_needs_the_form_token(console: Console) -> None:
    answer = console.client.post(
        "/console/sign-in", data={"admin_key": console.admin_key}, follow_redirects=False
    )
    assert answer.status_code == 401


def test_sign_out_ends_the_session_on_the_server(console: Console) -> None:
    console.sign_in()
    stolen = console.client.cookies.get(COOKIE)
    assert stolen
    csrf = console.csrf()
    assert console.client.post("/console/sign-out", data={"csrf": csrf}).status_code == 200
    console.client.cookies.set(COOKIE, stolen, path="/console")  # replayed after sign-out
    answer = console.client.get("/console/models", follow_redirects=False)
    assert answer.status_code == 303


def test_a_revoked_admin_keys_session_stops_working(console: Console) -> None:
    console.sign_in()
    assert console.client.get("/console/models").status_code == 200
    admin = AdminService(console.store, Actor("cli", "tests"))
    key_id = next(k["id"] for k in admin.list_admin_keys() if k["status"] == "active")
    admin.revoke_admin_key(key_id)
    answer = console.client.get("/console/models", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/sign-in")


def test_root_redirects_to_the_console(console: Console) -> None:
    answer = console.client.get("/", follow_redirects=False)
    assert answer.status_code == 307
    assert answer.headers["location"] == "/console/"


def test_no_secret_is_rendered_but_a_new_keys_once(console: Console) -> None:
    client = console.sign_in()
    csrf = console.csrf("/console/keys")
    created = client.post("/console/keys", data={"csrf": csrf, "name": "shown once"})
    secret = created.text.split('id="secret" readonly value="')[1].split('"')[0]
    assert secret.startswith("sk-ant-api03-")
    assert f"ANTHROPIC_API_KEY={secret}" in created.text
    for path in [*PAGES, "/console/audit?action=api_key.create"]:
        text = client.get(path).text
        assert secret not in text and console.admin_key not in text
