"""The console in a real browser: Debian's chromium driven by Playwright, against a real server.

One walk through the console as an operator would take it, checked at each step against the
Models API (through the official `anthropic` SDK) and the database. Each page is saved as a
screenshot under tests/artifacts/console/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anthropic
import httpx
import pytest
import yaml
from playwright.sync_api import Browser, Page, expect, sync_playwright

from modeldir.admin.bootstrap import initialize
from modeldir.store import open_store
from tests.support.admin import new_admin_key
from tests.support.server import ServerProcess
from tests.support.services import ensure_chromium

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "console"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = ensure_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    url = f"sqlite:///{tmp_path / 'modeldir.db'}"
    store = open_store(url)
    initialize(store)
    admin_key = new_admin_key(store)
    store.close()
    running = ServerProcess(url, tmp_path / "server.log").start()
    try:
        yield running, admin_key
    finally:
        running.stop()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def listed_ids(page: Page) -> list[str]:
    return page.locator("#models tbody td:first-child a").all_inner_texts()


def test_an_operator_walks_through_the_console(
    browser: Browser, server: tuple[ServerProcess, str], tmp_path: Path
) -> None:
    running, admin_key = server
    base = running.base_url
    admin = httpx.Client(
        base_url=base, headers={"x-api-key": admin_key, "anthropic-version": "2023-06-01"}
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())

    # Sign in: any page first sends us to the sign-in form, then back to where we were going.
    page.goto(f"{base}/console/models")
    expect(page).to_have_url(f"{base}/console/sign-in?next=%2Fconsole%2Fmodels")
    shot(page, "sign-in")
    page.fill("#admin_key", admin_key)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/console/models")
    everything = admin.get("/v1/organizations/models?limit=1000").json()["data"]
    assert listed_ids(page) == [m["id"] for m in everything][:50]
    shot(page, "catalogue")

    # Browse and filter: the deprecated models, as the admin API lists them.
    page.check("input[name=lifecycle][value=deprecated]")
    page.click("form.filters button[type=submit]")
    deprecated = admin.get("/v1/organizations/models?lifecycle[]=deprecated&limit=1000").json()
    assert listed_ids(page) == [m["id"] for m in deprecated["data"]]
    shot(page, "catalogue-filtered")

    # Open a model, edit it.
    page.goto(f"{base}/console/models?q=haiku-4-5")
    page.click("#models tbody a")
    expect(page.locator("h1")).to_contain_text("claude-haiku-4-5-20251001")
    shot(page, "model")
    page.get_by_role("link", name="Edit", exact=True).click()
    page.fill("#f-display_name", "Haiku 4.5 (edited in the console)")
    page.click("form.model-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Haiku 4.5 (edited in the console)")
    stored = admin.get("/v1/organizations/models/claude-haiku-4-5-20251001").json()
    assert stored["display_name"] == "Haiku 4.5 (edited in the console)"

    # A stale edit: someone else changes the model while the form is open.
    page.get_by_role("link", name="Edit", exact=True).click()
    admin.post(
        "/v1/organizations/models/claude-haiku-4-5-20251001",
        json={"display_name": "Changed elsewhere"},
    )
    page.fill("#f-display_name", "My late change")
    page.click("form.model-form button[type=submit]")
    expect(page.locator("#conflict")).to_contain_text("Changed elsewhere")
    shot(page, "model-conflict")
    stored = admin.get("/v1/organizations/models/claude-haiku-4-5-20251001").json()
    assert stored["display_name"] == "Changed elsewhere"

    # A workspace with a pattern: the live preview is what its key then lists through the SDK.
    page.goto(f"{base}/console/workspaces")
    page.fill("#w-name", "sonnet team")
    page.fill("#w-patterns", "claude-sonnet-*")
    sonnets = [m["id"] for m in everything if m["id"].startswith("claude-sonnet-")]
    listed_now = [m["id"] for m in everything if m["lifecycle"] != "retired"]
    expected_count = len([i for i in listed_now if i in sonnets])
    expect(page.locator("#preview-count")).to_have_text(str(expected_count))
    previewed = page.locator(".preview-list code").all_inner_texts()
    shot(page, "workspace-preview")
    page.click("form.workspace-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("sonnet team")

    # A key for it: the secret once, with the line to paste; the SDK lists what was previewed.
    page.goto(f"{base}/console/keys")
    page.fill("#k-name", "browser key")
    page.select_option("#k-workspace", label="sonnet team")
    page.click("form.narrow button[type=submit]")
    secret = page.input_value("#secret")
    assert page.input_value("#shell-line") == (
        f"ANTHROPIC_BASE_URL={base} ANTHROPIC_API_KEY={secret}"
    )
    shot(page, "key-created")
    sdk = anthropic.Anthropic(base_url=base, api_key=secret, max_retries=0)
    assert [m.id for m in sdk.models.list(limit=1000)] == previewed
    assert previewed and all(i.startswith("claude-sonnet-") for i in previewed)

    # Revoke it: the Models API answers 401 from then on.
    page.goto(f"{base}/console/keys")
    row = page.locator("tr", has_text="browser key")
    row.locator("button.danger").click()
    expect(page.locator("tr", has_text="browser key")).to_contain_text("archived")
    shot(page, "keys")
    with pytest.raises(anthropic.AuthenticationError):
        sdk.models.list()

    # Import a file: see the diff, then apply it.
    document = tmp_path / "more.yaml"
    document.write_text(
        yaml.safe_dump(
            {"models": [{"id": "house-model", "display_name": "House", "created_at": "2026-11-01"}]}
        )
    )
    page.goto(f"{base}/console/import")
    page.set_input_files("#file", str(document))
    page.click("form.narrow button[type=submit]")
    expect(page.locator("#added")).to_contain_text("house-model")
    shot(page, "import-diff")
    assert admin.get("/v1/organizations/models/house-model").status_code == 404
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.locator("#import-result")).to_contain_text("1 added")
    assert admin.get("/v1/organizations/models/house-model").status_code == 200

    # The audit log shows each of those changes.
    page.goto(f"{base}/console/audit")
    actions = page.locator("#audit tbody td:nth-child(3)").all_inner_texts()
    for action in ("catalogue.import", "api_key.archive", "api_key.create", "workspace.create"):
        assert action in actions
    shot(page, "audit")
    page.goto(f"{base}/console/timeline")
    expect(page.locator("svg.timeline")).to_be_visible()
    shot(page, "timeline")
    page.goto(f"{base}/console/health")
    expect(page.locator("#health")).to_contain_text("ok")
    shot(page, "health")

    # A phone-sized screen gets the same pages.
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    phone.add_cookies(context.cookies())
    small = phone.new_page()
    small.goto(f"{base}/console/models")
    shot(small, "catalogue-phone")
    phone.close()

    # Sign out: the session is over, and the pages send us to sign in again.
    page.click("header button[type=submit]")
    expect(page).to_have_url(f"{base}/console/sign-in")
    page.goto(f"{base}/console/models")
    expect(page).to_have_url(f"{base}/console/sign-in?next=%2Fconsole%2Fmodels")
    context.close()
