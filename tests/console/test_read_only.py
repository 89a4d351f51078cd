"""Signed in with a read-only admin key: every page, no change control, every change refused."""

from __future__ import annotations

import re

from modeldir.admin import inputs
from tests.console.conftest import Console
from tests.console.test_security import FORMS, PAGES
from tests.support.admin import admin_for, new_admin_key

FORM_ACTION = re.compile(r'<form[^>]*method="post"[^>]*action="([^"?]*)')
# What a read-only session may still post: leaving, and asking what an import would change.
READS_BY_POST = {"/console/sign-out", "/console/import"}


def signed_in_read_only(console: Console) -> tuple[str, str]:
    """Sign in with a new read-only key; its id and the session's CSRF token."""
    admin = admin_for(console.store)
    workspace = admin.create_workspace(inputs.WorkspaceCreate(name="seen"))
    admin.create_api_key(inputs.ApiKeyCreate(name="seen", workspace_id=workspace.object["id"]))
    key = new_admin_key(console.store, read_only=True)
    console.sign_in(key)
    key_id = next(k["id"] for k in admin.list_admin_keys() if k["read_only"])
    return key_id, console.csrf()


def test_every_page_shows_and_offers_no_change(console: Console) -> None:
    key_id, _ = signed_in_read_only(console)
    workspace_id = next(w.id for w in console.live.snapshot.workspaces.values() if w.name == "seen")
    model = "claude-opus-4-1-20250805"
    # The console's pages (test_security.PAGES) at objects that exist, but for the two forms
    # that only a change can follow.
    shown = [
        p.replace("id=claude-opus-4-1", f"id={model}").replace("id=x", f"id={workspace_id}")
        for p in PAGES
        if not p.startswith(("/console/models/new", "/console/model/edit"))
    ]
    for path in shown:
        answer = console.client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        if "<header>" in answer.text:  # a whole page (the preview is a fragment of one)
            assert "read-only" in answer.text and key_id in answer.text
        posted_to = set(FORM_ACTION.findall(answer.text))
        assert posted_to <= READS_BY_POST, (path, posted_to)
    keys = console.client.get("/console/keys").text
    assert "seen" in keys and "Rotate" not in keys and "Revoke" not in keys


def test_the_forms_that_only_lead_to_a_change_are_refused(console: Console) -> None:
    signed_in_read_only(console)
    for path in ("/console/models/new", "/console/model/edit?id=claude-opus-4-1"):
        answer = console.client.get(path)
        assert answer.status_code == 403 and "read-only" in answer.text


def test_every_change_it_posts_is_refused(console: Console) -> None:
    _, csrf = signed_in_read_only(console)
    revision = console.store.revision()
    for path in FORMS:
        if path.split("?")[0] in READS_BY_POST:
            continue
        answer = console.client.post(
            path, data={"csrf": csrf, "name": "x", "id": "x"}, follow_redirects=False
        )
        assert answer.status_code == 403, (path, answer.status_code)
        assert "read-only" in answer.text and "modeldir admin-keys create" in answer.text
    assert console.store.revision() == revision  # nothing was written
    assert console.client.get("/console/models").status_code == 200  # still signed in


def test_it_sees_an_imports_diff_but_cannot_apply_it(console: Console) -> None:
    _, csrf = signed_in_read_only(console)
    document = b'{"models": [{"id": "ro-new", "display_name": "N", "created_at": "2020-01-01"}]}'
    answer = console.client.post(
        "/console/import",
        data={"csrf": csrf, "mode": "merge"},
        files={"file": ("new.json", document, "application/json")},
    )
    assert answer.status_code == 200 and "ro-new" in answer.text
    assert "/console/import/apply" not in answer.text
