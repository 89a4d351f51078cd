"""The console's pages against oracles computed here from the store's own records."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import yaml

from modeldir.admin import inputs
from modeldir.admin.service import Actor, AdminService
from modeldir.catalogue.access import AccessRule
from modeldir.catalogue.records import WorkspaceRecord
from modeldir.console.operations_views import AUDIT_PAGE
from tests.console.conftest import Console
from tests.support.admin import admin_for, new_key

ROW_ID = re.compile(r'<a href="/console/model\?id=[^"]*">([^<]+)</a>')


def listed_ids(html: str) -> list[str]:
    table = html.split('<table id="models">')[1].split("</table>")[0]
    return [unescape(m) for m in ROW_ID.findall(table)]


def oracle(console: Console, keep: object) -> list[str]:
    """Every live model the filter keeps, newest first, ties by id (D8), from the store."""
    with console.store.reader() as reader:
        models = [m.wire() for m in reader.models()]
    chosen = [m for m in models if keep(m)]  # type: ignore[operator]
    chosen.sort(key=lambda m: m["id"])
    chosen.sort(key=lambda m: m["created_at"], reverse=True)
    return [m["id"] for m in chosen]


def test_the_catalogue_lists_filters_and_orders_like_the_oracle(console: Console) -> None:
    client = console.sign_in()
    everything = oracle(console, lambda m: True)
    assert listed_ids(client.get("/console/models").text) == everything[:50]
    oldest = client.get("/console/models?order=oldest").text
    assert listed_ids(oldest) == list(reversed(everything))[:50]
    deprecated = oracle(console, lambda m: m["lifecycle"] == "deprecated")
    assert listed_ids(client.get("/console/models?lifecycle=deprecated").text) == deprecated[:50]
    opus = oracle(
        console, lambda m: "opus" in m["id"].lower() or "opus" in m["display_name"].lower()
    )
    assert listed_ids(client.get("/console/models?q=OPUS").text) == opus[:50]
    thinking = oracle(
        console, lambda m: bool(m["capabilities"] and m["capabilities"]["thinking"]["supported"])
    )
    assert listed_ids(client.get("/console/models?capability=thinking").text) == thinking[:50]
    sonnet = oracle(console, lambda m: m["line"] == "sonnet")
    assert listed_ids(client.get("/console/models?line=sonnet").text) == sonnet[:50]


def test_pages_follow_on_without_gaps_or_repeats(console: Console) -> None:
    admin = admin_for(console.store)
    admin.import_catalogue(
        {
            "models": [
                {"id": f"bulk-{i:03}", "display_name": f"Bulk {i}", "created_at": "2020-01-01"}
                for i in range(120)
            ]
        }
    )
    client = console.sign_in()
    expected = oracle(console, lambda m: m["id"].startswith("bulk-"))
    for query in ("q=bulk", "q=bulk&order=newest&lifecycle=active", "line=&q=BULK-1"):
        wanted = [i for i in expected if i.startswith("bulk-1")] if "BULK-1" in query else expected
        pages: list[list[str]] = []
        page = client.get(f"/console/models?{query}").text
        assert 'rel="prev"' not in page
        while True:
            pages.append(listed_ids(page))
            found = re.search(r'<a rel="next" href="([^"]+)"', page)
            if not found:
                break
            page = client.get(unescape(found.group(1))).text
        assert [i for ids in pages for i in ids] == wanted
        # and back again, page by page, through the "previous" links
        back = [listed_ids(page)]
        while found := re.search(r'<a rel="prev" href="([^"]+)"', page):
            page = client.get(unescape(found.group(1))).text
            back.append(listed_ids(page))
        assert back == list(reversed(pages))


def test_a_model_page_shows_fields_aliases_and_who_sees_it(console: Console) -> None:
    admin = admin_for(console.store)
    admin.create_alias(inputs.AliasCreate(alias="the-opus", model="claude-opus-4-1-20250805"))
    admin.create_workspace(inputs.WorkspaceCreate(name="haiku team", model_access=["*haiku*"]))
    client = console.sign_in()
    page = client.get("/console/model?id=claude-opus-4-1-20250805").text
    assert "the-opus" in page
    seen_by = page.split('id="seen-by"')[1].split("</ul>")[0]
    assert "Default" in seen_by and "haiku team" not in seen_by


def form_of(page: str) -> dict[str, str | list[str]]:
    """The values a form would post: inputs, selected options, text areas, checked boxes."""
    form = page.split('class="model-form"')[1].split("</form>")[0]
    values: dict[str, str | list[str]] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form):
        if name != "capability":
            values[name] = unescape(value)
    values["capability"] = re.findall(r'name="capability" value="([^"]+)" checked', form)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)">(.*?)</select>', form, re.S):
        chosen = re.search(r"<option(?: value=\"[^\"]*\")? selected>([^<]*)<", body)
        values[name] = chosen.group(1) if chosen else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        values[name] = unescape(text)
    return values


def test_an_edit_saves_and_a_stale_edit_shows_the_conflict(console: Console) -> None:
    client = console.sign_in()
    opened = form_of(client.get("/console/model/edit?id=claude-haiku-4-5-20251001").text)
    changed = {**opened, "display_name": "Haiku, renamed here"}
    saved = client.post("/console/model/edit?id=claude-haiku-4-5-20251001", data=changed)
    assert saved.status_code == 200 and "Haiku, renamed here" in saved.text
    with console.store.reader() as reader:
        record = reader.model("claude-haiku-4-5-20251001")
    assert record is not None and record.wire()["display_name"] == "Haiku, renamed here"
    # The form opened before that save is stale now: nothing is overwritten.
    stale = client.post(
        "/console/model/edit?id=claude-haiku-4-5-20251001", data={**opened, "display_name": "Lost"}
    )
    assert stale.status_code == 409
    assert 'id="conflict"' in stale.text and "Haiku, renamed here" in stale.text
    with console.store.reader() as reader:
        again = reader.model("claude-haiku-4-5-20251001")
    assert again is not None and again.wire()["display_name"] == "Haiku, renamed here"


def test_the_preview_is_what_a_key_of_the_workspace_lists(console: Console) -> None:
    client = console.sign_in()
    patterns = "claude-sonnet-*\nclaude-3-5-haiku-20241022"
    fragment = client.get("/console/workspaces/preview", params={"patterns": patterns}).text
    previewed = re.findall(r"<li><code>([^<]+)</code></li>", fragment)
    csrf = console.csrf("/console/workspaces")
    created = client.post(
        "/console/workspaces", data={"csrf": csrf, "name": "sonnets", "patterns": patterns}
    )
    assert created.status_code == 200
    workspace_id = created.url.params["id"]
    key = new_key(console.store, workspace_id=workspace_id)
    console.live.refresh()
    listed = client.get(
        "/v1/models?limit=1000", headers={"x-api-key": key, "anthropic-version": "2023-06-01"}
    ).json()
    assert previewed == [m["id"] for m in listed["data"]]
    rule = AccessRule.of(patterns.splitlines())
    assert all(rule.allows(i) for i in previewed)


def test_a_bad_pattern_is_explained_in_the_preview(console: Console) -> None:
    client = console.sign_in()
    fragment = client.get("/console/workspaces/preview", params={"patterns": "claude-[opus"}).text
    assert 'class="error"' in fragment


def test_import_shows_the_diff_field_by_field_then_applies(console: Console) -> None:
    client = console.sign_in()
    document = {
        "models": [
            {"id": "new-one", "display_name": "New", "created_at": "2026-01-01"},
            {
                "id": "claude-opus-4-1-20250805",
                "display_name": "Opus, imported",
                "created_at": "2025-08-05T00:00:00Z",
            },
        ]
    }
    text = yaml.safe_dump(document)
    csrf = console.csrf("/console/import")
    diff = client.post(
        "/console/import",
        data={"csrf": csrf, "mode": "merge"},
        files={"file": ("catalogue.yaml", text.encode(), "application/yaml")},
    )
    assert diff.status_code == 200
    assert "new-one" in diff.text.split('id="added"')[1].split("</ul>")[0]
    assert "Opus, imported" in diff.text and "display_name" in diff.text
    with console.store.reader() as reader:
        assert reader.model("new-one") is None  # a dry run so far
    form = diff.text.split('action="/console/import/apply"')[1].split("</form>")[0]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    found = re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", form, re.S)  # HTML drops one \n
    assert found is not None
    document_text = unescape(found.group(1))
    applied = client.post("/console/import/apply", data={**fields, "document": document_text})
    assert applied.status_code == 200 and "1 added, 1 changed" in applied.text
    with console.store.reader() as reader:
        assert reader.model("new-one") is not None
    audit = client.get("/console/audit?action=catalogue.import").text
    assert "catalogue.import" in audit.split('id="audit"')[1]


def test_a_tampered_import_is_refused(console: Console) -> None:
    client = console.sign_in()
    csrf = console.csrf("/console/import")
    answer = client.post(
        "/console/import/apply",
        data={
            "csrf": csrf,
            "mode": "merge",
            "filename": "x.yaml",
            "digest": "0",
            "document": "models: []",
        },
    )
    assert answer.status_code == 400


def test_the_audit_log_filters_by_object_and_shows_the_change(console: Console) -> None:
    client = console.sign_in()
    csrf = console.csrf("/console/models")
    client.post(
        "/console/model/deprecate?id=claude-3-opus-20240229",
        data={"csrf": csrf, "retires_at": "2030-01-01"},
    )
    page = client.get("/console/audit?object_id=claude-3-opus-20240229").text
    rows = page.split('id="audit"')[1].split("</table>")[0]
    assert "model.deprecate" in rows or "deprecated" in rows
    objects = set(re.findall(r"audit\?object_id=([^\"]+)\"", rows))
    assert objects == {"claude-3-opus-20240229"}


def test_the_timeline_calls_out_what_retires_soon(console: Console) -> None:
    admin = admin_for(console.store)
    soon = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(time.time() + 20 * 86400))
    later = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(time.time() + 60 * 86400))
    admin.deprecate_model("claude-opus-4-1-20250805", inputs.ModelDeprecate(retires_at=soon))
    admin.deprecate_model("claude-haiku-4-5-20251001", inputs.ModelDeprecate(retires_at=later))
    client = console.sign_in()
    page = client.get("/console/timeline").text
    within_30 = page.split('id="within-30"')[1].split("</ul>")[0]
    within_90 = page.split('id="within-90"')[1].split("</ul>")[0]
    assert "claude-opus-4-1-20250805" in within_30 and "claude-haiku-4-5-20251001" not in within_30
    assert "claude-opus-4-1-20250805" in within_90 and "claude-haiku-4-5-20251001" in within_90
    assert "<svg" in page and 'id="timeline-table"' in page


def test_keys_rotate_and_revoke_through_the_console(console: Console) -> None:
    client = console.sign_in()
    csrf = console.csrf("/console/keys")
    created = client.post("/console/keys", data={"csrf": csrf, "name": "console key"})
    secret = re.search(r'id="secret" readonly value="([^"]+)"', created.text).group(1)  # type: ignore[union-attr]
    headers = {"x-api-key": secret, "anthropic-version": "2023-06-01"}
    assert client.get("/v1/models", headers=headers).status_code == 200
    keys_page = client.get("/console/keys").text
    key_id = re.search(r'data-key-id="([^"]+)"', keys_page).group(1)  # type: ignore[union-attr]
    rotated = client.post(
        f"/console/key/rotate?id={key_id}", data={"csrf": csrf, "grace_period_seconds": "0"}
    )
    fresh = re.search(r'id="secret" readonly value="([^"]+)"', rotated.text).group(1)  # type: ignore[union-attr]
    assert client.get("/v1/models", headers=headers).status_code == 401
    headers["x-api-key"] = fresh
    assert client.get("/v1/models", headers=headers).status_code == 200
    client.post(f"/console/key/revoke?id={key_id}", data={"csrf": csrf})
    assert client.get("/v1/models", headers=headers).status_code == 401
    # The list shows each key's last change, from the audit log: here the revocation.
    with console.store.reader() as reader:
        window = reader.audit_window(None, None, 1, object_id=key_id, actor_id=None, action=None)
    assert window
    latest = window[0]  # newest first
    row = client.get("/console/keys").text.split(f'data-key-id="{key_id}"')[1].split("</tr>")[0]
    assert latest.action in row and latest.action.startswith("api_key.")


def test_health_shows_the_revision_and_the_database(console: Console) -> None:
    client = console.sign_in()
    page = client.get("/console/health").text
    with console.store.reader() as reader:
        revision = reader.revision()
    facts = page.split('id="health"')[1]
    assert f"<dd>{revision}</dd>" in facts and ">ok<" in facts


def test_the_audit_log_filters_by_time_and_pages_within_the_range(console: Console) -> None:
    actor = "tests@clock"

    def made_in(year: int, count: int) -> list[str]:
        moment = datetime(year, 6, 1, tzinfo=UTC).timestamp()
        service = AdminService(console.store, Actor("cli", actor), clock=lambda: moment)
        return [
            service.create_workspace(inputs.WorkspaceCreate(name=f"w{year}-{i}")).object["id"]
            for i in range(count)
        ]

    made_in(2001, 1)
    in_range = made_in(2002, AUDIT_PAGE + 1)
    made_in(2003, 1)
    client = console.sign_in()
    query = {"actor_id": actor, "starting_at": "2002-01-01", "ending_at": "2003-01-01"}
    page = client.get("/console/audit?" + urlencode(query)).text
    shown = audited_objects(page)
    assert shown == list(reversed(in_range))[:AUDIT_PAGE]
    older = unescape(re.search(r'<a rel="next" href="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    kept = parse_qs(urlsplit(older).query)
    assert {k: kept[k] for k in query} == {k: [v] for k, v in query.items()}
    assert audited_objects(client.get(older).text) == [in_range[0]]
    refused = client.get("/console/audit?starting_at=2003-01-01&ending_at=2002-01-01")
    assert refused.status_code == 400 and "ending_at must be later" in refused.text


def audited_objects(html: str) -> list[str]:
    """The object of each audit entry the page lists, in order."""
    rows = html.split('id="audit"')[1].split("</table>")[0]
    return [unescape(m) for m in re.findall(r'audit\?object_id=([^"]+)"', rows)]


def test_aliases_are_made_moved_and_deleted_on_a_models_page(console: Console) -> None:
    headers = {"x-api-key": new_key(console.store), "anthropic-version": "2023-06-01"}
    client = console.sign_in()
    opus, haiku = "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001"
    csrf = console.csrf(f"/console/model?id={opus}")
    made = client.post(
        "/console/aliases",
        data={"csrf": csrf, "back": opus, "alias": "house-opus", "listed": "on"},
        follow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["location"].endswith(f"id={opus}")
    assert alias_in_store(console, "house-opus") == (opus, True, False)
    assert client.get("/v1/models/house-opus", headers=headers).json()["id"] == opus
    page = client.get(f"/console/model?id={opus}").text
    aliases = page.split('id="aliases"')[1].split("</ul>")[0]
    assert "house-opus" in aliases and "(listed)" in aliases
    etag = re.search(r'alias=house-opus".*?name="etag" value="([^"]+)"', aliases, re.S)
    assert etag is not None
    moved = client.post(
        "/console/alias/edit?alias=house-opus",
        data={"csrf": csrf, "back": opus, "model": haiku, "etag": unescape(etag.group(1))},
        follow_redirects=False,
    )
    assert moved.status_code == 303 and moved.headers["location"].endswith(f"id={haiku}")
    assert alias_in_store(console, "house-opus") == (haiku, False, False)
    stale = client.post(
        "/console/alias/edit?alias=house-opus",
        data={"csrf": csrf, "back": haiku, "model": opus, "etag": unescape(etag.group(1))},
    )
    assert stale.status_code == 409 and 'id="alias-error"' in stale.text
    assert alias_in_store(console, "house-opus") == (haiku, False, False)
    taken = client.post(
        "/console/aliases", data={"csrf": csrf, "back": opus, "alias": haiku}
    )  # a model's own id cannot be an alias
    assert taken.status_code == 409 and "already a model id" in taken.text
    gone = client.post(
        "/console/alias/delete?alias=house-opus",
        data={"csrf": csrf, "back": haiku},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    assert alias_in_store(console, "house-opus") == (haiku, False, True)
    assert client.get("/v1/models/house-opus", headers=headers).status_code == 404
    actions = [
        e["action"]
        for e in admin_for(console.store).audit_log(inputs.AuditListParams(object_id="house-opus"))[
            "data"
        ]
    ]
    assert actions == ["alias.delete", "alias.update", "alias.create"]


def alias_in_store(console: Console, alias: str) -> tuple[str, bool, bool]:
    """What the database holds for an alias: its model, whether listed, whether deleted."""
    with console.store.reader() as reader:
        record = reader.alias(alias)
    assert record is not None
    return record.model_id, record.listed, record.deleted


def test_a_workspaces_colour_and_tags_are_set_and_changed_in_its_form(console: Console) -> None:
    client = console.sign_in()
    csrf = console.csrf("/console/workspaces")
    created = client.post(
        "/console/workspaces",
        data={
            "csrf": csrf,
            "name": "tagged",
            "display_color": "#12ab9f",
            "tags": "team = search\n\ncost-centre=42\n",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    workspace_id = parse_qs(urlsplit(created.headers["location"]).query)["id"][0]
    stored = stored_workspace(console, workspace_id)
    assert stored.display_color == "#12ab9f"
    assert dict(stored.tags) == {"team": "search", "cost-centre": "42"}
    page = client.get(f"/console/workspace?id={workspace_id}").text
    shown = re.search(r'<textarea id="w-tags" name="tags"[^>]*>(.*?)</textarea>', page, re.S)
    assert shown is not None and unescape(shown.group(1)) == "cost-centre=42\nteam=search"
    etag = re.search(r'name="etag" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    changed = client.post(
        f"/console/workspace/edit?id={workspace_id}",
        data={
            "csrf": csrf,
            "etag": unescape(etag),
            "name": "tagged",
            "display_color": "#000000",
            "tags": "team=ranking\nregion=eu",
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    stored = stored_workspace(console, workspace_id)
    assert stored.display_color == "#000000"
    assert dict(stored.tags) == {"team": "ranking", "region": "eu"}  # cost-centre removed
    refused = client.post(
        f"/console/workspace/edit?id={workspace_id}",
        data={"csrf": csrf, "name": "tagged", "tags": "no equals sign"},
    )
    assert refused.status_code == 400 and "key=value" in refused.text
    listed = client.get("/console/workspaces").text
    assert "region=eu" in listed and "team=ranking" in listed


def stored_workspace(console: Console, workspace_id: str) -> WorkspaceRecord:
    with console.store.reader() as reader:
        record = reader.workspace(workspace_id)
    assert record is not None
    return record
