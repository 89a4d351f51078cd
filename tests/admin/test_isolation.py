"""Isolation: a key sees exactly what its workspace's rule allows, and stops at once when cut off.

For random access rules (hypothesis), list and retrieve through a fresh key of a fresh workspace
show exactly the models the rule allows; then deactivating the key, archiving it, or archiving
its workspace makes its very next request a 401.
"""

from __future__ import annotations

import fnmatch
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.admin.conftest import Site, ok, unique

EVERY_LIFECYCLE = "lifecycle[]=active&lifecycle[]=deprecated&lifecycle[]=retired"
PATTERNS = [
    "claude-opus-*",
    "claude-haiku-*",
    "claude-3-*",
    "*-5",
    "claude-sonnet-4-6",
    "claude-[os]*-4-*",
    "claude-?????-5*",
    "nothing-*",
]
rules = st.one_of(st.none(), st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=3))
cut_offs = st.sampled_from(["deactivate", "archive key", "archive workspace"])


def listed(client: httpx.Client) -> list[str]:
    return [m["id"] for m in ok(client.get(f"/models?limit=1000&{EVERY_LIFECYCLE}"))["data"]]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rule=rules, cut_off=cut_offs, data=st.data())
def test_a_key_sees_exactly_what_its_rule_allows(
    site: Site, rule: list[str] | None, cut_off: str, data: Any
) -> None:
    with site.admin() as admin, site.models_api(site.api_key) as everything:
        all_entries = listed(everything)
        all_models = {
            m["id"] for m in ok(admin.get(f"/models?limit=1000&{EVERY_LIFECYCLE}"))["data"]
        }
        aliases = {a["id"]: a["model"] for a in ok(admin.get("/aliases?limit=1000"))["data"]}

        def allows(model_id: str) -> bool:
            """The oracle: no rule allows all; else the id matches a pattern as a shell glob."""
            return rule is None or any(fnmatch.fnmatchcase(model_id, p) for p in rule)

        def visible(list_id: str) -> bool:
            """A listed alias is visible when its model is."""
            return allows(list_id if list_id in all_models else aliases[list_id])

        workspace = ok(
            admin.post("/workspaces", json={"name": unique("iso"), "model_access": rule})
        )
        key = ok(admin.post("/api_keys", json={"workspace_id": workspace["id"]}))
        with site.models_api(key["key"]) as scoped:
            assert listed(scoped) == [i for i in all_entries if visible(i)]
            for model_id in data.draw(
                st.lists(st.sampled_from(sorted(all_models)), min_size=1, max_size=4)
            ):
                status = scoped.get(f"/models/{model_id.replace('/', '%2F')}").status_code
                assert status == (200 if allows(model_id) else 404), model_id
            if cut_off == "deactivate":
                ok(admin.post(f"/api_keys/{key['id']}", json={"status": "inactive"}))
            elif cut_off == "archive key":
                ok(admin.post(f"/api_keys/{key['id']}", json={"status": "archived"}))
            else:
                ok(admin.post(f"/workspaces/{workspace['id']}/archive"))
            assert scoped.get("/models").status_code == 401
            assert scoped.get("/models/claude-opus-4-7").status_code == 401
